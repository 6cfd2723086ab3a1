"""ExecuteCommand: an interactive session into a running container of a task started with
``enableExecuteCommand``; the response carries the Session Manager session a client would open."""
from __future__ import annotations

import base64
import secrets

from emulator.core import ids
from emulator.core.service import RequestContext
from emulator.ecs.clusters import active_cluster
from emulator.ecs.errors import InvalidParameterException, TargetNotConnectedException
from emulator.ecs.service import ecs
from emulator.ecs.tasks import running_task

INTERACTIVE_ONLY = "Interactive is the only mode supported currently."
NOT_ENABLED = ("The execute command failed because execute command was not enabled when the task was run or the "
               "execute command agent isn\u2019t running. Wait and try again or run a new task with execute command "
               "enabled and try again.")
CONTAINER_REQUIRED = "The task has more than one container. Specify the container name and try again."
CONTAINER_NOT_FOUND = "The container {name} was not found in the task. Specify a valid container name and try again."
NOT_CONNECTED = "The execute command failed due to an internal error. Try again later."


@ecs.operation("ExecuteCommand")
def execute_command(ctx: RequestContext, params: dict) -> dict:
    if not params["interactive"]:
        raise InvalidParameterException(INTERACTIVE_ONLY)
    cluster = active_cluster(ctx, params.get("cluster"))
    task = running_task(ctx, cluster, params["task"])
    if not task.exec_enabled or task.last_status != "RUNNING":
        raise InvalidParameterException(NOT_ENABLED)
    name = params.get("container")
    if name is None:
        if len(task.containers) > 1:
            raise InvalidParameterException(CONTAINER_REQUIRED)
        container = task.containers[0]
    else:
        container = next((c for c in task.containers if c.name == name), None)
        if container is None:
            raise InvalidParameterException(CONTAINER_NOT_FOUND.format(name=name))
    if container.agent_status != "RUNNING":
        raise TargetNotConnectedException(NOT_CONNECTED)
    session_id = f"ecs-execute-command-{ids.hex_id(17)}"
    return {
        "clusterArn": cluster.arn,
        "containerArn": container.arn,
        "containerName": container.name,
        "interactive": True,
        "taskArn": task.arn,
        "session": {
            "sessionId": session_id,
            "streamUrl": (f"wss://ssmmessages.{ctx.region}.amazonaws.com/v1/data-channel/{session_id}"
                          "?role=publish_subscribe&cell-number=AAEAAQAAAAAAAAAB"),
            "tokenValue": base64.b64encode(secrets.token_bytes(96)).decode(),
        },
    }
