"""Scaling activities: what changed a target's capacity, and DescribeScalingActivities (newest first).

Each activity is recorded when the change is made (StartTime and EndTime are the instant it was due: the
desired count is set at once). Activities stay describable after their target is deregistered.
IncludeNotScaledActivities is accepted; no not-scaled activities are recorded.
"""
from __future__ import annotations

import dataclasses
import itertools

from emulator.autoscaling.common import check_dimension, check_namespace, page
from emulator.autoscaling.service import autoscaling
from emulator.core import ids

MAX_RESULTS = 50
_order = itertools.count()


@dataclasses.dataclass
class Activity:
    activity_id: str
    resource_id: str
    description: str
    cause: str
    at: float
    status_code: str
    status_message: str
    order: int = dataclasses.field(default_factory=lambda: next(_order))

    def describe(self) -> dict:
        return {"ActivityId": self.activity_id, "ServiceNamespace": "ecs", "ResourceId": self.resource_id,
                "ScalableDimension": "ecs:service:DesiredCount", "Description": self.description,
                "Cause": self.cause, "StartTime": self.at, "EndTime": self.at, "StatusCode": self.status_code,
                "StatusMessage": self.status_message}


def record(store, target, at: float, description: str, cause: str, status_code: str, status_message: str) -> Activity:
    activity = Activity(activity_id=ids.uuid4(), resource_id=target.resource_id, description=description,
                        cause=cause, at=at, status_code=status_code, status_message=status_message)
    store.activities.setdefault(target.key, []).append(activity)
    return activity


@autoscaling.operation("DescribeScalingActivities")
def describe_scaling_activities(ctx, params: dict) -> dict:
    check_namespace(params)
    check_dimension(params.get("ScalableDimension"))
    resource_id = params.get("ResourceId")
    found = {activity.order: activity for (_, rid, _), activities in ctx.store.activities.items()
             if resource_id is None or rid == resource_id for activity in activities}
    keys, token = page(params, sorted(found), MAX_RESULTS, scope=f"activities|{resource_id}", descending=True)
    return {"ScalingActivities": [found[k].describe() for k in keys], "NextToken": token}
