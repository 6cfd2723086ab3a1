"""UpdateService and rolling deployments: what starts a deployment, minimum/maximum percent stepped on a frozen
clock, the circuit breaker and its rollback, and the waiters."""
import pytest
from botocore.exceptions import ClientError, WaiterError

from emulator.ecs import scheduler, services
from emulator.ecs.failures import fail_tasks
from tests.ecs.service_support import (AWSVPC, completed, deployment_counts, describe, code_and_message, events,
                                       fargate_service, service_tasks, setup_web, started, steady, stopped_running,
                                       tasks_named)

# the lifecycle durations of these tests, in clock seconds: a task is RUNNING 35 s after it starts, counted
# healthy 40 s later, and STOPPED 30 s after it is told to stop
DURATIONS = {"ecs.task.provisioning": 10, "ecs.task.pending": 20, "ecs.task.activating": 5,
             "ecs.task.deactivating": 5, "ecs.task.stopping": 10, "ecs.task.deprovisioning": 15,
             "ecs.service.task_healthy": 40}
NO_WAIT = {"Delay": 0, "MaxAttempts": 2}


def update_error(client, **params):
    params.setdefault("cluster", "c")
    params.setdefault("service", "web")
    with pytest.raises(ClientError) as info:
        client.update_service(**params)
    return code_and_message(info)


def deployed(client, mock, desired: int = 4, images=("nginx:1", "nginx:2"), **params):
    """A steady service on web:1 (and web:2 registered), then the frozen clock with DURATIONS."""
    setup_web(client, images=images)
    fargate_service(client, desired=desired, task_definition="web:1", **params)
    service = describe(client)
    mock.clock.freeze()
    mock.config.set_timing(**DURATIONS)
    return service


# -- a rolling deployment, step by step ----------------------------------------------------------------

def test_a_rolling_deployment_keeps_within_minimum_healthy_and_maximum_percent_at_every_step(
        ecs_eks_mock, ecs_client):
    """desired 4, maximumPercent 150 (at most 6 tasks RUNNING or PENDING), minimumHealthyPercent 50 (at least 2
    healthy): 2 new tasks start and 2 old ones stop at once, 2 more new ones start; once the new ones are
    healthy the last 2 old ones stop; the old deployment goes when its tasks are STOPPED."""
    before = deployed(ecs_client, ecs_eks_mock, deploymentConfiguration={"maximumPercent": 150,
                                                                         "minimumHealthyPercent": 50})
    old_id = before["deployments"][0]["id"]
    old_tasks = tasks_named(events(before)[0])
    updated = ecs_client.update_service(cluster="c", service="web", taskDefinition="web:2")["service"]
    new_id = updated["deployments"][0]["id"]
    assert deployment_counts(updated) == [("PRIMARY", 2, 4, 0, 0), ("ACTIVE", 1, 4, 4, 0)]

    expected = {   # clock seconds after the update -> (status, revision, desired, running, pending) per deployment
        0: [("PRIMARY", 2, 4, 0, 4), ("ACTIVE", 1, 2, 2, 0)],
        30: [("PRIMARY", 2, 4, 0, 4), ("ACTIVE", 1, 2, 2, 0)],
        35: [("PRIMARY", 2, 4, 4, 0), ("ACTIVE", 1, 2, 2, 0)],
        70: [("PRIMARY", 2, 4, 4, 0), ("ACTIVE", 1, 2, 2, 0)],
        75: [("PRIMARY", 2, 4, 4, 0), ("ACTIVE", 1, 0, 0, 0)],
        100: [("PRIMARY", 2, 4, 4, 0), ("ACTIVE", 1, 0, 0, 0)],
        105: [("PRIMARY", 2, 4, 4, 0)],
    }
    last = None
    for second in range(0, 110, 5):
        service = describe(ecs_client)
        counts = deployment_counts(service)
        last = expected.get(second, last)
        assert counts == last, second
        live = sum(running + pending for _, _, _, running, pending in counts)
        assert live <= 6 and sum(running for *_, running, _ in counts) >= 2
        assert (service["runningCount"], service["pendingCount"]) == (
            sum(c[3] for c in counts), sum(c[4] for c in counts))
        assert [d["rolloutState"] for d in service["deployments"]] == (
            ["IN_PROGRESS", "COMPLETED"] if second < 105 else ["COMPLETED"])
        ecs_eks_mock.clock.advance(5)

    new_events = events(service)[len(events(before)):]
    assert new_events[0] == started("web", tasks_named(new_events[0])) and len(tasks_named(new_events[0])) == 2
    assert new_events[1] == stopped_running("web", tasks_named(new_events[1]))
    assert new_events[2] == started("web", tasks_named(new_events[2])) and len(tasks_named(new_events[2])) == 2
    assert new_events[3] == stopped_running("web", tasks_named(new_events[3]))
    assert sorted(tasks_named(new_events[1]) + tasks_named(new_events[3])) == sorted(old_tasks)
    assert new_events[4:] == [completed("web", new_id), steady("web")]
    assert service["deployments"][0]["rolloutStateReason"] == f"ECS deployment {new_id} completed."
    stopped = service_tasks(ecs_client, desired="STOPPED")
    assert {(t["startedBy"], t["stopCode"], t["stoppedReason"]) for t in stopped} == {
        (old_id, "ServiceSchedulerInitiated", f"Scaling activity initiated by (deployment {old_id})")}
    assert {t["taskDefinitionArn"].rsplit(":", 1)[1] for t in service_tasks(ecs_client)} == {"2"}


def test_by_default_all_new_tasks_start_before_the_old_ones_stop(ecs_eks_mock, ecs_client):
    """maximumPercent 200, minimumHealthyPercent 100 (the REPLICA defaults)."""
    deployed(ecs_client, ecs_eks_mock)
    ecs_client.update_service(cluster="c", service="web", taskDefinition="web:2")
    assert deployment_counts(describe(ecs_client)) == [("PRIMARY", 2, 4, 0, 4), ("ACTIVE", 1, 4, 4, 0)]
    ecs_eks_mock.clock.advance(74)
    assert deployment_counts(describe(ecs_client)) == [("PRIMARY", 2, 4, 4, 0), ("ACTIVE", 1, 4, 4, 0)]
    ecs_eks_mock.clock.advance(1)
    assert deployment_counts(describe(ecs_client)) == [("PRIMARY", 2, 4, 4, 0), ("ACTIVE", 1, 0, 0, 0)]
    ecs_eks_mock.clock.advance(30)
    assert deployment_counts(describe(ecs_client)) == [("PRIMARY", 2, 4, 4, 0)]


def test_minimum_healthy_zero_replaces_tasks_without_extra_capacity(ecs_eks_mock, ecs_client):
    """maximumPercent 100, minimumHealthyPercent 0: the old task stops before the new one starts."""
    deployed(ecs_client, ecs_eks_mock, desired=1,
             deploymentConfiguration={"maximumPercent": 100, "minimumHealthyPercent": 0})
    ecs_client.update_service(cluster="c", service="web", taskDefinition="web:2")
    assert deployment_counts(describe(ecs_client)) == [("PRIMARY", 2, 1, 0, 1), ("ACTIVE", 1, 0, 0, 0)]


# -- what UpdateService changes --------------------------------------------------------------------

@pytest.mark.parametrize("change", [
    {"taskDefinition": "web:2"},
    {"forceNewDeployment": True},
    {"networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0fedcba9876543210"]}}},
    {"platformVersion": "1.4.0"},
    {"capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}], "forceNewDeployment": True},
    {"capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]},
    {"serviceRegistries": [{"registryArn": "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1"}]},
])
def test_these_changes_start_a_new_deployment(ecs_client, change):
    """A capacity provider strategy change starts a deployment even without forceNewDeployment (this
    emulator's reading of AWS's documentation, as for the other members that change the tasks)."""
    ecs_client.create_cluster(clusterName="c", capacityProviders=["FARGATE", "FARGATE_SPOT"])
    for image in ("nginx:1", "nginx:2"):
        ecs_client.register_task_definition(
            family="web", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
            containerDefinitions=[{"name": "app", "image": image}])
    fargate_service(ecs_client, task_definition="web:1")
    service = ecs_client.update_service(cluster="c", service="web", **change)["service"]
    assert [d["status"] for d in service["deployments"]] == ["PRIMARY", "ACTIVE"]
    assert service["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    assert len(ecs_client.list_service_deployments(cluster="c", service="web")["serviceDeployments"]) == 2


@pytest.mark.parametrize("change", [
    {"desiredCount": 3},
    {"deploymentConfiguration": {"maximumPercent": 150, "minimumHealthyPercent": 50}},
    {"enableExecuteCommand": True},
    {"propagateTags": "SERVICE"},
    {"taskDefinition": "web:1"},
    {"networkConfiguration": AWSVPC},
])
def test_these_changes_keep_the_deployment(ecs_client, change):
    setup_web(ecs_client)
    first = fargate_service(ecs_client)
    service = ecs_client.update_service(cluster="c", service="web", **change)["service"]
    assert [d["id"] for d in service["deployments"]] == [first["deployments"][0]["id"]]


def test_a_new_desired_count_is_the_primary_deployments(ecs_client):
    setup_web(ecs_client)
    fargate_service(ecs_client)
    service = ecs_client.update_service(cluster="c", service="web", desiredCount=5)["service"]
    assert (service["desiredCount"], service["deployments"][0]["desiredCount"]) == (5, 5)


def test_update_service_of_an_unknown_service_is_service_not_found(ecs_client):
    setup_web(ecs_client)
    assert update_error(ecs_client, desiredCount=1) == ("ServiceNotFoundException", "Service not found.")


def test_update_service_to_an_inactive_task_definition_is_refused(ecs_client):
    revisions = setup_web(ecs_client, images=("nginx:1", "nginx:2"))
    fargate_service(ecs_client, task_definition="web:1")
    ecs_client.deregister_task_definition(taskDefinition=revisions[1])
    assert update_error(ecs_client, taskDefinition=revisions[1]) == ("ClientException", "TaskDefinition is inactive")


def test_update_service_on_a_deleted_cluster_is_cluster_not_found(ecs_client):
    setup_web(ecs_client)
    ecs_client.delete_cluster(cluster="c")
    assert update_error(ecs_client, desiredCount=1) == ("ClusterNotFoundException",
                                                        "The referenced cluster was inactive.")


@pytest.mark.parametrize("change, message", [
    ({"taskDefinition": "web:1"}, "Unable to update task definition on services with a CODE_DEPLOY deployment "
                                  "controller. Use AWS CodeDeploy to trigger a new deployment."),
    ({"networkConfiguration": AWSVPC}, "Unable to update network parameters on services with a CODE_DEPLOY "
                                       "deployment controller. Use AWS CodeDeploy to trigger a new deployment."),
    ({"forceNewDeployment": True}, "Cannot force a new deployment on services with a CODE_DEPLOY deployment "
                                   "controller. Use AWS CodeDeploy to trigger a new deployment."),
])
def test_a_code_deploy_service_is_deployed_by_code_deploy(ecs_client, change, message):
    setup_web(ecs_client)
    fargate_service(ecs_client, deploymentController={"type": "CODE_DEPLOY"})
    assert update_error(ecs_client, **change) == ("InvalidParameterException", message)
    assert ecs_client.update_service(cluster="c", service="web", desiredCount=3)["service"]["desiredCount"] == 3


def test_a_daemon_service_refuses_a_desired_count_on_update(ecs_client):
    from tests.ecs.task_support import ec2_task_definition
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client)
    ecs_client.create_service(cluster="c", serviceName="web", taskDefinition="batch", schedulingStrategy="DAEMON",
                              launchType="EC2")
    assert update_error(ecs_client, desiredCount=2) == ("InvalidParameterException", services.DAEMON_DESIRED_COUNT)


# -- the circuit breaker ---------------------------------------------------------------------------

def test_the_failure_threshold_is_half_the_desired_count_between_3_and_200():
    assert [scheduler.failure_threshold(n) for n in (0, 1, 5, 6, 7, 10, 399, 400, 1000)] == [
        3, 3, 3, 3, 4, 5, 200, 200, 200]


def test_the_circuit_breaker_fails_a_deployment_whose_tasks_fail_to_start_and_rolls_it_back(
        ecs_eks_mock, ecs_client):
    setup_web(ecs_client, images=("nginx:1", "nginx:2"))
    fargate_service(ecs_client, desired=2, task_definition="web:1",
                    deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}})
    before = describe(ecs_client)
    fail_tasks(ecs_eks_mock, image="nginx:2")
    failing = ecs_client.update_service(cluster="c", service="web", taskDefinition="web:2")["service"]
    failing_id = failing["deployments"][0]["id"]

    service = describe(ecs_client)
    rollback_id = service["deployments"][0]["id"]
    assert rollback_id not in (failing_id, before["deployments"][0]["id"])
    assert service["taskDefinition"].endswith("web:1")
    assert [(d["id"], d["status"], d["rolloutState"], d["failedTasks"]) for d in service["deployments"]] == [
        (rollback_id, "PRIMARY", "COMPLETED", 0)]
    after = events(service)[len(events(before)):]
    assert [m for m in after if "has started" not in m and "has stopped" not in m] == [
        f"(service web) (deployment {failing_id}) deployment failed: tasks failed to start.",
        f"(service web) rolling back to deployment {rollback_id}.",
        completed("web", rollback_id), steady("web")]
    failed = [t for t in service_tasks(ecs_client, desired="STOPPED") if t["startedBy"] == failing_id]
    assert len(failed) == 4
    assert {(t["stopCode"], t["stoppedReason"].split(":")[0]) for t in failed} == {
        ("TaskFailedToStart", "CannotPullContainerError")}
    assert {t["taskDefinitionArn"][-5:] for t in service_tasks(ecs_client)} == {"web:1"}


def test_a_failed_rollout_is_reported_while_it_drains(ecs_eks_mock, ecs_client):
    setup_web(ecs_client, images=("nginx:1", "nginx:2"))
    fargate_service(ecs_client, desired=2, task_definition="web:1",
                    deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": False}})
    describe(ecs_client)
    fail_tasks(ecs_eks_mock, image="nginx:2")
    failing_id = ecs_client.update_service(cluster="c", service="web", taskDefinition="web:2")["service"][
        "deployments"][0]["id"]
    service = describe(ecs_client)
    primary, old = service["deployments"]
    assert (primary["id"], primary["rolloutState"], primary["rolloutStateReason"], primary["failedTasks"]) == (
        failing_id, "FAILED", "ECS deployment circuit breaker: tasks failed to start.", 3)
    assert (old["status"], old["runningCount"]) == ("ACTIVE", 2)
    assert (service["runningCount"], service["pendingCount"]) == (2, 0)
    describe(ecs_client)
    assert len(service_tasks(ecs_client, desired="STOPPED")) == 4      # a FAILED deployment starts nothing more
    with pytest.raises(WaiterError):
        ecs_client.get_waiter("services_stable").wait(cluster="c", services=["web"], WaiterConfig=NO_WAIT)


def test_without_the_circuit_breaker_failing_tasks_are_retried_with_a_growing_delay(ecs_eks_mock, ecs_client):
    setup_web(ecs_client)
    ecs_eks_mock.clock.freeze()
    fail_tasks(ecs_eks_mock, image="nginx:1")
    fargate_service(ecs_client, desired=1)
    service = describe(ecs_client)
    assert (service["deployments"][0]["failedTasks"], service["deployments"][0]["rolloutState"]) == (
        3, "IN_PROGRESS")
    assert events(service)[-1] == "(service web) is unable to consistently start tasks successfully."
    assert len(service_tasks(ecs_client, desired="STOPPED")) == 3
    ecs_eks_mock.clock.advance(14)
    assert len(service_tasks(ecs_client, desired="STOPPED")) == 3
    ecs_eks_mock.clock.advance(1)
    assert len(service_tasks(ecs_client, desired="STOPPED")) == 4
    ecs_eks_mock.clock.advance(30)
    assert describe(ecs_client)["deployments"][0]["failedTasks"] == 5


# -- the waiters -----------------------------------------------------------------------------------

def test_services_stable_succeeds_at_once_under_the_instant_timing(ecs_client):
    setup_web(ecs_client)
    fargate_service(ecs_client, desired=3)
    ecs_client.get_waiter("services_stable").wait(cluster="c", services=["web"], WaiterConfig={"Delay": 0,
                                                                                               "MaxAttempts": 1})


def succeeds_only_after(client, mock, waiter: str, seconds: int) -> None:
    """The waiter fails (two immediate polls) until the clock has advanced ``seconds``, then succeeds."""
    mock.clock.advance(seconds - 1)
    with pytest.raises(WaiterError):
        client.get_waiter(waiter).wait(cluster="c", services=["web"], WaiterConfig=NO_WAIT)
    mock.clock.advance(1)
    client.get_waiter(waiter).wait(cluster="c", services=["web"], WaiterConfig=NO_WAIT)


def test_services_stable_waits_for_the_tasks_on_a_frozen_clock(ecs_eks_mock, ecs_client):
    setup_web(ecs_client)
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**DURATIONS)
    fargate_service(ecs_client, desired=2)
    succeeds_only_after(ecs_client, ecs_eks_mock, "services_stable", 35)


def test_after_an_update_services_stable_waits_for_the_old_deployment_to_go(ecs_eks_mock, ecs_client):
    deployed(ecs_client, ecs_eks_mock, desired=2)
    ecs_client.update_service(cluster="c", service="web", taskDefinition="web:2")
    succeeds_only_after(ecs_client, ecs_eks_mock, "services_stable", 105)
    assert describe(ecs_client)["taskDefinition"].endswith("web:2")


def test_services_inactive_waits_for_the_tasks_to_stop(ecs_eks_mock, ecs_client):
    deployed(ecs_client, ecs_eks_mock, desired=2)
    ecs_client.delete_service(cluster="c", service="web", force=True)
    succeeds_only_after(ecs_client, ecs_eks_mock, "services_inactive", 5)
