"""The service scheduler: scaling, replacing stopped tasks, draining instances, DAEMON services, placement."""
import pytest
from botocore.exceptions import ClientError

from emulator.ecs.failures import fail_tasks
from tests.ecs.service_support import (deployment_counts, describe, code_and_message, events, fargate_service, service_tasks,
                                       setup_web, started, steady, stopped_running, task_id, tasks_named)
from tests.ecs.task_support import MANAGED_INSTANCES_PROVIDER, ec2_task_definition, register_instance


def ec2_cluster(client, instances: int = 2, **instance_params) -> list[dict]:
    client.create_cluster(clusterName="c")
    ec2_task_definition(client)
    return [register_instance(client, **instance_params) for _ in range(instances)]


# -- scaling -----------------------------------------------------------------------------------------

def test_scaling_up_and_down_starts_and_stops_tasks_with_aws_events(ecs_client):
    setup_web(ecs_client)
    created = fargate_service(ecs_client, desired=1)
    deployment_id = created["deployments"][0]["id"]
    first = events(describe(ecs_client))

    ecs_client.update_service(cluster="c", service="web", desiredCount=3)
    scaled_up = describe(ecs_client)
    assert (scaled_up["desiredCount"], scaled_up["runningCount"], scaled_up["pendingCount"]) == (3, 3, 0)
    added = events(scaled_up)[len(first):]
    assert added == [started("web", tasks_named(added[0])), steady("web")] and len(tasks_named(added[0])) == 2
    assert [d["id"] for d in scaled_up["deployments"]] == [deployment_id]

    ecs_client.update_service(cluster="c", service="web", desiredCount=1)
    scaled_down = describe(ecs_client)
    assert (scaled_down["desiredCount"], scaled_down["runningCount"]) == (1, 1)
    removed = events(scaled_down)[len(first) + 2:]
    assert removed == [stopped_running("web", tasks_named(removed[0])), steady("web")]
    assert len(tasks_named(removed[0])) == 2
    stopped = service_tasks(ecs_client, desired="STOPPED")
    assert sorted(task_id(t["taskArn"]) for t in stopped) == sorted(tasks_named(removed[0]))
    assert {(t["stopCode"], t["stoppedReason"], t["lastStatus"]) for t in stopped} == {
        ("ServiceSchedulerInitiated", f"Scaling activity initiated by (deployment {deployment_id})", "STOPPED")}
    assert deployment_counts(scaled_down) == [("PRIMARY", 1, 1, 1, 0)]


def test_scaling_to_zero_is_stable_once_the_tasks_are_gone(ecs_client):
    setup_web(ecs_client)
    fargate_service(ecs_client, desired=2)
    ecs_client.update_service(cluster="c", service="web", desiredCount=0)
    ecs_client.get_waiter("services_stable").wait(cluster="c", services=["web"], WaiterConfig={"Delay": 0,
                                                                                               "MaxAttempts": 2})
    assert service_tasks(ecs_client) == []


def test_scale_in_stops_pending_tasks_before_running_ones(ecs_eks_mock, ecs_client):
    setup_web(ecs_client)
    fargate_service(ecs_client, desired=1)
    running, = service_tasks(ecs_client)
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing("realistic")
    ecs_client.update_service(cluster="c", service="web", desiredCount=2)
    describe(ecs_client)
    ecs_client.update_service(cluster="c", service="web", desiredCount=1)
    service = describe(ecs_client)
    assert [t["taskArn"] for t in service_tasks(ecs_client)] == [running["taskArn"]]
    assert events(service)[-1].startswith("(service web) has stopped 1 pending tasks: ")


# -- replacing tasks -------------------------------------------------------------------------------

def test_a_task_stopped_by_the_user_is_replaced(ecs_client):
    setup_web(ecs_client)
    fargate_service(ecs_client, desired=2)
    victim = service_tasks(ecs_client)[0]
    before = events(describe(ecs_client))
    ecs_client.stop_task(cluster="c", task=victim["taskArn"], reason="testing")
    service = describe(ecs_client)
    replacement = [t for t in service_tasks(ecs_client) if t["taskArn"] != victim["taskArn"]
                   and task_id(t["taskArn"]) not in " ".join(before)]
    assert len(replacement) == 1
    assert events(service)[len(before):] == [started("web", [task_id(replacement[0]["taskArn"])]), steady("web")]
    assert service["runningCount"] == 2


def test_a_task_whose_essential_container_exits_is_replaced(ecs_eks_mock, ecs_client):
    setup_web(ecs_client)
    ecs_eks_mock.clock.freeze()
    fargate_service(ecs_client, desired=1)
    first, = service_tasks(ecs_client)
    fail_tasks(ecs_eks_mock, image="nginx:1", exit_code=1, after=60, count=1)
    ecs_client.update_service(cluster="c", service="web", forceNewDeployment=True)
    new, = [t for t in service_tasks(ecs_client) if t["taskArn"] != first["taskArn"]]
    ecs_eks_mock.clock.advance(60)
    service = describe(ecs_client)
    crashed = ecs_client.describe_tasks(cluster="c", tasks=[new["taskArn"]])["tasks"][0]
    assert (crashed["stopCode"], crashed["stoppedReason"], crashed["containers"][0]["exitCode"]) == (
        "EssentialContainerExited", "Essential container in task exited", 1)
    replacement, = service_tasks(ecs_client)
    assert events(service)[-2:] == [started("web", [task_id(replacement["taskArn"])]), steady("web")]


# -- container instances ---------------------------------------------------------------------------

def test_tasks_on_a_draining_instance_are_moved_to_active_ones(ecs_client):
    first, second = ec2_cluster(ecs_client)
    ecs_client.update_container_instances_state(cluster="c", containerInstances=[second["containerInstanceArn"]],
                                                status="DRAINING")
    ecs_client.create_service(cluster="c", serviceName="batch", taskDefinition="batch", desiredCount=2)
    assert {t["containerInstanceArn"] for t in service_tasks(ecs_client, "batch")} == {first["containerInstanceArn"]}
    ecs_client.update_container_instances_state(cluster="c", containerInstances=[second["containerInstanceArn"]],
                                                status="ACTIVE")
    ecs_client.update_container_instances_state(cluster="c", containerInstances=[first["containerInstanceArn"]],
                                                status="DRAINING")
    service = describe(ecs_client, "batch")
    assert service["runningCount"] == 2
    assert {t["containerInstanceArn"] for t in service_tasks(ecs_client, "batch")} == {
        second["containerInstanceArn"]}
    moved = events(service)[-3:]
    assert moved[0] == started("batch", tasks_named(moved[0]))
    assert moved[1:] == [stopped_running("batch", tasks_named(moved[1])), steady("batch")]
    instance = ecs_client.describe_container_instances(
        cluster="c", containerInstances=[first["containerInstanceArn"]])["containerInstances"][0]
    assert instance["runningTasksCount"] == 0


def test_a_task_that_fits_no_instance_is_reported(ecs_client):
    ec2_cluster(ecs_client, instances=1, cpu=100)
    ecs_client.create_service(cluster="c", serviceName="batch", taskDefinition="batch", desiredCount=1)
    service = describe(ecs_client, "batch")
    instance_id = ecs_client.list_container_instances(cluster="c")["containerInstanceArns"][0].rsplit("/", 1)[1]
    assert events(service) == [
        f"(service batch) was unable to place a task because no container instance met all of its requirements. "
        f"The closest matching (container-instance {instance_id}) has insufficient CPU units available. For more "
        f"information, see the Troubleshooting section of the Amazon ECS Developer Guide."]


def test_a_task_that_fit_nowhere_is_placed_on_an_instance_that_registers(ecs_client):
    """The scheduler hears of the new instance: the task runs without the service being read in between."""
    ec2_cluster(ecs_client, instances=1, cpu=100)
    ecs_client.create_service(cluster="c", serviceName="batch", taskDefinition="batch", desiredCount=1)
    assert describe(ecs_client, "batch")["runningCount"] == 0
    added = register_instance(ecs_client)
    [task] = ecs_client.describe_tasks(cluster="c", tasks=ecs_client.list_tasks(cluster="c")["taskArns"])["tasks"]
    assert (task["containerInstanceArn"], task["lastStatus"], task["group"]) == (
        added["containerInstanceArn"], "RUNNING", "service:batch")


# -- DAEMON --------------------------------------------------------------------------------------------

def test_a_daemon_service_runs_one_task_per_active_instance(ecs_client):
    first, second = ec2_cluster(ecs_client)
    service = ecs_client.create_service(cluster="c", serviceName="agent", taskDefinition="batch",
                                        schedulingStrategy="DAEMON", launchType="EC2")["service"]
    assert service["deploymentConfiguration"]["maximumPercent"] == 100
    assert service["deploymentConfiguration"]["minimumHealthyPercent"] == 0
    described = describe(ecs_client, "agent")
    assert (described["desiredCount"], described["runningCount"]) == (2, 2)
    assert events(described)[0] == "(daemon service agent) updated desired count to 2."
    tasks = service_tasks(ecs_client, "agent")
    assert sorted(t["containerInstanceArn"] for t in tasks) == sorted(
        [first["containerInstanceArn"], second["containerInstanceArn"]])

    ecs_client.update_container_instances_state(cluster="c", containerInstances=[second["containerInstanceArn"]],
                                                status="DRAINING")
    drained = describe(ecs_client, "agent")
    assert (drained["desiredCount"], drained["runningCount"]) == (1, 1)
    assert [t["containerInstanceArn"] for t in service_tasks(ecs_client, "agent")] == [first["containerInstanceArn"]]
    third = register_instance(ecs_client)
    grown = describe(ecs_client, "agent")
    assert (grown["desiredCount"], grown["runningCount"]) == (2, 2)
    assert third["containerInstanceArn"] in {t["containerInstanceArn"] for t in service_tasks(ecs_client, "agent")}


def test_a_daemon_service_places_its_task_on_an_instance_as_it_registers(ecs_client):
    ec2_cluster(ecs_client)
    ecs_client.create_service(cluster="c", serviceName="agent", taskDefinition="batch", schedulingStrategy="DAEMON",
                              launchType="EC2")
    assert describe(ecs_client, "agent")["runningCount"] == 2
    third = register_instance(ecs_client)
    service = describe(ecs_client, "agent")
    assert (service["desiredCount"], service["runningCount"]) == (3, 3)
    added = events(service)[-3:]
    assert added == ["(daemon service agent) updated desired count to 3.", started("agent", tasks_named(added[1])),
                     steady("agent")]
    assert third["containerInstanceArn"] in {t["containerInstanceArn"] for t in service_tasks(ecs_client, "agent")}


def test_a_daemon_service_leaves_managed_instances_alone(ecs_client):
    """Instances ECS Managed Instances launches belong to their capacity provider; an EC2 DAEMON service does not
    place tasks on them."""
    ec2_cluster(ecs_client, instances=1)
    ecs_client.create_service(cluster="c", serviceName="agent", taskDefinition="batch", schedulingStrategy="DAEMON",
                              launchType="EC2")
    ecs_client.create_capacity_provider(name="mi", cluster="c", managedInstancesProvider=MANAGED_INSTANCES_PROVIDER)
    ecs_client.put_cluster_capacity_providers(cluster="c", capacityProviders=["mi"], defaultCapacityProviderStrategy=[])
    task = ecs_client.run_task(cluster="c", taskDefinition="batch", capacityProviderStrategy=[
        {"capacityProvider": "mi", "weight": 1}])["tasks"][0]
    service = describe(ecs_client, "agent")
    assert (service["desiredCount"], service["runningCount"]) == (1, 1)
    hosts = {t["containerInstanceArn"] for t in service_tasks(ecs_client, "agent")}
    assert task["containerInstanceArn"] not in hosts


def test_a_daemon_deployment_replaces_each_instance_task(ecs_client):
    ec2_cluster(ecs_client)
    ecs_client.create_service(cluster="c", serviceName="agent", taskDefinition="batch", schedulingStrategy="DAEMON",
                              launchType="EC2")
    ec2_task_definition(ecs_client)
    ecs_client.update_service(cluster="c", service="agent", taskDefinition="batch:2")
    ecs_client.get_waiter("services_stable").wait(cluster="c", services=["agent"], WaiterConfig={"Delay": 0,
                                                                                                 "MaxAttempts": 3})
    tasks = service_tasks(ecs_client, "agent")
    assert len(tasks) == 2 and {t["taskDefinitionArn"][-7:] for t in tasks} == {"batch:2"}


def test_the_daemon_strategy_is_refused_on_update_with_a_capacity_provider_strategy(ecs_client):
    ec2_cluster(ecs_client)
    ecs_client.create_service(cluster="c", serviceName="agent", taskDefinition="batch", schedulingStrategy="DAEMON",
                              launchType="EC2")
    with pytest.raises(ClientError) as info:
        ecs_client.update_service(cluster="c", service="agent",
                                  capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}])
    assert code_and_message(info)[0] == "InvalidParameterException"


def test_a_service_keeps_its_hundred_newest_events(ecs_client):
    setup_web(ecs_client)
    fargate_service(ecs_client, desired=0)
    for count in [1, 0] * 30:
        ecs_client.update_service(cluster="c", service="web", desiredCount=count)
        describe(ecs_client)
    service = describe(ecs_client)
    assert len(service["events"]) == 100
    times = [event["createdAt"] for event in service["events"]]
    assert times == sorted(times, reverse=True)
    assert service["events"][0]["message"] == steady("web")
