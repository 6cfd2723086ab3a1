"""The Kubernetes version catalogue (catalogue/versions.json) and DescribeClusterVersions.

Other modules ask it: ``is_offered(v)`` (a version new clusters and upgrades
may use: in standard or extended support), ``DEFAULT_VERSION``,
``platform_version(v)``, ``ami_release_versions(v, ami_type)`` (oldest first)
and ``minor_after(v)``.
"""
from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from pathlib import Path

from emulator.core.service import RequestContext
from emulator.eks.common import list_page
from emulator.eks.service import eks

# versionStatus (current field) -> status (deprecated field), both reported.
LEGACY_STATUS = {"UNSUPPORTED": "unsupported", "STANDARD_SUPPORT": "standard-support",
                 "EXTENDED_SUPPORT": "extended-support"}
CLUSTER_TYPE = "eks"


def _epoch(date: str) -> float:
    year, month, day = (int(p) for p in date.split("-"))
    return float(calendar.timegm((year, month, day, 0, 0, 0)))


def minor_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


@dataclass(frozen=True)
class KubernetesVersion:
    version: str
    release_date: float
    end_of_standard_support: float
    end_of_extended_support: float
    version_status: str
    platform_version: str
    patch_version: str
    ami_release_versions: tuple[str, ...]
    bottlerocket_release_versions: tuple[str, ...]

    @property
    def offered(self) -> bool:
        return self.version_status != "UNSUPPORTED"

    def describe(self) -> dict:
        return {"clusterVersion": self.version, "clusterType": CLUSTER_TYPE,
                "defaultPlatformVersion": self.platform_version, "defaultVersion": self.version == DEFAULT_VERSION,
                "releaseDate": self.release_date, "endOfStandardSupportDate": self.end_of_standard_support,
                "endOfExtendedSupportDate": self.end_of_extended_support,
                "status": LEGACY_STATUS[self.version_status], "versionStatus": self.version_status,
                "kubernetesPatchVersion": self.patch_version}


def _load() -> tuple[dict, list[KubernetesVersion]]:
    raw = json.loads((Path(__file__).parent / "catalogue" / "versions.json").read_text())
    versions = [KubernetesVersion(
        version=v["clusterVersion"], release_date=_epoch(v["releaseDate"]),
        end_of_standard_support=_epoch(v["endOfStandardSupportDate"]),
        end_of_extended_support=_epoch(v["endOfExtendedSupportDate"]),
        version_status=v["versionStatus"], platform_version=v["defaultPlatformVersion"],
        patch_version=v["kubernetesPatchVersion"],
        ami_release_versions=tuple(v["amiReleaseVersions"]),
        bottlerocket_release_versions=tuple(v["bottlerocketReleaseVersions"]))
        for v in raw["versions"]]
    versions.sort(key=lambda v: minor_key(v.version), reverse=True)
    return raw, versions


_RAW, CATALOGUE = _load()                      # newest first
BY_VERSION = {v.version: v for v in CATALOGUE}
DEFAULT_VERSION: str = _RAW["defaultVersion"]
AL2_LAST_VERSION: str = _RAW["al2LastVersion"]  # Amazon Linux 2 AMIs are not built for later minors
_POSITION = {v.version: i for i, v in enumerate(CATALOGUE)}


def is_offered(version: str) -> bool:
    info = BY_VERSION.get(version)
    return info is not None and info.offered


def platform_version(version: str) -> str:
    info = BY_VERSION.get(version)
    return info.platform_version if info is not None else "eks.1"


def minor_after(version: str) -> str:
    major, minor = minor_key(version)[:2]
    return f"{major}.{minor + 1}"


def ami_release_versions(version: str, ami_type: str) -> tuple[str, ...]:
    """The AMI release versions published for a minor and AMI family, oldest first."""
    info = BY_VERSION.get(version)
    if info is None:
        return ()
    return info.bottlerocket_release_versions if ami_type.startswith("BOTTLEROCKET") else info.ami_release_versions


def al2_available(version: str) -> bool:
    return minor_key(version) <= minor_key(AL2_LAST_VERSION)


@eks.operation("DescribeClusterVersions")
def describe_cluster_versions(ctx: RequestContext, params: dict) -> dict:
    version_status = params.get("versionStatus")
    legacy_status = params.get("status")
    # Asking for retired versions by status lists them without includeAll.
    include_all = params.get("includeAll", False) or "UNSUPPORTED" in (
        version_status, {"unsupported": "UNSUPPORTED"}.get(legacy_status))
    wanted = set(params.get("clusterVersions") or ())
    matches = [v for v in CATALOGUE
               if (include_all or v.offered)
               and params.get("clusterType", CLUSTER_TYPE) == CLUSTER_TYPE
               and (not params.get("defaultOnly") or v.version == DEFAULT_VERSION)
               and (not wanted or v.version in wanted)
               and (version_status is None or v.version_status == version_status)
               and (legacy_status is None or LEGACY_STATUS[v.version_status] == legacy_status)]
    scope = json.dumps({k: params.get(k) for k in ("clusterType", "defaultOnly", "includeAll", "clusterVersions",
                                                   "status", "versionStatus")}, sort_keys=True)
    positions, token = list_page([_POSITION[v.version] for v in matches], params, scope)
    return {"clusterVersions": [CATALOGUE[i].describe() for i in positions], "nextToken": token}
