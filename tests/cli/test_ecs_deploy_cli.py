"""The AWS CLI redeploys a service the way CI scripts do, against the standalone server: describe the task
definition, change its image, register it with ``--cli-input-json``, update the service, deregister the old one."""
import json

from tests.cli.support import aws, requires_aws_cli

NETWORK = "awsvpcConfiguration={subnets=[subnet-0a1b2c3d4e5f60718],securityGroups=[sg-0123456789abcdef0]}"
READ_ONLY = ("taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt",
             "registeredBy", "deregisteredAt")


def registered_again(server, tmp_path, identifier: str, image: str) -> dict:
    described = aws(server, "ecs", "describe-task-definition", "--task-definition", identifier,
                    "--include", "TAGS")
    definition = {k: v for k, v in described["taskDefinition"].items() if k not in READ_ONLY}
    definition.setdefault("taskRoleArn", "")
    definition.setdefault("executionRoleArn", "")
    definition["containerDefinitions"][0]["image"] = image
    if described["tags"]:
        definition["tags"] = described["tags"]
    path = tmp_path / "task-definition.json"
    path.write_text(json.dumps(definition))
    return aws(server, "ecs", "register-task-definition", "--cli-input-json", f"file://{path}")["taskDefinition"]


@requires_aws_cli
def test_redeploy_with_a_described_task_definition(emulator_server, tmp_path):
    aws(emulator_server, "ecs", "create-cluster", "--cluster-name", "prod")
    aws(emulator_server, "ecs", "register-task-definition", "--family", "web", "--requires-compatibilities",
        "FARGATE", "--network-mode", "awsvpc", "--cpu", "256", "--memory", "512", "--tags", "key=team,value=web",
        "--container-definitions", json.dumps([{"name": "app", "image": "nginx:1",
                                                "portMappings": [{"containerPort": 80}]}]))
    aws(emulator_server, "ecs", "create-service", "--cluster", "prod", "--service-name", "web",
        "--task-definition", "web:1", "--desired-count", "1", "--launch-type", "FARGATE",
        "--network-configuration", NETWORK)

    second = registered_again(emulator_server, tmp_path, "web", "nginx:2")
    assert (second["revision"], second["containerDefinitions"][0]["image"]) == (2, "nginx:2")
    assert "taskRoleArn" not in second and "executionRoleArn" not in second
    service = aws(emulator_server, "ecs", "update-service", "--cluster", "prod", "--service", "web",
                  "--task-definition", "web:2")["service"]
    assert service["taskDefinition"] == second["taskDefinitionArn"]
    aws(emulator_server, "ecs", "deregister-task-definition", "--task-definition", "web:1")
    old = aws(emulator_server, "ecs", "describe-task-definition", "--task-definition", "web:1")["taskDefinition"]
    assert old["status"] == "INACTIVE"

    refused = aws(emulator_server, "ecs", "update-service", "--cluster", "prod", "--service", "web",
                  "--task-definition", "web:1", expect_success=False)
    assert refused.returncode != 0
    assert "(ClientException)" in refused.stderr and "TaskDefinition is inactive" in refused.stderr
    rollback = registered_again(emulator_server, tmp_path, "web:1", "nginx:1")
    assert rollback["revision"] == 3
    aws(emulator_server, "ecs", "update-service", "--cluster", "prod", "--service", "web", "--task-definition", "web:3")
    tags = aws(emulator_server, "ecs", "list-tags-for-resource", "--resource-arn", rollback["taskDefinitionArn"])
    assert tags["tags"] == [{"key": "team", "value": "web"}]

    overrides = json.dumps({"containerOverrides": [{"name": "app", "environment": [{"name": "MODE", "value": "x"}]}]})
    started = aws(emulator_server, "ecs", "run-task", "--cluster", "prod", "--task-definition", "web:3",
                  "--launch-type", "FARGATE", "--network-configuration", NETWORK, "--overrides", overrides)
    assert started["failures"] == []
    assert started["tasks"][0]["overrides"]["containerOverrides"][0]["environment"] == [{"name": "MODE", "value": "x"}]
