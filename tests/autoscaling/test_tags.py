"""Tags of scalable targets: RegisterScalableTarget's Tags, TagResource, UntagResource, ListTagsForResource."""
import pytest

from emulator.autoscaling import tags
from tests.autoscaling.support import error_of, register, web_service

UNKNOWN = "arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/0123456789abcdef0123456789ab"


@pytest.fixture
def arn(ecs, aas):
    web_service(ecs)
    return register(aas, Tags={"team": "web"})["ScalableTargetARN"]


def test_tags_given_at_registration_are_listed_and_changed(arn, aas):
    assert aas.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"team": "web"}
    aas.tag_resource(ResourceARN=arn, Tags={"env": "prod", "team": "api"})
    assert aas.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"team": "api", "env": "prod"}
    aas.untag_resource(ResourceARN=arn, TagKeys=["team", "absent"])
    assert aas.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"env": "prod"}


def test_an_unknown_arn_is_resource_not_found_naming_it(aas):
    with pytest.raises(aas.exceptions.ResourceNotFoundException) as info:
        aas.list_tags_for_resource(ResourceARN=UNKNOWN)
    assert info.value.response["Error"]["Message"] == tags.not_found(UNKNOWN)
    assert info.value.response["ResourceName"] == UNKNOWN
    assert error_of(aas.tag_resource, ResourceARN=UNKNOWN, Tags={"a": "b"})[0] == "ResourceNotFoundException"


def test_more_than_fifty_tags_is_too_many(arn, aas):
    assert error_of(aas.tag_resource, ResourceARN=arn, Tags={f"k{i}": "v" for i in range(50)}) == (
        "TooManyTagsException", tags.TOO_MANY_TAGS)
    assert aas.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"team": "web"}


def test_aws_prefixed_keys_are_reserved(arn, aas):
    assert error_of(aas.tag_resource, ResourceARN=arn, Tags={"aws:owner": "me"}) == (
        "ValidationException", tags.RESERVED_PREFIX)


def test_a_deregistered_target_has_no_tags_to_list(arn, aas):
    aas.deregister_scalable_target(ServiceNamespace="ecs", ResourceId="service/c/web",
                                   ScalableDimension="ecs:service:DesiredCount")
    assert error_of(aas.list_tags_for_resource, ResourceARN=arn) == ("ResourceNotFoundException", tags.not_found(arn))
