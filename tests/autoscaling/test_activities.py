"""DescribeScalingActivities (newest first, filtered, paged) and the namespace rule of every operation."""
import pytest

from emulator.autoscaling import common
from emulator.metrics import set_metric
from tests.autoscaling.support import CPU, RESOURCE, TARGET, error_of, register, track_cpu, web_service

OTHER = {"ServiceNamespace": "dynamodb", "ResourceId": "table/t", "ScalableDimension": "dynamodb:table:ReadCapacityUnits"}


@pytest.fixture
def scaled(ecs, aas, mock):
    """web scaled out three times (2 -> 4 -> 8 -> 10) and service api registered at 3."""
    web_service(ecs, desired=2)
    register(aas, 1, 10)
    track_cpu(aas, ScaleOutCooldown=0)
    web_service(ecs, desired=1, name="api")
    aas.register_scalable_target(ServiceNamespace="ecs", ResourceId="service/c/api",
                                 ScalableDimension="ecs:service:DesiredCount", MinCapacity=3, MaxCapacity=3)
    set_metric(mock, "c", "web", CPU, 90.0)
    mock.clock.advance(300)


def test_activities_are_newest_first_and_filtered_by_resource(scaled, aas):
    every = aas.describe_scaling_activities(ServiceNamespace="ecs")["ScalingActivities"]
    assert [(a["ResourceId"], a["Description"]) for a in every] == [
        (RESOURCE, "Setting desired count to 10."), (RESOURCE, "Setting desired count to 8."),
        (RESOURCE, "Setting desired count to 4."), ("service/c/api", "Setting desired count to 3.")]
    api = aas.describe_scaling_activities(ServiceNamespace="ecs", ResourceId="service/c/api",
                                          IncludeNotScaledActivities=True)["ScalingActivities"]
    assert [a["Cause"] for a in api] == ["minimum capacity was set to 3"]


def test_activities_page_with_the_paginator(scaled, aas):
    first = aas.describe_scaling_activities(ServiceNamespace="ecs", MaxResults=3)
    assert len(first["ScalingActivities"]) == 3 and first["NextToken"]
    pages = aas.get_paginator("describe_scaling_activities").paginate(ServiceNamespace="ecs",
                                                                       PaginationConfig={"PageSize": 1})
    assert [a["Description"] for page in pages for a in page["ScalingActivities"]] == [
        "Setting desired count to 10.", "Setting desired count to 8.", "Setting desired count to 4.",
        "Setting desired count to 3."]


def test_activities_outlive_the_deregistered_target(scaled, aas):
    aas.deregister_scalable_target(**TARGET)
    assert len(aas.describe_scaling_activities(ServiceNamespace="ecs", ResourceId=RESOURCE)["ScalingActivities"]) == 3


@pytest.mark.parametrize("operation, extra", [
    ("register_scalable_target", {"MinCapacity": 1, "MaxCapacity": 2}),
    ("deregister_scalable_target", {}),
    ("put_scaling_policy", {"PolicyName": "p"}),
    ("delete_scaling_policy", {"PolicyName": "p"}),
    ("put_scheduled_action", {"ScheduledActionName": "a", "Schedule": "rate(1 day)"}),
    ("delete_scheduled_action", {"ScheduledActionName": "a"}),
])
def test_every_operation_on_another_namespace_says_only_ecs_is_emulated(aas, operation, extra):
    assert error_of(getattr(aas, operation), **OTHER, **extra) == ("ValidationException",
                                                                   common.not_emulated("dynamodb"))


@pytest.mark.parametrize("operation", ["describe_scalable_targets", "describe_scaling_policies",
                                       "describe_scaling_activities", "describe_scheduled_actions"])
def test_every_listing_of_another_namespace_says_only_ecs_is_emulated(aas, operation):
    assert error_of(getattr(aas, operation), ServiceNamespace="elasticache") == (
        "ValidationException", common.not_emulated("elasticache"))
