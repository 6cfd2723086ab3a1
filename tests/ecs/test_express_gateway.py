"""Express Gateway services (ECS Express Mode) through boto3 in mock_aws: the ordinary service, task definition and
cluster set-up Express Mode does, configurations per revision, updates, deletion and the errors."""
import re

import pytest

from tests.ecs.lifecycle_support import TASK_STEPS, error_of

ACCOUNT = "123456789012"
ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}"
EXECUTION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole"
INFRASTRUCTURE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecsInfrastructureRoleForExpressServices"
IMAGE = "public.ecr.aws/nginx/nginx:latest"


def create(client, name="web", container=None, **params):
    if name is not None:
        params["serviceName"] = name
    return client.create_express_gateway_service(
        executionRoleArn=EXECUTION_ROLE, infrastructureRoleArn=INFRASTRUCTURE_ROLE,
        primaryContainer=container or {"image": IMAGE}, **params)["service"]


def service_of(client, name="web", cluster="default"):
    return client.describe_services(cluster=cluster, services=[name])["services"][0]


def describe(client, arn=f"{ARN}:service/default/web", **params):
    return client.describe_express_gateway_service(serviceArn=arn, **params)["service"]


# -- CreateExpressGatewayService ---------------------------------------------------------------------------

def test_create_reports_the_service_with_express_defaults(ecs_eks_mock, ecs_client):
    now = ecs_eks_mock.clock.freeze()
    service = create(ecs_client, tags=[{"key": "team", "value": "web"}])
    [configuration] = service.pop("activeConfigurations")
    assert service.pop("createdAt").timestamp() == service.pop("updatedAt").timestamp() == now
    assert service == {
        "cluster": f"{ARN}:cluster/default", "serviceName": "web", "serviceArn": f"{ARN}:service/default/web",
        "infrastructureRoleArn": INFRASTRUCTURE_ROLE, "status": {"statusCode": "ACTIVE"},
        "currentDeployment": service_of(ecs_client)["currentServiceDeployment"],
        "tags": [{"key": "team", "value": "web"}]}
    assert configuration["serviceRevisionArn"] == service_of(ecs_client)["currentServiceRevisions"][0]["arn"]
    assert configuration["createdAt"].timestamp() == now
    [ingress] = configuration["ingressPaths"]
    assert ingress["accessType"] == "PUBLIC"
    assert re.fullmatch(r"we-[0-9a-f]{32}\.ecs\.us-east-1\.on\.aws", ingress["endpoint"])
    logs = configuration["primaryContainer"]["awsLogsConfiguration"]
    assert re.fullmatch(r"/aws/ecs/default/web-[0-9a-f]{4}", logs["logGroup"])
    assert {k: v for k, v in configuration.items() if k not in ("serviceRevisionArn", "createdAt", "ingressPaths",
                                                               "networkConfiguration")} == {
        "executionRoleArn": EXECUTION_ROLE, "cpu": "256", "memory": "512", "healthCheckPath": "/ping",
        "primaryContainer": {"image": IMAGE, "containerPort": 80,
                             "awsLogsConfiguration": {"logGroup": logs["logGroup"], "logStreamPrefix": "ecs"}},
        "scalingTarget": {"minTaskCount": 1, "maxTaskCount": 20, "autoScalingMetric": "AVERAGE_CPU",
                          "autoScalingTargetValue": 60}}
    network = configuration["networkConfiguration"]
    assert len(network["subnets"]) == 2 and all(re.fullmatch(r"subnet-[0-9a-f]{17}", s) for s in network["subnets"])
    assert [re.fullmatch(r"sg-[0-9a-f]{17}", g) is not None for g in network["securityGroups"]] == [True]


def test_the_default_cluster_is_created_with_fargate(ecs_client):
    create(ecs_client)
    cluster = ecs_client.describe_clusters()["clusters"][0]
    assert (cluster["clusterName"], cluster["status"], cluster["capacityProviders"]) == (
        "default", "ACTIVE", ["FARGATE"])


def test_a_named_cluster_must_exist(ecs_client):
    assert error_of(create, client=ecs_client, cluster="nope") == ("ClusterNotFoundException", "Cluster not found.")


def test_a_named_cluster_gets_the_fargate_provider(ecs_client):
    ecs_client.create_cluster(clusterName="apps")
    service = create(ecs_client, cluster="apps")
    assert service["cluster"] == f"{ARN}:cluster/apps"
    assert ecs_client.describe_clusters(clusters=["apps"])["clusters"][0]["capacityProviders"] == ["FARGATE"]


def test_the_underlying_service_is_an_ordinary_ecs_managed_service(ecs_client):
    create(ecs_client)
    service = service_of(ecs_client)
    assert (service["resourceManagementType"], service["desiredCount"], service["runningCount"]) == ("ECS", 1, 1)
    assert service["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}]
    [balancer] = service["loadBalancers"]
    assert re.fullmatch(rf"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/[\w-]+/[0-9a-f]{{16}}",
                        balancer["targetGroupArn"])
    assert (balancer["containerName"], balancer["containerPort"]) == ("Main", 80)
    assert (service["healthCheckGracePeriodSeconds"], service["propagateTags"], service["enableECSManagedTags"]) == (
        300, "SERVICE", True)
    assert service["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "ENABLED"
    assert ecs_client.list_services(cluster="default", resourceManagementType="ECS")["serviceArns"] == [
        f"{ARN}:service/default/web"]


def test_the_task_definition_comes_from_the_primary_container(ecs_client):
    container = {"image": IMAGE, "containerPort": 8080, "command": ["serve"],
                 "environment": [{"name": "MODE", "value": "prod"}],
                 "secrets": [{"name": "TOKEN", "valueFrom": f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/token"}],
                 "awsLogsConfiguration": {"logGroup": "/my/logs", "logStreamPrefix": "web"}}
    create(ecs_client, container=container, cpu="1024", memory="2048", taskRoleArn=f"arn:aws:iam::{ACCOUNT}:role/app")
    definition = ecs_client.describe_task_definition(taskDefinition=service_of(ecs_client)["taskDefinition"])[
        "taskDefinition"]
    assert (definition["family"], definition["cpu"], definition["memory"], definition["networkMode"]) == (
        "default-web", "1024", "2048", "awsvpc")
    assert (definition["executionRoleArn"], definition["taskRoleArn"]) == (EXECUTION_ROLE,
                                                                          f"arn:aws:iam::{ACCOUNT}:role/app")
    assert definition["requiresCompatibilities"] == ["FARGATE"]
    [main] = definition["containerDefinitions"]
    assert (main["name"], main["image"], main["essential"], main["command"]) == ("Main", IMAGE, True, ["serve"])
    assert main["portMappings"] == [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp", "name": "8080-tcp"}]
    assert main["environment"] == container["environment"] and main["secrets"] == container["secrets"]
    assert main["logConfiguration"] == {"logDriver": "awslogs", "options": {
        "awslogs-group": "/my/logs", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "web",
        "mode": "non-blocking", "max-buffer-size": "25m"}}


def test_given_subnets_and_security_groups_are_used(ecs_client):
    network = {"subnets": ["subnet-0123456789abcdef0"], "securityGroups": ["sg-0123456789abcdef0"]}
    configuration = create(ecs_client, networkConfiguration=network)["activeConfigurations"][0]
    assert configuration["networkConfiguration"] == network
    assert service_of(ecs_client)["networkConfiguration"] == {"awsvpcConfiguration": {**network,
                                                                                      "assignPublicIp": "DISABLED"}}


def test_a_name_is_generated_from_the_image(ecs_client):
    service = create(ecs_client, name=None, container={"image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop.api:7"})
    assert re.fullmatch(r"shop-api-[0-9a-f]{8}", service["serviceName"])


def test_scaling_target_sets_the_desired_count(ecs_client):
    create(ecs_client, scalingTarget={"minTaskCount": 3, "maxTaskCount": 6, "autoScalingMetric": "AVERAGE_MEMORY",
                                      "autoScalingTargetValue": 70})
    assert service_of(ecs_client)["desiredCount"] == 3


def test_scaling_target_range(ecs_client):
    assert error_of(create, client=ecs_client, scalingTarget={"minTaskCount": 5, "maxTaskCount": 2}) == (
        "InvalidParameterException", "minTaskCount must be less than or equal to maxTaskCount.")


def test_health_check_path_starts_with_a_slash(ecs_client):
    assert error_of(create, client=ecs_client, healthCheckPath="health") == (
        "InvalidParameterException", "healthCheckPath must start with a forward slash.")


def test_service_name_characters(ecs_client):
    assert error_of(create, client=ecs_client, name="bad name") == (
        "InvalidParameterException",
        "Service names can contain up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens.")


def test_a_service_name_is_unique_in_the_cluster(ecs_client):
    create(ecs_client)
    assert error_of(create, client=ecs_client) == ("InvalidParameterException",
                                                   "Creation of service was not idempotent.")


def test_the_image_follows_the_task_definition_rules(ecs_client):
    assert error_of(create, client=ecs_client, container={"image": "$IMAGE"}) == (
        "ClientException", "Container.image contains invalid characters.")


def test_tags_only_on_request(ecs_client):
    create(ecs_client, tags=[{"key": "team", "value": "web"}])
    assert "tags" not in describe(ecs_client)
    assert describe(ecs_client, include=["TAGS"])["tags"] == [{"key": "team", "value": "web"}]


@pytest.mark.parametrize("cluster", [None, "apps"])
def test_a_refused_task_definition_creates_no_cluster_and_associates_nothing(ecs_client, cluster):
    ecs_client.create_cluster(clusterName="apps")
    params = {} if cluster is None else {"cluster": cluster}
    assert error_of(ecs_client.create_express_gateway_service, executionRoleArn="not:a:role",
                    infrastructureRoleArn=INFRASTRUCTURE_ROLE, primaryContainer={"image": IMAGE},
                    **params) == ("ClientException", "Invalid arn syntax.")
    described = ecs_client.describe_clusters(clusters=["default", "apps"])
    assert [c["clusterName"] for c in described["clusters"]] == ["apps"]
    assert described["clusters"][0]["capacityProviders"] == []
    assert ecs_client.list_task_definitions()["taskDefinitionArns"] == []


# -- UpdateExpressGatewayService ---------------------------------------------------------------------------

def test_update_deploys_a_new_revision_keeping_what_it_does_not_change(ecs_eks_mock, ecs_client):
    created = create(ecs_client, healthCheckPath="/health", cpu="512", memory="1024")
    now = ecs_eks_mock.clock.freeze()
    response = ecs_client.update_express_gateway_service(serviceArn=created["serviceArn"],
                                                         primaryContainer={"image": "nginx:2"})["service"]
    target = response["targetConfiguration"]
    assert (response["status"], response["updatedAt"].timestamp()) == ({"statusCode": "ACTIVE"}, now)
    assert (target["primaryContainer"]["image"], target["primaryContainer"]["containerPort"]) == ("nginx:2", 80)
    assert (target["healthCheckPath"], target["cpu"], target["memory"]) == ("/health", "512", "1024")
    assert target["primaryContainer"]["awsLogsConfiguration"] == \
        created["activeConfigurations"][0]["primaryContainer"]["awsLogsConfiguration"]
    assert target["ingressPaths"] == created["activeConfigurations"][0]["ingressPaths"]
    service = service_of(ecs_client)
    assert service["taskDefinition"] == f"{ARN}:task-definition/default-web:2"
    current = describe(ecs_client)
    assert current["currentDeployment"] == service["currentServiceDeployment"] != created["currentDeployment"]
    assert [c["serviceRevisionArn"] for c in current["activeConfigurations"]] == [target["serviceRevisionArn"]]


def test_both_configurations_are_active_while_the_old_tasks_drain(ecs_eks_mock, ecs_client):
    ecs_eks_mock.config.set_timing(**TASK_STEPS)
    ecs_eks_mock.clock.freeze()
    arn = create(ecs_client)["serviceArn"]
    ecs_eks_mock.clock.advance(3)
    service_of(ecs_client)
    ecs_client.update_express_gateway_service(serviceArn=arn, primaryContainer={"image": "nginx:2"})
    assert len(describe(ecs_client)["activeConfigurations"]) == 2
    ecs_eks_mock.clock.advance(10)
    service_of(ecs_client)
    assert [c["primaryContainer"]["image"] for c in describe(ecs_client)["activeConfigurations"]] == ["nginx:2"]


def test_a_health_check_change_keeps_the_task_definition(ecs_client):
    arn = create(ecs_client)["serviceArn"]
    target = ecs_client.update_express_gateway_service(serviceArn=arn, healthCheckPath="/ready")["service"][
        "targetConfiguration"]
    assert target["healthCheckPath"] == "/ready"
    assert service_of(ecs_client)["taskDefinition"] == f"{ARN}:task-definition/default-web:1"


def test_update_scaling_keeps_the_desired_count_in_range(ecs_client):
    arn = create(ecs_client)["serviceArn"]
    ecs_client.update_express_gateway_service(serviceArn=arn, scalingTarget={"minTaskCount": 2, "maxTaskCount": 5})
    assert service_of(ecs_client)["desiredCount"] == 2


def test_update_of_an_unknown_service(ecs_client):
    create(ecs_client)
    assert error_of(ecs_client.update_express_gateway_service, serviceArn=f"{ARN}:service/default/ghost") == (
        "ServiceNotFoundException", "Service not found.")


def test_an_ordinary_service_is_not_an_express_service(ecs_client):
    create(ecs_client)
    ecs_client.create_service(cluster="default", serviceName="plain", desiredCount=0, launchType="FARGATE",
                              taskDefinition="default-web:1", networkConfiguration={"awsvpcConfiguration": {
                                  "subnets": ["subnet-0123456789abcdef0"]}})
    assert error_of(ecs_client.update_express_gateway_service, serviceArn=f"{ARN}:service/default/plain") == (
        "ServiceNotFoundException", "Service not found.")
    assert error_of(ecs_client.describe_express_gateway_service, serviceArn=f"{ARN}:service/default/plain") == (
        "ResourceNotFoundException", "The specified resource could not be found.")


# -- DeleteExpressGatewayService / DescribeExpressGatewayService ------------------------------------------------

def test_delete_drains_then_the_service_is_inactive(ecs_eks_mock, ecs_client):
    ecs_eks_mock.config.set_timing(**TASK_STEPS)
    ecs_eks_mock.clock.freeze()
    arn = create(ecs_client)["serviceArn"]
    ecs_eks_mock.clock.advance(3)
    deleted = ecs_client.delete_express_gateway_service(serviceArn=arn)["service"]
    assert deleted["status"] == {"statusCode": "DRAINING"}
    assert service_of(ecs_client)["status"] == "DRAINING"
    ecs_eks_mock.clock.advance(10)
    assert describe(ecs_client)["status"] == {"statusCode": "INACTIVE"}
    assert error_of(ecs_client.delete_express_gateway_service, serviceArn=arn) == (
        "ServiceNotActiveException", "Service was not ACTIVE.")
    assert error_of(ecs_client.update_express_gateway_service, serviceArn=arn, cpu="512") == (
        "ServiceNotActiveException", "Service was not ACTIVE.")


def test_delete_of_an_unknown_service(ecs_client):
    create(ecs_client)
    assert error_of(ecs_client.delete_express_gateway_service, serviceArn=f"{ARN}:service/default/ghost") == (
        "ServiceNotFoundException", "Service not found.")


def test_describe_unknown_service(ecs_client):
    create(ecs_client)
    assert error_of(ecs_client.describe_express_gateway_service, serviceArn=f"{ARN}:service/default/ghost") == (
        "ResourceNotFoundException", "The specified resource could not be found.")


def test_describe_in_a_missing_cluster(ecs_client):
    assert error_of(ecs_client.describe_express_gateway_service, serviceArn=f"{ARN}:service/nope/web") == (
        "ClusterNotFoundException", "Cluster not found.")


@pytest.mark.parametrize("value", ["web", f"{ARN}:task/default/0123456789abcdef0123456789abcdef"])
def test_describe_needs_a_service_arn(ecs_client, value):
    assert error_of(ecs_client.describe_express_gateway_service, serviceArn=value) == (
        "InvalidParameterException", "serviceArn is not a valid service ARN.")


def revision_of(client, arn):
    return client.describe_service_revisions(serviceRevisionArns=[arn])["serviceRevisions"][0]


def test_describe_service_revisions_lists_the_managed_resources(ecs_client):
    configuration = create(ecs_client, healthCheckPath="/health")["activeConfigurations"][0]
    resources = revision_of(ecs_client, configuration["serviceRevisionArn"])["ecsManagedResources"]
    [ingress] = resources["ingressPaths"]
    assert ingress["endpoint"] == configuration["ingressPaths"][0]["endpoint"]
    assert ingress["loadBalancer"]["arn"].startswith(
        f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/")
    assert (ingress["loadBalancer"]["status"], ingress["loadBalancer"]["scheme"]) == ("ACTIVE", "internet-facing")
    assert ingress["targetGroups"][0]["arn"] == service_of(ecs_client)["loadBalancers"][0]["targetGroupArn"]
    assert (ingress["targetGroups"][0]["healthCheckPath"], ingress["targetGroups"][0]["port"]) == ("/health", 80)
    assert resources["autoScaling"]["scalableTarget"]["maxCapacity"] == 20
    assert resources["logGroups"][0]["logGroupName"] == configuration["primaryContainer"]["awsLogsConfiguration"][
        "logGroup"]


def test_every_revision_of_an_express_service_has_managed_resources(ecs_client):
    created = create(ecs_client)
    updated = ecs_client.update_express_gateway_service(serviceArn=created["serviceArn"],
                                                        healthCheckPath="/healthz")["service"]
    first = revision_of(ecs_client, created["activeConfigurations"][0]["serviceRevisionArn"])
    second = revision_of(ecs_client, updated["targetConfiguration"]["serviceRevisionArn"])
    assert second["ecsManagedResources"]["ingressPaths"][0]["targetGroups"][0]["healthCheckPath"] == "/healthz"
    assert first["ecsManagedResources"]["ingressPaths"][0]["targetGroups"][0]["healthCheckPath"] == "/ping"


def test_other_service_revisions_have_no_managed_resources(ecs_client):
    create(ecs_client)
    ecs_client.register_task_definition(family="plain", containerDefinitions=[{"name": "a", "image": IMAGE,
                                                                               "memory": 128}])
    ecs_client.create_cluster(clusterName="c")
    ecs_client.create_service(cluster="c", serviceName="plain", taskDefinition="plain", desiredCount=0)
    arn = service_of(ecs_client, "plain", cluster="c")["currentServiceRevisions"][0]["arn"]
    assert "ecsManagedResources" not in revision_of(ecs_client, arn)


def test_managed_resources_are_deprovisioned_while_the_service_drains(ecs_eks_mock, ecs_client):
    ecs_eks_mock.config.set_timing(**TASK_STEPS)
    ecs_eks_mock.clock.freeze()
    created = create(ecs_client)
    ecs_eks_mock.clock.advance(3)
    ecs_client.delete_express_gateway_service(serviceArn=created["serviceArn"])
    assert describe(ecs_client)["status"]["statusCode"] == "DRAINING"
    resources = revision_of(ecs_client, created["activeConfigurations"][0]["serviceRevisionArn"])[
        "ecsManagedResources"]
    assert resources["ingressPaths"][0]["loadBalancer"]["status"] == "DEPROVISIONING"
    assert resources["logGroups"][0]["status"] == "DEPROVISIONING"
