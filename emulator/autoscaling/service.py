"""The Application Auto Scaling service: its store, its validation policy, its handler registry."""
from __future__ import annotations

from emulator.autoscaling import errors
from emulator.autoscaling.scaling import catch_up
from emulator.core.service import Service, Store
from emulator.protocol.errors import SerializationException, ServiceError
from emulator.protocol.validation import Violation

NAME = "application-autoscaling"


class AutoscalingStore(Store):
    """Everything Application Auto Scaling holds for one (account, region)."""

    def __init__(self, account: str, region: str) -> None:
        super().__init__(account, region)
        self.targets: dict = {}          # (namespace, resource id, dimension) -> targets.ScalableTarget
        self.activities: dict = {}       # (namespace, resource id, dimension) -> [activities.Activity], newest first
        self.metrics: dict = {}          # (cluster, service, metric name) -> (value, when set) (emulator.metrics)
        self.alarms: dict = {}           # alarm name -> scaling.Alarm (target tracking's and the tests' own)
        self.evaluation = None           # the timeline's Timer of the next one-minute evaluation, if any
        self.last_evaluation = 0.0       # the minute last evaluated
        self.resting = True              # no policy triggered then acted or was held back
        self.changed_at = None           # when a target, its bounds or its policies last changed


def validation_error(operation: str, violation: Violation, params: dict) -> ServiceError:
    # The JSON front end rejects a member of the wrong JSON type before the service sees it.
    if violation.kind == "type":
        return SerializationException(violation.message)
    return errors.ValidationException(violation.message)


autoscaling = Service(NAME, AutoscalingStore, validation_error, errors.InternalServiceException,
                      handlers_package="emulator.autoscaling", catch_up=catch_up)
