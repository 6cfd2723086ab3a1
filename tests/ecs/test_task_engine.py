"""The task engine as a service scheduler drives it: starting, stopping, listening, finding tasks."""
from collections import Counter

import pytest
from botocore.exceptions import ClientError

from emulator.ecs import task_engine
from emulator.ecs.task_engine import LaunchSpec, LifecycleContext, resolve_launch, start_tasks, stop_task, tasks_of
from tests.ecs.task_support import AWSVPC, describe_task, fargate_cluster, run_fargate, service_tasks


@pytest.fixture
def engine_ctx(ecs_client, ecs_eks_mock):
    fargate_cluster(ecs_client)
    engine = ecs_eks_mock.engine

    def make():
        store = engine.store("ecs")
        return LifecycleContext(store, engine.config, engine.clock.now())
    return make


@pytest.fixture
def listener():
    heard = []

    def hear(ctx, task, previous):
        heard.append((previous, task.last_status, task.desired_status))
    task_engine.add_task_listener(hear)
    yield heard
    task_engine.remove_task_listener(hear)


def test_service_tasks_carry_the_schedulers_marks(ecs_client, ecs_eks_mock):
    fargate_cluster(ecs_client)
    arn = service_tasks(ecs_eks_mock, service_name="web")[0]
    task = describe_task(ecs_client, arn)
    assert task["group"] == "service:web" and task["startedBy"] == "ecs-svc/1234567890123456789"


def test_list_tasks_by_service_name_once_the_service_is_known(ecs_client, ecs_eks_mock):
    fargate_cluster(ecs_client)
    arns = service_tasks(ecs_eks_mock, count=2, service_name="web")
    run_fargate(ecs_client)
    with pytest.raises(ClientError):
        ecs_client.list_tasks(cluster="c", serviceName="web")
    ecs_client.create_service(cluster="c", serviceName="web", taskDefinition="web", desiredCount=0,
                              launchType="FARGATE", networkConfiguration=AWSVPC)
    listed = ecs_client.list_tasks(cluster="c", serviceName="web")["taskArns"]
    assert sorted(listed) == sorted(arns)
    arn_form = "arn:aws:ecs:us-east-1:123456789012:service/c/web"
    assert sorted(ecs_client.list_tasks(cluster="c", serviceName=arn_form)["taskArns"]) == sorted(arns)


def test_listeners_hear_every_change_in_order(ecs_client, engine_ctx, listener):
    arn = run_fargate(ecs_client)[0]["taskArn"]
    describe_task(ecs_client, arn)
    ecs_client.stop_task(cluster="c", task=arn)
    describe_task(ecs_client, arn)
    assert listener == [
        ("PROVISIONING", "PENDING", "RUNNING"), ("PENDING", "ACTIVATING", "RUNNING"),
        ("ACTIVATING", "RUNNING", "RUNNING"), ("RUNNING", "RUNNING", "STOPPED"),
        ("RUNNING", "DEACTIVATING", "STOPPED"), ("DEACTIVATING", "STOPPING", "STOPPED"),
        ("STOPPING", "DEPROVISIONING", "STOPPED"), ("DEPROVISIONING", "STOPPED", "STOPPED")]


def test_a_listener_can_replace_a_stopped_task(ecs_client, engine_ctx):
    """What a service scheduler does: when one of its tasks stops, start another."""
    replaced = []

    def replace(ctx, task, previous):
        if task.service_name == "web" and task.last_status == "STOPPED":
            cluster = task.cluster
            launch = resolve_launch(ctx, cluster, task.task_definition,
                                    LaunchSpec(launch_type="FARGATE", network_configuration=AWSVPC))
            new, _ = start_tasks(ctx, cluster, task.task_definition, launch, 1, group=task.group,
                                 started_by=task.started_by, service_name="web")
            replaced.extend(new)
    task_engine.add_task_listener(replace)
    try:
        ctx = engine_ctx()
        first = service_tasks_direct(ctx)
        stop_task(ctx, first, "ServiceSchedulerInitiated", "Scaling activity initiated by (deployment ecs-svc/1)")
        describe_task(ecs_client, first.arn)
    finally:
        task_engine.remove_task_listener(replace)
    assert len(replaced) == 1
    again = describe_task(ecs_client, replaced[0].arn)
    assert again["lastStatus"] == "RUNNING" and again["group"] == "service:web"
    stopped = describe_task(ecs_client, first.arn)
    assert (stopped["stopCode"], stopped["stoppedReason"]) == (
        "ServiceSchedulerInitiated", "Scaling activity initiated by (deployment ecs-svc/1)")


def service_tasks_direct(ctx):
    cluster = ctx.store.clusters["c"]
    task_definition = ctx.store.task_definitions.latest_active("web")
    launch = resolve_launch(ctx, cluster, task_definition, LaunchSpec(launch_type="FARGATE",
                                                                      network_configuration=AWSVPC))
    tasks, failures = start_tasks(ctx, cluster, task_definition, launch, 1, group="service:web",
                                  started_by="ecs-svc/1", service_name="web")
    assert failures == []
    return tasks[0]


def test_tasks_of_reads_one_index(ecs_client, ecs_eks_mock, engine_ctx):
    arns = service_tasks(ecs_eks_mock, count=3, service_name="web")
    run_fargate(ecs_client)
    ctx = engine_ctx()
    cluster = ctx.store.clusters["c"]
    assert sorted(t.arn for t in tasks_of(ctx, cluster, service_name="web")) == sorted(arns)
    assert len(tasks_of(ctx, cluster)) == 4
    ecs_client.stop_task(cluster="c", task=arns[0])
    assert [t.arn for t in tasks_of(ctx, cluster, service_name="web", desired="STOPPED")] == [arns[0]]
    assert len(tasks_of(ctx, cluster, started_by="ecs-svc/1234567890123456789")) == 2


def test_provider_counts_let_a_service_keep_its_base(ecs_client, engine_ctx):
    assert task_engine.assign_providers(
        [{"capacityProvider": "FARGATE", "base": 2, "weight": 1},
         {"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": 1}], 2,
        Counter({"FARGATE": 2})) == ["FARGATE", "FARGATE_SPOT"]   # base met: 1:1, ties in strategy order
    assert task_engine.assign_providers(
        [{"capacityProvider": "FARGATE", "base": 2, "weight": 0},
         {"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": 1}], 4) == [
        "FARGATE", "FARGATE", "FARGATE_SPOT", "FARGATE_SPOT"]


def test_resolve_launch_gives_the_same_errors_as_run_task(ecs_client, engine_ctx):
    from emulator.ecs.errors import InvalidParameterException
    ctx = engine_ctx()
    cluster = ctx.store.clusters["c"]
    task_definition = ctx.store.task_definitions.latest_active("web")
    with pytest.raises(InvalidParameterException) as info:
        resolve_launch(ctx, cluster, task_definition, LaunchSpec(launch_type="FARGATE"))
    assert info.value.message == "Network Configuration must be provided when networkMode 'awsvpc' is specified."


def test_stop_task_is_idempotent(ecs_client, engine_ctx):
    ctx = engine_ctx()
    task = service_tasks_direct(ctx)
    stop_task(ctx, task, "ServiceSchedulerInitiated", "first")
    stop_task(ctx, task, "UserInitiated", "second")
    assert (task.stop_code, task.stopped_reason) == ("ServiceSchedulerInitiated", "first")
