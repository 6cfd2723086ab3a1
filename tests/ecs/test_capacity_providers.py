"""Capacity providers through boto3 in mock_aws: names, defaults, lifecycle, the FARGATE built-ins."""
import pytest

from tests.ecs.lifecycle_support import error_of
from tests.ecs.task_support import MANAGED_INSTANCES_PROVIDER

ACCOUNT = "123456789012"
CP_ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}:capacity-provider"


def asg(name="asg-1"):
    return f"arn:aws:autoscaling:us-east-1:{ACCOUNT}:autoScalingGroup:0d5a6e2c-1111-2222-3333-444455556666:" \
           f"autoScalingGroupName/{name}"


def create(client, name="cp-1", group="asg-1", **params):
    params.setdefault("autoScalingGroupProvider", {"autoScalingGroupArn": asg(group)})
    return client.create_capacity_provider(name=name, **params)["capacityProvider"]


INVALID_NAME = ("The specified capacity provider name is invalid. Up to 255 characters are allowed, including "
                "letters (upper and lowercase), numbers, underscores, and hyphens. The name cannot be prefixed "
                "with \"aws\", \"ecs\", or \"fargate\". Specify a valid name and try again.")


def test_create_fills_defaults(ecs_client):
    cp = create(ecs_client, tags=[{"key": "team", "value": "a"}])
    assert cp == {
        "capacityProviderArn": f"{CP_ARN}/cp-1", "name": "cp-1", "status": "ACTIVE", "type": "EC2_AUTOSCALING",
        "autoScalingGroupProvider": {
            "autoScalingGroupArn": asg(),
            "managedScaling": {"status": "DISABLED", "targetCapacity": 100, "minimumScalingStepSize": 1,
                               "maximumScalingStepSize": 10000, "instanceWarmupPeriod": 300},
            "managedTerminationProtection": "DISABLED", "managedDraining": "ENABLED"},
        "tags": [{"key": "team", "value": "a"}]}


def test_create_keeps_given_scaling_settings(ecs_client):
    cp = create(ecs_client, autoScalingGroupProvider={
        "autoScalingGroupArn": "asg-by-name", "managedTerminationProtection": "ENABLED",
        "managedScaling": {"status": "ENABLED", "targetCapacity": 80, "maximumScalingStepSize": 5}})
    group = cp["autoScalingGroupProvider"]
    assert group["autoScalingGroupArn"] == "asg-by-name"
    assert group["managedScaling"] == {"status": "ENABLED", "targetCapacity": 80, "minimumScalingStepSize": 1,
                                       "maximumScalingStepSize": 5, "instanceWarmupPeriod": 300}
    assert group["managedTerminationProtection"] == "ENABLED"


@pytest.mark.parametrize("name", ["aws-cp", "ecsProvider", "fargate2", "AWSx", "Fargate_cp", "bad name", "a" * 256])
def test_invalid_names(ecs_client, name):
    assert error_of(create, client=ecs_client, name=name) == ("ClientException", INVALID_NAME)


def test_name_of_255_characters(ecs_client):
    assert create(ecs_client, name="a" * 255)["name"] == "a" * 255


def test_duplicate_name(ecs_client):
    create(ecs_client)
    assert error_of(create, client=ecs_client, group="asg-2") == (
        "ClientException",
        "The specified capacity provider already exists. To change the configuration of an existing capacity "
        "provider, update the capacity provider.")


def test_an_auto_scaling_group_backs_one_provider(ecs_client):
    create(ecs_client)
    assert error_of(create, client=ecs_client, name="cp-2",
                    autoScalingGroupProvider={"autoScalingGroupArn": "asg-1"}) == (
        "ClientException",
        "The specified Auto Scaling group ARN is already being used by another capacity provider. "
        "Specify a unique Auto Scaling group ARN and try again.")


def test_neither_kind_of_provider(ecs_client):
    """Exactly one is required (model docs); the wording is this emulator's choice."""
    assert error_of(ecs_client.create_capacity_provider, name="cp-1") == (
        "ClientException",
        "Exactly one of autoScalingGroupProvider or managedInstancesProvider must be specified. "
        "Specify one and try again.")


def test_both_kinds_of_provider(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    code, _ = error_of(create, client=ecs_client, cluster="c", managedInstancesProvider=MANAGED_INSTANCES_PROVIDER)
    assert code == "ClientException"


def test_managed_instances_provider_provisions_in_its_cluster(ecs_client, ecs_eks_mock):
    ecs_eks_mock.config.set_timing(**{"ecs.capacity_provider.provision": 60})
    ecs_eks_mock.clock.freeze()
    ecs_client.create_cluster(clusterName="c")
    cp = ecs_client.create_capacity_provider(name="mi", cluster="c",
                                             managedInstancesProvider=MANAGED_INSTANCES_PROVIDER)["capacityProvider"]
    assert (cp["type"], cp["cluster"], cp["status"], cp["updateStatus"]) == (
        "MANAGED_INSTANCES", "c", "PROVISIONING", "CREATE_IN_PROGRESS")
    assert cp["managedInstancesProvider"]["propagateTags"] == "NONE"
    ecs_eks_mock.clock.advance(60)
    cp = ecs_client.describe_capacity_providers(capacityProviders=["mi"])["capacityProviders"][0]
    assert (cp["status"], cp["updateStatus"]) == ("ACTIVE", "CREATE_COMPLETE")
    listed = ecs_client.describe_capacity_providers(cluster="c")["capacityProviders"]
    assert [p["name"] for p in listed] == ["mi"]


def test_managed_instances_provider_needs_a_cluster(ecs_client):
    """The wording is this emulator's choice."""
    assert error_of(ecs_client.create_capacity_provider, name="mi",
                    managedInstancesProvider=MANAGED_INSTANCES_PROVIDER) == (
        "ClientException",
        "A cluster must be specified for a Managed Instances capacity provider. Specify a cluster and try again.")


def test_managed_instances_provider_in_unknown_cluster(ecs_client):
    assert error_of(ecs_client.create_capacity_provider, name="mi", cluster="nope",
                    managedInstancesProvider=MANAGED_INSTANCES_PROVIDER) == (
        "ClusterNotFoundException", "Cluster not found.")


# --- Describe -------------------------------------------------------------------------------------

def test_describe_lists_fargate_built_ins(ecs_client):
    providers = ecs_client.describe_capacity_providers()["capacityProviders"]
    assert providers == [
        {"capacityProviderArn": f"{CP_ARN}/FARGATE", "name": "FARGATE", "status": "ACTIVE", "type": "FARGATE"},
        {"capacityProviderArn": f"{CP_ARN}/FARGATE_SPOT", "name": "FARGATE_SPOT", "status": "ACTIVE",
         "type": "FARGATE_SPOT"}]


def test_describe_by_name_and_arn_with_missing(ecs_client):
    create(ecs_client)
    out = ecs_client.describe_capacity_providers(capacityProviders=[f"{CP_ARN}/cp-1", "FARGATE", "ghost"])
    assert [p["name"] for p in out["capacityProviders"]] == ["FARGATE", "cp-1"]
    assert out["failures"] == [{"arn": f"{CP_ARN}/ghost", "reason": "MISSING"}]


def test_describe_includes_tags_only_when_asked(ecs_client):
    create(ecs_client, tags=[{"key": "team", "value": "a"}])
    plain = ecs_client.describe_capacity_providers(capacityProviders=["cp-1"])["capacityProviders"][0]
    assert "tags" not in plain
    tagged = ecs_client.describe_capacity_providers(capacityProviders=["cp-1"], include=["TAGS"])
    assert tagged["capacityProviders"][0]["tags"] == [{"key": "team", "value": "a"}]


def test_describe_pages_by_ten(ecs_client):
    for i in range(12):
        create(ecs_client, name=f"cp-{i:02d}", group=f"asg-{i}")
    first = ecs_client.describe_capacity_providers()
    assert len(first["capacityProviders"]) == 10
    second = ecs_client.describe_capacity_providers(nextToken=first["nextToken"])
    names = [p["name"] for p in first["capacityProviders"] + second["capacityProviders"]]
    assert names == ["FARGATE", "FARGATE_SPOT"] + [f"cp-{i:02d}" for i in range(12)]
    assert "nextToken" not in second


@pytest.mark.parametrize("size", [0, 11])
def test_describe_page_size_is_one_to_ten(ecs_client, size):
    assert error_of(ecs_client.describe_capacity_providers, maxResults=size) == (
        "InvalidParameterException", "maxResults must be between 1 and 10, inclusive.")


def test_describe_for_a_cluster(ecs_client):
    create(ecs_client)
    create(ecs_client, name="cp-2", group="asg-2")
    ecs_client.create_cluster(clusterName="c", capacityProviders=["cp-2", "FARGATE"])
    listed = ecs_client.describe_capacity_providers(cluster="c")["capacityProviders"]
    assert [p["name"] for p in listed] == ["FARGATE", "cp-2"]


def test_describe_for_unknown_cluster(ecs_client):
    assert error_of(ecs_client.describe_capacity_providers, cluster="nope") == (
        "ClusterNotFoundException", "Cluster not found.")


# --- Update ---------------------------------------------------------------------------------------

def test_update_merges_settings(ecs_client, ecs_eks_mock):
    create(ecs_client)
    cp = ecs_client.update_capacity_provider(name="cp-1", autoScalingGroupProvider={
        "managedScaling": {"status": "ENABLED", "targetCapacity": 90}, "managedDraining": "DISABLED"})["capacityProvider"]
    group = cp["autoScalingGroupProvider"]
    assert group["managedScaling"]["status"] == "ENABLED"
    assert group["managedScaling"]["targetCapacity"] == 90
    assert group["managedScaling"]["instanceWarmupPeriod"] == 300
    assert group["managedDraining"] == "DISABLED"
    assert cp["updateStatus"] == "UPDATE_IN_PROGRESS"
    later = ecs_client.describe_capacity_providers(capacityProviders=["cp-1"])["capacityProviders"][0]
    assert later["updateStatus"] == "UPDATE_COMPLETE"


def test_update_unknown_provider(ecs_client):
    """The wording is this emulator's choice."""
    assert error_of(ecs_client.update_capacity_provider, name="ghost", autoScalingGroupProvider={}) == (
        "ClientException", "The specified capacity provider does not exist. Specify a valid name or ARN and try again.")


def test_update_fargate_is_refused(ecs_client):
    """The wording is this emulator's choice."""
    assert error_of(ecs_client.update_capacity_provider, name="FARGATE", autoScalingGroupProvider={}) == (
        "ClientException", "The specified capacity provider is reserved and cannot be modified or deleted.")


def test_update_with_the_other_kind(ecs_client):
    create(ecs_client)
    code, _ = error_of(ecs_client.update_capacity_provider, name="cp-1",
                       managedInstancesProvider=MANAGED_INSTANCES_PROVIDER)
    assert code == "ClientException"


# --- Delete ---------------------------------------------------------------------------------------

def test_delete_goes_inactive(ecs_client, ecs_eks_mock):
    ecs_eks_mock.config.set_timing(**{"ecs.capacity_provider.delete": 20})
    ecs_eks_mock.clock.freeze()
    create(ecs_client)
    cp = ecs_client.delete_capacity_provider(capacityProvider=f"{CP_ARN}/cp-1")["capacityProvider"]
    assert (cp["status"], cp["updateStatus"]) == ("ACTIVE", "DELETE_IN_PROGRESS")
    ecs_eks_mock.clock.advance(20)
    cp = ecs_client.describe_capacity_providers(capacityProviders=["cp-1"])["capacityProviders"][0]
    assert (cp["status"], cp["updateStatus"]) == ("INACTIVE", "DELETE_COMPLETE")


def test_deleted_provider_frees_its_name_and_group(ecs_client):
    create(ecs_client)
    ecs_client.delete_capacity_provider(capacityProvider="cp-1")
    assert create(ecs_client)["status"] == "ACTIVE"


def test_delete_of_a_provider_associated_with_a_cluster_fails(ecs_client):
    """ECS answers with the provider in DELETE_FAILED and keeps it ACTIVE."""
    create(ecs_client)
    ecs_client.create_cluster(clusterName="prod", capacityProviders=["cp-1"])
    cp = ecs_client.delete_capacity_provider(capacityProvider="cp-1")["capacityProvider"]
    assert (cp["status"], cp["updateStatus"]) == ("ACTIVE", "DELETE_FAILED")
    assert cp["updateStatusReason"] == ("The capacity provider cannot be deleted because it is associated with "
                                        "cluster: prod. Remove the capacity provider from the cluster and try again.")
    again = ecs_client.describe_capacity_providers(capacityProviders=["cp-1"])["capacityProviders"][0]
    assert again["status"] == "ACTIVE"


def test_delete_fargate_is_refused(ecs_client):
    assert error_of(ecs_client.delete_capacity_provider, capacityProvider="FARGATE_SPOT") == (
        "ClientException", "The specified capacity provider is reserved and cannot be modified or deleted.")


def test_delete_unknown(ecs_client):
    assert error_of(ecs_client.delete_capacity_provider, capacityProvider="ghost")[0] == "ClientException"

