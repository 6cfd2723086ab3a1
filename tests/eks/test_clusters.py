"""EKS clusters through boto3: CreateCluster rules and defaults, the cluster object, lifecycle, delete rules, listing."""
import base64
import re
import shutil
import ssl
import subprocess

import boto3
import pytest
from botocore.exceptions import WaiterError

from emulator.eks import cluster_config as config
from emulator.eks import clusters
from emulator.eks.common import CLUSTER_NOT_ACTIVE
from emulator.eks.idempotency import TOKEN_REUSED
from emulator.eks.service import INVALID_NAME_MESSAGE
from tests.eks.cluster_support import (CLUSTER_ROLE, SUBNETS, assert_error, create_cluster, create_nodegroup,
                                       create_profile, error_of)

IPE = "InvalidParameterException"


# -- the cluster object ----------------------------------------------------------------------------
def test_create_returns_creating_cluster_with_defaults(eks_client):
    cluster = create_cluster(eks_client)
    assert cluster["name"] == "prod"
    assert cluster["arn"] == "arn:aws:eks:us-east-1:123456789012:cluster/prod"
    assert cluster["status"] == "CREATING"
    assert cluster["version"] == "1.35"
    assert cluster["platformVersion"] == "eks.14"
    assert cluster["roleArn"] == CLUSTER_ROLE
    vpc = cluster["resourcesVpcConfig"]
    assert vpc["subnetIds"] == SUBNETS and vpc["securityGroupIds"] == []
    assert vpc["endpointPublicAccess"] is True and vpc["endpointPrivateAccess"] is False
    assert vpc["publicAccessCidrs"] == ["0.0.0.0/0"]
    assert re.fullmatch(r"sg-[0-9a-f]{17}", vpc["clusterSecurityGroupId"])
    assert re.fullmatch(r"vpc-[0-9a-f]{17}", vpc["vpcId"])
    assert cluster["kubernetesNetworkConfig"] == {"serviceIpv4Cidr": "10.100.0.0/16", "ipFamily": "ipv4"}
    assert cluster["logging"] == {"clusterLogging": [
        {"types": ["api", "audit", "authenticator", "controllerManager", "scheduler"], "enabled": False}]}
    assert cluster["accessConfig"] == {"bootstrapClusterCreatorAdminPermissions": True,
                                       "authenticationMode": "CONFIG_MAP"}
    assert cluster["upgradePolicy"] == {"supportType": "EXTENDED"}
    assert cluster["deletionProtection"] is False
    assert cluster["health"] == {"issues": []}
    assert cluster["tags"] == {}


def test_endpoint_and_certificate_absent_while_creating_then_present(eks_client, ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.cluster.create": 600})
    created = create_cluster(eks_client)
    assert "endpoint" not in created and "certificateAuthority" not in created
    ecs_eks_mock.clock.advance(600)
    cluster = eks_client.describe_cluster(name="prod")["cluster"]
    match = re.fullmatch(r"https://([0-9A-F]{32})\.gr7\.us-east-1\.eks\.amazonaws\.com", cluster["endpoint"])
    assert match
    assert cluster["identity"]["oidc"]["issuer"] == f"https://oidc.eks.us-east-1.amazonaws.com/id/{match.group(1)}"
    assert cluster["certificateAuthority"]["data"].startswith("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t")


def test_certificate_authority_is_a_parseable_x509_certificate_unique_per_cluster(eks_client, tmp_path):
    create_cluster(eks_client, "a")
    create_cluster(eks_client, "b")
    pems = [base64.b64decode(eks_client.describe_cluster(name=n)["cluster"]["certificateAuthority"]["data"]).decode()
            for n in ("a", "b")]
    ders = [ssl.PEM_cert_to_DER_cert(pem) for pem in pems]
    assert ders[0] != ders[1]
    # stable across reads
    again = eks_client.describe_cluster(name="a")["cluster"]["certificateAuthority"]["data"]
    assert base64.b64decode(again).decode() == pems[0]
    if shutil.which("openssl"):
        path = tmp_path / "ca.pem"
        path.write_text(pems[0])
        text = subprocess.run(["openssl", "x509", "-noout", "-text", "-in", str(path)],
                              capture_output=True, text=True, check=True).stdout
        assert "Subject: CN = kubernetes" in text and "CA:TRUE" in text
        verified = subprocess.run(["openssl", "verify", "-CAfile", str(path), str(path)],
                                  capture_output=True, text=True)
        assert verified.returncode == 0, verified.stderr


def test_create_echoes_optional_blocks(eks_client):
    cluster = create_cluster(
        eks_client, version="1.33", tags={"team": "core"},
        kubernetesNetworkConfig={"serviceIpv4Cidr": "172.30.0.0/16"},
        logging={"clusterLogging": [{"types": ["api", "audit"], "enabled": True}]},
        encryptionConfig=[{"resources": ["secrets"],
                           "provider": {"keyArn": "arn:aws:kms:us-east-1:123456789012:key/abcd-1234"}}],
        accessConfig={"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": False},
        upgradePolicy={"supportType": "STANDARD"}, zonalShiftConfig={"enabled": True},
        deletionProtection=True, controlPlaneScalingConfig={"tier": "tier-xl"},
        remoteNetworkConfig={"remoteNodeNetworks": [{"cidrs": ["192.168.0.0/16"]}],
                             "remotePodNetworks": [{"cidrs": ["172.16.0.0/16"]}]})
    assert cluster["version"] == "1.33" and cluster["platformVersion"] == "eks.38"
    assert cluster["tags"] == {"team": "core"}
    assert cluster["kubernetesNetworkConfig"]["serviceIpv4Cidr"] == "172.30.0.0/16"
    assert cluster["logging"]["clusterLogging"] == [
        {"types": ["api", "audit"], "enabled": True},
        {"types": ["authenticator", "controllerManager", "scheduler"], "enabled": False}]
    assert cluster["encryptionConfig"][0]["resources"] == ["secrets"]
    assert cluster["accessConfig"] == {"bootstrapClusterCreatorAdminPermissions": False, "authenticationMode": "API"}
    assert cluster["upgradePolicy"] == {"supportType": "STANDARD"}
    assert cluster["zonalShiftConfig"] == {"enabled": True}
    assert cluster["deletionProtection"] is True
    assert cluster["controlPlaneScalingConfig"] == {"tier": "tier-xl"}
    assert cluster["remoteNetworkConfig"]["remotePodNetworks"] == [{"cidrs": ["172.16.0.0/16"]}]


def test_ipv6_cluster_gets_a_service_ipv6_cidr(eks_client):
    network = create_cluster(eks_client, kubernetesNetworkConfig={"ipFamily": "ipv6"})["kubernetesNetworkConfig"]
    assert network["ipFamily"] == "ipv6"
    assert re.fullmatch(r"fd[0-9a-f]{2}:[0-9a-f]{4}:[0-9a-f]{4}::/108", network["serviceIpv6Cidr"])
    assert "serviceIpv4Cidr" not in network


def test_auto_mode_enabled_is_echoed(eks_client):
    cluster = create_cluster(
        eks_client, bootstrapSelfManagedAddons=False, accessConfig={"authenticationMode": "API"},
        computeConfig={"enabled": True, "nodePools": ["general-purpose", "system"],
                       "nodeRoleArn": "arn:aws:iam::123456789012:role/auto-node"},
        storageConfig={"blockStorage": {"enabled": True}},
        kubernetesNetworkConfig={"elasticLoadBalancing": {"enabled": True}})
    assert cluster["computeConfig"] == {"enabled": True, "nodePools": ["general-purpose", "system"],
                                        "nodeRoleArn": "arn:aws:iam::123456789012:role/auto-node"}
    assert cluster["storageConfig"] == {"blockStorage": {"enabled": True}}
    assert cluster["kubernetesNetworkConfig"]["elasticLoadBalancing"] == {"enabled": True}


def test_outpost_local_cluster_has_an_id(eks_client):
    cluster = create_cluster(eks_client, outpostConfig={
        "outpostArns": ["arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0"],
        "controlPlaneInstanceType": "m5.large"})
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", cluster["id"])
    assert cluster["outpostConfig"]["controlPlaneInstanceType"] == "m5.large"


# -- CreateCluster rules -------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["bad/name", "-starts-with-dash", "has.dot", "x y"])
def test_name_must_match_the_whole_pattern(eks_client, name):
    # botocore's pattern is not anchored at the end; EKS checks the whole name.
    response = error_of(create_cluster, eks_client, name)
    assert_error(response, IPE, INVALID_NAME_MESSAGE.format(member="name"), 400)


def test_name_longer_than_100_characters_is_refused(eks_client):
    response = error_of(create_cluster, eks_client, "a" * 101)
    assert response["Error"]["Code"] == IPE and response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_name_of_100_characters_is_accepted(eks_client):
    assert create_cluster(eks_client, "a" * 100)["name"] == "a" * 100


def test_duplicate_name_is_resource_in_use(eks_client):
    create_cluster(eks_client)
    response = error_of(create_cluster, eks_client)
    assert_error(response, "ResourceInUseException", "Cluster already exists with name: prod", 409,
                 clusterName="prod")


def test_name_of_a_deleting_cluster_is_still_taken(eks_client, ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.cluster.delete": 300})
    create_cluster(eks_client)
    eks_client.delete_cluster(name="prod")
    assert_error(error_of(create_cluster, eks_client), "ResourceInUseException",
                 "Cluster already exists with name: prod", 409)
    ecs_eks_mock.clock.advance(300)
    assert create_cluster(eks_client)["status"] == "CREATING"


@pytest.mark.parametrize("role", ["not-an-arn", "arn:aws:iam::123456789012:user/alice",
                                  "arn:aws:s3:::bucket"])
def test_role_arn_must_be_an_iam_role(eks_client, role):
    response = error_of(create_cluster, eks_client, roleArn=role)
    assert_error(response, IPE, config.INVALID_ROLE_ARN.format(arn=role), 400, clusterName="prod")


@pytest.mark.parametrize("subnets", [[], ["subnet-1"], ["subnet-1", "subnet-1"]])
def test_at_least_two_subnets(eks_client, subnets):
    response = error_of(create_cluster, eks_client, resourcesVpcConfig={"subnetIds": subnets})
    assert_error(response, IPE, "Subnets specified must be in at least two different AZs", 400, clusterName="prod")


def test_at_most_four_security_groups(eks_client):
    vpc = {"subnetIds": SUBNETS, "securityGroupIds": [f"sg-{i}" for i in range(5)]}
    assert_error(error_of(create_cluster, eks_client, resourcesVpcConfig=vpc), IPE,
                 config.TOO_MANY_SECURITY_GROUPS, 400)


def test_at_most_forty_public_access_cidrs(eks_client):
    vpc = {"subnetIds": SUBNETS, "publicAccessCidrs": [f"203.0.{i}.0/24" for i in range(41)]}
    assert_error(error_of(create_cluster, eks_client, resourcesVpcConfig=vpc), IPE, config.TOO_MANY_PUBLIC_CIDRS, 400)


@pytest.mark.parametrize("cidr", ["10.0.0.0/8", "not-a-cidr", "1.2.3.4/24"])
def test_public_access_cidrs_must_be_public_networks(eks_client, cidr):
    vpc = {"subnetIds": SUBNETS, "publicAccessCidrs": [cidr]}
    assert_error(error_of(create_cluster, eks_client, resourcesVpcConfig=vpc), IPE,
                 config.INVALID_PUBLIC_CIDR.format(cidrs=cidr), 400)


def test_endpoint_needs_public_or_private_access(eks_client):
    vpc = {"subnetIds": SUBNETS, "endpointPublicAccess": False, "endpointPrivateAccess": False}
    assert_error(error_of(create_cluster, eks_client, resourcesVpcConfig=vpc), IPE, config.NO_ENDPOINT_ACCESS, 400)


@pytest.mark.parametrize("version", ["abc", "1.13", "1.31", "1.29", "1.37", "2.0"])
def test_version_must_be_offered(eks_client, version):
    assert_error(error_of(create_cluster, eks_client, version=version), IPE, "unsupported Kubernetes version", 400,
                 clusterName="prod")


@pytest.mark.parametrize("version", ["1.32", "1.33", "1.34", "1.35", "1.36"])
def test_every_offered_version_can_be_created(eks_client, version):
    assert create_cluster(eks_client, version=version)["version"] == version


@pytest.mark.parametrize("cidr", ["11.0.0.0/16", "10.0.0.0/25", "10.0.0.0/11", "172.32.0.0/16", "bogus",
                                  "10.100.0.1/16"])
def test_service_ipv4_cidr_must_be_private_with_prefix_12_to_24(eks_client, cidr):
    response = error_of(create_cluster, eks_client, kubernetesNetworkConfig={"serviceIpv4Cidr": cidr})
    assert_error(response, IPE, config.INVALID_SERVICE_CIDR.format(cidr=cidr), 400)


def test_service_ipv4_cidr_not_allowed_with_ipv6(eks_client):
    response = error_of(create_cluster, eks_client,
                        kubernetesNetworkConfig={"ipFamily": "ipv6", "serviceIpv4Cidr": "10.100.0.0/16"})
    assert_error(response, IPE, config.SERVICE_CIDR_WITH_IPV6, 400)


def test_more_than_one_encryption_config_is_refused(eks_client):
    entry = {"resources": ["secrets"], "provider": {"keyArn": "arn:aws:kms:us-east-1:123456789012:key/k"}}
    response = error_of(create_cluster, eks_client, encryptionConfig=[entry, entry])
    assert response["Error"]["Code"] == IPE and response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_encryption_only_for_secrets(eks_client):
    entry = {"resources": ["configmaps"], "provider": {"keyArn": "arn:aws:kms:us-east-1:123456789012:key/k"}}
    assert_error(error_of(create_cluster, eks_client, encryptionConfig=[entry]), IPE, config.ENCRYPTION_RESOURCES, 400)


def test_encryption_needs_a_kms_key(eks_client):
    assert_error(error_of(create_cluster, eks_client, encryptionConfig=[{"resources": ["secrets"]}]), IPE,
                 config.ENCRYPTION_KEY_REQUIRED, 400)
    entry = {"resources": ["secrets"], "provider": {"keyArn": "arn:aws:iam::123456789012:role/k"}}
    assert_error(error_of(create_cluster, eks_client, encryptionConfig=[entry]), IPE,
                 config.INVALID_KEY_ARN.format(arn="arn:aws:iam::123456789012:role/k"), 400)


def test_logging_type_cannot_be_enabled_and_disabled_at_once(eks_client):
    logging = {"clusterLogging": [{"types": ["api"], "enabled": True}, {"types": ["api"], "enabled": False}]}
    assert_error(error_of(create_cluster, eks_client, logging=logging), IPE,
                 config.LOG_TYPE_TWICE.format(type="api"), 400)


def test_config_map_mode_requires_bootstrap_admin(eks_client):
    response = error_of(create_cluster, eks_client, accessConfig={
        "authenticationMode": "CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": False})
    assert_error(response, IPE, "bootstrapClusterCreatorAdminPermissions must be true if cluster authentication mode "
                                "is set to CONFIG_MAP", 400, clusterName="prod")


@pytest.mark.parametrize("blocks", [
    {"computeConfig": {"enabled": True}},
    {"computeConfig": {"enabled": True}, "storageConfig": {"blockStorage": {"enabled": True}}},
    {"storageConfig": {"blockStorage": {"enabled": True}},
     "kubernetesNetworkConfig": {"elasticLoadBalancing": {"enabled": True}}},
    {"computeConfig": {"enabled": False}, "storageConfig": {"blockStorage": {"enabled": True}},
     "kubernetesNetworkConfig": {"elasticLoadBalancing": {"enabled": False}}},
])
def test_auto_mode_flags_must_agree(eks_client, blocks):
    response = error_of(create_cluster, eks_client, bootstrapSelfManagedAddons=False,
                        accessConfig={"authenticationMode": "API"}, **blocks)
    assert_error(response, IPE, config.AUTO_MODE_INCONSISTENT, 400)


AUTO_ON = {"computeConfig": {"enabled": True}, "storageConfig": {"blockStorage": {"enabled": True}},
           "kubernetesNetworkConfig": {"elasticLoadBalancing": {"enabled": True}}}


def test_auto_mode_requires_bootstrap_self_managed_addons_false(eks_client):
    response = error_of(create_cluster, eks_client, accessConfig={"authenticationMode": "API"}, **AUTO_ON)
    assert_error(response, IPE, config.AUTO_MODE_BOOTSTRAP, 400)


def test_auto_mode_requires_access_entries(eks_client):
    response = error_of(create_cluster, eks_client, bootstrapSelfManagedAddons=False, **AUTO_ON)
    assert_error(response, IPE, config.AUTO_MODE_AUTH_MODE, 400)


def test_auto_mode_node_pools_are_general_purpose_or_system(eks_client):
    blocks = dict(AUTO_ON, computeConfig={"enabled": True, "nodePools": ["gpu"],
                                          "nodeRoleArn": "arn:aws:iam::123456789012:role/n"})
    response = error_of(create_cluster, eks_client, bootstrapSelfManagedAddons=False,
                        accessConfig={"authenticationMode": "API"}, **blocks)
    assert_error(response, IPE, config.AUTO_MODE_NODE_POOLS_UNKNOWN, 400)


def test_auto_mode_node_pools_need_a_node_role(eks_client):
    blocks = dict(AUTO_ON, computeConfig={"enabled": True, "nodePools": ["system"]})
    response = error_of(create_cluster, eks_client, bootstrapSelfManagedAddons=False,
                        accessConfig={"authenticationMode": "API"}, **blocks)
    assert_error(response, IPE, config.AUTO_MODE_NODE_ROLE, 400)


def test_auto_mode_disabled_takes_no_node_pools(eks_client):
    response = error_of(create_cluster, eks_client, computeConfig={"enabled": False, "nodePools": ["system"]})
    assert_error(response, IPE, config.AUTO_MODE_DISABLED_EXTRAS, 400)


def test_remote_networks_must_be_private_and_disjoint(eks_client):
    bad = {"remoteNodeNetworks": [{"cidrs": ["8.8.8.0/24"]}]}
    assert_error(error_of(create_cluster, eks_client, remoteNetworkConfig=bad), IPE,
                 config.INVALID_REMOTE_CIDR.format(cidr="8.8.8.0/24"), 400)
    overlap = {"remoteNodeNetworks": [{"cidrs": ["192.168.0.0/16"]}], "remotePodNetworks": [{"cidrs": ["192.168.1.0/24"]}]}
    assert_error(error_of(create_cluster, eks_client, remoteNetworkConfig=overlap), IPE,
                 config.REMOTE_CIDRS_OVERLAP.format(a="192.168.0.0/16", b="192.168.1.0/24"), 400)
    with_service = {"remoteNodeNetworks": [{"cidrs": ["10.100.0.0/24"]}]}
    assert_error(error_of(create_cluster, eks_client, remoteNetworkConfig=with_service), IPE,
                 config.REMOTE_CIDRS_OVERLAP.format(a="10.100.0.0/16", b="10.100.0.0/24"), 400)
    pods_only = {"remotePodNetworks": [{"cidrs": ["192.168.0.0/16"]}]}
    assert_error(error_of(create_cluster, eks_client, remoteNetworkConfig=pods_only), IPE,
                 config.REMOTE_PODS_WITHOUT_NODES, 400)


def test_reserved_tag_prefix_is_refused(eks_client):
    response = error_of(create_cluster, eks_client, tags={"aws:owner": "me"})
    assert response["Error"]["Code"] == IPE and response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_cluster_quota_is_100_per_region(eks_client):
    for i in range(100):
        create_cluster(eks_client, f"c{i:03}")
    response = error_of(create_cluster, eks_client, "one-more")
    assert_error(response, "ResourceLimitExceededException", clusters.TOO_MANY_CLUSTERS.format(name="one-more"), 400,
                 clusterName="one-more")
    eks_client.delete_cluster(name="c000")
    eks_client.describe_cluster(name="c001")      # the deletion completes (instant timing)
    assert create_cluster(eks_client, "one-more")["status"] == "CREATING"


def test_registered_clusters_do_not_count_against_the_cluster_quota(eks_client):
    for i in range(10):
        eks_client.register_cluster(name=f"r{i}", connectorConfig={"roleArn": CLUSTER_ROLE, "provider": "GKE"})
    for i in range(100):
        create_cluster(eks_client, f"c{i:03}")
    pages = eks_client.get_paginator("list_clusters").paginate(include=["all"])
    assert len([name for page in pages for name in page["clusters"]]) == 110


# -- idempotency ---------------------------------------------------------------------------------
def test_same_token_same_request_returns_the_same_cluster(eks_client):
    first = create_cluster(eks_client, clientRequestToken="token-1")
    again = create_cluster(eks_client, clientRequestToken="token-1")
    assert again["arn"] == first["arn"] and again["clientRequestToken"] == "token-1"
    assert again["createdAt"] == first["createdAt"]
    assert eks_client.list_clusters()["clusters"] == ["prod"]


def test_same_token_different_request_is_invalid_parameter(eks_client):
    create_cluster(eks_client, clientRequestToken="token-1")
    response = error_of(create_cluster, eks_client, clientRequestToken="token-1", version="1.34")
    assert_error(response, IPE, TOKEN_REUSED.format(token="token-1"), 400)


def test_token_is_echoed(eks_client):
    assert create_cluster(eks_client, clientRequestToken="abc")["clientRequestToken"] == "abc"


# -- lifecycle and waiters -----------------------------------------------------------------------
def test_creating_becomes_active_only_after_the_configured_duration(eks_client, ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.cluster.create": 600})
    create_cluster(eks_client)
    ecs_eks_mock.clock.advance(599)
    assert eks_client.describe_cluster(name="prod")["cluster"]["status"] == "CREATING"
    ecs_eks_mock.clock.advance(1)
    assert eks_client.describe_cluster(name="prod")["cluster"]["status"] == "ACTIVE"


def test_delete_returns_deleting_then_cluster_is_gone(eks_client, ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.cluster.delete": 300})
    create_cluster(eks_client)
    ecs_eks_mock.clock.advance(1)
    deleted = eks_client.delete_cluster(name="prod")["cluster"]
    assert deleted["status"] == "DELETING"
    assert eks_client.describe_cluster(name="prod")["cluster"]["status"] == "DELETING"
    waiter = eks_client.get_waiter("cluster_deleted")
    with pytest.raises(WaiterError):
        waiter.wait(name="prod", WaiterConfig={"Delay": 0, "MaxAttempts": 1})
    ecs_eks_mock.clock.advance(300)
    waiter.wait(name="prod", WaiterConfig={"Delay": 0, "MaxAttempts": 1})
    assert_error(error_of(eks_client.describe_cluster, name="prod"), "ResourceNotFoundException",
                 "No cluster found for name: prod.", 404, clusterName="prod")


def test_delete_again_while_deleting_answers_the_deletion(eks_client, ecs_eks_mock):
    ecs_eks_mock.config.set_timing(**{"eks.cluster.delete": 300})
    create_cluster(eks_client)
    eks_client.delete_cluster(name="prod")
    assert eks_client.delete_cluster(name="prod")["cluster"]["status"] == "DELETING"


def test_a_creating_cluster_can_be_deleted(eks_client, ecs_eks_mock):
    ecs_eks_mock.config.set_timing(**{"eks.cluster.create": 600})
    create_cluster(eks_client)
    assert eks_client.delete_cluster(name="prod")["cluster"]["status"] == "DELETING"


# -- DeleteCluster rules -------------------------------------------------------------------------
def test_delete_unknown_cluster(eks_client):
    assert_error(error_of(eks_client.delete_cluster, name="ghost"), "ResourceNotFoundException",
                 "No cluster found for name: ghost.", 404, clusterName="ghost")


def test_delete_with_nodegroups_is_refused(eks_client):
    create_cluster(eks_client)
    create_nodegroup(eks_client, name="workers")
    assert_error(error_of(eks_client.delete_cluster, name="prod"), "ResourceInUseException",
                 "Cluster has nodegroups attached", 409, clusterName="prod", nodegroupName="workers")


def test_delete_with_fargate_profiles_is_refused(eks_client):
    create_cluster(eks_client)
    create_profile(eks_client)
    assert_error(error_of(eks_client.delete_cluster, name="prod"), "ResourceInUseException",
                 "Cluster has Fargate Profiles in ACTIVE/CREATING state", 409, clusterName="prod")


def test_delete_with_deletion_protection_is_invalid_request(eks_client):
    create_cluster(eks_client, deletionProtection=True)
    eks_client.describe_cluster(name="prod")
    assert_error(error_of(eks_client.delete_cluster, name="prod"), "InvalidRequestException",
                 clusters.DELETION_PROTECTED.format(name="prod"), 400, clusterName="prod")


def test_deletion_protection_does_not_stop_deleting_a_creating_cluster(eks_client, ecs_eks_mock):
    # AWS: a cluster that is creating, failed or deleting can be deleted even when protected.
    ecs_eks_mock.config.set_timing(**{"eks.cluster.create": 600})
    create_cluster(eks_client, deletionProtection=True)
    assert eks_client.delete_cluster(name="prod")["cluster"]["status"] == "DELETING"


def test_children_are_refused_while_the_cluster_is_not_active(eks_client, ecs_eks_mock):
    ecs_eks_mock.config.set_timing(**{"eks.cluster.create": 600})
    create_cluster(eks_client)
    assert_error(error_of(create_nodegroup, eks_client), "InvalidRequestException",
                 CLUSTER_NOT_ACTIVE.format(name="prod"), 400, clusterName="prod")
    assert_error(error_of(create_profile, eks_client), "InvalidRequestException",
                 CLUSTER_NOT_ACTIVE.format(name="prod"), 400, clusterName="prod")


# -- Describe / List -----------------------------------------------------------------------------
def test_describe_unknown_cluster(eks_client):
    assert_error(error_of(eks_client.describe_cluster, name="ghost"), "ResourceNotFoundException",
                 "No cluster found for name: ghost.", 404, clusterName="ghost")


def test_invalid_name_in_the_path_is_invalid_parameter(eks_client):
    assert_error(error_of(eks_client.describe_cluster, name="bad.name"), IPE,
                 INVALID_NAME_MESSAGE.format(member="name"), 400)
    assert_error(error_of(eks_client.list_nodegroups, clusterName="bad.name"), IPE,
                 INVALID_NAME_MESSAGE.format(member="clusterName"), 400)


def test_list_clusters_pages_every_cluster_once(eks_client):
    names = [f"c{i:02}" for i in range(7)]
    for name in reversed(names):
        create_cluster(eks_client, name)
    seen = [n for page in eks_client.get_paginator("list_clusters").paginate(PaginationConfig={"PageSize": 3})
            for n in page["clusters"]]
    assert seen == names


def test_list_clusters_pages_survive_deletions_and_additions(eks_client):
    for name in ("a", "b", "c", "d"):
        create_cluster(eks_client, name)
    first = eks_client.list_clusters(maxResults=2)
    assert first["clusters"] == ["a", "b"]
    eks_client.delete_cluster(name="a")
    create_cluster(eks_client, "aa")
    second = eks_client.list_clusters(maxResults=2, nextToken=first["nextToken"])
    assert second["clusters"] == ["c", "d"] and "nextToken" not in second


@pytest.mark.parametrize("max_results", [0, 101])
def test_list_clusters_max_results_between_1_and_100(eks_client, max_results):
    from botocore.config import Config
    client = boto3.client("eks", region_name="us-east-1", config=Config(parameter_validation=False))
    response = error_of(client.list_clusters, maxResults=max_results)
    assert response["Error"]["Code"] == IPE and response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_list_clusters_with_a_foreign_token_is_invalid_parameter(eks_client):
    response = error_of(eks_client.list_clusters, nextToken="not-a-token")
    assert response["Error"]["Code"] == IPE and response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_list_clusters_include_all_adds_registered_clusters(eks_client):
    create_cluster(eks_client, "eks-one")
    eks_client.register_cluster(name="connected", connectorConfig={"roleArn": CLUSTER_ROLE, "provider": "GKE"})
    assert eks_client.list_clusters()["clusters"] == ["eks-one"]
    assert eks_client.list_clusters(include=["all"])["clusters"] == ["connected", "eks-one"]


def test_clusters_are_per_region_and_account(eks_client):
    create_cluster(eks_client)
    other_region = boto3.client("eks", region_name="eu-west-1")
    assert other_region.list_clusters()["clusters"] == []
    assert create_cluster(other_region)["arn"] == "arn:aws:eks:eu-west-1:123456789012:cluster/prod"
