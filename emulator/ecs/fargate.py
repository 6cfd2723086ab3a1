"""Fargate as AWS publishes it: task sizes, operating systems, platform versions.

The tables are data (AWS's "Task CPU and memory" table and the platform-version change logs);
the functions only read them. Values are CPU units (1024 = 1 vCPU) and MiB, as integers.
"""
from __future__ import annotations

import functools

# cpu units -> the memory sizes (MiB) Linux Fargate offers with it: AWS's table, row by row
# ("between 4096 and 16384 in increments of 1024" is a range).
LINUX_TASK_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

# Windows on Fargate offers the 1, 2 and 4 vCPU rows only.
WINDOWS_TASK_CPUS: frozenset[int] = frozenset({1024, 2048, 4096})

# runtimePlatform.operatingSystemFamily values Fargate runs (Windows platform version 1.0.0).
WINDOWS_FAMILIES: frozenset[str] = frozenset({
    "WINDOWS_SERVER_2019_FULL", "WINDOWS_SERVER_2019_CORE",
    "WINDOWS_SERVER_2022_FULL", "WINDOWS_SERVER_2022_CORE",
})
LINUX = "LINUX"

# Platform versions that can be requested, and what LATEST means, per operating system.
PLATFORM_VERSIONS: dict[str, dict[str, object]] = {
    "LINUX": {"latest": "1.4.0", "versions": ("1.3.0", "1.4.0")},
    "WINDOWS": {"latest": "1.0.0", "versions": ("1.0.0",)},
}
# Task sizes above 4 vCPU need Linux platform version 1.4.0 or later.
MIN_PLATFORM_FOR_CPU: dict[int, str] = {8192: "1.4.0", 16384: "1.4.0"}

# Ephemeral storage (GiB): what a task gets when it asks for nothing, and what it may ask for.
DEFAULT_EPHEMERAL_STORAGE_GIB = 20
EPHEMERAL_STORAGE_RANGE_GIB = (21, 200)


def memory_options(cpu: int) -> tuple[int, ...]:
    """The memory sizes (MiB) Linux Fargate offers with ``cpu`` units; () for an unknown cpu."""
    return LINUX_TASK_SIZES.get(cpu, ())


def linux_pairs() -> list[tuple[int, int]]:
    return [(cpu, memory) for cpu in sorted(LINUX_TASK_SIZES) for memory in memory_options(cpu)]


def is_windows(os_family: str | None) -> bool:
    return bool(os_family) and os_family != LINUX


def supports_size(cpu: int, memory: int, os_family: str | None = None) -> bool:
    """Whether Fargate offers a task of ``cpu`` units and ``memory`` MiB on that operating system."""
    if is_windows(os_family) and cpu not in WINDOWS_TASK_CPUS:
        return False
    return memory in memory_options(cpu)


def platform_family(os_family: str | None) -> str:
    return "WINDOWS" if is_windows(os_family) else "LINUX"


def resolve_platform_version(requested: str | None, os_family: str | None = None) -> str | None:
    """The platform version a task runs on (``LATEST`` or omitted -> the newest); None when unknown."""
    table = PLATFORM_VERSIONS[platform_family(os_family)]
    if requested in (None, "LATEST"):
        return table["latest"]
    return requested if requested in table["versions"] else None


def platform_supports_cpu(platform_version: str, cpu: int) -> bool:
    minimum = MIN_PLATFORM_FOR_CPU.get(cpu)
    return minimum is None or _version_key(platform_version) >= _version_key(minimum)


@functools.lru_cache(maxsize=64)      # a handful of versions, compared on every Fargate launch
def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))
