"""ECS Managed Instances: container instances ECS launches itself.

A task whose capacity provider is of type MANAGED_INSTANCES runs on an ACTIVE container instance of
that provider. When none has room, ECS provisions one — the smallest instance type that meets the
provider's ``instanceRequirements`` and holds the task beside the provider's daemon tasks — in a
subnet of the provider's launch template; it joins the cluster like a registered instance (instance
listeners hear of it, so daemons start their tasks on it first) and the task is placed there.
"""
from __future__ import annotations

from emulator.core import ids
from emulator.ecs import instance_types, networking
from emulator.ecs.capacity_providers import find_capacity_provider
from emulator.ecs.container_instances import (DEFAULT_RESERVED_PORTS, DEFAULT_VERSION_INFO, ContainerInstance,
                                              add_instance)


def is_managed_instances_provider(ctx, name: str) -> bool:
    provider = find_capacity_provider(ctx, name)
    return provider is not None and provider.type == "MANAGED_INSTANCES"


def providers_of(ctx, cluster) -> list[str]:
    """The cluster's Managed Instances capacity providers, in association order."""
    return [name for name in cluster.capacity_providers if is_managed_instances_provider(ctx, name)]


def _daemon_reservation(ctx, cluster, provider_name: str) -> tuple[int, int]:
    """CPU units and MiB the provider's daemon tasks take on each of its instances."""
    cpu = memory = 0
    for (cluster_name, _), daemon in ctx.store.daemons.items():
        if cluster_name == cluster.name and daemon.status == "ACTIVE" and daemon.revision is not None \
                and provider_name in daemon.providers:
            task_cpu, task_memory = _size(daemon.revision.definition)
            cpu, memory = cpu + task_cpu, memory + task_memory
    return cpu, memory


def _size(definition) -> tuple[int, int]:
    """A task definition's CPU units and MiB: task level, else the sum of its containers'."""
    containers = definition.container_definitions
    cpu = definition.cpu or sum(c.get("cpu") or 0 for c in containers)
    memory = definition.memory or sum(c.get("memoryReservation") or c.get("memory") or 0 for c in containers)
    return int(cpu), int(memory)


def provision(ctx, cluster, provider_name: str, cpu: int, memory: int, *, needs_eni: bool = False,
              architecture: str | None = None) -> ContainerInstance:
    """Launch an instance of the provider for a task of ``cpu`` units and ``memory`` MiB."""
    provider = find_capacity_provider(ctx, provider_name)
    template = (provider.managed_instances or {}).get("instanceLaunchTemplate", {})
    requirements = template.get("instanceRequirements", {})
    daemon_cpu, daemon_memory = _daemon_reservation(ctx, cluster, provider_name)
    instance_type = instance_types.smallest_fitting(
        cpu + daemon_cpu, memory + daemon_memory,
        min_vcpus=requirements.get("vCpuCount", {}).get("min", 0),
        min_memory_mib=requirements.get("memoryMiB", {}).get("min", 0),
        architecture_wanted=architecture, enis=1 if needs_eni else 0,
        allowed=requirements.get("allowedInstanceTypes"))
    subnets = template.get("networkConfiguration", {}).get("subnets", [])
    zone = networking.availability_zone(ctx.region, subnets[0]) if subnets else f"{ctx.region}a"
    instance_cpu, instance_memory = instance_types.registered_cpu_and_memory(instance_type)
    attributes = {"ecs.os-type": "linux", "ecs.os-family": "LINUX",
                  "ecs.cpu-architecture": instance_types.architecture(instance_type),
                  "ecs.availability-zone": zone, "ecs.instance-type": instance_type,
                  "ecs.capability.managed-instances": None}
    tags = dict(provider.tags) if provider.managed_instances.get("propagateTags") == "CAPACITY_PROVIDER" else {}
    return add_instance(ctx, cluster, ec2_instance_id="i-" + ids.hex_id(17), instance_type=instance_type,
                        zone=zone, cpu=instance_cpu, memory=instance_memory,
                        tcp_ports={int(p) for p in DEFAULT_RESERVED_PORTS}, udp_ports=set(), extra_resources=[],
                        attributes=attributes, tags=tags, version_info=dict(DEFAULT_VERSION_INFO),
                        capacity_provider_name=provider_name)
