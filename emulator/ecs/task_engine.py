"""The task engine: ECS tasks, their lifecycle on the clock, and the indexes that find them.

What schedulers call (RunTask and StartTask do the same)::

    launch = resolve_launch(ctx, cluster, task_definition, LaunchSpec(launch_type="FARGATE",
                            network_configuration={...}))           # AWS's launch rules; raises their errors
    tasks, failures = start_tasks(ctx, cluster, task_definition, launch, count=3,
                                  started_by="ecs-svc/0123456789012345678", group="service:web",
                                  service_name="web")                 # failures: unplaceable tasks
    stop_task(ctx, task, "ServiceSchedulerInitiated", "Scaling activity initiated by (deployment ...)")
    add_task_listener(listener)      # listener(ctx, task, previous_last_status) after every change
    tasks_of(cluster, service_name="web"), find_task(ctx, cluster, "<id or ARN>")

``ctx`` is a request's context or, inside a listener, a :class:`LifecycleContext` (same ``store``,
``now``, ``arn()``, ``duration()``), so a listener can start or stop tasks in turn.

Lifecycle: PROVISIONING -> PENDING -> ACTIVATING -> RUNNING, and after a stop request
DEACTIVATING -> STOPPING -> DEPROVISIONING -> STOPPED; every step takes its declared duration
(0 under the instant timing) and is run by the store's timeline. A STOPPED task stays describable
for an hour of clock time, then is purged.
"""
from __future__ import annotations

import copy
import functools
import hashlib
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from emulator.config import declare_duration
from emulator.core import arns, ids
from emulator.ecs import fargate, managed_instances, networking, placement
from emulator.ecs.clusters import FARGATE_PROVIDERS, Cluster, check_strategy, launch_kind
from emulator.ecs.common import tags_out
from emulator.ecs.container_instances import ContainerInstance
from emulator.ecs.errors import (InvalidParameterException, PlatformTaskDefinitionIncompatibilityException,
                                PlatformUnknownException)

PROVISIONING_TIME = declare_duration("ecs.task.provisioning", 10.0,
                                     "task PROVISIONING (capacity, network interface) until PENDING")
PENDING_TIME = declare_duration("ecs.task.pending", 20.0,
                                "task PENDING (image pulls, containers created and started) until ACTIVATING")
ACTIVATING_TIME = declare_duration("ecs.task.activating", 5.0,
                                   "task ACTIVATING (load balancer and service discovery registration) until RUNNING")
DEACTIVATING_TIME = declare_duration("ecs.task.deactivating", 5.0,
                                     "task DEACTIVATING (load balancer deregistration) until STOPPING")
STOPPING_TIME = declare_duration("ecs.task.stopping", 10.0,
                                 "task STOPPING (containers sent SIGTERM, then stopTimeout) until DEPROVISIONING")
DEPROVISIONING_TIME = declare_duration("ecs.task.deprovisioning", 15.0,
                                       "task DEPROVISIONING (network interface detached) until STOPPED")
STOPPED_RETENTION = 3600.0        # STOPPED tasks stay visible for an hour (not a timing: AWS behaviour)

STARTING = ("PROVISIONING", "PENDING", "ACTIVATING")
STOPPING_STATES = ("DEACTIVATING", "STOPPING", "DEPROVISIONING")
# status -> (next status, the duration of the status) on the way up and on the way down
_START_STEPS = {"PROVISIONING": ("PENDING", PROVISIONING_TIME), "PENDING": ("ACTIVATING", PENDING_TIME),
                "ACTIVATING": ("RUNNING", ACTIVATING_TIME)}
_STOP_STEPS = {"DEACTIVATING": ("STOPPING", DEACTIVATING_TIME), "STOPPING": ("DEPROVISIONING", STOPPING_TIME),
               "DEPROVISIONING": ("STOPPED", DEPROVISIONING_TIME)}

# A container stopped by ECS ends on SIGTERM (128 + 15); the emulator's containers honour it.
STOP_SIGNAL_EXIT_CODE = 143
USER_STOP_REASON = "Task stopped by user"
ESSENTIAL_CONTAINER_EXITED = "Essential container in task exited"
DYNAMIC_PORTS = (49153, 65535)     # Docker's ephemeral range for hostPort 0 under bridge mode

BOTH_LAUNCH_TYPE_AND_STRATEGY = ("Specifying both a launch type and capacity provider strategy is not supported. "
                                 "Remove one and try again.")
PLATFORM_VERSION_NOT_NULL = "The platform version must be null when specifying an {launch_type} launch type."
PLATFORM_UNKNOWN = "The specified platform does not exist."
PLATFORM_INCOMPATIBLE = "One or more of the requested capabilities are not supported."
NO_CONTAINER_INSTANCES = "No Container Instances were found in your cluster."


@functools.lru_cache(maxsize=1024)      # every task of a service starts the same few images
def image_digest(image: str) -> str:
    """The digest of an image as a task reports it once pulled (service and daemon revisions report it too)."""
    return "sha256:" + hashlib.sha256(image.encode()).hexdigest()


def launch_type_not_supported(launch_type: str) -> str:
    return f"Task definition does not support launch_type {launch_type}."


# -- the context of changes on the clock ------------------------------------------------------------

class LifecycleContext:
    """What the engine reads from a request, for changes the timeline makes later."""

    __slots__ = ("store", "config", "now")

    def __init__(self, store, config, now: float) -> None:
        self.store, self.config, self.now = store, config, now

    @property
    def region(self) -> str:
        return self.store.region

    @property
    def account(self) -> str:
        return self.store.account

    @property
    def partition(self) -> str:
        return arns.partition_for(self.store.region)

    def arn(self, resource: str, service: str = "ecs") -> str:
        return arns.build(service, self.store.region, self.store.account, resource)

    def duration(self, name: str) -> float:
        return self.config.duration(name)


def _schedule(ctx, when: float, action: Callable[[LifecycleContext], None]):
    store, config = ctx.store, ctx.config
    return store.timeline.at(when, lambda at: action(LifecycleContext(store, config, at)))


TaskListener = Callable[[object, "Task", str], None]
_listeners: tuple[TaskListener, ...] = ()     # replaced, never changed in place: a change notifies as it was


def add_task_listener(listener: TaskListener) -> None:
    """``listener(ctx, task, previous_last_status)`` after each lastStatus change and each stop request
    (then ``previous_last_status == task.last_status`` and ``task.desired_status == "STOPPED"``)."""
    global _listeners
    if listener not in _listeners:
        _listeners += (listener,)


def remove_task_listener(listener: TaskListener) -> None:
    global _listeners
    _listeners = tuple(known for known in _listeners if known != listener)


def _notify(ctx, task: "Task", previous: str) -> None:
    for listener in _listeners:
        listener(ctx, task, previous)


# -- tasks and containers ---------------------------------------------------------------------------

class Container:
    __slots__ = ("arn", "name", "image", "essential", "cpu", "memory", "memory_reservation", "last_status",
                 "exit_code", "reason", "runtime_id", "image_digest", "bindings", "health_check", "health_status",
                 "agent_status", "agent_started_at")

    def __init__(self, arn: str, definition: dict, override: dict) -> None:
        self.arn = arn
        self.name = definition["name"]
        self.image = definition["image"]
        self.essential = definition.get("essential", True)
        self.cpu = override.get("cpu", definition.get("cpu", 0))
        self.memory = override.get("memory", definition.get("memory"))
        self.memory_reservation = override.get("memoryReservation", definition.get("memoryReservation"))
        self.last_status = "PENDING"
        self.exit_code: int | None = None
        self.reason: str | None = None
        self.runtime_id: str | None = None
        self.image_digest: str | None = None
        self.bindings: list[dict] = []
        self.health_check = "healthCheck" in definition
        self.health_status = "UNKNOWN"
        self.agent_status: str | None = None          # ExecuteCommandAgent, when exec is enabled
        self.agent_started_at: float | None = None

    def describe(self, task: "Task") -> dict:
        eni = task.eni
        out = {
            "containerArn": self.arn,
            "taskArn": task.arn,
            "name": self.name,
            "image": self.image,
            "imageDigest": self.image_digest,
            "runtimeId": self.runtime_id,
            "lastStatus": self.last_status,
            "exitCode": self.exit_code,
            "reason": self.reason,
            "networkBindings": [dict(b) for b in self.bindings] if self.runtime_id else [],
            "networkInterfaces": ([{"attachmentId": eni.attachment_id, "privateIpv4Address": eni.private_ip}]
                                  if eni is not None and eni.status != "PRECREATED" else []),
            "healthStatus": self.health_status,
            "cpu": str(self.cpu),
            "memory": None if self.memory is None else str(self.memory),
            "memoryReservation": None if self.memory_reservation is None else str(self.memory_reservation),
        }
        if self.agent_status is not None:
            agent = {"name": "ExecuteCommandAgent", "lastStatus": self.agent_status}
            if self.agent_started_at is not None:
                agent["lastStartedAt"] = self.agent_started_at
            out["managedAgents"] = [agent]
        return out


class Task:
    __slots__ = ("id", "arn", "cluster", "task_definition", "launch_type", "capacity_provider", "platform_version",
                 "platform_family", "cpu", "memory", "group", "started_by", "service_name", "instance", "zone",
                 "eni", "containers", "overrides", "tags", "exec_enabled", "last_status", "desired_status",
                 "version", "created_at", "pull_started_at", "pull_stopped_at", "connectivity_at", "started_at",
                 "stopping_at", "execution_stopped_at", "stopped_at", "stop_code", "stopped_reason", "timer",
                 "reservation", "architecture", "ephemeral_storage", "protected_until", "network_mode",
                 "task_role")

    def __init__(self) -> None:
        self.instance: ContainerInstance | None = None
        self.eni: networking.NetworkInterface | None = None
        self.capacity_provider: str | None = None
        self.platform_version = self.platform_family = None
        self.last_status, self.desired_status, self.version = "PROVISIONING", "RUNNING", 1
        self.pull_started_at = self.pull_stopped_at = self.connectivity_at = self.started_at = None
        self.stopping_at = self.execution_stopped_at = self.stopped_at = None
        self.stop_code = self.stopped_reason = None
        self.timer = None
        self.reservation: Reservation | None = None
        self.protected_until: float | None = None
        self.ephemeral_storage: dict | None = None

    @property
    def family(self) -> str:
        return self.task_definition.family

    @property
    def on_draining_instance(self) -> bool:
        """Whether the task's container instance is no longer ACTIVE (its schedulers replace it)."""
        return self.instance is not None and self.instance.status != "ACTIVE"

    def index_names(self, desired: str | None = None) -> list[tuple]:
        """The listing indexes (ListTasks filters) the task belongs to while ``desired`` is its desired status."""
        desired = desired or self.desired_status
        names = [("all", desired), ("family", self.family, desired), ("launchType", self.launch_type, desired)]
        if self.started_by:
            names.append(("startedBy", self.started_by, desired))
        if self.service_name:
            names.append(("service", self.service_name, desired))
        if self.instance is not None:
            names.append(("instance", self.instance.id, desired))
        return names

    @property
    def health_status(self) -> str:
        checked = [c for c in self.containers if c.essential and c.health_check]
        if not checked:
            return "UNKNOWN"
        if any(c.health_status == "UNHEALTHY" for c in checked):
            return "UNHEALTHY"
        return "HEALTHY" if all(c.health_status == "HEALTHY" for c in checked) else "UNKNOWN"

    def describe(self, include_tags: bool = False) -> dict:
        fargate_task = self.launch_type == "FARGATE"
        out = {
            "attachments": [self.eni.describe()] if self.eni is not None else [],
            "attributes": [{"name": "ecs.cpu-architecture", "value": self.architecture}],
            "availabilityZone": self.zone,
            "capacityProviderName": self.capacity_provider,
            "clusterArn": self.cluster.arn,
            "connectivity": "CONNECTED" if self.connectivity_at is not None else None,
            "connectivityAt": self.connectivity_at,
            "containerInstanceArn": self.instance.arn if self.instance is not None else None,
            "containers": [c.describe(self) for c in self.containers],
            "cpu": self.cpu,
            "createdAt": self.created_at,
            "desiredStatus": self.desired_status,
            "enableExecuteCommand": self.exec_enabled,
            "executionStoppedAt": self.execution_stopped_at,
            "group": self.group,
            "healthStatus": self.health_status,
            "lastStatus": self.last_status,
            "launchType": self.launch_type,
            "memory": self.memory,
            "overrides": self.overrides,        # the engine copies a response on its way out
            "platformVersion": self.platform_version,
            "platformFamily": self.platform_family,
            "pullStartedAt": self.pull_started_at,
            "pullStoppedAt": self.pull_stopped_at,
            "startedAt": self.started_at,
            "startedBy": self.started_by,
            "stopCode": self.stop_code,
            "stoppedAt": self.stopped_at,
            "stoppedReason": self.stopped_reason,
            "stoppingAt": self.stopping_at,
            "tags": tags_out(self.tags) if include_tags else [],
            "taskArn": self.arn,
            "taskDefinitionArn": self.task_definition.arn,
            "version": self.version,
        }
        if fargate_task:
            out["ephemeralStorage"] = dict(self.ephemeral_storage)
            out["fargateEphemeralStorage"] = dict(self.ephemeral_storage)
        return out


@dataclass
class Reservation:
    """What a task holds on its container instance until it stops."""
    cpu: int
    memory: int
    static_tcp: list[int]
    static_udp: list[int]
    dynamic_tcp: list[int]
    dynamic_udp: list[int]
    eni: bool


# -- launching ---------------------------------------------------------------------------------------

@dataclass
class LaunchSpec:
    """How tasks are to be launched, as RunTask and CreateService take it."""
    launch_type: str | None = None
    capacity_provider_strategy: list[dict] | None = None
    platform_version: str | None = None
    network_configuration: dict | None = None
    placement_constraints: list[dict] = field(default_factory=list)
    placement_strategy: list[dict] = field(default_factory=list)


@dataclass
class Launch:
    """A checked :class:`LaunchSpec`: what :func:`start_tasks` needs."""
    launch_type: str                     # EC2 | FARGATE | EXTERNAL | MANAGED_INSTANCES
    strategy: list[dict] | None          # capacity provider strategy in force (None: launch type given)
    platform_version: str | None         # resolved (Fargate)
    platform_family: str | None
    awsvpc: dict | None                  # awsvpcConfiguration (awsvpc tasks)
    constraints: list = field(default_factory=list)
    placement_strategy: list[dict] = field(default_factory=list)


def _os_family(task_definition) -> str | None:
    return (task_definition.request.get("runtimePlatform") or {}).get("operatingSystemFamily")


@functools.lru_cache(maxsize=64)
def _version_key(version: str) -> tuple:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


def _check_platform(task_definition, launch_type: str, requested: str | None) -> tuple[str | None, str | None]:
    if launch_type != "FARGATE":
        if requested is not None:
            raise InvalidParameterException(PLATFORM_VERSION_NOT_NULL.format(launch_type=launch_type))
        return None, None
    os_family = _os_family(task_definition)
    version = fargate.resolve_platform_version(requested, os_family)
    if version is None:
        raise PlatformUnknownException(PLATFORM_UNKNOWN)
    cpu = int(task_definition.cpu) if task_definition.cpu else 0
    modern = _version_key(version) >= (1, 4, 0) or fargate.is_windows(os_family)
    needs_modern = (task_definition.request.get("ephemeralStorage") is not None
                    or any("efsVolumeConfiguration" in v for v in task_definition.request.get("volumes", [])))
    if not fargate.platform_supports_cpu(version, cpu) or (needs_modern and not modern):
        raise PlatformTaskDefinitionIncompatibilityException(PLATFORM_INCOMPATIBLE)
    family = os_family if fargate.is_windows(os_family) else "Linux"
    return version, family


def resolve_launch(ctx, cluster: Cluster, task_definition, spec: LaunchSpec) -> Launch:
    """Check a launch against AWS's rules (launch type or capacity providers, platform version,
    awsvpc network configuration, placement) and settle what the tasks will run on."""
    if spec.launch_type and spec.capacity_provider_strategy:
        raise InvalidParameterException(BOTH_LAUNCH_TYPE_AND_STRATEGY)
    strategy = None
    if spec.launch_type:
        launch_type = spec.launch_type
    else:
        if spec.capacity_provider_strategy:
            strategy = check_strategy(ctx, cluster.capacity_providers, spec.capacity_provider_strategy)
        elif cluster.default_strategy:
            strategy = [dict(item) for item in cluster.default_strategy]
        launch_type = "EC2"
        if strategy and strategy[0]["capacityProvider"] in FARGATE_PROVIDERS:
            launch_type = "FARGATE"
        elif strategy and managed_instances.is_managed_instances_provider(ctx, strategy[0]["capacityProvider"]):
            launch_type = "MANAGED_INSTANCES"
    if launch_type != "MANAGED_INSTANCES" and launch_type not in task_definition.compatibilities:
        raise InvalidParameterException(launch_type_not_supported(launch_type))
    version, family = _check_platform(task_definition, launch_type, spec.platform_version)
    networking.check_network_configuration(task_definition.network_mode, launch_type, spec.network_configuration)
    awsvpc = (spec.network_configuration or {}).get("awsvpcConfiguration") \
        if task_definition.network_mode == "awsvpc" else None
    constraints, strategies = [], []
    if launch_type != "FARGATE":      # Fargate does not place tasks on instances
        constraints = placement.check_constraints(
            list(task_definition.request.get("placementConstraints", [])) + list(spec.placement_constraints))
        strategies = placement.check_strategies(list(spec.placement_strategy))
    return Launch(launch_type=launch_type, strategy=strategy, platform_version=version, platform_family=family,
                  awsvpc=awsvpc, constraints=constraints, placement_strategy=strategies)


def assign_providers(strategy: list[dict], count: int, existing: Counter | None = None) -> list[str]:
    """The capacity provider of each of ``count`` new tasks: ``base`` tasks on the base provider first,
    the rest by weight. ``existing`` counts the tasks already running per provider (a service's)."""
    counts = Counter(existing or {})
    base_item = next((item for item in strategy if item.get("base", 0) > 0), None)
    weighted = [item for item in strategy if item.get("weight", 0) > 0] or strategy
    out = []
    for _ in range(count):
        if base_item is not None and counts[base_item["capacityProvider"]] < base_item["base"]:
            name = base_item["capacityProvider"]
        else:
            def load(item: dict) -> float:
                above_base = counts[item["capacityProvider"]] - (item["base"] if item is base_item else 0)
                return (max(above_base, 0) + 1) / max(item.get("weight", 0), 1)
            name = min(weighted, key=load)["capacityProvider"]
        counts[name] += 1
        out.append(name)
    return out


def task_overrides(task_definition, overrides: dict | None) -> dict:
    """The ``overrides`` a task reports: one entry per container, the given ones merged in."""
    given = copy.deepcopy(overrides) if overrides else {}
    by_name = {o.get("name"): o for o in given.pop("containerOverrides", [])}
    out = {"containerOverrides": [by_name.get(c["name"], {"name": c["name"]})
                                  for c in task_definition.container_definitions],
           "inferenceAcceleratorOverrides": given.pop("inferenceAcceleratorOverrides", [])}
    out.update(given)
    return out


def _placement_need(task_definition, overrides: dict, launch: Launch, group: str) -> tuple[placement.Placement, list]:
    """What one task asks of an instance, and its port mappings as (container, mapping, static port)."""
    by_name = {o["name"]: o for o in overrides["containerOverrides"]}
    cpu_total = memory_total = 0
    tcp, udp, mappings = set(), set(), []
    mode = task_definition.network_mode
    for definition in task_definition.container_definitions:
        override = by_name.get(definition["name"], {})
        cpu_total += override.get("cpu", definition.get("cpu", 0)) or 0
        memory_total += (override.get("memoryReservation", definition.get("memoryReservation"))
                         or override.get("memory", definition.get("memory")) or 0)
        for mapping in definition.get("portMappings", []):
            if "containerPort" not in mapping or mode in ("awsvpc", "none"):
                continue
            static = mapping["containerPort"] if mode == "host" else mapping.get("hostPort", 0)
            if static:
                (udp if mapping.get("protocol") == "udp" else tcp).add(static)
            mappings.append((definition["name"], mapping, static))
    cpu = int(overrides.get("cpu") or task_definition.cpu or cpu_total)
    memory = int(overrides.get("memory") or task_definition.memory or memory_total)
    need = placement.Placement(cpu=cpu, memory=memory, tcp_ports=frozenset(tcp), udp_ports=frozenset(udp),
                               needs_eni=mode == "awsvpc", group=group, constraints=launch.constraints,
                               strategy=launch.placement_strategy)
    return need, mappings


_rng = random.Random()


def _reserve(instance: ContainerInstance, need: placement.Placement, mappings: list) -> tuple[Reservation, dict]:
    """Hold the task's resources on the instance; returns the reservation and each container's bindings."""
    dynamic_tcp, dynamic_udp, bindings = [], [], {}
    for name, mapping, static in mappings:
        udp = mapping.get("protocol") == "udp"
        port = static
        if not port:
            used = instance.used_udp_ports if udp else instance.used_tcp_ports
            port = next(p for p in range(DYNAMIC_PORTS[0], DYNAMIC_PORTS[1] + 1) if p not in used)
            (instance.dynamic_udp if udp else instance.dynamic_tcp).add(port)
            (dynamic_udp if udp else dynamic_tcp).append(port)
        bindings.setdefault(name, []).append({"bindIP": "0.0.0.0", "containerPort": mapping["containerPort"],
                                              "hostPort": port, "protocol": "udp" if udp else "tcp"})
    for port in need.tcp_ports:
        instance.static_tcp[port] += 1
    for port in need.udp_ports:
        instance.static_udp[port] += 1
    instance.remaining_cpu -= need.cpu
    instance.remaining_memory -= need.memory
    instance.enis_in_use += 1 if need.needs_eni else 0
    instance.task_groups[need.group] += 1
    instance.active_tasks += 1
    instance.version += 1
    return Reservation(need.cpu, need.memory, sorted(need.tcp_ports), sorted(need.udp_ports), dynamic_tcp,
                       dynamic_udp, need.needs_eni), bindings


def _release(task: Task) -> None:
    instance, held = task.instance, task.reservation
    if instance is None or held is None:
        return
    task.reservation = None
    instance.remaining_cpu += held.cpu
    instance.remaining_memory += held.memory
    for counter, ports in ((instance.static_tcp, held.static_tcp), (instance.static_udp, held.static_udp)):
        for port in ports:
            counter[port] -= 1
            if counter[port] <= 0:
                del counter[port]
    instance.dynamic_tcp.difference_update(held.dynamic_tcp)
    instance.dynamic_udp.difference_update(held.dynamic_udp)
    instance.enis_in_use -= 1 if held.eni else 0
    instance.task_groups[task.group] -= 1
    if instance.task_groups[task.group] <= 0:
        del instance.task_groups[task.group]
    instance.active_tasks -= 1
    instance.version += 1


def _choose_host(need: placement.Placement, pool: list[ContainerInstance], candidates: list[ContainerInstance],
                chosen_here: set[str], explicit: bool) -> tuple[ContainerInstance | None, dict[str, str]]:
    """The instance for one task, or None and each instance's reason for refusing it.

    ``explicit``: StartTask named the instance; no strategy applies."""
    fit, reasons = [], {}
    for instance in pool:
        reason = placement.unfit_reason(instance, need, chosen_here)
        if reason is None:
            fit.append(instance)
        else:
            reasons[instance.arn] = reason
    if not fit:
        return None, reasons
    if explicit:
        return fit[0], {}
    return placement.choose(fit, need, lambda name: placement.spread_counts(candidates, name, need.group), _rng), {}


def candidate_instances(cluster: Cluster, launch_type: str) -> list[ContainerInstance]:
    """ACTIVE instances a launch type may use: EXTERNAL ones (``mi-`` ids), the ones ECS Managed
    Instances launched, or the others (EC2)."""
    if launch_type == "MANAGED_INSTANCES":
        return [i for i in cluster.instances.values() if i.status == "ACTIVE" and i.capacity_provider_name]
    external = launch_type == "EXTERNAL"
    return [i for i in cluster.instances.values() if i.status == "ACTIVE" and not i.capacity_provider_name
            and i.ec2_instance_id.startswith("mi-") == external]


def _container_runtime_id(task: Task) -> str:
    if task.launch_type == "FARGATE":
        return f"{task.id}-{ids.digits(10)}"
    return ids.hex_id(64)


def start_tasks(ctx, cluster: Cluster, task_definition, launch: Launch, count: int = 1, *,
                started_by: str | None = None, group: str | None = None, service_name: str | None = None,
                overrides: dict | None = None, tags: dict[str, str] | None = None,
                enable_execute_command: bool = False, container_instances: list[ContainerInstance] | None = None,
                provider_counts: Counter | None = None) -> tuple[list[Task], list[dict]]:
    """Create ``count`` tasks (PROVISIONING) and start their lifecycle; unplaceable tasks come back as failures.

    ``container_instances``: place one task on each of them (StartTask) instead of choosing.
    ``provider_counts``: tasks already running per capacity provider (the strategy's ``base`` counts them).
    Raises InvalidParameterException ``NO_CONTAINER_INSTANCES`` when an EC2 launch has no ACTIVE instance.
    """
    group = group or f"family:{task_definition.family}"
    echoed = task_overrides(task_definition, overrides)
    need, mappings = _placement_need(task_definition, echoed, launch, group)
    if container_instances is not None:
        count = len(container_instances)
    providers = assign_providers(launch.strategy, count, provider_counts) if launch.strategy else [None] * count
    explicit = container_instances is not None
    # ECS launches instances for Managed Instances providers when theirs are full (not for StartTask).
    provisioning = launch.launch_type == "MANAGED_INSTANCES" and not explicit
    if provisioning and providers[0] is None:
        managed = managed_instances.providers_of(ctx, cluster)
        if not managed:
            raise InvalidParameterException(NO_CONTAINER_INSTANCES)
        providers = [managed[0]] * count
    candidates: list[ContainerInstance] = []
    if launch.launch_type != "FARGATE":
        candidates = container_instances if explicit else candidate_instances(cluster, launch.launch_type)
        if not candidates and not provisioning:
            raise InvalidParameterException(NO_CONTAINER_INSTANCES)
    tasks, reasons, failures, chosen_here = [], {}, [], set()
    for i, provider in enumerate(providers):
        host = None
        if launch.launch_type != "FARGATE":
            pool = [candidates[i]] if explicit else candidates
            if provisioning:
                pool = [c for c in candidates if c.capacity_provider_name == provider]
            host, why = _choose_host(need, pool, candidates, chosen_here, explicit)
            if host is None and provisioning:
                architecture = task_definition.request.get("runtimePlatform", {}).get("cpuArchitecture")
                launched = managed_instances.provision(
                    ctx, cluster, provider, need.cpu, need.memory, needs_eni=need.needs_eni,
                    architecture={"ARM64": "arm64", "X86_64": "x86_64"}.get(architecture))
                candidates.append(launched)
                host, why = _choose_host(need, [launched], candidates, chosen_here, explicit)
            if host is None:
                for arn, reason in why.items():
                    reasons.setdefault(arn, reason)
                continue
            chosen_here.add(host.id)
        task = _new_task(ctx, cluster, task_definition, launch, host, provider, need, mappings, echoed, group,
                         started_by, service_name, tags or {}, enable_execute_command)
        if task is None:
            failures.append({"arn": cluster.arn, "reason": "RESOURCE:ENI",
                             "detail": "The subnets have no free IPv4 addresses."})
            continue
        tasks.append(task)
    failures = [{"arn": arn, "reason": reason} for arn, reason in reasons.items()] + failures
    return tasks, failures


def _interface(ctx, launch: Launch, start: int) -> networking.NetworkInterface | None:
    subnets = launch.awsvpc["subnets"]
    for offset in range(len(subnets)):
        subnet = subnets[(start + offset) % len(subnets)]
        try:
            return networking.create_interface(ctx.store, ctx.region, launch.awsvpc, subnet)
        except networking.SubnetExhausted:
            continue
    return None


def _new_task(ctx, cluster: Cluster, task_definition, launch: Launch, host: ContainerInstance | None,
              provider: str | None, need: placement.Placement, mappings: list, echoed: dict, group: str,
              started_by: str | None, service_name: str | None, tags: dict, exec_enabled: bool) -> Task | None:
    store = ctx.store
    task = Task()
    task.id = ids.hex_id(32)
    eni = None
    if launch.awsvpc is not None:
        eni = _interface(ctx, launch, _rng.randrange(len(launch.awsvpc["subnets"])))
        if eni is None:
            return None
    task.eni = eni
    task.arn = ctx.arn(f"task/{cluster.name}/{task.id}")
    task.cluster, task.task_definition = cluster, task_definition
    task.launch_type = launch.launch_type
    task.capacity_provider = provider
    task.platform_version, task.platform_family = launch.platform_version, launch.platform_family
    task.cpu = echoed.get("cpu") or task_definition.cpu
    task.memory = echoed.get("memory") or task_definition.memory
    task.group, task.started_by, task.service_name = group, started_by, service_name
    task.network_mode = task_definition.network_mode
    task.overrides, task.tags, task.exec_enabled = echoed, dict(tags), exec_enabled
    task.task_role = echoed.get("taskRoleArn") or task_definition.request.get("taskRoleArn")
    task.created_at = ctx.now
    by_name = {o["name"]: o for o in echoed["containerOverrides"]}
    task.containers = [Container(ctx.arn(f"container/{cluster.name}/{task.id}/{ids.uuid4()}"), definition,
                                 by_name.get(definition["name"], {}))
                       for definition in task_definition.container_definitions]
    if exec_enabled:
        for container in task.containers:
            container.agent_status = "PENDING"
    if host is not None:
        task.instance = host
        task.reservation, bindings = _reserve(host, need, mappings)
        for container in task.containers:
            container.bindings = bindings.get(container.name, [])
        task.zone = host.availability_zone
        task.architecture = host.attributes.get("ecs.cpu-architecture", "x86_64")
    else:
        task.zone = networking.availability_zone(ctx.region, eni.subnet_id) if eni else f"{ctx.region}a"
        platform = task_definition.request.get("runtimePlatform") or {}
        task.architecture = "arm64" if platform.get("cpuArchitecture") == "ARM64" else "x86_64"
    if launch.launch_type == "FARGATE":
        storage = echoed.get("ephemeralStorage") or task_definition.request.get("ephemeralStorage")
        task.ephemeral_storage = {"sizeInGiB": (storage or {}).get("sizeInGiB", fargate.DEFAULT_EPHEMERAL_STORAGE_GIB)}
    store.tasks[task.id] = task
    if eni is not None:
        store.tasks_by_attachment[eni.attachment_id] = task
    cluster.tasks.add(task.index_names(), task.id)
    cluster.active_tasks += 1
    if provider is not None:
        cluster.provider_tasks[provider] += 1
    store.task_definition_refs[task_definition.arn] += 1
    _count(task, None, "PROVISIONING")
    _schedule_next(ctx, task)
    return task


# -- the lifecycle -----------------------------------------------------------------------------------

def _bucket(status: str | None) -> str | None:
    if status in STARTING:
        return "pending"
    if status == "RUNNING":
        return "running"
    return None


def _count(task: Task, old: str | None, new: str) -> None:
    """Move the task between the pending/running counts of its cluster and instance."""
    before, after = _bucket(old), _bucket(new)
    if before == after:
        return
    kind = launch_kind(task.launch_type)
    cluster, instance = task.cluster, task.instance
    if before is not None:
        cluster.task_counts[before, kind] -= 1
        if instance is not None:
            setattr(instance, f"{before}_tasks_count", getattr(instance, f"{before}_tasks_count") - 1)
    if after is not None:
        cluster.task_counts[after, kind] += 1
        if instance is not None:
            setattr(instance, f"{after}_tasks_count", getattr(instance, f"{after}_tasks_count") + 1)


def _schedule_next(ctx, task: Task) -> None:
    steps = _START_STEPS if task.desired_status == "RUNNING" else _STOP_STEPS
    step = steps.get(task.last_status)
    if step is None:
        task.timer = None
        return
    status, duration = step
    store, config = ctx.store, ctx.config     # one closure per step: steps are most of the timeline's events
    task.timer = store.timeline.at(ctx.now + config.duration(duration),
                                   lambda at: _enter(LifecycleContext(store, config, at), task, status))


def _enter(ctx, task: Task, status: str) -> None:
    """Move the task to ``status`` at ``ctx.now``, stamp what that state stamps, schedule the next step."""
    previous, at = task.last_status, ctx.now
    if previous == status or previous == "STOPPED":
        return
    _count(task, previous, status)
    task.last_status = status
    task.version += 1
    eni = task.eni
    if status == "PENDING":
        task.connectivity_at = task.pull_started_at = at
        if eni is not None:
            eni.status = "ATTACHED"
    elif status == "ACTIVATING":
        task.pull_stopped_at = at
        for container in task.containers:
            if container.last_status == "PENDING":
                container.last_status = "RUNNING"
                container.runtime_id = _container_runtime_id(task)
                container.image_digest = image_digest(container.image)
    elif status == "RUNNING":
        task.started_at = at
        for container in task.containers:
            if container.agent_status is not None and container.last_status == "RUNNING":
                container.agent_status, container.agent_started_at = "RUNNING", at
            if container.health_check and container.last_status == "RUNNING":
                container.health_status = "HEALTHY"
    elif status == "DEPROVISIONING":
        if task.execution_stopped_at is None:
            task.execution_stopped_at = at
        for container in task.containers:
            stop_container(container, STOP_SIGNAL_EXIT_CODE)
        if eni is not None and eni.status != "PRECREATED":
            eni.status = "DETACHED"
    elif status == "STOPPED":
        _finish(ctx, task)
    _schedule_next(ctx, task)
    _notify(ctx, task, previous)


def stop_container(container: Container, exit_code: int | None, reason: str | None = None) -> None:
    if container.last_status == "STOPPED":
        return
    started = container.runtime_id is not None
    container.last_status = "STOPPED"
    if started and container.exit_code is None:
        container.exit_code = exit_code
    if reason is not None:
        container.reason = reason
    if container.agent_status is not None:
        container.agent_status = "STOPPED"


def _finish(ctx, task: Task) -> None:
    """A task reaching STOPPED gives back what it held and is purged an hour later."""
    store, cluster = ctx.store, task.cluster
    task.stopped_at = ctx.now
    if task.execution_stopped_at is None:
        task.execution_stopped_at = ctx.now
    for container in task.containers:
        stop_container(container, STOP_SIGNAL_EXIT_CODE)
    if task.eni is not None:
        networking.delete_interface(store, task.eni)
    _release(task)
    task.tags = {}                # a stopped task's tags are dropped
    task.protected_until = None
    cluster.active_tasks -= 1
    if task.capacity_provider is not None:
        cluster.provider_tasks[task.capacity_provider] -= 1
        if cluster.provider_tasks[task.capacity_provider] <= 0:
            del cluster.provider_tasks[task.capacity_provider]
    arn = task.task_definition.arn
    store.task_definition_refs[arn] -= 1
    from emulator.ecs.task_definitions import release_task_definition
    release_task_definition(store, arn)
    _schedule(ctx, ctx.now + STOPPED_RETENTION, lambda later: _purge(later, task))


def _purge(ctx, task: Task) -> None:
    if ctx.store.tasks.get(task.id) is task:
        del ctx.store.tasks[task.id]
        task.cluster.tasks.discard(task.index_names(), task.id)
        if task.eni is not None:
            ctx.store.tasks_by_attachment.pop(task.eni.attachment_id, None)


def stop_task(ctx, task: Task, stop_code: str, reason: str, *, execution_stopped: bool = False) -> Task:
    """Ask the task to stop (desired STOPPED, stoppingAt, stopCode, stoppedReason); its containers end
    over DEACTIVATING -> STOPPING -> DEPROVISIONING -> STOPPED. Stopping a stopping task changes nothing.

    ``execution_stopped``: the containers have already exited (an essential container did): the
    task's executionStoppedAt is now, not when ECS stops the rest."""
    if task.desired_status == "STOPPED":
        return task
    cluster = task.cluster
    cluster.tasks.discard(task.index_names("RUNNING"), task.id)
    task.desired_status = "STOPPED"
    cluster.tasks.add(task.index_names("STOPPED"), task.id)
    task.stopping_at, task.stop_code, task.stopped_reason = ctx.now, stop_code, reason
    if execution_stopped:
        task.execution_stopped_at = ctx.now
    task.version += 1
    if task.timer is not None:
        task.timer.cancel()
    first = "DEACTIVATING" if task.last_status in ("ACTIVATING", "RUNNING") else "STOPPING"
    if task.last_status in STARTING or task.last_status == "RUNNING":
        task.timer = _schedule(ctx, ctx.now, lambda later: _enter(later, task, first))
    _notify(ctx, task, task.last_status)
    return task


def container_stopped(ctx, task: Task, container: Container, exit_code: int | None, reason: str | None) -> None:
    """A container exited (the agent says so): its exit code is kept, and an essential one stops the task."""
    stop_container(container, exit_code, reason)
    if exit_code is not None:
        container.exit_code = exit_code
    task.version += 1
    if container.essential and task.desired_status == "RUNNING":
        stop_task(ctx, task, "EssentialContainerExited", ESSENTIAL_CONTAINER_EXITED, execution_stopped=True)


def mark_running(ctx, task: Task) -> None:
    """The agent reports the task RUNNING: whatever starting step remains is done now."""
    while task.desired_status == "RUNNING" and task.last_status in STARTING:
        if task.timer is not None:
            task.timer.cancel()
        _enter(ctx, task, _START_STEPS[task.last_status][0])


# -- finding tasks ------------------------------------------------------------------------------------

def parse_task_identifier(value: str) -> tuple[str | None, str] | None:
    """(cluster name or None, task id) of a task ARN or id; None when it is neither."""
    arn = arns.parse(value)
    if arn is None:
        if not value or not all(ch.isalnum() or ch in "-_" for ch in value):
            return None
        return None, value
    kind, _, rest = arn.resource.partition("/")
    parts = rest.split("/")
    if kind != "task" or not all(parts) or len(parts) > 2:
        return None
    return (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])


def find_task(ctx, cluster: Cluster, value: str) -> Task | None:
    """A task of ``cluster`` by id or ARN (STOPPED ones until purged); None otherwise."""
    parsed = parse_task_identifier(value)
    if parsed is None:
        return None
    cluster_name, task_id = parsed
    if value.startswith("arn:"):
        arn = arns.parse(value)
        if arn.region != ctx.region or arn.account != ctx.account:
            return None
    task = ctx.store.tasks.get(task_id)
    if task is None or task.cluster is not cluster or (cluster_name is not None and cluster_name != cluster.name):
        return None
    return task


def tasks_of(ctx, cluster: Cluster, *, service_name: str | None = None, started_by: str | None = None,
             family: str | None = None, desired: str = "RUNNING") -> list[Task]:
    """The cluster's tasks by one listing index, whose desired status is ``desired`` (RUNNING or STOPPED)."""
    if service_name is not None:
        name = ("service", service_name, desired)
    elif started_by is not None:
        name = ("startedBy", started_by, desired)
    elif family is not None:
        name = ("family", family, desired)
    else:
        name = ("all", desired)
    tasks = ctx.store.tasks
    return [tasks[task_id] for task_id in cluster.tasks.get(name) if task_id in tasks]


def overrides_size(overrides: dict) -> int:
    return len(json.dumps(overrides, separators=(",", ":")))
