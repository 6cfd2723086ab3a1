"""Cluster updates: UpdateClusterConfig, UpdateClusterVersion, AssociateEncryptionConfig.

Each returns an Update (updates.py) that is InProgress while the cluster is
UPDATING; the change is applied when the update succeeds.  UpdateClusterConfig
accepts one kind of change per call; the kind decides the update type:

==========================================  ================================
request member                              update type
==========================================  ================================
resourcesVpcConfig endpoint flags / CIDRs   EndpointAccessUpdate
resourcesVpcConfig subnetIds / groups       VpcConfigUpdate
logging                                     LoggingUpdate
accessConfig                                AccessConfigUpdate
upgradePolicy                               UpgradePolicyUpdate
zonalShiftConfig                            ZonalShiftConfigUpdate
computeConfig, storageConfig,
kubernetesNetworkConfig                     AutoModeUpdate
remoteNetworkConfig                         RemoteNetworkConfigUpdate
deletionProtection                          DeletionProtectionUpdate
controlPlaneScalingConfig                   ControlPlaneScalingConfigUpdate
==========================================  ================================
"""
from __future__ import annotations

from typing import Callable

from emulator.config import declare_duration
from emulator.core.service import RequestContext
from emulator.eks import cluster_config as config
from emulator.eks.cluster_versions import is_offered, minor_after, platform_version
from emulator.eks.clusters import UNSUPPORTED_VERSION, Cluster, upgrade_blocked
from emulator.eks.common import get_cluster
from emulator.eks.errors import InvalidParameterException, InvalidRequestException, InvalidStateException
from emulator.eks.service import eks
from emulator.eks.updates import run_update

CONFIG_UPDATE = declare_duration("eks.cluster.update.config", 180, "EKS UpdateClusterConfig update InProgress -> Successful")
VERSION_UPDATE = declare_duration("eks.cluster.update.version", 900, "EKS UpdateClusterVersion update InProgress -> Successful")
ENCRYPTION_UPDATE = declare_duration("eks.cluster.update.encryption", 600,
                                     "EKS AssociateEncryptionConfig update InProgress -> Successful")

ONE_KIND_ONLY = "Only one type of update can be allowed."
NOTHING_TO_UPDATE = "No updates were specified. Specify one type of update in the request."      # (own wording)
ENDPOINT_NO_CHANGE = ("Cluster is already at the desired configuration with endpointPrivateAccess: {private} , "
                      "endpointPublicAccess: {public}, and Public Endpoint Restrictions: [{cidrs}]")
LOGGING_NO_CHANGE = "No changes needed for the logging config provided"
AUTH_MODE_CHANGE = "Unsupported authentication mode update from {old} to {new}"
MINOR_VERSION_STEP = "Unsupported Kubernetes minor version update from {current} to {requested}"
LAGGING_NODEGROUPS = ("Nodegroups {names} must be updated to match cluster version {version} before updating "
                      "cluster version")
UPGRADE_READINESS = ("Upgrade readiness issues detected. Call the EKS ListInsights API to view upgrade blocking "
                     "issues detected by EKS. Pass the force flag to override upgrade readiness errors and proceed "
                     "with upgrade.")
ALREADY_ENCRYPTED = "Cluster {name} already has an encryption configuration."                      # (own wording)
ENCRYPTION_ONE_ENTRY = "encryptionConfig must contain exactly one entry."                          # (own wording)

ENDPOINT_MEMBERS = ("endpointPublicAccess", "endpointPrivateAccess", "publicAccessCidrs")
VPC_MEMBERS = ("subnetIds", "securityGroupIds")


def _kinds(params: dict) -> list[str]:
    """The kinds of change a request asks for, by update type."""
    kinds = []
    vpc = params.get("resourcesVpcConfig") or {}
    if any(m in vpc for m in ENDPOINT_MEMBERS):
        kinds.append("EndpointAccessUpdate")
    if any(m in vpc for m in VPC_MEMBERS):
        kinds.append("VpcConfigUpdate")
    for member, kind in (("logging", "LoggingUpdate"), ("accessConfig", "AccessConfigUpdate"),
                         ("upgradePolicy", "UpgradePolicyUpdate"), ("zonalShiftConfig", "ZonalShiftConfigUpdate"),
                         ("remoteNetworkConfig", "RemoteNetworkConfigUpdate"),
                         ("deletionProtection", "DeletionProtectionUpdate"),
                         ("controlPlaneScalingConfig", "ControlPlaneScalingConfigUpdate")):
        if params.get(member) is not None:
            kinds.append(kind)
    if any(params.get(m) is not None for m in ("computeConfig", "storageConfig", "kubernetesNetworkConfig")):
        kinds.append("AutoModeUpdate")
    return kinds


# Each planner checks a request against the cluster and returns (update params, apply).
Plan = tuple[list[tuple[str, object]], Callable[[float], None]]


def _endpoint_access(cluster: Cluster, params: dict) -> Plan:
    vpc, current = params["resourcesVpcConfig"], cluster.vpc_config
    public = vpc.get("endpointPublicAccess", current["endpointPublicAccess"])
    private = vpc.get("endpointPrivateAccess", current["endpointPrivateAccess"])
    cidrs = config.check_public_access_cidrs(vpc.get("publicAccessCidrs", current["publicAccessCidrs"]), cluster.name)
    config.check_endpoint_access(public, private, cluster.name)
    if (public, private, cidrs) == (current["endpointPublicAccess"], current["endpointPrivateAccess"],
                                    current["publicAccessCidrs"]):
        raise InvalidParameterException(ENDPOINT_NO_CHANGE.format(
            private=str(private).lower(), public=str(public).lower(), cidrs=", ".join(cidrs)),
            clusterName=cluster.name)
    update_params = [(kind, vpc[member]) for member, kind in (
        ("endpointPublicAccess", "EndpointPublicAccess"), ("endpointPrivateAccess", "EndpointPrivateAccess"),
        ("publicAccessCidrs", "PublicAccessCidrs")) if member in vpc]

    def apply(at: float) -> None:
        current.update(endpointPublicAccess=public, endpointPrivateAccess=private, publicAccessCidrs=cidrs)
    return update_params, apply


def _vpc_config(cluster: Cluster, params: dict) -> Plan:
    vpc, current = params["resourcesVpcConfig"], cluster.vpc_config
    changes, update_params = {}, []
    if "subnetIds" in vpc:
        changes["subnetIds"] = config.check_subnets(vpc["subnetIds"], cluster.name)
        update_params.append(("Subnets", changes["subnetIds"]))
    if "securityGroupIds" in vpc:
        changes["securityGroupIds"] = config.check_security_groups(vpc["securityGroupIds"], cluster.name)
        update_params.append(("SecurityGroups", changes["securityGroupIds"]))
    return update_params, lambda at: current.update(changes)


def _logging(cluster: Cluster, params: dict) -> Plan:
    setups = params["logging"].get("clusterLogging", [])
    state = config.logging_state(setups, cluster.logging, cluster.name)
    if state == cluster.logging:
        raise InvalidParameterException(LOGGING_NO_CHANGE, clusterName=cluster.name)
    return [("ClusterLogging", setups)], lambda at: cluster.logging.update(state)


def _access_config(cluster: Cluster, params: dict) -> Plan:
    old = cluster.access_config["authenticationMode"]
    new = params["accessConfig"].get("authenticationMode")
    if new is None:
        raise InvalidParameterException(NOTHING_TO_UPDATE, clusterName=cluster.name)
    order = config.AUTHENTICATION_MODES   # one step forward at a time
    if order.index(new) != order.index(old) + 1:
        raise InvalidParameterException(AUTH_MODE_CHANGE.format(old=old, new=new), clusterName=cluster.name)
    return [("AuthenticationMode", new)], lambda at: cluster.access_config.update(authenticationMode=new)


def _upgrade_policy(cluster: Cluster, params: dict) -> Plan:
    support = params["upgradePolicy"].get("supportType", cluster.upgrade_policy["supportType"])
    return [("UpgradePolicy", support)], lambda at: cluster.upgrade_policy.update(supportType=support)


def _zonal_shift(cluster: Cluster, params: dict) -> Plan:
    enabled = params["zonalShiftConfig"].get("enabled", False)

    def apply(at: float) -> None:
        cluster.zonal_shift_config = {"enabled": enabled}
    return [("ZonalShiftConfig", {"enabled": enabled})], apply


def _auto_mode(cluster: Cluster, params: dict) -> Plan:
    network = params.get("kubernetesNetworkConfig") or {}
    current = cluster.kubernetes_network_config
    if (("serviceIpv4Cidr" in network and network["serviceIpv4Cidr"] != current.get("serviceIpv4Cidr"))
            or ("ipFamily" in network and network["ipFamily"] != current["ipFamily"])):
        raise InvalidParameterException(config.NETWORK_CONFIG_IMMUTABLE, clusterName=cluster.name)
    compute, storage = params.get("computeConfig"), params.get("storageConfig")
    enabled = config.auto_mode(compute, storage, network.get("elasticLoadBalancing"), cluster.name)
    if enabled is None:   # only immutable network members, unchanged
        raise InvalidParameterException(NOTHING_TO_UPDATE, clusterName=cluster.name)
    config.check_auto_mode_requirements(enabled, False, cluster.access_config["authenticationMode"], cluster.name)
    update_params = [(kind, params[member]) for member, kind in (
        ("computeConfig", "ComputeConfig"), ("storageConfig", "StorageConfig"),
        ("kubernetesNetworkConfig", "KubernetesNetworkConfig")) if params.get(member) is not None]

    def apply(at: float) -> None:
        cluster.auto_mode = enabled
        cluster.compute_config = config.compute_config_out(compute, enabled)
        cluster.storage_config = {"blockStorage": {"enabled": enabled}}
    return update_params, apply


def _remote_network(cluster: Cluster, params: dict) -> Plan:
    remote = config.remote_network_config(params["remoteNetworkConfig"],
                                          cluster.kubernetes_network_config.get("serviceIpv4Cidr"), cluster.name)

    def apply(at: float) -> None:
        cluster.remote_network_config = remote
    return [("RemoteNetworkConfig", remote)], apply


def _deletion_protection(cluster: Cluster, params: dict) -> Plan:
    enabled = params["deletionProtection"]

    def apply(at: float) -> None:
        cluster.deletion_protection = enabled
    return [("DeletionProtection", enabled)], apply


def _control_plane_scaling(cluster: Cluster, params: dict) -> Plan:
    previous = (cluster.control_plane_scaling_config or {}).get("tier", "standard")
    tier = params["controlPlaneScalingConfig"].get("tier", previous)

    def apply(at: float) -> None:
        cluster.control_plane_scaling_config = {"tier": tier}
    return [("UpdatedTier", tier), ("PreviousTier", previous)], apply


PLANNERS: dict[str, Callable[[Cluster, dict], Plan]] = {
    "EndpointAccessUpdate": _endpoint_access, "VpcConfigUpdate": _vpc_config, "LoggingUpdate": _logging,
    "AccessConfigUpdate": _access_config, "UpgradePolicyUpdate": _upgrade_policy,
    "ZonalShiftConfigUpdate": _zonal_shift, "AutoModeUpdate": _auto_mode,
    "RemoteNetworkConfigUpdate": _remote_network, "DeletionProtectionUpdate": _deletion_protection,
    "ControlPlaneScalingConfigUpdate": _control_plane_scaling,
}


@eks.operation("UpdateClusterConfig")
def update_cluster_config(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["name"], "name")
    kinds = _kinds(params)
    if len(kinds) > 1:
        raise InvalidParameterException(ONE_KIND_ONLY, clusterName=cluster.name)
    if not kinds:
        raise InvalidParameterException(NOTHING_TO_UPDATE, clusterName=cluster.name)
    return run_update(ctx, params, cluster, kinds[0], lambda: PLANNERS[kinds[0]](cluster, params),
                      duration=CONFIG_UPDATE)


def _version(cluster: Cluster, params: dict) -> Plan:
    requested, current = params["version"], cluster.version
    if not is_offered(requested):
        raise InvalidParameterException(UNSUPPORTED_VERSION, clusterName=cluster.name)
    if requested != minor_after(current):
        raise InvalidParameterException(MINOR_VERSION_STEP.format(current=current, requested=requested),
                                        clusterName=cluster.name)
    lagging = [n for n in cluster.nodegroup_names if cluster.nodegroups[n].version != current]
    if lagging:
        raise InvalidRequestException(LAGGING_NODEGROUPS.format(names=",".join(lagging), version=current),
                                      clusterName=cluster.name)
    if not params.get("force") and upgrade_blocked(cluster, requested):
        raise InvalidStateException(UPGRADE_READINESS, clusterName=cluster.name)
    new_platform = platform_version(requested)

    def apply(at: float) -> None:
        cluster.version, cluster.platform_version = requested, new_platform
    return [("Version", requested), ("PlatformVersion", new_platform)], apply


@eks.operation("UpdateClusterVersion")
def update_cluster_version(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["name"], "name")
    return run_update(ctx, params, cluster, "VersionUpdate", lambda: _version(cluster, params),
                      duration=VERSION_UPDATE)


def _encryption(cluster: Cluster, params: dict) -> Plan:
    if cluster.encryption_config:
        raise InvalidRequestException(ALREADY_ENCRYPTED.format(name=cluster.name), clusterName=cluster.name)
    if len(params["encryptionConfig"]) != 1:
        raise InvalidParameterException(ENCRYPTION_ONE_ENTRY, clusterName=cluster.name)
    encryption = config.encryption_config(params["encryptionConfig"], cluster.name)

    def apply(at: float) -> None:
        cluster.encryption_config = encryption
    return [("EncryptionConfig", encryption)], apply


@eks.operation("AssociateEncryptionConfig")
def associate_encryption_config(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    return run_update(ctx, params, cluster, "AssociateEncryptionConfig", lambda: _encryption(cluster, params),
                      duration=ENCRYPTION_UPDATE)
