"""EKS Fargate profiles through boto3: rules, the object, one CREATING/DELETING at a time, lifecycle."""
import re

import boto3
import pytest
import requests
from botocore.exceptions import WaiterError

from emulator.eks import fargate_profiles as fp
from emulator.eks.cluster_config import INVALID_ROLE_ARN
from emulator.eks.common import CLUSTER_NOT_ACTIVE
from tests.eks.cluster_support import POD_ROLE, SUBNETS, assert_error, create_cluster, create_profile, error_of

IPE = "InvalidParameterException"
RIU = "ResourceInUseException"


@pytest.fixture
def cluster(eks_client):
    return create_cluster(eks_client)


@pytest.fixture
def slow_profiles(ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.fargate.create": 120, "eks.fargate.delete": 180})
    return ecs_eks_mock


def invalid(response, message, name="fp"):
    assert_error(response, IPE, message, 400, clusterName="prod", fargateProfileName=name)


def test_create_returns_the_profile(eks_client, cluster):
    profile = create_profile(eks_client, selectors=[{"namespace": "apps", "labels": {"tier": "web"}}],
                             subnets=["subnet-private-1"], tags={"team": "a"})
    assert profile["fargateProfileName"] == "fp" and profile["clusterName"] == "prod"
    assert re.fullmatch(r"arn:aws:eks:us-east-1:123456789012:fargateprofile/prod/fp/[0-9a-f-]{36}",
                        profile["fargateProfileArn"])
    assert profile["status"] == "CREATING"
    assert profile["podExecutionRoleArn"] == POD_ROLE
    assert profile["subnets"] == ["subnet-private-1"]
    assert profile["selectors"] == [{"namespace": "apps", "labels": {"tier": "web"}}]
    assert profile["tags"] == {"team": "a"} and profile["health"] == {"issues": []}


def test_subnets_default_to_the_cluster_subnets(eks_client, cluster):
    assert create_profile(eks_client)["subnets"] == SUBNETS


def test_wildcards_are_accepted_in_selectors(eks_client, cluster):
    profile = create_profile(eks_client, selectors=[{"namespace": "team-*", "labels": {"app?": "*"}}])
    assert profile["selectors"][0]["namespace"] == "team-*"


def test_reserved_prefix(eks_client, cluster):
    invalid(error_of(create_profile, eks_client, name="eks-profile"),
            "The fargate profile name starts with the reserved prefix: 'eks-'.", name="eks-profile")


def test_name_characters(eks_client, cluster):
    invalid(error_of(create_profile, eks_client, name="bad.name"), fp.INVALID_NAME, name="bad.name")


def test_duplicate_name(eks_client, cluster):
    create_profile(eks_client)
    eks_client.describe_fargate_profile(clusterName="prod", fargateProfileName="fp")
    assert_error(error_of(create_profile, eks_client), RIU,
                 "A Fargate Profile already exists with this name in this cluster.", 409, clusterName="prod")


def test_selectors_required(eks_client, cluster):
    invalid(error_of(create_profile, eks_client, selectors=[]), "Fargate Profile requires at least one selector.")


def test_selector_needs_a_namespace(eks_client, cluster):
    invalid(error_of(create_profile, eks_client, selectors=[{"labels": {"a": "b"}}]),
            "Fargate Profile must have at least one selector with at least one namespace value.")


def test_at_most_five_selectors(eks_client, cluster):
    selectors = [{"namespace": f"ns{i}"} for i in range(6)]
    invalid(error_of(create_profile, eks_client, selectors=selectors), fp.TOO_MANY_SELECTORS)
    assert len(create_profile(eks_client, selectors=selectors[:5])["selectors"]) == 5


def test_at_most_five_labels_per_selector(eks_client, cluster):
    labels = {f"k{i}": "v" for i in range(6)}
    invalid(error_of(create_profile, eks_client, selectors=[{"namespace": "a", "labels": labels}]),
            "Request contains Selector with more than 5 Label pairs")


def test_pod_execution_role_must_be_a_role(eks_client, cluster):
    invalid(error_of(create_profile, eks_client, podExecutionRoleArn="role"), INVALID_ROLE_ARN.format(arn="role"))


def test_cluster_must_be_active(eks_client, ecs_eks_mock):
    ecs_eks_mock.config.set_timing(**{"eks.cluster.create": 600})
    create_cluster(eks_client)
    assert_error(error_of(create_profile, eks_client), "InvalidRequestException",
                 CLUSTER_NOT_ACTIVE.format(name="prod"), 400, clusterName="prod")


def test_at_most_ten_profiles(eks_client, cluster):
    for i in range(10):
        create_profile(eks_client, name=f"p{i}")
        eks_client.list_fargate_profiles(clusterName="prod")   # let it become ACTIVE
    response = error_of(create_profile, eks_client, name="p10")
    assert_error(response, "ResourceLimitExceededException",
                 fp.TOO_MANY_PROFILES.format(name="p10", cluster="prod"), 400)


def test_one_profile_creating_at_a_time(eks_client, cluster, slow_profiles):
    create_profile(eks_client, name="first")
    response = error_of(create_profile, eks_client, name="second")
    assert_error(response, RIU, "Cannot create Fargate Profile second because cluster prod currently has Fargate "
                                "profile first in status CREATING", 409, clusterName="prod")
    slow_profiles.clock.advance(120)
    assert create_profile(eks_client, name="second")["status"] == "CREATING"


def test_a_creating_profile_can_itself_be_deleted(eks_client, cluster, slow_profiles):
    # Own choice: the serialization rule concerns other profiles of the cluster.
    create_profile(eks_client)
    assert eks_client.delete_fargate_profile(clusterName="prod",
                                             fargateProfileName="fp")["fargateProfile"]["status"] == "DELETING"


def test_delete_refused_while_another_profile_is_creating(eks_client, cluster, slow_profiles):
    create_profile(eks_client, name="a")
    slow_profiles.clock.advance(120)
    create_profile(eks_client, name="b")
    response = error_of(eks_client.delete_fargate_profile, clusterName="prod", fargateProfileName="a")
    assert_error(response, RIU, "Cannot Delete Fargate Profile a because cluster prod currently has Fargate profile b "
                                "in status CREATING", 409, clusterName="prod")


def test_one_profile_deleting_at_a_time(eks_client, cluster, slow_profiles):
    create_profile(eks_client, name="a")
    slow_profiles.clock.advance(120)
    create_profile(eks_client, name="b")
    slow_profiles.clock.advance(120)
    eks_client.delete_fargate_profile(clusterName="prod", fargateProfileName="a")
    response = error_of(eks_client.delete_fargate_profile, clusterName="prod", fargateProfileName="b")
    assert_error(response, RIU, "Cannot Delete Fargate Profile b because cluster prod currently has Fargate profile a "
                                "in status DELETING", 409, clusterName="prod")
    response = error_of(create_profile, eks_client, name="c")
    assert_error(response, RIU, "Cannot create Fargate Profile c because cluster prod currently has Fargate profile a "
                                "in status DELETING", 409, clusterName="prod")
    slow_profiles.clock.advance(180)
    assert eks_client.delete_fargate_profile(clusterName="prod",
                                             fargateProfileName="b")["fargateProfile"]["status"] == "DELETING"


def test_delete_refused_during_a_cluster_update(eks_client, cluster, ecs_eks_mock):
    create_profile(eks_client)
    eks_client.list_fargate_profiles(clusterName="prod")
    ecs_eks_mock.config.set_timing(**{"eks.cluster.update.config": 180})
    eks_client.update_cluster_config(name="prod", deletionProtection=True)
    response = error_of(eks_client.delete_fargate_profile, clusterName="prod", fargateProfileName="fp")
    assert_error(response, RIU, "Cannot Delete Fargate Profile fp because cluster prod currently has an update in "
                                "progress", 409, clusterName="prod")


def test_lifecycle_and_waiters_on_the_clock(eks_client, cluster, slow_profiles):
    create_profile(eks_client)
    active = eks_client.get_waiter("fargate_profile_active")
    with pytest.raises(WaiterError):
        active.wait(clusterName="prod", fargateProfileName="fp", WaiterConfig={"Delay": 0, "MaxAttempts": 2})
    slow_profiles.clock.advance(120)
    active.wait(clusterName="prod", fargateProfileName="fp", WaiterConfig={"Delay": 0, "MaxAttempts": 1})
    deleting = eks_client.delete_fargate_profile(clusterName="prod", fargateProfileName="fp")["fargateProfile"]
    assert deleting["status"] == "DELETING"
    assert eks_client.delete_fargate_profile(clusterName="prod",
                                             fargateProfileName="fp")["fargateProfile"]["status"] == "DELETING"
    deleted = eks_client.get_waiter("fargate_profile_deleted")
    with pytest.raises(WaiterError):
        deleted.wait(clusterName="prod", fargateProfileName="fp", WaiterConfig={"Delay": 0, "MaxAttempts": 1})
    slow_profiles.clock.advance(180)
    deleted.wait(clusterName="prod", fargateProfileName="fp", WaiterConfig={"Delay": 0, "MaxAttempts": 1})


def test_deleted_waiter_ends_when_the_cluster_is_gone(eks_client, cluster, ecs_eks_mock):
    ecs_eks_mock.config.set_timing(**{"eks.fargate.delete": 600})
    create_profile(eks_client)
    eks_client.delete_fargate_profile(clusterName="prod", fargateProfileName="fp")
    # only ACTIVE/CREATING profiles block the cluster's deletion
    eks_client.delete_cluster(name="prod")
    eks_client.get_waiter("fargate_profile_deleted").wait(clusterName="prod", fargateProfileName="fp")


def test_describe_and_delete_unknown_profile(eks_client, cluster):
    for call in (eks_client.describe_fargate_profile, eks_client.delete_fargate_profile):
        assert_error(error_of(call, clusterName="prod", fargateProfileName="ghost"), "ResourceNotFoundException",
                     "No Fargate Profile found with name: ghost.", 404, clusterName="prod",
                     fargateProfileName="ghost")


def test_list_pages_every_profile_once(eks_client, cluster):
    names = sorted(f"p{i}" for i in range(5))
    for name in names:
        create_profile(eks_client, name=name)
        eks_client.list_fargate_profiles(clusterName="prod")
    pages = eks_client.get_paginator("list_fargate_profiles").paginate(clusterName="prod",
                                                                        PaginationConfig={"PageSize": 2})
    assert [n for page in pages for n in page["fargateProfileNames"]] == names


def test_same_token_returns_the_same_profile(eks_client, cluster):
    first = create_profile(eks_client, clientRequestToken="t")
    assert create_profile(eks_client, clientRequestToken="t")["fargateProfileArn"] == first["fargateProfileArn"]


def test_selectors_with_empty_or_no_labels_are_described_with_an_empty_map(eks_client, cluster):
    create_profile(eks_client, selectors=[{"namespace": "apps", "labels": {}}, {"namespace": "jobs"}])
    described = eks_client.describe_fargate_profile(clusterName="prod", fargateProfileName="fp")["fargateProfile"]
    assert described["status"] == "ACTIVE"
    assert described["selectors"] == [{"namespace": "apps", "labels": {}}, {"namespace": "jobs", "labels": {}}]


def test_selectors_with_empty_labels_over_http(emulator_server):
    client = boto3.client("eks", endpoint_url=emulator_server.url, region_name="us-east-1")
    create_cluster(client)
    body = {"fargateProfileName": "fp", "podExecutionRoleArn": POD_ROLE,
            "selectors": [{"namespace": "apps", "labels": {}}, {"namespace": "jobs", "labels": None}]}
    response = requests.post(f"{emulator_server.url}/clusters/prod/fargate-profiles", json=body, timeout=10)
    assert response.status_code == 200, response.text
    assert response.json()["fargateProfile"]["selectors"] == [{"namespace": "apps", "labels": {}},
                                                              {"namespace": "jobs", "labels": {}}]
