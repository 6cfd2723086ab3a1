"""ECS daemon task definitions: Register/Describe/List/DeleteDaemonTaskDefinition.

A daemon task definition is its own resource (``daemon-task-definition/<family>:<revision>``),
distinct from task definitions: revisions count from 1 per family and are never reused; statuses are
ACTIVE -> (DeleteDaemonTaskDefinition) DELETE_IN_PROGRESS -> DELETED. A DELETE_IN_PROGRESS revision
that a daemon or a running daemon task still uses stays so until they let it go (daemons continue to
run a deleted definition); DELETED revisions stay describable.

For other modules: :func:`find_daemon_task_definition` resolves a ``daemonTaskDefinition`` value;
a :class:`DaemonTaskDefinition` offers what the task engine reads of a task definition (``family``,
``arn``, ``cpu``, ``memory``, ``network_mode``, ``container_definitions``, ``request``, ``tags``),
so daemon tasks start through :func:`emulator.ecs.task_engine.start_tasks`. :func:`settle_deletion`
is called whenever a use may have ended.
"""
from __future__ import annotations

import copy
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Callable

from emulator.config import declare_duration
from emulator.core.service import RequestContext
from emulator.ecs import task_definitions as td
from emulator.ecs.errors import ClientException, ResourceNotFoundException
from emulator.ecs.indexes import SortedKeys, keyset_page
from emulator.ecs.service import ecs
from emulator.ecs.tags import RESOURCE_NOT_FOUND, taggable, tags_from_request

DELETION = declare_duration("ecs.daemon_task_definition.delete", 60.0,
                            "DELETE_IN_PROGRESS daemon task definition, unused, until DELETED")

STATUSES = ("ACTIVE", "DELETE_IN_PROGRESS", "DELETED")
UNABLE_TO_DESCRIBE = "Unable to describe daemon task definition."
NOT_ACTIVE = "The specified daemon task definition is not in an ACTIVE state."
# Daemons share the host's daemon bridge; a daemon task definition sets no network mode of its own.
DAEMON_NETWORK_MODE = "daemon_bridge"


@dataclass(eq=False)
class DaemonTaskDefinition:
    family: str
    revision: int
    arn: str
    container_definitions: list[dict]     # normalized, as DescribeDaemonTaskDefinition returns them
    cpu: str | None                       # integer strings, units normalized
    memory: str | None
    request: dict                         # taskRoleArn, executionRoleArn, volumes as registered
    registered_at: float
    registered_by: str
    status: str = "ACTIVE"
    delete_requested_at: float | None = None
    tags: dict[str, str] = field(default_factory=dict)
    network_mode = DAEMON_NETWORK_MODE
    compatibilities = ("MANAGED_INSTANCES",)

    def describe(self) -> dict:
        return {"daemonTaskDefinitionArn": self.arn, "family": self.family, "revision": self.revision,
                "containerDefinitions": copy.deepcopy(self.container_definitions),
                "volumes": copy.deepcopy(self.request.get("volumes", [])),
                "taskRoleArn": self.request.get("taskRoleArn"),
                "executionRoleArn": self.request.get("executionRoleArn"),
                "cpu": self.cpu, "memory": self.memory, "status": self.status,
                "registeredAt": self.registered_at, "registeredBy": self.registered_by,
                "deleteRequestedAt": self.delete_requested_at}

    def summary(self) -> dict:
        return {"arn": self.arn, "registeredAt": self.registered_at, "registeredBy": self.registered_by,
                "deleteRequestedAt": self.delete_requested_at, "status": self.status}


class DaemonTaskDefinitionRegistry:
    """Every revision of one (account, region), with a sorted (family, revision) index per status."""

    def __init__(self) -> None:
        self.revisions: dict[tuple[str, int], DaemonTaskDefinition] = {}
        self.last_revision: dict[str, int] = {}
        self.keys = {status: SortedKeys() for status in STATUSES + ("ALL",)}

    def add(self, definition: DaemonTaskDefinition) -> None:
        key = (definition.family, definition.revision)
        self.revisions[key] = definition
        self.keys[definition.status].add(key)
        self.keys["ALL"].add(key)

    def set_status(self, definition: DaemonTaskDefinition, status: str) -> None:
        key = (definition.family, definition.revision)
        self.keys[definition.status].discard(key)
        definition.status = status
        self.keys[status].add(key)

    def latest(self, family: str, status: str = "ACTIVE") -> DaemonTaskDefinition | None:
        keys = self.keys[status].keys
        index = bisect_left(keys, (family, float("inf")))
        if index and keys[index - 1][0] == family:
            return self.revisions[keys[index - 1]]
        return None


def registry(ctx) -> DaemonTaskDefinitionRegistry:
    return ctx.store.daemon_task_definitions


def find_daemon_task_definition(ctx, identifier: str) -> DaemonTaskDefinition | None:
    """``family`` (its latest ACTIVE revision), ``family:revision`` or an ARN (any status); None otherwise."""
    parsed = td.family_and_revision(ctx, identifier, "daemon-task-definition")
    if parsed is None:
        return None
    family, revision = parsed
    if revision is None:
        return registry(ctx).latest(family)
    if not revision.isdigit():
        return None
    return registry(ctx).revisions.get((family, int(revision)))


def _resolve(ctx, identifier: str) -> DaemonTaskDefinition:
    definition = find_daemon_task_definition(ctx, identifier)
    if definition is None:
        raise ClientException(UNABLE_TO_DESCRIBE)
    return definition


# -- deletion --------------------------------------------------------------------------------------

UseCheck = Callable[[object, DaemonTaskDefinition], bool]
_use_checks: list[UseCheck] = []


def add_use_check(check: UseCheck) -> None:
    """``check(store, definition) -> bool``: whether something (a daemon) still uses the definition."""
    if check not in _use_checks:
        _use_checks.append(check)


def in_use(store, definition: DaemonTaskDefinition) -> bool:
    return td.task_definition_in_use(store, definition.arn) or any(check(store, definition) for check in _use_checks)


def settle_deletion(ctx, definition: DaemonTaskDefinition) -> None:
    """A DELETE_IN_PROGRESS definition nothing uses any more becomes DELETED after the deletion time."""
    if definition.status != "DELETE_IN_PROGRESS" or in_use(ctx.store, definition):
        return
    store = ctx.store

    def deleted(_at: float) -> None:
        if definition.status == "DELETE_IN_PROGRESS" and not in_use(store, definition):
            store.daemon_task_definitions.set_status(definition, "DELETED")
    store.timeline.at(ctx.now + ctx.duration(DELETION), deleted)


# -- registration ----------------------------------------------------------------------------------

def _normalize_container(container: dict) -> dict:
    out = copy.deepcopy(container)
    out.setdefault("cpu", 0)
    out.setdefault("essential", True)
    for key in ("environment", "mountPoints", "systemControls"):
        out.setdefault(key, [])
    if "healthCheck" in out:
        out["healthCheck"] = {**td.HEALTH_CHECK_DEFAULTS, **out["healthCheck"]}
    return out


@ecs.operation("RegisterDaemonTaskDefinition")
def register_daemon_task_definition(ctx: RequestContext, params: dict) -> dict:
    # The checks a task definition's family and containers go through, in the same order.
    params = td.without_empty_roles(params)
    family, containers = params["family"], params["containerDefinitions"]
    td.check_family(family)
    td.check_containers(containers)
    request = {role: td.role_arn(ctx, params[role]) for role in td.ROLE_MEMBERS if role in params}
    if "volumes" in params:
        request["volumes"] = copy.deepcopy(params["volumes"])
    cpu, memory = td.task_size(params.get("cpu"), "cpu"), td.task_size(params.get("memory"), "memory")
    td.check_memory(containers, cpu, memory)
    td.check_dependencies(containers)
    td.check_execution_role(containers, params.get("executionRoleArn"))
    tags = tags_from_request(params.get("tags"))
    reg = registry(ctx)
    revision = reg.last_revision[family] = reg.last_revision.get(family, 0) + 1
    definition = DaemonTaskDefinition(
        family=family, revision=revision, arn=ctx.arn(f"daemon-task-definition/{family}:{revision}"),
        container_definitions=[_normalize_container(c) for c in containers],
        cpu=None if cpu is None else str(cpu), memory=None if memory is None else str(memory), request=request,
        registered_at=ctx.now, registered_by=ctx.caller_arn, tags=tags)
    reg.add(definition)
    return {"daemonTaskDefinitionArn": definition.arn}


@ecs.operation("DescribeDaemonTaskDefinition")
def describe_daemon_task_definition(ctx: RequestContext, params: dict) -> dict:
    return {"daemonTaskDefinition": _resolve(ctx, params["daemonTaskDefinition"]).describe()}


@ecs.operation("DeleteDaemonTaskDefinition")
def delete_daemon_task_definition(ctx: RequestContext, params: dict) -> dict:
    parsed = td.family_and_revision(ctx, params["daemonTaskDefinition"], "daemon-task-definition")
    if parsed is not None and parsed[1] is None:
        raise ClientException(td.REVISION_REQUIRED)
    definition = _resolve(ctx, params["daemonTaskDefinition"])
    if definition.status != "ACTIVE":
        raise ClientException(NOT_ACTIVE)
    registry(ctx).set_status(definition, "DELETE_IN_PROGRESS")
    definition.delete_requested_at = ctx.now
    settle_deletion(ctx, definition)
    return {"daemonTaskDefinitionArn": definition.arn}


def _last_registered(keys: SortedKeys, key: tuple[str, int]) -> bool:
    """Whether ``key`` is its family's newest revision within ``keys``."""
    ordered = keys.keys
    index = bisect_left(ordered, (key[0], float("inf")))
    return ordered[index - 1] == key


@ecs.operation("ListDaemonTaskDefinitions")
def list_daemon_task_definitions(ctx: RequestContext, params: dict) -> dict:
    status = params.get("status", "ACTIVE")
    keys = registry(ctx).keys[status]
    family, prefix = params.get("family"), params.get("familyPrefix", "")
    last_only = params.get("revision") == "LAST_REGISTERED"

    def accept(key: tuple[str, int]) -> bool:
        return ((family is None or key[0] == family) and key[0].startswith(prefix)
                and (not last_only or _last_registered(keys, key)))
    descending = params.get("sort", "ASC") == "DESC"
    scope = f"dtd|{status}|{family or ''}|{prefix}|{last_only}|{descending}"
    page, token = keyset_page(params, keys, scope=scope, accept=accept, descending=descending)
    revisions = registry(ctx).revisions
    return {"daemonTaskDefinitions": [revisions[key].summary() for key in page], "nextToken": token}


@taggable("daemon-task-definition")
def _daemon_task_definition_for_tags(ctx: RequestContext, arn: str) -> DaemonTaskDefinition:
    definition = find_daemon_task_definition(ctx, arn)
    if definition is None or definition.arn != arn:
        raise ResourceNotFoundException(RESOURCE_NOT_FOUND)
    return definition
