"""ECS task definitions: families, revisions and their statuses.

Other modules use :func:`resolve_task_definition` to turn a ``taskDefinition``
parameter (``family``, ``family:revision`` or an ARN) into a
:class:`TaskDefinition`.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

from emulator.core.service import RequestContext
from emulator.ecs.common import tags_in, tags_out
from emulator.ecs.errors import ClientException
from emulator.ecs.service import ecs

UNABLE_TO_DESCRIBE = "Unable to describe task definition."

# Request members copied onto the task definition as they were sent.
_ECHOED = ("taskRoleArn", "executionRoleArn", "volumes", "placementConstraints", "requiresCompatibilities",
           "pidMode", "ipcMode", "proxyConfiguration", "inferenceAccelerators", "ephemeralStorage",
           "runtimePlatform", "enableFaultInjection")


@dataclass
class TaskDefinition:
    family: str
    revision: int
    arn: str
    network_mode: str                      # as registered; "bridge" when omitted (Linux)
    container_definitions: list[dict]      # normalized, as DescribeTaskDefinition returns them
    cpu: str | None                        # integer strings ("256"), units normalized
    memory: str | None
    compatibilities: list[str]
    registered_at: float
    registered_by: str
    request: dict                          # the echoed request members (see _ECHOED)
    network_mode_given: bool = True        # networkMode is echoed only when it was sent
    status: str = "ACTIVE"                 # ACTIVE | INACTIVE | DELETE_IN_PROGRESS
    deregistered_at: float | None = None
    delete_requested_at: float | None = None
    requires_attributes: list[dict] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def requires_compatibilities(self) -> list[str]:
        return self.request.get("requiresCompatibilities", [])

    def container(self, name: str) -> dict | None:
        return next((c for c in self.container_definitions if c["name"] == name), None)

    def describe(self) -> dict:
        out = {
            "taskDefinitionArn": self.arn,
            "containerDefinitions": self.container_definitions,
            "family": self.family,
            "revision": self.revision,
            "volumes": [],
            "status": self.status,
            "requiresAttributes": self.requires_attributes,
            "placementConstraints": [],
            "compatibilities": self.compatibilities,
            "registeredAt": self.registered_at,
            "registeredBy": self.registered_by,
        }
        if self.network_mode_given:
            out["networkMode"] = self.network_mode
        out.update(copy.deepcopy(self.request))
        if self.cpu is not None:
            out["cpu"] = self.cpu
        if self.memory is not None:
            out["memory"] = self.memory
        if self.deregistered_at is not None:
            out["deregisteredAt"] = self.deregistered_at
        if self.delete_requested_at is not None:
            out["deleteRequestedAt"] = self.delete_requested_at
        return out


class TaskDefinitionRegistry:
    """All revisions of all families of one (account, region)."""

    def __init__(self) -> None:
        self.families: dict[str, dict[int, TaskDefinition]] = {}
        self.last_revision: dict[str, int] = {}   # revisions are never reused

    def next_revision(self, family: str) -> int:
        self.last_revision[family] = self.last_revision.get(family, 0) + 1
        return self.last_revision[family]

    def add(self, task_definition: TaskDefinition) -> None:
        self.families.setdefault(task_definition.family, {})[task_definition.revision] = task_definition

    def get(self, family: str, revision: int) -> TaskDefinition | None:
        return self.families.get(family, {}).get(revision)

    def latest_active(self, family: str) -> TaskDefinition | None:
        revisions = self.families.get(family, {})
        for revision in sorted(revisions, reverse=True):
            if revisions[revision].status == "ACTIVE":
                return revisions[revision]
        return None


def registry(ctx: RequestContext) -> TaskDefinitionRegistry:
    return ctx.store.task_definitions


def find_task_definition(ctx: RequestContext, identifier: str) -> TaskDefinition | None:
    """``family`` (latest ACTIVE revision), ``family:revision`` or a task-definition ARN."""
    value = identifier
    if value.startswith("arn:"):
        parts = value.split(":", 5)
        if len(parts) != 6 or not parts[5].startswith("task-definition/"):
            return None
        if parts[3] != ctx.region or parts[4] != ctx.account:
            return None
        value = parts[5][len("task-definition/"):]
    family, sep, revision = value.partition(":")
    if not sep:
        return registry(ctx).latest_active(family)
    if not revision.isdigit():
        return None
    return registry(ctx).get(family, int(revision))


def resolve_task_definition(ctx: RequestContext, identifier: str) -> TaskDefinition:
    task_definition = find_task_definition(ctx, identifier)
    if task_definition is None:
        raise ClientException(UNABLE_TO_DESCRIBE)
    return task_definition


def _normalize_container(container: dict, network_mode: str) -> dict:
    out = copy.deepcopy(container)
    out.setdefault("cpu", 0)
    out.setdefault("essential", True)
    for key in ("portMappings", "environment", "mountPoints", "volumesFrom", "systemControls"):
        out.setdefault(key, [])
    for mapping in out["portMappings"]:
        mapping.setdefault("protocol", "tcp")
        if network_mode in ("awsvpc", "host") and "containerPort" in mapping:
            mapping.setdefault("hostPort", mapping["containerPort"])
    if "healthCheck" in out:
        out["healthCheck"] = {"interval": 30, "timeout": 5, "retries": 3, **out["healthCheck"]}
    return out


def compatibilities_of(network_mode: str, cpu: str | None, memory: str | None) -> list[str]:
    if network_mode == "awsvpc" and cpu is not None and memory is not None:
        return ["EC2", "FARGATE"]
    return ["EXTERNAL", "EC2"]


@ecs.operation("RegisterTaskDefinition")
def register_task_definition(ctx: RequestContext, params: dict) -> dict:
    reg = registry(ctx)
    family = params["family"]
    network_mode = params.get("networkMode", "bridge")
    echoed = {key: copy.deepcopy(params[key]) for key in _ECHOED if key in params}
    cpu, memory = params.get("cpu"), params.get("memory")
    task_definition = TaskDefinition(
        family=family,
        revision=reg.next_revision(family),
        arn="",
        network_mode=network_mode,
        container_definitions=[_normalize_container(c, network_mode) for c in params["containerDefinitions"]],
        cpu=cpu,
        memory=memory,
        compatibilities=compatibilities_of(network_mode, cpu, memory),
        registered_at=ctx.now,
        registered_by=ctx.caller_arn,
        request=echoed,
        network_mode_given="networkMode" in params,
        tags=tags_in(params.get("tags")),
    )
    task_definition.arn = ctx.arn(f"task-definition/{family}:{task_definition.revision}")
    reg.add(task_definition)
    return {"taskDefinition": task_definition.describe(), "tags": tags_out(task_definition.tags)}


@ecs.operation("DescribeTaskDefinition")
def describe_task_definition(ctx: RequestContext, params: dict) -> dict:
    task_definition = resolve_task_definition(ctx, params["taskDefinition"])
    out = {"taskDefinition": task_definition.describe()}
    if "TAGS" in params.get("include", []):
        out["tags"] = tags_out(task_definition.tags)
    return out
