"""EKS capabilities: Create/Describe/List/Update/DeleteCapability.

A capability is a platform component EKS runs for the cluster, outside it: ARGOCD (Argo CD,
signing in through IAM Identity Center), ACK or KRO. A cluster has at most one capability of
each type, and capability names are unique in it. Lifecycle: CREATING -> ACTIVE after
``eks.capability.create``; UpdateCapability is an update scoped by ``capabilityName``
(UPDATING -> ACTIVE after ``eks.capability.update``, the change applied then); DeleteCapability:
DELETING, gone after ``eks.capability.delete``.

The update record's type is ``ConfigUpdate`` with one ``ConfigurationValues`` parameter holding
the requested change as JSON (AWS does not document the parameters of capability updates).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from emulator.config import declare_duration
from emulator.core import ids
from emulator.core.service import RequestContext
from emulator.eks import idempotency
from emulator.eks.children import remember_created, settle_later
from emulator.eks.cluster_config import check_role_arn
from emulator.eks.common import get_cluster, list_page, require_active
from emulator.eks.errors import InvalidParameterException, ResourceInUseException, ResourceNotFoundException
from emulator.eks.service import eks
from emulator.eks.tags import check_create_tags, resource_parts, taggable
from emulator.eks.updates import UpdateLog, check_can_update, start_update, update_scope

CREATE = declare_duration("eks.capability.create", 600, "EKS capability CREATING -> ACTIVE")
UPDATE = declare_duration("eks.capability.update", 300, "EKS capability update (UPDATING -> ACTIVE)")
DELETE = declare_duration("eks.capability.delete", 300, "EKS capability DELETING -> gone")

_CATALOGUE = json.loads((Path(__file__).parent / "catalogue" / "capabilities.json").read_text())
VERSIONS: dict[str, str] = _CATALOGUE["versions"]
ARGOCD_NAMESPACE: str = _CATALOGUE["argoCdDefaultNamespace"]
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
IDC_INSTANCE_ARN = re.compile(r"arn:aws(-cn|-us-gov)?:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}")
VPC_ENDPOINT_ID = re.compile(r"vpce-[0-9a-f]{8,17}")
UPDATABLE_STATUSES = ("ACTIVE", "DEGRADED")

CAPABILITY_NOT_FOUND = "No capability found for name: {name}"                                   # (own wording)
INVALID_NAME = ("The capability name {name} is not valid. It must start with a letter or digit and can contain "
                "letters, digits, hyphens and underscores (at most 100 characters).")           # (own wording)
NAME_TAKEN = "Capability {name} already exists in cluster {cluster}."                           # (own wording)
TYPE_TAKEN = "Cluster {cluster} already has a capability of type {type}: {name}."               # (own wording)
ARGOCD_NEEDS_CONFIGURATION = "A capability of type ARGOCD requires configuration.argoCd with awsIdc."  # (own wording)
ARGOCD_CONFIGURATION_ONLY = "configuration.argoCd can only be given for a capability of type ARGOCD."  # (own wording)
INVALID_IDC_INSTANCE = "The idcInstanceArn {arn} is not a valid IAM Identity Center instance ARN."  # (own wording)
INVALID_VPC_ENDPOINT = "The VPC endpoint id {id} is not valid."                                 # (own wording)
NOT_UPDATABLE = "Capability cannot be updated as it is currently not in Active State"           # (own wording)


@dataclass(eq=False)
class Capability:
    name: str
    arn: str
    cluster_name: str
    type: str
    role_arn: str
    version: str
    configuration: dict | None
    delete_propagation_policy: str
    created_at: float
    modified_at: float
    status: str = "CREATING"
    tags: dict = field(default_factory=dict)
    updates: UpdateLog = field(default_factory=UpdateLog)

    def check_updatable(self) -> None:
        if self.status not in UPDATABLE_STATUSES:
            raise ResourceInUseException(NOT_UPDATABLE, clusterName=self.cluster_name)

    def summary(self) -> dict:
        return {"capabilityName": self.name, "arn": self.arn, "type": self.type, "status": self.status,
                "version": self.version, "createdAt": self.created_at, "modifiedAt": self.modified_at}

    def describe(self) -> dict:
        return {**self.summary(), "clusterName": self.cluster_name, "roleArn": self.role_arn,
                "configuration": self.configuration, "tags": self.tags, "health": {"issues": []},
                "deletePropagationPolicy": self.delete_propagation_policy}


def get_capability(cluster, name: str) -> Capability:
    capability = cluster.capabilities.get(name)
    if capability is None:
        raise ResourceNotFoundException(CAPABILITY_NOT_FOUND.format(name=name), clusterName=cluster.name)
    return capability


@update_scope("capabilityName")
def capability_for_update(cluster, name: str) -> Capability:
    return get_capability(cluster, name)


def _check_network_access(network_access: dict | None, cluster_name: str) -> None:
    for vpce_id in (network_access or {}).get("vpceIds") or ():
        if not VPC_ENDPOINT_ID.fullmatch(vpce_id):
            raise InvalidParameterException(INVALID_VPC_ENDPOINT.format(id=vpce_id), clusterName=cluster_name)


def _argocd_configuration(ctx: RequestContext, request: dict, cluster_name: str) -> dict:
    """The Argo CD configuration as DescribeCapability reports it, with what EKS adds."""
    idc = request.get("awsIdc")
    if not idc:
        raise InvalidParameterException(ARGOCD_NEEDS_CONFIGURATION, clusterName=cluster_name)
    if not IDC_INSTANCE_ARN.fullmatch(idc["idcInstanceArn"]):
        raise InvalidParameterException(INVALID_IDC_INSTANCE.format(arn=idc["idcInstanceArn"]),
                                        clusterName=cluster_name)
    _check_network_access(request.get("networkAccess"), cluster_name)
    instance = idc["idcInstanceArn"].rsplit("/", 1)[1]
    return {
        "namespace": request.get("namespace") or ARGOCD_NAMESPACE,
        "awsIdc": {"idcInstanceArn": idc["idcInstanceArn"], "idcRegion": idc.get("idcRegion") or ctx.region,
                   "idcManagedApplicationArn": (f"arn:{ctx.partition}:sso::{ctx.account}:application/{instance}/"
                                                f"apl-{ids.hex_id(16)}")},
        "rbacRoleMappings": [_mapping(m) for m in request.get("rbacRoleMappings") or ()],
        "networkAccess": {"vpceIds": list((request.get("networkAccess") or {}).get("vpceIds") or ())},
        "serverUrl": f"https://{ids.hex_id(32)}.argocd.eks.{ctx.region}.amazonaws.com",
    }


def _mapping(mapping: dict) -> dict:
    return {"role": mapping["role"], "identities": [dict(i) for i in mapping["identities"]]}


def _apply_role_mappings(current: list[dict], change: dict) -> list[dict]:
    """Role mappings after adding/updating and removing identities, role by role."""
    by_role = {m["role"]: [dict(i) for i in m["identities"]] for m in current}
    for mapping in change.get("addOrUpdateRoleMappings") or ():
        identities = by_role.setdefault(mapping["role"], [])
        identities.extend(i for i in mapping["identities"] if i not in identities)
    for mapping in change.get("removeRoleMappings") or ():
        if mapping["role"] in by_role:
            by_role[mapping["role"]] = [i for i in by_role[mapping["role"]] if i not in mapping["identities"]]
    return [{"role": role, "identities": identities} for role, identities in by_role.items() if identities]


@eks.operation("CreateCapability")
def create_capability(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    replay = idempotency.replayed(ctx, params, scope=cluster.uid)
    if replay is not None:
        return replay
    require_active(cluster)
    name, kind = params["capabilityName"], params["type"]
    if not NAME.fullmatch(name):
        raise InvalidParameterException(INVALID_NAME.format(name=name), clusterName=cluster.name)
    check_role_arn(params["roleArn"], clusterName=cluster.name)
    argocd = (params.get("configuration") or {}).get("argoCd")
    if kind == "ARGOCD":
        configuration = {"argoCd": _argocd_configuration(ctx, argocd or {}, cluster.name)}
    elif argocd is not None:
        raise InvalidParameterException(ARGOCD_CONFIGURATION_ONLY, clusterName=cluster.name)
    else:
        configuration = None
    tags = dict(params.get("tags") or {})
    check_create_tags(tags)
    if name in cluster.capabilities:
        raise ResourceInUseException(NAME_TAKEN.format(name=name, cluster=cluster.name), clusterName=cluster.name)
    same_type = next((c for c in cluster.capabilities.values() if c.type == kind), None)
    if same_type is not None:
        raise ResourceInUseException(TYPE_TAKEN.format(cluster=cluster.name, type=kind, name=same_type.name),
                                     clusterName=cluster.name)
    capability = Capability(
        name=name, arn=ctx.arn(f"capability/{cluster.name}/{kind}/{name}/{ids.uuid4()}"),
        cluster_name=cluster.name, type=kind, role_arn=params["roleArn"], version=VERSIONS[kind],
        configuration=configuration, delete_propagation_policy=params["deletePropagationPolicy"],
        created_at=ctx.now, modified_at=ctx.now, tags=tags)
    cluster.capabilities[name] = capability
    settle_later(ctx, capability, CREATE, "CREATING")
    remember_created(ctx, params, "capability", capability, cluster.capabilities, name, scope=cluster.uid)
    return {"capability": capability.describe()}


@eks.operation("DescribeCapability")
def describe_capability(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    return {"capability": get_capability(cluster, params["capabilityName"]).describe()}


@eks.operation("ListCapabilities")
def list_capabilities(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    names, token = list_page(sorted(cluster.capabilities), params, clusterName=cluster.name)
    return {"capabilities": [cluster.capabilities[n].summary() for n in names], "nextToken": token}


@eks.operation("UpdateCapability")
def update_capability(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    capability = get_capability(cluster, params["capabilityName"])
    replay = idempotency.replayed(ctx, params, scope=capability.arn)
    if replay is not None:
        return replay
    check_can_update(cluster, "ConfigUpdate", target=capability)
    role_arn = params.get("roleArn")
    if role_arn is not None:
        check_role_arn(role_arn, clusterName=cluster.name)
    argocd = (params.get("configuration") or {}).get("argoCd")
    if argocd is not None:
        if capability.type != "ARGOCD":
            raise InvalidParameterException(ARGOCD_CONFIGURATION_ONLY, clusterName=cluster.name)
        _check_network_access(argocd.get("networkAccess"), cluster.name)
    change = {k: params[k] for k in ("roleArn", "configuration", "deletePropagationPolicy") if k in params}

    def apply(at: float) -> None:
        if role_arn is not None:
            capability.role_arn = role_arn
        if params.get("deletePropagationPolicy"):
            capability.delete_propagation_policy = params["deletePropagationPolicy"]
        if argocd is not None:
            current = capability.configuration["argoCd"]
            if "rbacRoleMappings" in argocd:
                current["rbacRoleMappings"] = _apply_role_mappings(current["rbacRoleMappings"],
                                                                   argocd["rbacRoleMappings"])
            if "networkAccess" in argocd:
                current["networkAccess"] = {"vpceIds": list(argocd["networkAccess"].get("vpceIds") or ())}

    update = start_update(ctx, cluster, "ConfigUpdate", [("ConfigurationValues", change)], target=capability,
                          on_success=apply, duration=UPDATE)
    idempotency.remember(ctx, params, lambda: {"update": update.describe()},
                         scope=capability.arn)
    return {"update": update.describe()}


@eks.operation("DeleteCapability")
def delete_capability(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    capability = get_capability(cluster, params["capabilityName"])
    if capability.status != "DELETING":      # deleting again answers the deletion under way
        capability.status = "DELETING"

        def remove(at: float) -> None:
            if cluster.capabilities.get(capability.name) is capability:
                del cluster.capabilities[capability.name]
        ctx.store.timeline.at(ctx.now + ctx.duration(DELETE), remove)
    return {"capability": capability.describe()}


@taggable("capability")
def capability_for_tags(store, arn):
    cluster_name, kind, name, uid = resource_parts(arn, 4)
    cluster = store.clusters.get(cluster_name)
    capability = cluster.capabilities.get(name) if cluster is not None else None
    return capability if capability is not None and capability.arn.endswith(f"/{kind}/{name}/{uid}") else None
