"""ECS clusters: Create/Describe/List/Update/DeleteCluster, UpdateClusterSettings, PutClusterCapacityProviders.

A cluster also carries the live state other modules keep current, so its counts are read, never
counted: the task engine keeps ``task_counts``/``active_tasks``/``provider_tasks`` and the task
listing indexes; container instances keep ``instances``/``instance_index``; the service module
keeps ``services`` (name -> service) and ``service_counts`` through :func:`note_service_status`.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from emulator.core.service import RequestContext
from emulator.ecs.common import DEFAULT_CLUSTER, RESOURCE_NAME, paginate, resource_name, tags_out
from emulator.ecs.errors import (ClusterContainsCapacityProviderException, ClusterContainsContainerInstancesException,
                                ClusterContainsServicesException, ClusterContainsTasksException,
                                ClusterNotFoundException, InvalidParameterException, LimitExceededException,
                                ResourceInUseException)
from emulator.ecs.indexes import MultiIndex, SortedKeys, describe_each
from emulator.ecs.service import ecs

CLUSTER_NOT_FOUND = "Cluster not found."
CLUSTER_INACTIVE = "The referenced cluster was inactive."
CONTAINS_SERVICES = "The Cluster cannot be deleted while Services are active."
CONTAINS_TASKS = "The Cluster cannot be deleted while Tasks are active."
CONTAINS_INSTANCES = "The Cluster cannot be deleted while Container Instances are active."
CONTAINS_CAPACITY_PROVIDERS = "The Cluster cannot be deleted while Capacity Providers are active."
INVALID_CLUSTER_NAME = ("Cluster names can contain up to 255 letters (uppercase and lowercase), numbers, "
                        "underscores, and hyphens.")
PROVIDER_NOT_ASSOCIATED = ("The specified capacity provider strategy cannot contain a capacity provider that is not "
                           "associated with the cluster. Associate the capacity provider with the cluster or specify "
                           "a valid capacity provider and try again.")
PROVIDER_NOT_FOUND = "The specified capacity provider does not exist. Specify a valid name or ARN and try again."
PROVIDER_NOT_ACTIVE = ("The specified capacity provider is not in an ACTIVE state. Specify a valid capacity "
                       "provider and try again.")
PROVIDER_IN_USE = ("The specified capacity provider {name} is in use and cannot be removed. Stop the tasks that use "
                   "it and try again.")
PROVIDER_OF_OTHER_CLUSTER = ("The specified capacity provider {name} belongs to another cluster. Specify a valid "
                             "capacity provider and try again.")
TOO_MANY_PROVIDERS = "The maximum number of capacity providers for a cluster is 20."
TOO_MANY_STRATEGY_ITEMS = "The capacity provider strategy can contain a maximum of 20 capacity providers."
MORE_THAN_ONE_BASE = "Only one capacity provider in a capacity provider strategy can have a base defined."
DUPLICATE_PROVIDER = "The capacity provider strategy cannot contain duplicate capacity providers."
NO_POSITIVE_WEIGHT = ("The capacity provider strategy must contain at least one capacity provider with a weight "
                      "greater than zero.")
MIXED_PROVIDERS = ("A capacity provider strategy cannot contain both Fargate capacity providers and Auto Scaling "
                   "group capacity providers.")


def invalid_setting_value(value: str) -> str:
    return (f"Invalid value '{value}' for setting 'containerInsights'. "
            "Valid values are: enabled, disabled, enhanced.")


MAX_PROVIDERS = 20
FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
CONTAINER_INSIGHTS_VALUES = ("enabled", "disabled", "enhanced")
# DescribeClusters include=STATISTICS: (statistic, (bucket, launch kind)) read from the live counts.
_TASK_STATISTICS = (("runningEC2TasksCount", ("running", "EC2")), ("runningFargateTasksCount", ("running", "FARGATE")),
                    ("pendingEC2TasksCount", ("pending", "EC2")), ("pendingFargateTasksCount", ("pending", "FARGATE")))
_SERVICE_STATISTICS = (("activeEC2ServiceCount", ("ACTIVE", "EC2")),
                       ("activeFargateServiceCount", ("ACTIVE", "FARGATE")),
                       ("drainingEC2ServiceCount", ("DRAINING", "EC2")),
                       ("drainingFargateServiceCount", ("DRAINING", "FARGATE")))


@dataclass(eq=False)
class Cluster:
    name: str
    arn: str
    status: str = "ACTIVE"
    settings: list[dict] = field(default_factory=lambda: [{"name": "containerInsights", "value": "disabled"}])
    configuration: dict | None = None
    service_connect_defaults: dict | None = None
    capacity_providers: list[str] = field(default_factory=list)
    default_strategy: list[dict] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    # -- live state, kept by the modules that change it --------------------------------------
    tasks: MultiIndex = field(default_factory=MultiIndex)        # task listing indexes (task engine)
    task_counts: Counter = field(default_factory=Counter)        # ("pending"|"running", "EC2"|"FARGATE") -> tasks
    active_tasks: int = 0                                        # tasks not STOPPED yet
    provider_tasks: Counter = field(default_factory=Counter)     # capacity provider -> tasks not STOPPED
    instances: dict = field(default_factory=dict)                # id -> ContainerInstance (INACTIVE ones too)
    instance_index: MultiIndex = field(default_factory=MultiIndex)  # ("status", s) -> instance ids
    services: dict = field(default_factory=dict)                 # name -> service (services module)
    service_listing: SortedKeys = field(default_factory=SortedKeys)  # names of ACTIVE services (ListServices)
    service_counts: Counter = field(default_factory=Counter)     # (status, "EC2"|"FARGATE") -> services

    @property
    def registered_instances(self) -> int:
        index = self.instance_index
        return len(index.get(("status", "ACTIVE"))) + len(index.get(("status", "DRAINING")))

    def describe(self, include: frozenset[str] = frozenset({"SETTINGS", "CONFIGURATIONS"})) -> dict:
        counts = self.task_counts
        out = {
            "clusterArn": self.arn,
            "clusterName": self.name,
            "status": self.status,
            "registeredContainerInstancesCount": self.registered_instances,
            "runningTasksCount": counts["running", "EC2"] + counts["running", "FARGATE"],
            "pendingTasksCount": counts["pending", "EC2"] + counts["pending", "FARGATE"],
            "activeServicesCount": self.service_counts["ACTIVE", "EC2"] + self.service_counts["ACTIVE", "FARGATE"],
            "statistics": self.statistics() if "STATISTICS" in include else [],
            "tags": tags_out(self.tags) if "TAGS" in include else [],
            "settings": self.settings,
            "capacityProviders": self.capacity_providers,
            "defaultCapacityProviderStrategy": self.default_strategy,
        }
        if "CONFIGURATIONS" in include and self.configuration is not None:
            out["configuration"] = self.configuration
        if "ATTACHMENTS" in include:
            out["attachments"] = []
        if self.service_connect_defaults is not None:
            out["serviceConnectDefaults"] = self.service_connect_defaults
        return out

    def statistics(self) -> list[dict]:
        stats = [(name, self.task_counts[key]) for name, key in _TASK_STATISTICS]
        stats += [(name, self.service_counts[key]) for name, key in _SERVICE_STATISTICS]
        return [{"name": name, "value": str(value)} for name, value in stats]


def launch_kind(launch_type: str | None) -> str:
    """How cluster statistics group a launch type."""
    return "FARGATE" if launch_type == "FARGATE" else "EC2"


def note_service_status(cluster: Cluster, launch_type: str | None, old: str | None, new: str | None) -> None:
    """Keep the service counts (activeServicesCount, statistics, DeleteCluster) when a service's status changes."""
    kind = launch_kind(launch_type)
    if old is not None:
        cluster.service_counts[old, kind] -= 1
    if new is not None:
        cluster.service_counts[new, kind] += 1


def find_cluster(ctx: RequestContext, identifier: str | None) -> Cluster | None:
    name = resource_name(identifier or DEFAULT_CLUSTER, "cluster")
    if name is None:
        raise InvalidParameterException("Unsupported resource type: cluster")
    return ctx.store.clusters.get(name)


def active_cluster(ctx: RequestContext, identifier: str | None) -> Cluster:
    """The ACTIVE cluster named by a ``cluster`` parameter (``default`` when omitted)."""
    cluster = find_cluster(ctx, identifier)
    if cluster is None:
        raise ClusterNotFoundException(CLUSTER_NOT_FOUND)
    if cluster.status == "INACTIVE":
        raise ClusterNotFoundException(CLUSTER_INACTIVE)
    return cluster


def existing_cluster(ctx: RequestContext, identifier: str | None) -> Cluster:
    """The cluster named by a ``cluster`` parameter, ACTIVE or INACTIVE (for reads)."""
    cluster = find_cluster(ctx, identifier)
    if cluster is None:
        raise ClusterNotFoundException(CLUSTER_NOT_FOUND)
    return cluster


# -- capacity providers -------------------------------------------------------------------------

def _provider(ctx: RequestContext, name_or_arn: str):
    from emulator.ecs.capacity_providers import find_capacity_provider
    return find_capacity_provider(ctx, name_or_arn)


def check_strategy(ctx: RequestContext, associated: list[str], strategy: list[dict]) -> list[dict]:
    """A capacity provider strategy against the providers associated with a cluster; returns it with
    provider names (an ARN is reduced to the name) and AWS's defaults filled in (weight 0, base 0)."""
    if len(strategy) > MAX_PROVIDERS:
        raise InvalidParameterException(TOO_MANY_STRATEGY_ITEMS)
    out, seen = [], set()
    for item in strategy:
        provider = _provider(ctx, item["capacityProvider"])
        name = provider.name if provider is not None else item["capacityProvider"]
        if name not in associated:
            raise InvalidParameterException(PROVIDER_NOT_ASSOCIATED)
        if name in seen:
            raise InvalidParameterException(DUPLICATE_PROVIDER)
        seen.add(name)
        out.append({"capacityProvider": name, "weight": item.get("weight", 0), "base": item.get("base", 0)})
    if sum(1 for item in out if item["base"] > 0) > 1:
        raise InvalidParameterException(MORE_THAN_ONE_BASE)
    if out and not any(item["weight"] > 0 for item in out):
        raise InvalidParameterException(NO_POSITIVE_WEIGHT)
    fargate = {item["capacityProvider"] in FARGATE_PROVIDERS for item in out}
    if len(fargate) > 1:
        raise InvalidParameterException(MIXED_PROVIDERS)
    return out


def _check_providers(ctx: RequestContext, cluster_name: str, names: list[str]) -> list[str]:
    if len(names) > MAX_PROVIDERS:
        raise LimitExceededException(TOO_MANY_PROVIDERS)
    out = []
    for value in names:
        provider = _provider(ctx, value)
        if provider is None or provider.status == "INACTIVE":
            raise InvalidParameterException(PROVIDER_NOT_FOUND)
        if provider.status not in ("ACTIVE",):
            raise InvalidParameterException(PROVIDER_NOT_ACTIVE)
        if provider.cluster is not None and provider.cluster != cluster_name:
            raise InvalidParameterException(PROVIDER_OF_OTHER_CLUSTER.format(name=provider.name))
        if provider.name not in out:
            out.append(provider.name)
    return out


# -- settings -----------------------------------------------------------------------------------

def _default_settings(ctx: RequestContext) -> list[dict]:
    from emulator.ecs.account_settings import effective_setting
    return [{"name": "containerInsights", "value": effective_setting(ctx.store, "containerInsights")}]


def _check_settings(settings: list[dict]) -> list[dict]:
    out = []
    for setting in settings:
        value = setting.get("value", "")
        if value not in CONTAINER_INSIGHTS_VALUES:
            raise InvalidParameterException(invalid_setting_value(value))
        out.append({"name": setting.get("name", "containerInsights"), "value": value})
    return out


def namespace_arn(ctx, namespace: str) -> str:
    """The ARN of a Cloud Map namespace given by name or ARN (ECS creates, or finds, a named one)."""
    if namespace.startswith("arn:"):
        return namespace
    namespace_id = "ns-" + hashlib.sha256(f"{ctx.account}/{ctx.region}/{namespace}".encode()).hexdigest()[:16]
    return ctx.arn(f"namespace/{namespace_id}", service="servicediscovery")


def _service_connect_defaults(ctx: RequestContext, given: dict | None) -> dict | None:
    """serviceConnectDefaults as ECS reports them: the namespace's ARN."""
    if given is None:
        return None
    return {"namespace": namespace_arn(ctx, given.get("namespace", ""))}


# -- operations ---------------------------------------------------------------------------------

@ecs.operation("CreateCluster")
def create_cluster(ctx: RequestContext, params: dict) -> dict:
    from emulator.ecs.tags import tags_from_request
    name = params.get("clusterName", DEFAULT_CLUSTER)
    if not RESOURCE_NAME.match(name):
        raise InvalidParameterException(INVALID_CLUSTER_NAME)
    existing = ctx.store.clusters.get(name)
    if existing is not None and existing.status == "ACTIVE":
        return {"cluster": existing.describe()}
    tags = tags_from_request(params.get("tags"))
    providers = _check_providers(ctx, name, list(params.get("capacityProviders", [])))
    strategy = check_strategy(ctx, providers, params.get("defaultCapacityProviderStrategy", []))
    settings = _check_settings(params["settings"]) if "settings" in params else _default_settings(ctx)
    # An INACTIVE cluster's name makes it ACTIVE again; its stopped tasks stay describable.
    cluster = existing or Cluster(name=name, arn=ctx.arn(f"cluster/{name}"))
    cluster.status, cluster.tags, cluster.settings = "ACTIVE", tags, settings
    cluster.configuration = params.get("configuration")
    cluster.service_connect_defaults = _service_connect_defaults(ctx, params.get("serviceConnectDefaults"))
    cluster.capacity_providers, cluster.default_strategy = providers, strategy
    ctx.store.clusters[name] = cluster
    return {"cluster": cluster.describe(frozenset({"TAGS", "SETTINGS", "CONFIGURATIONS"}))}


@ecs.operation("DescribeClusters")
def describe_clusters(ctx: RequestContext, params: dict) -> dict:
    include = frozenset(params.get("include", []))

    def missing_arn(identifier: str) -> str:
        name = resource_name(identifier, "cluster") or identifier
        return ctx.arn(f"cluster/{name}") if name == identifier else identifier
    clusters, failures = describe_each(params.get("clusters") or [DEFAULT_CLUSTER],
                                       lambda identifier: find_cluster(ctx, identifier),
                                       lambda cluster: cluster.describe(include), missing_arn)
    return {"clusters": clusters, "failures": failures}


@ecs.operation("ListClusters")
def list_clusters(ctx: RequestContext, params: dict) -> dict:
    names = sorted(n for n, c in ctx.store.clusters.items() if c.status == "ACTIVE")
    page, token = paginate(params, names)
    return {"clusterArns": [ctx.store.clusters[n].arn for n in page], "nextToken": token}


@ecs.operation("UpdateCluster")
def update_cluster(ctx: RequestContext, params: dict) -> dict:
    cluster = active_cluster(ctx, params["cluster"])
    settings = _check_settings(params["settings"]) if "settings" in params else None
    if settings is not None:
        cluster.settings = settings
    if "configuration" in params:
        cluster.configuration = params["configuration"]
    if "serviceConnectDefaults" in params:
        cluster.service_connect_defaults = _service_connect_defaults(ctx, params["serviceConnectDefaults"])
    return {"cluster": cluster.describe()}


@ecs.operation("UpdateClusterSettings")
def update_cluster_settings(ctx: RequestContext, params: dict) -> dict:
    cluster = active_cluster(ctx, params["cluster"])
    cluster.settings = _check_settings(params["settings"])
    return {"cluster": cluster.describe()}


@ecs.operation("PutClusterCapacityProviders")
def put_cluster_capacity_providers(ctx: RequestContext, params: dict) -> dict:
    cluster = active_cluster(ctx, params["cluster"])
    providers = _check_providers(ctx, cluster.name, params["capacityProviders"])
    strategy = check_strategy(ctx, providers, params["defaultCapacityProviderStrategy"])
    for removed in set(cluster.capacity_providers) - set(providers):
        if cluster.provider_tasks[removed] > 0 or _services_use(cluster, removed):
            raise ResourceInUseException(PROVIDER_IN_USE.format(name=removed))
    cluster.capacity_providers = providers
    cluster.default_strategy = strategy
    return {"cluster": cluster.describe()}


def _services_use(cluster: Cluster, provider: str) -> bool:
    for service in cluster.services.values():
        if getattr(service, "status", "ACTIVE") in ("ACTIVE", "DRAINING") and any(
                item.get("capacityProvider") == provider for item in getattr(service, "capacity_provider_strategy", None) or []):
            return True
    return False


@ecs.operation("DeleteCluster")
def delete_cluster(ctx: RequestContext, params: dict) -> dict:
    cluster = active_cluster(ctx, params["cluster"])
    if sum(n for (status, _), n in cluster.service_counts.items() if status in ("ACTIVE", "DRAINING")) > 0:
        raise ClusterContainsServicesException(CONTAINS_SERVICES)
    if cluster.active_tasks > 0:
        raise ClusterContainsTasksException(CONTAINS_TASKS)
    if cluster.registered_instances > 0:
        raise ClusterContainsContainerInstancesException(CONTAINS_INSTANCES)
    if any(p.cluster == cluster.name and p.status != "INACTIVE" for p in ctx.store.capacity_providers.values()):
        raise ClusterContainsCapacityProviderException(CONTAINS_CAPACITY_PROVIDERS)
    cluster.status = "INACTIVE"
    return {"cluster": cluster.describe()}
