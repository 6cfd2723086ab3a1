"""ECS Managed Instances: tasks on a MANAGED_INSTANCES capacity provider run on instances ECS launches."""
import pytest

from tests.ecs.task_support import MANAGED_INSTANCES_PROVIDER

STRATEGY = [{"capacityProvider": "mi", "weight": 1}]


@pytest.fixture
def cluster(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ecs_client.create_capacity_provider(name="mi", cluster="c", managedInstancesProvider=MANAGED_INSTANCES_PROVIDER)
    ecs_client.put_cluster_capacity_providers(cluster="c", capacityProviders=["mi"],
                                              defaultCapacityProviderStrategy=[])
    ecs_client.register_task_definition(family="web", containerDefinitions=[
        {"name": "web", "image": "nginx", "cpu": 1024, "memory": 2048}])
    return "c"


def instances(client):
    arns = client.list_container_instances(cluster="c")["containerInstanceArns"]
    return client.describe_container_instances(cluster="c", containerInstances=arns)["containerInstances"] \
        if arns else []


def test_tasks_on_a_managed_instances_provider_get_instances_launched_for_them(ecs_client, cluster):
    assert instances(ecs_client) == []
    response = ecs_client.run_task(cluster="c", taskDefinition="web", count=2, capacityProviderStrategy=STRATEGY)
    assert response["failures"] == []
    launched = instances(ecs_client)
    assert {i["capacityProviderName"] for i in launched} == {"mi"}
    assert all(i["ec2InstanceId"].startswith("i-") for i in launched)
    hosts = {i["containerInstanceArn"] for i in launched}
    for task in response["tasks"]:
        assert task["launchType"] == "MANAGED_INSTANCES"
        assert task["capacityProviderName"] == "mi"
        assert task["containerInstanceArn"] in hosts
    assert ecs_client.describe_clusters(clusters=["c"])["clusters"][0]["registeredContainerInstancesCount"] \
        == len(launched)


def test_an_instance_with_room_is_used_before_another_is_launched(ecs_client, cluster):
    ecs_client.register_task_definition(family="small", containerDefinitions=[
        {"name": "s", "image": "nginx", "cpu": 128, "memory": 128}])
    ecs_client.run_task(cluster="c", taskDefinition="small", capacityProviderStrategy=STRATEGY)
    ecs_client.run_task(cluster="c", taskDefinition="small", capacityProviderStrategy=STRATEGY)
    assert len(instances(ecs_client)) == 1
    assert instances(ecs_client)[0]["runningTasksCount"] == 2


def test_launched_instance_type_meets_the_instance_requirements(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    template = {**MANAGED_INSTANCES_PROVIDER["instanceLaunchTemplate"],
                "instanceRequirements": {"vCpuCount": {"min": 4}, "memoryMiB": {"min": 8192}}}
    ecs_client.create_capacity_provider(name="mi", cluster="c", managedInstancesProvider={
        **MANAGED_INSTANCES_PROVIDER, "instanceLaunchTemplate": template})
    ecs_client.put_cluster_capacity_providers(cluster="c", capacityProviders=["mi"],
                                              defaultCapacityProviderStrategy=[])
    ecs_client.register_task_definition(family="tiny", containerDefinitions=[
        {"name": "t", "image": "nginx", "memory": 64}])
    ecs_client.run_task(cluster="c", taskDefinition="tiny", capacityProviderStrategy=STRATEGY)
    [instance] = instances(ecs_client)
    cpu = next(r["integerValue"] for r in instance["registeredResources"] if r["name"] == "CPU")
    memory = next(r["integerValue"] for r in instance["registeredResources"] if r["name"] == "MEMORY")
    assert cpu >= 4 * 1024 and memory >= 7 * 1024


def test_daemons_run_on_every_launched_instance_before_other_tasks(ecs_client, cluster):
    ecs_client.register_daemon_task_definition(family="agent", containerDefinitions=[
        {"name": "agent", "image": "public.ecr.aws/cloudwatch-agent/cloudwatch-agent:latest", "memory": 128}])
    ecs_client.create_daemon(daemonName="monitor", daemonTaskDefinitionArn="agent:1", capacityProviderArns=["mi"],
                             clusterArn="c")
    ecs_client.run_task(cluster="c", taskDefinition="web", count=2, capacityProviderStrategy=STRATEGY)
    arns = ecs_client.list_tasks(cluster="c")["taskArns"]
    tasks = ecs_client.describe_tasks(cluster="c", tasks=arns)["tasks"]
    daemon_hosts = sorted(t["containerInstanceArn"] for t in tasks if t["group"] == "daemon:monitor")
    assert daemon_hosts == sorted(i["containerInstanceArn"] for i in instances(ecs_client))
    assert all(t["lastStatus"] == "RUNNING" for t in tasks)


def test_the_cluster_default_strategy_reaches_managed_instances(ecs_client, cluster):
    ecs_client.put_cluster_capacity_providers(cluster="c", capacityProviders=["mi"],
                                              defaultCapacityProviderStrategy=STRATEGY)
    task = ecs_client.run_task(cluster="c", taskDefinition="web")["tasks"][0]
    assert task["launchType"] == "MANAGED_INSTANCES" and task["capacityProviderName"] == "mi"


def test_ec2_launch_type_does_not_use_managed_instances(ecs_client, cluster):
    ecs_client.run_task(cluster="c", taskDefinition="web", capacityProviderStrategy=STRATEGY)
    with pytest.raises(ecs_client.exceptions.InvalidParameterException) as info:
        ecs_client.run_task(cluster="c", taskDefinition="web", launchType="EC2")
    assert info.value.response["Error"]["Message"] == "No Container Instances were found in your cluster."
