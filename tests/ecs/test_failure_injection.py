"""Failing tasks on purpose: rules by image or family, in process and through the admin endpoint."""
import json
import urllib.request

import boto3
import pytest
from botocore.exceptions import WaiterError

from emulator.ecs.failures import cannot_pull, clear_failures, fail_hooks, fail_tasks, failure_rules
from tests.ecs.task_support import describe_task, fargate_cluster, fargate_task_definition, run_fargate

NO_WAIT = {"Delay": 0, "MaxAttempts": 2}


def test_a_task_whose_image_fails_to_start_stops_with_task_failed_to_start(ecs_eks_mock, ecs_client):
    fargate_cluster(ecs_client, containers=[{"name": "app", "image": "repo/app:broken"}])
    fail_tasks(ecs_eks_mock, image="repo/app:broken")
    task, = run_fargate(ecs_client)
    stopped = describe_task(ecs_client, task["taskArn"])
    assert (stopped["lastStatus"], stopped["desiredStatus"], stopped["stopCode"]) == (
        "STOPPED", "STOPPED", "TaskFailedToStart")
    assert stopped["stoppedReason"] == cannot_pull("repo/app:broken")
    assert stopped["stoppedReason"].startswith("CannotPullContainerError: ")
    assert stopped["containers"][0]["reason"] == stopped["stoppedReason"]
    assert "startedAt" not in stopped and "exitCode" not in stopped["containers"][0]
    with pytest.raises(WaiterError):
        ecs_client.get_waiter("tasks_running").wait(cluster="c", tasks=[task["taskArn"]], WaiterConfig=NO_WAIT)


def test_a_start_failure_can_give_its_own_reason(ecs_eks_mock, ecs_client):
    fargate_cluster(ecs_client)
    reason = "ResourceInitializationError: unable to pull secrets or registry auth"
    fail_tasks(ecs_eks_mock, family="web", reason=reason)
    task, = run_fargate(ecs_client)
    assert describe_task(ecs_client, task["taskArn"])["stoppedReason"] == reason


def test_a_container_exits_with_its_code_after_the_given_clock_seconds(ecs_eks_mock, ecs_client):
    fargate_cluster(ecs_client)
    ecs_eks_mock.clock.freeze()
    fail_tasks(ecs_eks_mock, family="web", exit_code=137, after=30,
               reason="OutOfMemoryError: Container killed due to memory usage")
    task, = run_fargate(ecs_client)
    ecs_eks_mock.clock.advance(29)
    assert describe_task(ecs_client, task["taskArn"])["lastStatus"] == "RUNNING"
    ecs_eks_mock.clock.advance(1)
    exited = describe_task(ecs_client, task["taskArn"])
    assert (exited["desiredStatus"], exited["stopCode"], exited["stoppedReason"]) == (
        "STOPPED", "EssentialContainerExited", "Essential container in task exited")
    container = exited["containers"][0]
    assert (container["exitCode"], container["reason"], container["lastStatus"]) == (
        137, "OutOfMemoryError: Container killed due to memory usage", "STOPPED")
    assert exited["executionStoppedAt"] == exited["stoppingAt"]


def test_a_non_essential_container_exit_leaves_the_task_running(ecs_eks_mock, ecs_client):
    fargate_cluster(ecs_client, containers=[{"name": "app", "image": "nginx"},
                                            {"name": "init", "image": "busybox", "essential": False}])
    fail_tasks(ecs_eks_mock, image="busybox", exit_code=0)
    task, = run_fargate(ecs_client)
    described = describe_task(ecs_client, task["taskArn"])
    assert described["lastStatus"] == "RUNNING"
    assert {c["name"]: (c["lastStatus"], c.get("exitCode")) for c in described["containers"]} == {
        "app": ("RUNNING", None), "init": ("STOPPED", 0)}


def test_rules_match_image_globs_and_families_and_count_their_tasks(ecs_eks_mock, ecs_client):
    fargate_cluster(ecs_client, containers=[{"name": "app", "image": "registry/web:v2"}])
    fargate_task_definition(ecs_client, "other", containers=[{"name": "app", "image": "registry/web:v2"}])
    fail_tasks(ecs_eks_mock, image="*:v2", family="web", count=2)
    statuses = [describe_task(ecs_client, run_fargate(ecs_client, family=family)[0]["taskArn"])["lastStatus"]
                for family in ("other", "web", "web", "web")]
    assert statuses == ["RUNNING", "STOPPED", "STOPPED", "RUNNING"]
    assert failure_rules(ecs_eks_mock) == []          # a rule whose count is used up is gone


def test_rules_are_listed_removed_and_cleared_by_a_reset(ecs_eks_mock):
    first = fail_tasks(ecs_eks_mock, image="a")
    second = fail_tasks(ecs_eks_mock, family="b", exit_code=1, after=5)
    assert failure_rules(ecs_eks_mock) == [first, second]
    assert (first["failure"], second["failure"]) == ("TaskFailedToStart", "EssentialContainerExited")
    assert clear_failures(ecs_eks_mock, first["id"]) == 1
    assert failure_rules(ecs_eks_mock) == [second]
    ecs_eks_mock.reset()
    assert failure_rules(ecs_eks_mock) == []


def test_rules_belong_to_one_region(ecs_eks_mock, ecs_client):
    fail_tasks(ecs_eks_mock, family="web", region="eu-west-1")
    fargate_cluster(ecs_client)
    task, = run_fargate(ecs_client)
    assert describe_task(ecs_client, task["taskArn"])["lastStatus"] == "RUNNING"
    assert failure_rules(ecs_eks_mock) == [] and len(failure_rules(ecs_eks_mock, region="eu-west-1")) == 1


def test_rules_belong_to_one_account(ecs_eks_mock, ecs_client):
    """Without ``account`` a rule is the default account's; another account's tasks follow only its own rules."""
    other = boto3.client("ecs", region_name="us-east-1", aws_access_key_id="111122223333",
                         aws_secret_access_key="testing")
    fail_tasks(ecs_eks_mock, family="web", account="111122223333")
    for client in (ecs_client, other):
        fargate_cluster(client)
    assert describe_task(ecs_client, run_fargate(ecs_client)[0]["taskArn"])["lastStatus"] == "RUNNING"
    assert describe_task(other, run_fargate(other)[0]["taskArn"])["stopCode"] == "TaskFailedToStart"
    assert failure_rules(ecs_eks_mock) == []
    assert len(failure_rules(ecs_eks_mock, account="111122223333")) == 1
    assert clear_failures(ecs_eks_mock) == 0
    assert clear_failures(ecs_eks_mock, account="111122223333") == 1


def test_a_rule_needs_an_image_or_a_family(ecs_eks_mock):
    with pytest.raises(ValueError):
        fail_tasks(ecs_eks_mock, reason="nothing to match")


def test_a_hook_rule_needs_a_target_and_a_status_a_lambda_can_answer(ecs_eks_mock):
    with pytest.raises(ValueError):
        fail_hooks(ecs_eks_mock, "arn:aws:lambda:us-east-1:123456789012:function:check", status="SUCCEEDED")
    with pytest.raises(ValueError):
        fail_hooks(ecs_eks_mock, "")


def _admin(server, method: str, body: dict | None = None, query: str = "") -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{server.url}/_emulator/ecs/failures{query}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def test_the_admin_endpoint_declares_lists_and_removes_rules(emulator_server):
    rule = _admin(emulator_server, "POST", {"image": "nginx:bad", "reason": "CannotPullContainerError: denied"})
    assert _admin(emulator_server, "GET") == {"rules": [rule]}
    ecs = boto3.client("ecs", endpoint_url=emulator_server.url, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    fargate_cluster(ecs, containers=[{"name": "app", "image": "nginx:bad"}])
    task, = run_fargate(ecs)
    stopped = describe_task(ecs, task["taskArn"])
    assert (stopped["stopCode"], stopped["stoppedReason"]) == ("TaskFailedToStart",
                                                               "CannotPullContainerError: denied")
    assert _admin(emulator_server, "DELETE", query=f"?id={rule['id']}") == {"removed": 1}
    assert _admin(emulator_server, "GET") == {"rules": []}


def test_the_admin_endpoint_declares_what_a_lambda_lifecycle_hook_answers(emulator_server):
    arn = "arn:aws:lambda:us-east-1:123456789012:function:check"
    rule = _admin(emulator_server, "POST", {"hookTargetArn": arn, "hookStatus": "IN_PROGRESS", "callBackDelay": 10,
                                            "count": 2})
    assert rule == {"id": rule["id"], "failure": "LifecycleHook", "hookTargetArn": arn, "hookStatus": "IN_PROGRESS",
                    "callBackDelay": 10.0, "remaining": 2}
    failed = _admin(emulator_server, "POST", {"hookTargetArn": arn})
    assert failed["hookStatus"] == "FAILED" and failed["callBackDelay"] == 30.0
    assert _admin(emulator_server, "GET") == {"rules": [rule, failed]}
    assert _admin(emulator_server, "DELETE") == {"removed": 2}


def test_the_admin_endpoint_keeps_rules_per_account_and_region(emulator_server):
    rule = _admin(emulator_server, "POST", {"family": "web", "account": "111122223333", "region": "eu-west-1"})
    assert _admin(emulator_server, "GET") == {"rules": []}
    assert _admin(emulator_server, "GET", query="?account=111122223333&region=eu-west-1") == {"rules": [rule]}
    assert failure_rules(emulator_server, account="111122223333", region="eu-west-1") == [rule]
    assert _admin(emulator_server, "DELETE", query="?account=111122223333&region=eu-west-1") == {"removed": 1}


def test_the_admin_endpoint_refuses_a_rule_without_image_or_family(emulator_server):
    with pytest.raises(urllib.error.HTTPError) as info:
        _admin(emulator_server, "POST", {"exitCode": 1})
    assert info.value.code == 400
    assert json.loads(info.value.read())["__type"] == "InvalidRequest"
