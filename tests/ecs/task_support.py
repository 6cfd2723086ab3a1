"""Helpers the task, lifecycle, placement and container-instance tests share."""
from __future__ import annotations

import json
import secrets

SUBNET = "subnet-0123456789abcdef0"
OTHER_SUBNET = "subnet-0fedcba9876543210"
AWSVPC = {"awsvpcConfiguration": {"subnets": [SUBNET], "securityGroups": ["sg-0123456789abcdef0"]}}
ACCOUNT = "123456789012"
# a Managed Instances capacity provider's managedInstancesProvider (CreateCapacityProvider)
MANAGED_INSTANCES_PROVIDER = {
    "infrastructureRoleArn": f"arn:aws:iam::{ACCOUNT}:role/ecsInfrastructureRole",
    "instanceLaunchTemplate": {"ec2InstanceProfileArn": f"arn:aws:iam::{ACCOUNT}:instance-profile/ecsInstance",
                               "networkConfiguration": {"subnets": ["subnet-0a1b2c3d4e5f60718"]}}}


def code_and_message(info) -> tuple[str, str]:
    """(code, message) of a ``pytest.raises(ClientError)`` result."""
    error = info.value.response["Error"]
    return error["Code"], error["Message"]


def fargate_task_definition(client, family: str = "web", containers: list[dict] | None = None, **extra) -> str:
    definition = {"family": family, "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
                  "cpu": "256", "memory": "512",
                  "containerDefinitions": containers or [{"name": "app", "image": "nginx"}]}
    definition.update(extra)
    return client.register_task_definition(**definition)["taskDefinition"]["taskDefinitionArn"]


def ec2_task_definition(client, family: str = "batch", cpu: int = 128, memory: int = 256,
                        port_mappings: list[dict] | None = None, **extra) -> str:
    container = {"name": "worker", "image": "busybox", "cpu": cpu, "memory": memory,
                 "portMappings": port_mappings or []}
    return client.register_task_definition(family=family, containerDefinitions=[container],
                                           **extra)["taskDefinition"]["taskDefinitionArn"]


def fargate_cluster(client, name: str = "c", family: str = "web", **definition) -> str:
    client.create_cluster(clusterName=name)
    return fargate_task_definition(client, family, **definition)


def run_fargate(client, cluster: str = "c", family: str = "web", count: int = 1, **params) -> list[dict]:
    params.setdefault("networkConfiguration", AWSVPC)
    response = client.run_task(cluster=cluster, taskDefinition=family, launchType="FARGATE", count=count, **params)
    assert response["failures"] == []
    return response["tasks"]


def identity_document(instance_type: str = "t3.medium", zone: str = "us-east-1a",
                      instance_id: str | None = None, **extra) -> str:
    document = {"instanceId": instance_id or "i-" + secrets.token_hex(9)[:17], "instanceType": instance_type,
                "availabilityZone": zone, "region": zone[:-1], "imageId": "ami-0abcdef1234567890",
                "architecture": "x86_64", "privateIp": "10.0.0.10"}
    document.update(extra)
    return json.dumps(document)


def register_instance(client, cluster: str = "c", instance_type: str = "t3.medium", zone: str = "us-east-1a",
                      cpu: int | None = None, memory: int | None = None, **params) -> dict:
    resources = []
    if cpu is not None:
        resources.append({"name": "CPU", "type": "INTEGER", "integerValue": cpu})
    if memory is not None:
        resources.append({"name": "MEMORY", "type": "INTEGER", "integerValue": memory})
    if resources:
        params["totalResources"] = resources
    return client.register_container_instance(
        cluster=cluster, instanceIdentityDocument=identity_document(instance_type, zone), **params)["containerInstance"]


def resource(instance: dict, name: str, which: str = "remainingResources"):
    entry = next(r for r in instance[which] if r["name"] == name)
    return entry["stringSetValue"] if entry["type"] == "STRINGSET" else entry["integerValue"]


def describe_task(client, arn: str, cluster: str = "c") -> dict:
    return client.describe_tasks(cluster=cluster, tasks=[arn])["tasks"][0]


def describe_instance(client, arn: str, cluster: str = "c") -> dict:
    return client.describe_container_instances(cluster=cluster, containerInstances=[arn])["containerInstances"][0]


def service_tasks(mock, cluster: str = "c", family: str = "web", count: int = 1, service_name: str = "web",
                  network: dict | None = None) -> list[str]:
    """Tasks started as the service scheduler starts them (through the task engine), by ARN."""
    from emulator.ecs.task_engine import LaunchSpec, LifecycleContext, resolve_launch, start_tasks
    engine = mock.engine
    store = engine.store("ecs")
    with store.lock:
        ctx = LifecycleContext(store, engine.config, engine.clock.now())
        target = store.clusters[cluster]
        task_definition = store.task_definitions.latest_active(family)
        launch = resolve_launch(ctx, target, task_definition,
                                LaunchSpec(launch_type="FARGATE", network_configuration=network or AWSVPC))
        tasks, _ = start_tasks(ctx, target, task_definition, launch, count, started_by="ecs-svc/1234567890123456789",
                               group=f"service:{service_name}", service_name=service_name)
    return [task.arn for task in tasks]
