"""ECS clusters: CreateCluster, DescribeClusters, ListClusters, DeleteCluster."""
from __future__ import annotations

from dataclasses import dataclass, field

from emulator.core.service import RequestContext
from emulator.ecs.common import DEFAULT_CLUSTER, paginate, resource_name, tags_in, tags_out
from emulator.ecs.errors import ClusterNotFoundException, InvalidParameterException
from emulator.ecs.service import ecs

CLUSTER_NOT_FOUND = "Cluster not found."
CLUSTER_INACTIVE = "The referenced cluster was inactive."


@dataclass
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

    def describe(self, include: frozenset[str] = frozenset()) -> dict:
        out = {
            "clusterArn": self.arn,
            "clusterName": self.name,
            "status": self.status,
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": 0,
            "pendingTasksCount": 0,
            "activeServicesCount": 0,
            "statistics": [],
            "tags": tags_out(self.tags) if "TAGS" in include else [],
            "settings": self.settings,
            "capacityProviders": self.capacity_providers,
            "defaultCapacityProviderStrategy": self.default_strategy,
        }
        if self.configuration is not None:
            out["configuration"] = self.configuration
        if self.service_connect_defaults is not None:
            out["serviceConnectDefaults"] = self.service_connect_defaults
        return out


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


@ecs.operation("CreateCluster")
def create_cluster(ctx: RequestContext, params: dict) -> dict:
    name = params.get("clusterName", DEFAULT_CLUSTER)
    existing = ctx.store.clusters.get(name)
    if existing is not None and existing.status == "ACTIVE":
        return {"cluster": existing.describe()}
    cluster = Cluster(name=name, arn=ctx.arn(f"cluster/{name}"), tags=tags_in(params.get("tags")))
    if "settings" in params:
        cluster.settings = params["settings"]
    cluster.configuration = params.get("configuration")
    cluster.service_connect_defaults = params.get("serviceConnectDefaults")
    cluster.capacity_providers = list(params.get("capacityProviders", []))
    cluster.default_strategy = list(params.get("defaultCapacityProviderStrategy", []))
    ctx.store.clusters[name] = cluster
    return {"cluster": cluster.describe(frozenset({"TAGS"}))}


@ecs.operation("DescribeClusters")
def describe_clusters(ctx: RequestContext, params: dict) -> dict:
    include = frozenset(params.get("include", []))
    clusters, failures = [], []
    for identifier in params.get("clusters") or [DEFAULT_CLUSTER]:
        cluster = find_cluster(ctx, identifier)
        if cluster is None:
            name = resource_name(identifier, "cluster") or identifier
            failures.append({"arn": ctx.arn(f"cluster/{name}") if name == identifier else identifier,
                             "reason": "MISSING"})
        else:
            clusters.append(cluster.describe(include))
    return {"clusters": clusters, "failures": failures}


@ecs.operation("ListClusters")
def list_clusters(ctx: RequestContext, params: dict) -> dict:
    names = sorted(n for n, c in ctx.store.clusters.items() if c.status == "ACTIVE")
    page, token = paginate(params, names)
    return {"clusterArns": [ctx.store.clusters[n].arn for n in page], "nextToken": token}


@ecs.operation("DeleteCluster")
def delete_cluster(ctx: RequestContext, params: dict) -> dict:
    cluster = active_cluster(ctx, params["cluster"])
    cluster.status = "INACTIVE"
    return {"cluster": cluster.describe()}
