"""Helpers the Application Auto Scaling tests share: an ECS service to scale, and its scalable target."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.ecs.service_support import describe, fargate_service, setup_web

START = 1_800_000_000          # a whole clock minute
RESOURCE = "service/c/web"
TARGET = {"ServiceNamespace": "ecs", "ResourceId": RESOURCE, "ScalableDimension": "ecs:service:DesiredCount"}
CPU = "ECSServiceAverageCPUUtilization"


def error_of(call, **kwargs) -> tuple[str, str]:
    """(code, message) of the error a call answers."""
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    error = info.value.response["Error"]
    return error["Code"], error["Message"]


def web_service(ecs, desired: int = 2, name: str = "web") -> dict:
    if not ecs.list_clusters()["clusterArns"]:
        setup_web(ecs)
    return fargate_service(ecs, name=name, desired=desired)


def register(aas, minimum: int = 1, maximum: int = 10, **extra) -> dict:
    return aas.register_scalable_target(**TARGET, MinCapacity=minimum, MaxCapacity=maximum, **extra)


def track_cpu(aas, target: float = 50.0, name: str = "cpu50", **config) -> dict:
    return aas.put_scaling_policy(
        PolicyName=name, **TARGET, PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={"TargetValue": target, "PredefinedMetricSpecification": {
            "PredefinedMetricType": CPU}, **config})


def tracked_service(ecs, aas, desired: int = 2, minimum: int = 1, maximum: int = 10, **config) -> None:
    """Service web with ``desired`` tasks, its target between ``minimum`` and ``maximum``, keeping CPU at 50%."""
    web_service(ecs, desired=desired)
    register(aas, minimum, maximum)
    track_cpu(aas, **config)


def desired(ecs, name: str = "web") -> int:
    return describe(ecs, name)["desiredCount"]


def activities(aas) -> list[dict]:
    """The scaling activities, oldest first."""
    return list(reversed(aas.describe_scaling_activities(ServiceNamespace="ecs")["ScalingActivities"]))
