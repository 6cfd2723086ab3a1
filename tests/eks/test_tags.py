"""EKS TagResource / UntagResource / ListTagsForResource: registry, error types, limits."""
import boto3
import pytest

from emulator.eks import tags
from tests.eks.cluster_support import assert_error, create_cluster, create_nodegroup, create_profile, error_of


@pytest.fixture
def cluster(eks_client):
    return create_cluster(eks_client, tags={"created": "yes"})


def test_create_time_tags_are_listed_and_tag_resource_shows_in_describe(eks_client, cluster):
    arn = cluster["arn"]
    assert eks_client.list_tags_for_resource(resourceArn=arn)["tags"] == {"created": "yes"}
    eks_client.tag_resource(resourceArn=arn, tags={"team": "core", "created": "again"})
    assert eks_client.describe_cluster(name="prod")["cluster"]["tags"] == {"created": "again", "team": "core"}
    eks_client.untag_resource(resourceArn=arn, tagKeys=["created", "absent"])
    assert eks_client.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "core"}


def test_nodegroups_and_fargate_profiles_are_taggable(eks_client, cluster):
    nodegroup = create_nodegroup(eks_client, tags={"a": "1"})
    profile = create_profile(eks_client)
    eks_client.tag_resource(resourceArn=nodegroup["nodegroupArn"], tags={"b": "2"})
    eks_client.tag_resource(resourceArn=profile["fargateProfileArn"], tags={"c": "3"})
    assert eks_client.describe_nodegroup(clusterName="prod", nodegroupName="ng")["nodegroup"]["tags"] == \
        {"a": "1", "b": "2"}
    assert eks_client.list_tags_for_resource(resourceArn=profile["fargateProfileArn"])["tags"] == {"c": "3"}


def test_registered_clusters_are_taggable(eks_client):
    registered = eks_client.register_cluster(name="conn", connectorConfig={
        "roleArn": "arn:aws:iam::123456789012:role/c", "provider": "AKS"})["cluster"]
    eks_client.tag_resource(resourceArn=registered["arn"], tags={"k": "v"})
    assert eks_client.list_tags_for_resource(resourceArn=registered["arn"])["tags"] == {"k": "v"}


def test_tagging_allowed_while_the_cluster_updates(eks_client, cluster, ecs_eks_mock):
    ecs_eks_mock.config.set_timing(**{"eks.cluster.update.config": 180})
    eks_client.update_cluster_config(name="prod", deletionProtection=True)
    eks_client.tag_resource(resourceArn=cluster["arn"], tags={"k": "v"})
    assert eks_client.describe_cluster(name="prod")["cluster"]["status"] == "UPDATING"


@pytest.mark.parametrize("arn", [
    "not-an-arn",
    "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
    "arn:aws:eks:us-east-1:123456789012:widget/prod",
    "arn:aws:eks:us-east-1:123456789012:cluster",
    "arn:aws:eks:us-east-1:123456789012:nodegroup/prod/ng",
    "arn:aws:eks:us-east-1:123456789012:cluster/prod/extra",
])
def test_malformed_or_unsupported_arn_is_bad_request(eks_client, cluster, arn):
    for call, extra in ((eks_client.list_tags_for_resource, {}), (eks_client.tag_resource, {"tags": {"a": "b"}}),
                        (eks_client.untag_resource, {"tagKeys": ["a"]})):
        assert_error(error_of(call, resourceArn=arn, **extra), "BadRequestException",
                     tags.INVALID_ARN.format(arn=arn), 400)


@pytest.mark.parametrize("arn", [
    "arn:aws:eks:us-east-1:123456789012:cluster/ghost",
    "arn:aws:eks:eu-west-1:123456789012:cluster/prod",
    "arn:aws:eks:us-east-1:999999999999:cluster/prod",
    "arn:aws:eks:us-east-1:123456789012:nodegroup/prod/ng/00000000-0000-0000-0000-000000000000",
    "arn:aws:eks:us-east-1:123456789012:fargateprofile/ghost/fp/00000000-0000-0000-0000-000000000000",
])
def test_unknown_resource_is_not_found(eks_client, cluster, arn):
    assert_error(error_of(eks_client.list_tags_for_resource, resourceArn=arn), "NotFoundException",
                 tags.RESOURCE_NOT_FOUND.format(arn=arn), 404)
    assert_error(error_of(eks_client.tag_resource, resourceArn=arn, tags={"a": "b"}), "NotFoundException",
                 tags.RESOURCE_NOT_FOUND.format(arn=arn), 404)


def test_nodegroup_arn_of_a_deleted_and_recreated_nodegroup_is_not_found(eks_client, cluster):
    old = create_nodegroup(eks_client)["nodegroupArn"]
    eks_client.delete_nodegroup(clusterName="prod", nodegroupName="ng")
    eks_client.list_nodegroups(clusterName="prod")
    create_nodegroup(eks_client)
    assert error_of(eks_client.list_tags_for_resource, resourceArn=old)["Error"]["Code"] == "NotFoundException"


def test_at_most_50_tags(eks_client, cluster):
    eks_client.tag_resource(resourceArn=cluster["arn"], tags={f"k{i}": "v" for i in range(49)})
    assert_error(error_of(eks_client.tag_resource, resourceArn=cluster["arn"], tags={"x": "1", "y": "2"}),
                 "BadRequestException", tags.TOO_MANY_TAGS.format(arn=cluster["arn"]), 400)
    eks_client.tag_resource(resourceArn=cluster["arn"], tags={"k0": "replaced"})   # replacing keeps the count


@pytest.mark.parametrize("call, extra", [("tag_resource", {"tags": {"aws:team": "x"}}),
                                         ("untag_resource", {"tagKeys": ["aws:team"]})])
def test_aws_prefix_is_reserved(eks_client, cluster, call, extra):
    response = error_of(getattr(eks_client, call), resourceArn=cluster["arn"], **extra)
    assert_error(response, "BadRequestException", tags.RESERVED_KEY.format(key="aws:team"), 400)


def test_key_and_value_lengths_are_bad_request(eks_client, cluster):
    for bad in ({"k" * 129: "v"}, {"k": "v" * 257}):
        response = error_of(eks_client.tag_resource, resourceArn=cluster["arn"], tags=bad)
        assert response["Error"]["Code"] == "BadRequestException"
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_arn_is_percent_encoded_in_the_path(eks_client, cluster):
    # botocore escapes ':' and '/' of the label; the router must still find the operation.
    seen = {}

    def capture(request, **_):
        seen["url"] = request.url
    eks_client.meta.events.register("request-created.eks.ListTagsForResource", capture)
    eks_client.list_tags_for_resource(resourceArn=cluster["arn"])
    assert "/tags/arn%3Aaws%3Aeks%3Aus-east-1%3A123456789012%3Acluster%2Fprod" in seen["url"]


def test_registry_lists_the_cluster_family(eks_client):
    assert {"cluster", "nodegroup", "fargateprofile"} <= set(tags.registered_types())


def test_other_region_client_sees_its_own_resources(eks_client, cluster):
    other = boto3.client("eks", region_name="eu-west-1")
    response = error_of(other.list_tags_for_resource, resourceArn=cluster["arn"])
    assert response["Error"]["Code"] == "NotFoundException"


def test_tags_over_http_with_the_arn_in_the_path(emulator_server):
    client = boto3.client("eks", region_name="us-east-1", endpoint_url=emulator_server.url,
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    arn = create_cluster(client)["arn"]
    client.tag_resource(resourceArn=arn, tags={"k": "v"})
    client.untag_resource(resourceArn=arn, tagKeys=["k"])
    client.tag_resource(resourceArn=arn, tags={"kept": "yes"})
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == {"kept": "yes"}
