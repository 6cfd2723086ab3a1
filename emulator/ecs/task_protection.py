"""Task scale-in protection: UpdateTaskProtection, GetTaskProtection.

Only tasks a service started can be protected (others fail with ``TASK_NOT_VALID``). Protection
lasts until its expiry on the clock; each update restarts it. The service scheduler asks
:func:`is_protected` before choosing tasks to stop when it scales in.
"""
from __future__ import annotations

from emulator.core.service import RequestContext
from emulator.ecs.clusters import active_cluster
from emulator.ecs.errors import InvalidParameterException
from emulator.ecs.indexes import check_list
from emulator.ecs.service import ecs
from emulator.ecs.task_engine import Task, find_task
from emulator.ecs.tasks import TASKS_EMPTY, task_failure_arn

DEFAULT_EXPIRY_MINUTES = 120
EXPIRY_RANGE_MINUTES = (1, 2880)
MAX_UPDATE = 10
MAX_GET = 100
TOO_MANY_UPDATE = "taskIds can have at most 10 items."
TOO_MANY_GET = "taskIds can have at most 100 items."
EXPIRY_OUT_OF_RANGE = "expiresInMinutes must be between 1 and 2880."
TASK_NOT_VALID = "TASK_NOT_VALID"
TASK_NOT_VALID_DETAIL = "The task is not part of a service or is not running."


def is_protected(task: Task, now: float) -> bool:
    return task.protected_until is not None and task.protected_until > now


def _protection(task: Task, now: float) -> dict:
    if is_protected(task, now):
        return {"taskArn": task.arn, "protectionEnabled": True, "expirationDate": task.protected_until}
    return {"taskArn": task.arn, "protectionEnabled": False}


def _tasks(ctx: RequestContext, params: dict, maximum: int, too_many: str):
    cluster = active_cluster(ctx, params.get("cluster"))
    values = check_list(params.get("tasks") or [], maximum, TASKS_EMPTY, too_many)
    found, failures = [], []
    for value in values:
        task = find_task(ctx, cluster, value)
        if task is None:
            failures.append({"arn": task_failure_arn(ctx, cluster, value), "reason": "MISSING"})
        elif task.service_name is None or task.desired_status != "RUNNING":
            failures.append({"arn": task.arn, "reason": TASK_NOT_VALID, "detail": TASK_NOT_VALID_DETAIL})
        else:
            found.append(task)
    return found, failures


@ecs.operation("UpdateTaskProtection")
def update_task_protection(ctx: RequestContext, params: dict) -> dict:
    minutes = params.get("expiresInMinutes", DEFAULT_EXPIRY_MINUTES)
    enabled = params["protectionEnabled"]
    if enabled and not EXPIRY_RANGE_MINUTES[0] <= minutes <= EXPIRY_RANGE_MINUTES[1]:
        raise InvalidParameterException(EXPIRY_OUT_OF_RANGE)
    tasks, failures = _tasks(ctx, params, MAX_UPDATE, TOO_MANY_UPDATE)
    for task in tasks:
        task.protected_until = round(ctx.now + minutes * 60, 3) if enabled else None
    return {"protectedTasks": [_protection(t, ctx.now) for t in tasks], "failures": failures}


@ecs.operation("GetTaskProtection")
def get_task_protection(ctx: RequestContext, params: dict) -> dict:
    tasks, failures = _tasks(ctx, params, MAX_GET, TOO_MANY_GET)
    return {"protectedTasks": [_protection(t, ctx.now) for t in tasks], "failures": failures}
