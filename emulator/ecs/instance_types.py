"""EC2 instance types as ECS sees them: what a container instance registers when its agent sends
no ``totalResources``, and how many task ENIs (awsvpc) it can attach.

Data from the EC2 instance-type tables: vCPUs, memory (GiB) and the maximum number of network
interfaces; one interface is the instance's own, the rest can carry awsvpc tasks.
"""
from __future__ import annotations

import fnmatch

# name -> (vCPUs, memory GiB, max network interfaces, CPU architecture)
INSTANCE_TYPES: dict[str, tuple[int, float, int, str]] = {
    "t2.nano": (1, 0.5, 2, "x86_64"),
    "t2.micro": (1, 1, 2, "x86_64"),
    "t2.small": (1, 2, 3, "x86_64"),
    "t2.medium": (2, 4, 3, "x86_64"),
    "t2.large": (2, 8, 3, "x86_64"),
    "t2.xlarge": (4, 16, 3, "x86_64"),
    "t3.micro": (2, 1, 2, "x86_64"),
    "t3.small": (2, 2, 3, "x86_64"),
    "t3.medium": (2, 4, 3, "x86_64"),
    "t3.large": (2, 8, 3, "x86_64"),
    "t3.xlarge": (4, 16, 4, "x86_64"),
    "t3.2xlarge": (8, 32, 4, "x86_64"),
    "t4g.micro": (2, 1, 2, "arm64"),
    "t4g.small": (2, 2, 3, "arm64"),
    "t4g.medium": (2, 4, 3, "arm64"),
    "t4g.large": (2, 8, 3, "arm64"),
    "m5.large": (2, 8, 3, "x86_64"),
    "m5.xlarge": (4, 16, 4, "x86_64"),
    "m5.2xlarge": (8, 32, 4, "x86_64"),
    "m5.4xlarge": (16, 64, 8, "x86_64"),
    "m6i.large": (2, 8, 3, "x86_64"),
    "m6i.xlarge": (4, 16, 4, "x86_64"),
    "m6g.large": (2, 8, 3, "arm64"),
    "m6g.xlarge": (4, 16, 4, "arm64"),
    "m7g.large": (2, 8, 3, "arm64"),
    "c5.large": (2, 4, 3, "x86_64"),
    "c5.xlarge": (4, 8, 4, "x86_64"),
    "c5.2xlarge": (8, 16, 4, "x86_64"),
    "c6g.large": (2, 4, 3, "arm64"),
    "c6i.large": (2, 4, 3, "x86_64"),
    "r5.large": (2, 16, 3, "x86_64"),
    "r5.xlarge": (4, 32, 4, "x86_64"),
    "r6g.large": (2, 16, 3, "arm64"),
}

# An instance of a type not in the table (or registered without an identity document).
DEFAULT_TYPE = (2, 4, 3, "x86_64")


def registered_cpu_and_memory(instance_type: str | None) -> tuple[int, int]:
    """(CPU units, memory MiB) a container instance of this type registers."""
    vcpus, memory_gib, _, _ = INSTANCE_TYPES.get(instance_type or "", DEFAULT_TYPE)
    return vcpus * 1024, int(memory_gib * 1024)


def task_eni_limit(instance_type: str | None) -> int | None:
    """How many awsvpc tasks the instance can host (None: not known, unlimited)."""
    entry = INSTANCE_TYPES.get(instance_type or "")
    return None if entry is None else entry[2] - 1


def architecture(instance_type: str | None) -> str:
    return INSTANCE_TYPES.get(instance_type or "", DEFAULT_TYPE)[3]


def smallest_fitting(cpu: int, memory: int, *, min_vcpus: int = 0, min_memory_mib: int = 0,
                     architecture_wanted: str | None = None, enis: int = 0,
                     allowed: list[str] | None = None) -> str:
    """The cheapest-looking type (fewest vCPUs, then least memory) that registers at least ``cpu``
    units and ``memory`` MiB and meets the requirements; the largest known type when none does."""
    def fits(name: str) -> bool:
        vcpus, memory_gib, interfaces, arch = INSTANCE_TYPES[name]
        registered_cpu, registered_memory = registered_cpu_and_memory(name)
        return (registered_cpu >= cpu and registered_memory >= memory and vcpus >= min_vcpus
                and memory_gib * 1024 >= min_memory_mib and interfaces - 1 >= enis
                and (architecture_wanted is None or arch == architecture_wanted)
                and (not allowed or any(_matches(name, pattern) for pattern in allowed)))
    ordered = sorted(INSTANCE_TYPES, key=lambda n: (INSTANCE_TYPES[n][0], INSTANCE_TYPES[n][1], n))
    return next((name for name in ordered if fits(name)), ordered[-1])


def _matches(name: str, pattern: str) -> bool:
    """EC2 allowedInstanceTypes patterns: ``m5.large``, ``m5.*``, ``c*``."""
    return fnmatch.fnmatchcase(name, pattern)
