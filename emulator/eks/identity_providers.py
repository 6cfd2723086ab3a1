"""EKS OIDC identity provider configs: Associate/Disassociate/Describe/ListIdentityProviderConfig(s).

A cluster has at most one OIDC identity provider config. Associating and disassociating are
cluster updates (``AssociateIdentityProviderConfig`` / ``DisassociateIdentityProviderConfig``):
they wait for any other cluster update, and the config goes CREATING -> ACTIVE, or
DELETING -> gone, when the update completes. On these operations a missing cluster is reported
as ``cluster {name} not found``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from emulator.config import declare_duration
from emulator.core import ids
from emulator.core.service import RequestContext
from emulator.eks import idempotency
from emulator.eks.common import check_cluster_name, list_page
from emulator.eks.errors import (InvalidParameterException, InvalidRequestException, ResourceInUseException,
                                 ResourceNotFoundException)
from emulator.eks.service import eks
from emulator.eks.tags import check_create_tags, resource_parts, taggable
from emulator.eks.updates import check_can_update, start_update

ASSOCIATE = declare_duration("eks.identityprovider.associate", 1500, "OIDC identity provider config association")
DISASSOCIATE = declare_duration("eks.identityprovider.disassociate", 600, "OIDC identity provider config removal")

OIDC = "oidc"
RESERVED_PREFIX = "system:"
CLUSTER_NOT_FOUND = "cluster {name} not found"
SAME_AS_CLUSTER_ISSUER = ("Incorrect Identity Provider URL configuration. The Identity Provider URL cannot be same as "
                          "OpenID Connect (OIDC) issuer URL")
ISSUER_NOT_HTTPS = "The issuerUrl {url} is not valid. It must be an https:// URL."                    # (own wording)
CONFIG_EXISTS = "Identity provider config {name} already exists in cluster {cluster}."                # (own wording)
ONE_CONFIG_PER_CLUSTER = ("Cluster {cluster} already has identity provider config {existing}; a cluster can have "
                          "only one.")                                                                 # (own wording)
CONFIG_NOT_FOUND = "No identity provider config found for type: {type} and name: {name}"              # (own wording)
RESERVED_CLAIM_PREFIX = "The {member} cannot start with system:"                                      # (own wording)


@dataclass(eq=False)
class OidcConfig:
    name: str
    arn: str
    cluster_name: str
    issuer_url: str
    client_id: str
    username_claim: str | None
    username_prefix: str | None
    groups_claim: str | None
    groups_prefix: str | None
    required_claims: dict
    tags: dict = field(default_factory=dict)
    status: str = "CREATING"

    def describe(self) -> dict:
        return {"oidc": {
            "identityProviderConfigName": self.name, "identityProviderConfigArn": self.arn,
            "clusterName": self.cluster_name, "issuerUrl": self.issuer_url, "clientId": self.client_id,
            "usernameClaim": self.username_claim, "usernamePrefix": self.username_prefix,
            "groupsClaim": self.groups_claim, "groupsPrefix": self.groups_prefix,
            "requiredClaims": self.required_claims, "tags": self.tags, "status": self.status}}


def idp_cluster(ctx: RequestContext, name: str):
    """The cluster, with the not-found wording these operations use."""
    check_cluster_name(name, "clusterName")
    cluster = ctx.store.clusters.get(name)
    if cluster is None:
        raise ResourceNotFoundException(CLUSTER_NOT_FOUND.format(name=name), clusterName=name)
    return cluster


def get_config(cluster, reference: dict) -> OidcConfig:
    config = cluster.identity_provider_configs.get(reference["name"]) if reference["type"] == OIDC else None
    if config is None:
        raise ResourceNotFoundException(CONFIG_NOT_FOUND.format(type=reference["type"], name=reference["name"]),
                                        clusterName=cluster.name)
    return config


def _check_oidc(ctx: RequestContext, cluster, oidc: dict) -> None:
    context = {"clusterName": cluster.name}
    url = oidc["issuerUrl"]
    if not url.startswith("https://") or len(url) == len("https://"):
        raise InvalidParameterException(ISSUER_NOT_HTTPS.format(url=url), **context)
    if url.rstrip("/") == cluster.oidc_issuer(ctx.region):
        raise InvalidParameterException(SAME_AS_CLUSTER_ISSUER, **context)
    for member in ("usernamePrefix", "groupsPrefix"):
        if (oidc.get(member) or "").startswith(RESERVED_PREFIX):
            raise InvalidParameterException(RESERVED_CLAIM_PREFIX.format(member=member), **context)


@eks.operation("AssociateIdentityProviderConfig")
def associate_identity_provider_config(ctx: RequestContext, params: dict) -> dict:
    cluster = idp_cluster(ctx, params["clusterName"])
    replay = idempotency.replayed(ctx, params, scope=cluster.uid)
    if replay is not None:
        return replay
    check_can_update(cluster, "AssociateIdentityProviderConfig")
    oidc = params["oidc"]
    name = oidc["identityProviderConfigName"]
    if name in cluster.identity_provider_configs:
        raise ResourceInUseException(CONFIG_EXISTS.format(name=name, cluster=cluster.name), clusterName=cluster.name)
    if cluster.identity_provider_configs:
        existing = next(iter(cluster.identity_provider_configs))
        raise InvalidRequestException(ONE_CONFIG_PER_CLUSTER.format(cluster=cluster.name, existing=existing),
                                      clusterName=cluster.name)
    _check_oidc(ctx, cluster, oidc)
    tags = dict(params.get("tags") or {})
    check_create_tags(tags)
    config = OidcConfig(
        name=name, arn=ctx.arn(f"identityproviderconfig/{cluster.name}/{OIDC}/{name}/{ids.uuid4()}"),
        cluster_name=cluster.name, issuer_url=oidc["issuerUrl"], client_id=oidc["clientId"],
        username_claim=oidc.get("usernameClaim"), username_prefix=oidc.get("usernamePrefix"),
        groups_claim=oidc.get("groupsClaim"), groups_prefix=oidc.get("groupsPrefix"),
        required_claims=dict(oidc.get("requiredClaims") or {}), tags=tags)

    def activate(at: float) -> None:
        if config.status == "CREATING":
            config.status = "ACTIVE"
    update = start_update(ctx, cluster, "AssociateIdentityProviderConfig",
                          [("IdentityProviderConfig", [{"type": OIDC, "name": name}])],
                          on_success=activate, duration=ASSOCIATE)
    cluster.identity_provider_configs[name] = config
    idempotency.remember(ctx, params, lambda: {"update": update.describe(), "tags": config.tags}, scope=cluster.uid)
    return {"update": update.describe(), "tags": config.tags}


@eks.operation("DisassociateIdentityProviderConfig")
def disassociate_identity_provider_config(ctx: RequestContext, params: dict) -> dict:
    cluster = idp_cluster(ctx, params["clusterName"])
    replay = idempotency.replayed(ctx, params, scope=cluster.uid)
    if replay is not None:
        return replay
    reference = params["identityProviderConfig"]
    config = get_config(cluster, reference)
    check_can_update(cluster, "DisassociateIdentityProviderConfig")
    config.status = "DELETING"

    def remove(at: float) -> None:
        if cluster.identity_provider_configs.get(config.name) is config:
            del cluster.identity_provider_configs[config.name]
    update = start_update(ctx, cluster, "DisassociateIdentityProviderConfig",
                          [("IdentityProviderConfig", [{"type": reference["type"], "name": config.name}])],
                          on_success=remove, duration=DISASSOCIATE)
    idempotency.remember(ctx, params, lambda: {"update": update.describe()}, scope=cluster.uid)
    return {"update": update.describe()}


@eks.operation("DescribeIdentityProviderConfig")
def describe_identity_provider_config(ctx: RequestContext, params: dict) -> dict:
    cluster = idp_cluster(ctx, params["clusterName"])
    return {"identityProviderConfig": get_config(cluster, params["identityProviderConfig"]).describe()}


@eks.operation("ListIdentityProviderConfigs")
def list_identity_provider_configs(ctx: RequestContext, params: dict) -> dict:
    cluster = idp_cluster(ctx, params["clusterName"])
    names, token = list_page(sorted(cluster.identity_provider_configs), params, clusterName=cluster.name)
    return {"identityProviderConfigs": [{"type": OIDC, "name": n} for n in names], "nextToken": token}


@taggable("identityproviderconfig")
def identity_provider_config_for_tags(store, arn):
    cluster_name, kind, name, uid = resource_parts(arn, 4)
    cluster = store.clusters.get(cluster_name)
    config = cluster.identity_provider_configs.get(name) if cluster is not None and kind == OIDC else None
    return config if config is not None and config.arn.endswith(f"/{uid}") else None
