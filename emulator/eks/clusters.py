"""EKS clusters: CreateCluster, DescribeCluster, ListClusters, DeleteCluster."""
from __future__ import annotations

from dataclasses import dataclass, field

from emulator.config import declare_duration
from emulator.core import ids
from emulator.core.pagination import InvalidToken, page
from emulator.core.service import RequestContext
from emulator.eks.errors import InvalidParameterException, ResourceInUseException, ResourceNotFoundException
from emulator.eks.service import eks

CREATE = declare_duration("eks.cluster.create", 600, "EKS cluster CREATING -> ACTIVE")
DELETE = declare_duration("eks.cluster.delete", 300, "EKS cluster DELETING -> gone")

DEFAULT_VERSION = "1.35"
PLATFORM_VERSIONS = {"1.32": "eks.20", "1.33": "eks.14", "1.34": "eks.13", "1.35": "eks.3", "1.36": "eks.1"}


@dataclass
class Cluster:
    name: str
    arn: str
    created_at: float
    version: str
    role_arn: str
    vpc_config: dict
    token: str | None
    endpoint_id: str = field(default_factory=ids.upper_hex)
    status: str = "CREATING"
    tags: dict = field(default_factory=dict)

    def describe(self, region: str) -> dict:
        out = {
            "name": self.name,
            "arn": self.arn,
            "createdAt": self.created_at,
            "version": self.version,
            "roleArn": self.role_arn,
            "resourcesVpcConfig": self.vpc_config,
            "status": self.status,
            "platformVersion": PLATFORM_VERSIONS.get(self.version, "eks.1"),
            "identity": {"oidc": {"issuer": f"https://oidc.eks.{region}.amazonaws.com/id/{self.endpoint_id}"}},
            "clientRequestToken": self.token,
            "tags": self.tags,
            "health": {"issues": []},
        }
        if self.status != "CREATING":
            out["endpoint"] = f"https://{self.endpoint_id}.gr7.{region}.eks.amazonaws.com"
        return out


def not_found(name: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"No cluster found for name: {name}.", clusterName=name)


def get_cluster(ctx: RequestContext, name: str) -> Cluster:
    cluster = ctx.store.clusters.get(name)
    if cluster is None:
        raise not_found(name)
    return cluster


@eks.operation("CreateCluster")
def create_cluster(ctx: RequestContext, params: dict) -> dict:
    name = params["name"]
    if name in ctx.store.clusters:
        raise ResourceInUseException(f"Cluster already exists with name: {name}", clusterName=name)
    vpc = params["resourcesVpcConfig"]
    cluster = Cluster(
        name=name, arn=ctx.arn(f"cluster/{name}"), created_at=ctx.now,
        version=params.get("version", DEFAULT_VERSION), role_arn=params["roleArn"],
        vpc_config={"subnetIds": vpc.get("subnetIds", []), "securityGroupIds": vpc.get("securityGroupIds", []),
                    "clusterSecurityGroupId": "sg-" + ids.hex_id(17), "vpcId": "vpc-" + ids.hex_id(17),
                    "endpointPublicAccess": vpc.get("endpointPublicAccess", True),
                    "endpointPrivateAccess": vpc.get("endpointPrivateAccess", False),
                    "publicAccessCidrs": vpc.get("publicAccessCidrs", ["0.0.0.0/0"])},
        token=params.get("clientRequestToken"), tags=dict(params.get("tags", {})))
    ctx.store.clusters[name] = cluster

    def activate(at: float) -> None:
        if cluster.status == "CREATING":
            cluster.status = "ACTIVE"
    ctx.store.timeline.at(ctx.now + ctx.duration(CREATE), activate)
    return {"cluster": cluster.describe(ctx.region)}


@eks.operation("DescribeCluster")
def describe_cluster(ctx: RequestContext, params: dict) -> dict:
    return {"cluster": get_cluster(ctx, params["name"]).describe(ctx.region)}


@eks.operation("ListClusters")
def list_clusters(ctx: RequestContext, params: dict) -> dict:
    try:
        names, token = page(sorted(ctx.store.clusters), params.get("nextToken"), params.get("maxResults", 100))
    except InvalidToken:
        raise InvalidParameterException("The nextToken is not valid.") from None
    return {"clusters": names, "nextToken": token}


@eks.operation("DeleteCluster")
def delete_cluster(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["name"])
    cluster.status = "DELETING"
    store = ctx.store

    def remove(at: float) -> None:
        if store.clusters.get(cluster.name) is cluster:
            del store.clusters[cluster.name]
    store.timeline.at(ctx.now + ctx.duration(DELETE), remove)
    return {"cluster": cluster.describe(ctx.region)}
