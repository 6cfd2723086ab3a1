"""The task lifecycle on the clock: every state, its timestamps, versions, retention, waiters."""
import re

import pytest
from botocore.exceptions import ClientError, WaiterError

from emulator.ecs import task_engine
from tests.ecs.task_support import (AWSVPC, describe_instance, describe_task, ec2_task_definition, code_and_message,
                                    fargate_cluster, register_instance, run_fargate)

REALISTIC = {"provisioning": 10.0, "pending": 20.0, "activating": 5.0, "deactivating": 5.0, "stopping": 10.0,
             "deprovisioning": 15.0}


@pytest.fixture
def frozen(ecs_eks_mock):
    ecs_eks_mock.config.set_timing("realistic")
    return ecs_eks_mock.clock.freeze(1_700_000_000.0)


def test_declared_durations_are_the_realistic_ones(ecs_eks_mock):
    ecs_eks_mock.config.set_timing("realistic")
    for step, seconds in REALISTIC.items():
        assert ecs_eks_mock.config.duration(f"ecs.task.{step}") == seconds


def test_every_state_in_order_with_its_timestamps(ecs_client, ecs_eks_mock, frozen):
    fargate_cluster(ecs_client)
    t0 = frozen
    task = run_fargate(ecs_client)[0]
    arn = task["taskArn"]
    assert (task["lastStatus"], task["version"], task["createdAt"].timestamp()) == ("PROVISIONING", 1, t0)

    task = describe_task(ecs_client, arn)
    assert task["lastStatus"] == "PROVISIONING" and "connectivityAt" not in task and "pullStartedAt" not in task

    ecs_eks_mock.clock.advance(10)
    task = describe_task(ecs_client, arn)
    assert (task["lastStatus"], task["version"]) == ("PENDING", 2)
    assert task["connectivity"] == "CONNECTED"
    assert task["connectivityAt"].timestamp() == task["pullStartedAt"].timestamp() == t0 + 10
    assert task["attachments"][0]["status"] == "ATTACHED"
    assert task["containers"][0]["lastStatus"] == "PENDING"

    ecs_eks_mock.clock.advance(20)
    task = describe_task(ecs_client, arn)
    assert (task["lastStatus"], task["version"]) == ("ACTIVATING", 3)
    assert task["pullStoppedAt"].timestamp() == t0 + 30
    container = task["containers"][0]
    assert container["lastStatus"] == "RUNNING"
    assert re.fullmatch(re.escape(arn.rsplit("/", 1)[1]) + r"-\d{10}", container["runtimeId"])
    assert container["imageDigest"].startswith("sha256:")
    assert "startedAt" not in task

    ecs_eks_mock.clock.advance(5)
    task = describe_task(ecs_client, arn)
    assert (task["lastStatus"], task["version"], task["startedAt"].timestamp()) == ("RUNNING", 4, t0 + 35)

    ecs_eks_mock.clock.advance(100)
    stopped = ecs_client.stop_task(cluster="c", task=arn)["task"]
    assert (stopped["lastStatus"], stopped["desiredStatus"], stopped["version"]) == ("RUNNING", "STOPPED", 5)
    assert stopped["stoppingAt"].timestamp() == t0 + 135

    task = describe_task(ecs_client, arn)
    assert (task["lastStatus"], task["version"]) == ("DEACTIVATING", 6)

    ecs_eks_mock.clock.advance(5)
    task = describe_task(ecs_client, arn)
    assert (task["lastStatus"], task["version"]) == ("STOPPING", 7)
    assert "executionStoppedAt" not in task and "exitCode" not in task["containers"][0]

    ecs_eks_mock.clock.advance(10)
    task = describe_task(ecs_client, arn)
    assert (task["lastStatus"], task["version"]) == ("DEPROVISIONING", 8)
    assert task["executionStoppedAt"].timestamp() == t0 + 150
    assert task["containers"][0]["exitCode"] == task_engine.STOP_SIGNAL_EXIT_CODE
    assert task["attachments"][0]["status"] == "DETACHED"

    ecs_eks_mock.clock.advance(15)
    task = describe_task(ecs_client, arn)
    assert (task["lastStatus"], task["version"], task["stoppedAt"].timestamp()) == ("STOPPED", 9, t0 + 165)
    assert task["attachments"][0]["status"] == "DELETED"
    assert task["stoppingAt"] < task["executionStoppedAt"] < task["stoppedAt"]


def test_configured_durations_replace_the_profile(ecs_client, ecs_eks_mock):
    ecs_eks_mock.clock.freeze(1_700_000_000.0)
    ecs_eks_mock.config.set_timing(**{"ecs.task.provisioning": 2, "ecs.task.pending": 3})
    fargate_cluster(ecs_client)
    arn = run_fargate(ecs_client)[0]["taskArn"]
    ecs_eks_mock.clock.advance(2)
    assert describe_task(ecs_client, arn)["lastStatus"] == "PENDING"
    ecs_eks_mock.clock.advance(3)
    # activating is 0 under the instant profile: ACTIVATING and RUNNING happen at once
    task = describe_task(ecs_client, arn)
    assert task["lastStatus"] == "RUNNING" and task["startedAt"].timestamp() == 1_700_000_005.0


def test_instant_timing_any_read_after_run_task_sees_running(ecs_client):
    fargate_cluster(ecs_client)
    task = run_fargate(ecs_client)[0]
    assert task["lastStatus"] == "PROVISIONING"
    task = describe_task(ecs_client, task["taskArn"])
    assert task["lastStatus"] == "RUNNING"
    assert task["createdAt"] == task["pullStartedAt"] == task["startedAt"]


def test_tasks_running_waiter_succeeds_on_its_first_poll(ecs_client):
    fargate_cluster(ecs_client)
    arns = [t["taskArn"] for t in run_fargate(ecs_client, count=3)]
    polls = []
    ecs_client.meta.events.register("before-call.ecs.DescribeTasks", lambda **_: polls.append(1))
    ecs_client.get_waiter("tasks_running").wait(cluster="c", tasks=arns)
    assert len(polls) == 1


def test_tasks_stopped_waiter_succeeds_on_its_first_poll(ecs_client):
    fargate_cluster(ecs_client)
    arn = run_fargate(ecs_client)[0]["taskArn"]
    ecs_client.stop_task(cluster="c", task=arn)
    polls = []
    ecs_client.meta.events.register("before-call.ecs.DescribeTasks", lambda **_: polls.append(1))
    ecs_client.get_waiter("tasks_stopped").wait(cluster="c", tasks=[arn])
    assert len(polls) == 1


def test_tasks_running_waiter_fails_for_a_task_stopped_before_running(ecs_client, ecs_eks_mock, frozen):
    fargate_cluster(ecs_client)
    arn = run_fargate(ecs_client)[0]["taskArn"]
    ecs_client.stop_task(cluster="c", task=arn)
    ecs_eks_mock.clock.advance(60)
    with pytest.raises(WaiterError) as info:
        ecs_client.get_waiter("tasks_running").wait(cluster="c", tasks=[arn])
    assert "failure state" in str(info.value)


def test_tasks_running_waiter_fails_for_an_unknown_task(ecs_client):
    fargate_cluster(ecs_client)
    with pytest.raises(WaiterError):
        ecs_client.get_waiter("tasks_running").wait(cluster="c", tasks=["0123456789abcdef0123456789abcdef"])


def test_stop_while_provisioning_skips_the_containers_that_never_started(ecs_client, ecs_eks_mock, frozen):
    fargate_cluster(ecs_client)
    arn = run_fargate(ecs_client)[0]["taskArn"]
    ecs_client.stop_task(cluster="c", task=arn)
    assert describe_task(ecs_client, arn)["lastStatus"] == "STOPPING"
    ecs_eks_mock.clock.advance(10)
    assert describe_task(ecs_client, arn)["lastStatus"] == "DEPROVISIONING"
    ecs_eks_mock.clock.advance(15)
    task = describe_task(ecs_client, arn)
    assert task["lastStatus"] == "STOPPED" and "startedAt" not in task
    container = task["containers"][0]
    assert container["lastStatus"] == "STOPPED" and "exitCode" not in container
    assert task["attachments"][0]["status"] == "DELETED"


def test_stopped_tasks_stay_describable_for_an_hour(ecs_client, ecs_eks_mock):
    ecs_eks_mock.clock.freeze(1_700_000_000.0)
    fargate_cluster(ecs_client)
    arn = run_fargate(ecs_client)[0]["taskArn"]
    ecs_client.stop_task(cluster="c", task=arn)
    assert describe_task(ecs_client, arn)["lastStatus"] == "STOPPED"
    ecs_eks_mock.clock.advance(3599)
    assert describe_task(ecs_client, arn)["lastStatus"] == "STOPPED"
    assert ecs_client.list_tasks(cluster="c", desiredStatus="STOPPED")["taskArns"] == [arn]
    ecs_eks_mock.clock.advance(1)
    response = ecs_client.describe_tasks(cluster="c", tasks=[arn])
    assert response["tasks"] == [] and response["failures"] == [{"arn": arn, "reason": "MISSING"}]
    assert ecs_client.list_tasks(cluster="c", desiredStatus="STOPPED")["taskArns"] == []


def test_cluster_counts_follow_the_states(ecs_client, ecs_eks_mock, frozen):
    fargate_cluster(ecs_client)
    arns = [t["taskArn"] for t in run_fargate(ecs_client, count=2)]

    def counts():
        cluster = ecs_client.describe_clusters(clusters=["c"], include=["STATISTICS"])["clusters"][0]
        stats = {s["name"]: s["value"] for s in cluster["statistics"]}
        return (cluster["pendingTasksCount"], cluster["runningTasksCount"], stats["pendingFargateTasksCount"],
                stats["runningFargateTasksCount"])
    # PROVISIONING, PENDING and ACTIVATING count as pending (the task has not started)
    assert counts() == (2, 0, "2", "0")
    ecs_eks_mock.clock.advance(35)
    assert counts() == (0, 2, "0", "2")
    ecs_client.stop_task(cluster="c", task=arns[0])
    assert counts() == (0, 1, "0", "1")
    ecs_eks_mock.clock.advance(60)
    assert counts() == (0, 1, "0", "1")


def test_container_instance_counts_and_resources_follow_the_task(ecs_client, ecs_eks_mock, frozen):
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client, cpu=256, memory=512)
    instance = register_instance(ecs_client, cpu=1024, memory=2048)["containerInstanceArn"]
    arn = ecs_client.run_task(cluster="c", taskDefinition="batch")["tasks"][0]["taskArn"]
    seen = describe_instance(ecs_client, instance)
    assert (seen["pendingTasksCount"], seen["runningTasksCount"]) == (1, 0)
    ecs_eks_mock.clock.advance(35)
    seen = describe_instance(ecs_client, instance)
    assert (seen["pendingTasksCount"], seen["runningTasksCount"]) == (0, 1)
    ecs_client.stop_task(cluster="c", task=arn)
    ecs_eks_mock.clock.advance(30)
    seen = describe_instance(ecs_client, instance)
    remaining = {r["name"]: r.get("integerValue") for r in seen["remainingResources"]}
    assert (seen["runningTasksCount"], remaining["CPU"], remaining["MEMORY"]) == (0, 1024, 2048)


def test_task_definition_references_follow_tasks(ecs_client, ecs_eks_mock):
    td = fargate_cluster(ecs_client)
    arn = run_fargate(ecs_client)[0]["taskArn"]
    store = ecs_eks_mock.engine.store("ecs")
    assert store.task_definition_refs[td] == 1
    ecs_client.stop_task(cluster="c", task=arn)
    describe_task(ecs_client, arn)
    assert store.task_definition_refs.get(td, 0) == 0


def test_a_deleted_task_definition_goes_when_its_last_task_stops(ecs_client):
    td = fargate_cluster(ecs_client)
    arn = run_fargate(ecs_client)[0]["taskArn"]
    ecs_client.deregister_task_definition(taskDefinition=td)
    ecs_client.delete_task_definitions(taskDefinitions=[td])
    assert ecs_client.describe_task_definition(taskDefinition=td)["taskDefinition"]["status"] == "DELETE_IN_PROGRESS"
    ecs_client.stop_task(cluster="c", task=arn)
    describe_task(ecs_client, arn)
    with pytest.raises(ClientError) as info:
        ecs_client.describe_task_definition(taskDefinition=td)
    assert code_and_message(info)[0] == "ClientException"


def test_delete_cluster_with_a_stopping_task_is_refused_until_it_stops(ecs_client, ecs_eks_mock, frozen):
    fargate_cluster(ecs_client)
    arn = run_fargate(ecs_client, networkConfiguration=AWSVPC)[0]["taskArn"]
    ecs_client.stop_task(cluster="c", task=arn)
    with pytest.raises(ClientError) as info:
        ecs_client.delete_cluster(cluster="c")
    assert code_and_message(info) == ("ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.")
    ecs_eks_mock.clock.advance(60)
    assert ecs_client.delete_cluster(cluster="c")["cluster"]["status"] == "INACTIVE"
    # the stopped task of an INACTIVE cluster stays describable
    assert describe_task(ecs_client, arn)["lastStatus"] == "STOPPED"


def test_health_checked_containers_report_healthy_once_running(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ecs_client.register_task_definition(
        family="web", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        containerDefinitions=[{"name": "app", "image": "nginx",
                               "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost/"]}}])
    task = describe_task(ecs_client, run_fargate(ecs_client)[0]["taskArn"])
    assert task["healthStatus"] == "HEALTHY" and task["containers"][0]["healthStatus"] == "HEALTHY"
