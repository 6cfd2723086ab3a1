"""EKS updates: the asynchronous change records every update-producing operation returns.

An :class:`Update` (``id``, ``status`` InProgress -> Successful | Failed,
``type``, ``params`` [{type, value}] with string values, ``createdAt``,
``errors``) belongs to the cluster or to one nodegroup, add-on or capability
of it, and lives in that resource's :class:`UpdateLog` (attribute
``updates``).  API for the modules that produce updates::

    update = start_update(ctx, cluster, "LoggingUpdate", [("ClusterLogging", logging)],
                          target=None, on_success=apply, duration=LOGGING_UPDATE)
    return {"update": update.describe()}

- ``target`` is None for a cluster-level update, else the nodegroup / add-on /
  capability object.  A target has ``status``, ``updates`` (an UpdateLog),
  optionally ``modified_at``, and a method ``check_updatable()`` that raises
  the resource's own "not updatable now" error (nodegroups: 409
  "Nodegroup cannot be updated as it is currently not in Active State").
- Rules enforced (``check_can_update`` runs them; handlers may call it early,
  before their own validation): one cluster-level update at a time
  (409 ResourceInUseException "Cannot {type} because cluster {name} currently
  has update {id} in progress"); the cluster must be ACTIVE
  (400 InvalidRequestException "Cluster '{name}' is not in ACTIVE status");
  then the target's ``check_updatable()``.
- The updated resource (cluster or target) goes to UPDATING at once; the
  update completes on the store's timeline after ``ctx.duration(duration)``:
  ``on_success(at)`` applies the change and may return a list of ErrorDetail
  dicts (``{"errorCode", "errorMessage", "resourceIds"}``) to fail the update
  instead (status Failed, change not applied).  Either way the resource goes
  back to ACTIVE (if still UPDATING) and a target's ``modified_at`` is stamped.
- ``params`` is a list of (type, value) pairs; values become strings: bools
  as ``true``/``false``, dicts and lists as compact JSON.
- ``run_update(ctx, params, cluster, update_type, plan, target=..., duration=...)``
  is a whole update operation once its resource was found: a replayed
  clientRequestToken answers the original update; otherwise the rules above
  run, then ``plan()`` validates the request and returns ``(params, on_success)``,
  and the update starts.  It returns the operation's ``{"update": ...}``.
- A module owning a target type registers how DescribeUpdate/ListUpdates find
  it from their scoping query parameter::

      @update_scope("addonName")
      def find_addon(cluster, name):   # -> target, or raise its not-found error
          ...

DescribeUpdate finds a nodegroup/add-on/capability update only when the
matching scoping parameter is given (otherwise 404 "No update found for ID:
{id}"); ListUpdates lists cluster-level updates unless scoped, oldest first.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable

from emulator.core import ids
from emulator.core.service import RequestContext
from emulator.eks import idempotency
from emulator.eks.common import get_cluster, list_page, require_active
from emulator.eks.errors import ResourceInUseException, ResourceNotFoundException
from emulator.eks.service import eks

CLUSTER_UPDATE_IN_PROGRESS = "Cannot {update_type} because cluster {cluster} currently has update {update_id} in progress"
UPDATE_NOT_FOUND = "No update found for ID: {update_id}"

# Scoping query parameters, in the order they are honoured when several are given.
SCOPE_PARAMETERS = ("nodegroupName", "addonName", "capabilityName")
_SCOPES: dict[str, Callable[[Any, str], Any]] = {}


def update_scope(parameter: str):
    """Register how to find the target an update scope parameter names."""
    if parameter not in SCOPE_PARAMETERS:
        raise ValueError(f"no update scope parameter {parameter!r}")

    def register(find: Callable[[Any, str], Any]):
        _SCOPES[parameter] = find
        return find
    return register


def param_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


@dataclass
class Update:
    id: str
    type: str
    params: list[dict]
    created_at: float
    seq: int = 0
    status: str = "InProgress"
    errors: list = field(default_factory=list)

    def describe(self) -> dict:
        return {"id": self.id, "status": self.status, "type": self.type, "params": self.params,
                "createdAt": self.created_at, "errors": self.errors}


class UpdateLog:
    """The updates of one resource, oldest first; at most one InProgress, the newest."""

    def __init__(self) -> None:
        self._by_id: dict[str, Update] = {}
        self._seqs: list[int] = []
        self._by_seq: dict[int, Update] = {}

    def add(self, update: Update) -> None:
        update.seq = (self._seqs[-1] + 1) if self._seqs else 1
        self._by_id[update.id] = update
        self._seqs.append(update.seq)
        self._by_seq[update.seq] = update

    def get(self, update_id: str) -> Update | None:
        return self._by_id.get(update_id)

    def in_progress(self) -> Update | None:
        last = self._by_seq[self._seqs[-1]] if self._seqs else None
        return last if last is not None and last.status == "InProgress" else None

    def page(self, params: dict, scope: str, **context) -> tuple[list[str], str | None]:
        seqs, token = list_page(self._seqs, params, scope, **context)
        return [self._by_seq[s].id for s in seqs], token

    def __len__(self) -> int:
        return len(self._seqs)


def check_can_update(cluster, update_type: str, target=None) -> None:
    """Raise the error AWS answers when this update cannot start now."""
    if target is None:
        running = cluster.updates.in_progress()
        if running is not None:
            raise ResourceInUseException(
                CLUSTER_UPDATE_IN_PROGRESS.format(update_type=update_type, cluster=cluster.name,
                                                  update_id=running.id),
                clusterName=cluster.name)
        require_active(cluster)
    else:
        require_active(cluster)
        target.check_updatable()


def start_update(ctx: RequestContext, cluster, update_type: str, params: list[tuple[str, Any]], *,
                 target=None, on_success: Callable[[float], list | None] | None = None,
                 duration: str) -> Update:
    """Record an InProgress update, put its resource in UPDATING, schedule its completion."""
    check_can_update(cluster, update_type, target)
    update = Update(id=ids.uuid4(), type=update_type, created_at=ctx.now,
                    params=[{"type": kind, "value": param_value(value)} for kind, value in params])
    resource = cluster if target is None else target
    resource.updates.add(update)
    resource.status = "UPDATING"

    def finish(at: float) -> None:
        if update.status != "InProgress":
            return
        errors = on_success(at) if on_success is not None else None
        if errors:
            update.status, update.errors = "Failed", list(errors)
        else:
            update.status = "Successful"
        if resource.status == "UPDATING":
            resource.status = "ACTIVE"
        if hasattr(resource, "modified_at"):
            resource.modified_at = at
    ctx.store.timeline.at(ctx.now + ctx.duration(duration), finish)
    return update


def run_update(ctx: RequestContext, params: dict, cluster, update_type: str,
               plan: Callable[[], tuple[list, Callable[[float], list | None]]], *, target=None,
               duration: str) -> dict:
    """An update-producing operation from its resource on: replay, rules, the request's plan, the update."""
    scope = target.arn if target is not None else cluster.uid
    replay = idempotency.replayed(ctx, params, scope=scope)
    if replay is not None:
        return replay
    check_can_update(cluster, update_type, target)
    update_params, on_success = plan()
    update = start_update(ctx, cluster, update_type, update_params, target=target, on_success=on_success,
                          duration=duration)
    idempotency.remember(ctx, params, lambda: {"update": update.describe()}, scope=scope)
    return {"update": update.describe()}


def _scoped_target(cluster, params: dict):
    """(parameter, target) named by the request's scoping parameter, or (None, None)."""
    for parameter in SCOPE_PARAMETERS:
        name = params.get(parameter)
        if name is not None:
            find = _SCOPES.get(parameter)
            return parameter, (find(cluster, name) if find is not None else None)
    return None, None


@eks.operation("DescribeUpdate")
def describe_update(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["name"], "name")
    update_id = params["updateId"]
    parameter, target = _scoped_target(cluster, params)
    log = cluster.updates if parameter is None else (target.updates if target is not None else None)
    update = log.get(update_id) if log is not None else None
    if update is None:
        context = {"clusterName": cluster.name}
        if parameter in ("nodegroupName", "addonName"):
            context[parameter] = params[parameter]
        raise ResourceNotFoundException(UPDATE_NOT_FOUND.format(update_id=update_id), **context)
    return {"update": update.describe()}


@eks.operation("ListUpdates")
def list_updates(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["name"], "name")
    parameter, target = _scoped_target(cluster, params)
    if parameter is None:
        log, scope = cluster.updates, "cluster"
    elif target is None:
        return {"updateIds": []}
    else:
        log, scope = target.updates, f"{parameter}={params[parameter]}"
    update_ids, token = log.page(params, scope, clusterName=cluster.name)
    return {"updateIds": update_ids, "nextToken": token}
