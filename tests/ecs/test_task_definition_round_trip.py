"""A described task definition registered again, as deploy tools and CI scripts do: describe (with its
tags), change an image or a variable, register what came back, move the service, deregister, roll back."""
import pytest
from botocore.exceptions import ClientError

from tests.ecs.task_support import AWSVPC, code_and_message

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role"
LOGS = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web", "awslogs-region": "us-east-1",
                                            "awslogs-stream-prefix": "web"}}

DEFINITIONS = {
    "fargate with roles and tags": dict(
        family="web", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="0.25 vCPU", memory="0.5 GB",
        taskRoleArn=f"{ROLE}/app", executionRoleArn="exec", runtimePlatform={"operatingSystemFamily": "LINUX",
                                                                            "cpuArchitecture": "ARM64"},
        ephemeralStorage={"sizeInGiB": 30}, tags=[{"key": "team", "value": "web"}],
        containerDefinitions=[
            {"name": "app", "image": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:1",
             "portMappings": [{"containerPort": 8080}], "environment": [{"name": "MODE", "value": "blue"}],
             "secrets": [{"name": "TOKEN", "valueFrom": f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/token"}],
             "logConfiguration": LOGS, "healthCheck": {"command": ["CMD-SHELL", "curl -f localhost:8080"]},
             "dependsOn": [{"containerName": "init", "condition": "SUCCESS"}]},
            {"name": "init", "image": "busybox", "essential": False, "command": ["true"]}]),
    "ec2 bridge without roles": dict(
        family="worker", volumes=[{"name": "data", "host": {"sourcePath": "/srv/data"}}],
        placementConstraints=[{"type": "memberOf", "expression": "attribute:ecs.instance-type =~ t3.*"}],
        containerDefinitions=[
            {"name": "worker", "image": "busybox:1.36", "memory": 256, "memoryReservation": 128, "cpu": 128,
             "portMappings": [{"containerPort": 8080, "hostPort": 0}],
             "mountPoints": [{"sourceVolume": "data", "containerPath": "/data"}],
             "ulimits": [{"name": "nofile", "softLimit": 1024, "hardLimit": 4096}]}]),
    "bare minimum": dict(family="plain", containerDefinitions=[{"name": "c", "image": "busybox", "memory": 64}]),
}


def register_input_members(client) -> set[str]:
    return set(client.meta.service_model.operation_model("RegisterTaskDefinition").input_shape.members)


def described_for_register(client, identifier: str) -> dict:
    """DescribeTaskDefinition fed back as deploy tools feed it: every member RegisterTaskDefinition
    takes (boto3 refuses the others), the role members as they came back or empty, tags when any."""
    described = client.describe_task_definition(taskDefinition=identifier, include=["TAGS"])
    definition = described["taskDefinition"]
    params = {key: value for key, value in definition.items() if key in register_input_members(client)}
    params["taskRoleArn"] = definition.get("taskRoleArn", "")
    params["executionRoleArn"] = definition.get("executionRoleArn", "")
    if described["tags"]:
        params["tags"] = described["tags"]
    return params


def comparable(definition: dict) -> dict:
    return {key: value for key, value in definition.items()
            if key not in ("taskDefinitionArn", "revision", "registeredAt")}


@pytest.mark.parametrize("name", DEFINITIONS)
def test_a_described_definition_registers_as_the_next_revision_unchanged(ecs_client, name):
    first = ecs_client.register_task_definition(**DEFINITIONS[name])["taskDefinition"]
    family = first["family"]
    second = ecs_client.register_task_definition(**described_for_register(ecs_client, f"{family}:1"))
    assert second["taskDefinition"]["revision"] == 2
    assert comparable(second["taskDefinition"]) == comparable(first)
    assert second["tags"] == DEFINITIONS[name].get("tags", [])


@pytest.mark.parametrize("name", DEFINITIONS)
def test_a_described_definition_registers_with_a_new_image_and_variable(ecs_client, name):
    ecs_client.register_task_definition(**DEFINITIONS[name])
    family = DEFINITIONS[name]["family"]
    params = described_for_register(ecs_client, family)
    params["containerDefinitions"][0]["image"] = "registry.example.com/new:2"
    params["containerDefinitions"][0]["environment"].append({"name": "RELEASE", "value": "2"})
    registered = ecs_client.register_task_definition(**params)["taskDefinition"]
    container = registered["containerDefinitions"][0]
    assert container["image"] == "registry.example.com/new:2"
    assert {"name": "RELEASE", "value": "2"} in container["environment"]
    assert ecs_client.describe_task_definition(taskDefinition=family)["taskDefinition"]["revision"] == 2


def test_empty_role_members_register_a_definition_without_roles(ecs_client):
    registered = ecs_client.register_task_definition(
        family="plain", taskRoleArn="", executionRoleArn="",
        containerDefinitions=[{"name": "c", "image": "busybox", "memory": 64}])["taskDefinition"]
    assert "taskRoleArn" not in registered and "executionRoleArn" not in registered
    assert {"name": "com.amazonaws.ecs.capability.task-iam-role"} not in registered["requiresAttributes"]


def test_an_empty_execution_role_is_no_execution_role_for_fargate_rules(ecs_client):
    with pytest.raises(ClientError) as info:
        ecs_client.register_task_definition(
            family="web", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
            executionRoleArn="", containerDefinitions=[{"name": "app", "image": "nginx", "logConfiguration": LOGS}])
    assert code_and_message(info) == (
        "ClientException", "Fargate requires task definition to have execution role ARN to support log driver awslogs.")


def test_an_empty_tag_list_is_refused(ecs_client):
    with pytest.raises(ClientError) as info:
        ecs_client.register_task_definition(family="plain", tags=[],
                                            containerDefinitions=[{"name": "c", "image": "busybox", "memory": 64}])
    assert code_and_message(info) == ("ClientException", "Tags can not be empty.")
    assert ecs_client.list_task_definitions()["taskDefinitionArns"] == []


def test_empty_role_members_register_a_daemon_definition_without_roles(ecs_client):
    arn = ecs_client.register_daemon_task_definition(
        family="agent", taskRoleArn="", executionRoleArn="",
        containerDefinitions=[{"name": "agent", "image": "busybox", "memoryReservation": 64}])["daemonTaskDefinitionArn"]
    described = ecs_client.describe_daemon_task_definition(daemonTaskDefinition=arn)["daemonTaskDefinition"]
    assert "taskRoleArn" not in described and "executionRoleArn" not in described


def test_deploy_deregister_and_roll_back_by_family_and_revision(ecs_eks_mock, ecs_client):
    ecs_eks_mock.clock.freeze()
    ecs_client.create_cluster(clusterName="prod")
    first = ecs_client.register_task_definition(**DEFINITIONS["fargate with roles and tags"])["taskDefinition"]
    ecs_client.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=1,
                              launchType="FARGATE", networkConfiguration=AWSVPC)

    # Deploy: describe, change the image, register, move the service, deregister the old revision.
    params = described_for_register(ecs_client, "web")
    params["containerDefinitions"][0]["image"] = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:2"
    second = ecs_client.register_task_definition(**params)["taskDefinition"]
    service = ecs_client.update_service(cluster="prod", service="web",
                                        taskDefinition=second["taskDefinitionArn"])["service"]
    assert service["taskDefinition"] == second["taskDefinitionArn"]
    ecs_client.deregister_task_definition(taskDefinition="web:1")
    inactive = ecs_client.describe_task_definition(taskDefinition="web:1", include=["TAGS"])
    assert inactive["taskDefinition"]["status"] == "INACTIVE"
    assert "deregisteredAt" in inactive["taskDefinition"]
    assert inactive["tags"] == [{"key": "team", "value": "web"}]

    # An INACTIVE revision cannot be deployed again; its description can, as a new revision.
    with pytest.raises(ClientError) as info:
        ecs_client.update_service(cluster="prod", service="web", taskDefinition="web:1")
    assert code_and_message(info) == ("ClientException", "TaskDefinition is inactive")
    rollback = ecs_client.register_task_definition(**described_for_register(ecs_client, "web:1"))["taskDefinition"]
    assert rollback["revision"] == 3
    assert comparable(rollback) == comparable(first)
    service = ecs_client.update_service(cluster="prod", service="web", taskDefinition="web:3")["service"]
    assert service["taskDefinition"] == rollback["taskDefinitionArn"]

    # A one-off task of the rolled-back revision, with a variable overridden.
    override = {"containerOverrides": [{"name": "app", "environment": [{"name": "MODE", "value": "green"}]}]}
    response = ecs_client.run_task(cluster="prod", taskDefinition="web:3", launchType="FARGATE",
                                   networkConfiguration=AWSVPC, overrides=override)
    assert response["failures"] == []
    task = ecs_client.describe_tasks(cluster="prod", tasks=[response["tasks"][0]["taskArn"]])["tasks"][0]
    assert task["taskDefinitionArn"] == rollback["taskDefinitionArn"]
    assert task["overrides"]["containerOverrides"][0]["environment"] == [{"name": "MODE", "value": "green"}]
    with pytest.raises(ClientError) as info:
        ecs_client.run_task(cluster="prod", taskDefinition="web:1", launchType="FARGATE", networkConfiguration=AWSVPC)
    assert code_and_message(info) == ("InvalidParameterException", "TaskDefinition is inactive")
