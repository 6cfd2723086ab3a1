"""Registered (connected) clusters, EKS Connector: RegisterCluster, DeregisterCluster.

A registered cluster is a :class:`~emulator.eks.clusters.Cluster` with
``connector_config`` set; it shares the cluster name space, is listed by
ListClusters only with ``include=all``, and stays PENDING (the emulator runs
no connector agent to activate it).  DeregisterCluster puts it in DELETING;
it is gone after ``eks.cluster.deregister``.
"""
from __future__ import annotations

import secrets
import string

from emulator.config import declare_duration
from emulator.core import ids
from emulator.core.service import RequestContext
from emulator.eks import idempotency
from emulator.eks.cluster_config import check_role_arn
from emulator.eks.clusters import Cluster, add_cluster, check_name_free, schedule_removal
from emulator.eks.common import check_cluster_name, cluster_not_found, get_cluster
from emulator.eks.errors import ResourceLimitExceededException
from emulator.eks.service import eks
from emulator.eks.tags import check_create_tags

DEREGISTER = declare_duration("eks.cluster.deregister", 60, "EKS registered cluster DELETING -> gone")

MAX_REGISTERED_CLUSTERS = 10
ACTIVATION_LIFETIME = 3 * 24 * 3600.0
TOO_MANY_REGISTERED = ("Cannot register cluster {name}: the account has reached the limit of 10 registered clusters "
                       "in this region.")                                                            # (own wording)

_ACTIVATION_CODE_ALPHABET = string.ascii_letters + string.digits + "+/"


@eks.operation("RegisterCluster")
def register_cluster(ctx: RequestContext, params: dict) -> dict:
    name = params["name"]
    check_cluster_name(name, "name")
    replay = idempotency.replayed(ctx, params)
    if replay is not None:
        return replay
    check_name_free(ctx, name)
    connector = params["connectorConfig"]
    check_role_arn(connector["roleArn"], clusterName=name)
    tags = dict(params.get("tags") or {})
    check_create_tags(tags)
    if len(ctx.store.all_cluster_names) - len(ctx.store.eks_cluster_names) >= MAX_REGISTERED_CLUSTERS:
        raise ResourceLimitExceededException(TOO_MANY_REGISTERED.format(name=name), clusterName=name)
    cluster = Cluster(
        name=name, arn=ctx.arn(f"cluster/{name}"), created_at=ctx.now, status="PENDING",
        token=params.get("clientRequestToken"), tags=tags,
        connector_config={"activationId": ids.uuid4(),
                          "activationCode": "".join(secrets.choice(_ACTIVATION_CODE_ALPHABET) for _ in range(40)),
                          "activationExpiry": ctx.now + ACTIVATION_LIFETIME,
                          "provider": connector["provider"], "roleArn": connector["roleArn"]})
    add_cluster(ctx.store, cluster)
    region, store = ctx.region, ctx.store
    idempotency.remember(ctx, params, lambda: ({"cluster": cluster.describe(region)}
                                               if store.clusters.get(name) is cluster else None))
    return {"cluster": cluster.describe(ctx.region)}


@eks.operation("DeregisterCluster")
def deregister_cluster(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["name"], "name")
    if not cluster.registered:   # an EKS cluster is not a registration: there is none by that name
        raise cluster_not_found(cluster.name)
    if cluster.status != "DELETING":
        schedule_removal(ctx, cluster, DEREGISTER)
    return {"cluster": cluster.describe(ctx.region)}
