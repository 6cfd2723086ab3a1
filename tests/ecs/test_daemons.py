"""ECS Managed Daemons through boto3 in mock_aws: one daemon task per Managed Instances container instance,
deployments on the clock (batches, bake time, circuit breaker, supersession), revisions, deletion, listings,
tags and the daemon waiters.

``launch_instance`` stands for ECS Managed Instances launching an instance of a provider (which RunTask and
services on the provider do; see test_managed_instances.py) with control over its id and size: it registers one
through RegisterContainerInstance, marks it as its capacity provider's and lets the daemons know
(``daemons.instance_joined``).
"""
import json
import re
import secrets

import pytest
from botocore.exceptions import WaiterError

from emulator.ecs import daemons
from emulator.ecs.task_engine import LifecycleContext
from tests.ecs.lifecycle_support import TASK_STEPS, error_of
from tests.ecs.task_support import MANAGED_INSTANCES_PROVIDER

ACCOUNT = "123456789012"
ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}"
NO_WAIT = {"Delay": 0, "MaxAttempts": 2}
AGENT = {"name": "agent", "image": "public.ecr.aws/cloudwatch-agent/cloudwatch-agent:latest", "memory": 128}
# every task step takes 1 s, a deployment waits 15 s in PENDING, a bake-time minute lasts 60 s
REALISTIC = {**TASK_STEPS, "ecs.daemon.deployment.pending": 15, "ecs.daemon.deployment.bake_minute": 60}


def launch_instance(mock, client, provider="mi", cluster="c", cpu=None):
    document = json.dumps({"instanceId": "i-" + secrets.token_hex(9)[:17], "instanceType": "m5.large",
                           "availabilityZone": "us-east-1a", "region": "us-east-1"})
    extra = {"totalResources": [{"name": "CPU", "type": "INTEGER", "integerValue": cpu}]} if cpu else {}
    arn = client.register_container_instance(cluster=cluster, instanceIdentityDocument=document,
                                             **extra)["containerInstance"]["containerInstanceArn"]
    store = mock.engine.store("ecs")
    with store.lock:
        instance = store.container_instances[arn.rsplit("/", 1)[1]]
        instance.capacity_provider_name = provider
        daemons.instance_joined(LifecycleContext(store, mock.engine.config, mock.clock.now()), instance)
    return arn


def managed_provider(client, name="mi", cluster="c"):
    client.create_capacity_provider(name=name, cluster=cluster, managedInstancesProvider=MANAGED_INSTANCES_PROVIDER)
    return f"{ARN}:capacity-provider/{name}"


def definition(client, family="agent", image=AGENT["image"], **params):
    return client.register_daemon_task_definition(family=family, containerDefinitions=[{**AGENT, "image": image}],
                                                   **params)["daemonTaskDefinitionArn"]


@pytest.fixture
def setup(ecs_client):
    """Cluster c with the Managed Instances provider mi and the daemon task definition agent:1."""
    ecs_client.create_cluster(clusterName="c")
    managed_provider(ecs_client)
    definition(ecs_client)
    return ecs_client


def create(client, name="monitor", definition_arn=f"{ARN}:daemon-task-definition/agent:1", providers=("mi",),
           **params):
    params.setdefault("clusterArn", "c")
    return client.create_daemon(daemonName=name, daemonTaskDefinitionArn=definition_arn,
                                capacityProviderArns=list(providers), **params)


def describe(client, arn=f"{ARN}:daemon/c/monitor"):
    return client.describe_daemon(daemonArn=arn)["daemon"]


def deployment(client, arn):
    return client.describe_daemon_deployments(daemonDeploymentArns=[arn])["daemonDeployments"][0]


def daemon_tasks(client, cluster="c", desired="RUNNING"):
    arns = client.list_tasks(cluster=cluster, desiredStatus=desired)["taskArns"]
    tasks = client.describe_tasks(cluster=cluster, tasks=arns, include=["TAGS"])["tasks"] if arns else []
    return [t for t in tasks if t["group"].startswith("daemon:")]


def instance_status(client, arn, cluster="c"):
    return client.describe_container_instances(cluster=cluster, containerInstances=[arn])[
        "containerInstances"][0]["status"]


# -- CreateDaemon ---------------------------------------------------------------------------------------------

def test_create_answers_with_the_daemon_and_its_first_deployment(ecs_eks_mock, setup):
    now = ecs_eks_mock.clock.freeze()
    response = create(setup)
    assert response["daemonArn"] == f"{ARN}:daemon/c/monitor"
    assert response["status"] == "ACTIVE"
    assert response["createdAt"].timestamp() == now
    assert re.fullmatch(rf"{ARN}:daemon-deployment/c/monitor/[A-Za-z0-9]{{21}}", response["deploymentArn"])
    assert "updatedAt" not in response


def test_create_places_one_daemon_task_per_instance_of_the_providers(ecs_eks_mock, setup):
    instances = {launch_instance(ecs_eks_mock, setup) for _ in range(3)}
    other = launch_instance(ecs_eks_mock, setup, provider=None)
    create(setup)
    tasks = daemon_tasks(setup)
    assert {t["containerInstanceArn"] for t in tasks} == instances
    assert other not in {t["containerInstanceArn"] for t in tasks}
    task = tasks[0]
    assert (task["lastStatus"], task["group"], task["launchType"], task["capacityProviderName"]) == (
        "RUNNING", "daemon:monitor", "MANAGED_INSTANCES", "mi")
    assert task["taskDefinitionArn"] == f"{ARN}:daemon-task-definition/agent:1"
    assert task["tags"] == []


def test_a_daemon_of_an_empty_provider_deploys_at_once(setup):
    response = create(setup)
    assert deployment(setup, response["deploymentArn"])["status"] == "SUCCESSFUL"
    assert describe(setup)["currentRevisions"][0]["totalRunningCount"] == 0


def test_an_instance_that_joins_later_gets_the_daemon_task(ecs_eks_mock, setup):
    create(setup)
    instance = launch_instance(ecs_eks_mock, setup)
    assert [t["containerInstanceArn"] for t in daemon_tasks(setup)] == [instance]


def test_describe_reports_the_running_count_per_provider(ecs_eks_mock, setup):
    second = managed_provider(setup, "mi-2")
    launch_instance(ecs_eks_mock, setup)
    launch_instance(ecs_eks_mock, setup, provider="mi-2")
    launch_instance(ecs_eks_mock, setup, provider="mi-2")
    response = create(setup, providers=("mi", second))
    daemon = describe(setup)
    assert daemon["status"] == "ACTIVE"
    assert daemon["deploymentArn"] == response["deploymentArn"]
    assert daemon["clusterArn"] == f"{ARN}:cluster/c"
    [revision] = daemon["currentRevisions"]
    assert re.fullmatch(rf"{ARN}:daemon-revision/c/monitor/\d{{19}}", revision["arn"])
    assert revision["capacityProviders"] == [{"arn": f"{ARN}:capacity-provider/mi", "runningCount": 1},
                                             {"arn": second, "runningCount": 2}]
    assert revision["totalRunningCount"] == 3


def test_propagated_and_managed_tags_reach_the_tasks(ecs_eks_mock, setup):
    launch_instance(ecs_eks_mock, setup)
    create(setup, tags=[{"key": "team", "value": "obs"}], propagateTags="DAEMON", enableECSManagedTags=True)
    tags = {t["key"]: t["value"] for t in daemon_tasks(setup)[0]["tags"]}
    assert tags == {"team": "obs", "aws:ecs:clusterName": "c", "aws:ecs:daemonName": "monitor"}


def test_execute_command_is_enabled_on_the_tasks(ecs_eks_mock, setup):
    launch_instance(ecs_eks_mock, setup)
    create(setup, enableExecuteCommand=True)
    assert daemon_tasks(setup)[0]["enableExecuteCommand"] is True


@pytest.mark.parametrize("name", ["bad name", "a" * 256, "dots.no"])
def test_daemon_name_characters(setup, name):
    assert error_of(create, client=setup, name=name) == (
        "InvalidParameterException",
        "Daemon names can contain up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens.")


def test_create_in_a_missing_cluster(setup):
    assert error_of(create, client=setup, clusterArn="nope") == ("ClusterNotFoundException", "Cluster not found.")


def test_create_without_a_cluster_uses_default(setup):
    assert error_of(setup.create_daemon, daemonName="d", daemonTaskDefinitionArn="agent:1",
                    capacityProviderArns=["mi"]) == ("ClusterNotFoundException", "Cluster not found.")


def test_a_daemon_name_is_unique_in_its_cluster(setup):
    """A second CreateDaemon with the name of a daemon still there is refused (as services answer)."""
    create(setup)
    assert error_of(create, client=setup) == ("InvalidParameterException", "Creation of daemon was not idempotent.")


def test_the_same_client_token_returns_the_same_daemon(setup):
    first = create(setup, clientToken="token-1")
    again = create(setup, clientToken="token-1")
    assert (again["daemonArn"], again["deploymentArn"], again["createdAt"]) == (
        first["daemonArn"], first["deploymentArn"], first["createdAt"])


def test_a_client_token_reused_for_another_request(setup):
    create(setup, clientToken="token-1")
    assert error_of(create, client=setup, name="other", clientToken="token-1") == (
        "InvalidParameterException", "The clientToken is already in use with a different CreateDaemon request.")


def test_client_token_length(setup):
    assert error_of(create, client=setup, clientToken="x" * 37) == (
        "InvalidParameterException", "clientToken can have at most 36 characters.")


@pytest.mark.parametrize("identifier", ["agent:9", f"{ARN}:daemon-task-definition/nope:1", "nope"])
def test_create_with_an_unknown_definition(setup, identifier):
    assert error_of(create, client=setup, definition_arn=identifier) == (
        "InvalidParameterException",
        "The specified daemon task definition does not exist. Specify a valid ARN and try again.")


def test_create_with_a_definition_being_deleted(ecs_eks_mock, setup):
    ecs_eks_mock.config.set_timing(**{"ecs.daemon_task_definition.delete": 60})
    setup.delete_daemon_task_definition(daemonTaskDefinition="agent:1")
    assert error_of(create, client=setup) == (
        "InvalidParameterException", "The specified daemon task definition is not in an ACTIVE state.")


def test_create_needs_capacity_providers(setup):
    assert error_of(create, client=setup, providers=()) == (
        "InvalidParameterException", "capacityProviderArns can not be empty.")


def test_create_with_an_unknown_capacity_provider(setup):
    assert error_of(create, client=setup, providers=("ghost",)) == (
        "InvalidParameterException",
        "The specified capacity provider does not exist. Specify a valid name or ARN and try again.")


@pytest.mark.parametrize("provider", ["FARGATE", "asg-cp"])
def test_only_managed_instances_providers(setup, provider):
    setup.create_capacity_provider(name="asg-cp", autoScalingGroupProvider={"autoScalingGroupArn": "asg-1"})
    assert error_of(create, client=setup, providers=(provider,)) == (
        "InvalidParameterException",
        "ECS Managed Daemons is only supported for Amazon ECS Managed Instances capacity providers. "
        "Specify a Managed Instances capacity provider and try again.")


def test_a_provider_of_another_cluster(setup):
    setup.create_cluster(clusterName="other")
    managed_provider(setup, "mi-other", cluster="other")
    assert error_of(create, client=setup, providers=("mi-other",)) == (
        "InvalidParameterException",
        "The specified capacity provider strategy cannot contain a capacity provider that is not associated with "
        "the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and "
        "try again.")


@pytest.mark.parametrize("bake", [-1, 1441])
def test_bake_time_range(setup, bake):
    assert error_of(create, client=setup, deploymentConfiguration={"bakeTimeInMinutes": bake}) == (
        "InvalidParameterException", "bakeTimeInMinutes must be between 0 and 1440.")


def test_deployment_configuration_defaults(setup):
    response = create(setup)
    assert deployment(setup, response["deploymentArn"])["deploymentConfiguration"] == {
        "drainPercent": 25.0, "alarms": {"alarmNames": [], "enable": False}, "bakeTimeInMinutes": 0}


# -- deployments on the clock ------------------------------------------------------------------------------------

def test_deployment_goes_pending_in_progress_successful(ecs_eks_mock, setup):
    ecs_eks_mock.config.set_timing(**REALISTIC)
    launch_instance(ecs_eks_mock, setup)
    start = ecs_eks_mock.clock.freeze()
    arn = create(setup)["deploymentArn"]
    current = deployment(setup, arn)
    assert (current["status"], current["circuitBreaker"]) == (
        "PENDING", {"failureCount": 0, "status": "MONITORING", "threshold": 10})
    assert "startedAt" not in current and "statusReason" not in current
    ecs_eks_mock.clock.advance(15)
    current = deployment(setup, arn)
    assert (current["status"], current["startedAt"].timestamp()) == ("IN_PROGRESS", start + 15)
    assert current["targetDaemonRevision"]["totalRunningInstanceCount"] == 0
    assert daemon_tasks(setup)[0]["lastStatus"] == "PROVISIONING"
    ecs_eks_mock.clock.advance(3)                     # the task runs
    current = deployment(setup, arn)
    assert (current["status"], current["finishedAt"].timestamp()) == ("SUCCESSFUL", start + 18)
    assert current["statusReason"] == "Deployment completed successfully."
    assert current["circuitBreaker"]["status"] == "MONITORING_COMPLETE"
    assert current["targetDaemonRevision"]["totalRunningInstanceCount"] == 1


def test_drain_percent_sets_the_batch(ecs_eks_mock, setup):
    ecs_eks_mock.config.set_timing(**REALISTIC)
    for _ in range(4):
        launch_instance(ecs_eks_mock, setup)
    ecs_eks_mock.clock.freeze()
    arn = create(setup, deploymentConfiguration={"drainPercent": 50.0})["deploymentArn"]
    ecs_eks_mock.clock.advance(15)
    assert len(daemon_tasks(setup)) == 2              # half the instances at a time
    ecs_eks_mock.clock.advance(3)
    assert len(daemon_tasks(setup)) == 4
    assert deployment(setup, arn)["targetDaemonRevision"]["totalRunningInstanceCount"] == 2
    ecs_eks_mock.clock.advance(3)
    assert deployment(setup, arn)["status"] == "SUCCESSFUL"


def test_bake_time_delays_success(ecs_eks_mock, setup):
    ecs_eks_mock.config.set_timing(**REALISTIC)
    launch_instance(ecs_eks_mock, setup)
    ecs_eks_mock.clock.freeze()
    arn = create(setup, deploymentConfiguration={"bakeTimeInMinutes": 2})["deploymentArn"]
    ecs_eks_mock.clock.advance(18)
    assert deployment(setup, arn)["status"] == "IN_PROGRESS"
    ecs_eks_mock.clock.advance(119)
    assert deployment(setup, arn)["status"] == "IN_PROGRESS"
    ecs_eks_mock.clock.advance(1)
    assert deployment(setup, arn)["status"] == "SUCCESSFUL"


def test_alarm_monitoring_is_reported(setup):
    arn = create(setup, deploymentConfiguration={"alarms": {"alarmNames": ["cpu-high"], "enable": True}})[
        "deploymentArn"]
    assert deployment(setup, arn)["alarms"] == {"status": "MONITORING_COMPLETE", "alarmNames": ["cpu-high"],
                                                "triggeredAlarmNames": []}


def test_update_rolls_the_new_revision_over_the_instances(ecs_eks_mock, setup):
    for _ in range(2):
        launch_instance(ecs_eks_mock, setup)
    first = create(setup)
    old_tasks = {t["taskArn"] for t in daemon_tasks(setup)}
    new_definition = definition(setup, image="public.ecr.aws/cloudwatch-agent/cloudwatch-agent:2")
    ecs_eks_mock.config.set_timing(**REALISTIC)
    now = ecs_eks_mock.clock.freeze()
    response = setup.update_daemon(daemonArn=first["daemonArn"], daemonTaskDefinitionArn=new_definition,
                                   capacityProviderArns=["mi"], deploymentConfiguration={"drainPercent": 50.0})
    assert response["updatedAt"].timestamp() == now
    assert response["deploymentArn"] != first["deploymentArn"]
    ecs_eks_mock.clock.advance(15)
    current = deployment(setup, response["deploymentArn"])
    assert current["sourceDaemonRevisions"][0]["totalDrainingInstanceCount"] == 1
    ecs_eks_mock.clock.advance(60)
    current = deployment(setup, response["deploymentArn"])
    assert current["status"] == "SUCCESSFUL"
    assert current["targetDaemonRevision"]["totalRunningInstanceCount"] == 2
    tasks = daemon_tasks(setup)
    assert {t["taskDefinitionArn"] for t in tasks} == {new_definition}
    assert not old_tasks & {t["taskArn"] for t in tasks}
    stopped = [t for t in daemon_tasks(setup, desired="STOPPED") if t["taskArn"] in old_tasks]
    assert {(t["stopCode"], t["stoppedReason"]) for t in stopped} == {
        ("ServiceSchedulerInitiated",
         f"Scaling activity initiated by (daemon deployment {response['deploymentArn'].rsplit('/', 1)[1]})")}
    revisions = describe(setup)["currentRevisions"]
    assert [r["totalRunningCount"] for r in revisions] == [2]


def test_update_keeps_a_revision_per_deployment(ecs_eks_mock, setup):
    first = create(setup, propagateTags="DAEMON", enableExecuteCommand=True)
    setup.update_daemon(daemonArn=first["daemonArn"], daemonTaskDefinitionArn="agent:1", capacityProviderArns=["mi"])
    history = setup.list_daemon_deployments(daemonArn=first["daemonArn"])["daemonDeployments"]
    arns = [d["targetDaemonRevisionArn"] for d in reversed(history)]
    revisions = setup.describe_daemon_revisions(daemonRevisionArns=arns)["daemonRevisions"]
    assert [(r["propagateTags"], r["enableExecuteCommand"], r["enableECSManagedTags"]) for r in revisions] == [
        ("DAEMON", True, False), ("NONE", False, False)]      # UpdateDaemon settings are not carried over
    revision = revisions[0]
    assert revision["daemonArn"] == first["daemonArn"]
    assert revision["clusterArn"] == f"{ARN}:cluster/c"
    assert revision["daemonTaskDefinitionArn"] == f"{ARN}:daemon-task-definition/agent:1"
    assert revision["containerImages"] == [{"containerName": "agent", "image": AGENT["image"],
                                            "imageDigest": revision["containerImages"][0]["imageDigest"]}]
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", revision["containerImages"][0]["imageDigest"])


def test_a_newer_deployment_stops_the_one_under_way(ecs_eks_mock, setup):
    ecs_eks_mock.config.set_timing(**REALISTIC)
    now = ecs_eks_mock.clock.freeze()
    first = create(setup)
    second = setup.update_daemon(daemonArn=first["daemonArn"], daemonTaskDefinitionArn="agent:1",
                                 capacityProviderArns=["mi"])
    stopped = deployment(setup, first["deploymentArn"])
    assert (stopped["status"], stopped["stoppedAt"].timestamp()) == ("STOPPED", now)
    assert stopped["statusReason"] == "Deployment stopped because a newer deployment of the daemon started."
    assert deployment(setup, second["deploymentArn"])["status"] == "PENDING"
    setup.get_waiter("daemon_deployment_stopped").wait(daemonDeploymentArns=[first["deploymentArn"]],
                                                       WaiterConfig=NO_WAIT)


def test_removing_a_provider_stops_its_daemon_tasks(ecs_eks_mock, setup):
    managed_provider(setup, "mi-2")
    kept = launch_instance(ecs_eks_mock, setup)
    launch_instance(ecs_eks_mock, setup, provider="mi-2")
    first = create(setup, providers=("mi", "mi-2"))
    setup.update_daemon(daemonArn=first["daemonArn"], daemonTaskDefinitionArn="agent:1", capacityProviderArns=["mi"])
    assert [t["containerInstanceArn"] for t in daemon_tasks(setup)] == [kept]


def test_circuit_breaker_stops_a_first_deployment_whose_tasks_cannot_start(ecs_eks_mock, setup):
    """Each instance too small for the daemon task is drained (as for a critical daemon) and counts as a failed
    launch; ten of them trip the breaker."""
    big = definition(setup, family="big", cpu="4096")
    instances = [launch_instance(ecs_eks_mock, setup, cpu=1024) for _ in range(10)]
    arn = create(setup, definition_arn=big, deploymentConfiguration={"drainPercent": 100.0})["deploymentArn"]
    current = deployment(setup, arn)
    assert current["status"] == "STOPPED"
    assert current["statusReason"] == "Deployment circuit breaker: daemon tasks failed to start."
    assert current["circuitBreaker"] == {"failureCount": 10, "status": "TRIGGERED", "threshold": 10}
    assert {instance_status(setup, i) for i in instances} == {"DRAINING"}
    with pytest.raises(WaiterError):
        setup.get_waiter("daemon_deployment_successful").wait(daemonDeploymentArns=[arn], WaiterConfig=NO_WAIT)


def test_circuit_breaker_rolls_an_update_back(ecs_eks_mock, setup):
    for _ in range(10):
        launch_instance(ecs_eks_mock, setup, cpu=1024)
    first = create(setup)
    big = definition(setup, family="big", cpu="4096")
    update = setup.update_daemon(daemonArn=first["daemonArn"], daemonTaskDefinitionArn=big,
                                 capacityProviderArns=["mi"], deploymentConfiguration={"drainPercent": 100.0})
    current = deployment(setup, update["deploymentArn"])
    assert current["status"] == "ROLLBACK_SUCCESSFUL"
    previous = setup.list_daemon_deployments(daemonArn=first["daemonArn"])["daemonDeployments"][1]
    rollback = current["rollback"]
    assert rollback["rollbackTargetDaemonRevisionArn"] == previous["targetDaemonRevisionArn"]
    assert rollback["rollbackCapacityProviders"] == [f"{ARN}:capacity-provider/mi"]
    assert rollback["reason"] == "Deployment circuit breaker: daemon tasks failed to start."
    assert describe(setup)["currentRevisions"][0]["arn"] == previous["targetDaemonRevisionArn"]


# -- daemon tasks and their instances -------------------------------------------------------------------------

def test_a_stopped_daemon_task_drains_its_instance(ecs_eks_mock, setup):
    instance = launch_instance(ecs_eks_mock, setup)
    create(setup)
    task = daemon_tasks(setup)[0]
    setup.stop_task(cluster="c", task=task["taskArn"])
    assert instance_status(setup, instance) == "DRAINING"
    assert daemon_tasks(setup) == []


def test_an_instance_too_small_for_the_daemon_task_is_drained(ecs_eks_mock, setup):
    create(setup, definition_arn=definition(setup, family="big", cpu="4096"))
    instance = launch_instance(ecs_eks_mock, setup, cpu=1024)
    assert instance_status(setup, instance) == "DRAINING"


def test_a_draining_instance_keeps_its_daemon_task(ecs_eks_mock, setup):
    instance = launch_instance(ecs_eks_mock, setup)
    create(setup)
    setup.update_container_instances_state(cluster="c", containerInstances=[instance], status="DRAINING")
    assert [t["containerInstanceArn"] for t in daemon_tasks(setup)] == [instance]


def test_a_deregistered_instance_loses_its_daemon_task(ecs_eks_mock, setup):
    instance = launch_instance(ecs_eks_mock, setup)
    create(setup)
    setup.deregister_container_instance(cluster="c", containerInstance=instance, force=True)
    assert daemon_tasks(setup) == []
    [stopped] = daemon_tasks(setup, desired="STOPPED")
    assert stopped["stoppedReason"] == "Container instance deregistered from the cluster"


# -- DeleteDaemon ------------------------------------------------------------------------------------------------

def test_delete_stops_the_daemon_tasks_then_forgets_the_daemon(ecs_eks_mock, setup):
    launch_instance(ecs_eks_mock, setup)
    created = create(setup)
    ecs_eks_mock.config.set_timing(**REALISTIC)
    now = ecs_eks_mock.clock.freeze()
    response = setup.delete_daemon(daemonArn=created["daemonArn"])
    assert (response["status"], response["updatedAt"].timestamp()) == ("DELETE_IN_PROGRESS", now)
    assert describe(setup)["status"] == "DELETE_IN_PROGRESS"
    ecs_eks_mock.clock.advance(15)
    assert daemon_tasks(setup) == []
    assert daemon_tasks(setup, desired="STOPPED")[0]["lastStatus"] == "DEACTIVATING"
    ecs_eks_mock.clock.advance(3)
    assert error_of(setup.describe_daemon, daemonArn=created["daemonArn"]) == (
        "DaemonNotFoundException", "Daemon not found.")
    final = deployment(setup, response["deploymentArn"])
    assert final["status"] == "SUCCESSFUL"
    assert "targetDaemonRevision" not in final
    assert final["sourceDaemonRevisions"][0]["totalRunningInstanceCount"] == 0
    assert create(setup)["status"] == "ACTIVE"      # the name is free again


def test_only_an_active_daemon_can_be_updated_or_deleted(ecs_eks_mock, setup):
    ecs_eks_mock.config.set_timing(**REALISTIC)
    ecs_eks_mock.clock.freeze()
    arn = create(setup)["daemonArn"]
    setup.delete_daemon(daemonArn=arn)
    assert error_of(setup.delete_daemon, daemonArn=arn) == ("DaemonNotActiveException", "Daemon was not ACTIVE.")
    assert error_of(setup.update_daemon, daemonArn=arn, daemonTaskDefinitionArn="agent:1",
                    capacityProviderArns=["mi"]) == ("DaemonNotActiveException", "Daemon was not ACTIVE.")


@pytest.mark.parametrize("operation", ["describe_daemon", "delete_daemon"])
def test_unknown_daemon(setup, operation):
    assert error_of(getattr(setup, operation), daemonArn=f"{ARN}:daemon/c/ghost") == (
        "DaemonNotFoundException", "Daemon not found.")


def test_update_of_an_unknown_daemon(setup):
    assert error_of(setup.update_daemon, daemonArn=f"{ARN}:daemon/c/ghost", daemonTaskDefinitionArn="agent:1",
                    capacityProviderArns=["mi"]) == ("DaemonNotFoundException", "Daemon not found.")


def test_a_daemon_of_a_missing_cluster(setup):
    assert error_of(setup.describe_daemon, daemonArn=f"{ARN}:daemon/nope/monitor") == (
        "ClusterNotFoundException", "Cluster not found.")


@pytest.mark.parametrize("value", ["monitor", f"{ARN}:service/c/monitor", f"{ARN}:daemon/monitor"])
def test_a_daemon_is_named_by_its_arn(setup, value):
    assert error_of(setup.describe_daemon, daemonArn=value) == (
        "InvalidParameterException", "The specified daemon ARN is not valid. Specify a valid daemon ARN and try again.")


# -- listings and descriptions ----------------------------------------------------------------------------------

def test_list_daemons_filters_by_cluster_and_provider(ecs_eks_mock, setup):
    managed_provider(setup, "mi-2")
    setup.create_cluster(clusterName="d")
    managed_provider(setup, "mi-d", cluster="d")
    create(setup, name="b")
    create(setup, name="a", providers=("mi-2",))
    create(setup, name="x", clusterArn="d", providers=("mi-d",))
    every = setup.list_daemons()["daemonSummariesList"]
    assert [d["daemonArn"].split(":daemon/")[1] for d in every] == ["c/a", "c/b", "d/x"]
    assert set(every[0]) == {"daemonArn", "status", "createdAt", "updatedAt"}
    assert [d["daemonArn"] for d in setup.list_daemons(clusterArn=f"{ARN}:cluster/d")["daemonSummariesList"]] == [
        f"{ARN}:daemon/d/x"]
    assert [d["daemonArn"] for d in setup.list_daemons(capacityProviderArns=[f"{ARN}:capacity-provider/mi-2"])[
        "daemonSummariesList"]] == [f"{ARN}:daemon/c/a"]


def test_list_daemons_pages(setup):
    for name in ("a", "b", "c"):
        create(setup, name=name)
    first = setup.list_daemons(maxResults=2)
    rest = setup.list_daemons(maxResults=2, nextToken=first["nextToken"])
    assert [d["daemonArn"][-1] for d in first["daemonSummariesList"] + rest["daemonSummariesList"]] == ["a", "b", "c"]
    assert "nextToken" not in rest


def test_list_daemons_of_a_missing_cluster(setup):
    assert error_of(setup.list_daemons, clusterArn="nope") == ("ClusterNotFoundException", "Cluster not found.")


def test_list_deployments_newest_first_with_filters(ecs_eks_mock, setup):
    now = ecs_eks_mock.clock.freeze()
    arn = create(setup)["daemonArn"]
    ecs_eks_mock.clock.advance(10)
    setup.update_daemon(daemonArn=arn, daemonTaskDefinitionArn="agent:1", capacityProviderArns=["mi"])
    ecs_eks_mock.config.set_timing(**REALISTIC)
    ecs_eks_mock.clock.advance(10)
    latest = setup.update_daemon(daemonArn=arn, daemonTaskDefinitionArn="agent:1", capacityProviderArns=["mi"])
    listed = setup.list_daemon_deployments(daemonArn=arn)["daemonDeployments"]
    assert [d["status"] for d in listed] == ["PENDING", "SUCCESSFUL", "SUCCESSFUL"]
    assert listed[0]["daemonDeploymentArn"] == latest["deploymentArn"]
    assert set(listed[1]) == {"daemonDeploymentArn", "daemonArn", "clusterArn", "status", "statusReason",
                              "targetDaemonRevisionArn", "createdAt", "startedAt", "finishedAt"}
    assert len(setup.list_daemon_deployments(daemonArn=arn, status=["SUCCESSFUL"])["daemonDeployments"]) == 2
    window = setup.list_daemon_deployments(daemonArn=arn, createdAt={"after": now + 5, "before": now + 15})
    assert [d["createdAt"].timestamp() for d in window["daemonDeployments"]] == [now + 10]
    page = setup.list_daemon_deployments(daemonArn=arn, maxResults=2)
    rest = setup.list_daemon_deployments(daemonArn=arn, maxResults=2, nextToken=page["nextToken"])
    assert [d["daemonDeploymentArn"] for d in page["daemonDeployments"] + rest["daemonDeployments"]] == [
        d["daemonDeploymentArn"] for d in listed]


def test_list_deployments_of_a_daemon_that_never_existed_is_empty(setup):
    """ListDaemonDeployments models no DaemonNotFoundException: an unknown daemon simply has no deployments."""
    assert setup.list_daemon_deployments(daemonArn=f"{ARN}:daemon/c/ghost")["daemonDeployments"] == []


def test_list_deployments_of_a_missing_cluster(setup):
    assert error_of(setup.list_daemon_deployments, daemonArn=f"{ARN}:daemon/nope/x") == (
        "ClusterNotFoundException", "Cluster not found.")


def test_describe_deployments_reports_missing_ones(setup):
    arn = create(setup)["deploymentArn"]
    ghost = f"{ARN}:daemon-deployment/c/monitor/ghost"
    response = setup.describe_daemon_deployments(daemonDeploymentArns=[arn, ghost])
    assert [d["daemonDeploymentArn"] for d in response["daemonDeployments"]] == [arn]
    assert response["failures"] == [{"arn": ghost, "reason": "MISSING"}]


@pytest.mark.parametrize("operation, member, count, message", [
    ("describe_daemon_deployments", "daemonDeploymentArns", 0, "daemonDeploymentArns can not be empty."),
    ("describe_daemon_deployments", "daemonDeploymentArns", 21, "daemonDeploymentArns can have at most 20 items."),
    ("describe_daemon_revisions", "daemonRevisionArns", 0, "daemonRevisionArns can not be empty."),
    ("describe_daemon_revisions", "daemonRevisionArns", 21, "daemonRevisionArns can have at most 20 items."),
])
def test_describe_batch_sizes(setup, operation, member, count, message):
    values = [f"{ARN}:daemon-revision/c/monitor/{i}" for i in range(count)]
    assert error_of(getattr(setup, operation), **{member: values}) == ("InvalidParameterException", message)


def test_describe_revisions_reports_missing_ones(setup):
    ghost = f"{ARN}:daemon-revision/c/monitor/1"
    assert setup.describe_daemon_revisions(daemonRevisionArns=[ghost])["failures"] == [
        {"arn": ghost, "reason": "MISSING"}]


# -- tags, definitions, waiters ---------------------------------------------------------------------------------

def test_daemon_tags(setup):
    arn = create(setup, tags=[{"key": "team", "value": "obs"}])["daemonArn"]
    setup.tag_resource(resourceArn=arn, tags=[{"key": "tier", "value": "1"}])
    assert setup.list_tags_for_resource(resourceArn=arn)["tags"] == [
        {"key": "team", "value": "obs"}, {"key": "tier", "value": "1"}]
    assert error_of(setup.list_tags_for_resource, resourceArn=f"{ARN}:daemon/c/ghost") == (
        "ResourceNotFoundException", "The specified resource could not be found.")


def test_a_definition_in_use_stays_delete_in_progress_until_released(ecs_eks_mock, setup):
    launch_instance(ecs_eks_mock, setup)
    arn = create(setup)["daemonArn"]
    setup.delete_daemon_task_definition(daemonTaskDefinition="agent:1")
    assert daemon_tasks(setup)[0]["lastStatus"] == "RUNNING"         # a deleted definition keeps running
    assert setup.describe_daemon_task_definition(daemonTaskDefinition="agent:1")["daemonTaskDefinition"][
        "status"] == "DELETE_IN_PROGRESS"
    setup.update_daemon(daemonArn=arn, daemonTaskDefinitionArn=definition(setup), capacityProviderArns=["mi"])
    assert setup.describe_daemon_task_definition(daemonTaskDefinition="agent:1")["daemonTaskDefinition"][
        "status"] == "DELETED"


def test_waiter_daemon_active(setup):
    arn = create(setup)["daemonArn"]
    setup.get_waiter("daemon_active").wait(daemonArn=arn, WaiterConfig=NO_WAIT)


def test_waiter_daemon_active_fails_while_deleting(ecs_eks_mock, setup):
    ecs_eks_mock.config.set_timing(**REALISTIC)
    ecs_eks_mock.clock.freeze()
    arn = create(setup)["daemonArn"]
    setup.delete_daemon(daemonArn=arn)
    with pytest.raises(WaiterError) as info:
        setup.get_waiter("daemon_active").wait(daemonArn=arn, WaiterConfig=NO_WAIT)
    assert "terminal failure state" in str(info.value)


def test_waiter_deployment_successful(ecs_eks_mock, setup):
    launch_instance(ecs_eks_mock, setup)
    arn = create(setup)["deploymentArn"]
    setup.get_waiter("daemon_deployment_successful").wait(daemonDeploymentArns=[arn], WaiterConfig=NO_WAIT)


def test_waiter_deployment_successful_fails_on_a_missing_deployment(setup):
    with pytest.raises(WaiterError) as info:
        setup.get_waiter("daemon_deployment_successful").wait(
            daemonDeploymentArns=[f"{ARN}:daemon-deployment/c/monitor/ghost"], WaiterConfig=NO_WAIT)
    assert "terminal failure state" in str(info.value)


def test_list_tasks_by_daemon_name(ecs_eks_mock, setup):
    launch_instance(ecs_eks_mock, setup)
    launch_instance(ecs_eks_mock, setup)
    create(setup)
    running = setup.list_tasks(cluster="c", daemonName="monitor")["taskArns"]
    assert sorted(running) == sorted(t["taskArn"] for t in daemon_tasks(setup))
    setup.stop_task(cluster="c", task=running[0])
    assert setup.list_tasks(cluster="c", daemonName="monitor", desiredStatus="STOPPED")["taskArns"] == [running[0]]
    assert error_of(setup.list_tasks, cluster="c", daemonName="ghost") == (
        "DaemonNotFoundException", "Daemon not found.")
