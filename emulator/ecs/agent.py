"""What the ECS container agent calls: DiscoverPollEndpoint, Submit{Task,Container}StateChange,
SubmitAttachmentStateChanges; and UpdateContainerAgent, which updates it.

State changes the agent submits drive the task engine: a container reported STOPPED keeps its exit
code and, when essential, stops the task (EssentialContainerExited); a task reported RUNNING skips
the rest of its start-up; a task reported STOPPED stops.
"""
from __future__ import annotations

from emulator.config import declare_duration
from emulator.core import arns
from emulator.core.service import RequestContext
from emulator.ecs import task_engine
from emulator.ecs.clusters import active_cluster
from emulator.ecs.container_instances import LATEST_AGENT_VERSION, registered_instance
from emulator.ecs.errors import (InvalidParameterException, MissingVersionException, NoUpdateAvailableException,
                                UpdateInProgressException)
from emulator.ecs.service import ecs
from emulator.ecs.tasks import running_task

AGENT_UPDATE_STEP = declare_duration("ecs.container_agent.update_step", 15.0,
                                     "each step of a container agent update (PENDING, STAGING, STAGED, UPDATING)")
ACKNOWLEDGED = "ACK"
AGENT_UPDATE_STEPS = ("PENDING", "STAGING", "STAGED", "UPDATING", "UPDATED")

NO_UPDATE_AVAILABLE = "There is no update available for your container agent."
UPDATE_IN_PROGRESS = "Agent update is already in progress."
MISSING_VERSION = ("Amazon ECS can't determine the current version of the Amazon ECS container agent on the "
                   "container instance and doesn't have enough information to proceed with an update.")
CONTAINER_NOT_FOUND = "The referenced container {name} was not found in the task."
ATTACHMENT_NOT_FOUND = "The referenced attachment {arn} was not found."
ATTACHMENT_STATUSES = ("PRECREATED", "CREATED", "ATTACHING", "ATTACHED", "DETACHING", "DETACHED", "DELETED", "FAILED")
INVALID_ATTACHMENT_STATUS = "Invalid attachment status: {status}"


def _domain(region: str) -> str:
    return "amazonaws.com.cn" if arns.partition_for(region) == "aws-cn" else "amazonaws.com"


@ecs.operation("DiscoverPollEndpoint")
def discover_poll_endpoint(ctx: RequestContext, params: dict) -> dict:
    if "cluster" in params:
        active_cluster(ctx, params["cluster"])
    domain = _domain(ctx.region)
    return {"endpoint": f"https://ecs-a-1.{ctx.region}.{domain}/",
            "telemetryEndpoint": f"https://ecs-t-1.{ctx.region}.{domain}/",
            "serviceConnectEndpoint": f"https://ecs-sc.{ctx.region}.api.aws"}


def _container(task, name: str):
    container = next((c for c in task.containers if c.name == name), None)
    if container is None:
        raise InvalidParameterException(CONTAINER_NOT_FOUND.format(name=name))
    return container


def _apply_container_report(container, report: dict) -> None:
    if report.get("runtimeId"):
        container.runtime_id = report["runtimeId"]
    if report.get("imageDigest"):
        container.image_digest = report["imageDigest"]
    if "networkBindings" in report:
        container.bindings = [dict(b) for b in report["networkBindings"]]


@ecs.operation("SubmitContainerStateChange")
def submit_container_state_change(ctx: RequestContext, params: dict) -> dict:
    cluster = active_cluster(ctx, params.get("cluster"))
    task = running_task(ctx, cluster, params.get("task", ""))
    container = _container(task, params.get("containerName", ""))
    _apply_container_report(container, params)
    if params.get("status") == "STOPPED":
        task_engine.container_stopped(ctx, task, container, params.get("exitCode"), params.get("reason"))
    return {"acknowledgment": ACKNOWLEDGED}


@ecs.operation("SubmitTaskStateChange")
def submit_task_state_change(ctx: RequestContext, params: dict) -> dict:
    cluster = active_cluster(ctx, params.get("cluster"))
    task = running_task(ctx, cluster, params.get("task", ""))
    essential_exited = False
    for report in params.get("containers", []):
        container = _container(task, report.get("containerName", ""))
        _apply_container_report(container, report)
        if report.get("status") == "STOPPED":
            task_engine.stop_container(container, report.get("exitCode"), report.get("reason"))
            if report.get("exitCode") is not None:
                container.exit_code = report["exitCode"]
            essential_exited |= container.essential
    status = params.get("status")
    if status == "RUNNING":
        task_engine.mark_running(ctx, task)
    elif status == "STOPPED" or essential_exited:
        ran = task.started_at is not None
        code = "EssentialContainerExited" if essential_exited or ran else "TaskFailedToStart"
        task_engine.stop_task(ctx, task, code, params.get("reason") or task_engine.ESSENTIAL_CONTAINER_EXITED,
                              execution_stopped=True)
    # The agent's own timestamps win over the instants the emulator stamped.
    for stamp, attribute in (("pullStartedAt", "pull_started_at"), ("pullStoppedAt", "pull_stopped_at"),
                             ("executionStoppedAt", "execution_stopped_at")):
        if stamp in params:
            setattr(task, attribute, params[stamp])
    task.version += 1
    return {"acknowledgment": ACKNOWLEDGED}


@ecs.operation("SubmitAttachmentStateChanges")
def submit_attachment_state_changes(ctx: RequestContext, params: dict) -> dict:
    active_cluster(ctx, params.get("cluster"))
    changes = []
    for report in params["attachments"]:
        arn, status = report["attachmentArn"], report["status"]
        task = ctx.store.tasks_by_attachment.get(arn.rsplit("/", 1)[-1])
        if task is None or task.eni is None:
            raise InvalidParameterException(ATTACHMENT_NOT_FOUND.format(arn=arn))
        if status not in ATTACHMENT_STATUSES:
            raise InvalidParameterException(INVALID_ATTACHMENT_STATUS.format(status=status))
        changes.append((task, status))
    for task, status in changes:
        task.eni.status = status
        task.version += 1
    return {"acknowledgment": ACKNOWLEDGED}


def _version_key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


@ecs.operation("UpdateContainerAgent")
def update_container_agent(ctx: RequestContext, params: dict) -> dict:
    instance = registered_instance(ctx, active_cluster(ctx, params.get("cluster")), params["containerInstance"])
    if instance.agent_update_status in AGENT_UPDATE_STEPS[:-1]:
        raise UpdateInProgressException(UPDATE_IN_PROGRESS)
    current = instance.version_info.get("agentVersion")
    if not current:
        raise MissingVersionException(MISSING_VERSION)
    if _version_key(current) >= _version_key(LATEST_AGENT_VERSION):
        raise NoUpdateAvailableException(NO_UPDATE_AVAILABLE)
    instance.agent_update_status = "PENDING"
    instance.version += 1
    step = ctx.duration(AGENT_UPDATE_STEP)

    def advance(at: float, status: str) -> None:
        instance.agent_update_status = status
        instance.version += 1
        if status == "UPDATED":
            instance.version_info["agentVersion"] = LATEST_AGENT_VERSION
    for n, status in enumerate(AGENT_UPDATE_STEPS[1:], start=1):
        ctx.store.timeline.at(ctx.now + n * step, lambda at, s=status: advance(at, s))
    return {"containerInstance": instance.describe()}
