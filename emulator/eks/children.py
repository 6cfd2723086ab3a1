"""Helpers for the resources that live inside a cluster (and EKS Anywhere subscriptions).

``settle_later`` schedules a status change on the clock (CREATING -> ACTIVE, ...);
``remember_created`` makes a create request replayable by its clientRequestToken.

A cluster's children of one kind whose list pages must not sort everything (access entries,
pod identity associations) live in an :class:`OrderedChildren`. The :class:`~emulator.eks.clusters.Cluster` holds each kind of child in a dict of its own
(``cluster.access_entries``, ...); :func:`ordered` turns such a dict into an
:class:`OrderedChildren` on first use, a dict that also keeps its keys sorted::

    entries = ordered(cluster, "access_entries")
    entries[principal_arn] = entry
    page, token = list_page(entries.sorted_keys, params)
"""
from __future__ import annotations

from emulator.core.service import RequestContext
from emulator.eks import idempotency
from emulator.eks.service import SortedNames


class OrderedChildren(dict):
    """Children by key, with their keys kept sorted and room for one secondary index."""

    def __init__(self, items=()) -> None:
        super().__init__(items)
        self.sorted_keys = SortedNames(self)
        self.index: dict = {}          # a kind's own lookup (e.g. (namespace, service account) -> association id)

    def __setitem__(self, key, value) -> None:
        if key not in self:
            self.sorted_keys.add(key)
        super().__setitem__(key, value)

    def __delitem__(self, key) -> None:
        super().__delitem__(key)
        self.sorted_keys.discard(key)

    def pop(self, key, *default):
        if key in self:
            self.sorted_keys.discard(key)
        return super().pop(key, *default)


def ordered(cluster, attribute: str) -> OrderedChildren:
    children = getattr(cluster, attribute)
    if not isinstance(children, OrderedChildren):
        children = OrderedChildren(children)
        setattr(cluster, attribute, children)
    return children


def settle_later(ctx: RequestContext, resource, duration: str, from_status: str, to_status: str = "ACTIVE") -> None:
    """Move ``resource`` from ``from_status`` to ``to_status`` after ``duration`` (stamping ``modified_at``)."""
    def settle(at: float) -> None:
        if resource.status == from_status:
            resource.status = to_status
            if hasattr(resource, "modified_at"):
                resource.modified_at = at
    ctx.store.timeline.at(ctx.now + ctx.duration(duration), settle)


def remember_created(ctx: RequestContext, params: dict, member: str, resource, container: dict, key,
                     scope: str = "") -> None:
    """Replay a create request with the resource as it is then, while ``container[key]`` is still it."""
    idempotency.remember(ctx, params, lambda: ({member: resource.describe()} if container.get(key) is resource
                                               else None), scope=scope)
