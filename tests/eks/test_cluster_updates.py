"""UpdateClusterConfig, UpdateClusterVersion and AssociateEncryptionConfig: update types, rules, lifecycle."""
import json

import pytest

from emulator.eks import cluster_config as config
from emulator.eks import cluster_updates as updates
from emulator.eks import clusters
from emulator.eks.common import CLUSTER_NOT_ACTIVE
from emulator.eks.idempotency import TOKEN_REUSED
from tests.eks.cluster_support import SUBNETS, assert_error, create_cluster, create_nodegroup, error_of

IPE = "InvalidParameterException"
KEY = "arn:aws:kms:us-east-1:123456789012:key/0b1c2d3e"


@pytest.fixture
def cluster(eks_client):
    return create_cluster(eks_client)


@pytest.fixture
def slow_updates(ecs_eks_mock):
    """A frozen clock with config, version and encryption updates taking their realistic time."""
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.cluster.update.config": 180, "eks.cluster.update.version": 900,
                                      "eks.cluster.update.encryption": 600})
    return ecs_eks_mock


def params_of(update) -> dict:
    return {p["type"]: p["value"] for p in update["params"]}


@pytest.mark.parametrize("request_members, update_type, expected_params", [
    ({"resourcesVpcConfig": {"endpointPrivateAccess": True}}, "EndpointAccessUpdate",
     {"EndpointPrivateAccess": "true"}),
    ({"resourcesVpcConfig": {"publicAccessCidrs": ["203.0.113.0/24"]}}, "EndpointAccessUpdate",
     {"PublicAccessCidrs": '["203.0.113.0/24"]'}),
    ({"resourcesVpcConfig": {"subnetIds": SUBNETS + ["subnet-3"]}}, "VpcConfigUpdate",
     {"Subnets": json.dumps(SUBNETS + ["subnet-3"], separators=(",", ":"))}),
    ({"resourcesVpcConfig": {"securityGroupIds": ["sg-1"]}}, "VpcConfigUpdate", {"SecurityGroups": '["sg-1"]'}),
    ({"logging": {"clusterLogging": [{"types": ["audit"], "enabled": True}]}}, "LoggingUpdate",
     {"ClusterLogging": '[{"types":["audit"],"enabled":true}]'}),
    ({"accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"}}, "AccessConfigUpdate",
     {"AuthenticationMode": "API_AND_CONFIG_MAP"}),
    ({"upgradePolicy": {"supportType": "STANDARD"}}, "UpgradePolicyUpdate", {"UpgradePolicy": "STANDARD"}),
    ({"zonalShiftConfig": {"enabled": True}}, "ZonalShiftConfigUpdate", {"ZonalShiftConfig": '{"enabled":true}'}),
    ({"remoteNetworkConfig": {"remoteNodeNetworks": [{"cidrs": ["192.168.0.0/16"]}]}}, "RemoteNetworkConfigUpdate",
     {"RemoteNetworkConfig": '{"remoteNodeNetworks":[{"cidrs":["192.168.0.0/16"]}],"remotePodNetworks":[]}'}),
    ({"deletionProtection": True}, "DeletionProtectionUpdate", {"DeletionProtection": "true"}),
    ({"controlPlaneScalingConfig": {"tier": "tier-2xl"}}, "ControlPlaneScalingConfigUpdate",
     {"UpdatedTier": "tier-2xl", "PreviousTier": "standard"}),
])
def test_each_kind_of_change_has_its_update_type(eks_client, cluster, request_members, update_type,
                                                 expected_params):
    update = eks_client.update_cluster_config(name="prod", **request_members)["update"]
    assert update["type"] == update_type
    assert update["status"] == "InProgress"
    assert update["errors"] == []
    assert params_of(update) == expected_params


def test_update_lifecycle_on_the_clock(eks_client, cluster, slow_updates):
    slow_updates.clock.advance(1)
    update = eks_client.update_cluster_config(name="prod", resourcesVpcConfig={"endpointPrivateAccess": True})["update"]
    described = eks_client.describe_cluster(name="prod")["cluster"]
    assert described["status"] == "UPDATING"
    assert described["resourcesVpcConfig"]["endpointPrivateAccess"] is False   # applied only when it succeeds
    slow_updates.clock.advance(179)
    assert eks_client.describe_update(name="prod", updateId=update["id"])["update"]["status"] == "InProgress"
    slow_updates.clock.advance(1)
    assert eks_client.describe_update(name="prod", updateId=update["id"])["update"]["status"] == "Successful"
    described = eks_client.describe_cluster(name="prod")["cluster"]
    assert described["status"] == "ACTIVE"
    assert described["resourcesVpcConfig"]["endpointPrivateAccess"] is True


@pytest.mark.parametrize("request_members, check", [
    ({"logging": {"clusterLogging": [{"types": ["api", "scheduler"], "enabled": True}]}},
     lambda c: c["logging"]["clusterLogging"][0] == {"types": ["api", "scheduler"], "enabled": True}),
    ({"resourcesVpcConfig": {"subnetIds": ["subnet-a", "subnet-b", "subnet-c"], "securityGroupIds": ["sg-9"]}},
     lambda c: c["resourcesVpcConfig"]["subnetIds"] == ["subnet-a", "subnet-b", "subnet-c"]
     and c["resourcesVpcConfig"]["securityGroupIds"] == ["sg-9"]),
    ({"accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"}},
     lambda c: c["accessConfig"]["authenticationMode"] == "API_AND_CONFIG_MAP"),
    ({"upgradePolicy": {"supportType": "STANDARD"}}, lambda c: c["upgradePolicy"] == {"supportType": "STANDARD"}),
    ({"zonalShiftConfig": {"enabled": True}}, lambda c: c["zonalShiftConfig"] == {"enabled": True}),
    ({"deletionProtection": True}, lambda c: c["deletionProtection"] is True),
    ({"controlPlaneScalingConfig": {"tier": "tier-4xl"}},
     lambda c: c["controlPlaneScalingConfig"] == {"tier": "tier-4xl"}),
    ({"remoteNetworkConfig": {"remoteNodeNetworks": [{"cidrs": ["192.168.0.0/16"]}]}},
     lambda c: c["remoteNetworkConfig"]["remoteNodeNetworks"] == [{"cidrs": ["192.168.0.0/16"]}]),
])
def test_change_is_applied_when_the_update_succeeds(eks_client, cluster, request_members, check):
    eks_client.update_cluster_config(name="prod", **request_members)
    described = eks_client.describe_cluster(name="prod")["cluster"]
    assert described["status"] == "ACTIVE"
    assert check(described)


def test_auto_mode_can_be_enabled_on_an_api_cluster(eks_client):
    create_cluster(eks_client, accessConfig={"authenticationMode": "API"})
    update = eks_client.update_cluster_config(
        name="prod", computeConfig={"enabled": True, "nodePools": ["system"],
                                    "nodeRoleArn": "arn:aws:iam::123456789012:role/auto"},
        storageConfig={"blockStorage": {"enabled": True}},
        kubernetesNetworkConfig={"elasticLoadBalancing": {"enabled": True}})["update"]
    assert update["type"] == "AutoModeUpdate"
    assert set(params_of(update)) == {"ComputeConfig", "StorageConfig", "KubernetesNetworkConfig"}
    described = eks_client.describe_cluster(name="prod")["cluster"]
    assert described["computeConfig"]["enabled"] is True
    assert described["storageConfig"] == {"blockStorage": {"enabled": True}}
    assert described["kubernetesNetworkConfig"]["elasticLoadBalancing"] == {"enabled": True}


def test_auto_mode_update_flags_must_agree(eks_client, cluster):
    response = error_of(eks_client.update_cluster_config, name="prod", computeConfig={"enabled": True})
    assert_error(response, IPE, config.AUTO_MODE_INCONSISTENT, 400, clusterName="prod")


def test_service_cidr_cannot_change(eks_client, cluster):
    response = error_of(eks_client.update_cluster_config, name="prod",
                        kubernetesNetworkConfig={"serviceIpv4Cidr": "172.20.0.0/16"})
    assert_error(response, IPE, config.NETWORK_CONFIG_IMMUTABLE, 400, clusterName="prod")


def test_only_one_kind_of_change_per_call(eks_client, cluster):
    response = error_of(eks_client.update_cluster_config, name="prod",
                        logging={"clusterLogging": [{"types": ["api"], "enabled": True}]},
                        resourcesVpcConfig={"endpointPrivateAccess": True})
    assert_error(response, IPE, "Only one type of update can be allowed.", 400, clusterName="prod")


def test_endpoint_and_subnets_in_one_call_are_two_kinds(eks_client, cluster):
    response = error_of(eks_client.update_cluster_config, name="prod",
                        resourcesVpcConfig={"endpointPrivateAccess": True, "subnetIds": SUBNETS})
    assert_error(response, IPE, "Only one type of update can be allowed.", 400)


def test_nothing_to_update(eks_client, cluster):
    assert_error(error_of(eks_client.update_cluster_config, name="prod"), IPE, updates.NOTHING_TO_UPDATE, 400)


def test_endpoint_no_op_message(eks_client, cluster):
    response = error_of(eks_client.update_cluster_config, name="prod",
                        resourcesVpcConfig={"endpointPublicAccess": True, "endpointPrivateAccess": False})
    assert_error(response, IPE, "Cluster is already at the desired configuration with endpointPrivateAccess: false , "
                                "endpointPublicAccess: true, and Public Endpoint Restrictions: [0.0.0.0/0]", 400,
                 clusterName="prod")


def test_endpoint_no_op_message_lists_every_cidr(eks_client):
    create_cluster(eks_client, resourcesVpcConfig={"subnetIds": SUBNETS, "endpointPrivateAccess": True,
                                                   "publicAccessCidrs": ["203.0.113.0/24", "198.51.100.0/24"]})
    response = error_of(eks_client.update_cluster_config, name="prod",
                        resourcesVpcConfig={"endpointPrivateAccess": True})
    assert response["Error"]["Message"] == (
        "Cluster is already at the desired configuration with endpointPrivateAccess: true , endpointPublicAccess: "
        "true, and Public Endpoint Restrictions: [203.0.113.0/24, 198.51.100.0/24]")


def test_endpoint_access_cannot_be_all_off(eks_client, cluster):
    response = error_of(eks_client.update_cluster_config, name="prod",
                        resourcesVpcConfig={"endpointPublicAccess": False})
    assert_error(response, IPE, config.NO_ENDPOINT_ACCESS, 400)


def test_logging_no_op_message(eks_client, cluster):
    response = error_of(eks_client.update_cluster_config, name="prod",
                        logging={"clusterLogging": [{"types": ["api"], "enabled": False}]})
    assert_error(response, IPE, "No changes needed for the logging config provided", 400, clusterName="prod")


def test_vpc_update_keeps_two_subnets(eks_client, cluster):
    response = error_of(eks_client.update_cluster_config, name="prod", resourcesVpcConfig={"subnetIds": ["subnet-1"]})
    assert_error(response, IPE, config.SUBNETS_TWO_AZS, 400)


@pytest.mark.parametrize("start, target", [("CONFIG_MAP", "API"), ("API_AND_CONFIG_MAP", "CONFIG_MAP"),
                                           ("API", "API_AND_CONFIG_MAP"), ("API", "CONFIG_MAP"),
                                           ("API", "API")])
def test_authentication_mode_only_moves_forward(eks_client, start, target):
    create_cluster(eks_client, accessConfig={"authenticationMode": start})
    response = error_of(eks_client.update_cluster_config, name="prod", accessConfig={"authenticationMode": target})
    assert_error(response, IPE, f"Unsupported authentication mode update from {start} to {target}", 400,
                 clusterName="prod")


def test_authentication_mode_steps_through_api_and_config_map(eks_client, cluster):
    eks_client.update_cluster_config(name="prod", accessConfig={"authenticationMode": "API_AND_CONFIG_MAP"})
    eks_client.update_cluster_config(name="prod", accessConfig={"authenticationMode": "API"})
    assert eks_client.describe_cluster(name="prod")["cluster"]["accessConfig"]["authenticationMode"] == "API"


def test_one_cluster_update_at_a_time(eks_client, cluster, slow_updates):
    first = eks_client.update_cluster_config(name="prod", resourcesVpcConfig={"endpointPrivateAccess": True})["update"]
    response = error_of(eks_client.update_cluster_config, name="prod", accessConfig={"authenticationMode": "API_AND_CONFIG_MAP"})
    assert_error(response, "ResourceInUseException",
                 f"Cannot AccessConfigUpdate because cluster prod currently has update {first['id']} in progress",
                 409, clusterName="prod")
    response = error_of(eks_client.update_cluster_version, name="prod", version="1.36")
    assert response["Error"]["Message"] == (
        f"Cannot VersionUpdate because cluster prod currently has update {first['id']} in progress")
    response = error_of(eks_client.associate_encryption_config, clusterName="prod",
                        encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": KEY}}])
    assert response["Error"]["Message"] == (
        f"Cannot AssociateEncryptionConfig because cluster prod currently has update {first['id']} in progress")
    slow_updates.clock.advance(180)
    assert eks_client.update_cluster_config(name="prod", accessConfig={
        "authenticationMode": "API_AND_CONFIG_MAP"})["update"]["status"] == "InProgress"


def test_updates_refused_while_the_cluster_is_creating(eks_client, ecs_eks_mock):
    ecs_eks_mock.config.set_timing(**{"eks.cluster.create": 600})
    create_cluster(eks_client)
    response = error_of(eks_client.update_cluster_config, name="prod", deletionProtection=True)
    assert_error(response, "InvalidRequestException", CLUSTER_NOT_ACTIVE.format(name="prod"), 400, clusterName="prod")


def test_update_of_unknown_cluster(eks_client):
    assert_error(error_of(eks_client.update_cluster_config, name="ghost", deletionProtection=True),
                 "ResourceNotFoundException", "No cluster found for name: ghost.", 404, clusterName="ghost")


def test_same_token_replays_the_update(eks_client, cluster):
    first = eks_client.update_cluster_config(name="prod", deletionProtection=True, clientRequestToken="t1")["update"]
    again = eks_client.update_cluster_config(name="prod", deletionProtection=True, clientRequestToken="t1")["update"]
    assert again["id"] == first["id"]
    assert eks_client.list_updates(name="prod")["updateIds"] == [first["id"]]
    response = error_of(eks_client.update_cluster_config, name="prod", deletionProtection=False,
                        clientRequestToken="t1")
    assert_error(response, IPE, TOKEN_REUSED.format(token="t1"), 400)


def test_deletion_protection_can_be_turned_off_then_cluster_deleted(eks_client):
    create_cluster(eks_client, deletionProtection=True)
    eks_client.update_cluster_config(name="prod", deletionProtection=False)
    assert eks_client.delete_cluster(name="prod")["cluster"]["status"] == "DELETING"


# -- UpdateClusterVersion ------------------------------------------------------------------------
def test_version_update_moves_one_minor_when_it_succeeds(eks_client, slow_updates):
    create_cluster(eks_client, version="1.34")
    slow_updates.clock.advance(1)
    update = eks_client.update_cluster_version(name="prod", version="1.35")["update"]
    assert update["type"] == "VersionUpdate"
    assert params_of(update) == {"Version": "1.35", "PlatformVersion": "eks.14"}
    cluster = eks_client.describe_cluster(name="prod")["cluster"]
    assert (cluster["status"], cluster["version"]) == ("UPDATING", "1.34")
    slow_updates.clock.advance(900)
    cluster = eks_client.describe_cluster(name="prod")["cluster"]
    assert (cluster["status"], cluster["version"], cluster["platformVersion"]) == ("ACTIVE", "1.35", "eks.14")


@pytest.mark.parametrize("start, target", [("1.33", "1.35"), ("1.35", "1.35"), ("1.35", "1.34")])
def test_version_update_must_be_exactly_one_minor(eks_client, start, target):
    create_cluster(eks_client, version=start)
    response = error_of(eks_client.update_cluster_version, name="prod", version=target)
    assert_error(response, IPE, f"Unsupported Kubernetes minor version update from {start} to {target}", 400,
                 clusterName="prod")


@pytest.mark.parametrize("target", ["1.37", "banana", "1.31"])
def test_version_update_to_a_version_not_offered(eks_client, target):
    create_cluster(eks_client, version="1.36")
    response = error_of(eks_client.update_cluster_version, name="prod", version=target)
    assert_error(response, IPE, "unsupported Kubernetes version", 400, clusterName="prod")


def test_lagging_nodegroups_block_the_upgrade(eks_client):
    create_cluster(eks_client, version="1.34")
    create_nodegroup(eks_client, name="b-workers")
    create_nodegroup(eks_client, name="a-workers")
    eks_client.update_cluster_version(name="prod", version="1.35")
    # the nodegroups stay at 1.34 while the control plane is at 1.35
    response = error_of(eks_client.update_cluster_version, name="prod", version="1.36")
    assert_error(response, "InvalidRequestException",
                 "Nodegroups a-workers,b-workers must be updated to match cluster version 1.35 before updating "
                 "cluster version", 400, clusterName="prod")
    # force does not override the version skew rule
    response = error_of(eks_client.update_cluster_version, name="prod", version="1.36", force=True)
    assert response["Error"]["Code"] == "InvalidRequestException"


def test_readiness_insights_block_the_upgrade_unless_forced(eks_client):
    create_cluster(eks_client, version="1.35")
    blocked = clusters.upgrade_readiness_check(lambda cluster, target: True)
    try:
        response = error_of(eks_client.update_cluster_version, name="prod", version="1.36")
        assert_error(response, "InvalidStateException", updates.UPGRADE_READINESS, 400, clusterName="prod")
        assert eks_client.update_cluster_version(name="prod", version="1.36", force=True)["update"]["type"] == \
            "VersionUpdate"
    finally:
        clusters._readiness_checks.remove(blocked)


# -- AssociateEncryptionConfig -------------------------------------------------------------------
def test_associate_encryption_config(eks_client, cluster, slow_updates):
    entry = {"resources": ["secrets"], "provider": {"keyArn": KEY}}
    update = eks_client.associate_encryption_config(clusterName="prod", encryptionConfig=[entry])["update"]
    assert update["type"] == "AssociateEncryptionConfig"
    assert json.loads(params_of(update)["EncryptionConfig"]) == [entry]
    assert "encryptionConfig" not in eks_client.describe_cluster(name="prod")["cluster"]
    slow_updates.clock.advance(600)
    assert eks_client.describe_cluster(name="prod")["cluster"]["encryptionConfig"] == [entry]


def test_encryption_can_be_associated_only_once(eks_client):
    entry = {"resources": ["secrets"], "provider": {"keyArn": KEY}}
    create_cluster(eks_client, encryptionConfig=[entry])
    response = error_of(eks_client.associate_encryption_config, clusterName="prod", encryptionConfig=[entry])
    assert_error(response, "InvalidRequestException", updates.ALREADY_ENCRYPTED.format(name="prod"), 400,
                 clusterName="prod")


def test_encryption_config_entry_rules(eks_client, cluster):
    response = error_of(eks_client.associate_encryption_config, clusterName="prod",
                        encryptionConfig=[{"resources": ["pods"], "provider": {"keyArn": KEY}}])
    assert_error(response, IPE, config.ENCRYPTION_RESOURCES, 400)
    response = error_of(eks_client.associate_encryption_config, clusterName="prod", encryptionConfig=[])
    assert_error(response, IPE, updates.ENCRYPTION_ONE_ENTRY, 400)
