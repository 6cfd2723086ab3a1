"""ECS clusters: lifecycle, settings, capacity providers and strategies, live counts, DeleteCluster rules."""
import pytest
from botocore.exceptions import ClientError

from emulator.ecs import clusters
from tests.ecs.task_support import (AWSVPC, ec2_task_definition, code_and_message, fargate_cluster, fargate_task_definition,
                                    register_instance, run_fargate)

ASG = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/{}"


def test_create_describe_list_delete(ecs_client):
    created = ecs_client.create_cluster(clusterName="prod")["cluster"]
    assert created["clusterArn"] == "arn:aws:ecs:us-east-1:123456789012:cluster/prod"
    assert created["status"] == "ACTIVE"
    assert (created["registeredContainerInstancesCount"], created["runningTasksCount"], created["pendingTasksCount"],
            created["activeServicesCount"]) == (0, 0, 0, 0)
    assert created["statistics"] == [] and created["tags"] == []
    assert created["capacityProviders"] == [] and created["defaultCapacityProviderStrategy"] == []
    assert created["settings"] == [{"name": "containerInsights", "value": "disabled"}]
    assert ecs_client.list_clusters()["clusterArns"] == [created["clusterArn"]]
    described = ecs_client.describe_clusters(clusters=["prod", "missing"])
    assert [c["clusterName"] for c in described["clusters"]] == ["prod"]
    assert described["failures"] == [
        {"arn": "arn:aws:ecs:us-east-1:123456789012:cluster/missing", "reason": "MISSING"}]
    deleted = ecs_client.delete_cluster(cluster=created["clusterArn"])["cluster"]
    assert deleted["status"] == "INACTIVE"
    assert ecs_client.list_clusters()["clusterArns"] == []
    assert ecs_client.describe_clusters(clusters=["prod"])["clusters"][0]["status"] == "INACTIVE"


def test_create_cluster_without_name_creates_default(ecs_client):
    assert ecs_client.create_cluster()["cluster"]["clusterName"] == "default"


def test_create_existing_cluster_returns_it(ecs_client):
    first = ecs_client.create_cluster(clusterName="c", tags=[{"key": "a", "value": "1"}])["cluster"]
    again = ecs_client.create_cluster(clusterName="c")["cluster"]
    assert again["clusterArn"] == first["clusterArn"]


def test_recreating_an_inactive_cluster_makes_it_active(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ecs_client.delete_cluster(cluster="c")
    assert ecs_client.create_cluster(clusterName="c")["cluster"]["status"] == "ACTIVE"
    assert len(ecs_client.list_clusters()["clusterArns"]) == 1


def test_invalid_cluster_name(ecs_client):
    with pytest.raises(ClientError) as info:
        ecs_client.create_cluster(clusterName="my cluster")
    assert code_and_message(info) == ("InvalidParameterException", clusters.INVALID_CLUSTER_NAME)


def test_delete_unknown_cluster_is_cluster_not_found(ecs_client):
    with pytest.raises(ClientError) as info:
        ecs_client.delete_cluster(cluster="nope")
    assert info.value.response["Error"] == {"Code": "ClusterNotFoundException", "Message": "Cluster not found."}
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_delete_inactive_cluster(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ecs_client.delete_cluster(cluster="c")
    with pytest.raises(ClientError) as info:
        ecs_client.delete_cluster(cluster="c")
    assert code_and_message(info) == ("ClusterNotFoundException", "The referenced cluster was inactive.")


# -- settings -------------------------------------------------------------------------------------

def test_settings_default_from_the_account_setting(ecs_client):
    ecs_client.put_account_setting_default(name="containerInsights", value="enhanced")
    cluster = ecs_client.create_cluster(clusterName="c")["cluster"]
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enhanced"}]


def test_settings_given_at_creation_win(ecs_client):
    ecs_client.put_account_setting_default(name="containerInsights", value="enabled")
    cluster = ecs_client.create_cluster(clusterName="c", settings=[{"name": "containerInsights",
                                                                    "value": "disabled"}])["cluster"]
    assert cluster["settings"] == [{"name": "containerInsights", "value": "disabled"}]


def test_update_cluster_settings(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    cluster = ecs_client.update_cluster_settings(cluster="c", settings=[
        {"name": "containerInsights", "value": "enabled"}])["cluster"]
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert ecs_client.describe_clusters(clusters=["c"], include=["SETTINGS"])["clusters"][0]["settings"] == [
        {"name": "containerInsights", "value": "enabled"}]


def test_update_cluster_settings_with_an_invalid_value(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    with pytest.raises(ClientError) as info:
        ecs_client.update_cluster_settings(cluster="c", settings=[{"name": "containerInsights", "value": "ENABLED"}])
    assert code_and_message(info) == ("InvalidParameterException", clusters.invalid_setting_value("ENABLED"))


def test_update_cluster_settings_on_missing_cluster(ecs_client):
    with pytest.raises(ClientError) as info:
        ecs_client.update_cluster_settings(cluster="nope", settings=[{"name": "containerInsights", "value": "enabled"}])
    assert code_and_message(info) == ("ClusterNotFoundException", "Cluster not found.")


def test_update_cluster_configuration_and_service_connect_defaults(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    configuration = {"executeCommandConfiguration": {"logging": "DEFAULT"}}
    cluster = ecs_client.update_cluster(cluster="c", configuration=configuration,
                                        serviceConnectDefaults={"namespace": "internal"},
                                        settings=[{"name": "containerInsights", "value": "enabled"}])["cluster"]
    assert cluster["configuration"] == configuration
    assert cluster["serviceConnectDefaults"]["namespace"].startswith(
        "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-")
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    described = ecs_client.describe_clusters(clusters=["c"], include=["CONFIGURATIONS"])["clusters"][0]
    assert described["configuration"] == configuration


def test_update_inactive_cluster(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ecs_client.delete_cluster(cluster="c")
    with pytest.raises(ClientError) as info:
        ecs_client.update_cluster(cluster="c", settings=[{"name": "containerInsights", "value": "enabled"}])
    assert code_and_message(info) == ("ClusterNotFoundException", "The referenced cluster was inactive.")


# -- capacity providers ----------------------------------------------------------------------------

def test_put_fargate_providers_and_a_default_strategy(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    cluster = ecs_client.put_cluster_capacity_providers(
        cluster="c", capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "base": 1, "weight": 1},
                                         {"capacityProvider": "FARGATE_SPOT", "weight": 4}])["cluster"]
    assert cluster["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert cluster["defaultCapacityProviderStrategy"] == [
        {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
        {"capacityProvider": "FARGATE_SPOT", "weight": 4, "base": 0}]


def test_put_replaces_the_whole_list(ecs_client):
    ecs_client.create_cluster(clusterName="c", capacityProviders=["FARGATE", "FARGATE_SPOT"])
    cluster = ecs_client.put_cluster_capacity_providers(cluster="c", capacityProviders=["FARGATE_SPOT"],
                                                        defaultCapacityProviderStrategy=[])["cluster"]
    assert cluster["capacityProviders"] == ["FARGATE_SPOT"]


def test_put_unknown_provider(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    with pytest.raises(ClientError) as info:
        ecs_client.put_cluster_capacity_providers(cluster="c", capacityProviders=["ghost"],
                                                  defaultCapacityProviderStrategy=[])
    assert code_and_message(info) == ("InvalidParameterException", clusters.PROVIDER_NOT_FOUND)


def test_strategy_with_a_provider_not_associated(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    with pytest.raises(ClientError) as info:
        ecs_client.put_cluster_capacity_providers(cluster="c", capacityProviders=["FARGATE"],
                                                  defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT"}])
    assert code_and_message(info) == (
        "InvalidParameterException",
        "The specified capacity provider strategy cannot contain a capacity provider that is not associated with "
        "the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and "
        "try again.")


def test_strategy_with_more_than_one_base(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    with pytest.raises(ClientError) as info:
        ecs_client.put_cluster_capacity_providers(
            cluster="c", capacityProviders=["FARGATE", "FARGATE_SPOT"],
            defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "base": 1, "weight": 1},
                                             {"capacityProvider": "FARGATE_SPOT", "base": 1, "weight": 1}])
    assert code_and_message(info) == ("InvalidParameterException",
                              "Only one capacity provider in a capacity provider strategy can have a base defined.")


def test_strategy_without_any_weight(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    with pytest.raises(ClientError) as info:
        ecs_client.put_cluster_capacity_providers(cluster="c", capacityProviders=["FARGATE"],
                                                  defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE"}])
    assert code_and_message(info) == ("InvalidParameterException", clusters.NO_POSITIVE_WEIGHT)


def test_strategy_with_a_duplicate_provider(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    with pytest.raises(ClientError) as info:
        ecs_client.put_cluster_capacity_providers(
            cluster="c", capacityProviders=["FARGATE"],
            defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}] * 2)
    assert code_and_message(info) == ("InvalidParameterException", clusters.DUPLICATE_PROVIDER)


def test_strategy_mixing_fargate_and_auto_scaling_providers(ecs_client):
    ecs_client.create_capacity_provider(name="asg", autoScalingGroupProvider={"autoScalingGroupArn": ASG.format("g")})
    ecs_client.create_cluster(clusterName="c")
    with pytest.raises(ClientError) as info:
        ecs_client.put_cluster_capacity_providers(
            cluster="c", capacityProviders=["FARGATE", "asg"],
            defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1},
                                             {"capacityProvider": "asg", "weight": 1}])
    assert code_and_message(info) == ("InvalidParameterException", clusters.MIXED_PROVIDERS)


def test_create_cluster_checks_its_strategy_too(ecs_client):
    with pytest.raises(ClientError) as info:
        ecs_client.create_cluster(clusterName="c", capacityProviders=["FARGATE"],
                                  defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}])
    assert code_and_message(info)[1] == clusters.PROVIDER_NOT_ASSOCIATED


def test_removing_a_provider_that_tasks_use(ecs_client):
    ecs_client.create_cluster(clusterName="c", capacityProviders=["FARGATE", "FARGATE_SPOT"])
    fargate_task_definition(ecs_client)
    arn = ecs_client.run_task(cluster="c", taskDefinition="web", networkConfiguration=AWSVPC,
                              capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}])[
        "tasks"][0]["taskArn"]
    with pytest.raises(ClientError) as info:
        ecs_client.put_cluster_capacity_providers(cluster="c", capacityProviders=["FARGATE"],
                                                  defaultCapacityProviderStrategy=[])
    assert code_and_message(info) == ("ResourceInUseException", clusters.PROVIDER_IN_USE.format(name="FARGATE_SPOT"))
    ecs_client.stop_task(cluster="c", task=arn)
    ecs_client.describe_tasks(cluster="c", tasks=[arn])
    assert ecs_client.put_cluster_capacity_providers(cluster="c", capacityProviders=["FARGATE"],
                                                     defaultCapacityProviderStrategy=[])["cluster"]


def test_run_task_with_a_strategy_reports_the_provider(ecs_client):
    ecs_client.create_cluster(clusterName="c", capacityProviders=["FARGATE", "FARGATE_SPOT"])
    fargate_task_definition(ecs_client)
    task = ecs_client.run_task(cluster="c", taskDefinition="web", networkConfiguration=AWSVPC,
                               capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}])["tasks"][0]
    assert (task["launchType"], task["capacityProviderName"]) == ("FARGATE", "FARGATE_SPOT")


def test_run_task_strategy_needs_associated_providers(ecs_client):
    fargate_cluster(ecs_client)
    with pytest.raises(ClientError) as info:
        ecs_client.run_task(cluster="c", taskDefinition="web", networkConfiguration=AWSVPC,
                            capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}])
    assert code_and_message(info) == ("InvalidParameterException", clusters.PROVIDER_NOT_ASSOCIATED)


def test_base_then_weights_decide_each_tasks_provider(ecs_client):
    ecs_client.create_cluster(clusterName="c", capacityProviders=["FARGATE", "FARGATE_SPOT"])
    fargate_task_definition(ecs_client)
    tasks = ecs_client.run_task(cluster="c", taskDefinition="web", networkConfiguration=AWSVPC, count=10,
                                capacityProviderStrategy=[{"capacityProvider": "FARGATE", "base": 2, "weight": 1},
                                                          {"capacityProvider": "FARGATE_SPOT", "weight": 3}])["tasks"]
    providers = [t["capacityProviderName"] for t in tasks]
    assert providers[:2] == ["FARGATE", "FARGATE"]
    assert (providers.count("FARGATE"), providers.count("FARGATE_SPOT")) == (4, 6)


def test_cluster_default_strategy_applies_without_launch_type(ecs_client):
    ecs_client.create_cluster(clusterName="c", capacityProviders=["FARGATE_SPOT"],
                              defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}])
    fargate_task_definition(ecs_client)
    task = ecs_client.run_task(cluster="c", taskDefinition="web", networkConfiguration=AWSVPC)["tasks"][0]
    assert (task["launchType"], task["capacityProviderName"]) == ("FARGATE", "FARGATE_SPOT")


def test_without_launch_type_or_strategy_the_task_is_ec2(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client)
    register_instance(ecs_client)
    task = ecs_client.run_task(cluster="c", taskDefinition="batch")["tasks"][0]
    assert task["launchType"] == "EC2" and "capacityProviderName" not in task


def test_auto_scaling_provider_places_on_instances_and_is_reported(ecs_client):
    ecs_client.create_capacity_provider(name="asg", autoScalingGroupProvider={"autoScalingGroupArn": ASG.format("g")})
    ecs_client.create_cluster(clusterName="c", capacityProviders=["asg"],
                              defaultCapacityProviderStrategy=[{"capacityProvider": "asg", "weight": 1}])
    ec2_task_definition(ecs_client)
    register_instance(ecs_client)
    task = ecs_client.run_task(cluster="c", taskDefinition="batch")["tasks"][0]
    assert (task["launchType"], task["capacityProviderName"]) == ("EC2", "asg")


def test_managed_instances_provider_of_another_cluster(ecs_client):
    ecs_client.create_cluster(clusterName="owner")
    ecs_client.create_cluster(clusterName="c")
    ecs_client.create_capacity_provider(name="mi", cluster="owner", managedInstancesProvider={
        "infrastructureRoleArn": "arn:aws:iam::123456789012:role/infra",
        "instanceLaunchTemplate": {"ec2InstanceProfileArn": "arn:aws:iam::123456789012:instance-profile/p",
                                   "networkConfiguration": {"subnets": ["subnet-0123456789abcdef0"]}}})
    ecs_client.describe_clusters(clusters=["c"])
    with pytest.raises(ClientError) as info:
        ecs_client.put_cluster_capacity_providers(cluster="c", capacityProviders=["mi"],
                                                  defaultCapacityProviderStrategy=[])
    assert code_and_message(info)[0] == "InvalidParameterException"


# -- counts and DeleteCluster ----------------------------------------------------------------------

def test_statistics_only_when_included(ecs_client):
    fargate_cluster(ecs_client)
    run_fargate(ecs_client, count=2)
    assert ecs_client.describe_clusters(clusters=["c"])["clusters"][0]["statistics"] == []
    stats = ecs_client.describe_clusters(clusters=["c"], include=["STATISTICS"])["clusters"][0]["statistics"]
    assert [s["name"] for s in stats] == ["runningEC2TasksCount", "runningFargateTasksCount", "pendingEC2TasksCount",
                                          "pendingFargateTasksCount", "activeEC2ServiceCount",
                                          "activeFargateServiceCount", "drainingEC2ServiceCount",
                                          "drainingFargateServiceCount"]
    assert {s["name"]: s["value"] for s in stats}["runningFargateTasksCount"] == "2"


def test_running_ec2_tasks_count(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client)
    register_instance(ecs_client)
    ecs_client.run_task(cluster="c", taskDefinition="batch", count=3)
    described = ecs_client.describe_clusters(clusters=["c"], include=["STATISTICS"])["clusters"][0]
    assert described["runningTasksCount"] == 3
    assert {s["name"]: s["value"] for s in described["statistics"]}["runningEC2TasksCount"] == "3"


def test_service_counts_and_delete_with_services(ecs_client, ecs_eks_mock):
    ecs_client.create_cluster(clusterName="c")
    cluster = ecs_eks_mock.engine.store("ecs").clusters["c"]
    clusters.note_service_status(cluster, "FARGATE", None, "ACTIVE")
    described = ecs_client.describe_clusters(clusters=["c"], include=["STATISTICS"])["clusters"][0]
    assert described["activeServicesCount"] == 1
    assert {s["name"]: s["value"] for s in described["statistics"]}["activeFargateServiceCount"] == "1"
    with pytest.raises(ClientError) as info:
        ecs_client.delete_cluster(cluster="c")
    assert code_and_message(info) == ("ClusterContainsServicesException",
                              "The Cluster cannot be deleted while Services are active.")
    clusters.note_service_status(cluster, "FARGATE", "ACTIVE", "DRAINING")
    with pytest.raises(ClientError):
        ecs_client.delete_cluster(cluster="c")
    clusters.note_service_status(cluster, "FARGATE", "DRAINING", "INACTIVE")
    assert ecs_client.delete_cluster(cluster="c")["cluster"]["status"] == "INACTIVE"


def test_delete_cluster_with_running_tasks(ecs_client):
    fargate_cluster(ecs_client)
    run_fargate(ecs_client)
    with pytest.raises(ClientError) as info:
        ecs_client.delete_cluster(cluster="c")
    assert code_and_message(info) == ("ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.")


def test_delete_cluster_with_a_managed_instances_provider(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ecs_client.create_capacity_provider(name="mi", cluster="c", managedInstancesProvider={
        "infrastructureRoleArn": "arn:aws:iam::123456789012:role/infra",
        "instanceLaunchTemplate": {"ec2InstanceProfileArn": "arn:aws:iam::123456789012:instance-profile/p",
                                   "networkConfiguration": {"subnets": ["subnet-0123456789abcdef0"]}}})
    with pytest.raises(ClientError) as info:
        ecs_client.delete_cluster(cluster="c")
    assert code_and_message(info) == ("ClusterContainsCapacityProviderException", clusters.CONTAINS_CAPACITY_PROVIDERS)


def test_describe_with_attachments(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    assert ecs_client.describe_clusters(clusters=["c"], include=["ATTACHMENTS"])["clusters"][0]["attachments"] == []
