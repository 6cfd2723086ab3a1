"""The add-ons EKS offers: catalogue/addons.json and their configuration schemas, read once.

``offer(name)`` is an add-on as DescribeAddonVersions describes it, with its versions newest
first; ``AddonVersion`` knows the cluster versions it runs on, whether it is the default for
one, its configuration schema and the service accounts it can use with EKS Pod Identity.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CATALOGUE = Path(__file__).parent / "catalogue"
_REF = re.compile(r"^#/definitions/(.+)$")


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of ``v1.21.1-eksbuild.3``: its numbers in order, so newer sorts higher."""
    return tuple(int(n) for n in re.findall(r"\d+", version))


@dataclass(frozen=True)
class AddonVersion:
    addon_version: str
    cluster_versions: tuple[str, ...]
    default_for: frozenset[str]
    architecture: tuple[str, ...]
    compute_types: tuple[str, ...]
    platform_versions: tuple[str, ...]
    requires_configuration: bool
    requires_iam_permissions: bool
    schema: dict
    pod_identity: tuple[dict, ...] | None     # None: this version predates Pod Identity support

    def supports(self, cluster_version: str) -> bool:
        return cluster_version in self.cluster_versions

    def service_accounts(self) -> tuple[str, ...]:
        return tuple(entry["serviceAccount"] for entry in self.pod_identity or ())

    def info(self, cluster_version: str | None) -> dict:
        versions = self.cluster_versions if cluster_version is None else (cluster_version,)
        return {
            "addonVersion": self.addon_version,
            "architecture": list(self.architecture),
            "computeTypes": list(self.compute_types),
            "compatibilities": [{"clusterVersion": v, "platformVersions": list(self.platform_versions),
                                 "defaultVersion": v in self.default_for} for v in versions],
            "requiresConfiguration": self.requires_configuration,
            "requiresIamPermissions": self.requires_iam_permissions,
        }

    def schema_text(self) -> str:
        return json.dumps(self.schema, separators=(",", ":"))

    def pod_identity_configuration(self, partition: str) -> list[dict]:
        return [{"serviceAccount": entry["serviceAccount"],
                 "recommendedManagedPolicies": [f"arn:{partition}:iam::aws:policy/{name}"
                                                for name in entry["recommendedManagedPolicies"]]}
                for entry in self.pod_identity or ()]


@dataclass(frozen=True)
class AddonOffer:
    name: str
    type: str
    publisher: str
    owner: str
    default_namespace: str
    marketplace_information: dict | None
    versions: tuple[AddonVersion, ...]          # newest first

    def version(self, addon_version: str) -> AddonVersion | None:
        return next((v for v in self.versions if v.addon_version == addon_version), None)

    def versions_for(self, cluster_version: str) -> list[AddonVersion]:
        return [v for v in self.versions if v.supports(cluster_version)]

    def default_version(self, cluster_version: str) -> AddonVersion | None:
        return next((v for v in self.versions if cluster_version in v.default_for), None)

    def info(self, cluster_version: str | None) -> dict:
        versions = self.versions if cluster_version is None else self.versions_for(cluster_version)
        return {
            "addonName": self.name,
            "type": self.type,
            "addonVersions": [v.info(cluster_version) for v in versions],
            "publisher": self.publisher,
            "owner": self.owner,
            "marketplaceInformation": self.marketplace_information,
            "defaultNamespace": self.default_namespace,
        }


def _self_contained(schema: dict, definitions: dict) -> dict:
    """``schema`` with the shared definitions it refers to (transitively) copied into it."""
    needed: dict = {}

    def visit(node) -> None:
        if isinstance(node, dict):
            match = _REF.match(node.get("$ref", "")) if isinstance(node.get("$ref"), str) else None
            if match and match.group(1) not in needed:
                needed[match.group(1)] = definitions[match.group(1)]
                visit(definitions[match.group(1)])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)
    visit(schema)
    out = dict(schema)
    if needed:
        out["definitions"] = {name: needed[name] for name in sorted(needed)}
    return out


def _version(raw: dict, addon: dict, schemas: dict) -> AddonVersion:
    def field(name, default=None):
        return raw.get(name, addon.get(name, default))
    pod_identity = field("podIdentity", [])
    return AddonVersion(
        addon_version=raw["addonVersion"],
        cluster_versions=tuple(raw["clusterVersions"]),
        default_for=frozenset(raw.get("defaultFor", ())),
        architecture=tuple(field("architecture")),
        compute_types=tuple(field("computeTypes")),
        platform_versions=tuple(field("platformVersions", ["*"])),
        requires_configuration=field("requiresConfiguration", False),
        requires_iam_permissions=field("requiresIamPermissions", False),
        schema=schemas[field("configurationSchema")],
        pod_identity=None if pod_identity is False else tuple(pod_identity),
    )


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, AddonOffer]:
    addons = json.loads((CATALOGUE / "addons.json").read_text())["addons"]
    schema_file = json.loads((CATALOGUE / "addon_configuration_schemas.json").read_text())
    schemas = {name: _self_contained(schema, schema_file["definitions"])
               for name, schema in schema_file["schemas"].items()}
    offers = {}
    for addon in addons:
        versions = sorted((_version(v, addon, schemas) for v in addon["versions"]),
                          key=lambda v: version_key(v.addon_version), reverse=True)
        offers[addon["addonName"]] = AddonOffer(
            name=addon["addonName"], type=addon["type"], publisher=addon["publisher"], owner=addon["owner"],
            default_namespace=addon["defaultNamespace"],
            marketplace_information=addon.get("marketplaceInformation"), versions=tuple(versions))
    return dict(sorted(offers.items()))


def offer(name: str) -> AddonOffer | None:
    return _catalogue().get(name)


def offers() -> list[AddonOffer]:
    """Every add-on, by name."""
    return list(_catalogue().values())
