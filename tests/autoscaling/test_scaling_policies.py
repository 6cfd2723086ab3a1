"""PutScalingPolicy, DeleteScalingPolicy, DescribeScalingPolicies: their rules and errors."""
import re

import pytest

from emulator.autoscaling import common, policies
from tests.autoscaling.support import CPU, RESOURCE, START, TARGET, error_of, register, track_cpu, web_service

POLICY_ARN = re.compile(r"^arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:[0-9a-f-]{36}:resource/ecs/"
                        r"service/c/web:policyName/(?P<name>[\w-]+)$")
ALARM_NAME = re.compile(r"^TargetTracking-service/c/web-Alarm(High|Low)-[0-9a-f-]{36}$")
STEPS = {"AdjustmentType": "ChangeInCapacity", "StepAdjustments": [{"MetricIntervalLowerBound": 0,
                                                                    "ScalingAdjustment": 2}]}


@pytest.fixture
def target(ecs, aas):
    web_service(ecs)
    register(aas)


def put(aas, **params):
    params.setdefault("PolicyName", "p")
    return aas.put_scaling_policy(**TARGET, **params)


def test_target_tracking_answers_its_arn_and_its_two_alarms(target, aas):
    out = track_cpu(aas)
    assert POLICY_ARN.match(out["PolicyARN"]).group("name") == "cpu50"
    high, low = out["Alarms"]
    assert ALARM_NAME.match(high["AlarmName"]) and "-AlarmHigh-" in high["AlarmName"]
    assert "-AlarmLow-" in low["AlarmName"]
    assert high["AlarmARN"] == f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{high['AlarmName']}"


def test_described_target_tracking_has_the_ecs_default_cooldowns(target, aas):
    out = track_cpu(aas)
    policy, = aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
    assert policy == {
        "PolicyARN": out["PolicyARN"], "PolicyName": "cpu50", **TARGET, "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": 50.0, "PredefinedMetricSpecification": {"PredefinedMetricType": CPU},
            "ScaleOutCooldown": 300, "ScaleInCooldown": 300, "DisableScaleIn": False},
        "Alarms": out["Alarms"], "CreationTime": policy["CreationTime"]}
    assert policy["CreationTime"].timestamp() == START


def test_disable_scale_in_makes_only_the_high_alarm(target, aas):
    alarms = track_cpu(aas, DisableScaleIn=True)["Alarms"]
    assert len(alarms) == 1 and "-AlarmHigh-" in alarms[0]["AlarmName"]


def test_putting_a_policy_again_keeps_its_arn_and_replaces_its_alarms(target, aas):
    first = track_cpu(aas)
    second = track_cpu(aas, target=70.0)
    assert second["PolicyARN"] == first["PolicyARN"]
    assert {a["AlarmName"] for a in second["Alarms"]}.isdisjoint(a["AlarmName"] for a in first["Alarms"])
    policy, = aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
    assert policy["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 70.0


def test_a_policy_needs_a_registered_target(ecs, aas):
    web_service(ecs)
    assert error_of(track_cpu, aas=aas) == (
        "ObjectNotFoundException", "No scalable target registered for service namespace: ecs, resource ID: "
                                   "service/c/web, scalable dimension: ecs:service:DesiredCount")


def test_the_policy_type_defaults_to_step_scaling_which_needs_its_configuration(target, aas):
    assert error_of(put, aas=aas) == ("ValidationException", policies.STEP_CONFIG_REQUIRED)
    assert error_of(put, aas=aas, PolicyType="TargetTrackingScaling") == (
        "ValidationException", policies.TRACKING_CONFIG_REQUIRED)


def test_predictive_scaling_is_refused_clearly(target, aas):
    assert error_of(put, aas=aas, PolicyType="PredictiveScaling") == (
        "ValidationException", policies.PREDICTIVE_NOT_EMULATED)


@pytest.mark.parametrize("config, message", [
    ({"TargetValue": 50.0}, policies.ONE_METRIC),
    ({"TargetValue": 50.0, "PredefinedMetricSpecification": {"PredefinedMetricType": CPU},
      "CustomizedMetricSpecification": {"MetricName": "x", "Namespace": "n", "Statistic": "Average"}},
     policies.ONE_METRIC),
    ({"TargetValue": 50.0, "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBReadCapacityUtilization"}},
     policies.unsupported_metric("DynamoDBReadCapacityUtilization")),
    ({"TargetValue": 50.0, "PredefinedMetricSpecification": {"PredefinedMetricType": "ALBRequestCountPerTarget"}},
     policies.RESOURCE_LABEL_REQUIRED),
    ({"TargetValue": 0.0, "PredefinedMetricSpecification": {"PredefinedMetricType": CPU}},
     policies.TARGET_VALUE_POSITIVE),
    ({"TargetValue": 5.0, "CustomizedMetricSpecification": {"Namespace": "n", "Statistic": "Average"}},
     policies.METRIC_NAME_REQUIRED),
])
def test_target_tracking_configuration_rules(target, aas, config, message):
    assert error_of(put, aas=aas, PolicyType="TargetTrackingScaling",
                    TargetTrackingScalingPolicyConfiguration=config) == ("ValidationException", message)


@pytest.mark.parametrize("config, message", [
    ({"StepAdjustments": [{"ScalingAdjustment": 1}]}, policies.ADJUSTMENT_TYPE_REQUIRED),
    ({"AdjustmentType": "ChangeInCapacity", "StepAdjustments": []}, policies.STEPS_REQUIRED),
    ({"AdjustmentType": "ChangeInCapacity", "MinAdjustmentMagnitude": 2,
      "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}]}, policies.MIN_MAGNITUDE_PERCENT),
    ({"AdjustmentType": "ChangeInCapacity", "StepAdjustments": [
        {"MetricIntervalLowerBound": 10, "MetricIntervalUpperBound": 5, "ScalingAdjustment": 1}]},
     policies.STEP_BOUNDS),
    ({"AdjustmentType": "ChangeInCapacity", "StepAdjustments": [
        {"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 10, "ScalingAdjustment": 1},
        {"MetricIntervalLowerBound": 5, "ScalingAdjustment": 2}]}, policies.STEPS_OVERLAP),
    ({"AdjustmentType": "ChangeInCapacity", "StepAdjustments": [
        {"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 10, "ScalingAdjustment": 1},
        {"MetricIntervalLowerBound": 20, "ScalingAdjustment": 2}]}, policies.STEPS_GAP),
    ({"AdjustmentType": "ChangeInCapacity", "StepAdjustments": [
        {"MetricIntervalUpperBound": 0, "ScalingAdjustment": -1},
        {"MetricIntervalUpperBound": 10, "ScalingAdjustment": 1}]}, policies.STEPS_UNBOUNDED),
])
def test_step_scaling_configuration_rules(target, aas, config, message):
    assert error_of(put, aas=aas, PolicyType="StepScaling", StepScalingPolicyConfiguration=config) == (
        "ValidationException", message)


def test_a_step_policy_is_described_with_its_default_cooldown_and_no_alarm_yet(target, aas):
    arn = put(aas, PolicyType="StepScaling", StepScalingPolicyConfiguration=STEPS)["PolicyARN"]
    policy, = aas.describe_scaling_policies(ServiceNamespace="ecs", PolicyNames=["p"])["ScalingPolicies"]
    assert (policy["PolicyARN"], policy["Alarms"]) == (arn, [])
    assert policy["StepScalingPolicyConfiguration"] == {**STEPS, "Cooldown": 300, "MetricAggregationType": "Average"}


def test_deleting_a_policy_removes_it_and_an_unknown_one_is_object_not_found(target, aas):
    track_cpu(aas)
    aas.delete_scaling_policy(PolicyName="cpu50", **TARGET)
    assert aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"] == []
    assert error_of(aas.delete_scaling_policy, PolicyName="cpu50", **TARGET) == (
        "ObjectNotFoundException", policies.no_policy(RESOURCE, "ecs:service:DesiredCount", "cpu50"))


def test_describe_policies_pages_with_the_paginator(target, aas):
    for i in range(12):
        aas.put_scaling_policy(PolicyName=f"p{i:02}", **TARGET, PolicyType="StepScaling",
                               StepScalingPolicyConfiguration=STEPS)
    first = aas.describe_scaling_policies(ServiceNamespace="ecs")
    assert len(first["ScalingPolicies"]) == 10 and first["NextToken"]
    pages = aas.get_paginator("describe_scaling_policies").paginate(ServiceNamespace="ecs")
    assert [p["PolicyName"] for page in pages for p in page["ScalingPolicies"]] == [f"p{i:02}" for i in range(12)]


def test_a_target_holds_at_most_fifty_policies(target, aas):
    for i in range(50):
        aas.put_scaling_policy(PolicyName=f"p{i}", **TARGET, PolicyType="StepScaling",
                               StepScalingPolicyConfiguration=STEPS)
    assert error_of(put, aas=aas, PolicyName="one-more", PolicyType="StepScaling",
                    StepScalingPolicyConfiguration=STEPS) == (
        "LimitExceededException", common.limit_exceeded("scaling policies per scalable target", 50))
    put(aas, PolicyName="p0", PolicyType="StepScaling", StepScalingPolicyConfiguration=STEPS)   # updating is fine


def test_a_step_policy_holds_at_most_twenty_step_adjustments(target, aas):
    steps = [{"MetricIntervalLowerBound": i, "MetricIntervalUpperBound": i + 1, "ScalingAdjustment": 1}
             for i in range(21)]
    assert error_of(put, aas=aas, PolicyType="StepScaling", StepScalingPolicyConfiguration={
        "AdjustmentType": "ChangeInCapacity", "StepAdjustments": steps}) == (
        "LimitExceededException", common.limit_exceeded("step adjustments per step scaling policy", 20))
