"""ECS task definitions: families, revisions and their statuses, and RegisterTaskDefinition's rules.

For other modules:

- :func:`resolve_task_definition` / :func:`find_task_definition` turn a ``taskDefinition`` parameter
  into a :class:`TaskDefinition`: ``family`` is its latest ACTIVE revision; ``family:revision`` and
  an ARN name one revision whatever its status (INACTIVE and DELETE_IN_PROGRESS included: callers
  refuse those with their own message).
- ``store.task_definition_refs`` (a Counter, task-definition ARN -> non-STOPPED tasks and active
  services using it) is kept by the modules that start tasks and services. After decrementing it,
  call :func:`release_task_definition`: a DELETE_IN_PROGRESS revision nobody uses any more is
  removed. :func:`task_definition_in_use` reads the counter.
"""
from __future__ import annotations

import copy
import re
from bisect import bisect_left, insort
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from emulator.config import declare_duration
from emulator.core import arns
from emulator.core.service import RequestContext
from emulator.ecs import fargate
from emulator.ecs.common import RESOURCE_NAME, paginate, tags_out
from emulator.ecs.errors import ClientException, InvalidParameterException, ResourceNotFoundException
from emulator.ecs.service import ecs
from emulator.ecs.tags import RESOURCE_NOT_FOUND, taggable, tags_from_request

DELETION = declare_duration("ecs.task_definition.delete", 60.0,
                            "DELETE_IN_PROGRESS task-definition revision, unreferenced, until it is gone")

MAX_CONTAINERS = 10
MAX_DELETE_BATCH = 10

UNABLE_TO_DESCRIBE = "Unable to describe task definition."
FAMILY_BLANK = "Family can not be blank."
FAMILY_INVALID = "Family contains invalid characters."
CONTAINERS_EMPTY = "Container list cannot be empty."
TOO_MANY_CONTAINERS = "Too many containers."
CONTAINER_NAME_EMPTY = "Container.name should not be null or empty."
CONTAINER_NAME_INVALID = "Container.name contains invalid characters."
CONTAINER_NAMES_NOT_UNIQUE = "Container names must be unique within a Task Definition."
IMAGE_EMPTY = "Container.image should not be null or empty."
IMAGE_INVALID = "Container.image contains invalid characters."
NO_ESSENTIAL_CONTAINER = "Task definition doesn't have any essential container."
CONTAINER_MEMORY_REQUIRED = ("Invalid setting for container '{name}'. "
                             "At least one of 'memory' or 'memoryReservation' must be specified.")
MEMORY_BELOW_RESERVATION = ("Invalid setting for container '{name}'. "
                            "'memory' must be greater than or equal to 'memoryReservation'.")
CONTAINER_MEMORY_OVER_TASK = "The 'memory' setting for container '{name}' is greater than for the task."
RESERVATIONS_OVER_TASK = ("The sum of all container 'memoryReservation' values cannot be greater than "
                          "the value of the task 'memory'.")
CONTAINER_CPU_OVER_TASK = "The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'."
INVALID_TASK_SETTING = ("Invalid '{setting}' setting for task. For more information, see the Troubleshooting "
                        "section of the Amazon ECS Developer Guide.")
PORTS_MUST_MATCH = ("When networkMode={mode}, the host ports and container ports in port mappings must match.")
ESSENTIAL_DEPENDENCY = ("A dependency container with SUCCESS or COMPLETE condition cannot be an essential "
                        "container")
SECRETS_NEED_EXECUTION_ROLE = ("When you are specifying container secrets, you must also specify a value for "
                               "'executionRoleArn'.")
CREDENTIALS_NEED_EXECUTION_ROLE = ("Private repository authentication requires that the task definition specify "
                                   "a value for executionRoleArn.")
EPHEMERAL_STORAGE_TOO_SMALL = "EphemeralStorage size should be at least {minimum}"
EPHEMERAL_STORAGE_TOO_LARGE = "EphemeralStorage size should be at most {maximum}"
INVALID_ARN = "Invalid arn syntax."
TAGS_EMPTY = "Tags can not be empty."
ROLE_NOT_VALID = "Role is not valid"
EXTERNAL_NETWORK_MODE = "Task definitions for the EXTERNAL launch type don't support the awsvpc network mode."
FARGATE_NETWORK_MODE = "Fargate only supports network mode \u2018awsvpc\u2019."
FARGATE_CPU_REQUIRED = "Fargate requires that 'cpu' be defined at the task level."
FARGATE_MEMORY_REQUIRED = "Fargate requires that 'memory' be defined at the task level."
FARGATE_NO_CONFIGURATION = ("No Fargate configuration exists for given values: {cpu} CPU, {memory} memory. "
                            "See the Amazon ECS documentation for the valid values.")
FARGATE_OS_FAMILY = "Fargate does not support the operating system family {family}."
FARGATE_WINDOWS_ARM64 = "Fargate supports the ARM64 CPU architecture only for the LINUX operating system family."
FARGATE_IPC_MODE = "Tasks using the Fargate launch type do not support ipcMode."
FARGATE_SOURCE_PATH = "Fargate compatible task definitions do not support sourcePath"
FARGATE_GPU = "Tasks using the Fargate launch type do not support GPU resource requirements."
FARGATE_AWSLOGS_ROLE = "Fargate requires task definition to have execution role ARN to support log driver awslogs."
FARGATE_ECR_ROLE = "Fargate requires task definition to have execution role ARN to support ECR images."
REVISION_REQUIRED = "You must specify a revision."
BEING_DELETED = "The specified task definition is in the process of being deleted."
TASK_DEFINITION_NOT_FOUND = "TaskDefinition not found."
TASK_DEFINITION_INACTIVE = "TaskDefinition is inactive"
HEALTH_CHECK_DEFAULTS = {"interval": 30, "timeout": 5, "retries": 3}      # a container health check's
DELETE_EMPTY = "Task definitions cannot be empty."
DELETE_TOO_MANY = "You can specify up to 10 task definitions in a single call."
DELETE_REASON_ACTIVE = ("The specified task definition is still in ACTIVE status. Please first deregister the "
                        "target and try again.")
DELETE_REASON_MISSING = ("The specified task definition does not exist. Specify a valid account, family, "
                         "revision and try again.")
DELETE_REASON_NO_REVISION = ("The specified task definition identifier is invalid. Specify a valid name or ARN "
                             "and try again.")

_IMAGE = re.compile(r"^[A-Za-z0-9_.:/#@-]+$")
_ECR_IMAGE = re.compile(r"^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/")
_ROLE_NAME = re.compile(r"^[\w+=,.@/-]{1,576}$")
_CPU = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(vcpu)?\s*$", re.IGNORECASE)
_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(gb)?\s*$", re.IGNORECASE)
TASK_CPU_RANGE = (128, 196608)         # units; Fargate's sizes lie within

# Request members copied onto the task definition as they were sent.
_ECHOED = ("taskRoleArn", "executionRoleArn", "volumes", "placementConstraints", "requiresCompatibilities",
           "pidMode", "ipcMode", "proxyConfiguration", "inferenceAccelerators", "ephemeralStorage",
           "runtimePlatform", "enableFaultInjection")
STATUSES = ("ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS")


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
            "containerDefinitions": copy.deepcopy(self.container_definitions),
            "family": self.family,
            "revision": self.revision,
            "volumes": [],
            "status": self.status,
            "requiresAttributes": copy.deepcopy(self.requires_attributes),
            "placementConstraints": [],
            "compatibilities": list(self.compatibilities),
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


class _Descending(tuple):
    """A sort key ordered backwards, so a DESC listing pages with the same keyset tokens as ASC.

    Being a tuple subclass, its reflected comparisons win over a plain tuple's (the token's key).
    """
    def __lt__(self, other): return tuple.__gt__(self, other)
    def __gt__(self, other): return tuple.__lt__(self, other)
    def __le__(self, other): return tuple.__ge__(self, other)
    def __ge__(self, other): return tuple.__le__(self, other)


class _KeyRange(Sequence):
    """``keys[lo:hi]`` of a sorted list without copying it, ascending or descending."""

    def __init__(self, keys: list, lo: int, hi: int, descending: bool = False) -> None:
        self.keys, self.lo, self.hi, self.descending = keys, lo, hi, descending

    def __len__(self) -> int:
        return self.hi - self.lo

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        if self.descending:
            return _Descending(self.keys[self.hi - 1 - index])
        return self.keys[self.lo + index]


class TaskDefinitionRegistry:
    """All revisions of all families of one (account, region), with the indexes the List calls page over."""

    def __init__(self) -> None:
        self.families: dict[str, dict[int, TaskDefinition]] = {}
        self.last_revision: dict[str, int] = {}   # revisions are never reused
        self.by_arn: dict[str, TaskDefinition] = {}
        self.keys: dict[str, list[tuple[str, int]]] = {s: [] for s in STATUSES}   # sorted (family, revision)
        self.family_names: list[str] = []         # sorted: families with at least one revision
        self.active_families: list[str] = []      # sorted: families with at least one ACTIVE revision
        self.inactive_families: list[str] = []    # sorted: families with revisions, none ACTIVE

    def next_revision(self, family: str) -> int:
        self.last_revision[family] = self.last_revision.get(family, 0) + 1
        return self.last_revision[family]

    def add(self, task_definition: TaskDefinition) -> None:
        family = task_definition.family
        if family not in self.families:
            self.families[family] = {}
            insort(self.family_names, family)
        self.families[family][task_definition.revision] = task_definition
        self.by_arn[task_definition.arn] = task_definition
        insort(self.keys[task_definition.status], (family, task_definition.revision))
        self._reclassify(family)

    def set_status(self, task_definition: TaskDefinition, status: str) -> None:
        key = (task_definition.family, task_definition.revision)
        _remove_sorted(self.keys[task_definition.status], key)
        task_definition.status = status
        insort(self.keys[status], key)
        self._reclassify(task_definition.family)

    def remove(self, task_definition: TaskDefinition) -> None:
        family = task_definition.family
        _remove_sorted(self.keys[task_definition.status], (family, task_definition.revision))
        self.by_arn.pop(task_definition.arn, None)
        revisions = self.families[family]
        del revisions[task_definition.revision]
        if not revisions:
            del self.families[family]
            _remove_sorted(self.family_names, family)
        self._reclassify(family)

    def get(self, family: str, revision: int) -> TaskDefinition | None:
        return self.families.get(family, {}).get(revision)

    def latest_active(self, family: str) -> TaskDefinition | None:
        active = self.keys["ACTIVE"]
        index = bisect_left(active, (family, float("inf")))
        if index and active[index - 1][0] == family:
            return self.families[family][active[index - 1][1]]
        return None

    def revision_keys(self, status: str, family: str | None, descending: bool) -> _KeyRange:
        keys = self.keys[status]
        if family is None:
            return _KeyRange(keys, 0, len(keys), descending)
        return _KeyRange(keys, bisect_left(keys, (family, 0)), bisect_left(keys, (family, float("inf"))),
                         descending)

    def family_keys(self, status: str, prefix: str) -> _KeyRange:
        names = {"ACTIVE": self.active_families, "INACTIVE": self.inactive_families}.get(status, self.family_names)
        if not prefix:
            return _KeyRange(names, 0, len(names))
        return _KeyRange(names, bisect_left(names, prefix), bisect_left(names, prefix + "\U0010ffff"))

    def _reclassify(self, family: str) -> None:
        active = self.latest_active(family) is not None
        exists = family in self.families
        _place(self.active_families, family, exists and active)
        _place(self.inactive_families, family, exists and not active)


def _remove_sorted(items: list, item) -> None:
    index = bisect_left(items, item)
    if index < len(items) and items[index] == item:
        del items[index]


def _place(items: list, item, present: bool) -> None:
    index = bisect_left(items, item)
    there = index < len(items) and items[index] == item
    if present and not there:
        items.insert(index, item)
    elif there and not present:
        del items[index]


def registry(ctx: RequestContext) -> TaskDefinitionRegistry:
    return ctx.store.task_definitions


def family_and_revision(ctx, identifier: str,
                        resource_type: str = "task-definition") -> tuple[str, str | None] | None:
    """(family, revision text or None) of ``family``, ``family:revision`` or an ARN of ``resource_type``
    (``task-definition``, ``daemon-task-definition``) in the caller's account and Region; None otherwise."""
    value = identifier
    if value.startswith("arn:"):
        arn = arns.parse(value)
        prefix = f"{resource_type}/"
        if arn is None or arn.service != "ecs" or not arn.resource.startswith(prefix):
            return None
        if arn.region != ctx.region or arn.account != ctx.account:
            return None
        value = arn.resource[len(prefix):]
    family, sep, revision = value.partition(":")
    return family, (revision if sep else None)


def find_task_definition(ctx: RequestContext, identifier: str) -> TaskDefinition | None:
    """``family`` (latest ACTIVE revision), ``family:revision`` or a task-definition ARN (any status)."""
    parsed = family_and_revision(ctx, identifier)
    if parsed is None:
        return None
    family, revision = parsed
    if revision is None:
        return registry(ctx).latest_active(family)
    if not revision.isdigit():
        return None
    return registry(ctx).get(family, int(revision))


def usable_task_definition(ctx: RequestContext, identifier: str, unusable: type = ClientException) -> TaskDefinition:
    """The task definition to start tasks or a service with: ClientException ``TaskDefinition not found.``
    when there is none; ``unusable`` (ClientException for services, InvalidParameterException for
    RunTask and StartTask) when it is INACTIVE or being deleted."""
    task_definition = find_task_definition(ctx, identifier)
    if task_definition is None:
        raise ClientException(TASK_DEFINITION_NOT_FOUND)
    if task_definition.status == "INACTIVE":
        raise unusable(TASK_DEFINITION_INACTIVE)
    if task_definition.status == "DELETE_IN_PROGRESS":
        raise unusable(BEING_DELETED)
    return task_definition


def resolve_task_definition(ctx: RequestContext, identifier: str) -> TaskDefinition:
    task_definition = find_task_definition(ctx, identifier)
    if task_definition is None:
        raise ClientException(UNABLE_TO_DESCRIBE)
    return task_definition


def task_definition_in_use(store, arn: str) -> bool:
    """Whether non-STOPPED tasks or active services use the revision (``store.task_definition_refs``)."""
    return store.task_definition_refs.get(arn, 0) > 0


def release_task_definition(store, arn: str) -> None:
    """Call after decrementing ``store.task_definition_refs[arn]``: removes a DELETE_IN_PROGRESS
    revision that nothing uses any more."""
    refs = store.task_definition_refs
    if refs.get(arn, 1) <= 0:
        del refs[arn]
    task_definition = store.task_definitions.by_arn.get(arn)
    if task_definition is not None and task_definition.status == "DELETE_IN_PROGRESS" \
            and not task_definition_in_use(store, arn):
        store.task_definitions.remove(task_definition)


# ---------------------------------------------------------------------------------------------
# RegisterTaskDefinition: the checks, in the order ECS reports them (first failure only).
# RegisterDaemonTaskDefinition runs the public ones on its family and containers too.

def check_family(family: str) -> None:
    if not family:
        raise ClientException(FAMILY_BLANK)
    if not RESOURCE_NAME.match(family):
        raise ClientException(FAMILY_INVALID)


def check_containers(containers: list[dict]) -> None:
    if not containers:
        raise ClientException(CONTAINERS_EMPTY)
    if len(containers) > MAX_CONTAINERS:
        raise ClientException(TOO_MANY_CONTAINERS)
    names = set()
    for container in containers:
        name, image = container.get("name"), container.get("image")
        if not name:
            raise ClientException(CONTAINER_NAME_EMPTY)
        if not RESOURCE_NAME.match(name):
            raise ClientException(CONTAINER_NAME_INVALID)
        if not image:
            raise ClientException(IMAGE_EMPTY)
        if not _IMAGE.match(image):
            raise ClientException(IMAGE_INVALID)
        if name in names:
            raise ClientException(CONTAINER_NAMES_NOT_UNIQUE)
        names.add(name)
    if not any(container.get("essential", True) for container in containers):
        raise ClientException(NO_ESSENTIAL_CONTAINER)


ROLE_MEMBERS = ("taskRoleArn", "executionRoleArn")


def without_empty_roles(params: dict) -> dict:
    """``params`` without role members given as ``""``: ECS takes an empty role as no role, which is
    what deploy tools send back when they re-register a described task definition that had none."""
    if all(params.get(role) != "" for role in ROLE_MEMBERS):
        return params
    return {key: value for key, value in params.items() if not (key in ROLE_MEMBERS and value == "")}


def role_arn(ctx: RequestContext, value: str) -> str:
    """A role field as stored: an IAM role ARN; a bare role name is completed with the caller's account."""
    if value.startswith("arn:"):
        arn = arns.parse(value)
        if arn is None or value.count(":") < 5:
            raise ClientException(INVALID_ARN)
        if arn.service != "iam" or not arn.resource.startswith("role/") or len(arn.resource) <= len("role/"):
            raise ClientException(ROLE_NOT_VALID)
        return value
    if ":" in value or not _ROLE_NAME.match(value):
        raise ClientException(INVALID_ARN)
    return f"arn:{ctx.partition}:iam::{ctx.account}:role/{value}"


def task_size(value: str | None, setting: str) -> int | None:
    """Task-level ``cpu`` (units or ``"<n> vCPU"``) or ``memory`` (MiB or ``"<n> GB"``) as an integer."""
    if value is None:
        return None
    match = (_CPU if setting == "cpu" else _MEMORY).match(value)
    error = ClientException(INVALID_TASK_SETTING.format(setting=setting))
    if match is None:
        raise error
    try:
        amount = Decimal(match.group(1)) * (1024 if match.group(2) else 1)
    except InvalidOperation:
        raise error from None
    if amount != amount.to_integral_value() or amount <= 0:
        raise error
    if setting == "cpu" and not TASK_CPU_RANGE[0] <= amount <= TASK_CPU_RANGE[1]:
        raise error
    return int(amount)


def _check_ephemeral_storage(storage: dict | None) -> None:
    if storage is None:
        return
    minimum, maximum = fargate.EPHEMERAL_STORAGE_RANGE_GIB
    if storage["sizeInGiB"] < minimum:
        raise ClientException(EPHEMERAL_STORAGE_TOO_SMALL.format(minimum=minimum))
    if storage["sizeInGiB"] > maximum:
        raise ClientException(EPHEMERAL_STORAGE_TOO_LARGE.format(maximum=maximum))


def _check_port_mappings(containers: list[dict], network_mode: str) -> None:
    if network_mode not in ("awsvpc", "host"):
        return
    for container in containers:
        for mapping in container.get("portMappings", []):
            if "hostPort" in mapping and "containerPort" in mapping and mapping["hostPort"] != mapping["containerPort"]:
                raise ClientException(PORTS_MUST_MATCH.format(mode=network_mode))


def check_memory(containers: list[dict], task_cpu: int | None, task_memory: int | None) -> None:
    for container in containers:
        hard, soft = container.get("memory"), container.get("memoryReservation")
        if task_memory is None and not hard and not soft:
            raise ClientException(CONTAINER_MEMORY_REQUIRED.format(name=container["name"]))
        if hard is not None and soft is not None and hard < soft:
            raise ClientException(MEMORY_BELOW_RESERVATION.format(name=container["name"]))
        if task_memory is not None and hard is not None and hard > task_memory:
            raise ClientException(CONTAINER_MEMORY_OVER_TASK.format(name=container["name"]))
    if task_memory is not None and sum(c.get("memoryReservation") or 0 for c in containers) > task_memory:
        raise ClientException(RESERVATIONS_OVER_TASK)
    if task_cpu is not None and sum(c.get("cpu") or 0 for c in containers) > task_cpu:
        raise ClientException(CONTAINER_CPU_OVER_TASK)


def check_dependencies(containers: list[dict]) -> None:
    essential = {c["name"] for c in containers if c.get("essential", True)}
    for container in containers:
        for dependency in container.get("dependsOn", []):
            if dependency["condition"] in ("SUCCESS", "COMPLETE") and dependency["containerName"] in essential:
                raise ClientException(ESSENTIAL_DEPENDENCY)


def check_execution_role(containers: list[dict], execution_role: str | None) -> None:
    if execution_role:
        return
    for container in containers:
        if container.get("secrets") or (container.get("logConfiguration") or {}).get("secretOptions"):
            raise ClientException(SECRETS_NEED_EXECUTION_ROLE)
        if container.get("repositoryCredentials"):
            raise ClientException(CREDENTIALS_NEED_EXECUTION_ROLE)


def _fargate_incompatibility(params: dict, network_mode: str, cpu: int | None, memory: int | None) -> str | None:
    """Why Fargate cannot run this task definition (the message ECS gives), or None when it can."""
    platform = params.get("runtimePlatform") or {}
    os_family = platform.get("operatingSystemFamily")
    containers = params["containerDefinitions"]
    if network_mode != "awsvpc":
        return FARGATE_NETWORK_MODE
    if cpu is None:
        return FARGATE_CPU_REQUIRED
    if memory is None:
        return FARGATE_MEMORY_REQUIRED
    if fargate.is_windows(os_family):
        if os_family not in fargate.WINDOWS_FAMILIES:
            return FARGATE_OS_FAMILY.format(family=os_family)
        if platform.get("cpuArchitecture") == "ARM64":
            return FARGATE_WINDOWS_ARM64
    if not fargate.supports_size(cpu, memory, os_family):
        return FARGATE_NO_CONFIGURATION.format(cpu=cpu, memory=memory)
    if "ipcMode" in params:
        return FARGATE_IPC_MODE
    if any((volume.get("host") or {}).get("sourcePath") for volume in params.get("volumes", [])):
        return FARGATE_SOURCE_PATH
    if any(r["type"] == "GPU" for c in containers for r in c.get("resourceRequirements", [])):
        return FARGATE_GPU
    if not params.get("executionRoleArn"):
        if any((c.get("logConfiguration") or {}).get("logDriver") == "awslogs" for c in containers):
            return FARGATE_AWSLOGS_ROLE
        if any(_ECR_IMAGE.match(c["image"]) for c in containers):
            return FARGATE_ECR_ROLE
    return None


def _compatibilities(params: dict, network_mode: str, cpu: int | None, memory: int | None) -> list[str]:
    """The launch types the task definition satisfies; raises when a required one is not satisfied."""
    required = params.get("requiresCompatibilities", [])
    fargate_problem = _fargate_incompatibility(params, network_mode, cpu, memory)
    if "FARGATE" in required and fargate_problem:
        raise ClientException(fargate_problem)
    if "EXTERNAL" in required and network_mode == "awsvpc":
        raise ClientException(EXTERNAL_NETWORK_MODE)
    out = [] if network_mode == "awsvpc" else ["EXTERNAL"]
    out.append("EC2")
    if fargate_problem is None:
        out.append("FARGATE")
    if "MANAGED_INSTANCES" in required:
        out.append("MANAGED_INSTANCES")
    return out


def _requires_attributes(params: dict, network_mode: str) -> list[dict]:
    """The container-instance attributes ECS derives from the definition (informational)."""
    names: list[str] = []
    containers = params["containerDefinitions"]
    execution_role = params.get("executionRoleArn")
    if network_mode == "awsvpc":
        names += ["com.amazonaws.ecs.capability.docker-remote-api.1.18", "ecs.capability.task-eni"]
    if params.get("taskRoleArn"):
        names.append("com.amazonaws.ecs.capability.task-iam-role")
    for container in containers:
        log_driver = (container.get("logConfiguration") or {}).get("logDriver")
        if log_driver:
            names.append(f"com.amazonaws.ecs.capability.logging-driver.{log_driver}")
        if log_driver == "awslogs":
            names.append("com.amazonaws.ecs.capability.docker-remote-api.1.19")
            if execution_role:
                names.append("ecs.capability.execution-role-awslogs")
        if "memoryReservation" in container:
            names.append("com.amazonaws.ecs.capability.docker-remote-api.1.21")
        if "healthCheck" in container:
            names.append("ecs.capability.container-health-check")
        if container.get("dependsOn"):
            names.append("ecs.capability.container-ordering")
        if execution_role and _ECR_IMAGE.match(container["image"]):
            names += ["ecs.capability.execution-role-ecr-pull", "com.amazonaws.ecs.capability.ecr-auth"]
        for secret in container.get("secrets", []):
            kind = "asm" if ":secretsmanager:" in secret["valueFrom"] else "ssm"
            names += [f"ecs.capability.secrets.{kind}.environment-variables"]
    return [{"name": name} for name in dict.fromkeys(names)]


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
        out["healthCheck"] = {**HEALTH_CHECK_DEFAULTS, **out["healthCheck"]}
    return out


def check_registration(ctx: RequestContext, params: dict) -> tuple[dict, int | None, int | None, list[str], dict]:
    """RegisterTaskDefinition's checks of ``params`` (roles already without empty ones), in order; nothing
    is registered. Returns the echoed members, task cpu and memory, compatibilities and tags."""
    family, containers = params["family"], params["containerDefinitions"]
    network_mode = params.get("networkMode", "bridge")
    check_family(family)
    check_containers(containers)
    echoed = {key: copy.deepcopy(params[key]) for key in _ECHOED if key in params}
    for role in ROLE_MEMBERS:
        if role in params:
            echoed[role] = role_arn(ctx, params[role])
    cpu, memory = task_size(params.get("cpu"), "cpu"), task_size(params.get("memory"), "memory")
    _check_ephemeral_storage(params.get("ephemeralStorage"))
    compatibilities = _compatibilities(params, network_mode, cpu, memory)
    _check_port_mappings(containers, network_mode)
    check_memory(containers, cpu, memory)
    check_dependencies(containers)
    check_execution_role(containers, params.get("executionRoleArn"))
    if params.get("tags") == []:    # what DescribeTaskDefinition answers for no tags, fed back as is
        raise ClientException(TAGS_EMPTY)
    return echoed, cpu, memory, compatibilities, tags_from_request(params.get("tags"))


@ecs.operation("RegisterTaskDefinition")
def register_task_definition(ctx: RequestContext, params: dict) -> dict:
    params = without_empty_roles(params)
    family, containers = params["family"], params["containerDefinitions"]
    network_mode = params.get("networkMode", "bridge")
    echoed, cpu, memory, compatibilities, tags = check_registration(ctx, params)

    reg = registry(ctx)
    revision = reg.next_revision(family)
    task_definition = TaskDefinition(
        family=family,
        revision=revision,
        arn=ctx.arn(f"task-definition/{family}:{revision}"),
        network_mode=network_mode,
        container_definitions=[_normalize_container(c, network_mode) for c in containers],
        cpu=None if cpu is None else str(cpu),
        memory=None if memory is None else str(memory),
        compatibilities=compatibilities,
        registered_at=ctx.now,
        registered_by=ctx.caller_arn,
        request=echoed,
        network_mode_given="networkMode" in params,
        requires_attributes=_requires_attributes(params, network_mode),
        tags=tags,
    )
    reg.add(task_definition)
    return {"taskDefinition": task_definition.describe(), "tags": tags_out(task_definition.tags)}


@ecs.operation("DescribeTaskDefinition")
def describe_task_definition(ctx: RequestContext, params: dict) -> dict:
    task_definition = resolve_task_definition(ctx, params["taskDefinition"])
    out = {"taskDefinition": task_definition.describe()}
    if "TAGS" in params.get("include", []):
        out["tags"] = tags_out(task_definition.tags)
    return out


@ecs.operation("DeregisterTaskDefinition")
def deregister_task_definition(ctx: RequestContext, params: dict) -> dict:
    parsed = family_and_revision(ctx, params["taskDefinition"])
    if parsed is not None and parsed[1] is None:
        raise ClientException(REVISION_REQUIRED)
    task_definition = resolve_task_definition(ctx, params["taskDefinition"])
    if task_definition.status == "DELETE_IN_PROGRESS":
        raise ClientException(BEING_DELETED)
    if task_definition.status == "ACTIVE":
        registry(ctx).set_status(task_definition, "INACTIVE")
        task_definition.deregistered_at = ctx.now
    return {"taskDefinition": task_definition.describe()}


@ecs.operation("DeleteTaskDefinitions")
def delete_task_definitions(ctx: RequestContext, params: dict) -> dict:
    identifiers = params["taskDefinitions"]
    if not identifiers:
        raise ClientException(DELETE_EMPTY)
    if len(identifiers) > MAX_DELETE_BATCH:
        raise ClientException(DELETE_TOO_MANY)
    deleted, failures = [], []
    for identifier in identifiers:
        parsed = family_and_revision(ctx, identifier)
        task_definition = find_task_definition(ctx, identifier) if parsed and parsed[1] is not None else None
        if parsed is None or parsed[1] is None:
            failures.append({"arn": identifier, "reason": DELETE_REASON_NO_REVISION})
        elif task_definition is None:
            failures.append({"arn": _failure_arn(ctx, identifier, parsed), "reason": DELETE_REASON_MISSING})
        elif task_definition.status == "ACTIVE":
            failures.append({"arn": task_definition.arn, "reason": DELETE_REASON_ACTIVE})
        else:
            if task_definition.status == "INACTIVE":
                _request_deletion(ctx, task_definition)
            deleted.append(task_definition.describe())
    return {"taskDefinitions": deleted, "failures": failures}


def _failure_arn(ctx: RequestContext, identifier: str, parsed: tuple[str, str | None]) -> str:
    family, revision = parsed
    return identifier if identifier.startswith("arn:") else ctx.arn(f"task-definition/{family}:{revision}")


def _request_deletion(ctx: RequestContext, task_definition: TaskDefinition) -> None:
    store = ctx.store
    registry(ctx).set_status(task_definition, "DELETE_IN_PROGRESS")
    task_definition.delete_requested_at = ctx.now

    def purge(at: float) -> None:
        if store.task_definitions.by_arn.get(task_definition.arn) is task_definition \
                and not task_definition_in_use(store, task_definition.arn):
            store.task_definitions.remove(task_definition)

    if not task_definition_in_use(store, task_definition.arn):
        store.timeline.at(ctx.now + ctx.duration(DELETION), purge)


def _page(params: dict, keys: Sequence, scope: str):
    # Task-definition operations answer ClientException where the others answer InvalidParameterException.
    try:
        return paginate(params, keys, scope=scope)
    except InvalidParameterException as error:
        raise ClientException(error.message) from None


@ecs.operation("ListTaskDefinitions")
def list_task_definitions(ctx: RequestContext, params: dict) -> dict:
    status = params.get("status", "ACTIVE")
    family = params.get("familyPrefix")
    descending = params.get("sort", "ASC") == "DESC"
    keys = registry(ctx).revision_keys(status, family, descending)
    scope = f"revisions|{status}|{family or ''}|{'DESC' if descending else 'ASC'}"
    page, token = _page(params, keys, scope)
    arns_out = [ctx.arn(f"task-definition/{family_name}:{revision}") for family_name, revision in page]
    return {"taskDefinitionArns": arns_out, "nextToken": token}


@ecs.operation("ListTaskDefinitionFamilies")
def list_task_definition_families(ctx: RequestContext, params: dict) -> dict:
    status = params.get("status", "ALL")
    prefix = params.get("familyPrefix", "")
    names = registry(ctx).family_keys(status, prefix)
    page, token = _page(params, names, f"families|{status}|{prefix}")
    return {"families": page, "nextToken": token}


@taggable("task-definition")
def _task_definition_for_tags(ctx: RequestContext, arn: str) -> TaskDefinition:
    task_definition = registry(ctx).by_arn.get(arn)
    if task_definition is None:
        raise ResourceNotFoundException(RESOURCE_NOT_FOUND)
    return task_definition
