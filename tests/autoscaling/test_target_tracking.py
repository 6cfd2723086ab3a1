"""Target tracking on a frozen clock: when it scales out and in, by how much, within which bounds, and how
cooldowns, DisableScaleIn and suspension hold it back."""
import pytest

from emulator.metrics import set_metric
from tests.autoscaling.support import (CPU, RESOURCE, START, TARGET, activities, desired, register,
                                       tracked_service, web_service)
from tests.ecs.service_support import describe, events


@pytest.fixture
def tracked(ecs, aas):
    """web: 2 tasks, 1..10, keeping CPU at 50% with 60 s cooldowns."""
    tracked_service(ecs, aas, 2, 1, 10, ScaleOutCooldown=60, ScaleInCooldown=60)


def test_scale_out_after_three_minutes_above_target(tracked, mock, ecs):
    set_metric(mock, "c", "web", CPU, 90.0)
    mock.clock.advance(179)
    assert desired(ecs) == 2
    mock.clock.advance(1)                 # the third datapoint, at START + 180
    service = describe(ecs)
    assert service["desiredCount"] == 4   # ceil(2 * 90 / 50)
    assert service["runningCount"] == 4   # the scheduler started the tasks (instant timing)
    assert events(service)[-2].startswith("(service web) has started 2 tasks:")


def test_any_ecs_request_first_runs_the_evaluations_due_and_tasks_start_at_their_instant(tracked, mock, ecs):
    set_metric(mock, "c", "web", CPU, 90.0)
    mock.clock.advance(3600)
    arns = ecs.list_tasks(cluster="c", serviceName="web")["taskArns"]     # not a DescribeServices
    assert len(arns) == 10                # +180: 4, +240: 8, +300: 10 (max)
    created = sorted(task["createdAt"].timestamp() - START for task in ecs.describe_tasks(cluster="c", tasks=arns)["tasks"])
    assert created == [0, 0, 180, 180, 240, 240, 240, 240, 300, 300]


def test_the_scaling_activity_says_what_and_why_at_the_instant_it_was_due(tracked, mock, ecs, aas):
    high = aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"][0]["Alarms"][0]["AlarmName"]
    set_metric(mock, "c", "web", CPU, 90.0)
    mock.clock.advance(600)               # read long after it happened
    activity = activities(aas)[0]
    assert activity == {
        "ActivityId": activity["ActivityId"], **TARGET, "Description": "Setting desired count to 4.",
        "Cause": f"monitor alarm {high} in state ALARM triggered policy cpu50",
        "StartTime": activity["StartTime"], "EndTime": activity["EndTime"], "StatusCode": "Successful",
        "StatusMessage": "Successfully set desired count to 4. Change successfully fulfilled by ecs."}
    assert activity["StartTime"].timestamp() == activity["EndTime"].timestamp() == START + 180


def test_a_value_set_mid_minute_counts_for_that_minute(tracked, mock, ecs):
    mock.clock.advance(30)
    set_metric(mock, "c", "web", CPU, 90.0)   # datapoints at +60, +120, +180
    mock.clock.advance(149)
    assert desired(ecs) == 2
    mock.clock.advance(1)
    assert desired(ecs) == 4


def test_a_dip_below_target_restarts_the_count(tracked, mock, ecs):
    set_metric(mock, "c", "web", CPU, 90.0)
    mock.clock.advance(120)
    set_metric(mock, "c", "web", CPU, 40.0)   # the third datapoint is not above
    mock.clock.advance(60)
    set_metric(mock, "c", "web", CPU, 90.0)
    mock.clock.advance(120)
    assert desired(ecs) == 2
    mock.clock.advance(60)
    assert desired(ecs) == 4


def test_no_metric_means_no_scaling(tracked, mock, ecs):
    mock.clock.advance(3600)
    assert desired(ecs) == 2


def test_scale_in_after_fifteen_minutes_below_ninety_percent_of_target(tracked, mock, ecs):
    set_metric(mock, "c", "web", CPU, 10.0)
    mock.clock.advance(14 * 60)
    assert desired(ecs) == 2
    mock.clock.advance(60)
    service = describe(ecs)
    assert (service["desiredCount"], service["runningCount"]) == (1, 1)   # ceil(2 * 10 / 50)
    assert any(message.startswith("(service web) has stopped 1 running tasks:") for message in events(service))


def test_just_under_target_but_above_ninety_percent_never_scales_in(tracked, mock, ecs):
    set_metric(mock, "c", "web", CPU, 46.0)
    mock.clock.advance(3600)
    assert desired(ecs) == 2


def test_capacity_is_bounded_by_max_and_min(ecs, aas, mock):
    tracked_service(ecs, aas, 2, 2, 3, ScaleOutCooldown=0, ScaleInCooldown=0)
    set_metric(mock, "c", "web", CPU, 100.0)
    mock.clock.advance(600)
    assert desired(ecs) == 3
    set_metric(mock, "c", "web", CPU, 1.0)
    mock.clock.advance(3600)
    assert desired(ecs) == 2


def test_scale_out_cooldown_counts_the_added_capacity_so_only_a_larger_scale_out_acts(ecs, aas, mock):
    tracked_service(ecs, aas, 2, 1, 20, ScaleOutCooldown=300)
    set_metric(mock, "c", "web", CPU, 90.0)
    mock.clock.advance(180)
    assert desired(ecs) == 4              # scaled out at +180; cooldown until +480
    mock.clock.advance(180)
    assert desired(ecs) == 4              # the same metric asks for no more than the 2 already added
    set_metric(mock, "c", "web", CPU, 150.0)
    mock.clock.advance(60)
    assert desired(ecs) == 6              # +420, a larger scale-out: ceil(2 * 150 / 50), from before the cooldown
    set_metric(mock, "c", "web", CPU, 90.0)
    mock.clock.advance(240)
    assert desired(ecs) == 6              # +480 .. +660: the cooldown restarted at +420
    mock.clock.advance(60)
    assert desired(ecs) == 11             # +720, after it: ceil(6 * 90 / 50)


def test_scale_in_cooldown_blocks_the_next_scale_in(ecs, aas, mock):
    tracked_service(ecs, aas, 8, 1, 10, ScaleInCooldown=600)
    set_metric(mock, "c", "web", CPU, 25.0)
    mock.clock.advance(900)
    assert desired(ecs) == 4              # ceil(8 * 25 / 50) at +900
    mock.clock.advance(540)
    assert desired(ecs) == 4              # still cooling down (until +1500)
    mock.clock.advance(60)
    assert desired(ecs) == 2


def test_a_scale_out_ends_the_scale_in_cooldown(ecs, aas, mock):
    tracked_service(ecs, aas, 8, 1, 20, ScaleInCooldown=3600, ScaleOutCooldown=0)
    set_metric(mock, "c", "web", CPU, 25.0)
    mock.clock.advance(900)
    assert desired(ecs) == 4
    set_metric(mock, "c", "web", CPU, 60.0)
    mock.clock.advance(180)
    assert desired(ecs) == 5              # scaled out: the scale-in cooldown is over
    set_metric(mock, "c", "web", CPU, 20.0)
    mock.clock.advance(900)
    assert desired(ecs) == 2              # a scale-in only 15 minutes later


def test_disable_scale_in_keeps_the_capacity(ecs, aas, mock):
    tracked_service(ecs, aas, 4, 1, 10, DisableScaleIn=True)
    set_metric(mock, "c", "web", CPU, 5.0)
    mock.clock.advance(3600)
    assert desired(ecs) == 4


def test_suspended_dynamic_scaling_does_not_scale_out(tracked, mock, ecs, aas):
    aas.register_scalable_target(**TARGET, SuspendedState={"DynamicScalingOutSuspended": True})
    set_metric(mock, "c", "web", CPU, 90.0)
    mock.clock.advance(600)
    assert desired(ecs) == 2
    aas.register_scalable_target(**TARGET, SuspendedState={"DynamicScalingOutSuspended": False})
    mock.clock.advance(60)                # the alarm is still in ALARM: the next minute scales out
    assert desired(ecs) == 4


def test_with_two_policies_either_scales_out_but_both_must_agree_to_scale_in(ecs, aas, mock):
    tracked_service(ecs, aas, 4, 1, 10)
    aas.put_scaling_policy(PolicyName="mem50", **TARGET, PolicyType="TargetTrackingScaling",
                           TargetTrackingScalingPolicyConfiguration={"TargetValue": 50.0, "PredefinedMetricSpecification": {
                               "PredefinedMetricType": "ECSServiceAverageMemoryUtilization"}})
    set_metric(mock, "c", "web", CPU, 10.0)
    set_metric(mock, "c", "web", "MemoryUtilization", 48.0)      # the CloudWatch name of the same metric
    mock.clock.advance(3600)
    assert desired(ecs) == 4
    set_metric(mock, "c", "web", "MemoryUtilization", 20.0)
    mock.clock.advance(900)
    assert desired(ecs) == 2              # both ready: the larger of ceil(4*10/50)=1 and ceil(4*20/50)=2


def test_a_customized_metric_is_read_by_its_metric_name(ecs, aas, mock):
    web_service(ecs, desired=2)
    register(aas, 1, 10)
    aas.put_scaling_policy(PolicyName="queue", **TARGET, PolicyType="TargetTrackingScaling",
                           TargetTrackingScalingPolicyConfiguration={"TargetValue": 100.0, "CustomizedMetricSpecification": {
                               "MetricName": "BacklogPerTask", "Namespace": "App", "Statistic": "Average"}})
    set_metric(mock, "c", "web", "BacklogPerTask", 300.0)
    mock.clock.advance(180)
    assert desired(ecs) == 6


def test_a_long_advance_runs_each_evaluation_at_its_own_minute(tracked, mock, ecs, aas):
    set_metric(mock, "c", "web", CPU, 90.0)
    mock.clock.advance(6 * 60 + 1)        # +180: 2 -> 4, cooldown 60 s, +240: 4 -> 8, +300: 8 -> 10 (max)
    assert desired(ecs) == 10
    assert [(a["Description"], a["StartTime"].timestamp() - START) for a in activities(aas)] == [
        ("Setting desired count to 4.", 180), ("Setting desired count to 8.", 240),
        ("Setting desired count to 10.", 300)]


def test_once_every_alarm_has_settled_nothing_is_left_on_the_clock(tracked, mock, ecs):
    set_metric(mock, "c", "web", CPU, 45.0)        # OK for both alarms after 15 minutes
    mock.clock.advance(3600)
    assert desired(ecs) == 2
    store = mock.engine.store("application-autoscaling")
    assert store.evaluation is None and store.timeline.pending() == 0


def test_a_target_whose_service_was_deleted_scales_nothing(tracked, mock, ecs, aas):
    ecs.delete_service(cluster="c", service="web", force=True)
    set_metric(mock, "c", "web", CPU, 90.0)
    mock.clock.advance(600)
    assert activities(aas) == []
    assert aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"][0]["ResourceId"] == RESOURCE


def test_no_scale_in_while_a_deployment_is_in_progress(ecs, aas, mock):
    mock.config.set_timing(**{"ecs.service.task_healthy": 1800})   # the deployment completes at +1800
    tracked_service(ecs, aas, 4, 1, 10)
    set_metric(mock, "c", "web", CPU, 10.0)
    mock.clock.advance(1799)
    assert describe(ecs)["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    assert desired(ecs) == 4
    mock.clock.advance(61)
    assert describe(ecs)["deployments"][0]["rolloutState"] == "COMPLETED"
    assert desired(ecs) == 1


def resting(mock) -> bool:
    store = mock.engine.store("application-autoscaling")
    return store.evaluation is None and store.timeline.pending() == 0


def test_at_the_minimum_with_the_low_alarm_firing_nothing_is_left_on_the_clock(tracked, mock, ecs):
    set_metric(mock, "c", "web", CPU, 10.0)
    mock.clock.advance(900)
    assert desired(ecs) == 1
    mock.clock.advance(60)                # the alarm fires on, but the policy rests at the minimum
    assert resting(mock)


def test_a_desired_count_changed_by_hand_is_tracked_again_from_the_next_minute(tracked, mock, ecs, aas):
    set_metric(mock, "c", "web", CPU, 10.0)
    mock.clock.advance(960)
    assert desired(ecs) == 1 and resting(mock)
    mock.clock.advance(30)
    ecs.update_service(cluster="c", service="web", desiredCount=5)     # at +990
    mock.clock.advance(3600)
    assert desired(ecs) == 1
    newest = activities(aas)[-1]
    assert (newest["Description"], newest["StartTime"].timestamp() - START) == ("Setting desired count to 1.", 1020)


def test_raising_the_maximum_wakes_a_policy_resting_there(ecs, aas, mock):
    tracked_service(ecs, aas, 2, 1, 3, ScaleOutCooldown=0)
    set_metric(mock, "c", "web", CPU, 100.0)
    mock.clock.advance(900)               # the low alarm has settled on OK too
    assert desired(ecs) == 3 and resting(mock)
    mock.clock.advance(30)
    aas.register_scalable_target(**TARGET, MaxCapacity=8)                # at +930
    mock.clock.advance(600)
    assert desired(ecs) == 8              # +960: 6, +1020: 8
    assert [a["StartTime"].timestamp() - START for a in activities(aas)][-2:] == [960, 1020]


def test_a_service_created_again_under_its_target_is_scaled_again(tracked, mock, ecs):
    set_metric(mock, "c", "web", CPU, 90.0)
    mock.clock.advance(300)
    ecs.delete_service(cluster="c", service="web", force=True)
    mock.clock.advance(3600 + 60)         # INACTIVE, then gone: the name is free
    assert resting(mock)
    web_service(ecs, desired=2)
    mock.clock.advance(60)
    assert desired(ecs) == 4
