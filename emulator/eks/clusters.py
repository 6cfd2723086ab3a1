"""EKS clusters: CreateCluster, DescribeCluster, ListClusters, DeleteCluster.

The :class:`Cluster` is the root of everything nested under ``/clusters/{name}``:
its children live in dicts on it, so they go when it goes.  Each child module
owns the contents of its dict (``nodegroups``, ``fargate_profiles``, ``addons``,
``access_entries``, ``pod_identity_associations``, ``identity_provider_configs``,
``capabilities``, ``insights``).  Registered (connected) clusters are Clusters
too, with ``connector_config`` set (registrations.py).

Hooks for other modules::

    @on_cluster_created          # fn(ctx, cluster), after CreateCluster stored it
    @on_cluster_removed          # fn(store, cluster, at), when a deleted cluster is gone
    @upgrade_readiness_check     # fn(cluster, target_version) -> True when ERROR insights block an upgrade

Lifecycle: CREATING -> ACTIVE after ``eks.cluster.create``; DeleteCluster puts
it in DELETING and it is gone after ``eks.cluster.delete``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from emulator.config import declare_duration
from emulator.core import ids
from emulator.core.service import RequestContext
from emulator.eks import cluster_config as config
from emulator.eks import idempotency
from emulator.eks.certificates import certificate_authority_data
from emulator.eks.cluster_versions import DEFAULT_VERSION, is_offered, platform_version
from emulator.eks.common import check_cluster_name, get_cluster, list_page, status_change_at
from emulator.eks.errors import (InvalidParameterException, InvalidRequestException, ResourceInUseException,
                                 ResourceLimitExceededException)
from emulator.eks.service import SortedNames, eks
from emulator.eks.tags import check_create_tags, resource_parts, taggable
from emulator.eks.updates import UpdateLog

CREATE = declare_duration("eks.cluster.create", 600, "EKS cluster CREATING -> ACTIVE")
DELETE = declare_duration("eks.cluster.delete", 300, "EKS cluster DELETING -> gone")

MAX_CLUSTERS = 100
ENDPOINT_CELL = "gr7"

CLUSTER_EXISTS = "Cluster already exists with name: {name}"
UNSUPPORTED_VERSION = "unsupported Kubernetes version"
HAS_NODEGROUPS = "Cluster has nodegroups attached"
HAS_FARGATE_PROFILES = "Cluster has Fargate Profiles in ACTIVE/CREATING state"
DELETION_PROTECTED = ("Cluster {name} cannot be deleted because deletion protection is enabled. Disable deletion "
                      "protection with UpdateClusterConfig first.")                               # (own wording)
REGISTERED_CLUSTER_DELETE = "Cluster {name} is a registered cluster. Use DeregisterCluster to remove it."  # (own wording)
TOO_MANY_CLUSTERS = "Cannot create cluster {name}: the account has reached the limit of 100 clusters in this region."  # (own wording)

_created_hooks: list[Callable] = []
_removed_hooks: list[Callable] = []
_readiness_checks: list[Callable] = []


def on_cluster_created(fn: Callable) -> Callable:
    _created_hooks.append(fn)
    return fn


def on_cluster_removed(fn: Callable) -> Callable:
    _removed_hooks.append(fn)
    return fn


def upgrade_readiness_check(fn: Callable) -> Callable:
    _readiness_checks.append(fn)
    return fn


def upgrade_blocked(cluster, target_version: str) -> bool:
    return any(check(cluster, target_version) for check in _readiness_checks)


@dataclass(eq=False)
class Cluster:
    name: str
    arn: str
    created_at: float
    status: str
    token: str | None
    tags: dict
    version: str | None = None
    platform_version: str | None = None
    role_arn: str | None = None
    vpc_config: dict = field(default_factory=dict)
    kubernetes_network_config: dict = field(default_factory=dict)
    logging: dict = field(default_factory=dict)          # log type -> enabled
    access_config: dict = field(default_factory=dict)
    upgrade_policy: dict = field(default_factory=dict)
    encryption_config: list | None = None
    outpost_config: dict | None = None
    outpost_id: str | None = None                        # `id`, local clusters on Outposts only
    bootstrap_self_managed_addons: bool = True
    zonal_shift_config: dict | None = None
    remote_network_config: dict | None = None
    auto_mode: bool | None = None                        # None: Auto Mode never configured
    compute_config: dict | None = None
    storage_config: dict | None = None
    deletion_protection: bool = False
    control_plane_scaling_config: dict | None = None
    connector_config: dict | None = None                 # registered clusters only
    endpoint_id: str = field(default_factory=ids.upper_hex)
    uid: str = field(default_factory=ids.uuid4)          # this cluster, not its name: scopes client tokens
    _ca_data: str | None = None
    # children, each owned by its module
    updates: UpdateLog = field(default_factory=UpdateLog)               # updates.py (cluster-level)
    nodegroups: dict = field(default_factory=dict)                       # name -> nodegroups.Nodegroup
    nodegroup_names: SortedNames = field(default_factory=SortedNames)
    fargate_profiles: dict = field(default_factory=dict)                 # name -> fargate_profiles.FargateProfile
    fargate_profile_names: SortedNames = field(default_factory=SortedNames)
    addons: dict = field(default_factory=dict)                           # addons.py
    access_entries: dict = field(default_factory=dict)                   # access entries module
    pod_identity_associations: dict = field(default_factory=dict)        # pod identity module
    identity_provider_configs: dict = field(default_factory=dict)        # identity provider configs module
    capabilities: dict = field(default_factory=dict)                     # capabilities module
    insights: dict = field(default_factory=dict)                         # insights module

    @property
    def registered(self) -> bool:
        return self.connector_config is not None

    def endpoint(self, region: str) -> str:
        return f"https://{self.endpoint_id}.{ENDPOINT_CELL}.{region}.eks.amazonaws.com"

    def oidc_issuer(self, region: str) -> str:
        return f"https://oidc.eks.{region}.amazonaws.com/id/{self.endpoint_id}"

    def certificate_authority(self) -> str:
        if self._ca_data is None:
            self._ca_data = certificate_authority_data(self.created_at)
        return self._ca_data

    def kubernetes_network_config_out(self) -> dict:
        out = dict(self.kubernetes_network_config)
        if self.auto_mode is not None:
            out["elasticLoadBalancing"] = {"enabled": self.auto_mode}
        return out

    def describe(self, region: str) -> dict:
        if self.registered:
            return {"name": self.name, "arn": self.arn, "createdAt": self.created_at, "status": self.status,
                    "clientRequestToken": self.token, "tags": self.tags, "connectorConfig": self.connector_config}
        out = {
            "name": self.name, "arn": self.arn, "createdAt": self.created_at, "version": self.version,
            "roleArn": self.role_arn, "resourcesVpcConfig": self.vpc_config,
            "kubernetesNetworkConfig": self.kubernetes_network_config_out(),
            "logging": config.logging_out(self.logging),
            "identity": {"oidc": {"issuer": self.oidc_issuer(region)}},
            "status": self.status, "clientRequestToken": self.token, "platformVersion": self.platform_version,
            "tags": self.tags, "encryptionConfig": self.encryption_config, "id": self.outpost_id,
            "health": {"issues": []}, "outpostConfig": self.outpost_config, "accessConfig": self.access_config,
            "upgradePolicy": self.upgrade_policy, "zonalShiftConfig": self.zonal_shift_config,
            "remoteNetworkConfig": self.remote_network_config, "computeConfig": self.compute_config,
            "storageConfig": self.storage_config, "deletionProtection": self.deletion_protection,
            "controlPlaneScalingConfig": self.control_plane_scaling_config,
        }
        if self.status != "CREATING":
            out["endpoint"] = self.endpoint(region)
            out["certificateAuthority"] = {"data": self.certificate_authority()}
        return out


def add_cluster(store, cluster: Cluster) -> None:
    store.clusters[cluster.name] = cluster
    store.all_cluster_names.add(cluster.name)
    if not cluster.registered:
        store.eks_cluster_names.add(cluster.name)


def remove_cluster(store, cluster: Cluster, at: float) -> None:
    """Forget a cluster whose deletion has completed (unless its name was reused meanwhile)."""
    if store.clusters.get(cluster.name) is not cluster:
        return
    del store.clusters[cluster.name]
    store.all_cluster_names.discard(cluster.name)
    store.eks_cluster_names.discard(cluster.name)
    for hook in _removed_hooks:
        hook(store, cluster, at)


def check_name_free(ctx: RequestContext, name: str) -> None:
    if name in ctx.store.clusters:
        raise ResourceInUseException(CLUSTER_EXISTS.format(name=name), clusterName=name)


def check_version(version: str, name: str) -> None:
    if not is_offered(version):
        raise InvalidParameterException(UNSUPPORTED_VERSION, clusterName=name)


def _build(ctx: RequestContext, params: dict) -> Cluster:
    """A new cluster from a CreateCluster request, every rule checked."""
    name = params["name"]
    config.check_role_arn(params["roleArn"], clusterName=name)
    version = params.get("version", DEFAULT_VERSION)
    check_version(version, name)
    vpc = config.vpc_config(params["resourcesVpcConfig"], name)
    network_request = params.get("kubernetesNetworkConfig") or {}
    network = config.kubernetes_network_config(network_request, name)
    logging = config.logging_state((params.get("logging") or {}).get("clusterLogging", []),
                                   {t: False for t in config.LOG_TYPES}, name)
    encryption = config.encryption_config(params["encryptionConfig"], name) if params.get("encryptionConfig") else None
    access = config.access_config(params.get("accessConfig"), name)
    bootstrap_addons = params.get("bootstrapSelfManagedAddons", True)
    compute, storage = params.get("computeConfig"), params.get("storageConfig")
    auto = config.auto_mode(compute, storage, network_request.get("elasticLoadBalancing"), name)
    config.check_auto_mode_requirements(auto, bootstrap_addons, access["authenticationMode"], name)
    remote = (config.remote_network_config(params["remoteNetworkConfig"], network.get("serviceIpv4Cidr"), name)
              if params.get("remoteNetworkConfig") is not None else None)
    tags = dict(params.get("tags") or {})
    check_create_tags(tags)
    outpost = params.get("outpostConfig")
    return Cluster(
        name=name, arn=ctx.arn(f"cluster/{name}"), created_at=ctx.now, status="CREATING",
        token=params.get("clientRequestToken"), tags=tags, version=version,
        platform_version=platform_version(version), role_arn=params["roleArn"], vpc_config=vpc,
        kubernetes_network_config=network, logging=logging, access_config=access,
        upgrade_policy={"supportType": (params.get("upgradePolicy") or {}).get("supportType", "EXTENDED")},
        encryption_config=encryption,
        outpost_config=dict(outpost) if outpost else None, outpost_id=ids.uuid4() if outpost else None,
        bootstrap_self_managed_addons=bootstrap_addons,
        zonal_shift_config=({"enabled": params["zonalShiftConfig"].get("enabled", False)}
                            if params.get("zonalShiftConfig") is not None else None),
        remote_network_config=remote, auto_mode=auto,
        compute_config=config.compute_config_out(compute, auto) if auto is not None else None,
        storage_config={"blockStorage": {"enabled": auto}} if auto is not None else None,
        deletion_protection=params.get("deletionProtection", False),
        control_plane_scaling_config=(dict(params["controlPlaneScalingConfig"])
                                      if params.get("controlPlaneScalingConfig") else None))


@eks.operation("CreateCluster")
def create_cluster(ctx: RequestContext, params: dict) -> dict:
    name = params["name"]
    check_cluster_name(name, "name")
    replay = idempotency.replayed(ctx, params)
    if replay is not None:
        return replay
    check_name_free(ctx, name)
    cluster = _build(ctx, params)
    if len(ctx.store.eks_cluster_names) >= MAX_CLUSTERS:
        raise ResourceLimitExceededException(TOO_MANY_CLUSTERS.format(name=name), clusterName=name)
    add_cluster(ctx.store, cluster)
    status_change_at(ctx, CREATE, cluster, "CREATING", "ACTIVE")
    for hook in _created_hooks:
        hook(ctx, cluster)
    region, store = ctx.region, ctx.store
    idempotency.remember(ctx, params, lambda: ({"cluster": cluster.describe(region)}
                                               if store.clusters.get(name) is cluster else None))
    return {"cluster": cluster.describe(ctx.region)}


@eks.operation("DescribeCluster")
def describe_cluster(ctx: RequestContext, params: dict) -> dict:
    return {"cluster": get_cluster(ctx, params["name"], "name").describe(ctx.region)}


@eks.operation("ListClusters")
def list_clusters(ctx: RequestContext, params: dict) -> dict:
    everything = "all" in (params.get("include") or [])
    names = ctx.store.all_cluster_names if everything else ctx.store.eks_cluster_names
    page, token = list_page(names, params, scope="all" if everything else "eks")
    return {"clusters": page, "nextToken": token}


def check_deletable(cluster: Cluster) -> None:
    name = cluster.name
    if cluster.registered:
        raise InvalidRequestException(REGISTERED_CLUSTER_DELETE.format(name=name), clusterName=name)
    if cluster.deletion_protection and cluster.status in ("ACTIVE", "UPDATING"):
        raise InvalidRequestException(DELETION_PROTECTED.format(name=name), clusterName=name)
    if cluster.nodegroups:
        raise ResourceInUseException(HAS_NODEGROUPS, clusterName=name, nodegroupName=cluster.nodegroup_names[0])
    if any(p.status in ("ACTIVE", "CREATING") for p in cluster.fargate_profiles.values()):
        raise ResourceInUseException(HAS_FARGATE_PROFILES, clusterName=name)


def schedule_removal(ctx: RequestContext, cluster: Cluster, duration: str) -> None:
    cluster.status = "DELETING"
    store = ctx.store
    store.timeline.at(ctx.now + ctx.duration(duration), lambda at: remove_cluster(store, cluster, at))


@eks.operation("DeleteCluster")
def delete_cluster(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["name"], "name")
    if cluster.status != "DELETING":   # deleting again answers the deletion under way
        check_deletable(cluster)
        schedule_removal(ctx, cluster, DELETE)
    return {"cluster": cluster.describe(ctx.region)}


@taggable("cluster")
def cluster_for_tags(store, arn):
    (name,) = resource_parts(arn, 1)
    return store.clusters.get(name)
