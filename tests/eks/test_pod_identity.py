"""EKS Pod Identity associations through boto3."""
import re

import pytest

from emulator.eks import pod_identity
from emulator.eks.cluster_config import INVALID_ROLE_ARN
from emulator.eks.common import CLUSTER_NOT_ACTIVE
from tests.eks.cluster_support import ACCOUNT, assert_error, create_cluster, error_of

IPE = "InvalidParameterException"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
TARGET_ROLE = "arn:aws:iam::210987654321:role/cross-account"
POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'


@pytest.fixture
def cluster(eks_client):
    return create_cluster(eks_client)


def create(client, namespace="apps", service_account="web", **request):
    return client.create_pod_identity_association(clusterName="prod", namespace=namespace,
                                                  serviceAccount=service_account,
                                                  roleArn=request.pop("roleArn", ROLE), **request)["association"]


def test_create_returns_the_association(eks_client, cluster):
    association = create(eks_client, tags={"team": "web"})
    assert re.fullmatch(r"a-[a-z0-9]{17}", association["associationId"])
    assert association["associationArn"] == (
        f"arn:aws:eks:us-east-1:{ACCOUNT}:podidentityassociation/prod/{association['associationId']}")
    assert association["clusterName"] == "prod" and association["namespace"] == "apps"
    assert association["serviceAccount"] == "web" and association["roleArn"] == ROLE
    assert association["tags"] == {"team": "web"} and association["disableSessionTags"] is False
    assert association["createdAt"] == association["modifiedAt"]
    assert not {"ownerArn", "targetRoleArn", "externalId", "policy"} & set(association)


def test_one_association_per_service_account(eks_client, cluster):
    first = create(eks_client)
    assert_error(error_of(create, eks_client), "ResourceInUseException",
                 f"Association already exists: {first['associationId']}", 409, clusterName="prod")
    create(eks_client, namespace="other")


def test_target_role_gets_an_external_id(eks_client, cluster):
    association = create(eks_client, targetRoleArn=TARGET_ROLE)
    assert association["targetRoleArn"] == TARGET_ROLE
    assert re.fullmatch(r"[0-9a-f-]{36}", association["externalId"])


def test_policy_requires_session_tags_disabled(eks_client, cluster):
    assert_error(error_of(create, eks_client, policy=POLICY), IPE, pod_identity.POLICY_NEEDS_NO_SESSION_TAGS, 400,
                 clusterName="prod")
    association = create(eks_client, policy=POLICY, disableSessionTags=True)
    assert association["policy"] == POLICY and association["disableSessionTags"] is True


def test_policy_must_be_json(eks_client, cluster):
    assert_error(error_of(create, eks_client, policy="allow all", disableSessionTags=True), IPE,
                 pod_identity.POLICY_NOT_JSON, 400, clusterName="prod")


def test_role_arns_must_be_roles(eks_client, cluster):
    assert_error(error_of(create, eks_client, roleArn="arn:aws:iam::123456789012:user/bob"), IPE,
                 INVALID_ROLE_ARN.format(arn="arn:aws:iam::123456789012:user/bob"), 400, clusterName="prod")
    assert_error(error_of(create, eks_client, targetRoleArn="role/x"), IPE, INVALID_ROLE_ARN.format(arn="role/x"),
                 400, clusterName="prod")


def test_cluster_must_exist_and_be_active(eks_client, ecs_eks_mock):
    assert_error(error_of(create, eks_client), "ResourceNotFoundException", "No cluster found for name: prod.", 404,
                 clusterName="prod")
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.cluster.create": 600})
    create_cluster(eks_client)
    assert_error(error_of(create, eks_client), "InvalidRequestException", CLUSTER_NOT_ACTIVE.format(name="prod"), 400,
                 clusterName="prod")


def test_describe_by_id(eks_client, cluster):
    association = create(eks_client)
    described = eks_client.describe_pod_identity_association(clusterName="prod",
                                                             associationId=association["associationId"])
    assert described["association"] == association


def test_id_of_the_wrong_length(eks_client, cluster):
    for call in (eks_client.describe_pod_identity_association, eks_client.delete_pod_identity_association):
        assert_error(error_of(call, clusterName="prod", associationId="a-short"), IPE,
                     "The parameter associationId should be 19 characters long.", 400, clusterName="prod")


def test_unknown_id(eks_client, cluster):
    assert_error(error_of(eks_client.describe_pod_identity_association, clusterName="prod",
                          associationId="a-00000000000000000"), "ResourceNotFoundException",
                 pod_identity.ASSOCIATION_NOT_FOUND.format(association_id="a-00000000000000000"), 404,
                 clusterName="prod")


def test_list_filters_by_namespace_and_service_account(eks_client, cluster):
    create(eks_client, "apps", "web")
    create(eks_client, "apps", "worker")
    create(eks_client, "batch", "web")

    def listed(**filters):
        found = eks_client.list_pod_identity_associations(clusterName="prod", **filters)["associations"]
        return sorted((a["namespace"], a["serviceAccount"]) for a in found)
    assert listed(namespace="apps") == [("apps", "web"), ("apps", "worker")]
    assert listed(serviceAccount="web") == [("apps", "web"), ("batch", "web")]
    assert listed(namespace="batch", serviceAccount="web") == [("batch", "web")]
    summary = eks_client.list_pod_identity_associations(clusterName="prod")["associations"][0]
    assert set(summary) == {"clusterName", "namespace", "serviceAccount", "associationArn", "associationId"}


def test_list_pages_through_every_association_once(eks_client, cluster):
    made = {create(eks_client, service_account=f"sa-{i}")["associationId"] for i in range(7)}
    pages = list(eks_client.get_paginator("list_pod_identity_associations").paginate(
        clusterName="prod", PaginationConfig={"PageSize": 3}))
    seen = [a["associationId"] for p in pages for a in p["associations"]]
    assert len(pages) == 3 and len(seen) == 7 and set(seen) == made


def test_list_page_size_bounds(eks_client, cluster):
    response = error_of(eks_client.list_pod_identity_associations, clusterName="prod", maxResults=101)
    assert response["Error"]["Code"] == IPE and response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_update_changes_roles_in_place(eks_client, cluster, ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    association = create(eks_client)
    ecs_eks_mock.clock.advance(5)
    updated = eks_client.update_pod_identity_association(
        clusterName="prod", associationId=association["associationId"], roleArn=f"arn:aws:iam::{ACCOUNT}:role/new",
        targetRoleArn=TARGET_ROLE)["association"]
    assert updated["roleArn"] == f"arn:aws:iam::{ACCOUNT}:role/new" and updated["targetRoleArn"] == TARGET_ROLE
    assert updated["externalId"]
    assert (updated["modifiedAt"] - updated["createdAt"]).total_seconds() == 5
    cleared = eks_client.update_pod_identity_association(clusterName="prod", associationId=association["associationId"],
                                                         targetRoleArn="")["association"]
    assert "targetRoleArn" not in cleared and "externalId" not in cleared


def test_update_keeps_the_policy_rule(eks_client, cluster):
    association = create(eks_client, policy=POLICY, disableSessionTags=True)
    assert_error(error_of(eks_client.update_pod_identity_association, clusterName="prod",
                          associationId=association["associationId"], disableSessionTags=False),
                 IPE, pod_identity.POLICY_NEEDS_NO_SESSION_TAGS, 400, clusterName="prod")


def test_delete_returns_the_association(eks_client, cluster):
    association = create(eks_client)
    deleted = eks_client.delete_pod_identity_association(clusterName="prod",
                                                         associationId=association["associationId"])
    assert deleted["association"]["associationId"] == association["associationId"]
    assert eks_client.list_pod_identity_associations(clusterName="prod")["associations"] == []
    create(eks_client)


def test_associations_owned_by_an_addon_change_only_through_it(eks_client, cluster):
    """Own wording: an add-on's association is refused to Update/DeletePodIdentityAssociation."""
    eks_client.create_addon(clusterName="prod", addonName="vpc-cni",
                            podIdentityAssociations=[{"serviceAccount": "aws-node", "roleArn": ROLE}])
    (summary,) = eks_client.list_pod_identity_associations(clusterName="prod")["associations"]
    message = pod_identity.OWNED_BY_ADDON.format(association_id=summary["associationId"],
                                                 owner_arn=summary["ownerArn"])
    assert_error(error_of(eks_client.delete_pod_identity_association, clusterName="prod",
                          associationId=summary["associationId"]),
                 "InvalidRequestException", message, 400, clusterName="prod")
    assert_error(error_of(eks_client.update_pod_identity_association, clusterName="prod",
                          associationId=summary["associationId"], roleArn=ROLE),
                 "InvalidRequestException", message, 400, clusterName="prod")


def test_tags_reach_the_association_through_its_arn(eks_client, cluster):
    association = create(eks_client)
    eks_client.tag_resource(resourceArn=association["associationArn"], tags={"k": "v"})
    described = eks_client.describe_pod_identity_association(clusterName="prod",
                                                             associationId=association["associationId"])
    assert described["association"]["tags"] == {"k": "v"}
