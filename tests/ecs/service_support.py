"""Helpers the service, scheduler, deployment and failure-injection tests share."""
from __future__ import annotations

import re

from tests.ecs.task_support import AWSVPC, code_and_message  # noqa: F401  (re-exported for the service tests)

ACCOUNT = "123456789012"
DEPLOYMENT_ID = re.compile(r"^ecs-svc/\d{19}$")
SERVICE_DEPLOYMENT_ARN = re.compile(
    r"^arn:aws:ecs:us-east-1:123456789012:service-deployment/(?P<cluster>[\w-]+)/(?P<service>[\w-]+)/[A-Za-z0-9_-]{20,21}$")
SERVICE_REVISION_ARN = re.compile(
    r"^arn:aws:ecs:us-east-1:123456789012:service-revision/(?P<cluster>[\w-]+)/(?P<service>[\w-]+)/\d{19}$")


def web_definition(client, family: str = "web", image: str = "nginx:1", **extra) -> str:
    """A Fargate-compatible awsvpc task definition with one container listening on port 80."""
    definition = {"family": family, "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
                  "cpu": "256", "memory": "512",
                  "containerDefinitions": [{"name": "app", "image": image,
                                            "portMappings": [{"containerPort": 80}]}]}
    definition.update(extra)
    return client.register_task_definition(**definition)["taskDefinition"]["taskDefinitionArn"]


def fargate_service(client, name: str = "web", cluster: str = "c", task_definition: str = "web",
                    desired: int = 2, **params) -> dict:
    params.setdefault("networkConfiguration", AWSVPC)
    return client.create_service(cluster=cluster, serviceName=name, taskDefinition=task_definition,
                                 desiredCount=desired, launchType="FARGATE", **params)["service"]


def setup_web(client, cluster: str = "c", images: tuple[str, ...] = ("nginx:1",)) -> list[str]:
    """A cluster and one revision of family ``web`` per image; returns the revisions' ARNs."""
    client.create_cluster(clusterName=cluster)
    return [web_definition(client, image=image) for image in images]


def describe(client, name: str = "web", cluster: str = "c") -> dict:
    return client.describe_services(cluster=cluster, services=[name])["services"][0]


def events(service: dict) -> list[str]:
    """The service's event messages, oldest first."""
    return [event["message"] for event in reversed(service["events"])]


def deployment_counts(service: dict) -> list[tuple]:
    """(status, task-definition revision, desired, running, pending) per deployment, PRIMARY first."""
    return [(d["status"], int(d["taskDefinition"].rsplit(":", 1)[1]), d["desiredCount"], d["runningCount"],
             d["pendingCount"]) for d in service["deployments"]]


def task_id(arn: str) -> str:
    return arn.rsplit("/", 1)[1]


def service_tasks(client, name: str = "web", cluster: str = "c", desired: str = "RUNNING") -> list[dict]:
    arns = client.list_tasks(cluster=cluster, serviceName=name, desiredStatus=desired)["taskArns"]
    return client.describe_tasks(cluster=cluster, tasks=arns)["tasks"] if arns else []


def tasks_named(message: str) -> list[str]:
    """The task ids an event names, in its order."""
    return re.findall(r"\(task ([0-9a-f]{32})\)", message)


def started(name: str, tasks: list[str]) -> str:
    return f"(service {name}) has started {len(tasks)} tasks: " + " ".join(f"(task {t})" for t in tasks) + "."


def stopped_running(name: str, tasks: list[str]) -> str:
    return f"(service {name}) has stopped {len(tasks)} running tasks: " + " ".join(f"(task {t})" for t in tasks) + "."


def steady(name: str) -> str:
    return f"(service {name}) has reached a steady state."


def completed(name: str, deployment_id: str) -> str:
    return f"(service {name}) (deployment {deployment_id}) deployment completed."
