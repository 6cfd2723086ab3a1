"""Daemon task definitions through boto3 in mock_aws: registration rules, revisions, deletion on the clock,
listings and the two waiters."""
import pytest
from botocore.exceptions import WaiterError

from tests.ecs.lifecycle_support import error_of

ACCOUNT = "123456789012"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
DTD_ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}:daemon-task-definition"
AGENT = {"name": "agent", "image": "public.ecr.aws/cloudwatch-agent/cloudwatch-agent:latest", "memoryReservation": 128}
NO_WAIT = {"Delay": 0, "MaxAttempts": 2}


def register(client, family="monitoring", containers=None, **params):
    return client.register_daemon_task_definition(
        family=family, containerDefinitions=containers or [dict(AGENT)], **params)["daemonTaskDefinitionArn"]


def describe(client, identifier):
    return client.describe_daemon_task_definition(daemonTaskDefinition=identifier)["daemonTaskDefinition"]


def test_register_numbers_revisions_per_family(ecs_client):
    assert register(ecs_client) == f"{DTD_ARN}/monitoring:1"
    assert register(ecs_client) == f"{DTD_ARN}/monitoring:2"
    assert register(ecs_client, family="logs") == f"{DTD_ARN}/logs:1"


def test_describe_returns_the_normalized_definition(ecs_eks_mock, ecs_client):
    now = ecs_eks_mock.clock.freeze()
    arn = register(ecs_client, cpu="0.25 vCPU", memory="1 GB", taskRoleArn="agent-role", volumes=[
        {"name": "var-log", "host": {"sourcePath": "/var/log"}}], containers=[
        {**AGENT, "mountPoints": [{"sourceVolume": "var-log", "containerPath": "/var/log"}],
         "healthCheck": {"command": ["CMD", "true"]}}])
    definition = describe(ecs_client, arn)
    assert definition.pop("registeredAt").timestamp() == pytest.approx(now)
    assert definition == {
        "daemonTaskDefinitionArn": arn, "family": "monitoring", "revision": 1,
        "taskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/agent-role",
        "containerDefinitions": [{
            **AGENT, "cpu": 0, "essential": True, "environment": [], "systemControls": [],
            "mountPoints": [{"sourceVolume": "var-log", "containerPath": "/var/log"}],
            "healthCheck": {"command": ["CMD", "true"], "interval": 30, "timeout": 5, "retries": 3}}],
        "volumes": [{"name": "var-log", "host": {"sourcePath": "/var/log"}}],
        "cpu": "256", "memory": "1024", "status": "ACTIVE", "registeredBy": ROOT}


def test_describe_by_family_is_the_latest_active_revision(ecs_client):
    register(ecs_client)
    register(ecs_client)
    ecs_client.delete_daemon_task_definition(daemonTaskDefinition="monitoring:2")
    assert describe(ecs_client, "monitoring")["revision"] == 1
    assert describe(ecs_client, "monitoring:2")["revision"] == 2


def test_describe_unknown_definition(ecs_client):
    register(ecs_client)
    for identifier in ("nope", "monitoring:7", f"{DTD_ARN}/monitoring:9", "monitoring:x"):
        assert error_of(ecs_client.describe_daemon_task_definition, daemonTaskDefinition=identifier) == (
            "ClientException", "Unable to describe daemon task definition.")


@pytest.mark.parametrize("family", ["bad name", "a" * 256, "dots.not.allowed"])
def test_family_characters(ecs_client, family):
    assert error_of(ecs_client.register_daemon_task_definition, family=family,
                    containerDefinitions=[AGENT]) == ("ClientException", "Family contains invalid characters.")


@pytest.mark.parametrize("containers, message", [
    ([], "Container list cannot be empty."),
    ([{"image": "busybox", "memory": 64}], "Container.name should not be null or empty."),
    ([{"name": "a b", "image": "busybox", "memory": 64}], "Container.name contains invalid characters."),
    ([{"name": "a", "image": "", "memory": 64}], "Container.image should not be null or empty."),
    ([{"name": "a", "image": "$IMAGE", "memory": 64}], "Container.image contains invalid characters."),
    ([{"name": "a", "image": "busybox", "memory": 64}] * 2,
     "Container names must be unique within a Task Definition."),
    ([{"name": "a", "image": "busybox", "memory": 64, "essential": False}],
     "Task definition doesn't have any essential container."),
    ([{"name": "a", "image": "busybox"}],
     "Invalid setting for container 'a'. At least one of 'memory' or 'memoryReservation' must be specified."),
    ([{"name": "a", "image": "busybox", "memory": 64, "memoryReservation": 128}],
     "Invalid setting for container 'a'. 'memory' must be greater than or equal to 'memoryReservation'."),
])
def test_container_rules_are_those_of_task_definitions(ecs_client, containers, message):
    assert error_of(ecs_client.register_daemon_task_definition, family="f", containerDefinitions=containers) == (
        "ClientException", message)


def test_container_memory_cannot_exceed_the_task_memory(ecs_client):
    assert error_of(ecs_client.register_daemon_task_definition, family="f", memory="512",
                    containerDefinitions=[{"name": "a", "image": "busybox", "memory": 1024}]) == (
        "ClientException", "The 'memory' setting for container 'a' is greater than for the task.")


def test_task_cpu_must_parse(ecs_client):
    assert error_of(ecs_client.register_daemon_task_definition, family="f", cpu="lots",
                    containerDefinitions=[AGENT]) == (
        "ClientException", "Invalid 'cpu' setting for task. For more information, see the Troubleshooting "
                           "section of the Amazon ECS Developer Guide.")


def test_secrets_need_an_execution_role(ecs_client):
    container = {**AGENT, "secrets": [{"name": "TOKEN", "valueFrom": "arn:aws:ssm:us-east-1:1:parameter/t"}]}
    assert error_of(ecs_client.register_daemon_task_definition, family="f", containerDefinitions=[container]) == (
        "ClientException", "When you are specifying container secrets, you must also specify a value for "
                           "'executionRoleArn'.")


def test_delete_needs_a_revision(ecs_client):
    register(ecs_client)
    assert error_of(ecs_client.delete_daemon_task_definition, daemonTaskDefinition="monitoring") == (
        "ClientException", "You must specify a revision.")


def test_delete_unknown_revision(ecs_client):
    assert error_of(ecs_client.delete_daemon_task_definition, daemonTaskDefinition="monitoring:1") == (
        "ClientException", "Unable to describe daemon task definition.")


def test_delete_goes_through_delete_in_progress_to_deleted(ecs_eks_mock, ecs_client):
    ecs_eks_mock.config.set_timing(**{"ecs.daemon_task_definition.delete": 60})
    now = ecs_eks_mock.clock.freeze()
    arn = register(ecs_client)
    ecs_client.delete_daemon_task_definition(daemonTaskDefinition=arn)
    current = describe(ecs_client, arn)
    assert (current["status"], current["deleteRequestedAt"].timestamp()) == ("DELETE_IN_PROGRESS", now)
    ecs_eks_mock.clock.advance(59)
    assert describe(ecs_client, arn)["status"] == "DELETE_IN_PROGRESS"
    ecs_eks_mock.clock.advance(1)
    assert describe(ecs_client, arn)["status"] == "DELETED"


def test_delete_returns_the_arn(ecs_client):
    arn = register(ecs_client)
    assert ecs_client.delete_daemon_task_definition(daemonTaskDefinition="monitoring:1")[
        "daemonTaskDefinitionArn"] == arn


def test_only_active_definitions_can_be_deleted(ecs_eks_mock, ecs_client):
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"ecs.daemon_task_definition.delete": 60})
    register(ecs_client)
    ecs_client.delete_daemon_task_definition(daemonTaskDefinition="monitoring:1")
    assert error_of(ecs_client.delete_daemon_task_definition, daemonTaskDefinition="monitoring:1") == (
        "ClientException", "The specified daemon task definition is not in an ACTIVE state.")


def arns_of(response):
    return [item["arn"].rsplit("/", 1)[1] for item in response["daemonTaskDefinitions"]]


@pytest.fixture
def catalogue(ecs_eks_mock, ecs_client):
    """logs:1, logs:2 (deleting), monitoring:1..3 (2 deleted), metrics:1."""
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"ecs.daemon_task_definition.delete": 60})
    for family in ("logs", "logs", "monitoring", "monitoring", "monitoring", "metrics"):
        register(ecs_client, family=family)
    ecs_client.delete_daemon_task_definition(daemonTaskDefinition="monitoring:2")
    ecs_eks_mock.clock.advance(60)
    ecs_client.delete_daemon_task_definition(daemonTaskDefinition="logs:2")
    return ecs_client


def test_list_defaults_to_active_in_family_then_revision_order(catalogue):
    response = catalogue.list_daemon_task_definitions()
    assert arns_of(response) == ["logs:1", "metrics:1", "monitoring:1", "monitoring:3"]
    assert "nextToken" not in response
    summary = response["daemonTaskDefinitions"][0]
    assert set(summary) == {"arn", "registeredAt", "registeredBy", "status"}
    assert summary["status"] == "ACTIVE"


@pytest.mark.parametrize("status, expected", [
    ("DELETE_IN_PROGRESS", ["logs:2"]),
    ("ALL", ["logs:1", "logs:2", "metrics:1", "monitoring:1", "monitoring:2", "monitoring:3"]),
])
def test_list_by_status(catalogue, status, expected):
    assert arns_of(catalogue.list_daemon_task_definitions(status=status)) == expected


def test_list_all_shows_deleted_ones_with_their_status(catalogue):
    statuses = {s["arn"].rsplit("/", 1)[1]: s["status"]
                for s in catalogue.list_daemon_task_definitions(status="ALL")["daemonTaskDefinitions"]}
    assert statuses["monitoring:2"] == "DELETED"
    assert statuses["logs:2"] == "DELETE_IN_PROGRESS"


def test_list_filters_family_exactly_and_family_prefix_as_a_prefix(catalogue):
    assert arns_of(catalogue.list_daemon_task_definitions(family="monitoring")) == ["monitoring:1", "monitoring:3"]
    assert arns_of(catalogue.list_daemon_task_definitions(family="mon")) == []
    assert arns_of(catalogue.list_daemon_task_definitions(familyPrefix="m")) == [
        "metrics:1", "monitoring:1", "monitoring:3"]


def test_list_last_registered_is_the_newest_revision_matching_the_status(catalogue):
    """With a status filter, LAST_REGISTERED keeps each family's newest revision of that status (logs:2 is being
    deleted, so the newest ACTIVE logs revision is logs:1)."""
    assert arns_of(catalogue.list_daemon_task_definitions(revision="LAST_REGISTERED")) == [
        "logs:1", "metrics:1", "monitoring:3"]
    assert arns_of(catalogue.list_daemon_task_definitions(revision="LAST_REGISTERED", status="ALL")) == [
        "logs:2", "metrics:1", "monitoring:3"]


def test_list_descending(catalogue):
    assert arns_of(catalogue.list_daemon_task_definitions(sort="DESC")) == [
        "monitoring:3", "monitoring:1", "metrics:1", "logs:1"]


@pytest.mark.parametrize("sort", ["ASC", "DESC"])
def test_list_pages_in_both_directions(catalogue, sort):
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"nextToken": token} if token else {}
        response = catalogue.list_daemon_task_definitions(status="ALL", sort=sort, maxResults=4, **kwargs)
        seen += arns_of(response)
        pages += 1
        token = response.get("nextToken")
        if not token:
            break
    assert pages == 2
    assert seen == arns_of(catalogue.list_daemon_task_definitions(status="ALL", sort=sort))


def test_list_page_size_range(catalogue):
    assert error_of(catalogue.list_daemon_task_definitions, maxResults=101) == (
        "InvalidParameterException", "maxResults must be between 1 and 100, inclusive.")


def test_list_rejects_a_token_of_another_listing(catalogue):
    token = catalogue.list_daemon_task_definitions(status="ALL", maxResults=1)["nextToken"]
    assert error_of(catalogue.list_daemon_task_definitions, nextToken=token) == (
        "InvalidParameterException", "Invalid nextToken.")


def test_tags_given_at_registration_are_listed_and_can_change(ecs_client):
    arn = register(ecs_client, tags=[{"key": "team", "value": "obs"}])
    assert ecs_client.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "obs"}]
    ecs_client.tag_resource(resourceArn=arn, tags=[{"key": "tier", "value": "1"}])
    ecs_client.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert ecs_client.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "tier", "value": "1"}]


def test_tags_of_an_unknown_definition(ecs_client):
    assert error_of(ecs_client.list_tags_for_resource, resourceArn=f"{DTD_ARN}/nope:1") == (
        "ResourceNotFoundException", "The specified resource could not be found.")


def test_waiter_active(ecs_client):
    arn = register(ecs_client)
    ecs_client.get_waiter("daemon_task_definition_active").wait(daemonTaskDefinition=arn, WaiterConfig=NO_WAIT)


def test_waiter_active_fails_on_a_definition_being_deleted(ecs_eks_mock, ecs_client):
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"ecs.daemon_task_definition.delete": 60})
    arn = register(ecs_client)
    ecs_client.delete_daemon_task_definition(daemonTaskDefinition=arn)
    with pytest.raises(WaiterError) as info:
        ecs_client.get_waiter("daemon_task_definition_active").wait(daemonTaskDefinition=arn, WaiterConfig=NO_WAIT)
    assert "terminal failure state" in str(info.value)


def test_waiter_deleted(ecs_client):
    arn = register(ecs_client)
    ecs_client.delete_daemon_task_definition(daemonTaskDefinition=arn)
    ecs_client.get_waiter("daemon_task_definition_deleted").wait(daemonTaskDefinition=arn, WaiterConfig=NO_WAIT)
