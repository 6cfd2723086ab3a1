"""ECS capacity providers: Create/Update/Delete/DescribeCapacityProviders.

An account's own providers live in ``store.capacity_providers`` (name -> :class:`CapacityProvider`);
``FARGATE`` and ``FARGATE_SPOT`` exist in every account and are never stored. Clusters name the
providers associated with them in ``Cluster.capacity_providers``. Other modules resolve a
``capacityProvider`` value with :func:`find_capacity_provider`.
"""
from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field

from emulator.config import declare_duration
from emulator.core import arns
from emulator.core.service import RequestContext
from emulator.ecs.clusters import FARGATE_PROVIDERS, PROVIDER_NOT_FOUND, active_cluster
from emulator.ecs.common import RESOURCE_NAME, paginate, tags_out
from emulator.ecs.errors import ClientException, ResourceNotFoundException
from emulator.ecs.service import ecs
from emulator.ecs.tags import RESOURCE_NOT_FOUND, taggable, tags_from_request

PROVISIONING = declare_duration("ecs.capacity_provider.provision", 60.0,
                                "Managed Instances capacity provider PROVISIONING until ACTIVE")
UPDATING = declare_duration("ecs.capacity_provider.update", 10.0,
                            "capacity provider UPDATE_IN_PROGRESS until UPDATE_COMPLETE")
DELETING = declare_duration("ecs.capacity_provider.delete", 20.0,
                            "capacity provider DELETE_IN_PROGRESS until INACTIVE")

PAGE_SIZE = 10

INVALID_NAME = ("The specified capacity provider name is invalid. Up to 255 characters are allowed, including "
                "letters (upper and lowercase), numbers, underscores, and hyphens. The name cannot be prefixed "
                "with \"aws\", \"ecs\", or \"fargate\". Specify a valid name and try again.")
ALREADY_EXISTS = ("The specified capacity provider already exists. To change the configuration of an existing "
                  "capacity provider, update the capacity provider.")
ASG_IN_USE = ("The specified Auto Scaling group ARN is already being used by another capacity provider. "
              "Specify a unique Auto Scaling group ARN and try again.")
ONE_PROVIDER_KIND = ("Exactly one of autoScalingGroupProvider or managedInstancesProvider must be specified. "
                     "Specify one and try again.")
CLUSTER_REQUIRED = ("A cluster must be specified for a Managed Instances capacity provider. "
                    "Specify a cluster and try again.")
RESERVED = "The specified capacity provider is reserved and cannot be modified or deleted."
WRONG_KIND = "The update does not match the type of the specified capacity provider. Specify a valid update."
NOT_ACTIVE = ("The specified capacity provider is not in an ACTIVE state. Specify a valid capacity provider and "
              "try again.")
ASSOCIATED = ("The capacity provider cannot be deleted because it is associated with cluster: {cluster}. "
              "Remove the capacity provider from the cluster and try again.")

_RESERVED_PREFIXES = ("aws", "ecs", "fargate")
MANAGED_SCALING_DEFAULTS = {"status": "DISABLED", "targetCapacity": 100, "minimumScalingStepSize": 1,
                            "maximumScalingStepSize": 10000, "instanceWarmupPeriod": 300}


@dataclass
class CapacityProvider:
    name: str
    arn: str
    type: str                                  # EC2_AUTOSCALING | MANAGED_INSTANCES | FARGATE | FARGATE_SPOT
    status: str = "ACTIVE"                     # PROVISIONING | ACTIVE | DEPROVISIONING | INACTIVE
    auto_scaling_group: dict | None = None     # autoScalingGroupProvider, defaults filled
    managed_instances: dict | None = None      # managedInstancesProvider as given
    cluster: str | None = None                 # Managed Instances providers belong to one cluster
    update_status: str | None = None
    update_status_reason: str | None = None
    tags: dict[str, str] = field(default_factory=dict)

    def describe(self, with_tags: bool = True) -> dict:
        out = {"capacityProviderArn": self.arn, "name": self.name, "status": self.status, "type": self.type,
               "cluster": self.cluster, "updateStatus": self.update_status,
               "updateStatusReason": self.update_status_reason,
               "autoScalingGroupProvider": copy.deepcopy(self.auto_scaling_group),
               "managedInstancesProvider": copy.deepcopy(self.managed_instances)}
        if with_tags:
            out["tags"] = tags_out(self.tags)
        return out


def _fargate_provider(ctx: RequestContext, name: str) -> CapacityProvider:
    return CapacityProvider(name=name, arn=ctx.arn(f"capacity-provider/{name}"), type=name)


def find_capacity_provider(ctx: RequestContext, name_or_arn: str) -> CapacityProvider | None:
    """A provider by name or ARN, ``FARGATE``/``FARGATE_SPOT`` included; None when there is none."""
    name = name_or_arn
    if name_or_arn.startswith("arn:"):
        arn = arns.parse(name_or_arn)
        if arn is None or arn.service != "ecs" or not arn.resource.startswith("capacity-provider/") \
                or arn.region != ctx.region or arn.account != ctx.account:
            return None
        name = arn.resource[len("capacity-provider/"):]
    if name in FARGATE_PROVIDERS:
        return _fargate_provider(ctx, name)
    return ctx.store.capacity_providers.get(name)


def _own_provider(ctx: RequestContext, name_or_arn: str, cluster: str | None = None) -> CapacityProvider:
    provider = find_capacity_provider(ctx, name_or_arn)
    if provider is not None and provider.type in FARGATE_PROVIDERS:
        raise ClientException(RESERVED)
    if provider is None or provider.status == "INACTIVE" \
            or (cluster is not None and provider.cluster is not None and _cluster_name(cluster) != provider.cluster):
        raise ClientException(PROVIDER_NOT_FOUND)
    return provider


def _cluster_name(identifier: str) -> str:
    return identifier.rsplit("/", 1)[-1] if identifier.startswith("arn:") else identifier


def _check_name(name: str) -> None:
    if not RESOURCE_NAME.match(name) or name.lower().startswith(_RESERVED_PREFIXES):
        raise ClientException(INVALID_NAME)


def _asg_name(arn_or_name: str) -> str:
    """The Auto Scaling group a value names (ARN ``...:autoScalingGroupName/<name>`` or the name)."""
    _, sep, name = arn_or_name.partition(":autoScalingGroupName/")
    return name if sep else arn_or_name


def _auto_scaling_group_provider(given: dict) -> dict:
    out = {"autoScalingGroupArn": given["autoScalingGroupArn"],
           "managedScaling": {**MANAGED_SCALING_DEFAULTS, **given.get("managedScaling", {})},
           "managedTerminationProtection": given.get("managedTerminationProtection", "DISABLED"),
           "managedDraining": given.get("managedDraining", "ENABLED")}
    return out


def _schedule(ctx: RequestContext, duration: str, action) -> None:
    ctx.store.timeline.at(ctx.now + ctx.duration(duration), action)


@ecs.operation("CreateCapacityProvider")
def create_capacity_provider(ctx: RequestContext, params: dict) -> dict:
    name = params["name"]
    _check_name(name)
    asg, managed = params.get("autoScalingGroupProvider"), params.get("managedInstancesProvider")
    if (asg is None) == (managed is None):
        raise ClientException(ONE_PROVIDER_KIND)
    existing = ctx.store.capacity_providers.get(name)
    if existing is not None and existing.status != "INACTIVE":
        raise ClientException(ALREADY_EXISTS)
    tags = tags_from_request(params.get("tags"))
    provider = CapacityProvider(name=name, arn=ctx.arn(f"capacity-provider/{name}"), type="EC2_AUTOSCALING",
                                tags=tags)
    if asg is not None:
        group = _asg_name(asg["autoScalingGroupArn"])
        if any(p.auto_scaling_group and p.status != "INACTIVE"
               and _asg_name(p.auto_scaling_group["autoScalingGroupArn"]) == group
               for p in ctx.store.capacity_providers.values()):
            raise ClientException(ASG_IN_USE)
        provider.auto_scaling_group = _auto_scaling_group_provider(asg)
    else:
        if "cluster" not in params:
            raise ClientException(CLUSTER_REQUIRED)
        provider.type = "MANAGED_INSTANCES"
        provider.cluster = active_cluster(ctx, params["cluster"]).name
        provider.managed_instances = copy.deepcopy(managed)
        provider.managed_instances.setdefault("propagateTags", "NONE")
        provider.status, provider.update_status = "PROVISIONING", "CREATE_IN_PROGRESS"

        def provisioned(at: float) -> None:
            if provider.status == "PROVISIONING":
                provider.status, provider.update_status = "ACTIVE", "CREATE_COMPLETE"
        _schedule(ctx, PROVISIONING, provisioned)
    ctx.store.capacity_providers[name] = provider
    return {"capacityProvider": provider.describe()}


@ecs.operation("UpdateCapacityProvider")
def update_capacity_provider(ctx: RequestContext, params: dict) -> dict:
    provider = _own_provider(ctx, params["name"], params.get("cluster"))
    if provider.status != "ACTIVE":
        raise ClientException(NOT_ACTIVE)
    asg, managed = params.get("autoScalingGroupProvider"), params.get("managedInstancesProvider")
    if (asg is not None and provider.auto_scaling_group is None) or \
            (managed is not None and provider.managed_instances is None):
        raise ClientException(WRONG_KIND)
    if asg is not None:
        current = provider.auto_scaling_group
        if "managedScaling" in asg:
            current["managedScaling"] = {**current["managedScaling"], **asg["managedScaling"]}
        for key in ("managedTerminationProtection", "managedDraining"):
            if key in asg:
                current[key] = asg[key]
    if managed is not None:
        provider.managed_instances.update(copy.deepcopy(managed))
    provider.update_status, provider.update_status_reason = "UPDATE_IN_PROGRESS", None

    def updated(at: float) -> None:
        if provider.update_status == "UPDATE_IN_PROGRESS":
            provider.update_status = "UPDATE_COMPLETE"
    _schedule(ctx, UPDATING, updated)
    return {"capacityProvider": provider.describe()}


@ecs.operation("DeleteCapacityProvider")
def delete_capacity_provider(ctx: RequestContext, params: dict) -> dict:
    provider = _own_provider(ctx, params["capacityProvider"], params.get("cluster"))
    if provider.update_status == "DELETE_IN_PROGRESS":
        return {"capacityProvider": provider.describe()}
    cluster = next((c.name for c in ctx.store.clusters.values()
                    if c.status == "ACTIVE" and provider.name in c.capacity_providers), None)
    if cluster is not None:
        # ECS answers the call and records why the deletion failed.
        provider.update_status, provider.update_status_reason = "DELETE_FAILED", ASSOCIATED.format(cluster=cluster)
        return {"capacityProvider": provider.describe()}
    provider.update_status, provider.update_status_reason = "DELETE_IN_PROGRESS", None
    if provider.type == "MANAGED_INSTANCES":
        provider.status = "DEPROVISIONING"

    def deleted(at: float) -> None:
        if provider.update_status == "DELETE_IN_PROGRESS":
            provider.status, provider.update_status = "INACTIVE", "DELETE_COMPLETE"
    _schedule(ctx, DELETING, deleted)
    return {"capacityProvider": provider.describe()}


@ecs.operation("DescribeCapacityProviders")
def describe_capacity_providers(ctx: RequestContext, params: dict) -> dict:
    with_tags = "TAGS" in params.get("include", [])
    found: dict[str, CapacityProvider] = {}
    failures = []
    if params.get("capacityProviders"):
        for identifier in params["capacityProviders"]:
            provider = find_capacity_provider(ctx, identifier)
            if provider is None:
                name = identifier if identifier.startswith("arn:") else ctx.arn(f"capacity-provider/{identifier}")
                failures.append({"arn": name, "reason": "MISSING"})
            else:
                found[provider.name] = provider
    else:
        found = {name: _fargate_provider(ctx, name) for name in FARGATE_PROVIDERS}
        found.update(ctx.store.capacity_providers)
    if "cluster" in params:
        cluster = active_cluster(ctx, params["cluster"])
        found = {name: p for name, p in found.items()
                 if name in cluster.capacity_providers or p.cluster == cluster.name}
    listing = "|".join(sorted(found)) if params.get("capacityProviders") else "all"
    scope = hashlib.sha256(f"{listing}|{params.get('cluster', '')}".encode()).hexdigest()[:16]
    page, token = paginate(params, sorted(found), default=PAGE_SIZE, maximum=PAGE_SIZE, scope=scope)
    return {"capacityProviders": [found[name].describe(with_tags) for name in page],
            "failures": failures, "nextToken": token}


@taggable("capacity-provider")
def _capacity_provider_for_tags(ctx: RequestContext, arn: str) -> CapacityProvider:
    provider = ctx.store.capacity_providers.get(arn.rsplit("/", 1)[-1])
    if provider is None or provider.arn != arn:
        raise ResourceNotFoundException(RESOURCE_NOT_FOUND)
    return provider
