"""EKS add-ons: CreateAddon, DescribeAddon, ListAddons, UpdateAddon, DeleteAddon,
DescribeAddonVersions and DescribeAddonConfiguration.

What can be installed comes from the add-on catalogue (addon_catalogue.py): an add-on must be
offered for the cluster's Kubernetes version, and so must the version asked for (the default
one when none is). ``configurationValues`` (JSON or YAML) must satisfy the version's schema
and is echoed exactly as sent. ``podIdentityAssociations`` create pod identity associations
owned by the add-on, in its namespace, for service accounts the version can use.

Lifecycle: CREATING -> ACTIVE after ``eks.addon.create``; UpdateAddon starts an ``AddonUpdate``
(UPDATING -> ACTIVE after ``eks.addon.update``); DeleteAddon: DELETING, gone after
``eks.addon.delete``, taking its pod identity associations with it unless ``preserve`` is set
(they then stay, no longer owned by the add-on).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from emulator.config import declare_duration
from emulator.core import ids
from emulator.core.service import RequestContext
from emulator.eks import addon_catalogue, config_values, idempotency, pod_identity
from emulator.eks.addon_catalogue import AddonOffer, AddonVersion
from emulator.eks.children import remember_created, settle_later
from emulator.eks.cluster_config import check_role_arn
from emulator.eks.common import get_cluster, list_page, require_active
from emulator.eks.errors import (InvalidParameterException, ResourceInUseException,
                                 ResourceNotFoundException)
from emulator.eks.service import eks
from emulator.eks.tags import check_create_tags, resource_parts, taggable
from emulator.eks.updates import UpdateLog, check_can_update, start_update, update_scope

CREATE = declare_duration("eks.addon.create", 60, "EKS add-on CREATING -> ACTIVE")
UPDATE = declare_duration("eks.addon.update", 60, "EKS add-on update (UPDATING -> ACTIVE)")
DELETE = declare_duration("eks.addon.delete", 30, "EKS add-on DELETING -> gone")

ADDON_EXISTS = "Addon already exists."
ADDON_NOT_FOUND = "No addon: {addon} found in cluster: {cluster}"
ADDON_NOT_SUPPORTED = "Addon specified is not supported"
VERSION_NOT_SUPPORTED = "Addon version specified is not supported"
CONFIGURATION_REJECTED = "ConfigurationValue provided in request is not supported: "
SCHEMA_FAILURE = CONFIGURATION_REJECTED + "Json schema validation failed with error: [{errors}]"
NOT_JSON_OR_YAML = CONFIGURATION_REJECTED + "the value is neither valid JSON nor valid YAML ({reason})"  # (own wording)
POD_IDENTITY_NOT_SUPPORTED = "Pod Identity feature is not supported for addon version: {version}"
SERVICE_ACCOUNT_NOT_SUPPORTED = ("Service account {service_account} in pod identity configuration is not supported "
                                 "for addon {addon}")
SERVICE_ACCOUNT_TWICE = ("Service account {service_account} appears more than once in "
                         "podIdentityAssociations.")                                          # (own wording)
ADDON_NOT_UPDATABLE = "Addon cannot be updated as it is currently not in Active State"         # (own wording)
CONFIGURATION_NOT_FOUND = "No addon: {addon} with version: {version} found"                    # (own wording)

UPDATABLE_STATUSES = ("ACTIVE", "DEGRADED", "UPDATE_FAILED")


@dataclass(eq=False)
class Addon:
    name: str
    cluster_name: str
    arn: str
    offer: AddonOffer
    version: str
    created_at: float
    modified_at: float
    status: str = "CREATING"
    service_account_role_arn: str | None = None
    configuration_values: str | None = None
    namespace_config: dict | None = None
    pod_identity_association_arns: list[str] = field(default_factory=list)
    tags: dict = field(default_factory=dict)
    updates: UpdateLog = field(default_factory=UpdateLog)

    @property
    def namespace(self) -> str:
        return (self.namespace_config or {}).get("namespace") or self.offer.default_namespace

    def check_updatable(self) -> None:
        if self.status not in UPDATABLE_STATUSES:
            raise ResourceInUseException(ADDON_NOT_UPDATABLE, clusterName=self.cluster_name, addonName=self.name)

    def describe(self) -> dict:
        return {
            "addonName": self.name, "clusterName": self.cluster_name, "status": self.status,
            "addonVersion": self.version, "health": {"issues": []}, "addonArn": self.arn,
            "createdAt": self.created_at, "modifiedAt": self.modified_at,
            "serviceAccountRoleArn": self.service_account_role_arn, "tags": self.tags,
            "publisher": self.offer.publisher, "owner": self.offer.owner,
            "marketplaceInformation": self.offer.marketplace_information,
            "configurationValues": self.configuration_values,
            "podIdentityAssociations": list(self.pod_identity_association_arns),
            "namespaceConfig": self.namespace_config,
        }


def addon_not_found(cluster_name: str, name: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(ADDON_NOT_FOUND.format(addon=name, cluster=cluster_name),
                                     clusterName=cluster_name, addonName=name)


def get_addon(cluster, name: str) -> Addon:
    addon = cluster.addons.get(name)
    if addon is None:
        raise addon_not_found(cluster.name, name)
    return addon


@update_scope("addonName")
def addon_for_update(cluster, name: str) -> Addon:
    return get_addon(cluster, name)


def offered_version(offer: AddonOffer, requested: str | None, cluster, name: str) -> AddonVersion:
    """The version to install: the one asked for, or the cluster version's default."""
    context = {"clusterName": cluster.name, "addonName": name}
    if requested is None:
        version = offer.default_version(cluster.version)
    else:
        version = offer.version(requested)
        if version is None or not version.supports(cluster.version):
            raise InvalidParameterException(VERSION_NOT_SUPPORTED, **context)
    if version is None:
        raise InvalidParameterException(ADDON_NOT_SUPPORTED, **context)
    return version


def check_configuration(text: str | None, version: AddonVersion, context: dict) -> str | None:
    """The configuration to keep (None for none), or the error EKS gives when it breaks the schema."""
    if text is None or not text.strip():
        return None
    try:
        document = config_values.parse(text)
    except config_values.ConfigurationParseError as error:
        raise InvalidParameterException(NOT_JSON_OR_YAML.format(reason=error), **context) from None
    problems = config_values.violations(version.schema, document)
    if problems:
        raise InvalidParameterException(SCHEMA_FAILURE.format(errors=", ".join(problems)), **context)
    return text


def check_pod_identity(cluster, addon_name: str, version: AddonVersion, namespace: str,
                       requested: list[dict] | None, owner_arn: str | None) -> None:
    """The requested associations are for service accounts the version uses, and free in its namespace."""
    if not requested:
        return
    context = {"clusterName": cluster.name, "addonName": addon_name}
    if version.pod_identity is None:
        raise InvalidParameterException(POD_IDENTITY_NOT_SUPPORTED.format(version=version.addon_version), **context)
    seen: set[str] = set()
    for entry in requested:
        service_account = entry["serviceAccount"]
        if service_account not in version.service_accounts():
            raise InvalidParameterException(
                SERVICE_ACCOUNT_NOT_SUPPORTED.format(service_account=service_account, addon=addon_name), **context)
        if service_account in seen:
            raise InvalidParameterException(SERVICE_ACCOUNT_TWICE.format(service_account=service_account), **context)
        seen.add(service_account)
        check_role_arn(entry["roleArn"], **context)
        existing = pod_identity.find_for_service_account(cluster, namespace, service_account)
        if existing is not None and (owner_arn is None or existing.owner_arn != owner_arn):
            raise ResourceInUseException(
                pod_identity.ASSOCIATION_EXISTS.format(association_id=existing.association_id), **context)


def apply_pod_identity(ctx: RequestContext, cluster, addon: Addon, requested: list[dict], now: float) -> list:
    """Make the add-on's associations exactly ``requested`` (service account -> role).

    Returns update errors instead when a service account was taken by another association since
    the request was checked.
    """
    wanted = {entry["serviceAccount"]: entry["roleArn"] for entry in requested}
    owned = {a.service_account: a for a in _owned_associations(cluster, addon)}
    for service_account in wanted.keys() - owned.keys():
        taken = pod_identity.find_for_service_account(cluster, addon.namespace, service_account)
        if taken is not None:
            return [{"errorCode": "ConfigurationConflict", "resourceIds": [taken.arn],
                     "errorMessage": pod_identity.ASSOCIATION_EXISTS.format(association_id=taken.association_id)}]
    kept = []
    for service_account, association in owned.items():
        role = wanted.pop(service_account, None)
        if role is None:
            pod_identity.delete_association(cluster, association)
            continue
        if role != association.role_arn:
            association.role_arn, association.modified_at = role, now
        kept.append(association.arn)
    for service_account, role in wanted.items():
        association = pod_identity.create_association(ctx, cluster, addon.namespace, service_account, role,
                                                      owner_arn=addon.arn, now=now)
        kept.append(association.arn)
    addon.pod_identity_association_arns = kept
    return []


def _owned_associations(cluster, addon: Addon) -> list:
    entries = pod_identity.associations(cluster)
    ids_ = [arn.rsplit("/", 1)[1] for arn in addon.pod_identity_association_arns]
    return [entries[i] for i in ids_ if i in entries and entries[i].owner_arn == addon.arn]


@eks.operation("CreateAddon")
def create_addon(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    replay = idempotency.replayed(ctx, params, scope=cluster.uid)
    if replay is not None:
        return replay
    require_active(cluster)
    name = params["addonName"]
    context = {"clusterName": cluster.name, "addonName": name}
    if name in cluster.addons:
        raise ResourceInUseException(ADDON_EXISTS, **context)
    offer = addon_catalogue.offer(name)
    if offer is None or not offer.versions_for(cluster.version):
        raise InvalidParameterException(ADDON_NOT_SUPPORTED, **context)
    version = offered_version(offer, params.get("addonVersion"), cluster, name)
    if params.get("serviceAccountRoleArn") is not None:
        check_role_arn(params["serviceAccountRoleArn"], **context)
    configuration = check_configuration(params.get("configurationValues"), version, context)
    namespace_config = dict(params["namespaceConfig"]) if params.get("namespaceConfig") else None
    tags = dict(params.get("tags") or {})
    check_create_tags(tags)
    addon = Addon(name=name, cluster_name=cluster.name, arn=ctx.arn(f"addon/{cluster.name}/{name}/{ids.uuid4()}"),
                  offer=offer, version=version.addon_version, created_at=ctx.now, modified_at=ctx.now,
                  service_account_role_arn=params.get("serviceAccountRoleArn"),
                  configuration_values=configuration, namespace_config=namespace_config, tags=tags)
    requested = params.get("podIdentityAssociations") or []
    check_pod_identity(cluster, name, version, addon.namespace, requested, owner_arn=None)
    cluster.addons[name] = addon
    apply_pod_identity(ctx, cluster, addon, requested, ctx.now)
    settle_later(ctx, addon, CREATE, "CREATING")
    remember_created(ctx, params, "addon", addon, cluster.addons, name, scope=cluster.uid)
    return {"addon": addon.describe()}


@eks.operation("DescribeAddon")
def describe_addon(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    return {"addon": get_addon(cluster, params["addonName"]).describe()}


@eks.operation("ListAddons")
def list_addons(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    names, token = list_page(sorted(cluster.addons), params, clusterName=cluster.name)
    return {"addons": names, "nextToken": token}


@eks.operation("UpdateAddon")
def update_addon(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    addon = get_addon(cluster, params["addonName"])
    replay = idempotency.replayed(ctx, params, scope=addon.arn)
    if replay is not None:
        return replay
    check_can_update(cluster, "AddonUpdate", target=addon)
    context = {"clusterName": cluster.name, "addonName": addon.name}
    requested_version = params.get("addonVersion")
    version = (offered_version(addon.offer, requested_version, cluster, addon.name) if requested_version
               else addon.offer.version(addon.version))
    role_arn = params.get("serviceAccountRoleArn")
    if role_arn is not None:
        check_role_arn(role_arn, **context)
    configuration_given = "configurationValues" in params
    configuration = check_configuration(params.get("configurationValues"), version, context)
    if not configuration_given and requested_version:
        # the kept configuration must suit the new version too
        check_configuration(addon.configuration_values, version, context)
    requested = params.get("podIdentityAssociations")
    if requested is not None:
        check_pod_identity(cluster, addon.name, version, addon.namespace, requested, owner_arn=addon.arn)

    update_params = []
    if requested_version:
        update_params.append(("AddonVersion", version.addon_version))
    if role_arn is not None:
        update_params.append(("ServiceAccountRoleArn", role_arn))
    if params.get("resolveConflicts"):
        update_params.append(("ResolveConflicts", params["resolveConflicts"]))
    if configuration_given:
        update_params.append(("ConfigurationValues", params["configurationValues"]))
    if requested is not None:
        update_params.append(("PodIdentityAssociations",
                              [{"serviceAccount": e["serviceAccount"], "roleArn": e["roleArn"],
                                "namespace": addon.namespace} for e in requested]))

    def apply(at: float) -> list:
        if requested is not None:
            errors = apply_pod_identity(ctx, cluster, addon, requested, at)
            if errors:
                return errors
        addon.version = version.addon_version
        if role_arn is not None:
            addon.service_account_role_arn = role_arn
        if configuration_given:
            addon.configuration_values = configuration
        return []

    update = start_update(ctx, cluster, "AddonUpdate", update_params, target=addon, on_success=apply,
                          duration=UPDATE)
    idempotency.remember(ctx, params, lambda: {"update": update.describe()},
                         scope=addon.arn)
    return {"update": update.describe()}


@eks.operation("DeleteAddon")
def delete_addon(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    addon = get_addon(cluster, params["addonName"])
    if addon.status != "DELETING":      # deleting again answers the deletion under way
        addon.status = "DELETING"
        preserve = params.get("preserve", False)

        def remove(at: float) -> None:
            if cluster.addons.get(addon.name) is not addon:
                return
            del cluster.addons[addon.name]
            for association in _owned_associations(cluster, addon):
                if preserve:
                    association.owner_arn = None
                else:
                    pod_identity.delete_association(cluster, association)
        ctx.store.timeline.at(ctx.now + ctx.duration(DELETE), remove)
    return {"addon": addon.describe()}


@eks.operation("DescribeAddonVersions")
def describe_addon_versions(ctx: RequestContext, params: dict) -> dict:
    kubernetes_version = params.get("kubernetesVersion")
    name = params.get("addonName")
    types, publishers, owners = params.get("types"), params.get("publishers"), params.get("owners")
    matching = [offer for offer in addon_catalogue.offers()
                if (name is None or offer.name == name)
                and (not types or offer.type in types)
                and (not publishers or offer.publisher in publishers)
                and (not owners or offer.owner in owners)
                and (kubernetes_version is None or offer.versions_for(kubernetes_version))]
    by_name = {offer.name: offer for offer in matching}
    scope = json.dumps([kubernetes_version, name, types, publishers, owners])
    names, token = list_page(list(by_name), params, scope=scope)
    return {"addons": [by_name[n].info(kubernetes_version) for n in names], "nextToken": token}


@eks.operation("DescribeAddonConfiguration")
def describe_addon_configuration(ctx: RequestContext, params: dict) -> dict:
    name, requested = params["addonName"], params["addonVersion"]
    offer = addon_catalogue.offer(name)
    version = offer.version(requested) if offer is not None else None
    if version is None:
        raise ResourceNotFoundException(CONFIGURATION_NOT_FOUND.format(addon=name, version=requested), addonName=name)
    return {"addonName": name, "addonVersion": version.addon_version, "configurationSchema": version.schema_text(),
            "podIdentityConfiguration": version.pod_identity_configuration(ctx.partition) or None}


@taggable("addon")
def addon_for_tags(store, arn):
    cluster_name, name, uid = resource_parts(arn, 3)
    cluster = store.clusters.get(cluster_name)
    addon = cluster.addons.get(name) if cluster is not None else None
    return addon if addon is not None and addon.arn.endswith(f"/{uid}") else None
