"""Task sets through boto3 in mock_aws: services with EXTERNAL and CODE_DEPLOY deployment controllers, scale and
computedDesiredCount, the tasks a task set runs, PRIMARY/ACTIVE/DRAINING, stability, limits and errors."""
import re

import pytest

from emulator.ecs.failures import fail_tasks
from tests.ecs.lifecycle_support import TASK_STEPS, error_of
from tests.ecs.task_support import register_instance

ACCOUNT = "123456789012"
ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}"
AWSVPC = {"awsvpcConfiguration": {"subnets": ["subnet-0123456789abcdef0"], "securityGroups": ["sg-0123456789abcdef0"]}}


@pytest.fixture
def ecs(ecs_client):
    """Cluster c, Fargate task definitions web:1 and web:2, service s (EXTERNAL controller, desiredCount 4)."""
    ecs_client.create_cluster(clusterName="c")
    for image in ("nginx:1", "nginx:2"):
        ecs_client.register_task_definition(
            family="web", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
            containerDefinitions=[{"name": "app", "image": image, "portMappings": [{"containerPort": 80}]}],
            tags=[{"key": "from", "value": "definition"}])
    ecs_client.create_service(cluster="c", serviceName="s", desiredCount=4, deploymentController={"type": "EXTERNAL"},
                              tags=[{"key": "from", "value": "service"}], propagateTags="SERVICE")
    return ecs_client


def create(client, definition="web:1", service="s", **params):
    params.setdefault("launchType", "FARGATE")
    params.setdefault("networkConfiguration", AWSVPC)
    return client.create_task_set(cluster="c", service=service, taskDefinition=definition, **params)["taskSet"]


def describe(client, task_set, service="s", **params):
    return client.describe_task_sets(cluster="c", service=service, taskSets=[task_set], **params)["taskSets"][0]


def service_of(client, name="s"):
    return client.describe_services(cluster="c", services=[name])["services"][0]


def tasks_of(client, task_set_id, desired="RUNNING"):
    arns = client.list_tasks(cluster="c", startedBy=task_set_id, desiredStatus=desired)["taskArns"]
    return client.describe_tasks(cluster="c", tasks=arns, include=["TAGS"])["tasks"] if arns else []


# -- CreateTaskSet -------------------------------------------------------------------------------------------

def test_an_external_service_has_no_deployments_and_no_task_sets(ecs):
    service = service_of(ecs)
    assert (service["deployments"], service["taskSets"], service["deploymentController"]) == (
        [], [], {"type": "EXTERNAL"})


def test_create_answers_before_any_task_starts(ecs_eks_mock, ecs):
    now = ecs_eks_mock.clock.freeze()
    task_set = create(ecs, scale={"value": 50, "unit": "PERCENT"}, externalId="blue",
                      tags=[{"key": "color", "value": "blue"}])
    assert re.fullmatch(r"ecs-svc/\d{19}", task_set["id"])
    assert task_set["taskSetArn"] == f"{ARN}:task-set/c/s/{task_set['id']}"
    created = {k: task_set[k].timestamp() for k in ("createdAt", "updatedAt", "stabilityStatusAt")}
    assert created == {"createdAt": now, "updatedAt": now, "stabilityStatusAt": now}
    assert {k: v for k, v in task_set.items() if k not in created and k not in ("id", "taskSetArn")} == {
        "serviceArn": f"{ARN}:service/c/s", "clusterArn": f"{ARN}:cluster/c", "externalId": "blue",
        "status": "ACTIVE", "taskDefinition": f"{ARN}:task-definition/web:1", "computedDesiredCount": 0,
        "pendingCount": 0, "runningCount": 0, "launchType": "FARGATE", "platformVersion": "1.4.0",
        "platformFamily": "Linux", "loadBalancers": [], "serviceRegistries": [],
        "networkConfiguration": {"awsvpcConfiguration": {**AWSVPC["awsvpcConfiguration"], "assignPublicIp": "DISABLED"}},
        "scale": {"value": 50.0, "unit": "PERCENT"}, "stabilityStatus": "STABILIZING",
        "tags": [{"key": "color", "value": "blue"}]}


def test_the_task_set_runs_its_share_of_the_desired_count(ecs_eks_mock, ecs):
    task_set = create(ecs, scale={"value": 50, "unit": "PERCENT"})
    current = describe(ecs, task_set["id"])
    assert (current["computedDesiredCount"], current["runningCount"], current["stabilityStatus"]) == (
        2, 2, "STEADY_STATE")
    tasks = tasks_of(ecs, task_set["id"])
    assert [(t["startedBy"], t["group"], t["taskDefinitionArn"]) for t in tasks] == [
        (task_set["id"], "service:s", f"{ARN}:task-definition/web:1")] * 2
    assert {t["key"]: t["value"] for t in tasks[0]["tags"]} == {"from": "service"}     # propagateTags SERVICE
    assert sorted(ecs.list_tasks(cluster="c", serviceName="s")["taskArns"]) == sorted(t["taskArn"] for t in tasks)
    assert service_of(ecs)["runningCount"] == 2


@pytest.mark.parametrize("value, expected", [(0, 0), (20, 1), (25, 1), (26, 2), (100, 4)])
def test_computed_desired_count_rounds_up(ecs, value, expected):
    task_set = create(ecs, scale={"value": value, "unit": "PERCENT"})
    assert describe(ecs, task_set["id"])["computedDesiredCount"] == expected


def test_scale_defaults_to_zero_percent(ecs):
    task_set = create(ecs)
    assert task_set["scale"] == {"value": 0.0, "unit": "PERCENT"}
    assert describe(ecs, task_set["id"])["stabilityStatus"] == "STEADY_STATE"


def test_stability_follows_the_tasks_on_the_clock(ecs_eks_mock, ecs):
    ecs_eks_mock.config.set_timing(**TASK_STEPS)
    start = ecs_eks_mock.clock.freeze()
    task_set = create(ecs, scale={"value": 100, "unit": "PERCENT"})
    current = describe(ecs, task_set["id"])
    assert (current["pendingCount"], current["stabilityStatus"]) == (4, "STABILIZING")
    ecs_eks_mock.clock.advance(3)
    current = describe(ecs, task_set["id"])
    assert (current["runningCount"], current["stabilityStatus"]) == (4, "STEADY_STATE")
    assert current["stabilityStatusAt"].timestamp() == start + 3


def test_the_service_launch_type_is_the_default(ecs):
    ecs.create_service(cluster="c", serviceName="f", desiredCount=1, launchType="FARGATE", taskDefinition="web:1",
                       networkConfiguration=AWSVPC, deploymentController={"type": "EXTERNAL"})
    assert ecs.create_task_set(cluster="c", service="f", taskDefinition="web:2", networkConfiguration=AWSVPC)[
        "taskSet"]["launchType"] == "FARGATE"


def test_at_most_five_task_sets(ecs):
    for _ in range(5):
        create(ecs)
    assert error_of(create, client=ecs) == (
        "InvalidParameterException",
        "5 deployments exist on the service. Unable to create new TaskSet since this exceeds the maximum limit.")


def test_task_sets_need_an_external_or_code_deploy_controller(ecs):
    ecs.create_service(cluster="c", serviceName="rolling", desiredCount=0, taskDefinition="web:1",
                       launchType="FARGATE", networkConfiguration=AWSVPC)
    message = ("InvalidParameterException", "Amazon ECS only supports task set management on services configured "
                                            "to use external deployment controllers.")
    assert error_of(create, client=ecs, service="rolling") == message
    assert error_of(ecs.describe_task_sets, cluster="c", service="rolling", taskSets=["ecs-svc/1"]) == message


def test_create_in_an_unknown_service(ecs):
    assert error_of(create, client=ecs, service="ghost") == ("ServiceNotFoundException", "Service not found.")


def test_create_in_a_missing_cluster(ecs):
    assert error_of(ecs.create_task_set, cluster="nope", service="s", taskDefinition="web:1") == (
        "ClusterNotFoundException", "Cluster not found.")


def test_create_in_a_service_being_deleted(ecs):
    ecs.delete_service(cluster="c", service="s", force=True)
    assert error_of(create, client=ecs) == ("ServiceNotActiveException", "Service was not ACTIVE.")


def test_create_with_an_unknown_task_definition(ecs):
    assert error_of(create, client=ecs, definition="nope:1") == ("ClientException", "TaskDefinition not found.")


def test_create_with_an_inactive_task_definition(ecs):
    ecs.deregister_task_definition(taskDefinition="web:1")
    assert error_of(create, client=ecs) == ("ClientException", "TaskDefinition is inactive")


@pytest.mark.parametrize("value", [-1, 100.5])
def test_scale_range(ecs, value):
    assert error_of(create, client=ecs, scale={"value": value, "unit": "PERCENT"}) == (
        "InvalidParameterException", "scale value must be between 0 and 100.")


def test_launch_rules_apply(ecs):
    assert error_of(create, client=ecs, networkConfiguration={}) == (
        "InvalidParameterException", "Network Configuration must be provided when networkMode 'awsvpc' is specified.")


def test_load_balancer_containers_are_checked(ecs):
    balancer = {"targetGroupArn": f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/tg/1",
                "containerName": "app", "containerPort": 8080}
    assert error_of(create, client=ecs, loadBalancers=[balancer]) == (
        "InvalidParameterException", "The container app did not have a container port 8080 defined.")


def test_the_same_client_token_returns_the_same_task_set(ecs):
    first = create(ecs, clientToken="deploy-1")
    assert create(ecs, clientToken="deploy-1")["id"] == first["id"]
    assert error_of(create, client=ecs, definition="web:2", clientToken="deploy-1") == (
        "InvalidParameterException", "The clientToken is already in use with a different CreateTaskSet request.")


def test_a_task_set_places_its_tasks_on_an_instance_that_registers(ecs):
    ecs.register_task_definition(family="batch", containerDefinitions=[
        {"name": "worker", "image": "busybox", "cpu": 128, "memory": 256}])
    ecs.create_service(cluster="c", serviceName="e", desiredCount=2, deploymentController={"type": "EXTERNAL"})
    task_set = ecs.create_task_set(cluster="c", service="e", taskDefinition="batch", launchType="EC2",
                                   scale={"value": 100, "unit": "PERCENT"})["taskSet"]
    assert describe(ecs, task_set["id"], service="e")["runningCount"] == 0
    instance = register_instance(ecs)
    tasks = tasks_of(ecs, task_set["id"])
    assert [(t["containerInstanceArn"], t["lastStatus"]) for t in tasks] == [
        (instance["containerInstanceArn"], "RUNNING")] * 2


# -- UpdateTaskSet / UpdateServicePrimaryTaskSet ------------------------------------------------------------

def test_update_scale_starts_and_stops_tasks(ecs_eks_mock, ecs):
    task_set = create(ecs, scale={"value": 100, "unit": "PERCENT"})
    describe(ecs, task_set["id"])
    now = ecs_eks_mock.clock.freeze()
    updated = ecs.update_task_set(cluster="c", service="s", taskSet=task_set["taskSetArn"],
                                  scale={"value": 25, "unit": "PERCENT"})["taskSet"]
    assert (updated["scale"]["value"], updated["updatedAt"].timestamp()) == (25.0, now)
    current = describe(ecs, task_set["id"])
    assert (current["computedDesiredCount"], current["runningCount"]) == (1, 1)
    stopped = tasks_of(ecs, task_set["id"], desired="STOPPED")
    assert {(t["stopCode"], t["stoppedReason"]) for t in stopped} == {
        ("ServiceSchedulerInitiated", f"Scaling activity initiated by (deployment {task_set['id']})")}


def test_a_stopped_task_is_replaced(ecs):
    task_set = create(ecs, scale={"value": 25, "unit": "PERCENT"})
    [task] = tasks_of(ecs, task_set["id"])
    ecs.stop_task(cluster="c", task=task["taskArn"])
    [replacement] = tasks_of(ecs, task_set["id"])
    assert replacement["taskArn"] != task["taskArn"]


def test_the_service_desired_count_scales_its_task_sets_in_the_same_request(ecs_eks_mock, ecs):
    """UpdateService's answer already shows every task set's new computedDesiredCount and the tasks it started."""
    half = create(ecs, scale={"value": 50, "unit": "PERCENT"})
    quarter = create(ecs, definition="web:2", scale={"value": 25, "unit": "PERCENT"})
    assert service_of(ecs)["runningCount"] == 3
    ecs_eks_mock.config.set_timing(**TASK_STEPS)
    ecs_eks_mock.clock.freeze()
    service = ecs.update_service(cluster="c", service="s", desiredCount=10)["service"]
    counts = {s["id"]: (s["computedDesiredCount"], s["runningCount"], s["pendingCount"]) for s in service["taskSets"]}
    assert counts == {half["id"]: (5, 2, 3), quarter["id"]: (3, 1, 2)}
    assert (service["runningCount"], service["pendingCount"]) == (3, 5)
    ecs_eks_mock.clock.advance(3)
    service = service_of(ecs)
    assert {s["id"]: s["runningCount"] for s in service["taskSets"]} == {half["id"]: 5, quarter["id"]: 3}
    assert (service["runningCount"], service["pendingCount"]) == (8, 0)


def test_scaling_the_service_in_stops_task_set_tasks_in_the_same_request(ecs):
    task_set = create(ecs, scale={"value": 100, "unit": "PERCENT"})
    assert len(tasks_of(ecs, task_set["id"])) == 4
    [current] = ecs.update_service(cluster="c", service="s", desiredCount=1)["service"]["taskSets"]
    assert current["computedDesiredCount"] == 1
    assert len(ecs.list_tasks(cluster="c", startedBy=task_set["id"], desiredStatus="STOPPED")["taskArns"]) == 3


def test_a_code_deploy_service_task_set_follows_the_desired_count(ecs):
    ecs.create_service(cluster="c", serviceName="cd", desiredCount=2, taskDefinition="web:1", launchType="FARGATE",
                       networkConfiguration=AWSVPC, deploymentController={"type": "CODE_DEPLOY"})
    [task_set] = ecs.update_service(cluster="c", service="cd", desiredCount=3)["service"]["taskSets"]
    assert task_set["computedDesiredCount"] == 3
    service = service_of(ecs, "cd")
    assert (service["runningCount"], service["taskSets"][0]["runningCount"]) == (3, 3)


def test_a_task_that_exits_is_replaced(ecs_eks_mock, ecs):
    """A task-set task that stops by itself (here: its essential container exits) is replaced at once."""
    fail_tasks(ecs_eks_mock, image="nginx:1", exit_code=1, after=10, count=1)
    ecs_eks_mock.clock.freeze()
    task_set = create(ecs, scale={"value": 25, "unit": "PERCENT"})
    [task] = tasks_of(ecs, task_set["id"])
    ecs_eks_mock.clock.advance(10)
    [replacement] = tasks_of(ecs, task_set["id"])
    assert replacement["taskArn"] != task["taskArn"]
    [stopped] = tasks_of(ecs, task_set["id"], desired="STOPPED")
    assert stopped["stopCode"] == "EssentialContainerExited"


def test_primary_task_set_switch(ecs_eks_mock, ecs):
    blue = create(ecs, scale={"value": 100, "unit": "PERCENT"})
    green = create(ecs, definition="web:2", scale={"value": 100, "unit": "PERCENT"})
    assert ecs.update_service_primary_task_set(cluster="c", service="s", primaryTaskSet=blue["id"])[
        "taskSet"]["status"] == "PRIMARY"
    assert service_of(ecs)["taskDefinition"] == f"{ARN}:task-definition/web:1"
    now = ecs_eks_mock.clock.freeze()
    switched = ecs.update_service_primary_task_set(cluster="c", service="s", primaryTaskSet=green["taskSetArn"])
    assert (switched["taskSet"]["status"], switched["taskSet"]["updatedAt"].timestamp()) == ("PRIMARY", now)
    service = service_of(ecs)
    assert {s["id"]: s["status"] for s in service["taskSets"]} == {blue["id"]: "ACTIVE", green["id"]: "PRIMARY"}
    assert (service["taskDefinition"], service["launchType"], service["runningCount"]) == (
        f"{ARN}:task-definition/web:2", "FARGATE", 8)


@pytest.mark.parametrize("operation, member", [
    ("update_task_set", "taskSet"), ("delete_task_set", "taskSet"),
    ("update_service_primary_task_set", "primaryTaskSet")])
def test_unknown_task_set(ecs, operation, member):
    params = {"cluster": "c", "service": "s", member: "ecs-svc/1234567890123456789"}
    if operation == "update_task_set":
        params["scale"] = {"value": 10, "unit": "PERCENT"}
    assert error_of(getattr(ecs, operation), **params) == ("TaskSetNotFoundException", "Task set not found.")


def test_a_task_set_of_another_service_is_not_found(ecs):
    ecs.create_service(cluster="c", serviceName="other", desiredCount=1, deploymentController={"type": "EXTERNAL"})
    task_set = create(ecs, service="other")
    assert error_of(ecs.update_service_primary_task_set, cluster="c", service="s",
                    primaryTaskSet=task_set["taskSetArn"]) == ("TaskSetNotFoundException", "Task set not found.")


@pytest.mark.parametrize("value", [f"{ARN}:task/c/0123456789abcdef0123456789abcdef", "not-a-task-set",
                                   "ecs-svc/abc"])
def test_malformed_task_set_identifier(ecs, value):
    assert error_of(ecs.describe_task_sets, cluster="c", service="s", taskSets=[value]) == (
        "InvalidParameterException", "Task Set Identifier is invalid")


# -- DeleteTaskSet / DescribeTaskSets --------------------------------------------------------------------------

def test_delete_needs_force_while_scaled_above_zero(ecs):
    task_set = create(ecs, scale={"value": 50, "unit": "PERCENT"})
    assert error_of(ecs.delete_task_set, cluster="c", service="s", taskSet=task_set["id"]) == (
        "InvalidParameterException", "The task set cannot be deleted while it is scaled above 0.")


def test_delete_drains_the_task_set_then_it_is_gone(ecs_eks_mock, ecs):
    task_set = create(ecs, scale={"value": 50, "unit": "PERCENT"})
    tasks = tasks_of(ecs, task_set["id"])
    ecs_eks_mock.config.set_timing(**TASK_STEPS)
    ecs_eks_mock.clock.freeze()
    deleted = ecs.delete_task_set(cluster="c", service="s", taskSet=task_set["id"], force=True)["taskSet"]
    assert deleted["status"] == "DRAINING"
    assert describe(ecs, task_set["id"])["status"] == "DRAINING"
    assert ecs.delete_task_set(cluster="c", service="s", taskSet=task_set["id"])["taskSet"]["status"] == "DRAINING"
    assert error_of(ecs.update_task_set, cluster="c", service="s", taskSet=task_set["id"],
                    scale={"value": 10, "unit": "PERCENT"}) == (
        "InvalidParameterException", "The task set is being deleted and cannot be changed.")
    ecs_eks_mock.clock.advance(3)
    response = ecs.describe_task_sets(cluster="c", service="s", taskSets=[task_set["taskSetArn"]])
    assert response == {**response, "taskSets": [], "failures": [{"arn": task_set["taskSetArn"], "reason": "MISSING"}]}
    assert {t["lastStatus"] for t in tasks_of(ecs, task_set["id"], desired="STOPPED")} == {"STOPPED"}
    assert len(tasks) == 2
    assert service_of(ecs)["taskSets"] == []


def test_a_task_set_scaled_to_zero_deletes_without_force(ecs):
    task_set = create(ecs)
    assert ecs.delete_task_set(cluster="c", service="s", taskSet=task_set["id"])["taskSet"]["status"] == "DRAINING"
    assert service_of(ecs)["taskSets"] == []


def test_describe_needs_task_sets(ecs):
    assert error_of(ecs.describe_task_sets, cluster="c", service="s") == (
        "InvalidParameterException", "TaskSets cannot be empty.")


def test_describe_reports_missing_ones_and_tags_on_request(ecs):
    task_set = create(ecs, tags=[{"key": "color", "value": "blue"}])
    response = ecs.describe_task_sets(cluster="c", service="s", taskSets=[task_set["id"], "ecs-svc/42"])
    assert [s["id"] for s in response["taskSets"]] == [task_set["id"]]
    assert "tags" not in response["taskSets"][0]
    assert response["failures"] == [{"arn": f"{ARN}:task-set/c/s/ecs-svc/42", "reason": "MISSING"}]
    assert describe(ecs, task_set["id"], include=["TAGS"])["tags"] == [{"key": "color", "value": "blue"}]


def test_task_set_tags(ecs):
    arn = create(ecs)["taskSetArn"]
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "tier", "value": "1"}])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "tier", "value": "1"}]
    assert error_of(ecs.list_tags_for_resource, resourceArn=f"{ARN}:task-set/c/s/ecs-svc/42") == (
        "ResourceNotFoundException", "The specified resource could not be found.")


def test_deleting_the_service_stops_the_task_set_tasks(ecs):
    task_set = create(ecs, scale={"value": 50, "unit": "PERCENT"})
    tasks_of(ecs, task_set["id"])
    ecs.delete_service(cluster="c", service="s", force=True)
    assert service_of(ecs)["status"] == "INACTIVE"
    assert tasks_of(ecs, task_set["id"]) == []


# -- CODE_DEPLOY -----------------------------------------------------------------------------------------------

def test_a_code_deploy_service_starts_with_a_primary_task_set(ecs):
    ecs.create_service(cluster="c", serviceName="cd", desiredCount=2, taskDefinition="web:1", launchType="FARGATE",
                       networkConfiguration=AWSVPC, deploymentController={"type": "CODE_DEPLOY"})
    service = service_of(ecs, "cd")
    [task_set] = service["taskSets"]
    assert (task_set["status"], task_set["scale"], task_set["computedDesiredCount"]) == (
        "PRIMARY", {"value": 100.0, "unit": "PERCENT"}, 2)
    assert "startedBy" not in task_set
    assert (service["deployments"], service["runningCount"]) == ([], 2)
    green = create(ecs, service="cd", definition="web:2")
    assert (green["startedBy"], green["status"]) == ("CODE_DEPLOY", "ACTIVE")
