"""Tagging ECS resources through boto3 in mock_aws: merge semantics, limits, reserved keys, lookups."""
from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError

from emulator.ecs import tags as ecs_tags
from emulator.ecs.errors import InvalidParameterException
from tests.ecs.lifecycle_support import error_of

ACCOUNT = "123456789012"
ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}"


def tag_list(**pairs):
    return [{"key": k, "value": v} for k, v in pairs.items()]


@pytest.fixture
def cluster_arn(ecs_client):
    return ecs_client.create_cluster(clusterName="prod")["cluster"]["clusterArn"]


@pytest.fixture
def task_definition_arn(ecs_client):
    return ecs_client.register_task_definition(
        family="web", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 128}]
    )["taskDefinition"]["taskDefinitionArn"]


@pytest.fixture
def capacity_provider_arn(ecs_client):
    return ecs_client.create_capacity_provider(
        name="cp", autoScalingGroupProvider={"autoScalingGroupArn": "asg-1"})["capacityProvider"]["capacityProviderArn"]


@pytest.mark.parametrize("resource", ["cluster_arn", "task_definition_arn", "capacity_provider_arn"])
def test_tag_list_untag_each_resource_type(ecs_client, request, resource):
    arn = request.getfixturevalue(resource)
    ecs_client.tag_resource(resourceArn=arn, tags=tag_list(team="a", env="dev"))
    assert ecs_client.list_tags_for_resource(resourceArn=arn)["tags"] == tag_list(team="a", env="dev")
    ecs_client.untag_resource(resourceArn=arn, tagKeys=["team", "absent"])
    assert ecs_client.list_tags_for_resource(resourceArn=arn)["tags"] == tag_list(env="dev")


def test_tags_merge_and_overwrite(ecs_client, cluster_arn):
    ecs_client.tag_resource(resourceArn=cluster_arn, tags=tag_list(team="a", env="dev"))
    ecs_client.tag_resource(resourceArn=cluster_arn, tags=tag_list(env="prod", owner="me"))
    assert ecs_client.list_tags_for_resource(resourceArn=cluster_arn)["tags"] == tag_list(team="a", env="prod",
                                                                                        owner="me")


def test_tags_show_in_describe_with_include(ecs_client, task_definition_arn):
    ecs_client.tag_resource(resourceArn=task_definition_arn, tags=tag_list(team="a"))
    out = ecs_client.describe_task_definition(taskDefinition=task_definition_arn, include=["TAGS"])
    assert out["tags"] == tag_list(team="a")


def test_empty_value_is_allowed(ecs_client, cluster_arn):
    ecs_client.tag_resource(resourceArn=cluster_arn, tags=[{"key": "flag", "value": ""}])
    assert ecs_client.list_tags_for_resource(resourceArn=cluster_arn)["tags"] == [{"key": "flag", "value": ""}]


def test_unicode_letters_and_allowed_marks(ecs_client, cluster_arn):
    tags = tag_list(**{"équipe": "données", "a b_.:/=+-@": "x y"})
    ecs_client.tag_resource(resourceArn=cluster_arn, tags=tags)
    assert ecs_client.list_tags_for_resource(resourceArn=cluster_arn)["tags"] == tags


def test_fifty_tags_is_the_limit(ecs_client, cluster_arn):
    ecs_client.tag_resource(resourceArn=cluster_arn, tags=[{"key": f"k{i}", "value": "v"} for i in range(50)])
    ecs_client.tag_resource(resourceArn=cluster_arn, tags=tag_list(k0="overwritten"))   # no new key
    assert error_of(ecs_client.tag_resource, resourceArn=cluster_arn, tags=tag_list(k50="v")) == (
        "LimitExceededException",
        "Failed to tag resource. Exceeded the maximum number of tags of 50 per resource.")
    assert len(ecs_client.list_tags_for_resource(resourceArn=cluster_arn)["tags"]) == 50


@pytest.mark.parametrize("key", ["aws:team", "AWS:team", "Aws:x"])
def test_reserved_prefix_in_keys(ecs_client, cluster_arn, key):
    """The prefix is reserved in any case; the wording is this emulator's choice."""
    assert error_of(ecs_client.tag_resource, resourceArn=cluster_arn, tags=[{"key": key, "value": "v"}]) == (
        "InvalidParameterException", "Tag keys and values beginning with 'aws:' are reserved for AWS use.")


def test_reserved_prefix_in_values(ecs_client, cluster_arn):
    assert error_of(ecs_client.tag_resource, resourceArn=cluster_arn, tags=tag_list(team="aws:x"))[1] == \
        "Tag keys and values beginning with 'aws:' are reserved for AWS use."


def test_reserved_keys_cannot_be_removed(ecs_client, cluster_arn):
    assert error_of(ecs_client.untag_resource, resourceArn=cluster_arn, tagKeys=["aws:ecs:clusterName"]) == (
        "InvalidParameterException", "Tag keys and values beginning with 'aws:' are reserved for AWS use.")


def test_key_with_invalid_characters(ecs_client, cluster_arn):
    assert error_of(ecs_client.tag_resource, resourceArn=cluster_arn, tags=tag_list(**{"a*b": "v"})) == (
        "InvalidParameterException",
        "Tag key contains invalid characters. Tag keys may only contain letters, numbers, spaces and the following "
        "characters: _ . : / = + - @")


def test_value_with_invalid_characters(ecs_client, cluster_arn):
    assert error_of(ecs_client.tag_resource, resourceArn=cluster_arn, tags=tag_list(k="a;b"))[1].startswith(
        "Tag value contains invalid characters.")


def test_key_too_long(ecs_client, cluster_arn):
    code, message = error_of(ecs_client.tag_resource, resourceArn=cluster_arn, tags=tag_list(**{"k" * 129: "v"}))
    assert code == "InvalidParameterException"
    assert "at most 128" in message


def test_value_too_long(ecs_client, cluster_arn):
    code, message = error_of(ecs_client.tag_resource, resourceArn=cluster_arn, tags=tag_list(k="v" * 257))
    assert code == "InvalidParameterException"
    assert "at most 256" in message


def test_duplicate_keys_in_one_request(ecs_client, cluster_arn):
    """The wording is this emulator's choice."""
    tags = [{"key": "k", "value": "1"}, {"key": "k", "value": "2"}]
    assert error_of(ecs_client.tag_resource, resourceArn=cluster_arn, tags=tags) == (
        "InvalidParameterException", "Duplicate tag keys are not allowed.")


def test_unknown_cluster(ecs_client):
    arn = f"{ARN}:cluster/ghost"
    for call, extra in ((ecs_client.list_tags_for_resource, {}), (ecs_client.tag_resource, {"tags": tag_list(k="v")}),
                        (ecs_client.untag_resource, {"tagKeys": ["k"]})):
        assert error_of(call, resourceArn=arn, **extra) == ("ClusterNotFoundException", "Cluster not found.")


def test_inactive_cluster_keeps_its_tags_but_refuses_changes(ecs_client, cluster_arn):
    ecs_client.tag_resource(resourceArn=cluster_arn, tags=tag_list(team="a"))
    ecs_client.delete_cluster(cluster="prod")
    assert ecs_client.list_tags_for_resource(resourceArn=cluster_arn)["tags"] == tag_list(team="a")
    assert error_of(ecs_client.tag_resource, resourceArn=cluster_arn, tags=tag_list(k="v")) == (
        "ClusterNotFoundException", "The referenced cluster was inactive.")


@pytest.mark.parametrize("arn", [f"{ARN}:task-definition/ghost:1", f"{ARN}:capacity-provider/ghost"])
def test_unknown_resource(ecs_client, arn):
    """The wording is this emulator's choice."""
    assert error_of(ecs_client.list_tags_for_resource, resourceArn=arn) == (
        "ResourceNotFoundException", "The specified resource could not be found.")


def test_resource_of_another_region(ecs_client, task_definition_arn):
    other = task_definition_arn.replace("us-east-1", "eu-west-1")
    assert error_of(ecs_client.list_tags_for_resource, resourceArn=other)[0] == "ResourceNotFoundException"


@pytest.mark.parametrize("arn", [
    "prod",
    "arn:aws:ecr:us-east-1:123456789012:repository/app",      # not ECS
    f"{ARN}:widget/x",                                        # not a taggable type
    f"{ARN}:cluster/",
    "arn:aws:ecs",
])
def test_malformed_arn(ecs_client, arn):
    assert error_of(ecs_client.list_tags_for_resource, resourceArn=arn) == (
        "InvalidParameterException", "The ARN provided is invalid.")


def test_tags_given_at_creation_obey_the_same_rules(ecs_client):
    with pytest.raises(ClientError) as info:
        ecs_client.create_capacity_provider(name="cp", autoScalingGroupProvider={"autoScalingGroupArn": "asg-1"},
                                            tags=tag_list(**{"aws:x": "v"}))
    assert info.value.response["Error"]["Code"] == "InvalidParameterException"


# --- the registry, as resource modules use it ------------------------------------------------------

@pytest.fixture
def widgets(monkeypatch):
    """A resource type registered the way tasks and services register theirs."""
    items = {"prod/w1": SimpleNamespace(tags={}, stopped=False), "prod/w2": SimpleNamespace(tags={}, stopped=True)}

    def refuse_stopped(widget):
        if widget.stopped:
            raise InvalidParameterException(ecs_tags.TASK_STOPPED)

    def find(ctx, arn):
        return items[arn.split(":widget/", 1)[1]]

    monkeypatch.setattr(ecs_tags, "TAGGABLE_TYPES", dict(ecs_tags.TAGGABLE_TYPES))
    ecs_tags.taggable("widget", refuse_stopped, long_arn_segments=2)(find)
    return items


def test_registered_type_is_taggable(ecs_client, widgets):
    ecs_client.tag_resource(resourceArn=f"{ARN}:widget/prod/w1", tags=tag_list(k="v"))
    assert widgets["prod/w1"].tags == {"k": "v"}


def test_short_arn_of_a_cluster_scoped_type(ecs_client, widgets):
    assert error_of(ecs_client.tag_resource, resourceArn=f"{ARN}:widget/w1", tags=tag_list(k="v")) == (
        "InvalidParameterException", "Long arn format must be used for tagging operations")


def test_guard_refuses_changes_but_not_listing(ecs_client, widgets):
    arn = f"{ARN}:widget/prod/w2"
    assert error_of(ecs_client.tag_resource, resourceArn=arn, tags=tag_list(k="v")) == (
        "InvalidParameterException", "The specified task is stopped. Specify a running task and try again.")
    assert error_of(ecs_client.untag_resource, resourceArn=arn, tagKeys=["k"])[0] == "InvalidParameterException"
    assert ecs_client.list_tags_for_resource(resourceArn=arn)["tags"] == []


def test_taggable_decorator_registers(monkeypatch):
    monkeypatch.setattr(ecs_tags, "TAGGABLE_TYPES", {})

    @ecs_tags.taggable("gizmo", long_arn_segments=2)
    def find(ctx, arn):
        return None

    assert ecs_tags.TAGGABLE_TYPES["gizmo"].finder is find
    assert ecs_tags.TAGGABLE_TYPES["gizmo"].long_arn_segments == 2
