"""What every cluster-scoped EKS operation shares: finding the cluster, its state gate, list pages.

``get_cluster(ctx, name, member)`` checks the name against the ClusterName
pattern (the whole name; the model's regex is not anchored at the end) and
answers AWS's not-found error; ``require_active(cluster)`` is the gate in
front of every child create/update; ``list_page(...)`` turns a sorted key
list into one page and rejects foreign tokens the way EKS does.
``status_change_at`` and ``removal_at`` schedule the two steps every
lifecycle has (CREATING -> ACTIVE, DELETING -> gone) on the store's timeline.
"""
from __future__ import annotations

from typing import Sequence

from emulator.core.pagination import InvalidToken, page
from emulator.core.service import RequestContext
from emulator.eks.errors import (InvalidParameterException, InvalidRequestException,
                                 ResourceNotFoundException)
from emulator.eks.service import CLUSTER_NAME, INVALID_NAME_MESSAGE

CLUSTER_NOT_FOUND = "No cluster found for name: {name}."
CLUSTER_NOT_ACTIVE = "Cluster '{name}' is not in ACTIVE status"
INVALID_NEXT_TOKEN = "The nextToken provided is not valid."


def check_cluster_name(name: str, member: str = "name") -> None:
    if not CLUSTER_NAME.fullmatch(name):
        raise InvalidParameterException(INVALID_NAME_MESSAGE.format(member=member), clusterName=name)


def cluster_not_found(name: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(CLUSTER_NOT_FOUND.format(name=name), clusterName=name)


def get_cluster(ctx: RequestContext, name: str, member: str = "clusterName"):
    """The cluster called ``name`` (EKS or registered), or 404 ResourceNotFoundException.

    ``member`` is the request member the name came in (``name`` for the
    cluster's own operations, ``clusterName`` for everything nested under it);
    AWS names it in the invalid-name message.
    """
    check_cluster_name(name, member)
    cluster = ctx.store.clusters.get(name)
    if cluster is None:
        raise cluster_not_found(name)
    return cluster


def require_active(cluster) -> None:
    """Children are created and changed only while their cluster is ACTIVE."""
    if cluster.status != "ACTIVE":
        raise InvalidRequestException(CLUSTER_NOT_ACTIVE.format(name=cluster.name), clusterName=cluster.name)


def list_page(keys: Sequence, params: dict, scope: str = "", **context) -> tuple[list, str | None]:
    """One page of ``keys`` (sorted, unique) for a request's maxResults/nextToken."""
    try:
        return page(keys, params.get("nextToken"), params.get("maxResults", 100), scope)
    except InvalidToken:
        raise InvalidParameterException(INVALID_NEXT_TOKEN, **context) from None


def status_change_at(ctx: RequestContext, duration: str, resource, before: str, after: str) -> None:
    """After ``duration``, move ``resource`` from ``before`` to ``after`` unless it left ``before`` meanwhile.

    A resource with a ``modified_at`` gets it stamped with the moment of the change.
    """
    def change(at: float) -> None:
        if resource.status == before:
            resource.status = after
            if hasattr(resource, "modified_at"):
                resource.modified_at = at
    ctx.store.timeline.at(ctx.now + ctx.duration(duration), change)


def removal_at(ctx: RequestContext, duration: str, children: dict, names, resource) -> None:
    """After ``duration``, drop ``resource`` from its parent's ``children`` (by name) and sorted ``names``."""
    def remove(at: float) -> None:
        if children.get(resource.name) is resource:
            del children[resource.name]
            names.discard(resource.name)
    ctx.store.timeline.at(ctx.now + ctx.duration(duration), remove)
