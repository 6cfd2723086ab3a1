"""EKS capabilities through boto3: rules, Argo CD configuration, scoped updates, lifecycle on the clock."""
import json
import re

import pytest

from emulator.eks import capabilities as caps
from emulator.eks.cluster_config import INVALID_ROLE_ARN
from emulator.eks.common import CLUSTER_NOT_ACTIVE
from tests.eks.cluster_support import ACCOUNT, assert_error, create_cluster, error_of

IPE = "InvalidParameterException"
RIU = "ResourceInUseException"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/capability"
IDC = "arn:aws:sso:::instance/ssoins-7223b1a6b7c4d5e6"
ARGOCD = {"argoCd": {"awsIdc": {"idcInstanceArn": IDC}}}
ADMIN = {"role": "ADMIN", "identities": [{"id": "u-1", "type": "SSO_USER"}]}


@pytest.fixture
def cluster(eks_client):
    return create_cluster(eks_client)


@pytest.fixture
def slow_capabilities(ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.capability.create": 600, "eks.capability.update": 300,
                                      "eks.capability.delete": 300})
    return ecs_eks_mock


def create(client, name="argo", kind="ARGOCD", **request):
    if kind == "ARGOCD":
        request.setdefault("configuration", ARGOCD)
    return client.create_capability(clusterName="prod", capabilityName=name, type=kind, roleArn=ROLE,
                                    deletePropagationPolicy="RETAIN", **request)["capability"]


def describe(client, name="argo"):
    return client.describe_capability(clusterName="prod", capabilityName=name)["capability"]


def invalid(response, message):
    assert_error(response, IPE, message, 400, clusterName="prod")


def test_create_argocd(eks_client, cluster):
    capability = create(eks_client, tags={"team": "platform"})
    assert re.fullmatch(rf"arn:aws:eks:us-east-1:{ACCOUNT}:capability/prod/ARGOCD/argo/[0-9a-f-]{{36}}",
                        capability["arn"])
    assert capability["capabilityName"] == "argo" and capability["clusterName"] == "prod"
    assert capability["type"] == "ARGOCD" and capability["status"] == "CREATING"
    assert capability["version"] == caps.VERSIONS["ARGOCD"] and capability["roleArn"] == ROLE
    assert capability["deletePropagationPolicy"] == "RETAIN" and capability["health"] == {"issues": []}
    assert capability["tags"] == {"team": "platform"}
    argocd = capability["configuration"]["argoCd"]
    assert argocd["namespace"] == "argocd"
    assert argocd["awsIdc"]["idcInstanceArn"] == IDC and argocd["awsIdc"]["idcRegion"] == "us-east-1"
    assert re.fullmatch(rf"arn:aws:sso::{ACCOUNT}:application/ssoins-7223b1a6b7c4d5e6/apl-[0-9a-f]{{16}}",
                        argocd["awsIdc"]["idcManagedApplicationArn"])
    assert re.fullmatch(r"https://[0-9a-f]{32}\.argocd\.eks\.us-east-1\.amazonaws\.com", argocd["serverUrl"])
    assert argocd["rbacRoleMappings"] == [] and argocd["networkAccess"] == {"vpceIds": []}


def test_argocd_configuration_is_kept(eks_client, cluster):
    capability = create(eks_client, configuration={"argoCd": {
        "namespace": "gitops", "awsIdc": {"idcInstanceArn": IDC, "idcRegion": "eu-west-1"},
        "rbacRoleMappings": [ADMIN], "networkAccess": {"vpceIds": ["vpce-0123456789abcdef0"]}}})
    argocd = capability["configuration"]["argoCd"]
    assert argocd["namespace"] == "gitops" and argocd["awsIdc"]["idcRegion"] == "eu-west-1"
    assert argocd["rbacRoleMappings"] == [ADMIN] and argocd["networkAccess"] == {"vpceIds": ["vpce-0123456789abcdef0"]}


def test_ack_and_kro_have_no_configuration(eks_client, cluster):
    assert "configuration" not in create(eks_client, "ack", "ACK")
    assert create(eks_client, "kro", "KRO")["version"] == caps.VERSIONS["KRO"]


def test_argocd_needs_identity_center(eks_client, cluster):
    invalid(error_of(create, eks_client, configuration={}), caps.ARGOCD_NEEDS_CONFIGURATION)


def test_argocd_configuration_only_for_argocd(eks_client, cluster):
    invalid(error_of(create, eks_client, "ack", "ACK", configuration=ARGOCD), caps.ARGOCD_CONFIGURATION_ONLY)


def test_identity_center_instance_arn(eks_client, cluster):
    invalid(error_of(create, eks_client, configuration={"argoCd": {"awsIdc": {"idcInstanceArn": "ssoins-1"}}}),
            caps.INVALID_IDC_INSTANCE.format(arn="ssoins-1"))


def test_vpc_endpoint_ids(eks_client, cluster):
    invalid(error_of(create, eks_client, configuration={"argoCd": {"awsIdc": {"idcInstanceArn": IDC},
                                                                   "networkAccess": {"vpceIds": ["endpoint-1"]}}}),
            caps.INVALID_VPC_ENDPOINT.format(id="endpoint-1"))


def test_name_characters(eks_client, cluster):
    invalid(error_of(create, eks_client, "argo cd"), caps.INVALID_NAME.format(name="argo cd"))


def test_role_must_be_a_role(eks_client, cluster):
    response = error_of(eks_client.create_capability, clusterName="prod", capabilityName="ack", type="ACK",
                        roleArn="arn:aws:iam::123456789012:user/x", deletePropagationPolicy="RETAIN")
    invalid(response, INVALID_ROLE_ARN.format(arn="arn:aws:iam::123456789012:user/x"))


def test_names_are_unique_in_the_cluster(eks_client, cluster):
    create(eks_client, "shared", "ACK")
    assert_error(error_of(create, eks_client, "shared", "KRO"), RIU,
                 caps.NAME_TAKEN.format(name="shared", cluster="prod"), 409, clusterName="prod")


def test_one_capability_per_type(eks_client, cluster):
    create(eks_client)
    assert_error(error_of(create, eks_client, "argo2"), RIU,
                 caps.TYPE_TAKEN.format(cluster="prod", type="ARGOCD", name="argo"), 409, clusterName="prod")


def test_cluster_must_exist_and_be_active(eks_client, ecs_eks_mock):
    assert_error(error_of(create, eks_client), "ResourceNotFoundException", "No cluster found for name: prod.", 404,
                 clusterName="prod")
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.cluster.create": 600})
    create_cluster(eks_client)
    assert_error(error_of(create, eks_client), "InvalidRequestException", CLUSTER_NOT_ACTIVE.format(name="prod"),
                 400, clusterName="prod")


def test_unknown_capability(eks_client, cluster):
    for call in (eks_client.describe_capability, eks_client.delete_capability, eks_client.update_capability):
        assert_error(error_of(call, clusterName="prod", capabilityName="ghost"), "ResourceNotFoundException",
                     caps.CAPABILITY_NOT_FOUND.format(name="ghost"), 404, clusterName="prod")


def test_list_summaries_and_pages(eks_client, cluster):
    create(eks_client)
    create(eks_client, "ack", "ACK")
    create(eks_client, "kro", "KRO")
    pages = list(eks_client.get_paginator("list_capabilities").paginate(clusterName="prod",
                                                                         PaginationConfig={"PageSize": 2}))
    summaries = [c for p in pages for c in p["capabilities"]]
    assert [c["capabilityName"] for c in summaries] == ["ack", "argo", "kro"] and len(pages) == 2
    assert set(summaries[0]) == {"capabilityName", "arn", "type", "status", "version", "createdAt", "modifiedAt"}
    response = error_of(eks_client.list_capabilities, clusterName="prod", maxResults=101)
    assert response["Error"]["Code"] == IPE and response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_creating_then_active_on_the_clock(eks_client, cluster, slow_capabilities):
    create(eks_client)
    slow_capabilities.clock.advance(599)
    assert describe(eks_client)["status"] == "CREATING"
    slow_capabilities.clock.advance(1)
    capability = describe(eks_client)
    assert capability["status"] == "ACTIVE"
    assert (capability["modifiedAt"] - capability["createdAt"]).total_seconds() == 600


def test_update_is_scoped_by_capability_name(eks_client, cluster, slow_capabilities):
    create(eks_client, configuration={"argoCd": {"awsIdc": {"idcInstanceArn": IDC}, "rbacRoleMappings": [ADMIN]}})
    slow_capabilities.clock.advance(600)
    change = {"argoCd": {"rbacRoleMappings": {
        "addOrUpdateRoleMappings": [{"role": "VIEWER", "identities": [{"id": "g-1", "type": "SSO_GROUP"}]}],
        "removeRoleMappings": [ADMIN]}, "networkAccess": {"vpceIds": ["vpce-0123456789abcdef0"]}}}
    new_role = f"arn:aws:iam::{ACCOUNT}:role/capability-2"
    update = eks_client.update_capability(clusterName="prod", capabilityName="argo", roleArn=new_role,
                                          configuration=change)["update"]
    assert update["type"] == "ConfigUpdate" and update["status"] == "InProgress"
    assert json.loads(update["params"][0]["value"]) == {"roleArn": new_role, "configuration": change}
    assert describe(eks_client)["status"] == "UPDATING" and describe(eks_client)["roleArn"] == ROLE
    assert eks_client.list_updates(name="prod", capabilityName="argo")["updateIds"] == [update["id"]]
    assert eks_client.list_updates(name="prod")["updateIds"] == []
    assert_error(error_of(eks_client.describe_update, name="prod", updateId=update["id"]),
                 "ResourceNotFoundException", f"No update found for ID: {update['id']}", 404, clusterName="prod")
    slow_capabilities.clock.advance(300)
    capability = describe(eks_client)
    assert capability["status"] == "ACTIVE" and capability["roleArn"] == new_role
    argocd = capability["configuration"]["argoCd"]
    assert argocd["rbacRoleMappings"] == [{"role": "VIEWER", "identities": [{"id": "g-1", "type": "SSO_GROUP"}]}]
    assert argocd["networkAccess"] == {"vpceIds": ["vpce-0123456789abcdef0"]}
    done = eks_client.describe_update(name="prod", updateId=update["id"], capabilityName="argo")["update"]
    assert done["status"] == "Successful"


def test_update_while_not_active(eks_client, cluster, slow_capabilities):
    create(eks_client)
    assert_error(error_of(eks_client.update_capability, clusterName="prod", capabilityName="argo", roleArn=ROLE),
                 RIU, caps.NOT_UPDATABLE, 409, clusterName="prod")


def test_update_argocd_configuration_of_another_type(eks_client, cluster):
    create(eks_client, "ack", "ACK")
    invalid(error_of(eks_client.update_capability, clusterName="prod", capabilityName="ack",
                     configuration={"argoCd": {"networkAccess": {"vpceIds": []}}}), caps.ARGOCD_CONFIGURATION_ONLY)


def test_delete_answers_deleting_then_the_capability_is_gone(eks_client, cluster, slow_capabilities):
    create(eks_client)
    assert eks_client.delete_capability(clusterName="prod", capabilityName="argo")["capability"]["status"] == "DELETING"
    assert eks_client.delete_capability(clusterName="prod", capabilityName="argo")["capability"]["status"] == "DELETING"
    slow_capabilities.clock.advance(300)
    assert eks_client.list_capabilities(clusterName="prod")["capabilities"] == []
    create(eks_client)


def test_tags_reach_the_capability_through_its_arn(eks_client, cluster):
    arn = create(eks_client)["arn"]
    eks_client.tag_resource(resourceArn=arn, tags={"k": "v"})
    assert describe(eks_client)["tags"] == {"k": "v"}
