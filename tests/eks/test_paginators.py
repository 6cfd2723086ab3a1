"""Every paginator of botocore's EKS model, through boto3: each item exactly once, tokens opaque, bounds.

For each paginator a setup creates more items than one page holds (through the API), the
listing is paged with ``PageSize=2``, and the items seen must be the items listed in one
page of 100, each once, in the same order.  The covered paginators must be exactly the
model's, so a paginator added to the model fails here until it has a case.
"""
import math

import boto3
import botocore.session
import pytest
from botocore.config import Config

from tests.eks.cluster_support import ACCOUNT, create_cluster, create_nodegroup, create_profile

PAGINATORS = botocore.session.get_session().get_paginator_model("eks")._paginator_config
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
POLICY = "arn:aws:eks::aws:cluster-access-policy/{}"
PAGE_SIZE = 2


def _api_cluster(client, name="prod"):
    return create_cluster(client, name, accessConfig={"authenticationMode": "API",
                                                      "bootstrapClusterCreatorAdminPermissions": False})


def clusters(client):
    for i in range(5):
        create_cluster(client, f"c{i}")
    return {}


def updates(client):
    create_cluster(client)
    for i in range(5):   # each update completes before the next starts (instant timing)
        client.update_cluster_config(name="prod", logging={"clusterLogging": [
            {"types": ["api"], "enabled": i % 2 == 0}]})
    return {"name": "prod"}


def nodegroups(client):
    create_cluster(client)
    for i in range(5):
        create_nodegroup(client, name=f"ng{i}")
    return {"clusterName": "prod"}


def fargate_profiles(client):
    create_cluster(client)
    for i in range(5):
        create_profile(client, name=f"fp{i}")
    return {"clusterName": "prod"}


def addon_versions(client):
    return {"kubernetesVersion": "1.35"}          # the catalogue offers more add-ons than a page


def addons(client):
    create_cluster(client)
    for name in ("vpc-cni", "coredns", "kube-proxy", "eks-pod-identity-agent", "aws-ebs-csi-driver"):
        client.create_addon(clusterName="prod", addonName=name)
    return {"clusterName": "prod"}


def identity_provider_configs(client):
    create_cluster(client)
    client.associate_identity_provider_config(clusterName="prod", oidc={
        "identityProviderConfigName": "idp", "issuerUrl": "https://issuer.example.com", "clientId": "kubernetes"})
    return {"clusterName": "prod"}


def subscriptions(client):
    for i in range(5):
        client.create_eks_anywhere_subscription(name=f"s{i}", term={"duration": 12, "unit": "MONTHS"})
    return {}


def pod_identity_associations(client):
    create_cluster(client)
    for i in range(5):
        client.create_pod_identity_association(clusterName="prod", namespace="apps", serviceAccount=f"sa{i}",
                                               roleArn=ROLE)
    return {"clusterName": "prod"}


def access_entries(client):
    _api_cluster(client)
    for i in range(5):
        client.create_access_entry(clusterName="prod", principalArn=f"arn:aws:iam::{ACCOUNT}:role/r{i}")
    return {"clusterName": "prod"}


def access_policies(client):
    return {}                                      # the catalogue's policies


def associated_access_policies(client):
    _api_cluster(client)
    client.create_access_entry(clusterName="prod", principalArn=ROLE)
    for name in ("AmazonEKSViewPolicy", "AmazonEKSEditPolicy", "AmazonEKSAdminPolicy", "AmazonEKSAdminViewPolicy",
                 "AmazonEKSSecretReaderPolicy"):
        client.associate_access_policy(clusterName="prod", principalArn=ROLE, policyArn=POLICY.format(name),
                                       accessScope={"type": "cluster"})
    return {"clusterName": "prod", "principalArn": ROLE}


def insights(client):
    create_cluster(client, version="1.35")         # upgrade readiness for 1.36 and misconfiguration insights
    return {"clusterName": "prod"}


def cluster_versions(client):
    return {}                                      # the offered versions


def capabilities(client):
    create_cluster(client)
    for kind in ("ACK", "KRO"):
        client.create_capability(clusterName="prod", capabilityName=kind.lower(), type=kind, roleArn=ROLE,
                                 deletePropagationPolicy="RETAIN")
    client.create_capability(clusterName="prod", capabilityName="argocd", type="ARGOCD", roleArn=ROLE,
                             deletePropagationPolicy="RETAIN", configuration={"argoCd": {"awsIdc": {
                                 "idcInstanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef"}}})
    return {"clusterName": "prod"}


def _name(item):
    if isinstance(item, str):
        return item
    for key in ("clusterVersion", "addonName", "capabilityName", "associationId", "policyArn", "arn", "id", "name"):
        if key in item:
            return item[key]
    raise AssertionError(f"no identifying member in {item}")


# operation -> (setup returning the request, how many items the setup makes at least)
CASES = {
    "ListClusters": (clusters, 5),
    "ListUpdates": (updates, 5),
    "ListNodegroups": (nodegroups, 5),
    "ListFargateProfiles": (fargate_profiles, 5),
    "DescribeAddonVersions": (addon_versions, 5),
    "ListAddons": (addons, 5),
    # A cluster has at most one OIDC identity provider config: one item, in pages of one.
    "ListIdentityProviderConfigs": (identity_provider_configs, 1),
    "ListEksAnywhereSubscriptions": (subscriptions, 5),
    "ListPodIdentityAssociations": (pod_identity_associations, 5),
    "ListAccessEntries": (access_entries, 5),
    "ListAccessPolicies": (access_policies, 5),
    "ListAssociatedAccessPolicies": (associated_access_policies, 5),
    "ListInsights": (insights, 5),
    "DescribeClusterVersions": (cluster_versions, 5),
    "ListCapabilities": (capabilities, 3),
}


def test_every_paginator_of_the_model_has_a_case():
    assert sorted(CASES) == sorted(PAGINATORS)


@pytest.mark.parametrize("operation", sorted(PAGINATORS))
def test_paginator_yields_every_item_exactly_once(eks_client, operation):
    setup, at_least = CASES[operation]
    config = PAGINATORS[operation]
    request = setup(eks_client)
    method = getattr(eks_client, botocore.xform_name(operation))
    everything = method(**request, maxResults=100)
    assert "nextToken" not in everything
    expected = [_name(item) for item in everything[config["result_key"]]]
    assert len(expected) >= at_least and len(set(expected)) == len(expected)

    page_size = PAGE_SIZE if at_least > PAGE_SIZE else 1
    pages = list(eks_client.get_paginator(botocore.xform_name(operation)).paginate(
        **request, PaginationConfig={"PageSize": page_size}))
    seen = [_name(item) for page in pages for item in page[config["result_key"]]]
    assert seen == expected
    assert len(pages) == math.ceil(len(expected) / page_size)
    assert all(len(page[config["result_key"]]) == page_size for page in pages[:-1])
    tokens = [page["nextToken"] for page in pages[:-1]]
    assert "nextToken" not in pages[-1]
    for token in tokens:   # opaque: neither an offset nor an item's name
        assert not token.isdigit() and token not in expected
    for key in config.get("non_aggregate_keys", ()):
        assert all(page[key] == request[key] for page in pages)


@pytest.mark.parametrize("max_results", [0, 101])
@pytest.mark.parametrize("operation", sorted(PAGINATORS))
def test_max_results_outside_1_to_100_is_invalid_parameter(ecs_eks_mock, operation, max_results):
    """botocore checks only the minimum, and not at all with validation off; the server checks both."""
    client = boto3.client("eks", region_name="us-east-1", config=Config(parameter_validation=False))
    model = client.meta.service_model.operation_model(operation)
    request = {name: ROLE if name == "principalArn" else "prod" for name in model.input_shape.required_members}
    with pytest.raises(client.exceptions.InvalidParameterException) as error:
        getattr(client, botocore.xform_name(operation))(**request, maxResults=max_results)
    bound = "at least 1" if max_results == 0 else "at most 100"
    assert error.value.response["Error"]["Message"] == (
        f"Invalid value {max_results} for parameter 'maxResults': must be {bound}.")
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize("operation", ["ListClusters", "ListNodegroups", "ListAccessPolicies",
                                       "DescribeClusterVersions", "ListInsights"])
def test_a_token_that_is_not_one_of_ours_is_invalid_parameter(eks_client, operation):
    request = CASES[operation][0](eks_client)
    with pytest.raises(eks_client.exceptions.InvalidParameterException) as error:
        getattr(eks_client, botocore.xform_name(operation))(**request, nextToken="forged")
    assert error.value.response["Error"]["Message"] == "The nextToken provided is not valid."
