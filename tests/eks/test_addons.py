"""EKS add-ons through boto3: create rules, configuration values, pod identity, updates, deletion, waiters."""
import re

import pytest
from botocore.exceptions import WaiterError

from emulator.eks import addons
from emulator.eks.cluster_config import INVALID_ROLE_ARN
from emulator.eks.common import CLUSTER_NOT_ACTIVE
from tests.eks.cluster_support import ACCOUNT, assert_error, create_cluster, error_of

IPE = "InvalidParameterException"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/addon-role"
OTHER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/other-role"


@pytest.fixture
def cluster(eks_client):
    return create_cluster(eks_client, version="1.34")


@pytest.fixture
def slow_addons(ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.addon.create": 60, "eks.addon.update": 90, "eks.addon.delete": 30})
    return ecs_eks_mock


def create(client, name="coredns", cluster="prod", **request):
    return client.create_addon(clusterName=cluster, addonName=name, **request)["addon"]


def invalid(response, message, addon="coredns"):
    assert_error(response, IPE, message, 400, clusterName="prod", addonName=addon)


# -- CreateAddon ----------------------------------------------------------------------------------

def test_create_returns_the_addon(eks_client, cluster):
    addon = create(eks_client, tags={"team": "platform"})
    assert addon["addonName"] == "coredns" and addon["clusterName"] == "prod"
    assert addon["status"] == "CREATING"
    assert re.fullmatch(r"arn:aws:eks:us-east-1:123456789012:addon/prod/coredns/[0-9a-f-]{36}", addon["addonArn"])
    assert addon["health"] == {"issues": []} and addon["tags"] == {"team": "platform"}
    assert addon["publisher"] == "eks" and addon["owner"] == "aws"
    assert addon["createdAt"] == addon["modifiedAt"]
    assert addon["podIdentityAssociations"] == []
    assert "configurationValues" not in addon and "marketplaceInformation" not in addon


def test_default_version_is_the_cluster_versions_default(eks_client, cluster):
    assert create(eks_client)["addonVersion"] == "v1.12.3-eksbuild.1"
    assert create(eks_client, "vpc-cni")["addonVersion"] == "v1.21.0-eksbuild.4"


def test_an_offered_version_can_be_chosen(eks_client, cluster):
    assert create(eks_client, addonVersion="v1.12.4-eksbuild.1")["addonVersion"] == "v1.12.4-eksbuild.1"


def test_unknown_addon_is_not_supported(eks_client, cluster):
    invalid(error_of(create, eks_client, "no-such-addon"), "Addon specified is not supported", addon="no-such-addon")


def test_version_not_offered_for_the_cluster_version(eks_client, cluster):
    invalid(error_of(create, eks_client, addonVersion="v1.13.1-eksbuild.1"), "Addon version specified is not supported")
    invalid(error_of(create, eks_client, addonVersion="v9.9.9-eksbuild.1"), "Addon version specified is not supported")


def test_cluster_must_exist(eks_client):
    assert_error(error_of(create, eks_client, cluster="ghost"), "ResourceNotFoundException",
                 "No cluster found for name: ghost.", 404, clusterName="ghost")


def test_cluster_must_be_active(eks_client, ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.cluster.create": 600})
    create_cluster(eks_client)
    assert_error(error_of(create, eks_client), "InvalidRequestException",
                 CLUSTER_NOT_ACTIVE.format(name="prod"), 400, clusterName="prod")


def test_an_addon_is_installed_once(eks_client, cluster):
    create(eks_client)
    assert_error(error_of(create, eks_client), "ResourceInUseException", "Addon already exists.", 409,
                 clusterName="prod", addonName="coredns")


def test_same_client_request_token_replays_the_create(eks_client, cluster):
    first = create(eks_client, clientRequestToken="token-1")
    again = create(eks_client, clientRequestToken="token-1")
    assert again["addonArn"] == first["addonArn"]
    assert eks_client.list_addons(clusterName="prod")["addons"] == ["coredns"]


def test_marketplace_addon_carries_its_product(eks_client, cluster):
    addon = create(eks_client, "kubecost_kubecost")
    assert addon["owner"] == "aws-marketplace" and addon["publisher"] == "kubecost"
    assert set(addon["marketplaceInformation"]) == {"productId", "productUrl"}


def test_service_account_role_must_be_a_role_arn(eks_client, cluster):
    invalid(error_of(create, eks_client, "vpc-cni", serviceAccountRoleArn="arn:aws:iam::123456789012:user/bob"),
            INVALID_ROLE_ARN.format(arn="arn:aws:iam::123456789012:user/bob"), addon="vpc-cni")
    assert create(eks_client, "vpc-cni", serviceAccountRoleArn=ROLE)["serviceAccountRoleArn"] == ROLE


def test_reserved_tag_prefix_is_refused(eks_client, cluster):
    response = error_of(create, eks_client, tags={"aws:owner": "x"})
    assert response["Error"]["Code"] == IPE and response["ResponseMetadata"]["HTTPStatusCode"] == 400


# -- configuration values --------------------------------------------------------------------------

def test_json_configuration_is_echoed_verbatim(eks_client, cluster):
    text = '{"replicaCount":3,  "resources": {"limits": {"memory": "170Mi"}}}'
    assert create(eks_client, configurationValues=text)["configurationValues"] == text
    assert eks_client.describe_addon(clusterName="prod", addonName="coredns")["addon"]["configurationValues"] == text


def test_yaml_configuration_is_echoed_byte_for_byte(eks_client, cluster):
    text = "replicaCount: 3\ncorefile: |\n  .:53 {\n      errors\n  }\n# trailing comment\n"
    assert create(eks_client, configurationValues=text)["configurationValues"] == text


def test_configuration_failing_the_schema(eks_client, cluster):
    invalid(error_of(create, eks_client, configurationValues='{"replicaCount": "3", "replicas": 2}'),
            "ConfigurationValue provided in request is not supported: Json schema validation failed with error: "
            "[$.replicas: is not defined in the schema and the schema does not allow additional properties, "
            "$.replicaCount: string found, integer expected]")


def test_configuration_that_is_null(eks_client, cluster):
    invalid(error_of(create, eks_client, configurationValues="null"),
            "ConfigurationValue provided in request is not supported: Json schema validation failed with error: "
            "[$: null found, object expected]")


def test_configuration_that_is_neither_json_nor_yaml(eks_client, cluster):
    response = error_of(create, eks_client, configurationValues="replicaCount: 1\nreplicaCount: 2")
    invalid(response, addons.NOT_JSON_OR_YAML.format(reason="duplicate key: replicaCount"))


def test_empty_configuration_means_none(eks_client, cluster):
    """Own choice: an empty or blank string is taken as no configuration (not as a null document)."""
    assert "configurationValues" not in create(eks_client, configurationValues="  ")


# -- pod identity -----------------------------------------------------------------------------------

def test_pod_identity_associations_are_created_and_owned_by_the_addon(eks_client, cluster):
    addon = create(eks_client, "aws-ebs-csi-driver",
                   podIdentityAssociations=[{"serviceAccount": "ebs-csi-controller-sa", "roleArn": ROLE}])
    (association_arn,) = addon["podIdentityAssociations"]
    (summary,) = eks_client.list_pod_identity_associations(clusterName="prod")["associations"]
    assert summary["associationArn"] == association_arn
    assert summary["ownerArn"] == addon["addonArn"]
    assert summary["namespace"] == "kube-system" and summary["serviceAccount"] == "ebs-csi-controller-sa"
    described = eks_client.describe_pod_identity_association(clusterName="prod",
                                                             associationId=summary["associationId"])
    assert described["association"]["roleArn"] == ROLE


def test_pod_identity_in_the_addons_namespace(eks_client, cluster):
    addon = create(eks_client, "aws-ebs-csi-driver", namespaceConfig={"namespace": "storage"},
                   podIdentityAssociations=[{"serviceAccount": "ebs-csi-controller-sa", "roleArn": ROLE}])
    assert addon["namespaceConfig"] == {"namespace": "storage"}
    (summary,) = eks_client.list_pod_identity_associations(clusterName="prod")["associations"]
    assert summary["namespace"] == "storage"


def test_pod_identity_for_a_service_account_the_addon_does_not_use(eks_client, cluster):
    invalid(error_of(create, eks_client, "amazon-cloudwatch-observability",
                     podIdentityAssociations=[{"serviceAccount": "amazon-cloudwatch", "roleArn": ROLE}]),
            "Service account amazon-cloudwatch in pod identity configuration is not supported for addon "
            "amazon-cloudwatch-observability", addon="amazon-cloudwatch-observability")


def test_pod_identity_with_a_version_that_predates_it(eks_client):
    create_cluster(eks_client, version="1.32")
    invalid(error_of(create, eks_client, "aws-efs-csi-driver", addonVersion="v1.7.7-eksbuild.1",
                     podIdentityAssociations=[{"serviceAccount": "efs-csi-controller-sa", "roleArn": ROLE}]),
            "Pod Identity feature is not supported for addon version: v1.7.7-eksbuild.1", addon="aws-efs-csi-driver")


def test_pod_identity_service_account_given_twice(eks_client, cluster):
    entry = {"serviceAccount": "aws-node", "roleArn": ROLE}
    invalid(error_of(create, eks_client, "vpc-cni", podIdentityAssociations=[entry, entry]),
            addons.SERVICE_ACCOUNT_TWICE.format(service_account="aws-node"), addon="vpc-cni")


def test_pod_identity_role_must_be_a_role(eks_client, cluster):
    invalid(error_of(create, eks_client, "vpc-cni",
                     podIdentityAssociations=[{"serviceAccount": "aws-node", "roleArn": "not-an-arn"}]),
            INVALID_ROLE_ARN.format(arn="not-an-arn"), addon="vpc-cni")


def test_pod_identity_service_account_already_associated(eks_client, cluster):
    existing = eks_client.create_pod_identity_association(clusterName="prod", namespace="kube-system",
                                                          serviceAccount="aws-node", roleArn=ROLE)["association"]
    assert_error(error_of(create, eks_client, "vpc-cni",
                          podIdentityAssociations=[{"serviceAccount": "aws-node", "roleArn": ROLE}]),
                 "ResourceInUseException", f"Association already exists: {existing['associationId']}", 409,
                 clusterName="prod", addonName="vpc-cni")
    assert eks_client.list_addons(clusterName="prod")["addons"] == []


# -- DescribeAddon / ListAddons ---------------------------------------------------------------------

def test_missing_addon(eks_client, cluster):
    for call in (eks_client.describe_addon, eks_client.delete_addon):
        assert_error(error_of(call, clusterName="prod", addonName="coredns"), "ResourceNotFoundException",
                     "No addon: coredns found in cluster: prod", 404, clusterName="prod", addonName="coredns")
    assert_error(error_of(eks_client.update_addon, clusterName="prod", addonName="coredns"),
                 "ResourceNotFoundException", "No addon: coredns found in cluster: prod", 404,
                 clusterName="prod", addonName="coredns")


def test_list_addons_pages_through_every_addon_once(eks_client, cluster):
    for name in ("vpc-cni", "coredns", "kube-proxy", "snapshot-controller", "adot"):
        create(eks_client, name)
    pages = list(eks_client.get_paginator("list_addons").paginate(clusterName="prod",
                                                                   PaginationConfig={"PageSize": 2}))
    assert [n for p in pages for n in p["addons"]] == ["adot", "coredns", "kube-proxy", "snapshot-controller",
                                                        "vpc-cni"]
    assert len(pages) == 3


def test_list_addons_page_size_bounds(eks_client, cluster):
    response = error_of(eks_client.list_addons, clusterName="prod", maxResults=101)
    assert response["Error"]["Code"] == IPE and response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_tags_reach_the_addon_through_its_arn(eks_client, cluster):
    arn = create(eks_client, tags={"a": "1"})["addonArn"]
    assert eks_client.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "1"}
    eks_client.tag_resource(resourceArn=arn, tags={"b": "2"})
    assert eks_client.describe_addon(clusterName="prod", addonName="coredns")["addon"]["tags"] == {"a": "1", "b": "2"}


def test_addons_go_with_their_cluster(eks_client, cluster):
    create(eks_client)
    eks_client.delete_cluster(name="prod")
    assert_error(error_of(eks_client.describe_addon, clusterName="prod", addonName="coredns"),
                 "ResourceNotFoundException", "No cluster found for name: prod.", 404, clusterName="prod")
    create_cluster(eks_client, version="1.34")
    assert eks_client.list_addons(clusterName="prod")["addons"] == []


# -- lifecycle --------------------------------------------------------------------------------------

def test_creating_then_active_on_the_clock(eks_client, cluster, slow_addons):
    created = create(eks_client)
    slow_addons.clock.advance(59)
    assert eks_client.describe_addon(clusterName="prod", addonName="coredns")["addon"]["status"] == "CREATING"
    slow_addons.clock.advance(1)
    addon = eks_client.describe_addon(clusterName="prod", addonName="coredns")["addon"]
    assert addon["status"] == "ACTIVE"
    assert (addon["modifiedAt"] - created["createdAt"]).total_seconds() == 60


def test_addon_deleted_waiter_fails_on_an_active_addon_only_after_its_attempts(eks_client, cluster):
    create(eks_client)
    with pytest.raises(WaiterError):
        eks_client.get_waiter("addon_deleted").wait(clusterName="prod", addonName="coredns",
                                                    WaiterConfig={"Delay": 0, "MaxAttempts": 2})


# -- UpdateAddon ------------------------------------------------------------------------------------

def test_update_is_an_addon_update_through_the_update_machinery(eks_client, cluster, slow_addons):
    create(eks_client, "vpc-cni")
    slow_addons.clock.advance(60)
    update = eks_client.update_addon(clusterName="prod", addonName="vpc-cni", addonVersion="v1.21.1-eksbuild.3",
                                     resolveConflicts="OVERWRITE", serviceAccountRoleArn=ROLE,
                                     configurationValues='{"env": {"WARM_IP_TARGET": "5"}}')["update"]
    assert update["type"] == "AddonUpdate" and update["status"] == "InProgress" and update["errors"] == []
    assert update["params"] == [
        {"type": "AddonVersion", "value": "v1.21.1-eksbuild.3"}, {"type": "ServiceAccountRoleArn", "value": ROLE},
        {"type": "ResolveConflicts", "value": "OVERWRITE"},
        {"type": "ConfigurationValues", "value": '{"env": {"WARM_IP_TARGET": "5"}}'}]
    addon = eks_client.describe_addon(clusterName="prod", addonName="vpc-cni")["addon"]
    assert addon["status"] == "UPDATING" and addon["addonVersion"] == "v1.21.0-eksbuild.4"
    assert eks_client.list_updates(name="prod", addonName="vpc-cni")["updateIds"] == [update["id"]]
    assert eks_client.list_updates(name="prod")["updateIds"] == []
    slow_addons.clock.advance(90)
    addon = eks_client.describe_addon(clusterName="prod", addonName="vpc-cni")["addon"]
    assert addon["status"] == "ACTIVE" and addon["addonVersion"] == "v1.21.1-eksbuild.3"
    assert addon["serviceAccountRoleArn"] == ROLE
    assert addon["configurationValues"] == '{"env": {"WARM_IP_TARGET": "5"}}'
    done = eks_client.describe_update(name="prod", updateId=update["id"], addonName="vpc-cni")["update"]
    assert done["status"] == "Successful"


def test_update_while_not_active(eks_client, cluster, slow_addons):
    create(eks_client)
    assert_error(error_of(eks_client.update_addon, clusterName="prod", addonName="coredns"),
                 "ResourceInUseException", addons.ADDON_NOT_UPDATABLE, 409, clusterName="prod", addonName="coredns")


def test_update_to_a_version_not_offered(eks_client, cluster):
    create(eks_client)
    invalid(error_of(eks_client.update_addon, clusterName="prod", addonName="coredns",
                     addonVersion="v1.11.4-eksbuild.2"), "Addon version specified is not supported")


def test_update_configuration_is_checked_against_the_version(eks_client):
    create_cluster(eks_client, version="1.32")
    create(eks_client, "kube-proxy")
    invalid(error_of(eks_client.update_addon, clusterName="prod", addonName="kube-proxy",
                     configurationValues="mode: nftables"),
            "ConfigurationValue provided in request is not supported: Json schema validation failed with error: "
            "[$.mode: does not have a value in the enumeration [iptables, ipvs]]", addon="kube-proxy")


def test_update_replaces_the_addons_pod_identity_associations(eks_client, cluster):
    addon = create(eks_client, "adot", podIdentityAssociations=[
        {"serviceAccount": "adot-col-prom-metrics", "roleArn": ROLE},
        {"serviceAccount": "adot-col-otlp-ingest", "roleArn": ROLE}])
    update = eks_client.update_addon(clusterName="prod", addonName="adot", podIdentityAssociations=[
        {"serviceAccount": "adot-col-prom-metrics", "roleArn": OTHER_ROLE}])["update"]
    assert update["params"] == [{"type": "PodIdentityAssociations", "value": (
        '[{"serviceAccount":"adot-col-prom-metrics","roleArn":"%s","namespace":"opentelemetry-operator-system"}]'
        % OTHER_ROLE)}]
    (summary,) = eks_client.list_pod_identity_associations(clusterName="prod")["associations"]
    assert summary["serviceAccount"] == "adot-col-prom-metrics" and summary["ownerArn"] == addon["addonArn"]
    association = eks_client.describe_pod_identity_association(clusterName="prod",
                                                               associationId=summary["associationId"])
    assert association["association"]["roleArn"] == OTHER_ROLE
    after = eks_client.describe_addon(clusterName="prod", addonName="adot")["addon"]
    assert after["podIdentityAssociations"] == [summary["associationArn"]]


# -- DeleteAddon ------------------------------------------------------------------------------------

def test_delete_answers_deleting_then_the_addon_is_gone(eks_client, cluster, slow_addons):
    create(eks_client)
    slow_addons.clock.advance(60)
    assert eks_client.delete_addon(clusterName="prod", addonName="coredns")["addon"]["status"] == "DELETING"
    assert eks_client.delete_addon(clusterName="prod", addonName="coredns")["addon"]["status"] == "DELETING"
    slow_addons.clock.advance(30)
    assert eks_client.list_addons(clusterName="prod")["addons"] == []


def test_delete_removes_the_addons_pod_identity_associations(eks_client, cluster):
    create(eks_client, "vpc-cni", podIdentityAssociations=[{"serviceAccount": "aws-node", "roleArn": ROLE}])
    eks_client.delete_addon(clusterName="prod", addonName="vpc-cni")
    assert eks_client.list_pod_identity_associations(clusterName="prod")["associations"] == []


def test_delete_with_preserve_keeps_the_associations_unowned(eks_client, cluster):
    """Own choice: with preserve, the add-on's associations stay, no longer owned by it."""
    create(eks_client, "vpc-cni", podIdentityAssociations=[{"serviceAccount": "aws-node", "roleArn": ROLE}])
    eks_client.delete_addon(clusterName="prod", addonName="vpc-cni", preserve=True)
    (summary,) = eks_client.list_pod_identity_associations(clusterName="prod")["associations"]
    assert "ownerArn" not in summary
