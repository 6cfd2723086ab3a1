"""Every waiter of botocore's EKS model, through boto3, at default timing and on a frozen clock.

botocore's waiters poll the Describe operation at once, then sleep ``delay`` seconds between
attempts.  Here the sleep is replaced by advancing the emulator's frozen clock by the same
amount, so a waiter runs at its real, default configuration without waiting: it must succeed
exactly when the lifecycle step's configured duration has passed, and not a poll earlier.
"""
import math
from types import SimpleNamespace

import botocore.session
import botocore.waiter
import pytest
from botocore.exceptions import WaiterError

from tests.eks.cluster_support import create_cluster, create_nodegroup, create_profile

WAITERS = botocore.session.get_session().get_waiter_model("eks")
STEP = 95.0    # seconds a lifecycle step takes in the frozen-clock tests: not a multiple of any delay


def cluster_active(client):
    create_cluster(client)
    return {"name": "prod"}


def cluster_deleted(client):
    create_cluster(client)
    client.describe_cluster(name="prod")
    assert client.delete_cluster(name="prod")["cluster"]["status"] == "DELETING"
    return {"name": "prod"}


def nodegroup_active(client):
    create_cluster(client)
    create_nodegroup(client)
    return {"clusterName": "prod", "nodegroupName": "ng"}


def _deleting(client, request, resource, member):
    """The resource of ``request``, once ACTIVE, deleted: DELETING at once."""
    getattr(client, f"describe_{resource}")(**request)
    assert getattr(client, f"delete_{resource}")(**request)[member]["status"] == "DELETING"
    return request


def nodegroup_deleted(client):
    return _deleting(client, nodegroup_active(client), "nodegroup", "nodegroup")


def fargate_profile_active(client):
    create_cluster(client)
    create_profile(client)
    return {"clusterName": "prod", "fargateProfileName": "fp"}


def fargate_profile_deleted(client):
    return _deleting(client, fargate_profile_active(client), "fargate_profile", "fargateProfile")


def addon_active(client):
    create_cluster(client)
    client.create_addon(clusterName="prod", addonName="vpc-cni")
    return {"clusterName": "prod", "addonName": "vpc-cni"}


def addon_deleted(client):
    return _deleting(client, addon_active(client), "addon", "addon")


# waiter -> (setup returning the waiter's request, the duration of the step it waits for)
CASES = {
    "ClusterActive": (cluster_active, "eks.cluster.create"),
    "ClusterDeleted": (cluster_deleted, "eks.cluster.delete"),
    "NodegroupActive": (nodegroup_active, "eks.nodegroup.create"),
    "NodegroupDeleted": (nodegroup_deleted, "eks.nodegroup.delete"),
    "FargateProfileActive": (fargate_profile_active, "eks.fargate.create"),
    "FargateProfileDeleted": (fargate_profile_deleted, "eks.fargate.delete"),
    "AddonActive": (addon_active, "eks.addon.create"),
    "AddonDeleted": (addon_deleted, "eks.addon.delete"),
}


@pytest.fixture
def sleeps(monkeypatch, ecs_eks_mock):
    """The waiters' sleeps, each advancing the emulator's clock instead of waiting."""
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        ecs_eks_mock.clock.advance(seconds)
    monkeypatch.setattr(botocore.waiter, "time", SimpleNamespace(sleep=sleep))
    return slept


def test_every_waiter_of_the_model_has_a_case():
    assert sorted(CASES) == sorted(WAITERS.waiter_names)


@pytest.mark.parametrize("name", sorted(WAITERS.waiter_names))
def test_waiter_succeeds_on_its_first_poll_at_default_timing(eks_client, sleeps, name):
    setup, _ = CASES[name]
    request = setup(eks_client)
    eks_client.get_waiter(botocore.xform_name(name)).wait(**request)
    assert sleeps == []


@pytest.mark.parametrize("name", sorted(WAITERS.waiter_names))
def test_waiter_succeeds_only_once_the_step_has_taken_its_duration(eks_client, ecs_eks_mock, sleeps, name):
    setup, duration = CASES[name]
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{duration: STEP})
    request = setup(eks_client)
    delay = WAITERS.get_waiter(name).delay
    eks_client.get_waiter(botocore.xform_name(name)).wait(**request)
    assert sleeps == [delay] * math.ceil(STEP / delay)


@pytest.mark.parametrize("name", sorted(WAITERS.waiter_names))
def test_waiter_gives_up_when_the_step_outlasts_its_attempts(eks_client, ecs_eks_mock, sleeps, name):
    setup, duration = CASES[name]
    config = WAITERS.get_waiter(name)
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{duration: config.delay * config.max_attempts + 1})
    request = setup(eks_client)
    with pytest.raises(WaiterError, match="Max attempts exceeded"):
        eks_client.get_waiter(botocore.xform_name(name)).wait(**request)
    assert len(sleeps) == config.max_attempts - 1


@pytest.mark.parametrize("name", [n for n in sorted(WAITERS.waiter_names) if n.endswith("Deleted")])
def test_deleted_waiters_end_on_resource_not_found(eks_client, sleeps, name):
    setup, _ = CASES[name]
    request = setup(eks_client)
    operation = WAITERS.get_waiter(name).operation
    with pytest.raises(eks_client.exceptions.ResourceNotFoundException):
        getattr(eks_client, botocore.xform_name(operation))(**request)
    eks_client.get_waiter(botocore.xform_name(name)).wait(**request)
    assert sleeps == []


@pytest.mark.parametrize("name", [n for n in sorted(WAITERS.waiter_names) if n.endswith("Active")])
def test_active_waiters_stop_at_once_on_a_resource_that_does_not_exist(eks_client, sleeps, name):
    """An error no acceptor matches ends the waiter on its first poll."""
    request = CASES[name][0](eks_client)
    missing = {**request, **{k: "missing" for k in request if k != "clusterName"}}
    with pytest.raises(WaiterError) as error:
        eks_client.get_waiter(botocore.xform_name(name)).wait(**missing)
    assert error.value.last_response["Error"]["Code"] == "ResourceNotFoundException"
    assert sleeps == []


def test_cluster_deleted_fails_at_once_on_an_active_cluster(eks_client, sleeps):
    create_cluster(eks_client)
    with pytest.raises(WaiterError, match="terminal failure state"):
        eks_client.get_waiter("cluster_deleted").wait(name="prod")
    assert sleeps == []


def test_cluster_active_fails_at_once_on_a_deleting_cluster(eks_client, ecs_eks_mock, sleeps):
    ecs_eks_mock.config.set_timing(**{"eks.cluster.delete": 300})
    create_cluster(eks_client)
    eks_client.delete_cluster(name="prod")
    with pytest.raises(WaiterError, match="terminal failure state"):
        eks_client.get_waiter("cluster_active").wait(name="prod")
    assert sleeps == []
