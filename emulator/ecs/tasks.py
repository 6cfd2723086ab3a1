"""ECS task operations: RunTask, StartTask, StopTask, DescribeTasks, ListTasks.

The tasks themselves, their lifecycle and placement live in :mod:`emulator.ecs.task_engine`; these
handlers check the requests as AWS does and hand them to it.
"""
from __future__ import annotations

import hashlib
import re

from emulator.core.service import RequestContext
from emulator.ecs import task_engine
from emulator.ecs.clusters import CLUSTER_NOT_FOUND, Cluster, active_cluster, existing_cluster
from emulator.ecs.common import request_digest
from emulator.ecs.container_instances import INSTANCES_EMPTY, failure_arn, find_instance
from emulator.ecs.errors import (ClusterNotFoundException, ConflictException, InvalidParameterException,
                                LimitExceededException, ResourceNotFoundException)
from emulator.ecs.indexes import EMPTY, check_list, describe_each, keyset_page
from emulator.ecs.service import ecs
from emulator.ecs.services import live_service
from emulator.ecs.tags import (MAX_TAGS, RESOURCE_NOT_FOUND, TASK_STOPPED, TOO_MANY_TAGS, taggable,
                               tags_from_request, user_tag_count)
from emulator.ecs.task_definitions import usable_task_definition
from emulator.ecs.task_engine import LaunchSpec, Task, find_task, parse_task_identifier

MAX_COUNT = 10
MAX_DESCRIBE = 100
MAX_START_INSTANCES = 10
MAX_OVERRIDES_LENGTH = 8192
MAX_STARTED_BY = 128

COUNT_OUT_OF_RANGE = "count must be between 1 and 10."
OVERRIDES_TOO_LONG = "Container Overrides length must be at most 8192"
STARTED_BY_TOO_LONG = "startedBy longer than 128."
STARTED_BY_INVALID = "startedBy contains invalid characters."
PROPAGATE_SERVICE = "The propagateTags value SERVICE is only supported for tasks started by a service."
EXEC_NEEDS_TASK_ROLE = ("The task definition must specify a task role (taskRoleArn) to enable execute command. "
                        "Specify a task role and try again.")
CLIENT_TOKEN_INVALID = "clientToken must be 1 to 64 printable ASCII characters."
CONFLICT = "The provided clientToken is already in use with a different RunTask request."
TASKS_EMPTY = "Tasks cannot be empty."
TOO_MANY_TASKS = "taskIds can have at most 100 items."
TASK_NOT_FOUND = "The referenced task was not found."
TASK_IDENTIFIER_INVALID = "Task Identifier is invalid"
TOO_MANY_INSTANCES = "containerInstances can have at most 10 items."
_STARTED_BY = re.compile(r"^[A-Za-z0-9_/-]*$")
_CLIENT_TOKEN = re.compile(r"^[!-~]{1,64}$")       # printable ASCII (33-126), at most 64


def unknown_container_override(name: str) -> str:
    return f"Override for container named {name} is not a container in the TaskDefinition."


# -- shared request checks ------------------------------------------------------------------------

def _check_overrides(task_definition, overrides: dict | None) -> None:
    if not overrides:
        return
    if task_engine.overrides_size(overrides) > MAX_OVERRIDES_LENGTH:
        raise InvalidParameterException(OVERRIDES_TOO_LONG)
    names = {c["name"] for c in task_definition.container_definitions}
    for override in overrides.get("containerOverrides", []):
        if override.get("name") not in names:
            raise InvalidParameterException(unknown_container_override(override.get("name", "")))


def _check_started_by(started_by: str | None) -> None:
    if started_by is None:
        return
    if len(started_by) > MAX_STARTED_BY:
        raise InvalidParameterException(STARTED_BY_TOO_LONG)
    if not _STARTED_BY.match(started_by):
        raise InvalidParameterException(STARTED_BY_INVALID)


def managed_tags(cluster: Cluster, service_name: str | None = None) -> dict[str, str]:
    """The ``aws:ecs:*`` tags enableECSManagedTags adds to a task."""
    tags = {"aws:ecs:clusterName": cluster.name}
    if service_name:
        tags["aws:ecs:serviceName"] = service_name
    return tags


def _task_tags(cluster: Cluster, task_definition, params: dict) -> dict[str, str]:
    given = tags_from_request(params.get("tags"))
    propagate = params.get("propagateTags", "NONE")
    if propagate == "SERVICE":
        raise InvalidParameterException(PROPAGATE_SERVICE)
    tags = dict(task_definition.tags) if propagate == "TASK_DEFINITION" else {}
    tags.update(given)
    if user_tag_count(tags) > MAX_TAGS:
        raise LimitExceededException(TOO_MANY_TAGS)
    if params.get("enableECSManagedTags"):
        tags.update(managed_tags(cluster))
    return tags


def _check_execute_command(task_definition, params: dict) -> None:
    if params.get("enableExecuteCommand") and not (
            (params.get("overrides") or {}).get("taskRoleArn") or task_definition.request.get("taskRoleArn")):
        raise InvalidParameterException(EXEC_NEEDS_TASK_ROLE)


def _describe_all(ctx: RequestContext, task_ids: list[str]) -> list[dict]:
    return [ctx.store.tasks[i].describe(include_tags=True) for i in task_ids if i in ctx.store.tasks]


# -- operations -------------------------------------------------------------------------------------

@ecs.operation("RunTask")
def run_task(ctx: RequestContext, params: dict) -> dict:
    cluster = active_cluster(ctx, params.get("cluster"))
    token = params.get("clientToken")
    if token is not None and not _CLIENT_TOKEN.match(token):
        raise InvalidParameterException(CLIENT_TOKEN_INVALID)
    if token is not None and token in ctx.store.run_task_tokens:
        # Digests only when a token comes back: most tokens (the SDKs make one per call) never do.
        known_request, task_ids, failures = ctx.store.run_task_tokens[token]
        if request_digest(known_request) != request_digest(params):
            raise ConflictException(CONFLICT, resourceIds=[
                ctx.store.tasks[i].arn for i in task_ids if i in ctx.store.tasks])
        return {"tasks": _describe_all(ctx, task_ids), "failures": list(failures)}
    count = params.get("count", 1)
    if not 1 <= count <= MAX_COUNT:
        raise InvalidParameterException(COUNT_OUT_OF_RANGE)
    if params.get("launchType") and params.get("capacityProviderStrategy"):
        raise InvalidParameterException(task_engine.BOTH_LAUNCH_TYPE_AND_STRATEGY)
    task_definition = usable_task_definition(ctx, params["taskDefinition"], InvalidParameterException)
    _check_overrides(task_definition, params.get("overrides"))
    _check_started_by(params.get("startedBy"))
    tags = _task_tags(cluster, task_definition, params)
    _check_execute_command(task_definition, params)
    launch = task_engine.resolve_launch(ctx, cluster, task_definition, LaunchSpec(
        launch_type=params.get("launchType"), capacity_provider_strategy=params.get("capacityProviderStrategy"),
        platform_version=params.get("platformVersion"), network_configuration=params.get("networkConfiguration"),
        placement_constraints=params.get("placementConstraints", []),
        placement_strategy=params.get("placementStrategy", [])))
    tasks, failures = task_engine.start_tasks(
        ctx, cluster, task_definition, launch, count, started_by=params.get("startedBy"), group=params.get("group"),
        overrides=params.get("overrides"), tags=tags, enable_execute_command=params.get("enableExecuteCommand", False))
    if token is not None:
        ctx.store.run_task_tokens[token] = (params, [t.id for t in tasks], failures)
    return {"tasks": [t.describe(include_tags=True) for t in tasks], "failures": failures}


@ecs.operation("StartTask")
def start_task(ctx: RequestContext, params: dict) -> dict:
    cluster = active_cluster(ctx, params.get("cluster"))
    values = check_list(params["containerInstances"], MAX_START_INSTANCES, INSTANCES_EMPTY, TOO_MANY_INSTANCES)
    task_definition = usable_task_definition(ctx, params["taskDefinition"], InvalidParameterException)
    _check_overrides(task_definition, params.get("overrides"))
    _check_started_by(params.get("startedBy"))
    tags = _task_tags(cluster, task_definition, params)
    _check_execute_command(task_definition, params)
    instances, failures = [], []
    for value in values:
        instance = find_instance(ctx, cluster, value)
        if instance is None:
            failures.append({"arn": failure_arn(ctx, cluster, value), "reason": "MISSING"})
        elif instance.status != "ACTIVE":
            failures.append({"arn": instance.arn, "reason": instance.status})
        else:
            instances.append(instance)
    if not instances:
        return {"tasks": [], "failures": failures}
    external = instances[0].ec2_instance_id.startswith("mi-")
    launch = task_engine.resolve_launch(ctx, cluster, task_definition, LaunchSpec(
        launch_type="EXTERNAL" if external else "EC2", network_configuration=params.get("networkConfiguration")))
    tasks, placement_failures = task_engine.start_tasks(
        ctx, cluster, task_definition, launch, started_by=params.get("startedBy"), group=params.get("group"),
        overrides=params.get("overrides"), tags=tags, enable_execute_command=params.get("enableExecuteCommand", False),
        container_instances=instances)
    return {"tasks": [t.describe(include_tags=True) for t in tasks], "failures": failures + placement_failures}


def running_task(ctx: RequestContext, cluster: Cluster, value: str) -> Task:
    """The task a Stop/Submit-style call names; InvalidParameterException as StopTask answers."""
    if parse_task_identifier(value) is None:
        raise InvalidParameterException(TASK_IDENTIFIER_INVALID)
    task = find_task(ctx, cluster, value)
    if task is None:
        raise InvalidParameterException(TASK_NOT_FOUND)
    return task


@ecs.operation("StopTask")
def stop_task(ctx: RequestContext, params: dict) -> dict:
    cluster = active_cluster(ctx, params.get("cluster"))
    task = running_task(ctx, cluster, params["task"])
    task_engine.stop_task(ctx, task, "UserInitiated", params.get("reason") or task_engine.USER_STOP_REASON)
    return {"task": task.describe(include_tags=True)}


def task_failure_arn(ctx: RequestContext, cluster: Cluster, value: str) -> str:
    return value if value.startswith("arn:") else ctx.arn(f"task/{cluster.name}/{value}")


@ecs.operation("DescribeTasks")
def describe_tasks(ctx: RequestContext, params: dict) -> dict:
    cluster = existing_cluster(ctx, params.get("cluster"))
    values = check_list(params["tasks"], MAX_DESCRIBE, TASKS_EMPTY, TOO_MANY_TASKS)
    include_tags = "TAGS" in params.get("include", [])
    found, failures = describe_each(values, lambda value: find_task(ctx, cluster, value),
                                    lambda task: task.describe(include_tags),
                                    lambda value: task_failure_arn(ctx, cluster, value))
    return {"tasks": found, "failures": failures}


@ecs.operation("ListTasks")
def list_tasks(ctx: RequestContext, params: dict) -> dict:
    cluster = active_cluster(ctx, params.get("cluster"))
    desired = params.get("desiredStatus", "RUNNING")
    names = [("all", desired)]
    if params.get("serviceName"):
        # a deleted (INACTIVE) service is not found; a DRAINING one still has tasks to list
        names.append(("service", live_service(ctx, cluster, params["serviceName"]).name, desired))
    if params.get("family"):
        names.append(("family", params["family"], desired))
    if params.get("startedBy"):
        names.append(("startedBy", params["startedBy"], desired))
    if params.get("launchType"):
        names.append(("launchType", params["launchType"], desired))
    if params.get("containerInstance"):
        instance = find_instance(ctx, cluster, params["containerInstance"])
        names.append(("instance", instance.id if instance is not None else "", desired))
    # Read the smallest of the indexes the filters name; check the others per task.
    indexes = [cluster.tasks.get(name) for name in names]
    if params.get("daemonName"):
        from emulator.ecs.daemons import daemon_task_keys
        indexes.append(daemon_task_keys(ctx, cluster, params["daemonName"], desired))
        names.append(("daemon", params["daemonName"], desired))
    keys = min(indexes, key=len) if desired != "PENDING" else EMPTY
    others = [index for index in indexes if index is not keys and index is not indexes[0]]
    accept = (lambda task_id: all(task_id in index for index in others)) if others else None
    scope = hashlib.sha256(repr(sorted(names)).encode()).hexdigest()[:16]
    page, token = keyset_page(params, keys, scope=f"tasks|{cluster.name}|{scope}", accept=accept)
    tasks = ctx.store.tasks
    return {"taskArns": [tasks[i].arn for i in page if i in tasks], "nextToken": token}


@taggable("task", long_arn_segments=2)
def _task_for_tags(ctx: RequestContext, arn: str) -> Task:
    cluster_name = (parse_task_identifier(arn) or (None, None))[0]
    cluster = ctx.store.clusters.get(cluster_name or "")
    if cluster is None:
        raise ClusterNotFoundException(CLUSTER_NOT_FOUND)
    task = find_task(ctx, cluster, arn)
    if task is None:
        raise ResourceNotFoundException(RESOURCE_NOT_FOUND)
    if task.last_status == "STOPPED":
        raise InvalidParameterException(TASK_STOPPED)
    return task
