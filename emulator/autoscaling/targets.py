"""Scalable targets: RegisterScalableTarget, DeregisterScalableTarget, DescribeScalableTargets.

A target is an ECS service's desired count (``service/<cluster>/<service>``) kept between MinCapacity and
MaxCapacity. Registering or updating one moves the service's desired count into that range (through
UpdateService's own path, so the scheduler starts or stops tasks). Deregistering deletes its scaling policies
and scheduled actions. A target outlives its ECS service: it is still described after the service is deleted
(and scales nothing while the service is gone).
"""
from __future__ import annotations

import dataclasses
import itertools

from emulator.autoscaling import scaling
from emulator.autoscaling.common import (DIMENSION, MAX_TARGETS, NAMESPACE, check_dimension, check_namespace,
                                         ecs_service_of, limit_exceeded, page, registered_target, target_key)
from emulator.autoscaling.errors import LimitExceededException, ValidationException
from emulator.autoscaling.service import autoscaling
from emulator.autoscaling.tags import check_tags
from emulator.core import ids

NEW_TARGET_NEEDS_CAPACITY = "MinCapacity and MaxCapacity are required when registering a new scalable target"
MIN_ABOVE_MAX = "Minimum capacity cannot be greater than maximum capacity"
NEGATIVE_CAPACITY = "Minimum and maximum capacity must be greater than or equal to 0"
SERVICE_ROLE = ("role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
                "AWSServiceRoleForApplicationAutoScaling_ECSService")
SUSPENSIONS = ("DynamicScalingInSuspended", "DynamicScalingOutSuspended", "ScheduledScalingSuspended")
MAX_RESULTS = 50
_order = itertools.count()


def service_missing(resource_id: str) -> str:
    return f"ECS service doesn't exist: {resource_id}"


@dataclasses.dataclass
class ScalableTarget:
    resource_id: str
    arn: str
    min_capacity: int
    max_capacity: int
    role_arn: str
    created_at: float
    suspended: dict = dataclasses.field(default_factory=lambda: dict.fromkeys(SUSPENSIONS, False))
    tags: dict = dataclasses.field(default_factory=dict)
    policies: dict = dataclasses.field(default_factory=dict)            # name -> policies.ScalingPolicy
    scheduled_actions: dict = dataclasses.field(default_factory=dict)   # name -> scheduled_actions.ScheduledAction
    cooldown: scaling.Cooldowns = dataclasses.field(default_factory=scaling.Cooldowns)
    seen_capacity: int | None = None     # the service's desired count when its policies last acted or looked
    order: int = dataclasses.field(default_factory=lambda: next(_order))

    namespace = NAMESPACE
    dimension = DIMENSION

    @property
    def key(self) -> tuple[str, str, str]:
        return NAMESPACE, self.resource_id, DIMENSION

    @property
    def ecs_service(self) -> tuple[str, str]:
        return ecs_service_of(self.resource_id)

    def identity(self) -> dict:
        return {"ServiceNamespace": NAMESPACE, "ResourceId": self.resource_id, "ScalableDimension": DIMENSION}

    def describe(self) -> dict:
        return {**self.identity(), "MinCapacity": self.min_capacity, "MaxCapacity": self.max_capacity,
                "RoleARN": self.role_arn, "CreationTime": self.created_at, "SuspendedState": dict(self.suspended),
                "ScalableTargetARN": self.arn}


def _check_capacities(minimum, maximum) -> None:
    if minimum < 0 or maximum < 0:
        raise ValidationException(NEGATIVE_CAPACITY)
    if minimum > maximum:
        raise ValidationException(MIN_ABOVE_MAX)


@autoscaling.operation("RegisterScalableTarget")
def register_scalable_target(ctx, params: dict) -> dict:
    key = target_key(params)
    resource_id = key[1]
    target = ctx.store.targets.get(key)
    if target is None and ("MinCapacity" not in params or "MaxCapacity" not in params):
        raise ValidationException(NEW_TARGET_NEEDS_CAPACITY)
    minimum = params.get("MinCapacity", target.min_capacity if target else 0)
    maximum = params.get("MaxCapacity", target.max_capacity if target else 0)
    _check_capacities(minimum, maximum)
    tags = check_tags(params.get("Tags") or {}, {})     # given when the target is created
    cluster, service = ecs_service_of(resource_id)
    if scaling.desired_count(ctx.engine, ctx.account, ctx.region, cluster, service, ctx.now) is None:
        raise ValidationException(service_missing(resource_id))
    if target is None:
        if len(ctx.store.targets) >= MAX_TARGETS:
            raise LimitExceededException(limit_exceeded("scalable targets for ecs", MAX_TARGETS))
        target = ScalableTarget(
            resource_id=resource_id, arn=ctx.arn(f"scalable-target/0{ids.hex_id(27)}"),
            min_capacity=minimum, max_capacity=maximum, created_at=ctx.now, tags=tags,
            role_arn=params.get("RoleARN") or f"arn:{ctx.partition}:iam::{ctx.account}:{SERVICE_ROLE}")
        ctx.store.targets[key] = target
    else:
        target.min_capacity, target.max_capacity = minimum, maximum
        if params.get("RoleARN"):
            target.role_arn = params["RoleARN"]
    for name in SUSPENSIONS:
        if name in (params.get("SuspendedState") or {}):
            target.suspended[name] = params["SuspendedState"][name]
    scaling.bring_into_range(ctx.engine, ctx.store, target, ctx.now)
    scaling.note_change(ctx.engine, ctx.store, ctx.now)
    return {"ScalableTargetARN": target.arn}


@autoscaling.operation("DeregisterScalableTarget")
def deregister_scalable_target(ctx, params: dict) -> dict:
    target = registered_target(ctx, params)
    for policy in list(target.policies.values()):
        scaling.forget_policy(ctx.store, target, policy)
    for action in target.scheduled_actions.values():
        action.cancel()
    del ctx.store.targets[target.key]
    return {}


@autoscaling.operation("DescribeScalableTargets")
def describe_scalable_targets(ctx, params: dict) -> dict:
    check_namespace(params)
    check_dimension(params.get("ScalableDimension"))
    wanted = set(params.get("ResourceIds") or [])
    targets = sorted((t for t in ctx.store.targets.values() if not wanted or t.resource_id in wanted),
                     key=lambda t: t.order)
    by_order = {t.order: t for t in targets}
    keys, token = page(params, list(by_order), MAX_RESULTS, scope=f"targets|{sorted(wanted)}")
    return {"ScalableTargets": [by_order[k].describe() for k in keys], "NextToken": token}
