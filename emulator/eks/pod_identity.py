"""EKS Pod Identity associations: Create/Describe/List/Update/DeletePodIdentityAssociation.

An association gives the pods of one service account (in one namespace) the credentials of an
IAM role; at most one association per (namespace, service account) in a cluster. Ids are ``a-``
and 17 lower-case base36 characters. ``targetRoleArn`` chains to a second role, and EKS then
generates an ``externalId`` for it. A session ``policy`` requires ``disableSessionTags``.

Associations created by CreateAddon/UpdateAddon carry the add-on's ARN as ``ownerArn`` and are
changed only through the add-on; :func:`create_association` and :func:`delete_association`
are how the add-on module makes and removes them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from emulator.core import ids
from emulator.core.service import RequestContext
from emulator.eks import idempotency
from emulator.eks.children import ordered, remember_created
from emulator.eks.cluster_config import check_role_arn
from emulator.eks.common import get_cluster, list_page, require_active
from emulator.eks.errors import (InvalidParameterException, InvalidRequestException, ResourceInUseException,
                                 ResourceNotFoundException)
from emulator.eks.service import eks
from emulator.eks.tags import check_create_tags, resource_parts, taggable

ID_LENGTH = 19
ASSOCIATION_EXISTS = "Association already exists: {association_id}"
INVALID_ID_LENGTH = "The parameter associationId should be 19 characters long."
ASSOCIATION_NOT_FOUND = "No Pod Identity Association found for id: {association_id}"            # (own wording)
POLICY_NEEDS_NO_SESSION_TAGS = "disableSessionTags must be set to true when a policy is specified."  # (own wording)
POLICY_NOT_JSON = "The policy must be a JSON document."                                          # (own wording)
OWNED_BY_ADDON = ("Association {association_id} is owned by {owner_arn} and can only be changed through "
                  "the add-on.")                                                                 # (own wording)


@dataclass(eq=False)
class Association:
    association_id: str
    arn: str
    cluster_name: str
    namespace: str
    service_account: str
    role_arn: str
    created_at: float
    modified_at: float
    tags: dict = field(default_factory=dict)
    owner_arn: str | None = None
    disable_session_tags: bool = False
    target_role_arn: str | None = None
    external_id: str | None = None
    policy: str | None = None

    def summary(self) -> dict:
        return {"clusterName": self.cluster_name, "namespace": self.namespace, "serviceAccount": self.service_account,
                "associationArn": self.arn, "associationId": self.association_id, "ownerArn": self.owner_arn}

    def describe(self) -> dict:
        return {**self.summary(), "roleArn": self.role_arn, "tags": self.tags, "createdAt": self.created_at,
                "modifiedAt": self.modified_at, "disableSessionTags": self.disable_session_tags,
                "targetRoleArn": self.target_role_arn, "externalId": self.external_id, "policy": self.policy}


def associations(cluster):
    return ordered(cluster, "pod_identity_associations")


def _check_policy(policy: str | None, disable_session_tags: bool, cluster_name: str) -> None:
    if policy is None:
        return
    try:
        json.loads(policy)
    except ValueError:
        raise InvalidParameterException(POLICY_NOT_JSON, clusterName=cluster_name) from None
    if not disable_session_tags:
        raise InvalidParameterException(POLICY_NEEDS_NO_SESSION_TAGS, clusterName=cluster_name)


def find_for_service_account(cluster, namespace: str, service_account: str) -> Association | None:
    entries = associations(cluster)
    association_id = entries.index.get((namespace, service_account))
    return entries.get(association_id) if association_id is not None else None


def check_free(cluster, namespace: str, service_account: str) -> None:
    existing = find_for_service_account(cluster, namespace, service_account)
    if existing is not None:
        raise ResourceInUseException(ASSOCIATION_EXISTS.format(association_id=existing.association_id),
                                     clusterName=cluster.name)


def create_association(ctx: RequestContext, cluster, namespace: str, service_account: str, role_arn: str, *,
                       tags: dict | None = None, owner_arn: str | None = None, disable_session_tags: bool = False,
                       target_role_arn: str | None = None, policy: str | None = None,
                       now: float | None = None) -> Association:
    """A new association (the caller has checked the request), indexed by id and service account.

    ``now`` is the instant it is made, when not the request's (an add-on update completing).
    """
    check_free(cluster, namespace, service_account)
    now = ctx.now if now is None else now
    entries = associations(cluster)
    association_id = "a-" + ids.base36(ID_LENGTH - 2)
    while association_id in entries:
        association_id = "a-" + ids.base36(ID_LENGTH - 2)
    association = Association(
        association_id=association_id, arn=ctx.arn(f"podidentityassociation/{cluster.name}/{association_id}"),
        cluster_name=cluster.name, namespace=namespace, service_account=service_account, role_arn=role_arn,
        created_at=now, modified_at=now, tags=dict(tags or {}), owner_arn=owner_arn,
        disable_session_tags=disable_session_tags, target_role_arn=target_role_arn,
        external_id=ids.uuid4() if target_role_arn else None, policy=policy)
    entries[association_id] = association
    entries.index[(namespace, service_account)] = association_id
    return association


def delete_association(cluster, association: Association) -> None:
    entries = associations(cluster)
    entries.pop(association.association_id, None)
    if entries.index.get((association.namespace, association.service_account)) == association.association_id:
        del entries.index[(association.namespace, association.service_account)]


def get_association(cluster, association_id: str) -> Association:
    if len(association_id) != ID_LENGTH:
        raise InvalidParameterException(INVALID_ID_LENGTH, clusterName=cluster.name)
    association = associations(cluster).get(association_id)
    if association is None:
        raise ResourceNotFoundException(ASSOCIATION_NOT_FOUND.format(association_id=association_id),
                                        clusterName=cluster.name)
    return association


def _check_not_owned(association: Association, cluster) -> None:
    if association.owner_arn is not None:
        raise InvalidRequestException(OWNED_BY_ADDON.format(association_id=association.association_id,
                                                            owner_arn=association.owner_arn),
                                      clusterName=cluster.name)


@eks.operation("CreatePodIdentityAssociation")
def create_pod_identity_association(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    replay = idempotency.replayed(ctx, params, scope=cluster.uid)
    if replay is not None:
        return replay
    require_active(cluster)
    check_role_arn(params["roleArn"], clusterName=cluster.name)
    if params.get("targetRoleArn"):
        check_role_arn(params["targetRoleArn"], clusterName=cluster.name)
    disable_session_tags = params.get("disableSessionTags", False)
    _check_policy(params.get("policy"), disable_session_tags, cluster.name)
    tags = params.get("tags") or {}
    check_create_tags(tags)
    association = create_association(
        ctx, cluster, params["namespace"], params["serviceAccount"], params["roleArn"], tags=tags,
        disable_session_tags=disable_session_tags, target_role_arn=params.get("targetRoleArn") or None,
        policy=params.get("policy"))
    remember_created(ctx, params, "association", association, associations(cluster), association.association_id,
                     scope=cluster.uid)
    return {"association": association.describe()}


@eks.operation("DescribePodIdentityAssociation")
def describe_pod_identity_association(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    return {"association": get_association(cluster, params["associationId"]).describe()}


@eks.operation("ListPodIdentityAssociations")
def list_pod_identity_associations(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    entries = associations(cluster)
    namespace, service_account = params.get("namespace"), params.get("serviceAccount")
    keys = entries.sorted_keys
    if namespace is not None or service_account is not None:
        keys = [k for k in keys
                if (namespace is None or entries[k].namespace == namespace)
                and (service_account is None or entries[k].service_account == service_account)]
    page, token = list_page(keys, params, scope=f"{namespace}/{service_account}", clusterName=cluster.name)
    return {"associations": [entries[k].summary() for k in page], "nextToken": token}


@eks.operation("UpdatePodIdentityAssociation")
def update_pod_identity_association(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    association = get_association(cluster, params["associationId"])
    replay = idempotency.replayed(ctx, params, scope=association.arn)
    if replay is not None:
        return replay
    _check_not_owned(association, cluster)
    role_arn = params.get("roleArn", association.role_arn)
    check_role_arn(role_arn, clusterName=cluster.name)
    target_role_arn = params.get("targetRoleArn", association.target_role_arn) or None
    if target_role_arn is not None:
        check_role_arn(target_role_arn, clusterName=cluster.name)
    disable_session_tags = params.get("disableSessionTags", association.disable_session_tags)
    policy = params.get("policy", association.policy) or None
    _check_policy(policy, disable_session_tags, cluster.name)
    if target_role_arn != association.target_role_arn:
        association.external_id = ids.uuid4() if target_role_arn else None
    association.role_arn, association.target_role_arn = role_arn, target_role_arn
    association.disable_session_tags, association.policy = disable_session_tags, policy
    association.modified_at = ctx.now
    idempotency.remember(ctx, params, lambda: {"association": association.describe()}, scope=association.arn)
    return {"association": association.describe()}


@eks.operation("DeletePodIdentityAssociation")
def delete_pod_identity_association(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    association = get_association(cluster, params["associationId"])
    _check_not_owned(association, cluster)
    delete_association(cluster, association)
    return {"association": association.describe()}


@taggable("podidentityassociation")
def association_for_tags(store, arn):
    cluster_name, association_id = resource_parts(arn, 2)
    cluster = store.clusters.get(cluster_name)
    return associations(cluster).get(association_id) if cluster is not None else None
