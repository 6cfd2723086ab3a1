"""EKS managed node groups: Create/Describe/List/Delete, UpdateNodegroupConfig, UpdateNodegroupVersion.

A nodegroup lives in its cluster's ``nodegroups`` dict.  Lifecycle: CREATING
-> ACTIVE after ``eks.nodegroup.create``; DeleteNodegroup -> DELETING -> gone
after ``eks.nodegroup.delete``; updates (updates.py) put it in UPDATING until
they complete.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from emulator.config import declare_duration
from emulator.core import ids
from emulator.core.service import RequestContext
from emulator.eks import idempotency
from emulator.eks.access import create_node_access_entry
from emulator.eks.cluster_config import check_role_arn
from emulator.eks.cluster_versions import al2_available, ami_release_versions
from emulator.eks.common import get_cluster, list_page, removal_at, require_active, status_change_at
from emulator.eks.errors import (InvalidParameterException, ResourceInUseException, ResourceLimitExceededException,
                                 ResourceNotFoundException)
from emulator.eks.service import eks
from emulator.eks.tags import check_create_tags, resource_parts, taggable
from emulator.eks.updates import UpdateLog, run_update, update_scope

CREATE = declare_duration("eks.nodegroup.create", 180, "EKS nodegroup CREATING -> ACTIVE")
DELETE = declare_duration("eks.nodegroup.delete", 300, "EKS nodegroup DELETING -> gone")
CONFIG_UPDATE = declare_duration("eks.nodegroup.update.config", 60,
                                 "EKS UpdateNodegroupConfig update InProgress -> Successful")
VERSION_UPDATE = declare_duration("eks.nodegroup.update.version", 600,
                                  "EKS UpdateNodegroupVersion update InProgress -> Successful")

MAX_NODEGROUPS = 30           # per cluster (service quota)
MAX_NODES = 450               # per nodegroup (service quota)
MAX_NAME_LENGTH = 63
MAX_TAINTS = 50
DEFAULT_SCALING = {"minSize": 2, "maxSize": 2, "desiredSize": 2}
DEFAULT_INSTANCE_TYPES = ["t3.medium"]
DEFAULT_AMI_TYPE = "AL2023_x86_64_STANDARD"   # the default from Kubernetes 1.30 on, the oldest minor offered
RESERVED_DOMAINS = ("kubernetes.io", "k8s.io", "eks.amazonaws.com")
AL2_AMI_TYPES = ("AL2_x86_64", "AL2_x86_64_GPU", "AL2_ARM_64")

NODEGROUP_NOT_FOUND = "No node group found for name: {name}."
NODEGROUP_EXISTS = "NodeGroup already exists with name {name} and cluster name {cluster}"
INVALID_NAME = ("The nodegroup name parameter contains invalid characters. It should begin with letter or digit and "
                "can have any of the following characters: the set of Unicode letters, digits, hyphens and "
                "underscores.")
NAME_TOO_LONG = "The nodegroup name must be 63 characters or less."                                 # (own wording)
NOT_ACTIVE = "Nodegroup cannot be updated as it is currently not in Active State"
MIN_OVER_DESIRED = "minSize can't be greater than desiredSize"
DESIRED_OVER_MAX = "desiredSize can't be greater than maxSize"
MIN_OVER_CURRENT_DESIRED = "Minimum capacity {min} can't be greater than desired size {desired}"
TOO_MANY_NODES = "maxSize can't be greater than 450, the maximum number of nodes in a node group."  # (own wording)
MAX_UNAVAILABLE_RANGE = "max-unavailable must be within the range 1 and max size of the node group"
ONE_MAX_UNAVAILABLE = "Only one of maxUnavailable and maxUnavailablePercentage can be specified."  # (own wording)
DISK_SIZE_WITH_LAUNCH_TEMPLATE = "Disk size must be specified within the launch template."
REMOTE_ACCESS_WITH_LAUNCH_TEMPLATE = "Remote access configuration cannot be specified with a launch template."
LAUNCH_TEMPLATE_ID_OR_NAME = ("Either the launch template ID or the launch template name must be specified, but not "
                              "both.")                                                              # (own wording)
VERSION_MISMATCH = ("Nodegroup Kubernetes version should be equal to Cluster kubernetes version {cluster_version} "
                    "or NodeGroup kubernetes version {nodegroup_version}")
INVALID_RELEASE_VERSION = "Requested release version {release} is not valid for kubernetes version {version}."
AL2_NOT_AVAILABLE = ("AMI type {ami_type} is not supported for Kubernetes version {version}. Amazon Linux 2 AMIs are "
                     "only available up to Kubernetes version 1.32.")                              # (own wording)
SUBNETS_REQUIRED = "At least one subnet is required for a node group."                               # (own wording)
INVALID_INSTANCE_TYPE = "Instance type {type} is not valid."                                       # (own wording)
TAINT_RESERVED = "Taint cannot contain reserved prefixes [kubernetes.io/, k8s.io/, eks.amazonaws.com/]"
LABEL_RESERVED = "Label cannot contain reserved prefixes [kubernetes.io/, k8s.io/, eks.amazonaws.com/]"  # (own wording, after the taint message)
TOO_MANY_TAINTS = "A node group can have at most 50 taints."                                       # (own wording)
TOO_MANY_NODEGROUPS = ("Cannot create node group {name}: cluster {cluster} has reached the limit of 30 managed node "
                       "groups.")                                                                   # (own wording)
NO_CONFIG_CHANGE = "No changes were specified for the node group configuration."                  # (own wording)
LABEL_ADDED_AND_REMOVED = "Label {key} cannot be both added and removed in the same update."      # (own wording)
LAUNCH_TEMPLATE_MISMATCH = ("The launch template specified does not match the launch template used to create the "
                            "node group.")                                                          # (own wording)
NO_LAUNCH_TEMPLATE = "The node group was not created with a launch template."                      # (own wording)
ROLLBACK = "Release version {release} is older than the node group's release version {current}; rollbacks are not supported."  # (own wording)
ALREADY_AT_VERSION = "Nodegroup {name} is already at version {version} and release version {release}."  # (own wording)

_NAME = re.compile(r"[^\W_][\w-]*")
_INSTANCE_TYPE = re.compile(r"[a-z][a-z0-9-]*\.[a-z0-9]+")


@dataclass(eq=False)
class Nodegroup:
    name: str
    arn: str
    cluster_name: str
    created_at: float
    version: str
    release_version: str | None
    ami_type: str
    capacity_type: str
    scaling: dict
    instance_types: list | None
    subnets: list
    node_role: str
    disk_size: int | None
    remote_access: dict | None
    labels: dict
    taints: list
    launch_template: dict | None
    update_config: dict
    node_repair_config: dict | None
    warm_pool_config: dict | None
    tags: dict
    token: str | None
    status: str = "CREATING"
    modified_at: float = 0.0
    asg_name: str = ""
    remote_access_security_group: str | None = None
    updates: UpdateLog = field(default_factory=UpdateLog)

    def check_updatable(self) -> None:
        if self.status != "ACTIVE":
            raise ResourceInUseException(NOT_ACTIVE, clusterName=self.cluster_name, nodegroupName=self.name)

    def describe(self) -> dict:
        out = {
            "nodegroupName": self.name, "nodegroupArn": self.arn, "clusterName": self.cluster_name,
            "version": self.version, "releaseVersion": self.release_version, "createdAt": self.created_at,
            "modifiedAt": self.modified_at, "status": self.status, "capacityType": self.capacity_type,
            "scalingConfig": dict(self.scaling), "instanceTypes": self.instance_types, "subnets": self.subnets,
            "remoteAccess": self.remote_access, "amiType": self.ami_type, "nodeRole": self.node_role,
            "labels": dict(self.labels), "taints": [dict(t) for t in self.taints] or None,
            "diskSize": self.disk_size, "health": {"issues": []}, "updateConfig": dict(self.update_config),
            "nodeRepairConfig": self.node_repair_config, "launchTemplate": self.launch_template,
            "tags": self.tags, "warmPoolConfig": self.warm_pool_config,
        }
        if self.status != "CREATING":
            resources = {"autoScalingGroups": [{"name": self.asg_name}]}
            if self.remote_access_security_group:
                resources["remoteAccessSecurityGroup"] = self.remote_access_security_group
            out["resources"] = resources
        return out


def nodegroup_not_found(cluster_name: str, name: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(NODEGROUP_NOT_FOUND.format(name=name), clusterName=cluster_name,
                                     nodegroupName=name)


def get_nodegroup(ctx: RequestContext, params: dict):
    cluster = get_cluster(ctx, params["clusterName"])
    nodegroup = cluster.nodegroups.get(params["nodegroupName"])
    if nodegroup is None:
        raise nodegroup_not_found(cluster.name, params["nodegroupName"])
    return cluster, nodegroup


@update_scope("nodegroupName")
def nodegroup_for_updates(cluster, name: str) -> Nodegroup:
    nodegroup = cluster.nodegroups.get(name)
    if nodegroup is None:
        raise nodegroup_not_found(cluster.name, name)
    return nodegroup


# -- rules -----------------------------------------------------------------------
def _invalid(message: str, cluster: str, nodegroup: str) -> InvalidParameterException:
    return InvalidParameterException(message, clusterName=cluster, nodegroupName=nodegroup)


def check_name(name: str, cluster: str) -> None:
    if not _NAME.fullmatch(name):
        raise _invalid(INVALID_NAME, cluster, name)
    if len(name) > MAX_NAME_LENGTH:
        raise _invalid(NAME_TOO_LONG, cluster, name)


def check_scaling(scaling: dict, cluster: str, name: str) -> None:
    if scaling["minSize"] > scaling["desiredSize"]:
        raise _invalid(MIN_OVER_DESIRED, cluster, name)
    if scaling["desiredSize"] > scaling["maxSize"]:
        raise _invalid(DESIRED_OVER_MAX, cluster, name)
    if scaling["maxSize"] > MAX_NODES:
        raise _invalid(TOO_MANY_NODES, cluster, name)


def check_update_config(update_config: dict, max_size: int, cluster: str, name: str) -> None:
    if "maxUnavailable" in update_config and "maxUnavailablePercentage" in update_config:
        raise _invalid(ONE_MAX_UNAVAILABLE, cluster, name)
    if update_config.get("maxUnavailable", 1) > min(max_size, 100):
        raise _invalid(MAX_UNAVAILABLE_RANGE, cluster, name)


def _reserved(key: str) -> bool:
    if "/" not in key:
        return False
    domain = key.split("/", 1)[0]
    return any(domain == d or domain.endswith("." + d) for d in RESERVED_DOMAINS)


def check_labels(labels: dict, cluster: str, name: str) -> None:
    if any(_reserved(k) for k in labels):
        raise _invalid(LABEL_RESERVED, cluster, name)


def check_taints(taints: list, cluster: str, name: str) -> None:
    if any(_reserved(t.get("key", "")) for t in taints):
        raise _invalid(TAINT_RESERVED, cluster, name)
    if len(taints) > MAX_TAINTS:
        raise _invalid(TOO_MANY_TAINTS, cluster, name)


def check_release_version(release: str, version: str, ami_type: str, cluster: str, name: str) -> None:
    if release not in ami_release_versions(version, ami_type):
        raise _invalid(INVALID_RELEASE_VERSION.format(release=release, version=version), cluster, name)


def _launch_template(request: dict, cluster: str, name: str) -> dict:
    if ("id" in request) == ("name" in request):
        raise _invalid(LAUNCH_TEMPLATE_ID_OR_NAME, cluster, name)
    if "name" in request:
        template_id = "lt-" + hashlib.sha256(request["name"].encode()).hexdigest()[:17]
        return {"name": request["name"], "version": request.get("version", "1"), "id": template_id}
    return {"version": request.get("version", "1"), "id": request["id"]}


def _scaling_from(request: dict | None) -> dict:
    return {**DEFAULT_SCALING, **(request or {})}


def _build(ctx: RequestContext, cluster, params: dict) -> Nodegroup:
    name, cluster_name = params["nodegroupName"], cluster.name
    check_role_arn(params["nodeRole"], clusterName=cluster_name, nodegroupName=name)
    if not params["subnets"]:
        raise _invalid(SUBNETS_REQUIRED, cluster_name, name)
    scaling = _scaling_from(params.get("scalingConfig"))
    check_scaling(scaling, cluster_name, name)
    update_config = dict(params.get("updateConfig") or {"maxUnavailable": 1})
    check_update_config(update_config, scaling["maxSize"], cluster_name, name)
    template = params.get("launchTemplate")
    if template is not None:
        if params.get("diskSize") is not None:
            raise _invalid(DISK_SIZE_WITH_LAUNCH_TEMPLATE, cluster_name, name)
        if params.get("remoteAccess") is not None:
            raise _invalid(REMOTE_ACCESS_WITH_LAUNCH_TEMPLATE, cluster_name, name)
        template = _launch_template(template, cluster_name, name)
    instance_types = params.get("instanceTypes")
    for instance_type in instance_types or ():
        if not _INSTANCE_TYPE.fullmatch(instance_type):
            raise _invalid(INVALID_INSTANCE_TYPE.format(type=instance_type), cluster_name, name)
    if instance_types is None and template is None:
        instance_types = list(DEFAULT_INSTANCE_TYPES)
    version = params.get("version", cluster.version)
    if version != cluster.version:
        raise _invalid(VERSION_MISMATCH.format(cluster_version=cluster.version, nodegroup_version=version),
                       cluster_name, name)
    ami_type = params.get("amiType") or DEFAULT_AMI_TYPE
    if ami_type in AL2_AMI_TYPES and not al2_available(version):
        raise _invalid(AL2_NOT_AVAILABLE.format(ami_type=ami_type, version=version), cluster_name, name)
    release = None
    if ami_type != "CUSTOM":
        release = params.get("releaseVersion") or ami_release_versions(version, ami_type)[-1]
        check_release_version(release, version, ami_type, cluster_name, name)
    labels, taints = dict(params.get("labels") or {}), [dict(t) for t in params.get("taints") or []]
    check_labels(labels, cluster_name, name)
    check_taints(taints, cluster_name, name)
    tags = dict(params.get("tags") or {})
    check_create_tags(tags)
    disk_size = params.get("diskSize")
    if disk_size is None and template is None:
        disk_size = 50 if ami_type.startswith("WINDOWS") else 20
    remote = params.get("remoteAccess")
    uid = ids.uuid4()
    return Nodegroup(
        name=name, arn=ctx.arn(f"nodegroup/{cluster_name}/{name}/{uid}"), cluster_name=cluster_name,
        created_at=ctx.now, modified_at=ctx.now, version=version, release_version=release, ami_type=ami_type,
        capacity_type=params.get("capacityType", "ON_DEMAND"), scaling=scaling, instance_types=instance_types,
        subnets=list(params["subnets"]), node_role=params["nodeRole"], disk_size=disk_size,
        remote_access=dict(remote) if remote is not None else None, labels=labels, taints=taints,
        launch_template=template, update_config=update_config,
        node_repair_config=params.get("nodeRepairConfig"), warm_pool_config=params.get("warmPoolConfig"),
        tags=tags, token=params.get("clientRequestToken"), asg_name=f"eks-{name}-{uid}",
        remote_access_security_group=("sg-" + ids.hex_id(17)
                                      if remote is not None and not remote.get("sourceSecurityGroups") else None))


# -- operations ------------------------------------------------------------------
@eks.operation("CreateNodegroup")
def create_nodegroup(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    replay = idempotency.replayed(ctx, params, scope=cluster.uid)
    if replay is not None:
        return replay
    require_active(cluster)
    name = params["nodegroupName"]
    check_name(name, cluster.name)
    if name in cluster.nodegroups:
        raise ResourceInUseException(NODEGROUP_EXISTS.format(name=name, cluster=cluster.name),
                                     clusterName=cluster.name, nodegroupName=name)
    nodegroup = _build(ctx, cluster, params)
    if len(cluster.nodegroups) >= MAX_NODEGROUPS:
        raise ResourceLimitExceededException(TOO_MANY_NODEGROUPS.format(name=name, cluster=cluster.name),
                                             clusterName=cluster.name, nodegroupName=name)
    cluster.nodegroups[name] = nodegroup
    cluster.nodegroup_names.add(name)
    # In an API* cluster EKS gives the node role its own access entry.
    create_node_access_entry(ctx, cluster, nodegroup.node_role,
                             "EC2_WINDOWS" if nodegroup.ami_type.startswith("WINDOWS") else "EC2_LINUX")
    status_change_at(ctx, CREATE, nodegroup, "CREATING", "ACTIVE")
    idempotency.remember(ctx, params, lambda: ({"nodegroup": nodegroup.describe()}
                                               if cluster.nodegroups.get(name) is nodegroup else None),
                         scope=cluster.uid)
    return {"nodegroup": nodegroup.describe()}


@eks.operation("DescribeNodegroup")
def describe_nodegroup(ctx: RequestContext, params: dict) -> dict:
    return {"nodegroup": get_nodegroup(ctx, params)[1].describe()}


@eks.operation("ListNodegroups")
def list_nodegroups(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    names, token = list_page(cluster.nodegroup_names, params, scope=cluster.arn, clusterName=cluster.name)
    return {"nodegroups": names, "nextToken": token}


@eks.operation("DeleteNodegroup")
def delete_nodegroup(ctx: RequestContext, params: dict) -> dict:
    cluster, nodegroup = get_nodegroup(ctx, params)
    if nodegroup.status != "DELETING":   # deleting again answers the deletion under way
        nodegroup.status, nodegroup.modified_at = "DELETING", ctx.now
        removal_at(ctx, DELETE, cluster.nodegroups, cluster.nodegroup_names, nodegroup)
    return {"nodegroup": nodegroup.describe()}


def _config_changes(nodegroup: Nodegroup, params: dict, cluster: str) -> tuple[list, dict]:
    """(update params, the nodegroup's new settings) for an UpdateNodegroupConfig request."""
    name = nodegroup.name
    update_params: list = []
    new: dict = {}
    labels = params.get("labels")
    if labels:
        add, remove = labels.get("addOrUpdateLabels") or {}, labels.get("removeLabels") or []
        for key in remove:
            if key in add:
                raise _invalid(LABEL_ADDED_AND_REMOVED.format(key=key), cluster, name)
        check_labels(add, cluster, name)
        new["labels"] = {k: v for k, v in {**nodegroup.labels, **add}.items() if k not in remove}
        update_params += [("LabelsToAdd", add)] if add else []
        update_params += [("LabelsToRemove", remove)] if remove else []
    taints = params.get("taints")
    if taints:
        add, remove = taints.get("addOrUpdateTaints") or [], taints.get("removeTaints") or []
        removed = {(t.get("key"), t.get("effect")) for t in remove}
        added = {(t.get("key"), t.get("effect")): dict(t) for t in add}
        kept = [t for t in nodegroup.taints if (t.get("key"), t.get("effect")) not in removed | set(added)]
        new["taints"] = kept + list(added.values())
        check_taints(new["taints"], cluster, name)
        update_params += [("TaintsToAdd", add)] if add else []
        update_params += [("TaintsToRemove", remove)] if remove else []
    scaling = params.get("scalingConfig")
    if scaling:
        merged = {**nodegroup.scaling, **scaling}
        if "desiredSize" not in scaling and merged["minSize"] > merged["desiredSize"]:
            raise _invalid(MIN_OVER_CURRENT_DESIRED.format(min=merged["minSize"], desired=merged["desiredSize"]),
                           cluster, name)
        check_scaling(merged, cluster, name)
        new["scaling"] = merged
        update_params += [(kind, scaling[member]) for member, kind in (
            ("desiredSize", "DesiredSize"), ("minSize", "MinSize"), ("maxSize", "MaxSize")) if member in scaling]
    update_config = params.get("updateConfig")
    max_size = new.get("scaling", nodegroup.scaling)["maxSize"]
    if update_config:
        merged = dict(nodegroup.update_config)
        if "maxUnavailable" in update_config or "maxUnavailablePercentage" in update_config:
            merged.pop("maxUnavailable", None)
            merged.pop("maxUnavailablePercentage", None)
        merged.update(update_config)
        check_update_config(merged, max_size, cluster, name)
        new["update_config"] = merged
        update_params += [(kind, update_config[member]) for member, kind in (
            ("maxUnavailable", "MaxUnavailable"), ("maxUnavailablePercentage", "MaxUnavailablePercentage"),
            ("updateStrategy", "UpdateStrategy")) if member in update_config]
    elif "scaling" in new:
        check_update_config(nodegroup.update_config, max_size, cluster, name)
    repair = params.get("nodeRepairConfig")
    if repair is not None:
        new["node_repair_config"] = dict(repair)
        update_params.append(("NodeRepairConfig", repair))
        if "enabled" in repair:
            update_params.append(("NodeRepairEnabled", repair["enabled"]))
    warm_pool = params.get("warmPoolConfig")
    if warm_pool is not None:
        new["warm_pool_config"] = {**(nodegroup.warm_pool_config or {}), **warm_pool}
        update_params += [(kind, warm_pool[member]) for member, kind in (
            ("enabled", "WarmPoolEnabled"), ("maxGroupPreparedCapacity", "WarmPoolMaxGroupPreparedCapacity"),
            ("minSize", "WarmPoolMinSize"), ("poolState", "WarmPoolState"),
            ("reuseOnScaleIn", "WarmPoolReuseOnScaleIn")) if member in warm_pool]
    if not new:
        raise _invalid(NO_CONFIG_CHANGE, cluster, name)
    return update_params, new


def _config_plan(nodegroup: Nodegroup, params: dict, cluster: str):
    update_params, new = _config_changes(nodegroup, params, cluster)

    def apply(at: float) -> None:
        for attribute, value in new.items():
            setattr(nodegroup, attribute, value)
    return update_params, apply


@eks.operation("UpdateNodegroupConfig")
def update_nodegroup_config(ctx: RequestContext, params: dict) -> dict:
    cluster, nodegroup = get_nodegroup(ctx, params)
    return run_update(ctx, params, cluster, "ConfigUpdate", lambda: _config_plan(nodegroup, params, cluster.name),
                      target=nodegroup, duration=CONFIG_UPDATE)


def _launch_template_update(nodegroup: Nodegroup, template: dict | None, cluster: str) -> dict | None:
    """The nodegroup's launch template at the requested version (the template itself cannot change)."""
    if template is None:
        return None
    current = nodegroup.launch_template
    if current is None:
        raise _invalid(NO_LAUNCH_TEMPLATE, cluster, nodegroup.name)
    if template.get("id", current["id"]) != current["id"] or template.get("name", current.get("name")) != current.get("name"):
        raise _invalid(LAUNCH_TEMPLATE_MISMATCH, cluster, nodegroup.name)
    return {**current, "version": template.get("version", current["version"])}


def _version_plan(cluster, nodegroup: Nodegroup, params: dict):
    name = nodegroup.name
    version = params.get("version", cluster.version)
    if version not in (cluster.version, nodegroup.version):
        raise _invalid(VERSION_MISMATCH.format(cluster_version=cluster.version, nodegroup_version=nodegroup.version),
                       cluster.name, name)
    new_template = _launch_template_update(nodegroup, params.get("launchTemplate"), cluster.name)
    release = nodegroup.release_version
    if nodegroup.ami_type != "CUSTOM":
        published = ami_release_versions(version, nodegroup.ami_type)
        release = params.get("releaseVersion") or published[-1]
        check_release_version(release, version, nodegroup.ami_type, cluster.name, name)
        if version == nodegroup.version and published.index(release) < _position(published, nodegroup.release_version):
            raise _invalid(ROLLBACK.format(release=release, current=nodegroup.release_version), cluster.name, name)
    if (version, release, new_template or nodegroup.launch_template) == (
            nodegroup.version, nodegroup.release_version, nodegroup.launch_template):
        raise _invalid(ALREADY_AT_VERSION.format(name=name, version=version, release=release), cluster.name, name)
    update_params = [("Version", version)] + ([("ReleaseVersion", release)] if release else [])
    if new_template is not None:
        update_params += [("LaunchTemplateName", new_template["name"])] if "name" in new_template else []
        update_params.append(("LaunchTemplateVersion", new_template["version"]))

    def apply(at: float) -> None:
        nodegroup.version, nodegroup.release_version = version, release
        if new_template is not None:
            nodegroup.launch_template = new_template
    return update_params, apply


@eks.operation("UpdateNodegroupVersion")
def update_nodegroup_version(ctx: RequestContext, params: dict) -> dict:
    cluster, nodegroup = get_nodegroup(ctx, params)
    return run_update(ctx, params, cluster, "VersionUpdate", lambda: _version_plan(cluster, nodegroup, params),
                      target=nodegroup, duration=VERSION_UPDATE)


def _position(published: tuple, release: str | None) -> int:
    return published.index(release) if release in published else -1


@taggable("nodegroup")
def nodegroup_for_tags(store, arn):
    cluster_name, name, _ = resource_parts(arn, 3)
    cluster = store.clusters.get(cluster_name)
    nodegroup = cluster.nodegroups.get(name) if cluster is not None else None
    if nodegroup is None or not nodegroup.arn.endswith(arn.resource):
        return None
    return nodegroup
