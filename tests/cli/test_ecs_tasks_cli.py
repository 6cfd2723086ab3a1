"""The AWS CLI runs a Fargate task from definition to STOPPED against the standalone server."""
import json

from tests.cli.support import aws, requires_aws_cli

CONTAINERS = [{"name": "app", "image": "public.ecr.aws/nginx/nginx:latest", "essential": True,
               "portMappings": [{"containerPort": 80}]}]
NETWORK = "awsvpcConfiguration={subnets=[subnet-0a1b2c3d4e5f60718],securityGroups=[sg-0123456789abcdef0]}"


@requires_aws_cli
def test_fargate_task_from_definition_to_stopped(emulator_server):
    aws(emulator_server, "ecs", "create-cluster", "--cluster-name", "jobs")
    registered = aws(emulator_server, "ecs", "register-task-definition", "--family", "job",
                     "--requires-compatibilities", "FARGATE", "--network-mode", "awsvpc",
                     "--cpu", "256", "--memory", "512",
                     "--container-definitions", json.dumps(CONTAINERS))["taskDefinition"]
    assert registered["compatibilities"] == ["EC2", "FARGATE"]

    started = aws(emulator_server, "ecs", "run-task", "--cluster", "jobs", "--task-definition", "job",
                  "--launch-type", "FARGATE", "--network-configuration", NETWORK)
    assert started["failures"] == []
    task_arn = started["tasks"][0]["taskArn"]
    assert started["tasks"][0]["lastStatus"] == "PROVISIONING"

    aws(emulator_server, "ecs", "wait", "tasks-running", "--cluster", "jobs", "--tasks", task_arn)
    task = aws(emulator_server, "ecs", "describe-tasks", "--cluster", "jobs", "--tasks", task_arn)["tasks"][0]
    assert task["lastStatus"] == "RUNNING"
    eni = task["attachments"][0]
    assert eni["type"] == "ElasticNetworkInterface" and eni["status"] == "ATTACHED"
    details = {d["name"]: d["value"] for d in eni["details"]}
    assert details["subnetId"] == "subnet-0a1b2c3d4e5f60718"
    assert details["networkInterfaceId"].startswith("eni-")
    private_ip = details["privateIPv4Address"]
    assert task["containers"][0]["networkInterfaces"][0]["privateIpv4Address"] == private_ip

    stopped = aws(emulator_server, "ecs", "stop-task", "--cluster", "jobs", "--task", task_arn,
                  "--reason", "done for today")["task"]
    assert stopped["desiredStatus"] == "STOPPED" and stopped["stopCode"] == "UserInitiated"
    aws(emulator_server, "ecs", "wait", "tasks-stopped", "--cluster", "jobs", "--tasks", task_arn)
    task = aws(emulator_server, "ecs", "describe-tasks", "--cluster", "jobs", "--tasks", task_arn)["tasks"][0]
    assert task["lastStatus"] == "STOPPED"
    assert task["stoppedReason"] == "done for today"
    assert task["attachments"][0]["status"] == "DELETED"
