"""CreateService, DescribeServices, DeleteService through boto3: the service object, its lifecycle, exact events."""
import pytest
from botocore.exceptions import ClientError

from emulator.ecs import services
from tests.ecs.service_support import (AWSVPC, DEPLOYMENT_ID, SERVICE_DEPLOYMENT_ARN, SERVICE_REVISION_ARN, completed,
                                       describe, code_and_message, events, fargate_service, service_tasks, setup_web, started,
                                       steady, stopped_running, task_id, tasks_named,
                                       web_definition)
from tests.ecs.task_support import ec2_task_definition, register_instance

SERVICE_ARN = "arn:aws:ecs:us-east-1:123456789012:service/c/web"


def create_error(client, **params):
    params.setdefault("cluster", "c")
    params.setdefault("serviceName", "web")
    with pytest.raises(ClientError) as info:
        client.create_service(**params)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return code_and_message(info)


# -- create to steady state --------------------------------------------------------------------------

def test_a_created_service_runs_its_desired_count_and_reaches_a_steady_state(ecs_client):
    setup_web(ecs_client)
    created = fargate_service(ecs_client, desired=3)
    # CreateService answers before the scheduler acts, as AWS does
    assert (created["runningCount"], created["pendingCount"], created["events"]) == (0, 0, [])
    deployment_id = created["deployments"][0]["id"]

    service = describe(ecs_client)
    tasks = service_tasks(ecs_client)
    ids = [task_id(t["taskArn"]) for t in tasks]
    assert (service["runningCount"], service["pendingCount"], len(tasks)) == (3, 0, 3)
    first = events(service)[0]
    assert first == started("web", tasks_named(first)) and sorted(tasks_named(first)) == sorted(ids)
    assert events(service)[1:] == [completed("web", deployment_id), steady("web")]
    deployment = service["deployments"][0]
    assert (deployment["status"], deployment["rolloutState"], deployment["rolloutStateReason"]) == (
        "PRIMARY", "COMPLETED", f"ECS deployment {deployment_id} completed.")
    assert (deployment["desiredCount"], deployment["runningCount"], deployment["pendingCount"],
            deployment["failedTasks"]) == (3, 3, 0, 0)
    assert {(t["startedBy"], t["group"], t["lastStatus"]) for t in tasks} == {
        (deployment_id, "service:web", "RUNNING")}


def test_create_service_answers_the_service_with_aws_defaults(ecs_client):
    revision, = setup_web(ecs_client)
    service = fargate_service(ecs_client)
    assert service["serviceArn"] == SERVICE_ARN
    assert service["clusterArn"] == "arn:aws:ecs:us-east-1:123456789012:cluster/c"
    assert (service["status"], service["desiredCount"], service["taskDefinition"]) == ("ACTIVE", 2, revision)
    assert service["deploymentConfiguration"] == {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False}, "maximumPercent": 200,
        "minimumHealthyPercent": 100, "strategy": "ROLLING", "bakeTimeInMinutes": 0}
    assert service["roleArn"] == ("arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/"
                                  "AWSServiceRoleForECS")
    assert (service["launchType"], service["platformVersion"], service["platformFamily"]) == (
        "FARGATE", "LATEST", "Linux")
    assert service["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "DISABLED"
    assert (service["schedulingStrategy"], service["deploymentController"]) == ("REPLICA", {"type": "ECS"})
    assert (service["availabilityZoneRebalancing"], service["propagateTags"], service["enableECSManagedTags"],
            service["enableExecuteCommand"], service["healthCheckGracePeriodSeconds"]) == (
        "ENABLED", "NONE", False, False, 0)
    assert service["createdBy"] == "arn:aws:iam::123456789012:root"
    assert service["resourceManagementType"] == "CUSTOMER"
    assert (service["loadBalancers"], service["serviceRegistries"], service["placementConstraints"],
            service["placementStrategy"], service["events"]) == ([], [], [], [], [])
    deployment, = service["deployments"]
    assert DEPLOYMENT_ID.match(deployment["id"])
    assert (deployment["platformVersion"], deployment["launchType"], deployment["rolloutState"],
            deployment["rolloutStateReason"]) == (
        "1.4.0", "FARGATE", "IN_PROGRESS", f"ECS deployment {deployment['id']} in progress.")
    assert SERVICE_DEPLOYMENT_ARN.match(service["currentServiceDeployment"])
    current, = service["currentServiceRevisions"]
    assert SERVICE_REVISION_ARN.match(current["arn"])
    assert current["arn"].endswith("/" + deployment["id"].split("/")[1])
    assert "taskSets" not in service


def test_a_capacity_provider_strategy_is_reported_instead_of_a_launch_type(ecs_client):
    ecs_client.create_cluster(clusterName="c", capacityProviders=["FARGATE", "FARGATE_SPOT"],
                              defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}])
    web_definition(ecs_client)
    service = ecs_client.create_service(cluster="c", serviceName="web", taskDefinition="web", desiredCount=2,
                                        networkConfiguration=AWSVPC)["service"]
    assert "launchType" not in service
    assert service["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}]
    assert {t["capacityProviderName"] for t in service_tasks(ecs_client)} == {"FARGATE_SPOT"}


def test_propagated_and_managed_tags_are_put_on_the_service_tasks(ecs_client):
    setup_web(ecs_client)
    fargate_service(ecs_client, tags=[{"key": "team", "value": "a"}], propagateTags="SERVICE",
                    enableECSManagedTags=True)
    task, _ = service_tasks(ecs_client)
    tags = ecs_client.list_tags_for_resource(resourceArn=task["taskArn"])["tags"]
    assert sorted((t["key"], t["value"]) for t in tags) == [
        ("aws:ecs:clusterName", "c"), ("aws:ecs:serviceName", "web"), ("team", "a")]


def test_service_tags_are_listed_and_changed_through_the_service_arn(ecs_client):
    setup_web(ecs_client)
    fargate_service(ecs_client, tags=[{"key": "team", "value": "a"}])
    ecs_client.tag_resource(resourceArn=SERVICE_ARN, tags=[{"key": "env", "value": "prod"}])
    assert ecs_client.list_tags_for_resource(resourceArn=SERVICE_ARN)["tags"] == [
        {"key": "team", "value": "a"}, {"key": "env", "value": "prod"}]
    described = ecs_client.describe_services(cluster="c", services=["web"], include=["TAGS"])["services"][0]
    assert described["tags"] == [{"key": "team", "value": "a"}, {"key": "env", "value": "prod"}]
    assert "tags" not in describe(ecs_client)


def test_an_ec2_service_without_instances_reports_it_cannot_place_tasks_then_places_them(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client)
    ecs_client.create_service(cluster="c", serviceName="batch", taskDefinition="batch", desiredCount=1)
    message = ("(service batch) was unable to place a task because no container instance met all of its "
               "requirements. Reason: No Container Instances were found in your cluster. For more information, "
               "see the Troubleshooting section of the Amazon ECS Developer Guide.")
    assert events(describe(ecs_client, "batch")) == [message]
    assert events(describe(ecs_client, "batch")) == [message]      # not repeated on every read
    register_instance(ecs_client)
    describe(ecs_client, "batch")
    service = describe(ecs_client, "batch")
    assert service["runningCount"] == 1
    assert events(service)[-1] == steady("batch")


# -- CreateService rules -----------------------------------------------------------------------------

def test_a_name_in_use_by_an_active_service_is_not_idempotent(ecs_client):
    setup_web(ecs_client)
    fargate_service(ecs_client)
    assert create_error(ecs_client, taskDefinition="web", desiredCount=1, launchType="FARGATE",
                        networkConfiguration=AWSVPC) == ("InvalidParameterException", services.NOT_IDEMPOTENT)


def test_repeating_a_create_with_its_client_token_answers_the_same_service(ecs_client):
    setup_web(ecs_client)
    first = fargate_service(ecs_client, clientToken="token-1")
    again = fargate_service(ecs_client, clientToken="token-1")
    assert again["deployments"][0]["id"] == first["deployments"][0]["id"]
    assert len(ecs_client.list_services(cluster="c")["serviceArns"]) == 1


def test_create_service_on_a_missing_or_deleted_cluster_is_cluster_not_found(ecs_client):
    web_definition(ecs_client)
    assert create_error(ecs_client, taskDefinition="web", desiredCount=1) == (
        "ClusterNotFoundException", "Cluster not found.")
    ecs_client.create_cluster(clusterName="c")
    ecs_client.delete_cluster(cluster="c")
    assert create_error(ecs_client, taskDefinition="web", desiredCount=1) == (
        "ClusterNotFoundException", "The referenced cluster was inactive.")


@pytest.mark.parametrize("params, message", [
    ({"launchType": "FARGATE"}, "Network Configuration must be provided when networkMode 'awsvpc' is specified."),
    ({"launchType": "FARGATE", "networkConfiguration": {"awsvpcConfiguration": {"subnets": []}}},
     "subnets can not be empty."),
    ({"launchType": "FARGATE", "networkConfiguration": AWSVPC,
      "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}]},
     "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again."),
    ({"launchType": "FARGATE", "networkConfiguration": AWSVPC, "healthCheckGracePeriodSeconds": 30},
     "Health check grace period is only valid for services configured to use load balancers"),
    ({"launchType": "FARGATE", "networkConfiguration": AWSVPC,
      "loadBalancers": [{"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1",
                         "containerPort": 80}]}, "Container Name can not be blank."),
    ({"launchType": "FARGATE", "networkConfiguration": AWSVPC,
      "loadBalancers": [{"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1",
                         "containerName": "proxy", "containerPort": 80}]},
     "The container proxy does not exist in the task definition."),
    ({"launchType": "FARGATE", "networkConfiguration": AWSVPC,
      "loadBalancers": [{"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1",
                         "containerName": "app", "containerPort": 8080}]},
     "The container app did not have a container port 8080 defined."),
    ({"launchType": "FARGATE", "networkConfiguration": AWSVPC, "role": "ecsServiceRole"},
     "You cannot specify an IAM role for services that require a service linked role."),
])
def test_create_service_request_rules(ecs_client, params, message):
    setup_web(ecs_client)
    assert create_error(ecs_client, taskDefinition="web", desiredCount=1, **params) == (
        "InvalidParameterException", message)


def test_network_configuration_is_refused_for_a_bridge_task_definition(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client)
    assert create_error(ecs_client, taskDefinition="batch", desiredCount=1, networkConfiguration=AWSVPC) == (
        "InvalidParameterException",
        "Network Configuration is not valid for the given networkMode of this task definition.")


def test_assign_public_ip_is_fargate_only(ecs_client):
    setup_web(ecs_client)
    network = {"awsvpcConfiguration": {"subnets": ["subnet-0123456789abcdef0"], "assignPublicIp": "ENABLED"}}
    assert create_error(ecs_client, taskDefinition="web", desiredCount=1, launchType="EC2",
                        networkConfiguration=network) == (
        "InvalidParameterException", "Assign public IP is not supported for this launch type.")


def test_a_replica_service_needs_a_desired_count(ecs_client):
    """The message is this emulator's choice: AWS documents desiredCount as required for REPLICA."""
    setup_web(ecs_client)
    assert create_error(ecs_client, taskDefinition="web", launchType="FARGATE", networkConfiguration=AWSVPC) == (
        "InvalidParameterException", services.DESIRED_COUNT_REQUIRED)


def test_an_unknown_or_inactive_task_definition_is_refused(ecs_client):
    revision, = setup_web(ecs_client)
    assert create_error(ecs_client, taskDefinition="nothing:1", desiredCount=1) == (
        "ClientException", "TaskDefinition not found.")
    ecs_client.deregister_task_definition(taskDefinition=revision)
    assert create_error(ecs_client, taskDefinition=revision, desiredCount=1, launchType="FARGATE",
                        networkConfiguration=AWSVPC) == ("ClientException", "TaskDefinition is inactive")


def test_a_fargate_launch_needs_a_fargate_compatible_task_definition(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client)
    assert create_error(ecs_client, taskDefinition="batch", desiredCount=1, launchType="FARGATE") == (
        "InvalidParameterException", "Task definition does not support launch_type FARGATE.")


@pytest.mark.parametrize("params, message", [
    ({"desiredCount": 1}, services.DAEMON_DESIRED_COUNT),
    ({"placementStrategy": [{"type": "random"}]}, services.DAEMON_PLACEMENT_STRATEGY),
    ({"deploymentConfiguration": {"maximumPercent": 200}}, services.DAEMON_MAXIMUM_PERCENT),
    ({"launchType": "FARGATE"}, services.DAEMON_FARGATE),
    ({"capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}]}, services.DAEMON_CAPACITY_PROVIDERS),
    ({"deploymentController": {"type": "EXTERNAL"}},
     "The daemon scheduling strategy is not supported for services using the EXTERNAL deployment controller."),
])
def test_daemon_service_rules(ecs_client, params, message):
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client)
    assert create_error(ecs_client, taskDefinition="batch", schedulingStrategy="DAEMON", **params) == (
        "InvalidParameterException", message)


def test_a_daemon_service_is_refused_a_cluster_default_capacity_provider_strategy(ecs_client):
    ecs_client.create_cluster(clusterName="c", capacityProviders=["FARGATE"],
                              defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}])
    ec2_task_definition(ecs_client)
    assert create_error(ecs_client, taskDefinition="batch", schedulingStrategy="DAEMON") == (
        "InvalidParameterException", services.DAEMON_CAPACITY_PROVIDERS)


def test_the_circuit_breaker_needs_the_ecs_deployment_controller(ecs_client):
    """The message is this emulator's choice; AWS documents the breaker for the ECS controller only."""
    setup_web(ecs_client)
    assert create_error(ecs_client, taskDefinition="web", desiredCount=1, deploymentController={"type": "EXTERNAL"},
                        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}}) == (
        "InvalidParameterException", services.CIRCUIT_BREAKER_NEEDS_ECS)


def test_an_external_service_lists_task_sets_and_no_deployments(ecs_client):
    setup_web(ecs_client)
    service = ecs_client.create_service(cluster="c", serviceName="ext", desiredCount=2,
                                        deploymentController={"type": "EXTERNAL"})["service"]
    assert (service["deployments"], service["taskSets"], service["deploymentController"]) == (
        [], [], {"type": "EXTERNAL"})
    assert describe(ecs_client, "ext")["runningCount"] == 0


# -- DescribeServices --------------------------------------------------------------------------------

def test_describe_services_reports_unknown_services_as_missing(ecs_client):
    setup_web(ecs_client)
    fargate_service(ecs_client)
    response = ecs_client.describe_services(cluster="c", services=["web", "nope", SERVICE_ARN + "x"])
    assert [s["serviceName"] for s in response["services"]] == ["web"]
    assert response["failures"] == [
        {"arn": "arn:aws:ecs:us-east-1:123456789012:service/nope", "reason": "MISSING"},
        {"arn": SERVICE_ARN + "x", "reason": "MISSING"}]
    by_arn = ecs_client.describe_services(cluster="c", services=[SERVICE_ARN])
    assert [s["serviceName"] for s in by_arn["services"]] == ["web"]


def test_describe_services_needs_one_to_ten_services(ecs_client):
    setup_web(ecs_client)
    with pytest.raises(ClientError) as info:
        ecs_client.describe_services(cluster="c", services=[])
    assert code_and_message(info) == ("InvalidParameterException", "Services cannot be empty")
    with pytest.raises(ClientError) as info:
        ecs_client.describe_services(cluster="c", services=[f"s{i}" for i in range(11)])
    assert code_and_message(info) == ("InvalidParameterException", "service names can have at most 10 items.")


def test_describe_services_on_a_missing_cluster_is_cluster_not_found(ecs_client):
    with pytest.raises(ClientError) as info:
        ecs_client.describe_services(services=["web"])
    assert code_and_message(info) == ("ClusterNotFoundException", "Cluster not found.")


# -- ListServices / ListServicesByNamespace ----------------------------------------------------------

def test_list_services_pages_ten_at_a_time_by_default(ecs_client):
    setup_web(ecs_client)
    for i in range(12):
        fargate_service(ecs_client, name=f"s{i:02d}", desired=0)
    first = ecs_client.list_services(cluster="c")
    assert len(first["serviceArns"]) == 10 and "nextToken" in first
    second = ecs_client.list_services(cluster="c", nextToken=first["nextToken"])
    assert len(second["serviceArns"]) == 2 and "nextToken" not in second
    paginated = [arn for page in ecs_client.get_paginator("list_services").paginate(cluster="c")
                 for arn in page["serviceArns"]]
    assert paginated == first["serviceArns"] + second["serviceArns"]


def test_list_services_filters_and_omits_deleted_services(ecs_client):
    setup_web(ecs_client)
    ec2_task_definition(ecs_client)
    fargate_service(ecs_client, name="web", desired=0)
    ecs_client.create_service(cluster="c", serviceName="batch", taskDefinition="batch", desiredCount=0)
    ecs_client.create_service(cluster="c", serviceName="agent", taskDefinition="batch", schedulingStrategy="DAEMON",
                              launchType="EC2")
    fargate_service(ecs_client, name="gone", desired=0)
    ecs_client.delete_service(cluster="c", service="gone")

    def names(**filters):
        return [arn.rsplit("/", 1)[1] for arn in ecs_client.list_services(cluster="c", **filters)["serviceArns"]]
    assert names() == ["agent", "batch", "web"]
    assert names(launchType="FARGATE") == ["web"]
    assert names(schedulingStrategy="DAEMON") == ["agent"]
    assert names(resourceManagementType="ECS") == []


def test_list_services_by_namespace_finds_service_connect_services(ecs_client):
    ecs_client.create_cluster(clusterName="c", serviceConnectDefaults={"namespace": "shop"})
    web_definition(ecs_client)
    fargate_service(ecs_client, name="web", desired=0, serviceConnectConfiguration={"enabled": True})
    fargate_service(ecs_client, name="plain", desired=0)
    assert ecs_client.list_services_by_namespace(namespace="shop")["serviceArns"] == [SERVICE_ARN]
    with pytest.raises(ClientError) as info:
        ecs_client.list_services_by_namespace(namespace="elsewhere")
    assert code_and_message(info) == ("NamespaceNotFoundException", services.NAMESPACE_NOT_FOUND)


def test_list_services_by_an_empty_namespace_finds_no_namespace(ecs_client):
    """An empty name names no namespace, even where services without Service Connect exist."""
    setup_web(ecs_client)
    fargate_service(ecs_client, desired=0)
    with pytest.raises(ClientError) as info:
        ecs_client.list_services_by_namespace(namespace="")
    assert code_and_message(info) == ("NamespaceNotFoundException", services.NAMESPACE_NOT_FOUND)


# -- DeleteService -----------------------------------------------------------------------------------

def test_delete_service_refuses_a_service_scaled_above_zero(ecs_client):
    setup_web(ecs_client)
    fargate_service(ecs_client)
    with pytest.raises(ClientError) as info:
        ecs_client.delete_service(cluster="c", service="web")
    assert code_and_message(info) == ("InvalidParameterException", "The service cannot be stopped while it is scaled above 0.")


def test_a_deleted_service_drains_then_becomes_inactive_and_its_name_is_free(ecs_client):
    setup_web(ecs_client)
    fargate_service(ecs_client)
    service = describe(ecs_client)
    ids = sorted(task_id(t["taskArn"]) for t in service_tasks(ecs_client))
    deployment_id = service["deployments"][0]["id"]

    deleted = ecs_client.delete_service(cluster="c", service="web", force=True)["service"]
    assert (deleted["status"], deleted["desiredCount"]) == ("DRAINING", 0)
    assert ecs_client.list_services(cluster="c")["serviceArns"] == []
    with pytest.raises(ClientError) as info:
        ecs_client.update_service(cluster="c", service="web", desiredCount=1)
    assert code_and_message(info) == ("ServiceNotActiveException", "Service was not ACTIVE.")

    ecs_client.get_waiter("services_inactive").wait(cluster="c", services=["web"])
    inactive = describe(ecs_client)
    assert (inactive["status"], inactive["runningCount"]) == ("INACTIVE", 0)
    last = events(inactive)[-1]
    assert last == stopped_running("web", tasks_named(last)) and sorted(tasks_named(last)) == ids
    arns = ecs_client.list_tasks(cluster="c", startedBy=deployment_id, desiredStatus="STOPPED")["taskArns"]
    stopped = ecs_client.describe_tasks(cluster="c", tasks=arns)["tasks"]      # the INACTIVE service lists none
    assert sorted(task_id(t["taskArn"]) for t in stopped) == ids
    assert {(t["stopCode"], t["stoppedReason"]) for t in stopped} == {
        ("ServiceSchedulerInitiated", f"Scaling activity initiated by (deployment {deployment_id})")}

    again = fargate_service(ecs_client, desired=1)
    assert again["status"] == "ACTIVE" and again["deployments"][0]["id"] != deployment_id


def test_deleting_a_service_twice_answers_it_draining_then_not_found(ecs_eks_mock, ecs_client):
    """AWS does not document a second DeleteService; this emulator answers a DRAINING service as it is and
    an INACTIVE one as not found."""
    setup_web(ecs_client)
    fargate_service(ecs_client, desired=1)
    describe(ecs_client)
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing("realistic")
    assert ecs_client.delete_service(cluster="c", service="web", force=True)["service"]["status"] == "DRAINING"
    assert ecs_client.delete_service(cluster="c", service="web")["service"]["status"] == "DRAINING"
    ecs_eks_mock.clock.advance(5)              # DEACTIVATING -> STOPPING: the service is INACTIVE
    assert describe(ecs_client)["status"] == "INACTIVE"
    with pytest.raises(ClientError) as info:
        ecs_client.delete_service(cluster="c", service="web")
    assert code_and_message(info) == ("ServiceNotFoundException", "Service not found.")


def test_an_inactive_service_is_describable_for_an_hour(ecs_eks_mock, ecs_client):
    setup_web(ecs_client)
    fargate_service(ecs_client, desired=0)
    ecs_client.delete_service(cluster="c", service="web")
    assert describe(ecs_client)["status"] == "INACTIVE"
    ecs_eks_mock.clock.advance(3600)
    assert ecs_client.describe_services(cluster="c", services=["web"])["failures"] == [
        {"arn": "arn:aws:ecs:us-east-1:123456789012:service/web", "reason": "MISSING"}]


def test_delete_service_of_an_unknown_service_is_service_not_found(ecs_client):
    setup_web(ecs_client)
    with pytest.raises(ClientError) as info:
        ecs_client.delete_service(cluster="c", service="web")
    assert code_and_message(info) == ("ServiceNotFoundException", "Service not found.")


def test_a_cluster_with_services_cannot_be_deleted_and_counts_them(ecs_client):
    setup_web(ecs_client)
    fargate_service(ecs_client)
    describe(ecs_client)
    cluster = ecs_client.describe_clusters(clusters=["c"])["clusters"][0]
    assert (cluster["activeServicesCount"], cluster["runningTasksCount"]) == (1, 2)
    with pytest.raises(ClientError) as info:
        ecs_client.delete_cluster(cluster="c")
    assert code_and_message(info) == ("ClusterContainsServicesException",
                              "The Cluster cannot be deleted while Services are active.")
    ecs_client.delete_service(cluster="c", service="web", force=True)
    assert ecs_client.describe_clusters(clusters=["c"])["clusters"][0]["activeServicesCount"] == 0


def test_a_task_definition_used_by_a_service_is_kept_until_the_service_is_gone(ecs_client):
    revision, = setup_web(ecs_client)
    fargate_service(ecs_client, desired=0)
    ecs_client.deregister_task_definition(taskDefinition=revision)
    ecs_client.delete_task_definitions(taskDefinitions=[revision])
    assert ecs_client.describe_task_definition(taskDefinition=revision)["taskDefinition"]["status"] == \
        "DELETE_IN_PROGRESS"
    ecs_client.delete_service(cluster="c", service="web")
    describe(ecs_client)
    with pytest.raises(ClientError):
        ecs_client.describe_task_definition(taskDefinition=revision)


def test_stopping_a_service_task_gets_it_replaced(ecs_client):
    setup_web(ecs_client)
    fargate_service(ecs_client, desired=1)
    first, = service_tasks(ecs_client)
    ecs_client.stop_task(cluster="c", task=first["taskArn"])
    service = describe(ecs_client)
    replacement, = service_tasks(ecs_client)
    assert replacement["taskArn"] != first["taskArn"]
    assert service["runningCount"] == 1
    assert events(service)[-2:] == [started("web", [task_id(replacement["taskArn"])]), steady("web")]
    assert stopped_running("web", []) not in events(service)


def test_a_load_balanced_service_registers_its_tasks_as_targets(ecs_client):
    setup_web(ecs_client)
    target_group = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"
    created = fargate_service(ecs_client, desired=1, healthCheckGracePeriodSeconds=60, loadBalancers=[
        {"targetGroupArn": target_group, "containerName": "app", "containerPort": 80}])
    assert created["healthCheckGracePeriodSeconds"] == 60
    assert created["loadBalancers"] == [{"targetGroupArn": target_group, "containerName": "app",
                                         "containerPort": 80}]
    assert f"(service web) registered 1 targets in (target-group {target_group})" in events(describe(ecs_client))


def test_a_classic_load_balancer_service_reports_no_rollout_state(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client, port_mappings=[{"containerPort": 80, "hostPort": 80}])
    service = ecs_client.create_service(
        cluster="c", serviceName="batch", taskDefinition="batch", desiredCount=0, role="ecsServiceRole",
        loadBalancers=[{"loadBalancerName": "classic", "containerName": "worker", "containerPort": 80}])["service"]
    assert "rolloutState" not in service["deployments"][0]
    assert service["roleArn"] == "arn:aws:iam::123456789012:role/ecsServiceRole"
