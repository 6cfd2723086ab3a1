"""clientRequestToken replays, for every EKS operation whose model marks an idempotency token.

A request repeated with the same token and the same parameters answers the original resource
or update again and changes nothing (no second resource, no second update); the same token
with other parameters is refused.  The covered operations must be exactly the model's.
"""
import botocore.session
import pytest

from emulator.eks.idempotency import TOKEN_REUSED
from tests.eks.cluster_support import (ACCOUNT, CLUSTER_ROLE, SUBNETS, assert_error, create_cluster,
                                       create_nodegroup, create_profile, error_of)

MODEL = botocore.session.get_session().get_service_model("eks")
TOKEN_OPERATIONS = sorted(
    name for name in MODEL.operation_names
    if MODEL.operation_model(name).input_shape is not None
    and any(member.metadata.get("idempotencyToken")
            for member in MODEL.operation_model(name).input_shape.members.values()))
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
OTHER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/other"
KEY = "arn:aws:kms:us-east-1:123456789012:key/k"
IDC = {"awsIdc": {"idcInstanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef"}}


def _api_cluster(client):
    return create_cluster(client, accessConfig={"authenticationMode": "API",
                                                "bootstrapClusterCreatorAdminPermissions": False})


def _updates(client, **scope):
    return len(client.list_updates(name="prod", **scope)["updateIds"])


def _subscription(client):
    return client.create_eks_anywhere_subscription(name="s", term={"duration": 12, "unit": "MONTHS"})[
        "subscription"]["id"]


def _association(client):
    create_cluster(client)
    return client.create_pod_identity_association(clusterName="prod", namespace="apps", serviceAccount="sa",
                                                   roleArn=ROLE)["association"]["associationId"]


# Each case: setup(client) -> dict of values the request may use; request(values) -> the request;
# a change of one member for the "other parameters" request; count(client) -> what must not grow.
CASES = {
    "CreateCluster": dict(
        setup=lambda c: {},
        request=lambda v: {"name": "prod", "roleArn": CLUSTER_ROLE, "resourcesVpcConfig": {"subnetIds": SUBNETS}},
        change={"version": "1.34"}, count=lambda c: len(c.list_clusters()["clusters"])),
    "RegisterCluster": dict(
        setup=lambda c: {},
        request=lambda v: {"name": "conn", "connectorConfig": {"roleArn": ROLE, "provider": "GKE"}},
        change={"tags": {"k": "v"}}, count=lambda c: len(c.list_clusters(include=["all"])["clusters"])),
    "CreateEksAnywhereSubscription": dict(
        setup=lambda c: {},
        request=lambda v: {"name": "s", "term": {"duration": 12, "unit": "MONTHS"}},
        change={"autoRenew": True}, count=lambda c: len(c.list_eks_anywhere_subscriptions()["subscriptions"])),
    "UpdateEksAnywhereSubscription": dict(
        setup=lambda c: {"id": _subscription(c)},
        request=lambda v: {"id": v["id"], "autoRenew": True},
        change={"autoRenew": False}, count=None),
    "CreateNodegroup": dict(
        setup=lambda c: create_cluster(c),
        request=lambda v: {"clusterName": "prod", "nodegroupName": "ng", "subnets": SUBNETS, "nodeRole": ROLE},
        change={"diskSize": 40}, count=lambda c: len(c.list_nodegroups(clusterName="prod")["nodegroups"])),
    "UpdateNodegroupConfig": dict(
        setup=lambda c: (create_cluster(c), create_nodegroup(c)),
        request=lambda v: {"clusterName": "prod", "nodegroupName": "ng",
                           "scalingConfig": {"minSize": 1, "maxSize": 4, "desiredSize": 3}},
        change={"scalingConfig": {"minSize": 1, "maxSize": 5, "desiredSize": 3}},
        count=lambda c: _updates(c, nodegroupName="ng")),
    "UpdateNodegroupVersion": dict(
        setup=lambda c: (create_cluster(c), create_nodegroup(c, releaseVersion="1.35.2-20260521")),
        request=lambda v: {"clusterName": "prod", "nodegroupName": "ng"},
        change={"force": True}, count=lambda c: _updates(c, nodegroupName="ng")),
    "CreateFargateProfile": dict(
        setup=lambda c: create_cluster(c),
        request=lambda v: {"clusterName": "prod", "fargateProfileName": "fp", "podExecutionRoleArn": ROLE,
                           "selectors": [{"namespace": "jobs"}]},
        change={"selectors": [{"namespace": "batch"}]},
        count=lambda c: len(c.list_fargate_profiles(clusterName="prod")["fargateProfileNames"])),
    "CreateAddon": dict(
        setup=lambda c: create_cluster(c),
        request=lambda v: {"clusterName": "prod", "addonName": "vpc-cni"},
        change={"resolveConflicts": "OVERWRITE"}, count=lambda c: len(c.list_addons(clusterName="prod")["addons"])),
    "UpdateAddon": dict(
        setup=lambda c: (create_cluster(c), c.create_addon(clusterName="prod", addonName="vpc-cni")),
        request=lambda v: {"clusterName": "prod", "addonName": "vpc-cni", "serviceAccountRoleArn": ROLE},
        change={"serviceAccountRoleArn": OTHER_ROLE}, count=lambda c: _updates(c, addonName="vpc-cni")),
    "CreateAccessEntry": dict(
        setup=_api_cluster,
        request=lambda v: {"clusterName": "prod", "principalArn": ROLE},
        change={"username": "app"},
        count=lambda c: len(c.list_access_entries(clusterName="prod")["accessEntries"])),
    "UpdateAccessEntry": dict(
        setup=lambda c: (_api_cluster(c), c.create_access_entry(clusterName="prod", principalArn=ROLE)),
        request=lambda v: {"clusterName": "prod", "principalArn": ROLE, "kubernetesGroups": ["devs"]},
        change={"kubernetesGroups": ["ops"]}, count=None),
    "CreatePodIdentityAssociation": dict(
        setup=lambda c: create_cluster(c),
        request=lambda v: {"clusterName": "prod", "namespace": "apps", "serviceAccount": "sa", "roleArn": ROLE},
        change={"roleArn": OTHER_ROLE},
        count=lambda c: len(c.list_pod_identity_associations(clusterName="prod")["associations"])),
    "UpdatePodIdentityAssociation": dict(
        setup=lambda c: {"id": _association(c)},
        request=lambda v: {"clusterName": "prod", "associationId": v["id"], "roleArn": OTHER_ROLE},
        change={"roleArn": ROLE}, count=None),
    "CreateCapability": dict(
        setup=lambda c: create_cluster(c),
        request=lambda v: {"clusterName": "prod", "capabilityName": "kro", "type": "KRO", "roleArn": ROLE,
                           "deletePropagationPolicy": "RETAIN"},
        change={"roleArn": OTHER_ROLE},
        count=lambda c: len(c.list_capabilities(clusterName="prod")["capabilities"])),
    "UpdateCapability": dict(
        setup=lambda c: (create_cluster(c), c.create_capability(
            clusterName="prod", capabilityName="argo", type="ARGOCD", roleArn=ROLE, deletePropagationPolicy="RETAIN",
            configuration={"argoCd": IDC})),
        request=lambda v: {"clusterName": "prod", "capabilityName": "argo", "roleArn": OTHER_ROLE},
        change={"roleArn": ROLE}, count=lambda c: _updates(c, capabilityName="argo")),
    "UpdateClusterConfig": dict(
        setup=lambda c: create_cluster(c),
        request=lambda v: {"name": "prod", "logging": {"clusterLogging": [{"types": ["api"], "enabled": True}]}},
        change={"logging": {"clusterLogging": [{"types": ["audit"], "enabled": True}]}}, count=_updates),
    "UpdateClusterVersion": dict(
        setup=lambda c: create_cluster(c, version="1.34"),
        request=lambda v: {"name": "prod", "version": "1.35"},
        change={"force": True}, count=_updates),
    "AssociateEncryptionConfig": dict(
        setup=lambda c: create_cluster(c),
        request=lambda v: {"clusterName": "prod",
                           "encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": KEY}}]},
        change={"encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": KEY + "2"}}]},
        count=_updates),
    "AssociateIdentityProviderConfig": dict(
        setup=lambda c: create_cluster(c),
        request=lambda v: {"clusterName": "prod", "oidc": {"identityProviderConfigName": "idp",
                                                           "issuerUrl": "https://issuer.example.com",
                                                           "clientId": "kubernetes"}},
        change={"tags": {"k": "v"}}, count=_updates),
    "DisassociateIdentityProviderConfig": dict(
        setup=lambda c: (create_cluster(c), c.associate_identity_provider_config(
            clusterName="prod", oidc={"identityProviderConfigName": "idp", "issuerUrl": "https://issuer.example.com",
                                      "clientId": "kubernetes"})),
        request=lambda v: {"clusterName": "prod", "identityProviderConfig": {"type": "oidc", "name": "idp"}},
        change={"identityProviderConfig": {"type": "oidc", "name": "other"}}, count=_updates),
}

IDENTIFYING = ("id", "arn", "nodegroupArn", "fargateProfileArn", "addonArn", "accessEntryArn", "associationArn")


def _identity(response: dict) -> tuple:
    (member,) = [k for k in response if k not in ("ResponseMetadata", "tags")]
    resource = response[member]
    key = next(k for k in IDENTIFYING if k in resource)
    return member, resource[key], resource.get("modifiedAt")


def _call(client, operation, request):
    return getattr(client, botocore.xform_name(operation))(**request)


def test_every_operation_with_a_token_has_a_case():
    assert sorted(CASES) == TOKEN_OPERATIONS and len(TOKEN_OPERATIONS) == 21


@pytest.mark.parametrize("operation", TOKEN_OPERATIONS)
def test_same_token_and_parameters_replay_the_original_answer(eks_client, operation):
    case = CASES[operation]
    values = case["setup"](eks_client)
    request = {**case["request"](values if isinstance(values, dict) else {}), "clientRequestToken": "token-1"}
    first = _call(eks_client, operation, request)
    before = case["count"](eks_client) if case["count"] else None
    again = _call(eks_client, operation, request)
    assert _identity(again)[:2] == _identity(first)[:2]
    if case["count"]:
        assert case["count"](eks_client) == before
    else:   # an in-place change is not made again: the resource is not modified a second time
        assert _identity(again)[2] == _identity(first)[2]


@pytest.mark.parametrize("operation", TOKEN_OPERATIONS)
def test_same_token_with_other_parameters_is_invalid_parameter(eks_client, operation):
    case = CASES[operation]
    values = case["setup"](eks_client)
    request = {**case["request"](values if isinstance(values, dict) else {}), "clientRequestToken": "token-1"}
    _call(eks_client, operation, request)
    response = error_of(_call, eks_client, operation, {**request, **case["change"]})
    assert_error(response, "InvalidParameterException", TOKEN_REUSED.format(token="token-1"), 400)


def test_a_token_is_tied_to_its_resource(eks_client):
    """The same token on another cluster's create is a new request, not a replay."""
    create_cluster(eks_client, "a")
    create_cluster(eks_client, "b")
    first = create_profile(eks_client, cluster="a", clientRequestToken="shared")
    second = create_profile(eks_client, cluster="b", clientRequestToken="shared")
    assert first["fargateProfileArn"] != second["fargateProfileArn"]


def test_a_cluster_recreated_under_the_same_name_does_not_replay_its_predecessor(eks_client):
    """Add-ons and cluster updates of a deleted cluster are not the answers for its successor."""
    logging = {"clusterLogging": [{"types": ["api"], "enabled": True}]}
    create_cluster(eks_client)
    old_addon = eks_client.create_addon(clusterName="prod", addonName="vpc-cni", clientRequestToken="a")["addon"]
    old_update = eks_client.update_cluster_config(name="prod", logging=logging, clientRequestToken="u")["update"]
    eks_client.delete_cluster(name="prod")
    eks_client.list_clusters()                       # the deletion completes (instant timing)
    create_cluster(eks_client)
    addon = eks_client.create_addon(clusterName="prod", addonName="vpc-cni", clientRequestToken="a")["addon"]
    update = eks_client.update_cluster_config(name="prod", logging=logging, clientRequestToken="u")["update"]
    assert addon["addonArn"] != old_addon["addonArn"] and update["id"] != old_update["id"]
    assert eks_client.list_addons(clusterName="prod")["addons"] == ["vpc-cni"]
    assert eks_client.list_updates(name="prod")["updateIds"] == [update["id"]]
