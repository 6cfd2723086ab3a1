"""DescribeUpdate and ListUpdates: scoping, listing, pagination, not-found answers."""
import re

import boto3
import botocore
import pytest
from botocore.config import Config

from emulator.eks.updates import param_value
from tests.eks.cluster_support import ACCOUNT, assert_error, create_cluster, create_nodegroup, error_of

ROLE = f"arn:aws:iam::{ACCOUNT}:role/addon-role"


@pytest.fixture
def cluster(eks_client):
    return create_cluster(eks_client)


def test_update_ids_are_uuids_and_describe_finds_them(eks_client, cluster):
    update = eks_client.update_cluster_config(name="prod", deletionProtection=True)["update"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", update["id"])
    described = eks_client.describe_update(name="prod", updateId=update["id"])["update"]
    assert described["id"] == update["id"] and described["createdAt"] == update["createdAt"]
    assert described["status"] == "Successful" and described["errors"] == []


def test_unknown_update_id(eks_client, cluster):
    assert_error(error_of(eks_client.describe_update, name="prod", updateId="00000000-0000-0000-0000-000000000000"),
                 "ResourceNotFoundException", "No update found for ID: 00000000-0000-0000-0000-000000000000", 404,
                 clusterName="prod")


def test_describe_update_of_unknown_cluster(eks_client):
    assert_error(error_of(eks_client.describe_update, name="ghost", updateId="x"), "ResourceNotFoundException",
                 "No cluster found for name: ghost.", 404, clusterName="ghost")


def test_nodegroup_update_needs_the_nodegroup_scope(eks_client, cluster):
    create_nodegroup(eks_client, scalingConfig={"minSize": 1, "maxSize": 4, "desiredSize": 2})
    update = eks_client.update_nodegroup_config(clusterName="prod", nodegroupName="ng",
                                                scalingConfig={"desiredSize": 3})["update"]
    assert_error(error_of(eks_client.describe_update, name="prod", updateId=update["id"]),
                 "ResourceNotFoundException", f"No update found for ID: {update['id']}", 404, clusterName="prod")
    scoped = eks_client.describe_update(name="prod", updateId=update["id"], nodegroupName="ng")["update"]
    assert scoped["type"] == "ConfigUpdate"


def test_cluster_update_is_not_found_under_a_nodegroup_scope(eks_client, cluster):
    create_nodegroup(eks_client)
    update = eks_client.update_cluster_config(name="prod", deletionProtection=True)["update"]
    assert_error(error_of(eks_client.describe_update, name="prod", updateId=update["id"], nodegroupName="ng"),
                 "ResourceNotFoundException", f"No update found for ID: {update['id']}", 404, clusterName="prod",
                 nodegroupName="ng")


def test_scope_naming_an_unknown_nodegroup(eks_client, cluster):
    assert_error(error_of(eks_client.describe_update, name="prod", updateId="x", nodegroupName="ghost"),
                 "ResourceNotFoundException", "No node group found for name: ghost.", 404)
    assert_error(error_of(eks_client.list_updates, name="prod", nodegroupName="ghost"),
                 "ResourceNotFoundException", "No node group found for name: ghost.", 404)


def test_list_updates_is_cluster_level_unless_scoped(eks_client, cluster):
    create_nodegroup(eks_client, scalingConfig={"minSize": 1, "maxSize": 4, "desiredSize": 2})
    cluster_update = eks_client.update_cluster_config(name="prod", deletionProtection=True)["update"]
    ng_update = eks_client.update_nodegroup_config(clusterName="prod", nodegroupName="ng",
                                                   scalingConfig={"desiredSize": 3})["update"]
    assert eks_client.list_updates(name="prod")["updateIds"] == [cluster_update["id"]]
    assert eks_client.list_updates(name="prod", nodegroupName="ng")["updateIds"] == [ng_update["id"]]


def test_list_updates_pages_oldest_first_each_once(eks_client, cluster):
    ids = []
    for i in range(7):
        ids.append(eks_client.update_cluster_config(name="prod", deletionProtection=i % 2 == 0)["update"]["id"])
    pages = eks_client.get_paginator("list_updates").paginate(name="prod", PaginationConfig={"PageSize": 3})
    assert [u for page in pages for u in page["updateIds"]] == ids


def test_list_updates_token_of_another_listing_is_refused(eks_client, cluster):
    create_nodegroup(eks_client, scalingConfig={"minSize": 1, "maxSize": 9, "desiredSize": 2})
    for size in (3, 4):
        eks_client.update_nodegroup_config(clusterName="prod", nodegroupName="ng", scalingConfig={"desiredSize": size})
    for protect in (True, False):
        eks_client.update_cluster_config(name="prod", deletionProtection=protect)
    token = eks_client.list_updates(name="prod", maxResults=1)["nextToken"]
    response = error_of(eks_client.list_updates, name="prod", nodegroupName="ng", nextToken=token)
    assert response["Error"]["Code"] == "InvalidParameterException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize("max_results", [0, 101])
def test_list_updates_max_results_bounds(eks_client, cluster, max_results):
    client = boto3.client("eks", region_name="us-east-1", config=Config(parameter_validation=False))
    response = error_of(client.list_updates, name="prod", maxResults=max_results)
    assert response["Error"]["Code"] == "InvalidParameterException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_list_updates_of_unknown_cluster(eks_client):
    assert_error(error_of(eks_client.list_updates, name="ghost"), "ResourceNotFoundException",
                 "No cluster found for name: ghost.", 404)


def test_failed_update_reports_errors_and_keeps_the_old_value(eks_client, cluster, ecs_eks_mock):
    """An add-on update whose service account is taken by another association meanwhile fails."""
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.addon.update": 60})
    eks_client.create_addon(clusterName="prod", addonName="vpc-cni")
    eks_client.describe_addon(clusterName="prod", addonName="vpc-cni")
    update = eks_client.update_addon(clusterName="prod", addonName="vpc-cni", podIdentityAssociations=[
        {"serviceAccount": "aws-node", "roleArn": ROLE}])["update"]
    taken = eks_client.create_pod_identity_association(clusterName="prod", namespace="kube-system",
                                                       serviceAccount="aws-node", roleArn=ROLE)["association"]
    ecs_eks_mock.clock.advance(60)
    described = eks_client.describe_update(name="prod", updateId=update["id"], addonName="vpc-cni")["update"]
    assert described["status"] == "Failed"
    assert described["errors"] == [{"errorCode": "ConfigurationConflict", "resourceIds": [taken["associationArn"]],
                                    "errorMessage": f"Association already exists: {taken['associationId']}"}]
    addon = eks_client.describe_addon(clusterName="prod", addonName="vpc-cni")["addon"]
    assert addon["status"] == "ACTIVE" and addon["podIdentityAssociations"] == []


@pytest.mark.parametrize("value, text", [(True, "true"), (False, "false"), (3, "3"), ("x", "x"),
                                         ({"a": [1]}, '{"a":[1]}'), (["a", "b"], '["a","b"]')])
def test_param_values_are_strings(value, text):
    assert param_value(value) == text


# -- every update-producing operation: InProgress -> Successful on the clock, one at a time --------

OIDC = {"identityProviderConfigName": "idp", "issuerUrl": "https://issuer.example.com", "clientId": "kubernetes"}
IDC = {"awsIdc": {"idcInstanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef"}}
LOGGING = {"clusterLogging": [{"types": ["api"], "enabled": True}]}
KEY = "arn:aws:kms:us-east-1:123456789012:key/k"


def _with_nodegroup(client):
    create_nodegroup(client, releaseVersion="1.35.2-20260521")


def _with_idp(client):
    client.associate_identity_provider_config(clusterName="prod", oidc=OIDC)


# operation -> (setup on an ACTIVE 1.35 cluster, request, update type, duration, scope parameter or None)
UPDATE_OPERATIONS = {
    "UpdateClusterConfig": (None, {"name": "prod", "logging": LOGGING}, "LoggingUpdate",
                            "eks.cluster.update.config", None),
    "UpdateClusterVersion": (None, {"name": "prod", "version": "1.36"}, "VersionUpdate",
                             "eks.cluster.update.version", None),
    "AssociateEncryptionConfig": (None, {"clusterName": "prod", "encryptionConfig": [
        {"resources": ["secrets"], "provider": {"keyArn": KEY}}]}, "AssociateEncryptionConfig",
        "eks.cluster.update.encryption", None),
    "AssociateIdentityProviderConfig": (None, {"clusterName": "prod", "oidc": OIDC},
                                        "AssociateIdentityProviderConfig", "eks.identityprovider.associate", None),
    "DisassociateIdentityProviderConfig": (_with_idp, {"clusterName": "prod", "identityProviderConfig": {
        "type": "oidc", "name": "idp"}}, "DisassociateIdentityProviderConfig", "eks.identityprovider.disassociate",
        None),
    "UpdateNodegroupConfig": (_with_nodegroup, {"clusterName": "prod", "nodegroupName": "ng", "scalingConfig": {
        "minSize": 1, "maxSize": 4, "desiredSize": 3}}, "ConfigUpdate", "eks.nodegroup.update.config",
        ("nodegroupName", "ng")),
    "UpdateNodegroupVersion": (_with_nodegroup, {"clusterName": "prod", "nodegroupName": "ng"}, "VersionUpdate",
                               "eks.nodegroup.update.version", ("nodegroupName", "ng")),
    "UpdateAddon": (lambda c: c.create_addon(clusterName="prod", addonName="vpc-cni"),
                    {"clusterName": "prod", "addonName": "vpc-cni", "serviceAccountRoleArn": ROLE}, "AddonUpdate",
                    "eks.addon.update", ("addonName", "vpc-cni")),
    "UpdateCapability": (lambda c: c.create_capability(clusterName="prod", capabilityName="argo", type="ARGOCD",
                                                       roleArn=ROLE, deletePropagationPolicy="RETAIN",
                                                       configuration={"argoCd": IDC}),
                         {"clusterName": "prod", "capabilityName": "argo", "roleArn": ROLE + "-2"}, "ConfigUpdate",
                         "eks.capability.update", ("capabilityName", "argo")),
}
DESCRIBE_TARGET = {"nodegroupName": ("describe_nodegroup", "nodegroup"), "addonName": ("describe_addon", "addon"),
                   "capabilityName": ("describe_capability", "capability")}


def _status_of(client, scope):
    if scope is None:
        return client.describe_cluster(name="prod")["cluster"]["status"]
    method, member = DESCRIBE_TARGET[scope[0]]
    return getattr(client, method)(clusterName="prod", **{scope[0]: scope[1]})[member]["status"]


@pytest.mark.parametrize("operation", sorted(UPDATE_OPERATIONS))
def test_update_is_in_progress_while_its_resource_updates_then_successful(eks_client, ecs_eks_mock, operation):
    setup, request, update_type, duration, scope = UPDATE_OPERATIONS[operation]
    create_cluster(eks_client)
    if setup is not None:
        setup(eks_client)
    eks_client.describe_cluster(name="prod")          # what setup started is settled (instant timing)
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{duration: 120})
    update = getattr(eks_client, botocore.xform_name(operation))(**request)["update"]
    assert update["type"] == update_type and update["status"] == "InProgress" and update["errors"] == []
    scoping = dict([scope]) if scope else {}

    assert _status_of(eks_client, scope) == "UPDATING"
    assert eks_client.describe_cluster(name="prod")["cluster"]["status"] == ("UPDATING" if scope is None
                                                                            else "ACTIVE")
    assert eks_client.list_updates(name="prod", **scoping)["updateIds"][-1] == update["id"]
    again = error_of(getattr(eks_client, botocore.xform_name(operation)), **request)
    assert again["Error"]["Code"] == "ResourceInUseException"
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 409 and again["clusterName"] == "prod"
    if scope is None:
        assert again["Error"]["Message"] == (f"Cannot {update_type} because cluster prod currently has update "
                                             f"{update['id']} in progress")

    ecs_eks_mock.clock.advance(119)
    assert eks_client.describe_update(name="prod", updateId=update["id"], **scoping)["update"]["status"] == \
        "InProgress"
    ecs_eks_mock.clock.advance(1)
    done = eks_client.describe_update(name="prod", updateId=update["id"], **scoping)["update"]
    assert done["status"] == "Successful" and done["id"] == update["id"]
    assert _status_of(eks_client, scope) == "ACTIVE"
