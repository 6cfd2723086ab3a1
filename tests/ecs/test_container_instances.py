"""Container instances: registration, resources, statuses, listing, deregistration."""
import json

import pytest
import requests
from botocore.exceptions import ClientError

from emulator.ecs import container_instances
from tests.ecs.task_support import (describe_instance, ec2_task_definition, code_and_message, identity_document,
                                    register_instance, resource)


@pytest.fixture
def cluster(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    return "c"


def test_register_reads_the_identity_document(ecs_client, cluster):
    document = identity_document("t3.large", "us-east-1b", instance_id="i-0abc1234def567890")
    instance = ecs_client.register_container_instance(cluster="c", instanceIdentityDocument=document,
                                                      instanceIdentityDocumentSignature="sig")["containerInstance"]
    instance_id = instance["containerInstanceArn"].rsplit("/", 1)[1]
    assert instance["containerInstanceArn"] == f"arn:aws:ecs:us-east-1:123456789012:container-instance/c/{instance_id}"
    assert len(instance_id) == 32
    assert instance["ec2InstanceId"] == "i-0abc1234def567890"
    assert instance["status"] == "ACTIVE" and instance["agentConnected"] is True
    assert (instance["runningTasksCount"], instance["pendingTasksCount"], instance["version"]) == (0, 0, 1)
    attributes = {a["name"]: a.get("value") for a in instance["attributes"]}
    assert attributes["ecs.instance-type"] == "t3.large"
    assert attributes["ecs.availability-zone"] == "us-east-1b"
    assert attributes["ecs.os-type"] == "linux"
    assert attributes["ecs.ami-id"] == "ami-0abcdef1234567890"
    assert attributes["ecs.cpu-architecture"] == "x86_64"
    assert isinstance(instance["registeredAt"].timestamp(), float)
    assert instance["versionInfo"]["agentVersion"] == container_instances.LATEST_AGENT_VERSION


def test_registered_resources_come_from_the_instance_type(ecs_client, cluster):
    instance = register_instance(ecs_client, instance_type="t3.large")
    assert resource(instance, "CPU", "registeredResources") == 2048
    assert resource(instance, "MEMORY", "registeredResources") == 8192
    assert resource(instance, "PORTS", "registeredResources") == ["22", "2375", "2376", "51678", "51679"]
    assert resource(instance, "PORTS_UDP", "registeredResources") == []
    assert instance["remainingResources"] == instance["registeredResources"]


def test_total_resources_given_by_the_agent_win(ecs_client, cluster):
    instance = ecs_client.register_container_instance(cluster="c", instanceIdentityDocument=identity_document(),
                                                      totalResources=[
                                                          {"name": "CPU", "type": "INTEGER", "integerValue": 4096},
                                                          {"name": "MEMORY", "type": "INTEGER", "integerValue": 7000},
                                                          {"name": "PORTS", "type": "STRINGSET",
                                                           "stringSetValue": ["22"]}])["containerInstance"]
    assert (resource(instance, "CPU"), resource(instance, "MEMORY"), resource(instance, "PORTS")) == (4096, 7000, ["22"])


def test_unknown_members_of_a_resource_are_not_echoed(emulator_server):
    """boto3 refuses unknown members; a raw client's are ignored, as AWS's JSON front end ignores them."""
    requests.post(emulator_server.url + "/", json={"clusterName": "c"},
                  headers={"X-Amz-Target": "AmazonEC2ContainerServiceV20141113.CreateCluster"})
    response = requests.post(emulator_server.url + "/", headers={
        "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.RegisterContainerInstance"}, json={
        "cluster": "c", "instanceIdentityDocument": identity_document(),
        "totalResources": [{"name": "GPU", "type": "STRINGSET", "stringSetValue": ["0"], "colour": "red"}]})
    assert response.status_code == 200
    [gpu] = [r for r in response.json()["containerInstance"]["registeredResources"] if r["name"] == "GPU"]
    assert gpu == {"name": "GPU", "type": "STRINGSET", "stringSetValue": ["0"]}


def test_register_on_a_missing_cluster_is_a_client_exception(ecs_client):
    with pytest.raises(ClientError) as info:
        ecs_client.register_container_instance(cluster="nope", instanceIdentityDocument=identity_document())
    assert code_and_message(info) == ("ClientException", "Cluster not found.")


def test_register_with_a_document_that_is_not_json(ecs_client, cluster):
    with pytest.raises(ClientError) as info:
        ecs_client.register_container_instance(cluster="c", instanceIdentityDocument="{not json")
    assert code_and_message(info) == ("InvalidParameterException", container_instances.INVALID_IDENTITY_DOCUMENT)


def test_agent_attributes_are_kept(ecs_client, cluster):
    instance = register_instance(ecs_client, attributes=[
        {"name": "ecs.capability.task-eni"}, {"name": "com.amazonaws.ecs.capability.docker-remote-api.1.44"}])
    names = [a["name"] for a in instance["attributes"]]
    assert "ecs.capability.task-eni" in names and "com.amazonaws.ecs.capability.docker-remote-api.1.44" in names


def test_registering_the_same_ec2_instance_again_returns_it(ecs_client, cluster):
    document = identity_document(instance_id="i-0123456789abcdef0")
    first = ecs_client.register_container_instance(cluster="c", instanceIdentityDocument=document)
    again = ecs_client.register_container_instance(cluster="c", instanceIdentityDocument=document)
    assert first["containerInstance"]["containerInstanceArn"] == again["containerInstance"]["containerInstanceArn"]
    assert len(ecs_client.list_container_instances(cluster="c")["containerInstanceArns"]) == 1


def test_reregistration_by_arn_updates_the_version_info(ecs_client, cluster):
    arn = register_instance(ecs_client)["containerInstanceArn"]
    again = ecs_client.register_container_instance(cluster="c", containerInstanceArn=arn,
                                                   versionInfo={"agentVersion": "1.90.0"})["containerInstance"]
    assert again["containerInstanceArn"] == arn and again["versionInfo"] == {"agentVersion": "1.90.0"}


def test_instance_tags(ecs_client, cluster):
    arn = register_instance(ecs_client, tags=[{"key": "team", "value": "infra"}])["containerInstanceArn"]
    assert ecs_client.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "infra"}]
    described = ecs_client.describe_container_instances(cluster="c", containerInstances=[arn],
                                                        include=["TAGS"])["containerInstances"][0]
    assert described["tags"] == [{"key": "team", "value": "infra"}]
    assert describe_instance(ecs_client, arn)["tags"] == []


def test_cluster_counts_registered_instances(ecs_client, cluster):
    register_instance(ecs_client)
    arn = register_instance(ecs_client)["containerInstanceArn"]
    ecs_client.update_container_instances_state(cluster="c", containerInstances=[arn], status="DRAINING")
    assert ecs_client.describe_clusters(clusters=["c"])["clusters"][0]["registeredContainerInstancesCount"] == 2
    ecs_client.deregister_container_instance(cluster="c", containerInstance=arn)
    assert ecs_client.describe_clusters(clusters=["c"])["clusters"][0]["registeredContainerInstancesCount"] == 1


# -- DescribeContainerInstances ------------------------------------------------------------------

def test_describe_unknown_instances_are_missing(ecs_client, cluster):
    arn = register_instance(ecs_client)["containerInstanceArn"]
    missing = "0123456789abcdef0123456789abcdef"
    response = ecs_client.describe_container_instances(cluster="c", containerInstances=[arn, missing])
    assert [i["containerInstanceArn"] for i in response["containerInstances"]] == [arn]
    assert response["failures"] == [{"arn": f"arn:aws:ecs:us-east-1:123456789012:container-instance/c/{missing}",
                                     "reason": "MISSING"}]


def test_describe_more_than_100_instances(ecs_client, cluster):
    with pytest.raises(ClientError) as info:
        ecs_client.describe_container_instances(cluster="c", containerInstances=[f"{i:032x}" for i in range(101)])
    assert code_and_message(info) == ("InvalidParameterException", "instanceIds can have at most 100 items.")


def test_describe_no_instances(ecs_client, cluster):
    with pytest.raises(ClientError) as info:
        ecs_client.describe_container_instances(cluster="c", containerInstances=[])
    assert code_and_message(info) == ("InvalidParameterException", container_instances.INSTANCES_EMPTY)


def test_describe_with_health(ecs_client, cluster):
    arn = register_instance(ecs_client)["containerInstanceArn"]
    described = ecs_client.describe_container_instances(cluster="c", containerInstances=[arn],
                                                        include=["CONTAINER_INSTANCE_HEALTH"])
    health = described["containerInstances"][0]["healthStatus"]
    assert health["overallStatus"] == "OK" and health["details"][0]["type"] == "CONTAINER_RUNTIME"


def test_instances_are_scoped_to_their_cluster(ecs_client, cluster):
    ecs_client.create_cluster(clusterName="other")
    arn = register_instance(ecs_client)["containerInstanceArn"]
    response = ecs_client.describe_container_instances(cluster="other", containerInstances=[arn])
    assert response["failures"] == [{"arn": arn, "reason": "MISSING"}]


# -- ListContainerInstances ----------------------------------------------------------------------

def test_list_filters_by_status(ecs_client, cluster):
    active = register_instance(ecs_client)["containerInstanceArn"]
    draining = register_instance(ecs_client)["containerInstanceArn"]
    gone = register_instance(ecs_client)["containerInstanceArn"]
    ecs_client.update_container_instances_state(cluster="c", containerInstances=[draining], status="DRAINING")
    ecs_client.deregister_container_instance(cluster="c", containerInstance=gone)
    assert sorted(ecs_client.list_container_instances(cluster="c")["containerInstanceArns"]) == sorted([active, draining])
    assert ecs_client.list_container_instances(cluster="c", status="DRAINING")["containerInstanceArns"] == [draining]
    assert ecs_client.list_container_instances(cluster="c", status="ACTIVE")["containerInstanceArns"] == [active]


def test_list_with_a_cluster_query_filter(ecs_client, cluster):
    small = register_instance(ecs_client, instance_type="t2.micro")["containerInstanceArn"]
    register_instance(ecs_client, instance_type="m5.large")
    listed = ecs_client.list_container_instances(cluster="c", filter="attribute:ecs.instance-type == t2.micro")
    assert listed["containerInstanceArns"] == [small]


def test_list_with_a_malformed_filter(ecs_client, cluster):
    with pytest.raises(ClientError) as info:
        ecs_client.list_container_instances(cluster="c", filter="attribute:ecs.instance-type ==")
    assert code_and_message(info)[0] == "InvalidParameterException"


def test_list_paginates(ecs_client, cluster):
    arns = [register_instance(ecs_client)["containerInstanceArn"] for _ in range(5)]
    pages = list(ecs_client.get_paginator("list_container_instances").paginate(
        cluster="c", PaginationConfig={"PageSize": 2}))
    assert [len(p["containerInstanceArns"]) for p in pages] == [2, 2, 1]
    assert sorted(a for p in pages for a in p["containerInstanceArns"]) == sorted(arns)


# -- UpdateContainerInstancesState ----------------------------------------------------------------

def test_draining_and_back(ecs_client, cluster):
    arn = register_instance(ecs_client)["containerInstanceArn"]
    response = ecs_client.update_container_instances_state(cluster="c", containerInstances=[arn], status="DRAINING")
    assert response["containerInstances"][0]["status"] == "DRAINING" and response["failures"] == []
    assert response["containerInstances"][0]["version"] == 2
    back = ecs_client.update_container_instances_state(cluster="c", containerInstances=[arn], status="ACTIVE")
    assert back["containerInstances"][0]["status"] == "ACTIVE"


def test_only_active_or_draining_can_be_set(ecs_client, cluster):
    arn = register_instance(ecs_client)["containerInstanceArn"]
    with pytest.raises(ClientError) as info:
        ecs_client.update_container_instances_state(cluster="c", containerInstances=[arn], status="REGISTERING")
    assert code_and_message(info) == ("InvalidParameterException", container_instances.INVALID_STATUS)


def test_update_state_of_unknown_instance_is_a_missing_failure(ecs_client, cluster):
    missing = "0123456789abcdef0123456789abcdef"
    response = ecs_client.update_container_instances_state(cluster="c", containerInstances=[missing],
                                                           status="DRAINING")
    assert response["containerInstances"] == [] and response["failures"][0]["reason"] == "MISSING"


def test_update_state_of_more_than_10(ecs_client, cluster):
    with pytest.raises(ClientError) as info:
        ecs_client.update_container_instances_state(cluster="c", containerInstances=[f"{i:032x}" for i in range(11)],
                                                    status="DRAINING")
    assert code_and_message(info) == ("InvalidParameterException", "containerInstances can have at most 10 items.")


def test_draining_instances_get_no_new_tasks(ecs_client, cluster):
    ec2_task_definition(ecs_client)
    draining = register_instance(ecs_client)["containerInstanceArn"]
    active = register_instance(ecs_client)["containerInstanceArn"]
    ecs_client.update_container_instances_state(cluster="c", containerInstances=[draining], status="DRAINING")
    tasks = ecs_client.run_task(cluster="c", taskDefinition="batch", count=5)["tasks"]
    assert {t["containerInstanceArn"] for t in tasks} == {active}


def test_instance_listeners_hear_registration_and_status_changes(ecs_client, cluster):
    heard = []

    def listener(ctx, instance, previous):
        heard.append((previous, instance.status))
    container_instances.add_instance_listener(listener)
    try:
        arn = register_instance(ecs_client)["containerInstanceArn"]
        ecs_client.update_container_instances_state(cluster="c", containerInstances=[arn], status="DRAINING")
        ecs_client.deregister_container_instance(cluster="c", containerInstance=arn)
    finally:
        container_instances.remove_instance_listener(listener)
    assert heard == [("REGISTERING", "ACTIVE"), ("ACTIVE", "DRAINING"), ("DRAINING", "INACTIVE")]


# -- DeregisterContainerInstance ------------------------------------------------------------------

def test_deregister_returns_it_inactive(ecs_client, cluster):
    arn = register_instance(ecs_client)["containerInstanceArn"]
    gone = ecs_client.deregister_container_instance(cluster="c", containerInstance=arn)["containerInstance"]
    assert gone["status"] == "INACTIVE" and gone["agentConnected"] is False
    assert describe_instance(ecs_client, arn)["status"] == "INACTIVE"


def test_deregistered_instances_are_purged_after_an_hour(ecs_client, ecs_eks_mock, cluster):
    ecs_eks_mock.clock.freeze(1_700_000_000.0)
    arn = register_instance(ecs_client)["containerInstanceArn"]
    ecs_client.deregister_container_instance(cluster="c", containerInstance=arn)
    ecs_eks_mock.clock.advance(3600)
    response = ecs_client.describe_container_instances(cluster="c", containerInstances=[arn])
    assert response["failures"] == [{"arn": arn, "reason": "MISSING"}]


def test_deregister_with_tasks_needs_force(ecs_client, cluster):
    ec2_task_definition(ecs_client)
    arn = register_instance(ecs_client)["containerInstanceArn"]
    task = ecs_client.run_task(cluster="c", taskDefinition="batch")["tasks"][0]["taskArn"]
    with pytest.raises(ClientError) as info:
        ecs_client.deregister_container_instance(cluster="c", containerInstance=arn)
    assert code_and_message(info) == ("InvalidParameterException", "Found running tasks on the instance.")
    ecs_client.deregister_container_instance(cluster="c", containerInstance=arn, force=True)
    # the task is orphaned: it keeps running
    assert ecs_client.describe_tasks(cluster="c", tasks=[task])["tasks"][0]["lastStatus"] == "RUNNING"


def test_deregister_unknown_instance(ecs_client, cluster):
    with pytest.raises(ClientError) as info:
        ecs_client.deregister_container_instance(cluster="c", containerInstance="0123456789abcdef0123456789abcdef")
    assert code_and_message(info) == ("InvalidParameterException", container_instances.INSTANCE_NOT_FOUND)


def test_delete_cluster_with_registered_instances(ecs_client, cluster):
    register_instance(ecs_client)
    with pytest.raises(ClientError) as info:
        ecs_client.delete_cluster(cluster="c")
    assert code_and_message(info) == ("ClusterContainsContainerInstancesException",
                              "The Cluster cannot be deleted while Container Instances are active.")


def test_identity_document_platform_windows_gives_windows_os_type(ecs_client, cluster):
    document = json.loads(identity_document())
    document["platform"] = "windows"
    instance = ecs_client.register_container_instance(cluster="c",
                                                      instanceIdentityDocument=json.dumps(document))["containerInstance"]
    assert {a["name"]: a.get("value") for a in instance["attributes"]}["ecs.os-type"] == "windows"
