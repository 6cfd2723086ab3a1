"""EKS managed nodegroups through boto3: create rules and defaults, the object, lifecycle, updates."""
import re

import pytest
from botocore.exceptions import WaiterError

from emulator.eks import nodegroups as ng
from emulator.eks.cluster_config import INVALID_ROLE_ARN
from emulator.eks.common import CLUSTER_NOT_ACTIVE
from tests.eks.cluster_support import (NODE_ROLE, SUBNETS, assert_error, create_cluster, create_nodegroup,
                                       error_of)

IPE = "InvalidParameterException"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@pytest.fixture
def cluster(eks_client):
    return create_cluster(eks_client)


def invalid(response, message):
    assert_error(response, IPE, message, 400, clusterName="prod", nodegroupName="ng")


# -- the object ----------------------------------------------------------------------------------
def test_create_returns_creating_nodegroup_with_defaults(eks_client, cluster):
    nodegroup = create_nodegroup(eks_client)
    assert nodegroup["nodegroupName"] == "ng" and nodegroup["clusterName"] == "prod"
    assert re.fullmatch(rf"arn:aws:eks:us-east-1:123456789012:nodegroup/prod/ng/{UUID}", nodegroup["nodegroupArn"])
    assert nodegroup["status"] == "CREATING"
    assert nodegroup["version"] == "1.35" and nodegroup["releaseVersion"] == "1.35.5-20261118"
    assert nodegroup["amiType"] == "AL2023_x86_64_STANDARD"
    assert nodegroup["capacityType"] == "ON_DEMAND"
    assert nodegroup["instanceTypes"] == ["t3.medium"]
    assert nodegroup["diskSize"] == 20
    assert nodegroup["scalingConfig"] == {"minSize": 2, "maxSize": 2, "desiredSize": 2}
    assert nodegroup["updateConfig"] == {"maxUnavailable": 1}
    assert nodegroup["subnets"] == SUBNETS and nodegroup["nodeRole"] == NODE_ROLE
    assert nodegroup["labels"] == {} and "taints" not in nodegroup
    assert nodegroup["health"] == {"issues": []} and nodegroup["tags"] == {}
    assert nodegroup["createdAt"] == nodegroup["modifiedAt"]
    assert "resources" not in nodegroup


def test_active_nodegroup_reports_its_auto_scaling_group(eks_client, cluster):
    created = create_nodegroup(eks_client)
    nodegroup = eks_client.describe_nodegroup(clusterName="prod", nodegroupName="ng")["nodegroup"]
    assert nodegroup["status"] == "ACTIVE"
    uid = created["nodegroupArn"].rsplit("/", 1)[1]
    assert nodegroup["resources"] == {"autoScalingGroups": [{"name": f"eks-ng-{uid}"}]}


def test_remote_access_without_source_groups_gets_a_security_group(eks_client, cluster):
    create_nodegroup(eks_client, remoteAccess={"ec2SshKey": "my-key"})
    nodegroup = eks_client.describe_nodegroup(clusterName="prod", nodegroupName="ng")["nodegroup"]
    assert nodegroup["remoteAccess"] == {"ec2SshKey": "my-key"}
    assert re.fullmatch(r"sg-[0-9a-f]{17}", nodegroup["resources"]["remoteAccessSecurityGroup"])


def test_create_echoes_settings(eks_client, cluster):
    nodegroup = create_nodegroup(
        eks_client, scalingConfig={"minSize": 0, "maxSize": 10, "desiredSize": 3}, instanceTypes=["m6i.large"],
        amiType="BOTTLEROCKET_x86_64", capacityType="SPOT", diskSize=100, labels={"role": "web"},
        taints=[{"key": "dedicated", "value": "web", "effect": "NO_SCHEDULE"}], tags={"team": "web"},
        updateConfig={"maxUnavailablePercentage": 25, "updateStrategy": "MINIMAL"},
        nodeRepairConfig={"enabled": True})
    assert nodegroup["scalingConfig"] == {"minSize": 0, "maxSize": 10, "desiredSize": 3}
    assert nodegroup["amiType"] == "BOTTLEROCKET_x86_64" and nodegroup["releaseVersion"] == "1.53.1-4d7e8b20"
    assert nodegroup["capacityType"] == "SPOT" and nodegroup["diskSize"] == 100
    assert nodegroup["labels"] == {"role": "web"}
    assert nodegroup["taints"] == [{"key": "dedicated", "value": "web", "effect": "NO_SCHEDULE"}]
    assert nodegroup["updateConfig"] == {"maxUnavailablePercentage": 25, "updateStrategy": "MINIMAL"}
    assert nodegroup["nodeRepairConfig"] == {"enabled": True}
    assert nodegroup["tags"] == {"team": "web"}


def test_windows_nodegroups_default_to_50_gib(eks_client, cluster):
    assert create_nodegroup(eks_client, amiType="WINDOWS_CORE_2022_x86_64")["diskSize"] == 50


def test_launch_template_hides_disk_size_and_instance_types(eks_client, cluster):
    nodegroup = create_nodegroup(eks_client, launchTemplate={"name": "my-template"})
    assert "diskSize" not in nodegroup and "instanceTypes" not in nodegroup
    assert nodegroup["launchTemplate"]["name"] == "my-template"
    assert re.fullmatch(r"lt-[0-9a-f]{17}", nodegroup["launchTemplate"]["id"])
    assert nodegroup["launchTemplate"]["version"] == "1"


def test_custom_ami_type_has_no_release_version(eks_client, cluster):
    nodegroup = create_nodegroup(eks_client, amiType="CUSTOM", launchTemplate={"id": "lt-0123456789abcdef0",
                                                                               "version": "3"})
    assert "releaseVersion" not in nodegroup
    assert nodegroup["launchTemplate"] == {"version": "3", "id": "lt-0123456789abcdef0"}


def test_release_version_can_be_chosen(eks_client, cluster):
    assert create_nodegroup(eks_client, releaseVersion="1.35.2-20260521")["releaseVersion"] == "1.35.2-20260521"


# -- CreateNodegroup rules -----------------------------------------------------------------------
def test_cluster_must_exist(eks_client):
    assert_error(error_of(create_nodegroup, eks_client, cluster="ghost"), "ResourceNotFoundException",
                 "No cluster found for name: ghost.", 404, clusterName="ghost")


def test_cluster_must_be_active(eks_client, ecs_eks_mock):
    ecs_eks_mock.config.set_timing(**{"eks.cluster.create": 600})
    create_cluster(eks_client)
    assert_error(error_of(create_nodegroup, eks_client), "InvalidRequestException",
                 CLUSTER_NOT_ACTIVE.format(name="prod"), 400, clusterName="prod")


def test_duplicate_name(eks_client, cluster):
    create_nodegroup(eks_client)
    assert_error(error_of(create_nodegroup, eks_client), "ResourceInUseException",
                 "NodeGroup already exists with name ng and cluster name prod", 409, clusterName="prod",
                 nodegroupName="ng")


@pytest.mark.parametrize("name", ["-ng", "_ng", "ng.1", "ng/1", "ng 1"])
def test_name_characters(eks_client, cluster, name):
    response = error_of(create_nodegroup, eks_client, name=name)
    assert_error(response, IPE, ng.INVALID_NAME, 400, clusterName="prod", nodegroupName=name)


def test_unicode_letters_are_allowed_in_names(eks_client, cluster):
    assert create_nodegroup(eks_client, name="nœuds_1-a")["nodegroupName"] == "nœuds_1-a"


def test_name_length(eks_client, cluster):
    assert create_nodegroup(eks_client, name="n" * 63)["nodegroupName"] == "n" * 63
    response = error_of(create_nodegroup, eks_client, name="n" * 64)
    assert_error(response, IPE, ng.NAME_TOO_LONG, 400)


def test_node_role_must_be_a_role_arn(eks_client, cluster):
    invalid(error_of(create_nodegroup, eks_client, nodeRole="node-role"), INVALID_ROLE_ARN.format(arn="node-role"))


def test_subnets_required(eks_client, cluster):
    invalid(error_of(create_nodegroup, eks_client, subnets=[]), ng.SUBNETS_REQUIRED)


def test_min_size_over_desired(eks_client, cluster):
    invalid(error_of(create_nodegroup, eks_client, scalingConfig={"minSize": 3, "maxSize": 5, "desiredSize": 2}),
            "minSize can't be greater than desiredSize")


def test_desired_size_over_max(eks_client, cluster):
    invalid(error_of(create_nodegroup, eks_client, scalingConfig={"minSize": 1, "maxSize": 2, "desiredSize": 3}),
            "desiredSize can't be greater than maxSize")


def test_max_size_bound(eks_client, cluster):
    invalid(error_of(create_nodegroup, eks_client, scalingConfig={"minSize": 1, "maxSize": 451, "desiredSize": 1}),
            ng.TOO_MANY_NODES)
    assert create_nodegroup(eks_client, scalingConfig={"minSize": 0, "maxSize": 450,
                                                       "desiredSize": 0})["scalingConfig"]["maxSize"] == 450


def test_negative_sizes_are_refused_by_the_model(eks_client, cluster):
    from botocore.config import Config
    import boto3
    client = boto3.client("eks", region_name="us-east-1", config=Config(parameter_validation=False))
    response = error_of(create_nodegroup, client, scalingConfig={"minSize": -1, "maxSize": 2, "desiredSize": 1})
    assert response["Error"]["Code"] == IPE and response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_max_unavailable_within_max_size(eks_client, cluster):
    invalid(error_of(create_nodegroup, eks_client, scalingConfig={"minSize": 1, "maxSize": 2, "desiredSize": 1},
                     updateConfig={"maxUnavailable": 3}),
            "max-unavailable must be within the range 1 and max size of the node group")


def test_only_one_max_unavailable_form(eks_client, cluster):
    invalid(error_of(create_nodegroup, eks_client, updateConfig={"maxUnavailable": 1, "maxUnavailablePercentage": 10}),
            ng.ONE_MAX_UNAVAILABLE)


def test_launch_template_and_disk_size(eks_client, cluster):
    invalid(error_of(create_nodegroup, eks_client, launchTemplate={"name": "lt"}, diskSize=40),
            "Disk size must be specified within the launch template.")


def test_launch_template_and_remote_access(eks_client, cluster):
    invalid(error_of(create_nodegroup, eks_client, launchTemplate={"name": "lt"}, remoteAccess={"ec2SshKey": "k"}),
            "Remote access configuration cannot be specified with a launch template.")


@pytest.mark.parametrize("template", [{}, {"name": "lt", "id": "lt-0123"}, {"version": "2"}])
def test_launch_template_by_id_or_name(eks_client, cluster, template):
    invalid(error_of(create_nodegroup, eks_client, launchTemplate=template), ng.LAUNCH_TEMPLATE_ID_OR_NAME)


def test_instance_types_must_look_like_instance_types(eks_client, cluster):
    invalid(error_of(create_nodegroup, eks_client, instanceTypes=["large"]),
            ng.INVALID_INSTANCE_TYPE.format(type="large"))


def test_version_must_be_the_cluster_version(eks_client, cluster):
    invalid(error_of(create_nodegroup, eks_client, version="1.34"),
            "Nodegroup Kubernetes version should be equal to Cluster kubernetes version 1.35 or NodeGroup "
            "kubernetes version 1.34")


def test_release_version_must_be_published_for_the_version(eks_client, cluster):
    invalid(error_of(create_nodegroup, eks_client, releaseVersion="1.34.8-20261118"),
            "Requested release version 1.34.8-20261118 is not valid for kubernetes version 1.35.")


def test_amazon_linux_2_only_up_to_1_32(eks_client):
    create_cluster(eks_client, version="1.33")
    invalid(error_of(create_nodegroup, eks_client, amiType="AL2_x86_64"),
            ng.AL2_NOT_AVAILABLE.format(ami_type="AL2_x86_64", version="1.33"))


def test_amazon_linux_2_on_1_32(eks_client):
    create_cluster(eks_client, version="1.32")
    assert create_nodegroup(eks_client, amiType="AL2_ARM_64")["releaseVersion"] == "1.32.13-20261118"


@pytest.mark.parametrize("key", ["kubernetes.io/role", "node.kubernetes.io/x", "k8s.io/a", "eks.amazonaws.com/b"])
def test_reserved_label_and_taint_prefixes(eks_client, cluster, key):
    invalid(error_of(create_nodegroup, eks_client, labels={key: "v"}), ng.LABEL_RESERVED)
    invalid(error_of(create_nodegroup, eks_client, taints=[{"key": key, "effect": "NO_SCHEDULE"}]),
            "Taint cannot contain reserved prefixes [kubernetes.io/, k8s.io/, eks.amazonaws.com/]")


def test_at_most_50_taints(eks_client, cluster):
    taints = [{"key": f"k{i}", "value": "v", "effect": "NO_SCHEDULE"} for i in range(51)]
    invalid(error_of(create_nodegroup, eks_client, taints=taints), ng.TOO_MANY_TAINTS)


def test_label_values_limited_to_63_characters(eks_client, cluster):
    response = error_of(create_nodegroup, eks_client, labels={"k": "v" * 64})
    assert response["Error"]["Code"] == IPE and response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_at_most_30_nodegroups_per_cluster(eks_client, cluster):
    for i in range(30):
        create_nodegroup(eks_client, name=f"ng{i}")
    response = error_of(create_nodegroup, eks_client, name="ng30")
    assert_error(response, "ResourceLimitExceededException",
                 ng.TOO_MANY_NODEGROUPS.format(name="ng30", cluster="prod"), 400, clusterName="prod")


def test_same_token_returns_the_same_nodegroup(eks_client, cluster):
    first = create_nodegroup(eks_client, clientRequestToken="t")
    assert create_nodegroup(eks_client, clientRequestToken="t")["nodegroupArn"] == first["nodegroupArn"]


# -- lifecycle, describe, list, delete -----------------------------------------------------------
def test_lifecycle_on_the_clock_and_waiters(eks_client, cluster, ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.nodegroup.create": 180, "eks.nodegroup.delete": 300})
    create_nodegroup(eks_client)
    active = eks_client.get_waiter("nodegroup_active")
    with pytest.raises(WaiterError):
        active.wait(clusterName="prod", nodegroupName="ng", WaiterConfig={"Delay": 0, "MaxAttempts": 2})
    ecs_eks_mock.clock.advance(180)
    active.wait(clusterName="prod", nodegroupName="ng", WaiterConfig={"Delay": 0, "MaxAttempts": 1})
    described = eks_client.describe_nodegroup(clusterName="prod", nodegroupName="ng")["nodegroup"]
    assert described["modifiedAt"] > described["createdAt"]
    assert eks_client.delete_nodegroup(clusterName="prod", nodegroupName="ng")["nodegroup"]["status"] == "DELETING"
    deleted = eks_client.get_waiter("nodegroup_deleted")
    with pytest.raises(WaiterError):
        deleted.wait(clusterName="prod", nodegroupName="ng", WaiterConfig={"Delay": 0, "MaxAttempts": 1})
    ecs_eks_mock.clock.advance(300)
    deleted.wait(clusterName="prod", nodegroupName="ng", WaiterConfig={"Delay": 0, "MaxAttempts": 1})


def test_nodegroup_deleted_waiter_ends_when_the_cluster_is_gone(eks_client, cluster):
    create_nodegroup(eks_client)
    eks_client.delete_nodegroup(clusterName="prod", nodegroupName="ng")
    eks_client.delete_cluster(name="prod")
    eks_client.get_waiter("nodegroup_deleted").wait(clusterName="prod", nodegroupName="ng")
    assert_error(error_of(eks_client.describe_nodegroup, clusterName="prod", nodegroupName="ng"),
                 "ResourceNotFoundException", "No cluster found for name: prod.", 404)


def test_describe_unknown_nodegroup(eks_client, cluster):
    assert_error(error_of(eks_client.describe_nodegroup, clusterName="prod", nodegroupName="ghost"),
                 "ResourceNotFoundException", "No node group found for name: ghost.", 404, clusterName="prod",
                 nodegroupName="ghost")
    assert_error(error_of(eks_client.delete_nodegroup, clusterName="prod", nodegroupName="ghost"),
                 "ResourceNotFoundException", "No node group found for name: ghost.", 404)


def test_list_nodegroups_pages_every_nodegroup_once(eks_client, cluster):
    names = sorted(f"ng{i}" for i in range(7))
    for name in names:
        create_nodegroup(eks_client, name=name)
    pages = eks_client.get_paginator("list_nodegroups").paginate(clusterName="prod",
                                                                  PaginationConfig={"PageSize": 2})
    assert [n for page in pages for n in page["nodegroups"]] == names


def test_list_nodegroups_of_unknown_cluster(eks_client):
    assert_error(error_of(eks_client.list_nodegroups, clusterName="ghost"), "ResourceNotFoundException",
                 "No cluster found for name: ghost.", 404)


def test_deleted_name_can_be_reused_with_a_new_arn(eks_client, cluster):
    first = create_nodegroup(eks_client)
    eks_client.delete_nodegroup(clusterName="prod", nodegroupName="ng")
    eks_client.list_nodegroups(clusterName="prod")
    assert create_nodegroup(eks_client)["nodegroupArn"] != first["nodegroupArn"]


# -- UpdateNodegroupConfig -----------------------------------------------------------------------
def test_config_update_applies_on_success(eks_client, cluster, ecs_eks_mock):
    create_nodegroup(eks_client, labels={"keep": "1", "drop": "2"},
                     taints=[{"key": "a", "value": "1", "effect": "NO_SCHEDULE"}])
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.nodegroup.update.config": 60})
    update = eks_client.update_nodegroup_config(
        clusterName="prod", nodegroupName="ng",
        labels={"addOrUpdateLabels": {"new": "3"}, "removeLabels": ["drop"]},
        taints={"addOrUpdateTaints": [{"key": "b", "value": "2", "effect": "NO_EXECUTE"}],
                "removeTaints": [{"key": "a", "effect": "NO_SCHEDULE"}]},
        scalingConfig={"maxSize": 5, "desiredSize": 4}, updateConfig={"maxUnavailable": 2})["update"]
    assert update["type"] == "ConfigUpdate" and update["status"] == "InProgress"
    assert {p["type"]: p["value"] for p in update["params"]} == {
        "LabelsToAdd": '{"new":"3"}', "LabelsToRemove": '["drop"]',
        "TaintsToAdd": '[{"key":"b","value":"2","effect":"NO_EXECUTE"}]',
        "TaintsToRemove": '[{"key":"a","effect":"NO_SCHEDULE"}]',
        "DesiredSize": "4", "MaxSize": "5", "MaxUnavailable": "2"}
    nodegroup = eks_client.describe_nodegroup(clusterName="prod", nodegroupName="ng")["nodegroup"]
    assert nodegroup["status"] == "UPDATING" and nodegroup["scalingConfig"]["desiredSize"] == 2
    assert eks_client.describe_cluster(name="prod")["cluster"]["status"] == "ACTIVE"
    ecs_eks_mock.clock.advance(60)
    nodegroup = eks_client.describe_nodegroup(clusterName="prod", nodegroupName="ng")["nodegroup"]
    assert nodegroup["status"] == "ACTIVE"
    assert nodegroup["labels"] == {"keep": "1", "new": "3"}
    assert nodegroup["taints"] == [{"key": "b", "value": "2", "effect": "NO_EXECUTE"}]
    assert nodegroup["scalingConfig"] == {"minSize": 2, "maxSize": 5, "desiredSize": 4}
    assert nodegroup["updateConfig"] == {"maxUnavailable": 2}
    assert eks_client.describe_update(name="prod", updateId=update["id"],
                                      nodegroupName="ng")["update"]["status"] == "Successful"


def test_config_update_min_over_current_desired(eks_client, cluster):
    create_nodegroup(eks_client, scalingConfig={"minSize": 1, "maxSize": 5, "desiredSize": 2})
    invalid(error_of(eks_client.update_nodegroup_config, clusterName="prod", nodegroupName="ng",
                     scalingConfig={"minSize": 3}),
            "Minimum capacity 3 can't be greater than desired size 2")


def test_config_update_desired_over_max(eks_client, cluster):
    create_nodegroup(eks_client)
    invalid(error_of(eks_client.update_nodegroup_config, clusterName="prod", nodegroupName="ng",
                     scalingConfig={"desiredSize": 3}), "desiredSize can't be greater than maxSize")


def test_config_update_max_unavailable_within_new_max(eks_client, cluster):
    create_nodegroup(eks_client, scalingConfig={"minSize": 1, "maxSize": 4, "desiredSize": 2},
                     updateConfig={"maxUnavailable": 3})
    invalid(error_of(eks_client.update_nodegroup_config, clusterName="prod", nodegroupName="ng",
                     scalingConfig={"maxSize": 2}),
            "max-unavailable must be within the range 1 and max size of the node group")


def test_config_update_needs_a_change(eks_client, cluster):
    create_nodegroup(eks_client)
    invalid(error_of(eks_client.update_nodegroup_config, clusterName="prod", nodegroupName="ng"), ng.NO_CONFIG_CHANGE)


def test_config_update_label_added_and_removed(eks_client, cluster):
    create_nodegroup(eks_client)
    invalid(error_of(eks_client.update_nodegroup_config, clusterName="prod", nodegroupName="ng",
                     labels={"addOrUpdateLabels": {"a": "1"}, "removeLabels": ["a"]}),
            ng.LABEL_ADDED_AND_REMOVED.format(key="a"))


def test_updates_refused_unless_nodegroup_is_active(eks_client, cluster, ecs_eks_mock):
    ecs_eks_mock.config.set_timing(**{"eks.nodegroup.create": 180})
    create_nodegroup(eks_client)
    response = error_of(eks_client.update_nodegroup_config, clusterName="prod", nodegroupName="ng",
                        scalingConfig={"maxSize": 3})
    assert_error(response, "ResourceInUseException", "Nodegroup cannot be updated as it is currently not in Active State",
                 409, clusterName="prod", nodegroupName="ng")
    response = error_of(eks_client.update_nodegroup_version, clusterName="prod", nodegroupName="ng")
    assert response["Error"]["Code"] == "ResourceInUseException"


def test_one_nodegroup_update_at_a_time(eks_client, cluster, ecs_eks_mock):
    create_nodegroup(eks_client, scalingConfig={"minSize": 1, "maxSize": 5, "desiredSize": 2})
    ecs_eks_mock.config.set_timing(**{"eks.nodegroup.update.config": 60})
    eks_client.update_nodegroup_config(clusterName="prod", nodegroupName="ng", scalingConfig={"desiredSize": 3})
    response = error_of(eks_client.update_nodegroup_config, clusterName="prod", nodegroupName="ng",
                        scalingConfig={"desiredSize": 4})
    assert_error(response, "ResourceInUseException", ng.NOT_ACTIVE, 409, nodegroupName="ng")


def test_update_of_unknown_nodegroup(eks_client, cluster):
    response = error_of(eks_client.update_nodegroup_config, clusterName="prod", nodegroupName="ghost",
                        scalingConfig={"maxSize": 3})
    assert_error(response, "ResourceNotFoundException", "No node group found for name: ghost.", 404)


# -- UpdateNodegroupVersion ----------------------------------------------------------------------
def test_version_update_follows_the_cluster(eks_client, ecs_eks_mock):
    create_cluster(eks_client, version="1.34")
    create_nodegroup(eks_client)
    eks_client.update_cluster_version(name="prod", version="1.35")
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.nodegroup.update.version": 600})
    update = eks_client.update_nodegroup_version(clusterName="prod", nodegroupName="ng")["update"]
    assert update["type"] == "VersionUpdate"
    assert {p["type"]: p["value"] for p in update["params"]} == {"Version": "1.35", "ReleaseVersion": "1.35.5-20261118"}
    assert eks_client.describe_nodegroup(clusterName="prod", nodegroupName="ng")["nodegroup"]["version"] == "1.34"
    ecs_eks_mock.clock.advance(600)
    nodegroup = eks_client.describe_nodegroup(clusterName="prod", nodegroupName="ng")["nodegroup"]
    assert (nodegroup["status"], nodegroup["version"], nodegroup["releaseVersion"]) == (
        "ACTIVE", "1.35", "1.35.5-20261118")
    # the cluster can move on once its nodegroups caught up
    assert eks_client.update_cluster_version(name="prod", version="1.36")["update"]["status"] == "InProgress"


def test_version_update_to_a_newer_release_of_the_same_minor(eks_client, cluster):
    create_nodegroup(eks_client, releaseVersion="1.35.2-20260521")
    update = eks_client.update_nodegroup_version(clusterName="prod", nodegroupName="ng",
                                                 releaseVersion="1.35.4-20260915")["update"]
    assert {p["type"]: p["value"] for p in update["params"]}["ReleaseVersion"] == "1.35.4-20260915"
    assert eks_client.describe_nodegroup(clusterName="prod", nodegroupName="ng")["nodegroup"]["releaseVersion"] == \
        "1.35.4-20260915"


def test_version_update_cannot_roll_back(eks_client, cluster):
    create_nodegroup(eks_client)
    invalid(error_of(eks_client.update_nodegroup_version, clusterName="prod", nodegroupName="ng",
                     releaseVersion="1.35.0-20260127"),
            ng.ROLLBACK.format(release="1.35.0-20260127", current="1.35.5-20261118"))


def test_version_update_already_current(eks_client, cluster):
    create_nodegroup(eks_client)
    invalid(error_of(eks_client.update_nodegroup_version, clusterName="prod", nodegroupName="ng"),
            ng.ALREADY_AT_VERSION.format(name="ng", version="1.35", release="1.35.5-20261118"))


def test_version_update_to_another_version_than_the_cluster(eks_client, cluster):
    create_nodegroup(eks_client)
    invalid(error_of(eks_client.update_nodegroup_version, clusterName="prod", nodegroupName="ng", version="1.36"),
            "Nodegroup Kubernetes version should be equal to Cluster kubernetes version 1.35 or NodeGroup "
            "kubernetes version 1.35")


def test_version_update_release_must_be_published(eks_client, cluster):
    create_nodegroup(eks_client)
    invalid(error_of(eks_client.update_nodegroup_version, clusterName="prod", nodegroupName="ng",
                     releaseVersion="9.9.9-20990101"),
            "Requested release version 9.9.9-20990101 is not valid for kubernetes version 1.35.")


def test_version_update_launch_template_version(eks_client, cluster):
    create_nodegroup(eks_client, launchTemplate={"name": "tmpl", "version": "1"})
    update = eks_client.update_nodegroup_version(clusterName="prod", nodegroupName="ng",
                                                 launchTemplate={"name": "tmpl", "version": "2"})["update"]
    params = {p["type"]: p["value"] for p in update["params"]}
    assert params["LaunchTemplateName"] == "tmpl" and params["LaunchTemplateVersion"] == "2"
    described = eks_client.describe_nodegroup(clusterName="prod", nodegroupName="ng")["nodegroup"]
    assert described["launchTemplate"]["version"] == "2"


def test_version_update_launch_template_must_be_the_same(eks_client, cluster):
    create_nodegroup(eks_client, launchTemplate={"name": "tmpl"})
    invalid(error_of(eks_client.update_nodegroup_version, clusterName="prod", nodegroupName="ng",
                     launchTemplate={"name": "other", "version": "2"}), ng.LAUNCH_TEMPLATE_MISMATCH)
    create_nodegroup(eks_client, name="plain")
    response = error_of(eks_client.update_nodegroup_version, clusterName="prod", nodegroupName="plain",
                        launchTemplate={"name": "tmpl", "version": "2"})
    assert_error(response, IPE, ng.NO_LAUNCH_TEMPLATE, 400, nodegroupName="plain")
