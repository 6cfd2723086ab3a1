"""EKS OIDC identity provider configs through boto3: association updates, lifecycle, rules."""
import json
import re

import pytest

from emulator.eks import identity_providers as idp
from emulator.eks.common import CLUSTER_NOT_ACTIVE
from tests.eks.cluster_support import ACCOUNT, assert_error, create_cluster, error_of

IPE = "InvalidParameterException"
OKTA = {"identityProviderConfigName": "okta", "issuerUrl": "https://example.okta.com/oauth2/default",
        "clientId": "kubernetes"}
REFERENCE = {"type": "oidc", "name": "okta"}


@pytest.fixture
def cluster(eks_client):
    return create_cluster(eks_client)


@pytest.fixture
def slow_association(ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.identityprovider.associate": 1500,
                                      "eks.identityprovider.disassociate": 600})
    return ecs_eks_mock


def associate(client, **oidc):
    return client.associate_identity_provider_config(clusterName="prod", oidc={**OKTA, **oidc})


def describe(client):
    return client.describe_identity_provider_config(clusterName="prod", identityProviderConfig=REFERENCE)[
        "identityProviderConfig"]["oidc"]


def test_associate_is_a_cluster_update(eks_client, cluster):
    answer = eks_client.associate_identity_provider_config(clusterName="prod", oidc=OKTA, tags={"team": "id"})
    update = answer["update"]
    assert update["type"] == "AssociateIdentityProviderConfig" and update["status"] == "InProgress"
    assert update["params"] == [{"type": "IdentityProviderConfig", "value": json.dumps([REFERENCE],
                                                                                      separators=(",", ":"))}]
    assert answer["tags"] == {"team": "id"}
    assert eks_client.list_updates(name="prod")["updateIds"] == [update["id"]]


def test_describe_reports_the_configuration(eks_client, cluster):
    associate(eks_client, usernameClaim="email", usernamePrefix="okta:", groupsClaim="groups",
              groupsPrefix="okta:", requiredClaims={"aud": "kubernetes"})
    config = describe(eks_client)
    assert re.fullmatch(rf"arn:aws:eks:us-east-1:{ACCOUNT}:identityproviderconfig/prod/oidc/okta/[0-9a-f-]{{36}}",
                        config["identityProviderConfigArn"])
    assert config["identityProviderConfigName"] == "okta" and config["clusterName"] == "prod"
    assert config["issuerUrl"] == OKTA["issuerUrl"] and config["clientId"] == "kubernetes"
    assert config["usernameClaim"] == "email" and config["usernamePrefix"] == "okta:"
    assert config["groupsClaim"] == "groups" and config["groupsPrefix"] == "okta:"
    assert config["requiredClaims"] == {"aud": "kubernetes"} and config["status"] == "ACTIVE"


def test_association_lifecycle_on_the_clock(eks_client, cluster, slow_association):
    update = associate(eks_client)["update"]
    assert describe(eks_client)["status"] == "CREATING"
    assert eks_client.describe_cluster(name="prod")["cluster"]["status"] == "UPDATING"
    slow_association.clock.advance(1499)
    assert describe(eks_client)["status"] == "CREATING"
    slow_association.clock.advance(1)
    assert describe(eks_client)["status"] == "ACTIVE"
    assert eks_client.describe_cluster(name="prod")["cluster"]["status"] == "ACTIVE"
    assert eks_client.describe_update(name="prod", updateId=update["id"])["update"]["status"] == "Successful"


def test_disassociate_lifecycle_on_the_clock(eks_client, cluster, slow_association):
    associate(eks_client)
    slow_association.clock.advance(1500)
    update = eks_client.disassociate_identity_provider_config(clusterName="prod",
                                                              identityProviderConfig=REFERENCE)["update"]
    assert update["type"] == "DisassociateIdentityProviderConfig"
    assert update["params"][0]["type"] == "IdentityProviderConfig"
    assert describe(eks_client)["status"] == "DELETING"
    slow_association.clock.advance(600)
    assert eks_client.list_identity_provider_configs(clusterName="prod")["identityProviderConfigs"] == []


def test_one_cluster_update_at_a_time(eks_client, cluster, slow_association):
    update = associate(eks_client)["update"]
    assert_error(error_of(eks_client.disassociate_identity_provider_config, clusterName="prod",
                          identityProviderConfig=REFERENCE), "ResourceInUseException",
                 f"Cannot DisassociateIdentityProviderConfig because cluster prod currently has update {update['id']} "
                 "in progress", 409, clusterName="prod")


def test_cluster_must_be_active(eks_client, ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.cluster.create": 600})
    create_cluster(eks_client)
    assert_error(error_of(associate, eks_client), "InvalidRequestException", CLUSTER_NOT_ACTIVE.format(name="prod"),
                 400, clusterName="prod")


def test_missing_cluster_wording(eks_client):
    calls = [(eks_client.associate_identity_provider_config, {"oidc": OKTA}),
             (eks_client.disassociate_identity_provider_config, {"identityProviderConfig": REFERENCE}),
             (eks_client.describe_identity_provider_config, {"identityProviderConfig": REFERENCE}),
             (eks_client.list_identity_provider_configs, {})]
    for call, request in calls:
        assert_error(error_of(call, clusterName="ghost", **request), "ResourceNotFoundException",
                     "cluster ghost not found", 404, clusterName="ghost")


def test_issuer_may_not_be_the_clusters_own(eks_client, cluster):
    issuer = eks_client.describe_cluster(name="prod")["cluster"]["identity"]["oidc"]["issuer"]
    assert_error(error_of(associate, eks_client, issuerUrl=issuer), IPE,
                 "Incorrect Identity Provider URL configuration. The Identity Provider URL cannot be same as OpenID "
                 "Connect (OIDC) issuer URL", 400, clusterName="prod")


def test_issuer_must_be_https(eks_client, cluster):
    assert_error(error_of(associate, eks_client, issuerUrl="http://example.com"), IPE,
                 idp.ISSUER_NOT_HTTPS.format(url="http://example.com"), 400, clusterName="prod")


def test_prefixes_may_not_start_with_system(eks_client, cluster):
    assert_error(error_of(associate, eks_client, groupsPrefix="system:x"), IPE,
                 idp.RESERVED_CLAIM_PREFIX.format(member="groupsPrefix"), 400, clusterName="prod")


def test_one_config_per_cluster(eks_client, cluster):
    associate(eks_client)
    assert_error(error_of(associate, eks_client), "ResourceInUseException",
                 idp.CONFIG_EXISTS.format(name="okta", cluster="prod"), 409, clusterName="prod")
    assert_error(error_of(associate, eks_client, identityProviderConfigName="auth0"), "InvalidRequestException",
                 idp.ONE_CONFIG_PER_CLUSTER.format(cluster="prod", existing="okta"), 400, clusterName="prod")


def test_unknown_config(eks_client, cluster):
    for call in (eks_client.describe_identity_provider_config, eks_client.disassociate_identity_provider_config):
        assert_error(error_of(call, clusterName="prod", identityProviderConfig=REFERENCE),
                     "ResourceNotFoundException", idp.CONFIG_NOT_FOUND.format(type="oidc", name="okta"), 404,
                     clusterName="prod")


def test_list_and_its_page_size_bounds(eks_client, cluster):
    associate(eks_client)
    pages = list(eks_client.get_paginator("list_identity_provider_configs").paginate(
        clusterName="prod", PaginationConfig={"PageSize": 1}))
    assert [c for p in pages for c in p["identityProviderConfigs"]] == [REFERENCE]
    response = error_of(eks_client.list_identity_provider_configs, clusterName="prod", maxResults=101)
    assert response["Error"]["Code"] == IPE and response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_tags_reach_the_config_through_its_arn(eks_client, cluster):
    associate(eks_client)
    arn = describe(eks_client)["identityProviderConfigArn"]
    eks_client.tag_resource(resourceArn=arn, tags={"k": "v"})
    assert describe(eks_client)["tags"] == {"k": "v"}
