"""Scaling policies: PutScalingPolicy, DeleteScalingPolicy, DescribeScalingPolicies.

TargetTrackingScaling (a predefined ECS metric -- ECSServiceAverageCPUUtilization,
ECSServiceAverageMemoryUtilization, ALBRequestCountPerTarget -- or a customized one, read by its MetricName)
and StepScaling; what they do when their alarms fire is in :mod:`emulator.autoscaling.scaling`. A policy
type of PredictiveScaling is refused: no forecast is modelled here.
"""
from __future__ import annotations

import dataclasses
import itertools
import math

from emulator.autoscaling import scaling
from emulator.autoscaling.common import (DEFAULT_COOLDOWN, MAX_POLICIES, MAX_STEP_ADJUSTMENTS, limit_exceeded, listed,
                                         registered_target)
from emulator.autoscaling.errors import LimitExceededException, ObjectNotFoundException, ValidationException
from emulator.autoscaling.service import autoscaling
from emulator.core import ids

TRACKING = "TargetTrackingScaling"
STEP = "StepScaling"
# predefined metric type -> the CloudWatch metric (AWS/ECS, by ClusterName and ServiceName) behind it
PREDEFINED_METRICS = {
    "ECSServiceAverageCPUUtilization": "CPUUtilization",
    "ECSServiceAverageMemoryUtilization": "MemoryUtilization",
    "ALBRequestCountPerTarget": "RequestCountPerTarget",
}
PREDICTIVE_NOT_EMULATED = ("PredictiveScaling policies are not supported by this emulator: use "
                           "TargetTrackingScaling or StepScaling.")
TRACKING_CONFIG_REQUIRED = "TargetTrackingScalingPolicyConfiguration is required for TargetTrackingScaling policies"
STEP_CONFIG_REQUIRED = "StepScalingPolicyConfiguration is required for StepScaling policies"
ONE_METRIC = "Exactly one of PredefinedMetricSpecification or CustomizedMetricSpecification must be specified"
METRIC_NAME_REQUIRED = "CustomizedMetricSpecification must specify a MetricName"
RESOURCE_LABEL_REQUIRED = "ResourceLabel is required for the ALBRequestCountPerTarget predefined metric type"
TARGET_VALUE_POSITIVE = "TargetValue must be greater than 0"
ADJUSTMENT_TYPE_REQUIRED = "AdjustmentType is required for StepScaling policies"
STEPS_REQUIRED = "StepAdjustments must contain at least one step adjustment"
STEP_BOUNDS = "A step adjustment's lower bound must be less than its upper bound"
STEPS_OVERLAP = "Step adjustments must not overlap"
STEPS_GAP = "Step adjustments must be contiguous: there is a gap between step adjustments"
STEPS_UNBOUNDED = "Only one step adjustment may have a null lower bound and only one a null upper bound"
MIN_MAGNITUDE_PERCENT = "MinAdjustmentMagnitude is only supported with the PercentChangeInCapacity adjustment type"
MAX_RESULTS = 10
_order = itertools.count()


def unsupported_metric(metric_type: str) -> str:
    return f"Unsupported predefined metric type {metric_type} for service namespace ecs"


def no_policy(resource_id: str, dimension: str, name: str) -> str:
    return (f"No scaling policy found for service namespace: ecs, resource ID: {resource_id}, scalable dimension: "
            f"{dimension}, policy name: {name}")


def percent_change(capacity: int, percent: int, min_magnitude: int | None) -> int:
    """The change a PercentChangeInCapacity adjustment makes: fractions round towards zero, but never to 0."""
    change = capacity * percent / 100
    if 0 < change < 1:
        change = 1
    elif -1 < change < 0:
        change = -1
    change = int(change)            # towards zero
    if min_magnitude and abs(change) < min_magnitude:
        change = int(math.copysign(min_magnitude, change))
    return change


@dataclasses.dataclass
class ScalingPolicy:
    name: str
    arn: str
    resource_id: str
    policy_type: str
    configuration: dict              # as described: the request's, with the defaults filled in
    created_at: float
    alarm_names: list = dataclasses.field(default_factory=list)   # the alarms target tracking made
    order: int = dataclasses.field(default_factory=lambda: next(_order))

    # -- what the loop asks -------------------------------------------------------------------------------
    def propose(self, alarm, value: float | None, current: int, target, at: float):
        """The capacity this policy asks for when ``alarm`` is in ALARM, or None."""
        if value is None:
            return None
        if self.policy_type == TRACKING:
            return self._track(alarm, value, current, target, at)
        return self._step(alarm, value, current, target, at)

    def _bounded(self, capacity: int, target) -> int:
        return min(max(capacity, target.min_capacity), target.max_capacity)

    def _track(self, alarm, value: float, current: int, target, at: float):
        config = self.configuration
        cooldown = target.cooldown
        if alarm.name == self.alarm_names[0]:          # AlarmHigh
            base = cooldown.out_base if cooldown.scaling_out(at) else current
            wanted = self._bounded(math.ceil(max(base, 1) * value / config["TargetValue"]), target)
            if wanted <= current:
                return None
            return scaling.Proposal(wanted, True, alarm, self, config["ScaleOutCooldown"], True)
        if cooldown.scaling_in(at):
            return None
        wanted = self._bounded(math.ceil(current * value / config["TargetValue"]), target)
        if wanted >= current:
            return None
        return scaling.Proposal(wanted, False, alarm, self, config["ScaleInCooldown"], True)

    def _step(self, alarm, value: float, current: int, target, at: float):
        config = self.configuration
        difference = value - alarm.threshold
        step = next((s for s in config["StepAdjustments"]
                     if s.get("MetricIntervalLowerBound", -math.inf) <= difference
                     < s.get("MetricIntervalUpperBound", math.inf)), None)
        if step is None:
            return None
        adjustment = step["ScalingAdjustment"]
        kind = config["AdjustmentType"]
        cooldown = target.cooldown
        scaling_out = adjustment > 0 if kind != "ExactCapacity" else adjustment > current
        base = cooldown.out_base if scaling_out and cooldown.scaling_out(at) else current
        if kind == "ExactCapacity":
            wanted = adjustment
        elif kind == "ChangeInCapacity":
            wanted = base + adjustment
        else:
            wanted = base + percent_change(base, adjustment, config.get("MinAdjustmentMagnitude"))
        wanted = self._bounded(wanted, target)
        if wanted == current or (wanted > current) != scaling_out:
            return None
        if not scaling_out and cooldown.scaling_in(at):
            return None
        return scaling.Proposal(wanted, scaling_out, alarm, self, config["Cooldown"], False)

    # -- DescribeScalingPolicies ----------------------------------------------------------------------------
    def describe(self, store) -> dict:
        key = ("TargetTrackingScalingPolicyConfiguration" if self.policy_type == TRACKING
               else "StepScalingPolicyConfiguration")
        if self.policy_type == TRACKING:
            alarms = [store.alarms[name].describe() for name in self.alarm_names if name in store.alarms]
        else:
            alarms = [a.describe() for a in store.alarms.values() if self.arn in a.policy_arns]
        return {"PolicyARN": self.arn, "PolicyName": self.name, "ServiceNamespace": "ecs",
                "ResourceId": self.resource_id, "ScalableDimension": "ecs:service:DesiredCount",
                "PolicyType": self.policy_type, key: self.configuration, "Alarms": alarms,
                "CreationTime": self.created_at}


# -- checking a configuration ------------------------------------------------------------------------------

def metric_name(config: dict) -> str:
    """The CloudWatch metric name a target tracking configuration follows."""
    predefined = config.get("PredefinedMetricSpecification")
    if predefined is not None:
        return PREDEFINED_METRICS[predefined["PredefinedMetricType"]]
    return config["CustomizedMetricSpecification"]["MetricName"]


def _tracking_configuration(params: dict) -> dict:
    config = params.get("TargetTrackingScalingPolicyConfiguration")
    if config is None:
        raise ValidationException(TRACKING_CONFIG_REQUIRED)
    predefined, customized = config.get("PredefinedMetricSpecification"), config.get("CustomizedMetricSpecification")
    if (predefined is None) == (customized is None):
        raise ValidationException(ONE_METRIC)
    if predefined is not None:
        metric_type = predefined["PredefinedMetricType"]
        if metric_type not in PREDEFINED_METRICS:
            raise ValidationException(unsupported_metric(metric_type))
        if metric_type == "ALBRequestCountPerTarget" and not predefined.get("ResourceLabel"):
            raise ValidationException(RESOURCE_LABEL_REQUIRED)
    elif not customized.get("MetricName"):
        raise ValidationException(METRIC_NAME_REQUIRED)
    if config["TargetValue"] <= 0:
        raise ValidationException(TARGET_VALUE_POSITIVE)
    return {**config, "ScaleOutCooldown": config.get("ScaleOutCooldown", DEFAULT_COOLDOWN),
            "ScaleInCooldown": config.get("ScaleInCooldown", DEFAULT_COOLDOWN),
            "DisableScaleIn": config.get("DisableScaleIn", False)}


def _step_configuration(params: dict) -> dict:
    config = params.get("StepScalingPolicyConfiguration")
    if config is None:
        raise ValidationException(STEP_CONFIG_REQUIRED)
    if "AdjustmentType" not in config:
        raise ValidationException(ADJUSTMENT_TYPE_REQUIRED)
    steps = config.get("StepAdjustments") or []
    if not steps:
        raise ValidationException(STEPS_REQUIRED)
    if len(steps) > MAX_STEP_ADJUSTMENTS:
        raise LimitExceededException(limit_exceeded("step adjustments per step scaling policy", MAX_STEP_ADJUSTMENTS))
    if config.get("MinAdjustmentMagnitude") is not None and config["AdjustmentType"] != "PercentChangeInCapacity":
        raise ValidationException(MIN_MAGNITUDE_PERCENT)
    bounds = [(s.get("MetricIntervalLowerBound", -math.inf), s.get("MetricIntervalUpperBound", math.inf))
              for s in steps]
    if any(lower >= upper for lower, upper in bounds):
        raise ValidationException(STEP_BOUNDS)
    if sum(lower == -math.inf for lower, _ in bounds) > 1 or sum(upper == math.inf for _, upper in bounds) > 1:
        raise ValidationException(STEPS_UNBOUNDED)
    ordered = sorted(bounds)
    for (_, upper), (lower, _) in zip(ordered, ordered[1:]):
        if lower < upper:
            raise ValidationException(STEPS_OVERLAP)
        if lower > upper:
            raise ValidationException(STEPS_GAP)
    return {**config, "StepAdjustments": [dict(s) for s in steps],
            "Cooldown": config.get("Cooldown", DEFAULT_COOLDOWN),
            "MetricAggregationType": config.get("MetricAggregationType", "Average")}


def _tracking_alarms(ctx, policy: ScalingPolicy, cluster: str, service: str) -> list:
    config = policy.configuration
    metric = (cluster, service, metric_name(config))
    made = [("AlarmHigh", "GreaterThanThreshold", config["TargetValue"], scaling.HIGH_PERIODS)]
    if not config["DisableScaleIn"]:
        made.append(("AlarmLow", "LessThanThreshold", config["TargetValue"] * scaling.LOW_RATIO, scaling.LOW_PERIODS))
    alarms = []
    for suffix, comparison, threshold, periods in made:
        name = f"TargetTracking-{policy.resource_id}-{suffix}-{ids.uuid4()}"
        alarms.append(scaling.Alarm(name=name, arn=scaling.alarm_arn(ctx.region, ctx.account, name), metric=metric,
                                    comparison=comparison, threshold=threshold, periods=periods, datapoints=periods,
                                    policy_arns=[policy.arn], created_at=ctx.now, managed=True))
    return alarms


@autoscaling.operation("PutScalingPolicy")
def put_scaling_policy(ctx, params: dict) -> dict:
    target = registered_target(ctx, params)
    policy_type = params.get("PolicyType", STEP)
    if policy_type not in (TRACKING, STEP):
        raise ValidationException(PREDICTIVE_NOT_EMULATED)
    configuration = _tracking_configuration(params) if policy_type == TRACKING else _step_configuration(params)
    name = params["PolicyName"]
    existing = target.policies.get(name)
    if existing is None and len(target.policies) >= MAX_POLICIES:
        raise LimitExceededException(limit_exceeded("scaling policies per scalable target", MAX_POLICIES))
    if existing is not None:
        scaling.forget_policy(ctx.store, target, existing)
        arn = existing.arn
    else:
        arn = ctx.arn(f"scalingPolicy:{ids.uuid4()}:resource/ecs/{target.resource_id}:policyName/{name}",
                      "autoscaling")
    policy = ScalingPolicy(name=name, arn=arn, resource_id=target.resource_id, policy_type=policy_type,
                           configuration=configuration,
                           created_at=existing.created_at if existing is not None else ctx.now)
    target.policies[name] = policy
    out = {"PolicyARN": arn}
    if policy_type == TRACKING:
        alarms = _tracking_alarms(ctx, policy, *target.ecs_service)
        for alarm in alarms:
            ctx.store.alarms[alarm.name] = alarm
        policy.alarm_names = [alarm.name for alarm in alarms]
        out["Alarms"] = [alarm.describe() for alarm in alarms]
    scaling.note_change(ctx.engine, ctx.store, ctx.now)
    return out


@autoscaling.operation("DeleteScalingPolicy")
def delete_scaling_policy(ctx, params: dict) -> dict:
    target = registered_target(ctx, params)
    policy = target.policies.get(params["PolicyName"])
    if policy is None:
        raise ObjectNotFoundException(no_policy(target.resource_id, params["ScalableDimension"], params["PolicyName"]))
    scaling.forget_policy(ctx.store, target, policy)
    scaling.note_change(ctx.engine, ctx.store, ctx.now)       # the others may now agree to scale in
    return {}


@autoscaling.operation("DescribeScalingPolicies")
def describe_scaling_policies(ctx, params: dict) -> dict:
    found, token = listed(ctx, params, lambda target: target.policies.values(), "PolicyNames", MAX_RESULTS,
                          "policies")
    return {"ScalingPolicies": [policy.describe(ctx.store) for policy in found], "NextToken": token}
