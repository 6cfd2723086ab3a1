"""EKS access entries and access policies.

CreateAccessEntry, DescribeAccessEntry, ListAccessEntries, UpdateAccessEntry, DeleteAccessEntry,
AssociateAccessPolicy, DisassociateAccessPolicy, ListAssociatedAccessPolicies, ListAccessPolicies.

An access entry grants one IAM principal (role, user or the account root) access to a cluster
whose authentication mode is API or API_AND_CONFIG_MAP; every operation here except
ListAccessPolicies refuses a CONFIG_MAP cluster. The entry types, the usernames and groups
EKS generates for them, and the access policies come from catalogue/access.json.

Other modules: :func:`create_node_access_entry` makes the entry EKS creates for a managed node
group's or Fargate profile's role; the cluster creator's admin entry is made when a cluster is
created with an API* authentication mode and ``bootstrapClusterCreatorAdminPermissions``.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from emulator.core import ids
from emulator.core.service import RequestContext
from emulator.eks import idempotency
from emulator.eks.children import ordered, remember_created
from emulator.eks.clusters import on_cluster_created
from emulator.eks.common import get_cluster, list_page, require_active
from emulator.eks.errors import (InvalidParameterException, InvalidRequestException, ResourceInUseException,
                                 ResourceNotFoundException)
from emulator.eks.principals import Principal, parse_principal
from emulator.eks.service import SortedNames, eks
from emulator.eks.tags import check_create_tags, resource_parts, taggable

_CATALOGUE = json.loads((Path(__file__).parent / "catalogue" / "access.json").read_text())
ACCESS_POLICY_NAMES: tuple[str, ...] = tuple(sorted(_CATALOGUE["accessPolicies"]))
ENTRY_TYPES: dict[str, dict] = _CATALOGUE["accessEntryTypes"]
CLUSTER_ADMIN_POLICY = "AmazonEKSClusterAdminPolicy"
API_MODES = ("API", "API_AND_CONFIG_MAP")
RESERVED_USERNAME_PREFIXES = ("system:", "eks:", "aws:", "amazon:", "iam:")
SESSION_NAME_PLACEHOLDERS = ("{{SessionName}}", "{{SessionNameRaw}}")
# A namespace name (DNS-1123 label), optionally ending in a * wildcard.
NAMESPACE_PATTERN = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?|[a-z0-9][-a-z0-9]{0,61}\*")

AUTHENTICATION_MODE_REQUIRED = ("The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] "
                                "to perform this operation.")
ENTRY_EXISTS = "The specified access entry resource is already in use on this cluster."
ENTRY_NOT_FOUND = ("The specified principalArn could not be found. You can view your available access entries "
                   "with 'list-access-entries'.")
INVALID_PRINCIPAL = "The specified principalArn is invalid: invalid principal."
STANDARD_ONLY = 'This operation can only be performed on Access Entries with a type of "STANDARD".'
RESERVED_GROUP = "The kubernetes group name {group} is invalid, it cannot start with system:"
RESERVED_USERNAME = "The username must not begin with {prefix}"
INVALID_TYPE = ("The type {type} is not valid. Valid types are STANDARD, EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX, "
                "HYBRID_LINUX, EC2 and HYPERPOD_LINUX.")                                          # (own wording)
NODE_TYPE_NEEDS_ROLE = ("An access entry of type {type} must be for an IAM role in the cluster's "
                        "account.")                                                              # (own wording)
SESSION_NAME_NEEDS_COLON = "The username must contain a colon (:) before {placeholder}."        # (own wording)
EMPTY_USERNAME = "The username cannot be empty."                                                # (own wording)
INVALID_POLICY = "The specified policyArn is invalid: {policy_arn}"                             # (own wording)
POLICY_NOT_FOR_TYPE = "The access policy {policy_arn} cannot be associated with an access entry of type {type}."  # (own wording)
POLICY_NOT_ASSOCIATED = "The specified policyArn is not associated with the access entry."       # (own wording)
SCOPE_TYPE_REQUIRED = "accessScope.type is required and must be cluster or namespace."           # (own wording)
CLUSTER_SCOPE_NAMESPACES = "Namespaces cannot be specified for an access scope of type cluster."  # (own wording)
NAMESPACE_SCOPE_EMPTY = "At least one namespace is required for an access scope of type namespace."  # (own wording)
INVALID_NAMESPACE = "The namespace {namespace} is not a valid Kubernetes namespace name."        # (own wording)


def policy_arn(partition: str, name: str) -> str:
    return f"arn:{partition}:eks::aws:cluster-access-policy/{name}"


@dataclass
class AssociatedPolicy:
    policy_arn: str
    access_scope: dict
    associated_at: float
    modified_at: float

    def describe(self) -> dict:
        return {"policyArn": self.policy_arn, "accessScope": self.access_scope,
                "associatedAt": self.associated_at, "modifiedAt": self.modified_at}


@dataclass(eq=False)
class AccessEntry:
    cluster_name: str
    principal_arn: str
    arn: str
    type: str
    username: str
    kubernetes_groups: list[str]
    created_at: float
    modified_at: float
    tags: dict = field(default_factory=dict)
    policies: dict = field(default_factory=dict)              # policy ARN -> AssociatedPolicy
    policy_order: SortedNames = field(default_factory=SortedNames)

    def describe(self) -> dict:
        return {"clusterName": self.cluster_name, "principalArn": self.principal_arn,
                "kubernetesGroups": list(self.kubernetes_groups), "accessEntryArn": self.arn,
                "createdAt": self.created_at, "modifiedAt": self.modified_at, "tags": self.tags,
                "username": self.username, "type": self.type}

    def associate(self, arn: str, scope: dict, now: float) -> AssociatedPolicy:
        existing = self.policies.get(arn)
        if existing is None:
            existing = self.policies[arn] = AssociatedPolicy(arn, scope, now, now)
            self.policy_order.add(arn)
        else:
            existing.access_scope, existing.modified_at = scope, now
        return existing


def entries_of(cluster):
    return ordered(cluster, "access_entries")


def access_cluster(ctx: RequestContext, name: str):
    """The cluster, provided its authentication mode lets access entries be used."""
    cluster = get_cluster(ctx, name)
    if cluster.access_config.get("authenticationMode", "CONFIG_MAP") not in API_MODES:
        raise InvalidRequestException(AUTHENTICATION_MODE_REQUIRED, clusterName=cluster.name)
    return cluster


def get_entry(cluster, principal_arn: str) -> AccessEntry:
    entry = entries_of(cluster).get(principal_arn)
    if entry is None:
        raise ResourceNotFoundException(ENTRY_NOT_FOUND, clusterName=cluster.name)
    return entry


def _principal(principal_arn: str, entry_type: str, cluster, account: str) -> Principal:
    principal = parse_principal(principal_arn)
    if principal is None or principal.service_linked:
        raise InvalidParameterException(INVALID_PRINCIPAL, clusterName=cluster.name)
    if entry_type not in ENTRY_TYPES:
        raise InvalidParameterException(INVALID_TYPE.format(type=entry_type), clusterName=cluster.name)
    if ENTRY_TYPES[entry_type]["nodes"] and (principal.kind != "role" or principal.account != account):
        raise InvalidParameterException(NODE_TYPE_NEEDS_ROLE.format(type=entry_type), clusterName=cluster.name)
    return principal


def _check_groups_and_username(groups: list[str] | None, username: str | None, cluster) -> None:
    if username is not None:
        if not username:
            raise InvalidParameterException(EMPTY_USERNAME, clusterName=cluster.name)
        for prefix in RESERVED_USERNAME_PREFIXES:
            if username.startswith(prefix):
                raise InvalidParameterException(RESERVED_USERNAME.format(prefix=prefix), clusterName=cluster.name)
        for placeholder in SESSION_NAME_PLACEHOLDERS:
            position = username.find(placeholder)
            if position >= 0 and ":" not in username[:position]:
                raise InvalidParameterException(SESSION_NAME_NEEDS_COLON.format(placeholder=placeholder),
                                                clusterName=cluster.name)
    for group in groups or ():
        if group.startswith("system:"):
            raise InvalidParameterException(RESERVED_GROUP.format(group=group), clusterName=cluster.name)


def _check_standard(entry_type: str, cluster) -> None:
    if ENTRY_TYPES[entry_type]["nodes"]:
        raise InvalidParameterException(STANDARD_ONLY, clusterName=cluster.name)


def default_username(principal: Principal, principal_arn: str, entry_type: str) -> str:
    rules = ENTRY_TYPES[entry_type]
    template = rules["roleUsername"] if principal.kind == "role" else rules["userUsername"]
    return (template.replace("{partition}", principal.partition).replace("{account}", principal.account)
            .replace("{principalName}", principal.name).replace("{principalArn}", principal_arn))


def add_entry(ctx: RequestContext, cluster, principal_arn: str, entry_type: str = "STANDARD", *,
              username: str | None = None, groups: list[str] | None = None, tags: dict | None = None) -> AccessEntry:
    """Store a new entry (the request already checked), with the defaults EKS fills in."""
    principal = parse_principal(principal_arn)
    uid = ids.uuid4()
    entry = AccessEntry(
        cluster_name=cluster.name, principal_arn=principal_arn,
        arn=ctx.arn(f"access-entry/{cluster.name}/{principal.kind}/{principal.account}/{principal.name}/{uid}"),
        type=entry_type, username=username or default_username(principal, principal_arn, entry_type),
        kubernetes_groups=list(groups) if groups is not None else list(ENTRY_TYPES[entry_type]["kubernetesGroups"]),
        created_at=ctx.now, modified_at=ctx.now, tags=dict(tags or {}))
    entries = entries_of(cluster)
    entries[principal_arn] = entry
    entries.index[uid] = principal_arn
    return entry


def create_node_access_entry(ctx: RequestContext, cluster, role_arn: str, entry_type: str) -> AccessEntry | None:
    """The entry EKS creates for a node role (EC2_LINUX, FARGATE_LINUX, ...) in an API* cluster, if none exists."""
    if cluster.access_config.get("authenticationMode", "CONFIG_MAP") not in API_MODES:
        return None
    if role_arn in entries_of(cluster) or parse_principal(role_arn) is None:
        return None
    return add_entry(ctx, cluster, role_arn, entry_type)


@on_cluster_created
def create_creator_access_entry(ctx: RequestContext, cluster) -> None:
    """The cluster creator's entry, with cluster-wide AmazonEKSClusterAdminPolicy."""
    access = cluster.access_config
    if access.get("authenticationMode") not in API_MODES or not access.get("bootstrapClusterCreatorAdminPermissions",
                                                                           True):
        return
    entry = add_entry(ctx, cluster, ctx.caller_arn)
    entry.associate(policy_arn(ctx.partition, CLUSTER_ADMIN_POLICY), {"type": "cluster", "namespaces": []}, ctx.now)


@eks.operation("CreateAccessEntry")
def create_access_entry(ctx: RequestContext, params: dict) -> dict:
    cluster = access_cluster(ctx, params["clusterName"])
    replay = idempotency.replayed(ctx, params, scope=cluster.uid)
    if replay is not None:
        return replay
    require_active(cluster)
    principal_arn = params["principalArn"]
    entry_type = params.get("type", "STANDARD")
    _principal(principal_arn, entry_type, cluster, ctx.account)
    groups, username = params.get("kubernetesGroups"), params.get("username")
    _check_groups_and_username(groups, username, cluster)
    if groups is not None or username is not None:
        _check_standard(entry_type, cluster)
    tags = params.get("tags") or {}
    check_create_tags(tags)
    if principal_arn in entries_of(cluster):
        raise ResourceInUseException(ENTRY_EXISTS, clusterName=cluster.name)
    entry = add_entry(ctx, cluster, principal_arn, entry_type, username=username, groups=groups, tags=tags)
    remember_created(ctx, params, "accessEntry", entry, entries_of(cluster), principal_arn, scope=cluster.uid)
    return {"accessEntry": entry.describe()}


@eks.operation("DescribeAccessEntry")
def describe_access_entry(ctx: RequestContext, params: dict) -> dict:
    cluster = access_cluster(ctx, params["clusterName"])
    return {"accessEntry": get_entry(cluster, params["principalArn"]).describe()}


@eks.operation("ListAccessEntries")
def list_access_entries(ctx: RequestContext, params: dict) -> dict:
    cluster = access_cluster(ctx, params["clusterName"])
    entries = entries_of(cluster)
    policy = params.get("associatedPolicyArn")
    keys = entries.sorted_keys if policy is None else [k for k in entries.sorted_keys if policy in entries[k].policies]
    page, token = list_page(keys, params, scope=policy or "", clusterName=cluster.name)
    return {"accessEntries": page, "nextToken": token}


@eks.operation("UpdateAccessEntry")
def update_access_entry(ctx: RequestContext, params: dict) -> dict:
    cluster = access_cluster(ctx, params["clusterName"])
    entry = get_entry(cluster, params["principalArn"])
    replay = idempotency.replayed(ctx, params, scope=entry.arn)
    if replay is not None:
        return replay
    require_active(cluster)
    groups, username = params.get("kubernetesGroups"), params.get("username")
    _check_groups_and_username(groups, username, cluster)
    if groups is not None or username is not None:
        _check_standard(entry.type, cluster)
    if groups is not None:
        entry.kubernetes_groups = list(groups)
    if username is not None:
        entry.username = username
    entry.modified_at = ctx.now
    idempotency.remember(ctx, params, lambda: {"accessEntry": entry.describe()}, scope=entry.arn)
    return {"accessEntry": entry.describe()}


@eks.operation("DeleteAccessEntry")
def delete_access_entry(ctx: RequestContext, params: dict) -> dict:
    cluster = access_cluster(ctx, params["clusterName"])
    entry = get_entry(cluster, params["principalArn"])
    entries = entries_of(cluster)
    entries.pop(entry.principal_arn)
    entries.index.pop(entry.arn.rsplit("/", 1)[1], None)
    return {}


def _access_scope(scope: dict, cluster) -> dict:
    kind, namespaces = scope.get("type"), scope.get("namespaces") or []
    if kind not in ("cluster", "namespace"):
        raise InvalidParameterException(SCOPE_TYPE_REQUIRED, clusterName=cluster.name)
    if kind == "cluster" and namespaces:
        raise InvalidParameterException(CLUSTER_SCOPE_NAMESPACES, clusterName=cluster.name)
    if kind == "namespace":
        if not namespaces:
            raise InvalidParameterException(NAMESPACE_SCOPE_EMPTY, clusterName=cluster.name)
        for namespace in namespaces:
            if not NAMESPACE_PATTERN.fullmatch(namespace):
                raise InvalidParameterException(INVALID_NAMESPACE.format(namespace=namespace),
                                                clusterName=cluster.name)
    return {"type": kind, "namespaces": list(dict.fromkeys(namespaces))}


def _policy_name(arn: str, partition: str) -> str | None:
    prefix = policy_arn(partition, "")
    name = arn[len(prefix):] if arn.startswith(prefix) else None
    return name if name in ACCESS_POLICY_NAMES else None


@eks.operation("AssociateAccessPolicy")
def associate_access_policy(ctx: RequestContext, params: dict) -> dict:
    cluster = access_cluster(ctx, params["clusterName"])
    entry = get_entry(cluster, params["principalArn"])
    require_active(cluster)
    arn = params["policyArn"]
    name = _policy_name(arn, ctx.partition)
    if name is None:
        raise InvalidParameterException(INVALID_POLICY.format(policy_arn=arn), clusterName=cluster.name)
    allowed = ENTRY_TYPES[entry.type]["policies"]
    if allowed is not None and name not in allowed:
        if not allowed:
            raise InvalidParameterException(STANDARD_ONLY, clusterName=cluster.name)
        raise InvalidParameterException(POLICY_NOT_FOR_TYPE.format(policy_arn=arn, type=entry.type),
                                        clusterName=cluster.name)
    scope = _access_scope(params["accessScope"], cluster)
    associated = entry.associate(arn, scope, ctx.now)
    return {"clusterName": cluster.name, "principalArn": entry.principal_arn,
            "associatedAccessPolicy": associated.describe()}


@eks.operation("DisassociateAccessPolicy")
def disassociate_access_policy(ctx: RequestContext, params: dict) -> dict:
    cluster = access_cluster(ctx, params["clusterName"])
    entry = get_entry(cluster, params["principalArn"])
    arn = params["policyArn"]
    if arn not in entry.policies:
        raise ResourceNotFoundException(POLICY_NOT_ASSOCIATED, clusterName=cluster.name)
    del entry.policies[arn]
    entry.policy_order.discard(arn)
    return {}


@eks.operation("ListAssociatedAccessPolicies")
def list_associated_access_policies(ctx: RequestContext, params: dict) -> dict:
    cluster = access_cluster(ctx, params["clusterName"])
    entry = get_entry(cluster, params["principalArn"])
    page, token = list_page(entry.policy_order, params, scope=entry.principal_arn, clusterName=cluster.name)
    return {"clusterName": cluster.name, "principalArn": entry.principal_arn, "nextToken": token,
            "associatedAccessPolicies": [entry.policies[arn].describe() for arn in page]}


@eks.operation("ListAccessPolicies")
def list_access_policies(ctx: RequestContext, params: dict) -> dict:
    names, token = list_page(ACCESS_POLICY_NAMES, params)
    return {"accessPolicies": [{"name": n, "arn": policy_arn(ctx.partition, n)} for n in names], "nextToken": token}


@taggable("access-entry")
def access_entry_for_tags(store, arn):
    cluster_name, kind, account, name, uid = resource_parts(arn, 5)
    cluster = store.clusters.get(cluster_name)
    if cluster is None:
        return None
    entries = entries_of(cluster)
    entry = entries.get(entries.index.get(uid))
    return entry if entry is not None and entry.arn.endswith(f"/{kind}/{account}/{name}/{uid}") else None
