"""EKS Fargate profiles: Create/Describe/List/Delete (profiles are immutable).

A profile lives in its cluster's ``fargate_profiles`` dict.  Lifecycle:
CREATING -> ACTIVE after ``eks.fargate.create``; DeleteFargateProfile ->
DELETING -> gone after ``eks.fargate.delete``.  A cluster has at most one
profile CREATING or DELETING at any time: AWS serializes them and refuses
the others with ResourceInUseException.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from emulator.config import declare_duration
from emulator.core import ids
from emulator.core.service import RequestContext
from emulator.eks import idempotency
from emulator.eks.access import create_node_access_entry
from emulator.eks.cluster_config import check_role_arn
from emulator.eks.common import get_cluster, list_page, removal_at, require_active, status_change_at
from emulator.eks.errors import (InvalidParameterException, ResourceInUseException, ResourceLimitExceededException,
                                 ResourceNotFoundException)
from emulator.eks.service import eks
from emulator.eks.tags import check_create_tags, resource_parts, taggable

CREATE = declare_duration("eks.fargate.create", 120, "EKS Fargate profile CREATING -> ACTIVE")
DELETE = declare_duration("eks.fargate.delete", 180, "EKS Fargate profile DELETING -> gone")

MAX_PROFILES = 10             # per cluster (service quota)
MAX_SELECTORS = 5             # per profile (service quota)
MAX_SELECTOR_LABELS = 5       # per selector (service quota)
MAX_NAME_LENGTH = 100
RESERVED_PREFIX = "eks-"

PROFILE_NOT_FOUND = "No Fargate Profile found with name: {name}."
PROFILE_EXISTS = "A Fargate Profile already exists with this name in this cluster."
RESERVED_NAME = "The fargate profile name starts with the reserved prefix: 'eks-'."
INVALID_NAME = ("The fargate profile name parameter contains invalid characters. It should begin with a letter or "
                "digit and can contain letters, digits, hyphens and underscores.")              # (own wording)
NAME_TOO_LONG = "The fargate profile name must be 100 characters or less."                      # (own wording)
BUSY_CREATE = "Cannot create Fargate Profile {name} because cluster {cluster} currently has Fargate profile {other} in status {status}"
BUSY_DELETE = "Cannot Delete Fargate Profile {name} because cluster {cluster} currently has Fargate profile {other} in status {status}"
DELETE_DURING_UPDATE = "Cannot Delete Fargate Profile {name} because cluster {cluster} currently has an update in progress"
NO_SELECTOR = "Fargate Profile requires at least one selector."
SELECTOR_WITHOUT_NAMESPACE = "Fargate Profile must have at least one selector with at least one namespace value."
TOO_MANY_SELECTORS = "Fargate Profile cannot have more than 5 selectors."                         # (own wording)
TOO_MANY_LABELS = "Request contains Selector with more than 5 Label pairs"
TOO_MANY_PROFILES = ("Cannot create Fargate Profile {name}: cluster {cluster} has reached the limit of 10 Fargate "
                     "profiles.")                                                                 # (own wording)

_NAME = re.compile(r"[0-9A-Za-z][A-Za-z0-9\-_]*")


@dataclass(eq=False)
class FargateProfile:
    name: str
    arn: str
    cluster_name: str
    created_at: float
    pod_execution_role_arn: str
    subnets: list
    selectors: list
    tags: dict
    status: str = "CREATING"

    def describe(self) -> dict:
        return {"fargateProfileName": self.name, "fargateProfileArn": self.arn, "clusterName": self.cluster_name,
                "createdAt": self.created_at, "podExecutionRoleArn": self.pod_execution_role_arn,
                "subnets": list(self.subnets), "selectors": [dict(s) for s in self.selectors],
                "status": self.status, "tags": self.tags, "health": {"issues": []}}


def _invalid(message: str, cluster: str, name: str) -> InvalidParameterException:
    return InvalidParameterException(message, clusterName=cluster, fargateProfileName=name)


def busy_profile(cluster, other_than: str | None = None) -> FargateProfile | None:
    """The cluster's profile being created or deleted, if any (at most one)."""
    for profile in cluster.fargate_profiles.values():
        if profile.status in ("CREATING", "DELETING") and profile.name != other_than:
            return profile
    return None


def check_selectors(selectors: list, cluster: str, name: str) -> list:
    if not selectors:
        raise _invalid(NO_SELECTOR, cluster, name)
    if len(selectors) > MAX_SELECTORS:
        raise _invalid(TOO_MANY_SELECTORS, cluster, name)
    out = []
    for selector in selectors:
        if not selector.get("namespace"):
            raise _invalid(SELECTOR_WITHOUT_NAMESPACE, cluster, name)
        labels = selector.get("labels") or {}
        if len(labels) > MAX_SELECTOR_LABELS:
            raise _invalid(TOO_MANY_LABELS, cluster, name)
        out.append({"namespace": selector["namespace"], "labels": dict(labels)})
    return out


def check_name(name: str, cluster: str) -> None:
    if name.startswith(RESERVED_PREFIX):
        raise _invalid(RESERVED_NAME, cluster, name)
    if not _NAME.fullmatch(name):
        raise _invalid(INVALID_NAME, cluster, name)
    if len(name) > MAX_NAME_LENGTH:
        raise _invalid(NAME_TOO_LONG, cluster, name)


def get_profile(ctx: RequestContext, params: dict):
    cluster = get_cluster(ctx, params["clusterName"])
    name = params["fargateProfileName"]
    profile = cluster.fargate_profiles.get(name)
    if profile is None:
        raise ResourceNotFoundException(PROFILE_NOT_FOUND.format(name=name), clusterName=cluster.name,
                                        fargateProfileName=name)
    return cluster, profile


@eks.operation("CreateFargateProfile")
def create_fargate_profile(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    replay = idempotency.replayed(ctx, params, scope=cluster.uid)
    if replay is not None:
        return replay
    require_active(cluster)
    name = params["fargateProfileName"]
    check_name(name, cluster.name)
    if name in cluster.fargate_profiles:
        raise ResourceInUseException(PROFILE_EXISTS, clusterName=cluster.name)
    check_role_arn(params["podExecutionRoleArn"], clusterName=cluster.name, fargateProfileName=name)
    selectors = check_selectors(params.get("selectors") or [], cluster.name, name)
    tags = dict(params.get("tags") or {})
    check_create_tags(tags)
    if len(cluster.fargate_profiles) >= MAX_PROFILES:
        raise ResourceLimitExceededException(TOO_MANY_PROFILES.format(name=name, cluster=cluster.name),
                                             clusterName=cluster.name)
    other = busy_profile(cluster)
    if other is not None:
        raise ResourceInUseException(BUSY_CREATE.format(name=name, cluster=cluster.name, other=other.name,
                                                        status=other.status), clusterName=cluster.name)
    profile = FargateProfile(
        name=name, arn=ctx.arn(f"fargateprofile/{cluster.name}/{name}/{ids.uuid4()}"), cluster_name=cluster.name,
        created_at=ctx.now, pod_execution_role_arn=params["podExecutionRoleArn"],
        # Without subnets EKS uses the cluster's (private) subnets.
        subnets=list(params.get("subnets") or cluster.vpc_config["subnetIds"]), selectors=selectors, tags=tags)
    cluster.fargate_profiles[name] = profile
    cluster.fargate_profile_names.add(name)
    # In an API* cluster EKS gives the pod execution role its own access entry.
    create_node_access_entry(ctx, cluster, profile.pod_execution_role_arn, "FARGATE_LINUX")
    status_change_at(ctx, CREATE, profile, "CREATING", "ACTIVE")
    idempotency.remember(ctx, params, lambda: ({"fargateProfile": profile.describe()}
                                               if cluster.fargate_profiles.get(name) is profile else None),
                         scope=cluster.uid)
    return {"fargateProfile": profile.describe()}


@eks.operation("DescribeFargateProfile")
def describe_fargate_profile(ctx: RequestContext, params: dict) -> dict:
    return {"fargateProfile": get_profile(ctx, params)[1].describe()}


@eks.operation("ListFargateProfiles")
def list_fargate_profiles(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    names, token = list_page(cluster.fargate_profile_names, params, scope=cluster.uid, clusterName=cluster.name)
    return {"fargateProfileNames": names, "nextToken": token}


@eks.operation("DeleteFargateProfile")
def delete_fargate_profile(ctx: RequestContext, params: dict) -> dict:
    cluster, profile = get_profile(ctx, params)
    if profile.status == "DELETING":   # deleting again answers the deletion under way
        return {"fargateProfile": profile.describe()}
    if cluster.updates.in_progress() is not None:
        raise ResourceInUseException(DELETE_DURING_UPDATE.format(name=profile.name, cluster=cluster.name),
                                     clusterName=cluster.name)
    other = busy_profile(cluster, other_than=profile.name)
    if other is not None:
        raise ResourceInUseException(BUSY_DELETE.format(name=profile.name, cluster=cluster.name, other=other.name,
                                                        status=other.status), clusterName=cluster.name)
    profile.status = "DELETING"
    removal_at(ctx, DELETE, cluster.fargate_profiles, cluster.fargate_profile_names, profile)
    return {"fargateProfile": profile.describe()}


@taggable("fargateprofile")
def fargate_profile_for_tags(store, arn):
    cluster_name, name, _ = resource_parts(arn, 3)
    cluster = store.clusters.get(cluster_name)
    profile = cluster.fargate_profiles.get(name) if cluster is not None else None
    if profile is None or not profile.arn.endswith(arn.resource):
        return None
    return profile
