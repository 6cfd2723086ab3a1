"""Service events: what the scheduler writes to a service's ``events`` list, in AWS's words.

Newest first, at most 100 kept (DescribeServices returns the 100 newest). Each event is
``{"id": <uuid>, "createdAt": <epoch seconds>, "message": ...}``; the messages below are those
ECS writes, with the service name in parentheses.
"""
from __future__ import annotations

from collections import deque

from emulator.core import ids

MAX_EVENTS = 100
TROUBLESHOOTING = "For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."


def _tasks(task_ids: list[str]) -> str:
    return " ".join(f"(task {task_id})" for task_id in task_ids)


def started_tasks(service: str, task_ids: list[str]) -> str:
    return f"(service {service}) has started {len(task_ids)} tasks: {_tasks(task_ids)}."


def stopped_running_tasks(service: str, task_ids: list[str]) -> str:
    return f"(service {service}) has stopped {len(task_ids)} running tasks: {_tasks(task_ids)}."


def stopped_pending_tasks(service: str, task_ids: list[str]) -> str:
    return f"(service {service}) has stopped {len(task_ids)} pending tasks: {_tasks(task_ids)}."


def steady_state(service: str) -> str:
    return f"(service {service}) has reached a steady state."


def deployment_completed(service: str, deployment_id: str) -> str:
    return f"(service {service}) (deployment {deployment_id}) deployment completed."


def deployment_failed(service: str, deployment_id: str) -> str:
    return f"(service {service}) (deployment {deployment_id}) deployment failed: tasks failed to start."


def deployment_hook_failed(service: str, deployment_id: str) -> str:
    return f"(service {service}) (deployment {deployment_id}) deployment failed: hook execution failure(s) detected."


def rolling_back(service: str, deployment_id: str) -> str:
    return f"(service {service}) rolling back to deployment {deployment_id}."


def unable_to_start_consistently(service: str) -> str:
    return f"(service {service}) is unable to consistently start tasks successfully."


def unable_to_place(service: str, reason: str) -> str:
    return (f"(service {service}) was unable to place a task because no container instance met all of its "
            f"requirements. {reason} {TROUBLESHOOTING}")


def registered_targets(service: str, count: int, target_group: str) -> str:
    return f"(service {service}) registered {count} targets in (target-group {target_group})"


def daemon_desired_count(service: str, count: int) -> str:
    return f"(daemon service {service}) updated desired count to {count}."


NO_INSTANCES_REASON = "Reason: No Container Instances were found in your cluster."
# placement failure reason (RunTask's failures[].reason) -> what the event says of the closest instance
_CLOSEST = {
    "RESOURCE:CPU": "has insufficient CPU units available.",
    "RESOURCE:MEMORY": "has insufficient memory available.",
    "RESOURCE:PORTS": "is already using a port required by your task.",
    "RESOURCE:PORTS_UDP": "is already using a port required by your task.",
    "RESOURCE:ENI": "encountered error \"RESOURCE:ENI\".",
}


def placement_reason(failure: dict) -> str:
    """The sentence of an "unable to place" event for one of start_tasks' failures."""
    arn, reason = failure.get("arn", ""), failure.get("reason", "")
    if ":container-instance/" in arn:
        instance_id = arn.rsplit("/", 1)[-1]
        what = _CLOSEST.get(reason, f"encountered error \"{reason}\".")
        return f"The closest matching (container-instance {instance_id}) {what}"
    return f"Reason: {failure.get('detail') or reason}."


class EventLog:
    """A service's events, newest first."""

    __slots__ = ("_events",)

    def __init__(self) -> None:
        self._events: deque[dict] = deque(maxlen=MAX_EVENTS)

    def add(self, at: float, message: str, *, repeat: bool = True) -> None:
        """Write an event; ``repeat=False`` skips it when the newest event already says the same."""
        if not repeat and self._events and self._events[0]["message"] == message:
            return
        self._events.appendleft({"id": ids.uuid4(), "createdAt": at, "message": message})

    def describe(self) -> list[dict]:
        return [dict(event) for event in self._events]

    def messages(self) -> list[str]:
        return [event["message"] for event in self._events]
