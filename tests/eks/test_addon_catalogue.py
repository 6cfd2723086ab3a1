"""The add-on catalogue: its invariants, DescribeAddonVersions, DescribeAddonConfiguration, configuration parsing."""
import json

import pytest

from emulator.eks import addon_catalogue
from emulator.eks.addon_catalogue import version_key
from emulator.eks.cluster_versions import is_offered
from emulator.eks.config_values import ConfigurationParseError, parse, violations
from tests.eks.cluster_support import assert_error, error_of

SUPPORTED_MINORS = ("1.32", "1.33", "1.34", "1.35", "1.36")
REQUIRED_ADDONS = ("vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver", "aws-efs-csi-driver",
                   "eks-pod-identity-agent", "snapshot-controller", "amazon-cloudwatch-observability",
                   "aws-guardduty-agent", "aws-mountpoint-s3-csi-driver", "adot", "eks-node-monitoring-agent")


# -- the data ---------------------------------------------------------------------------------

def test_catalogue_offers_the_aws_addons_and_marketplace_examples():
    names = {offer.name for offer in addon_catalogue.offers()}
    assert set(REQUIRED_ADDONS) <= names
    marketplace = [o for o in addon_catalogue.offers() if o.owner == "aws-marketplace"]
    assert len(marketplace) >= 2
    assert all(o.marketplace_information["productUrl"].startswith("https://aws.amazon.com/marketplace/")
               for o in marketplace)
    assert addon_catalogue.offer("aws-mountpoint-s3-csi-driver").publisher == "s3"


def test_exactly_one_default_version_per_addon_and_cluster_version():
    for offer in addon_catalogue.offers():
        for minor in {m for v in offer.versions for m in v.cluster_versions}:
            defaults = [v.addon_version for v in offer.versions if minor in v.default_for]
            assert len(defaults) == 1, (offer.name, minor, defaults)
            assert offer.version(defaults[0]).supports(minor)


def test_every_addon_runs_on_every_offered_minor():
    for offer in addon_catalogue.offers():
        for minor in SUPPORTED_MINORS:
            assert is_offered(minor)
            assert offer.versions_for(minor), (offer.name, minor)


def test_versions_are_listed_newest_first():
    for offer in addon_catalogue.offers():
        keys = [version_key(v.addon_version) for v in offer.versions]
        assert keys == sorted(keys, reverse=True), offer.name
        assert all(v.addon_version.startswith("v") and "-eksbuild." in v.addon_version for v in offer.versions)


def test_schemas_refuse_unknown_top_level_keys_and_are_self_contained():
    for offer in addon_catalogue.offers():
        for version in offer.versions:
            schema = version.schema
            assert schema["additionalProperties"] is False
            text = json.dumps(schema)
            for ref in {part.split('"')[0] for part in text.split('"$ref": "#/definitions/')[1:]}:
                assert ref in schema["definitions"], (offer.name, ref)


# -- DescribeAddonVersions ------------------------------------------------------------------------

def test_describe_addon_versions_for_a_kubernetes_version(eks_client):
    addons = eks_client.describe_addon_versions(kubernetesVersion="1.34")["addons"]
    coredns = next(a for a in addons if a["addonName"] == "coredns")
    assert coredns["type"] == "networking" and coredns["owner"] == "aws" and coredns["publisher"] == "eks"
    assert coredns["defaultNamespace"] == "kube-system"
    assert [v["addonVersion"] for v in coredns["addonVersions"]] == ["v1.12.4-eksbuild.1", "v1.12.3-eksbuild.1"]
    for version in coredns["addonVersions"]:
        assert [c["clusterVersion"] for c in version["compatibilities"]] == ["1.34"]
        assert version["compatibilities"][0]["platformVersions"] == ["*"]
        assert version["architecture"] == ["amd64", "arm64"] and "fargate" in version["computeTypes"]
    defaults = [v["addonVersion"] for v in coredns["addonVersions"] if v["compatibilities"][0]["defaultVersion"]]
    assert defaults == ["v1.12.3-eksbuild.1"]


def test_without_kubernetes_version_every_version_and_compatibility_is_listed(eks_client):
    (kube_proxy,) = eks_client.describe_addon_versions(addonName="kube-proxy")["addons"]
    assert len(kube_proxy["addonVersions"]) == 10
    assert kube_proxy["addonVersions"][0]["addonVersion"] == "v1.36.1-eksbuild.1"
    assert kube_proxy["addonVersions"][-1]["addonVersion"] == "v1.32.0-eksbuild.2"


def test_unknown_addon_name_or_kubernetes_version_lists_nothing(eks_client):
    assert eks_client.describe_addon_versions(addonName="no-such-addon")["addons"] == []
    assert eks_client.describe_addon_versions(kubernetesVersion="1.20")["addons"] == []


def test_filters_by_type_publisher_and_owner(eks_client):
    storage = eks_client.describe_addon_versions(types=["storage"])["addons"]
    assert {a["addonName"] for a in storage} == {"aws-ebs-csi-driver", "aws-efs-csi-driver",
                                                 "aws-mountpoint-s3-csi-driver", "snapshot-controller"}
    assert [a["addonName"] for a in eks_client.describe_addon_versions(publishers=["s3"])["addons"]] == [
        "aws-mountpoint-s3-csi-driver"]
    marketplace = eks_client.describe_addon_versions(owners=["aws-marketplace"])["addons"]
    assert {a["addonName"] for a in marketplace} == {"kubecost_kubecost", "datadog_operator"}
    assert all(a["marketplaceInformation"]["productId"] for a in marketplace)


def test_pagination_returns_every_addon_once(eks_client):
    paginator = eks_client.get_paginator("describe_addon_versions")
    pages = list(paginator.paginate(kubernetesVersion="1.35", PaginationConfig={"PageSize": 4}))
    names = [a["addonName"] for p in pages for a in p["addons"]]
    assert len(pages) == 4 and len(names) == len(set(names)) == 14
    assert names == sorted(names)


def test_page_size_above_100_is_refused(eks_client):
    response = error_of(eks_client.describe_addon_versions, maxResults=101)
    assert response["Error"]["Code"] == "InvalidParameterException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_token_from_another_listing_is_refused(eks_client):
    token = eks_client.describe_addon_versions(maxResults=1)["nextToken"]
    assert_error(error_of(eks_client.describe_addon_versions, types=["storage"], nextToken=token),
                 "InvalidParameterException", "The nextToken provided is not valid.", 400)


# -- DescribeAddonConfiguration ---------------------------------------------------------------------

def test_configuration_schema_is_a_json_string(eks_client):
    answer = eks_client.describe_addon_configuration(addonName="coredns", addonVersion="v1.12.3-eksbuild.1")
    assert answer["addonName"] == "coredns" and answer["addonVersion"] == "v1.12.3-eksbuild.1"
    schema = json.loads(answer["configurationSchema"])
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["additionalProperties"] is False
    assert {"replicaCount", "corefile", "resources", "tolerations"} <= set(schema["properties"])
    assert "podIdentityConfiguration" not in answer


def test_pod_identity_configuration_names_service_accounts_and_policies(eks_client):
    answer = eks_client.describe_addon_configuration(addonName="aws-ebs-csi-driver",
                                                     addonVersion="v1.52.1-eksbuild.1")
    assert answer["podIdentityConfiguration"] == [{
        "serviceAccount": "ebs-csi-controller-sa",
        "recommendedManagedPolicies": ["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"]}]


def test_kube_proxy_schemas_differ_by_version(eks_client):
    def modes(version):
        text = eks_client.describe_addon_configuration(addonName="kube-proxy", addonVersion=version)
        return json.loads(text["configurationSchema"])["properties"]["mode"]["enum"]
    assert modes("v1.32.10-eksbuild.1") == ["iptables", "ipvs"]
    assert modes("v1.34.5-eksbuild.2") == ["iptables", "ipvs", "nftables"]


def test_unknown_addon_or_version_is_not_found(eks_client):
    assert_error(error_of(eks_client.describe_addon_configuration, addonName="coredns", addonVersion="v0.0.1"),
                 "ResourceNotFoundException", "No addon: coredns with version: v0.0.1 found", 404, addonName="coredns")
    assert_error(error_of(eks_client.describe_addon_configuration, addonName="nope", addonVersion="v1"),
                 "ResourceNotFoundException", "No addon: nope with version: v1 found", 404, addonName="nope")


def test_both_parameters_are_required(ecs_eks_mock):
    """botocore checks required members; a raw request without them gets the server's own answer."""
    import requests
    response = requests.get("https://eks.us-east-1.amazonaws.com/addons/configuration-schemas?addonName=coredns")
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"].startswith("InvalidParameterException")
    assert "addonVersion" in response.json()["message"]


# -- configuration values ------------------------------------------------------------------------

COREDNS_YAML = """\
replicaCount: 3   # three replicas
resources:
  limits:
    memory: "170Mi"
tolerations:
- key: CriticalAddonsOnly
  operator: Exists
corefile: |
  .:53 {
      errors
      forward . /etc/resolv.conf
  }
nodeSelector: {role: system, "zone": 'a'}
"""


def test_yaml_subset_block_mappings_sequences_and_literal_scalars():
    assert parse(COREDNS_YAML) == {
        "replicaCount": 3, "resources": {"limits": {"memory": "170Mi"}},
        "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
        "corefile": ".:53 {\n    errors\n    forward . /etc/resolv.conf\n}\n",
        "nodeSelector": {"role": "system", "zone": "a"}}


@pytest.mark.parametrize("text, value", [
    ("a: ~", {"a": None}), ("a: null", {"a": None}), ("a:", {"a": None}), ("a: true", {"a": True}),
    ("a: 'true'", {"a": "true"}), ("a: 0x1F", {"a": 31}), ("a: 1.5e3", {"a": 1500.0}), ("a: -7", {"a": -7}),
    ("a: it's", {"a": "it's"}), ("a: 'it''s'", {"a": "it's"}), ('a: "tab\\tx"', {"a": "tab\tx"}),
    ("a: [1, [2, 3], {b: c}]", {"a": [1, [2, 3], {"b": "c"}]}), ("- x\n- y: 1\n  z: 2", ["x", {"y": 1, "z": 2}]),
    ("a:\n- 1\n- 2", {"a": [1, 2]}), ("a: >-\n  folded\n  text\n", {"a": "folded text"}),
    ("---\na: 1\n", {"a": 1}), ("a: b c\n  d", {"a": "b c d"}), ("a: http://x:80/y", {"a": "http://x:80/y"}),
])
def test_yaml_subset_scalars_and_collections(text, value):
    assert parse(text) == value


@pytest.mark.parametrize("text", ["a: &x 1\nb: *x", "a: !!str 1", "a: 1\na: 2", "a: [1, 2", "a: b\n  c: d",
                                  "a: 1\n---\nb: 2", "a:\n\t- 1", "a: 'x' y"])
def test_yaml_outside_the_subset_is_refused(text):
    with pytest.raises(ConfigurationParseError):
        parse(text)


def test_violations_are_worded_like_eks():
    schema = addon_catalogue.offer("coredns").version("v1.12.3-eksbuild.1").schema
    assert violations(schema, None) == ["$: null found, object expected"]
    assert violations(schema, {"replicaCount": "two", "extra": 1, "tolerations": [{"effect": "Never"}]}) == [
        "$.extra: is not defined in the schema and the schema does not allow additional properties",
        "$.replicaCount: string found, integer expected",
        "$.tolerations[0].effect: does not have a value in the enumeration [NoSchedule, PreferNoSchedule, NoExecute]",
    ]
    assert violations(schema, {"replicaCount": 0}) == ["$.replicaCount: must have a minimum value of 1"]
