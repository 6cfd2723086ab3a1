"""Blue/green, linear and canary deployments stepped on a frozen clock: lifecycle stages and counts, PAUSE and
Lambda lifecycle hooks, traffic weights, rollbacks to blue (hooks, circuit breaker, StopServiceDeployment)."""
import pytest
from botocore.exceptions import WaiterError

from emulator.ecs.failures import fail_hooks, fail_tasks, failure_rules
from tests.ecs.blue_green_support import (BLUE_GROUP, GREEN_GROUP, PRODUCTION_RULE, SMOKE_TEST, balancers,
                                          blue_green_service, deploy, hooks_of, lambda_hook, pause, progress,
                                          service_deployment, step_through, weights)
from tests.ecs.service_support import (describe, events, fargate_service, service_tasks, setup_web, tasks_named,
                                       web_definition)

NO_WAIT = {"Delay": 0, "MaxAttempts": 1}
BLUE_ONLY = [("PRIMARY", 1, 2, 2, 0)]
BOTH_RUNNING = [("PRIMARY", 2, 2, 2, 0), ("ACTIVE", 1, 2, 2, 0)]
ROLLED_BACK_BOTH = [("PRIMARY", 1, 2, 2, 0), ("ACTIVE", 2, 2, 2, 0)]


def stable(client) -> bool:
    try:
        client.get_waiter("services_stable").wait(cluster="c", services=["web"], WaiterConfig=NO_WAIT)
    except WaiterError:
        return False
    return True


def running_task_ids(client) -> set[str]:
    return {t["taskArn"].rsplit("/", 1)[1] for t in service_tasks(client) if t["lastStatus"] == "RUNNING"}


# -- BLUE_GREEN, step by step ----------------------------------------------------------------------------

def test_a_blue_green_deployment_scales_green_up_beside_blue_shifts_traffic_bakes_and_cleans_up(
        ecs_eks_mock, ecs_client):
    """Green starts its full count beside blue (SCALE_UP until its tasks are healthy, 75 s), test traffic
    then production traffic shift (5 s each), 2 minutes of bake time, then blue's tasks stop (CLEAN_UP)."""
    before = blue_green_service(ecs_client, ecs_eks_mock)
    blue_id = before["deployments"][0]["id"]
    blue_tasks = running_task_ids(ecs_client)
    arn = deploy(ecs_client)
    assert describe(ecs_client)["taskDefinition"].endswith("web:2")
    step_through(ecs_eks_mock, ecs_client, arn, {
        0: ("IN_PROGRESS", "SCALE_UP", [("PRIMARY", 2, 2, 0, 2), ("ACTIVE", 1, 2, 2, 0)]),
        35: ("IN_PROGRESS", "SCALE_UP", BOTH_RUNNING),
        74: ("IN_PROGRESS", "SCALE_UP", BOTH_RUNNING),
        75: ("IN_PROGRESS", "TEST_TRAFFIC_SHIFT", BOTH_RUNNING),
        80: ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", BOTH_RUNNING),
        85: ("IN_PROGRESS", "BAKE_TIME", BOTH_RUNNING),
        204: ("IN_PROGRESS", "BAKE_TIME", BOTH_RUNNING),
        205: ("IN_PROGRESS", "CLEAN_UP", [("PRIMARY", 2, 2, 2, 0), ("ACTIVE", 1, 0, 0, 0)]),
        234: ("IN_PROGRESS", "CLEAN_UP", [("PRIMARY", 2, 2, 2, 0), ("ACTIVE", 1, 0, 0, 0)]),
        235: ("SUCCESSFUL", "CLEAN_UP", [("PRIMARY", 2, 2, 2, 0)]),
    })
    service = describe(ecs_client)
    green_id = service["deployments"][0]["id"]
    assert service["deployments"][0]["rolloutState"] == "COMPLETED"
    assert set(tasks_named(next(m for m in events(service) if "has stopped" in m))) == blue_tasks
    assert events(service)[-2:] == [f"(service web) (deployment {green_id}) deployment completed.",
                                    "(service web) has reached a steady state."]
    assert blue_id != green_id and stable(ecs_client)


def test_green_takes_the_test_traffic_then_the_production_traffic(ecs_eks_mock, ecs_client):
    blue_green_service(ecs_client, ecs_eks_mock)
    arn = deploy(ecs_client)
    step_through(ecs_eks_mock, ecs_client, arn, {
        0: ((0.0, 0.0), (100.0, 100.0)),
        75: ((100.0, 0.0), (0.0, 100.0)),
        80: ((100.0, 100.0), (0.0, 0.0)),
        235: ((100.0, 100.0), (0.0, 0.0)),
    }, probe=weights)


def test_the_services_stable_waiter_succeeds_only_once_blue_is_gone(ecs_eks_mock, ecs_client):
    blue_green_service(ecs_client, ecs_eks_mock)
    deploy(ecs_client)
    start = ecs_eks_mock.clock.now()
    for seconds in (0, 75, 85, 205, 234):
        ecs_eks_mock.clock.advance(start + seconds - ecs_eks_mock.clock.now())
        assert not stable(ecs_client), seconds
    ecs_eks_mock.clock.advance(1)
    assert stable(ecs_client)


def test_green_registers_in_the_alternate_target_group_and_the_next_green_in_the_first_one(ecs_client):
    setup_web(ecs_client, images=("nginx:1", "nginx:2", "nginx:3"))
    fargate_service(ecs_client, task_definition="web:1", loadBalancers=balancers(),
                    deploymentConfiguration={"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 0})
    groups = []
    for revision in ("web:2", "web:3"):
        record = service_deployment(ecs_client, deploy(ecs_client, revision))
        described = ecs_client.describe_service_revisions(
            serviceRevisionArns=[record["sourceServiceRevisions"][0]["arn"], record["targetServiceRevision"]["arn"]])
        groups.append([r["resolvedConfiguration"]["loadBalancers"] for r in described["serviceRevisions"]])
    blue = [{"targetGroupArn": BLUE_GROUP, "productionListenerRule": PRODUCTION_RULE}]
    green = [{"targetGroupArn": GREEN_GROUP, "productionListenerRule": PRODUCTION_RULE}]
    assert groups == [[blue, green], [green, blue]]
    assert f"(service web) registered 1 targets in (target-group {GREEN_GROUP})" in events(describe(ecs_client))


def test_a_first_deployment_runs_the_same_stages_with_nothing_to_clean_up(ecs_client):
    setup_web(ecs_client)
    created = fargate_service(ecs_client, loadBalancers=balancers(),
                              deploymentConfiguration={"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 5})
    record = service_deployment(ecs_client, created["currentServiceDeployment"])
    assert (record["status"], record["lifecycleStage"], record["lifecycleHookDetails"]) == (
        "SUCCESSFUL", "CLEAN_UP", [])
    assert record["sourceServiceRevisions"] == []
    assert stable(ecs_client)


# -- PAUSE hooks -------------------------------------------------------------------------------------------

def test_a_pause_hook_holds_the_deployment_until_it_is_continued(ecs_eks_mock, ecs_client):
    blue_green_service(ecs_client, ecs_eks_mock, hooks=[pause("POST_SCALE_UP")])
    arn = deploy(ecs_client)
    ecs_eks_mock.clock.advance(75)
    paused_at = ecs_eks_mock.clock.now()
    hook, = hooks_of(ecs_client, arn)
    assert hook["hookId"].startswith("ecs-pause-") and len(hook["hookId"]) == len("ecs-pause-") + 43
    assert (hook["targetType"], hook["status"], hook["timeoutAction"]) == ("PAUSE", "AWAITING_ACTION", "ROLLBACK")
    assert hook["expiresAt"].timestamp() == pytest.approx(paused_at + 1440 * 60)
    assert "targetArn" not in hook
    ecs_eks_mock.clock.advance(3600)
    assert progress(ecs_client, arn) == ("IN_PROGRESS", "POST_SCALE_UP", BOTH_RUNNING)

    response = ecs_client.continue_service_deployment(serviceDeploymentArn=arn, hookId=hook["hookId"])
    assert response["serviceDeploymentArn"] == arn
    assert [h["status"] for h in hooks_of(ecs_client, arn)] == ["SUCCEEDED"]
    assert progress(ecs_client, arn)[1] == "TEST_TRAFFIC_SHIFT"
    ecs_eks_mock.clock.advance(160)
    assert progress(ecs_client, arn) == ("SUCCESSFUL", "CLEAN_UP", [("PRIMARY", 2, 2, 2, 0)])


def test_a_pause_hook_rolled_back_returns_the_traffic_to_blue(ecs_eks_mock, ecs_client):
    before = blue_green_service(ecs_client, ecs_eks_mock, hooks=[pause("POST_TEST_TRAFFIC_SHIFT")])
    blue_id = before["deployments"][0]["id"]
    blue_tasks = running_task_ids(ecs_client)
    arn = deploy(ecs_client)
    ecs_eks_mock.clock.advance(80)
    hook, = hooks_of(ecs_client, arn)
    assert progress(ecs_client, arn) == ("IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", BOTH_RUNNING)
    response = ecs_client.continue_service_deployment(serviceDeploymentArn=arn, hookId=hook["hookId"],
                                                      action="ROLLBACK")
    assert response["serviceDeploymentArn"] == arn
    step_through(ecs_eks_mock, ecs_client, arn, {
        0: ("ROLLBACK_IN_PROGRESS", "TEST_TRAFFIC_SHIFT", ROLLED_BACK_BOTH),
        5: ("ROLLBACK_IN_PROGRESS", "CLEAN_UP", [("PRIMARY", 1, 2, 2, 0), ("ACTIVE", 2, 0, 0, 0)]),
        35: ("ROLLBACK_SUCCESSFUL", "CLEAN_UP", BLUE_ONLY),
    })
    record = service_deployment(ecs_client, arn)
    assert [h["status"] for h in record["lifecycleHookDetails"]] == ["FAILED"]
    assert record["rollback"]["serviceRevisionArn"] == record["sourceServiceRevisions"][0]["arn"]
    assert record["rollback"]["reason"] == record["statusReason"] == (
        f"Service deployment rolled back because ContinueServiceDeployment was called with the ROLLBACK action "
        f"for lifecycle hook {hook['hookId']}.")
    service = describe(ecs_client)
    assert service["deployments"][0]["id"] == blue_id and service["taskDefinition"].endswith("web:1")
    assert running_task_ids(ecs_client) == blue_tasks           # blue never stopped
    assert f"(service web) rolling back to deployment {blue_id}." in events(service)
    assert not any("deployment failed" in message for message in events(service))


@pytest.mark.parametrize("action, outcome", [
    ("ROLLBACK", ("ROLLBACK_SUCCESSFUL", "CLEAN_UP", BLUE_ONLY)),
    ("CONTINUE", ("SUCCESSFUL", "CLEAN_UP", [("PRIMARY", 2, 2, 2, 0)])),
])
def test_a_pause_hook_that_times_out_takes_its_timeout_action(ecs_eks_mock, ecs_client, action, outcome):
    blue_green_service(ecs_client, ecs_eks_mock, hooks=[pause("POST_SCALE_UP", timeoutInMinutes=1, action=action)])
    arn = deploy(ecs_client)
    ecs_eks_mock.clock.advance(134)
    assert [h["status"] for h in hooks_of(ecs_client, arn)] == ["AWAITING_ACTION"]
    ecs_eks_mock.clock.advance(1)
    assert [h["status"] for h in hooks_of(ecs_client, arn)] == ["TIMED_OUT"]
    ecs_eks_mock.clock.advance(200)
    assert progress(ecs_client, arn) == outcome
    hook_failed = any("hook execution failure(s) detected." in m for m in events(describe(ecs_client)))
    assert hook_failed == (action == "ROLLBACK")


# -- Lambda hooks ------------------------------------------------------------------------------------------

def test_a_lambda_hook_is_invoked_and_succeeds_after_its_declared_duration(ecs_eks_mock, ecs_client):
    blue_green_service(ecs_client, ecs_eks_mock, hooks=[lambda_hook("POST_SCALE_UP", "POST_TEST_TRAFFIC_SHIFT")])
    arn = deploy(ecs_client)
    ecs_eks_mock.clock.advance(75)
    hook, = hooks_of(ecs_client, arn)
    assert (hook["targetType"], hook["targetArn"], hook["status"]) == ("AWS_LAMBDA", SMOKE_TEST, "IN_PROGRESS")
    assert hook["hookId"].startswith("ecs-lambda-")
    step_through(ecs_eks_mock, ecs_client, arn, {
        4: ("IN_PROGRESS", "POST_SCALE_UP", BOTH_RUNNING),
        5: ("IN_PROGRESS", "TEST_TRAFFIC_SHIFT", BOTH_RUNNING),
        10: ("IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", BOTH_RUNNING),
        15: ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", BOTH_RUNNING),
    })
    assert [h["status"] for h in hooks_of(ecs_client, arn)] == ["SUCCEEDED", "SUCCEEDED"]


def test_a_failing_lambda_hook_rolls_the_deployment_back(ecs_eks_mock, ecs_client):
    before = blue_green_service(ecs_client, ecs_eks_mock, hooks=[lambda_hook("POST_SCALE_UP")])
    blue_id = before["deployments"][0]["id"]
    fail_hooks(ecs_eks_mock, SMOKE_TEST)
    arn = deploy(ecs_client)
    green_id = describe(ecs_client)["deployments"][0]["id"]
    step_through(ecs_eks_mock, ecs_client, arn, {
        79: ("IN_PROGRESS", "POST_SCALE_UP", BOTH_RUNNING),
        80: ("ROLLBACK_IN_PROGRESS", "CLEAN_UP", [("PRIMARY", 1, 2, 2, 0), ("ACTIVE", 2, 0, 0, 0)]),
        110: ("ROLLBACK_SUCCESSFUL", "CLEAN_UP", BLUE_ONLY),
    })
    hook, = hooks_of(ecs_client, arn)
    assert hook["status"] == "FAILED"
    assert service_deployment(ecs_client, arn)["rollback"]["reason"] == (
        f"Lifecycle hook {hook['hookId']} failed at the POST_SCALE_UP stage.")
    messages = events(describe(ecs_client))
    failed = messages.index(f"(service web) (deployment {green_id}) deployment failed: hook execution failure(s) "
                            f"detected.")
    assert messages[failed + 1] == f"(service web) rolling back to deployment {blue_id}."


@pytest.mark.parametrize("failures, outcome", [
    (None, ("ROLLBACK_FAILED", "TEST_TRAFFIC_SHIFT", ROLLED_BACK_BOTH)),
    (1, ("ROLLBACK_SUCCESSFUL", "CLEAN_UP", BLUE_ONLY)),
])
def test_traffic_shift_hooks_run_again_while_rolling_back(ecs_eks_mock, ecs_client, failures, outcome):
    """A TEST_TRAFFIC_SHIFT Lambda hook that fails at 80 s rolls the deployment back, and runs again as the test
    traffic returns to blue: answering FAILED again leaves ROLLBACK_FAILED, SUCCEEDED lets the rollback end."""
    blue_green_service(ecs_client, ecs_eks_mock, hooks=[lambda_hook("TEST_TRAFFIC_SHIFT")])
    fail_hooks(ecs_eks_mock, SMOKE_TEST, count=failures)
    arn = deploy(ecs_client)
    step_through(ecs_eks_mock, ecs_client, arn, {
        80: ("ROLLBACK_IN_PROGRESS", "TEST_TRAFFIC_SHIFT", ROLLED_BACK_BOTH),
        120: outcome,
    })
    assert [h["status"] for h in hooks_of(ecs_client, arn)] == ["FAILED", "FAILED" if failures is None else "SUCCEEDED"]


def test_a_lambda_hook_answering_in_progress_is_invoked_again_after_its_call_back_delay(ecs_eks_mock, ecs_client):
    """Answers at 80 s and 115 s are IN_PROGRESS (the rule's count is 2), the third, at 150 s, SUCCEEDED."""
    blue_green_service(ecs_client, ecs_eks_mock, hooks=[lambda_hook("POST_SCALE_UP")])
    fail_hooks(ecs_eks_mock, SMOKE_TEST, status="IN_PROGRESS", call_back_delay=30, count=2)
    arn = deploy(ecs_client)
    step_through(ecs_eks_mock, ecs_client, arn, {
        80: ("IN_PROGRESS", "POST_SCALE_UP", BOTH_RUNNING),
        149: ("IN_PROGRESS", "POST_SCALE_UP", BOTH_RUNNING),
        150: ("IN_PROGRESS", "TEST_TRAFFIC_SHIFT", BOTH_RUNNING),
    })
    assert failure_rules(ecs_eks_mock) == []
    assert [h["status"] for h in hooks_of(ecs_client, arn)] == ["SUCCEEDED"]


def test_a_lambda_hook_still_in_progress_at_its_timeout_rolls_back(ecs_eks_mock, ecs_client):
    blue_green_service(ecs_client, ecs_eks_mock, hooks=[lambda_hook("POST_SCALE_UP", timeoutInMinutes=2)])
    fail_hooks(ecs_eks_mock, SMOKE_TEST, status="IN_PROGRESS")
    arn = deploy(ecs_client)
    ecs_eks_mock.clock.advance(194)
    assert progress(ecs_client, arn)[:2] == ("IN_PROGRESS", "POST_SCALE_UP")
    ecs_eks_mock.clock.advance(1)
    hook, = hooks_of(ecs_client, arn)
    assert hook["status"] == "TIMED_OUT"
    assert service_deployment(ecs_client, arn)["statusReason"] == (
        f"Lifecycle hook {hook['hookId']} timed out at the POST_SCALE_UP stage.")
    ecs_eks_mock.clock.advance(30)
    assert progress(ecs_client, arn) == ("ROLLBACK_SUCCESSFUL", "CLEAN_UP", BLUE_ONLY)


# -- LINEAR and CANARY -------------------------------------------------------------------------------------

def stage_and_production(client, arn: str) -> tuple:
    green, blue = weights(client, arn)
    return service_deployment(client, arn)["lifecycleStage"], green[1], blue[1]


def test_a_linear_deployment_shifts_production_traffic_in_equal_steps_with_a_bake_between_them(
        ecs_eks_mock, ecs_client):
    """stepPercent 25, stepBakeTimeInMinutes 1: 25 % at 80 s, 50 % at 145 s, 75 % at 210 s, 100 % at 275 s
    (each shift 5 s, then 60 s of bake but after the last); the PRODUCTION_TRAFFIC_SHIFT Lambda hook runs at
    every step."""
    blue_green_service(ecs_client, ecs_eks_mock, strategy="LINEAR",
                       linearConfiguration={"stepPercent": 25.0, "stepBakeTimeInMinutes": 1},
                       hooks=[lambda_hook("PRODUCTION_TRAFFIC_SHIFT")])
    arn = deploy(ecs_client)
    step_through(ecs_eks_mock, ecs_client, arn, {
        79: ("TEST_TRAFFIC_SHIFT", 0.0, 100.0),
        80: ("PRODUCTION_TRAFFIC_SHIFT", 25.0, 75.0),
        144: ("PRODUCTION_TRAFFIC_SHIFT", 25.0, 75.0),
        145: ("PRODUCTION_TRAFFIC_SHIFT", 50.0, 50.0),
        210: ("PRODUCTION_TRAFFIC_SHIFT", 75.0, 25.0),
        275: ("PRODUCTION_TRAFFIC_SHIFT", 100.0, 0.0),
        280: ("BAKE_TIME", 100.0, 0.0),
    }, probe=stage_and_production)
    assert [h["status"] for h in hooks_of(ecs_client, arn)] == ["SUCCEEDED"] * 4


def test_a_linear_step_that_does_not_divide_100_ends_with_the_remainder(ecs_eks_mock, ecs_client):
    blue_green_service(ecs_client, ecs_eks_mock, strategy="LINEAR",
                       linearConfiguration={"stepPercent": 30.0, "stepBakeTimeInMinutes": 0})
    arn = deploy(ecs_client)
    step_through(ecs_eks_mock, ecs_client, arn, {
        80: ("PRODUCTION_TRAFFIC_SHIFT", 30.0, 70.0), 85: ("PRODUCTION_TRAFFIC_SHIFT", 60.0, 40.0),
        90: ("PRODUCTION_TRAFFIC_SHIFT", 90.0, 10.0), 95: ("PRODUCTION_TRAFFIC_SHIFT", 100.0, 0.0),
        100: ("BAKE_TIME", 100.0, 0.0),
    }, probe=stage_and_production)


def test_a_canary_deployment_shifts_its_percentage_bakes_then_shifts_the_rest(ecs_eks_mock, ecs_client):
    blue_green_service(ecs_client, ecs_eks_mock, strategy="CANARY",
                       canaryConfiguration={"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 3},
                       hooks=[pause("PRE_PRODUCTION_TRAFFIC_SHIFT")])
    arn = deploy(ecs_client)
    ecs_eks_mock.clock.advance(80)
    # the pre-production pause hook holds each step; the canary step bakes 3 minutes, the last step none
    for after_shift in (("PRODUCTION_TRAFFIC_SHIFT", 10.0, 90.0), ("BAKE_TIME", 100.0, 0.0)):
        paused = [h for h in hooks_of(ecs_client, arn) if h["status"] == "AWAITING_ACTION"]
        assert len(paused) == 1 and stage_and_production(ecs_client, arn)[0] == "PRODUCTION_TRAFFIC_SHIFT"
        ecs_client.continue_service_deployment(serviceDeploymentArn=arn, hookId=paused[0]["hookId"])
        ecs_eks_mock.clock.advance(5)
        assert stage_and_production(ecs_client, arn) == after_shift
        ecs_eks_mock.clock.advance(180)
    assert [h["status"] for h in hooks_of(ecs_client, arn)] == ["SUCCEEDED", "SUCCEEDED"]


# -- other rollbacks ---------------------------------------------------------------------------------------

def test_stop_service_deployment_during_the_bake_time_shifts_traffic_back_and_keeps_blue(ecs_eks_mock, ecs_client):
    blue_green_service(ecs_client, ecs_eks_mock)
    blue_tasks = running_task_ids(ecs_client)
    arn = deploy(ecs_client)
    ecs_eks_mock.clock.advance(100)
    ecs_client.stop_service_deployment(serviceDeploymentArn=arn, stopType="ROLLBACK")
    step_through(ecs_eks_mock, ecs_client, arn, {
        0: ("ROLLBACK_IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", ROLLED_BACK_BOTH),
        5: ("ROLLBACK_IN_PROGRESS", "TEST_TRAFFIC_SHIFT", ROLLED_BACK_BOTH),
        10: ("ROLLBACK_IN_PROGRESS", "CLEAN_UP", [("PRIMARY", 1, 2, 2, 0), ("ACTIVE", 2, 0, 0, 0)]),
        40: ("ROLLBACK_SUCCESSFUL", "CLEAN_UP", BLUE_ONLY),
    })
    assert weights(ecs_client, arn) == ((0.0, 0.0), (100.0, 100.0))
    assert running_task_ids(ecs_client) == blue_tasks


def test_a_rollback_once_blue_is_scaled_down_starts_blue_again(ecs_eks_mock, ecs_client):
    blue_green_service(ecs_client, ecs_eks_mock)
    arn = deploy(ecs_client)
    ecs_eks_mock.clock.advance(210)                   # CLEAN_UP since 205: blue's tasks are stopping
    ecs_client.stop_service_deployment(serviceDeploymentArn=arn)
    step_through(ecs_eks_mock, ecs_client, arn, {
        0: ("ROLLBACK_IN_PROGRESS", "SCALE_UP", [("PRIMARY", 1, 2, 0, 2), ("ACTIVE", 2, 2, 2, 0)]),
        75: ("ROLLBACK_IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", ROLLED_BACK_BOTH),
        80: ("ROLLBACK_IN_PROGRESS", "TEST_TRAFFIC_SHIFT", ROLLED_BACK_BOTH),
        85: ("ROLLBACK_IN_PROGRESS", "CLEAN_UP", [("PRIMARY", 1, 2, 2, 0), ("ACTIVE", 2, 0, 0, 0)]),
        115: ("ROLLBACK_SUCCESSFUL", "CLEAN_UP", BLUE_ONLY),
    })


def test_the_circuit_breaker_rolls_a_blue_green_deployment_back_to_blue(ecs_client, ecs_eks_mock):
    setup_web(ecs_client, images=("nginx:1", "nginx:2"))
    before = fargate_service(ecs_client, task_definition="web:1", loadBalancers=balancers(), deploymentConfiguration={
        "strategy": "BLUE_GREEN", "bakeTimeInMinutes": 0,
        "deploymentCircuitBreaker": {"enable": True, "rollback": True}})
    blue_tasks = running_task_ids(ecs_client)
    fail_tasks(ecs_eks_mock, image="nginx:2")
    arn = deploy(ecs_client)
    record = service_deployment(ecs_client, arn)
    assert (record["status"], record["deploymentCircuitBreaker"]["status"]) == ("ROLLBACK_SUCCESSFUL", "TRIGGERED")
    assert record["rollback"]["reason"] == "ECS deployment circuit breaker: tasks failed to start."
    service = describe(ecs_client)
    assert [d["id"] for d in service["deployments"]] == [before["deployments"][0]["id"]]
    assert running_task_ids(ecs_client) == blue_tasks
    assert stable(ecs_client)


def test_a_newer_deployment_reconciles_the_revisions_the_interrupted_one_left(ecs_eks_mock, ecs_client):
    """web:2 is interrupted while it scales up: the web:3 deployment starts with RECONCILE_SERVICE, which stops
    web:2's tasks, and blue (web:1) keeps running until web:3's CLEAN_UP."""
    blue_green_service(ecs_client, ecs_eks_mock)
    web_definition(ecs_client, image="nginx:3")
    first = deploy(ecs_client)
    ecs_eks_mock.clock.advance(40)
    arn = deploy(ecs_client, "web:3")
    assert service_deployment(ecs_client, first)["status"] == "STOPPED"
    step_through(ecs_eks_mock, ecs_client, arn, {
        0: ("IN_PROGRESS", "RECONCILE_SERVICE", [("PRIMARY", 3, 2, 0, 0), ("ACTIVE", 2, 0, 0, 0),
                                                 ("ACTIVE", 1, 2, 2, 0)]),
        30: ("IN_PROGRESS", "SCALE_UP", [("PRIMARY", 3, 2, 0, 2), ("ACTIVE", 1, 2, 2, 0)]),
        105: ("IN_PROGRESS", "TEST_TRAFFIC_SHIFT", [("PRIMARY", 3, 2, 2, 0), ("ACTIVE", 1, 2, 2, 0)]),
    })
