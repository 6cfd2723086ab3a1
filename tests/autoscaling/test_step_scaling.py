"""Step scaling, driven by an alarm the test declares (emulator.metrics.put_alarm) on a metric it sets."""
import pytest

from emulator.metrics import alarms, put_alarm, set_metric
from tests.autoscaling.support import START, TARGET, activities, desired, register, web_service


def step_policy(aas, adjustment_type: str, steps: list[dict], name: str = "cpu-high", **config) -> str:
    return aas.put_scaling_policy(
        PolicyName=name, **TARGET, PolicyType="StepScaling",
        StepScalingPolicyConfiguration={"AdjustmentType": adjustment_type, "StepAdjustments": steps,
                                        **config})["PolicyARN"]


def alarm_on_cpu(mock, arn: str, threshold: float = 70.0, periods: int = 1, name: str = "web-cpu-high",
                 comparison: str = "GreaterThanOrEqualToThreshold") -> dict:
    return put_alarm(mock, name, "c", "web", "CPUUtilization", threshold=threshold, comparison=comparison,
                     evaluation_periods=periods, alarm_actions=[arn])


@pytest.fixture
def web(ecs, aas):
    web_service(ecs, desired=4)
    register(aas, 1, 20)


def test_the_step_is_chosen_by_how_far_the_metric_is_past_the_threshold(web, mock, ecs, aas):
    arn = step_policy(aas, "ChangeInCapacity", [
        {"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 15, "ScalingAdjustment": 1},
        {"MetricIntervalLowerBound": 15, "ScalingAdjustment": 3}], Cooldown=0)
    alarm_on_cpu(mock, arn)
    set_metric(mock, "c", "web", "CPUUtilization", 80.0)      # 10 past 70: the first step
    mock.clock.advance(60)
    assert desired(ecs) == 5
    set_metric(mock, "c", "web", "CPUUtilization", 90.0)      # 20 past: the second
    mock.clock.advance(60)
    assert desired(ecs) == 8
    activity = activities(aas)[-1]
    assert (activity["Description"], activity["Cause"]) == (
        "Setting desired count to 8.", "monitor alarm web-cpu-high in state ALARM triggered policy cpu-high")


def test_the_alarm_needs_its_evaluation_periods(web, mock, ecs, aas):
    arn = step_policy(aas, "ChangeInCapacity", [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 2}])
    alarm_on_cpu(mock, arn, periods=3)
    set_metric(mock, "c", "web", "CPUUtilization", 75.0)
    mock.clock.advance(120)
    assert desired(ecs) == 4
    assert next(a for a in alarms(mock) if a["alarmName"] == "web-cpu-high")["stateValue"] == "OK"
    mock.clock.advance(60)
    assert desired(ecs) == 6
    assert next(a for a in alarms(mock) if a["alarmName"] == "web-cpu-high")["stateValue"] == "ALARM"


def test_the_policy_lists_the_alarms_that_name_it(web, mock, aas):
    arn = step_policy(aas, "ChangeInCapacity", [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 2}])
    alarm_on_cpu(mock, arn)
    policy, = aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
    assert policy["Alarms"] == [{"AlarmName": "web-cpu-high",
                                 "AlarmARN": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-cpu-high"}]


def test_exact_capacity_sets_the_count(web, mock, ecs, aas):
    arn = step_policy(aas, "ExactCapacity", [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 10}])
    alarm_on_cpu(mock, arn)
    set_metric(mock, "c", "web", "CPUUtilization", 71.0)
    mock.clock.advance(60)
    assert desired(ecs) == 10


def test_percent_change_rounds_towards_zero_and_honours_min_adjustment_magnitude(web, mock, ecs, aas):
    arn = step_policy(aas, "PercentChangeInCapacity", [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 30}],
                      MinAdjustmentMagnitude=2, Cooldown=0)
    alarm_on_cpu(mock, arn)
    set_metric(mock, "c", "web", "CPUUtilization", 71.0)
    mock.clock.advance(60)
    assert desired(ecs) == 6              # 30% of 4 is 1.2 -> 1, at least 2
    mock.clock.advance(60)
    assert desired(ecs) == 8              # 30% of 6 is 1.8 -> 1, at least 2
    mock.clock.advance(60)
    assert desired(ecs) == 10             # 30% of 8 is 2.4 -> 2


def test_a_scale_in_policy_on_a_low_alarm(web, mock, ecs, aas):
    arn = step_policy(aas, "ChangeInCapacity", [{"MetricIntervalUpperBound": 0, "ScalingAdjustment": -1}],
                      name="cpu-low", Cooldown=120)
    alarm_on_cpu(mock, arn, threshold=30.0, comparison="LessThanThreshold", name="web-cpu-low")
    set_metric(mock, "c", "web", "CPUUtilization", 10.0)
    mock.clock.advance(60)
    assert desired(ecs) == 3
    mock.clock.advance(60)
    assert desired(ecs) == 3              # scale-in cooldown until +180
    mock.clock.advance(60)
    assert desired(ecs) == 2


def test_during_the_cooldown_only_a_larger_step_adds_capacity(web, mock, ecs, aas):
    arn = step_policy(aas, "ChangeInCapacity", [
        {"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 15, "ScalingAdjustment": 2},
        {"MetricIntervalLowerBound": 15, "ScalingAdjustment": 3}], Cooldown=300)
    alarm_on_cpu(mock, arn)
    set_metric(mock, "c", "web", "CPUUtilization", 80.0)
    mock.clock.advance(60)
    assert desired(ecs) == 6              # +2
    mock.clock.advance(60)
    assert desired(ecs) == 6              # the same step again adds nothing during the cooldown
    set_metric(mock, "c", "web", "CPUUtilization", 90.0)
    mock.clock.advance(60)
    assert desired(ecs) == 7              # +3 counted from before the cooldown: only 1 more


def test_an_alarm_is_declared_and_listed_over_http(emulator_server):
    import boto3
    import requests
    client = dict(region_name="us-east-1", endpoint_url=emulator_server.url, aws_access_key_id="testing",
                  aws_secret_access_key="testing")
    ecs, aas = boto3.client("ecs", **client), boto3.client("application-autoscaling", **client)
    requests.post(emulator_server.url + "/_emulator/clock", json={"freeze": True, "at": START})
    web_service(ecs, desired=2)
    register(aas, 1, 10)
    arn = step_policy(aas, "ChangeInCapacity", [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 3}])
    answer = requests.post(emulator_server.url + "/_emulator/alarms", json={
        "alarmName": "web-cpu-high", "cluster": "c", "service": "web", "metricName": "CPUUtilization",
        "threshold": 70, "comparisonOperator": "GreaterThanThreshold", "evaluationPeriods": 2,
        "alarmActions": [arn]})
    assert answer.status_code == 200 and answer.json()["stateValue"] == "INSUFFICIENT_DATA"
    requests.post(emulator_server.url + "/_emulator/metrics",
                  json={"cluster": "c", "service": "web", "metricName": "CPUUtilization", "value": 95})
    requests.post(emulator_server.url + "/_emulator/clock", json={"advance": 120})
    assert desired(ecs) == 5
    listed = requests.get(emulator_server.url + "/_emulator/alarms").json()["alarms"]
    assert [(a["alarmName"], a["stateValue"]) for a in listed] == [("web-cpu-high", "ALARM")]
    bad = requests.post(emulator_server.url + "/_emulator/alarms", json={"alarmName": "x", "cluster": "c",
                                                                          "service": "web", "metricName": "m"})
    assert bad.status_code == 400 and bad.json()["__type"] == "InvalidRequest"


@pytest.mark.parametrize("kwargs, message", [
    ({"comparison": "Above"}, "comparison must be one of"),
    ({"evaluation_periods": 0}, "evaluation_periods must be >= 1"),
    ({"evaluation_periods": 2, "datapoints_to_alarm": 3}, "datapoints_to_alarm between 1 and evaluation_periods"),
])
def test_put_alarm_refuses_a_bad_definition(mock, kwargs, message):
    with pytest.raises(ValueError, match=message):
        put_alarm(mock, "a", "c", "web", "CPUUtilization", threshold=1, **kwargs)


def test_a_resting_policy_wakes_when_its_metric_is_set_again(web, mock, ecs, aas):
    arn = step_policy(aas, "ExactCapacity", [
        {"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 20, "ScalingAdjustment": 6},
        {"MetricIntervalLowerBound": 20, "ScalingAdjustment": 12}], Cooldown=0)
    alarm_on_cpu(mock, arn)
    set_metric(mock, "c", "web", "CPUUtilization", 80.0)
    mock.clock.advance(120)
    assert desired(ecs) == 6
    store = mock.engine.store("application-autoscaling")
    assert store.evaluation is None and store.timeline.pending() == 0     # in ALARM, but at rest
    mock.clock.advance(600)
    set_metric(mock, "c", "web", "CPUUtilization", 95.0)                  # at +720, still in ALARM
    mock.clock.advance(60)
    assert desired(ecs) == 12
    assert activities(aas)[-1]["StartTime"].timestamp() - START == 780
