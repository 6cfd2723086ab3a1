"""ECS container instances: Register/Deregister/Describe/ListContainerInstances, UpdateContainerInstancesState.

A :class:`ContainerInstance` keeps what placement reads (remaining CPU, memory, ports, ENIs, the task
groups it runs, its attributes); the task engine reserves and releases those as tasks are placed
and stop. Schedulers can follow status changes (DRAINING, INACTIVE) with
:func:`add_instance_listener`.
"""
from __future__ import annotations

import json
from collections import Counter
from typing import Callable

from emulator.core import arns, ids
from emulator.core.service import RequestContext
from emulator.ecs import instance_types
from emulator.ecs.clusters import CLUSTER_NOT_FOUND, Cluster, active_cluster, existing_cluster, find_cluster
from emulator.ecs.errors import ClientException, ClusterNotFoundException, InvalidParameterException
from emulator.ecs.common import tags_out
from emulator.ecs.indexes import check_list, describe_each, keyset_page
from emulator.ecs.placement import compile_expression
from emulator.ecs.service import ecs
from emulator.ecs.tags import taggable, tags_from_request

LATEST_AGENT_VERSION = "1.89.0"
DEFAULT_VERSION_INFO = {"agentVersion": LATEST_AGENT_VERSION, "agentHash": "a7c5e41c",
                        "dockerVersion": "DockerVersion: 25.0.8"}
# Ports the ECS agent reserves on every instance unless told otherwise (SSH, Docker, the agent).
DEFAULT_RESERVED_PORTS = ("22", "2375", "2376", "51678", "51679")
INACTIVE_RETENTION = 3600.0      # deregistered instances stay describable for about an hour
MAX_DESCRIBE = 100
MAX_UPDATE_STATE = 10
SETTABLE_STATUSES = ("ACTIVE", "DRAINING")
LISTED = ("listed",)             # index of the instances ListContainerInstances shows by default (not INACTIVE)

INSTANCES_EMPTY = "Container instances cannot be empty."
TOO_MANY_DESCRIBE = "instanceIds can have at most 100 items."
TOO_MANY_UPDATE = "containerInstances can have at most 10 items."
INSTANCE_NOT_FOUND = "The referenced container instance was not found."
INSTANCE_IDENTIFIER_INVALID = "Container instance identifier is invalid."
RUNNING_TASKS = "Found running tasks on the instance."
INVALID_STATUS = "Container instance status can only be updated to ACTIVE or DRAINING."
INVALID_IDENTITY_DOCUMENT = "The instance identity document is not valid JSON."
INVALID_RESOURCE = "Invalid resource '{name}': a value of type {type} is required."


class ContainerInstance:
    def __init__(self, *, id: str, arn: str, cluster: Cluster, ec2_instance_id: str, instance_type: str | None,
                 availability_zone: str, registered_at: float, version_info: dict, cpu: int, memory: int,
                 tcp_ports: set[int], udp_ports: set[int], extra_resources: list[dict], attributes: dict,
                 tags: dict) -> None:
        self.id, self.arn, self.cluster = id, arn, cluster
        self.ec2_instance_id = ec2_instance_id
        self.instance_type = instance_type
        self.availability_zone = availability_zone
        self.registered_at = registered_at
        self.version_info = version_info
        self.status = "ACTIVE"
        self.status_reason: str | None = None
        self.agent_connected = True
        self.agent_update_status: str | None = None
        self.version = 1
        self.capacity_provider_name: str | None = None
        self.total_cpu, self.total_memory = cpu, memory
        self.reserved_tcp, self.reserved_udp = set(tcp_ports), set(udp_ports)
        self.extra_resources = extra_resources
        self.remaining_cpu, self.remaining_memory = cpu, memory
        self.static_tcp: Counter = Counter()     # host ports tasks map statically (shown in remainingResources)
        self.static_udp: Counter = Counter()
        self.dynamic_tcp: set[int] = set()       # ephemeral host ports given to bridge mappings
        self.dynamic_udp: set[int] = set()
        self.attributes: dict[str, str] = attributes
        self.custom_attributes: set[str] = set()
        self.tags = tags
        self.running_tasks_count = 0
        self.pending_tasks_count = 0
        self.active_tasks = 0                    # tasks placed here and not STOPPED yet
        self.task_groups: Counter = Counter()    # task group -> tasks placed here and not STOPPED
        self.eni_limit = instance_types.task_eni_limit(instance_type)
        self.enis_in_use = 0

    # -- what placement reads ------------------------------------------------------------------
    @property
    def used_tcp_ports(self) -> set[int]:
        return self.reserved_tcp | set(self.static_tcp) | self.dynamic_tcp

    @property
    def used_udp_ports(self) -> set[int]:
        return self.reserved_udp | set(self.static_udp) | self.dynamic_udp

    def free_enis(self) -> float:
        return float("inf") if self.eni_limit is None else self.eni_limit - self.enis_in_use

    # -- describing ----------------------------------------------------------------------------
    def _resources(self, cpu: int, memory: int, tcp: set, udp: set) -> list[dict]:
        return [_integer("CPU", cpu), _integer("MEMORY", memory), _string_set("PORTS", tcp),
                _string_set("PORTS_UDP", udp)] + [dict(r) for r in self.extra_resources]

    def describe(self, include: frozenset[str] = frozenset({"TAGS"}), now: float | None = None) -> dict:
        out = {
            "containerInstanceArn": self.arn,
            "ec2InstanceId": self.ec2_instance_id,
            "capacityProviderName": self.capacity_provider_name,
            "version": self.version,
            "versionInfo": dict(self.version_info),
            "remainingResources": self._resources(self.remaining_cpu, self.remaining_memory,
                                                  self.reserved_tcp | set(self.static_tcp),
                                                  self.reserved_udp | set(self.static_udp)),
            "registeredResources": self._resources(self.total_cpu, self.total_memory, self.reserved_tcp,
                                                   self.reserved_udp),
            "status": self.status,
            "statusReason": self.status_reason,
            "agentConnected": self.agent_connected,
            "runningTasksCount": self.running_tasks_count,
            "pendingTasksCount": self.pending_tasks_count,
            "agentUpdateStatus": self.agent_update_status,
            "attributes": [{"name": k, "value": v} if v is not None else {"name": k}
                           for k, v in self.attributes.items()],
            "registeredAt": self.registered_at,
            "attachments": [],
            "tags": tags_out(self.tags) if "TAGS" in include else [],
        }
        if "CONTAINER_INSTANCE_HEALTH" in include:
            out["healthStatus"] = {"overallStatus": "OK", "details": [
                {"type": "CONTAINER_RUNTIME", "status": "OK", "lastUpdated": now or self.registered_at,
                 "lastStatusChange": self.registered_at}]}
        return out


_RESOURCE_MEMBERS = frozenset({"name", "type", "doubleValue", "longValue", "integerValue", "stringSetValue"})


def _integer(name: str, value: int) -> dict:
    return {"name": name, "type": "INTEGER", "doubleValue": 0.0, "longValue": 0, "integerValue": value}


def _string_set(name: str, ports: set) -> dict:
    return {"name": name, "type": "STRINGSET", "doubleValue": 0.0, "longValue": 0, "integerValue": 0,
            "stringSetValue": [str(p) for p in sorted(ports)]}


# -- listeners ------------------------------------------------------------------------------------

InstanceListener = Callable[[object, ContainerInstance, str], None]
_listeners: list[InstanceListener] = []


def add_instance_listener(listener: InstanceListener) -> None:
    """``listener(ctx, instance, previous_status)`` after an instance's status changes."""
    if listener not in _listeners:
        _listeners.append(listener)


def remove_instance_listener(listener: InstanceListener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def set_status(ctx, instance: ContainerInstance, status: str) -> None:
    previous = instance.status
    if previous == status:
        return
    index = instance.cluster.instance_index
    index.discard([("status", previous)], instance.id)
    index.add([("status", status)], instance.id)
    if status == "INACTIVE":
        index.discard([LISTED], instance.id)
    instance.status = status
    instance.version += 1
    for listener in list(_listeners):
        listener(ctx, instance, previous)


# -- lookups --------------------------------------------------------------------------------------

def _identifier(value: str) -> tuple[str | None, str] | None:
    """(cluster name or None, instance id) of an instance ARN or id; None when malformed."""
    arn = arns.parse(value)
    if arn is None:
        return (None, value) if value and "/" not in value and ":" not in value else None
    kind, _, rest = arn.resource.partition("/")
    if kind != "container-instance" or not rest:
        return None
    parts = rest.split("/")
    return (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])


def find_instance(ctx, cluster: Cluster, value: str) -> ContainerInstance | None:
    """An instance of ``cluster`` by id or ARN (INACTIVE ones included); None when there is none."""
    parsed = _identifier(value)
    if parsed is None:
        return None
    cluster_name, instance_id = parsed
    instance = cluster.instances.get(instance_id)
    if instance is None or (cluster_name is not None and cluster_name != cluster.name):
        return None
    return instance


def registered_instance(ctx, cluster: Cluster, value: str) -> ContainerInstance:
    """The registered (not INACTIVE) instance a ``containerInstance`` parameter names, or AWS's error."""
    if _identifier(value) is None:
        raise InvalidParameterException(INSTANCE_IDENTIFIER_INVALID)
    instance = find_instance(ctx, cluster, value)
    if instance is None or instance.status == "INACTIVE":
        raise InvalidParameterException(INSTANCE_NOT_FOUND)
    return instance


def failure_arn(ctx, cluster: Cluster, value: str) -> str:
    return value if value.startswith("arn:") else ctx.arn(f"container-instance/{cluster.name}/{value}")


# -- registration ---------------------------------------------------------------------------------

def _identity(ctx: RequestContext, document: str | None) -> dict:
    if document is None:
        return {}
    try:
        parsed = json.loads(document)
    except ValueError:
        raise InvalidParameterException(INVALID_IDENTITY_DOCUMENT) from None
    if not isinstance(parsed, dict):
        raise InvalidParameterException(INVALID_IDENTITY_DOCUMENT)
    return parsed


def _resource_value(resource: dict):
    kind = resource.get("type", "INTEGER")
    if kind == "STRINGSET":
        return {int(p) for p in resource.get("stringSetValue", []) if str(p).isdigit()}
    for key in ("integerValue", "longValue", "doubleValue"):
        if resource.get(key):
            return int(resource[key])
    return int(resource.get("integerValue", 0))


def _built_in_attributes(identity: dict, instance_type: str | None, zone: str, os_type: str) -> dict:
    architecture = {"arm64": "arm64", "aarch64": "arm64"}.get(identity.get("architecture", ""),
                                                             instance_types.architecture(instance_type))
    attributes = {"ecs.os-type": os_type, "ecs.os-family": "WINDOWS_SERVER" if os_type == "windows" else "LINUX",
                  "ecs.cpu-architecture": architecture, "ecs.availability-zone": zone}
    if instance_type:
        attributes["ecs.instance-type"] = instance_type
    if identity.get("imageId"):
        attributes["ecs.ami-id"] = identity["imageId"]
    return attributes


def add_instance(ctx, cluster: Cluster, *, ec2_instance_id: str, instance_type: str | None, zone: str, cpu: int,
                 memory: int, tcp_ports: set[int], udp_ports: set[int], extra_resources: list[dict],
                 attributes: dict, tags: dict, version_info: dict,
                 capacity_provider_name: str | None = None) -> ContainerInstance:
    """A new ACTIVE container instance in the cluster (its agent registered it, or ECS launched it);
    instance listeners hear of it with the previous status ``REGISTERING``."""
    instance_id = ids.hex_id(32)
    instance = ContainerInstance(
        id=instance_id, arn=ctx.arn(f"container-instance/{cluster.name}/{instance_id}"), cluster=cluster,
        ec2_instance_id=ec2_instance_id, instance_type=instance_type, availability_zone=zone,
        registered_at=ctx.now, version_info=version_info, cpu=cpu, memory=memory, tcp_ports=tcp_ports,
        udp_ports=udp_ports, extra_resources=extra_resources, attributes=attributes, tags=tags)
    instance.capacity_provider_name = capacity_provider_name
    cluster.instances[instance_id] = instance
    cluster.instance_index.add([("status", "ACTIVE"), LISTED], instance_id)
    ctx.store.container_instances[instance_id] = instance
    ctx.store.instances_by_ec2_id[(cluster.name, ec2_instance_id)] = instance
    for listener in list(_listeners):
        listener(ctx, instance, "REGISTERING")
    return instance


@ecs.operation("RegisterContainerInstance")
def register_container_instance(ctx: RequestContext, params: dict) -> dict:
    cluster = find_cluster(ctx, params.get("cluster"))
    if cluster is None or cluster.status != "ACTIVE":
        raise ClientException(CLUSTER_NOT_FOUND)
    identity = _identity(ctx, params.get("instanceIdentityDocument"))
    tags = tags_from_request(params.get("tags"))
    if "containerInstanceArn" in params:
        existing = find_instance(ctx, cluster, params["containerInstanceArn"])
        if existing is None:
            raise InvalidParameterException(INSTANCE_NOT_FOUND)
        existing.agent_connected = True
        if "versionInfo" in params:
            existing.version_info = dict(params["versionInfo"])
            existing.version += 1
        return {"containerInstance": existing.describe()}
    ec2_instance_id = identity.get("instanceId") or "i-" + ids.hex_id(17)
    known = ctx.store.instances_by_ec2_id.get((cluster.name, ec2_instance_id))
    if known is not None and known.status != "INACTIVE":
        return {"containerInstance": known.describe()}
    instance_type = identity.get("instanceType")
    zone = identity.get("availabilityZone") or f"{ctx.region}a"
    cpu, memory = instance_types.registered_cpu_and_memory(instance_type)
    tcp, udp = {int(p) for p in DEFAULT_RESERVED_PORTS}, set()
    extra = []
    for resource in params.get("totalResources", []):
        name = resource.get("name")
        value = _resource_value(resource)
        if name == "CPU":
            cpu = value
        elif name == "MEMORY":
            memory = value
        elif name == "PORTS":
            tcp = value if isinstance(value, set) else tcp
        elif name == "PORTS_UDP":
            udp = value if isinstance(value, set) else udp
        else:   # members the Resource shape does not have are ignored, not echoed back
            extra.append({key: value for key, value in resource.items() if key in _RESOURCE_MEMBERS})
    os_type = "windows" if "windows" in str(identity.get("platform", "")).lower() else "linux"
    attributes = _built_in_attributes(identity, instance_type, zone, os_type)
    for attribute in params.get("attributes", []):
        attributes[attribute["name"]] = attribute.get("value")
    instance = add_instance(ctx, cluster, ec2_instance_id=ec2_instance_id, instance_type=instance_type, zone=zone,
                            cpu=cpu, memory=memory, tcp_ports=tcp, udp_ports=udp, extra_resources=extra,
                            attributes=attributes, tags=tags,
                            version_info=dict(params.get("versionInfo", DEFAULT_VERSION_INFO)))
    return {"containerInstance": instance.describe()}


@ecs.operation("DeregisterContainerInstance")
def deregister_container_instance(ctx: RequestContext, params: dict) -> dict:
    cluster = active_cluster(ctx, params.get("cluster"))
    instance = registered_instance(ctx, cluster, params["containerInstance"])
    if instance.active_tasks > 0 and not params.get("force", False):
        raise InvalidParameterException(RUNNING_TASKS)
    # With force, the instance's tasks are orphaned: they keep running, unaccounted for by the
    # instance; listeners (the service scheduler) may start replacements elsewhere.
    instance.agent_connected = False
    set_status(ctx, instance, "INACTIVE")
    store = ctx.store

    def purge(_at: float) -> None:
        if instance.status == "INACTIVE" and cluster.instances.get(instance.id) is instance:
            del cluster.instances[instance.id]
            cluster.instance_index.discard([("status", "INACTIVE")], instance.id)
            store.container_instances.pop(instance.id, None)
            if store.instances_by_ec2_id.get((cluster.name, instance.ec2_instance_id)) is instance:
                del store.instances_by_ec2_id[(cluster.name, instance.ec2_instance_id)]
    store.timeline.at(ctx.now + INACTIVE_RETENTION, purge)
    return {"containerInstance": instance.describe()}


@ecs.operation("DescribeContainerInstances")
def describe_container_instances(ctx: RequestContext, params: dict) -> dict:
    cluster = existing_cluster(ctx, params.get("cluster"))
    values = check_list(params["containerInstances"], MAX_DESCRIBE, INSTANCES_EMPTY, TOO_MANY_DESCRIBE)
    include = frozenset(params.get("include", []))
    found, failures = describe_each(values, lambda value: find_instance(ctx, cluster, value),
                                    lambda instance: instance.describe(include, ctx.now),
                                    lambda value: failure_arn(ctx, cluster, value))
    return {"containerInstances": found, "failures": failures}


@ecs.operation("ListContainerInstances")
def list_container_instances(ctx: RequestContext, params: dict) -> dict:
    cluster = active_cluster(ctx, params.get("cluster"))
    status = params.get("status")
    keys = cluster.instance_index.get(("status", status) if status is not None else LISTED)
    accept = None
    if params.get("filter"):
        matches = compile_expression(params["filter"])

        def accept(instance_id: str) -> bool:
            return matches(cluster.instances[instance_id])
    page, token = keyset_page(params, keys, scope=f"ci|{cluster.name}|{status}|{params.get('filter', '')}",
                              accept=accept)
    return {"containerInstanceArns": [cluster.instances[i].arn for i in page], "nextToken": token}


@ecs.operation("UpdateContainerInstancesState")
def update_container_instances_state(ctx: RequestContext, params: dict) -> dict:
    cluster = active_cluster(ctx, params.get("cluster"))
    values = check_list(params["containerInstances"], MAX_UPDATE_STATE, INSTANCES_EMPTY, TOO_MANY_UPDATE)
    status = params["status"]
    if status not in SETTABLE_STATUSES:
        raise InvalidParameterException(INVALID_STATUS)
    updated, failures = [], []
    for value in values:
        instance = find_instance(ctx, cluster, value)
        if instance is None or instance.status == "INACTIVE":
            failures.append({"arn": failure_arn(ctx, cluster, value), "reason": "MISSING"})
            continue
        set_status(ctx, instance, status)
        updated.append(instance.describe())
    return {"containerInstances": updated, "failures": failures}


@taggable("container-instance", long_arn_segments=2)
def _container_instance_for_tags(ctx: RequestContext, arn: str) -> ContainerInstance:
    from emulator.ecs.errors import ResourceNotFoundException
    from emulator.ecs.tags import RESOURCE_NOT_FOUND
    cluster_name, _ = _identifier(arn) or (None, "")
    cluster = ctx.store.clusters.get(cluster_name or "")
    if cluster is None:
        raise ClusterNotFoundException(CLUSTER_NOT_FOUND)
    instance = find_instance(ctx, cluster, arn)
    if instance is None:
        raise ResourceNotFoundException(RESOURCE_NOT_FOUND)
    return instance
