"""Scheduled actions: at(), rate() and cron() schedules with a time zone, changing min and max capacity on the
clock, and their rules."""
import datetime as dt
import re

import pytest

from emulator.autoscaling import common, scheduled_actions as sa
from tests.autoscaling.support import RESOURCE, START, TARGET, activities, desired, error_of, register, web_service

START_UTC = dt.datetime.fromtimestamp(START, dt.timezone.utc)      # 2027-01-15T08:00:00Z, a Friday
ACTION_ARN = re.compile(r"^arn:aws:autoscaling:us-east-1:123456789012:scheduledAction:[0-9a-f-]{36}:resource/ecs/"
                        r"service/c/web:scheduledActionName/night$")


@pytest.fixture
def web(ecs, aas):
    web_service(ecs, desired=4)
    register(aas, 2, 10)


def schedule(aas, expression: str, name: str = "night", **params):
    params.setdefault("ScalableTargetAction", {"MinCapacity": 0, "MaxCapacity": 1})
    return aas.put_scheduled_action(**TARGET, ScheduledActionName=name, Schedule=expression, **params)


def capacities(aas) -> tuple[int, int]:
    target, = aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    return target["MinCapacity"], target["MaxCapacity"]


def test_an_at_schedule_sets_min_and_max_and_the_desired_count_follows(web, mock, ecs, aas):
    schedule(aas, "at(2027-01-15T08:30:00)")
    mock.clock.advance(1799)
    assert (capacities(aas), desired(ecs)) == ((2, 10), 4)
    mock.clock.advance(1)
    assert (capacities(aas), desired(ecs)) == ((0, 1), 1)
    assert [(a["Description"], a["Cause"], a["StatusMessage"], a["StartTime"].timestamp() - START)
            for a in activities(aas)] == [
        ("Setting min capacity to 0 and max capacity to 1", "scheduled action name night was triggered",
         "Successfully set min capacity to 0 and max capacity to 1", 1800),
        ("Setting desired count to 1.", "scheduled action name night was triggered",
         "Successfully set desired count to 1. Change successfully fulfilled by ecs.", 1800)]


def test_a_cron_schedule_runs_in_its_time_zone(web, mock, ecs, aas):
    # 08:00 UTC is 03:00 in New York; the action runs at 04:30 there, 09:30 UTC
    schedule(aas, "cron(30 4 * * ? *)", Timezone="America/New_York",
             ScalableTargetAction={"MinCapacity": 6, "MaxCapacity": 12})
    mock.clock.advance(90 * 60 - 1)
    assert desired(ecs) == 4
    mock.clock.advance(1)
    assert (capacities(aas), desired(ecs)) == ((6, 12), 6)
    action, = aas.describe_scheduled_actions(ServiceNamespace="ecs")["ScheduledActions"]
    assert action["Timezone"] == "America/New_York"


def test_a_cron_schedule_with_weekdays_skips_the_weekend(web, mock, aas):
    schedule(aas, "cron(0 9 ? * MON-FRI *)", ScalableTargetAction={"MaxCapacity": 8})
    mock.clock.advance(3600)                                   # Friday 09:00
    assert capacities(aas) == (2, 8)
    aas.register_scalable_target(**TARGET, MaxCapacity=10)
    mock.clock.advance(2 * 86400)                               # Sunday 09:00: no run
    assert capacities(aas) == (2, 10)
    mock.clock.advance(86400)                                   # Monday 09:00
    assert capacities(aas) == (2, 8)


def test_a_rate_schedule_runs_every_interval_from_its_start_time(web, mock, aas):
    schedule(aas, "rate(2 hours)", StartTime=START_UTC + dt.timedelta(hours=1),
             ScalableTargetAction={"MinCapacity": 3})
    mock.clock.advance(3600)
    assert capacities(aas) == (3, 10)
    aas.register_scalable_target(**TARGET, MinCapacity=2)
    mock.clock.advance(3600)
    assert capacities(aas) == (2, 10)
    mock.clock.advance(3600)
    assert capacities(aas) == (3, 10)


def test_a_schedule_stops_at_its_end_time(web, mock, aas):
    schedule(aas, "rate(1 hour)", EndTime=START_UTC + dt.timedelta(minutes=90), ScalableTargetAction={"MinCapacity": 3})
    mock.clock.advance(3600)
    assert capacities(aas) == (3, 10)
    aas.register_scalable_target(**TARGET, MinCapacity=2)
    mock.clock.advance(86400)
    assert capacities(aas) == (2, 10)


def test_suspended_scheduled_scaling_skips_the_run(web, mock, aas):
    aas.register_scalable_target(**TARGET, SuspendedState={"ScheduledScalingSuspended": True})
    schedule(aas, "at(2027-01-15T08:30:00)")
    mock.clock.advance(3600)
    assert capacities(aas) == (2, 10)


def test_a_scheduled_action_is_described_and_deleted(web, mock, aas):
    schedule(aas, "cron(0 22 * * ? *)", StartTime=START_UTC, EndTime=START_UTC + dt.timedelta(days=30))
    action, = aas.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=RESOURCE)["ScheduledActions"]
    assert ACTION_ARN.match(action["ScheduledActionARN"])
    assert action["Schedule"] == "cron(0 22 * * ? *)"
    assert action["ScalableTargetAction"] == {"MinCapacity": 0, "MaxCapacity": 1}
    assert (action["StartTime"].timestamp(), action["CreationTime"].timestamp()) == (START, START)
    aas.delete_scheduled_action(**TARGET, ScheduledActionName="night")
    assert aas.describe_scheduled_actions(ServiceNamespace="ecs")["ScheduledActions"] == []
    mock.clock.advance(86400)
    assert capacities(aas) == (2, 10)
    assert error_of(aas.delete_scheduled_action, **TARGET, ScheduledActionName="night") == (
        "ObjectNotFoundException", sa.no_action(RESOURCE, "ecs:service:DesiredCount", "night"))


def test_putting_an_action_again_changes_what_it_names(web, mock, aas):
    schedule(aas, "at(2027-01-15T08:30:00)")
    aas.put_scheduled_action(**TARGET, ScheduledActionName="night", Schedule="at(2027-01-15T09:00:00)")
    mock.clock.advance(1800)
    assert capacities(aas) == (2, 10)
    mock.clock.advance(1800)
    assert capacities(aas) == (0, 1)


def test_describe_scheduled_actions_pages_with_the_paginator(web, aas):
    for i in range(3):
        schedule(aas, "cron(0 22 * * ? *)", name=f"a{i}")
    pages = aas.get_paginator("describe_scheduled_actions").paginate(ServiceNamespace="ecs",
                                                                      PaginationConfig={"PageSize": 2})
    assert [a["ScheduledActionName"] for page in pages for a in page["ScheduledActions"]] == ["a0", "a1", "a2"]


@pytest.mark.parametrize("expression", [
    "daily", "at(2027-01-15 08:30:00)", "rate(0 minutes)", "rate(5 weeks)", "cron(0 22 * * *)",
    "cron(0 22 * * MON *)", "cron(0 25 * * ? *)", "cron(0 22 L * ? *)", "cron(0 22 ? * 2#1 *)"])
def test_an_invalid_schedule_is_refused(web, aas, expression):
    assert error_of(schedule, aas=aas, expression=expression) == ("ValidationException",
                                                                  sa.invalid_schedule(expression))


def test_the_rules_of_a_new_scheduled_action(web, aas):
    assert error_of(aas.put_scheduled_action, **TARGET, ScheduledActionName="n",
                    ScalableTargetAction={"MinCapacity": 1}) == ("ValidationException", sa.SCHEDULE_REQUIRED)
    assert error_of(aas.put_scheduled_action, **TARGET, ScheduledActionName="n", Schedule="rate(1 day)") == (
        "ValidationException", sa.ACTION_REQUIRED)
    assert error_of(schedule, aas=aas, expression="rate(1 day)", ScalableTargetAction={}) == (
        "ValidationException", sa.ACTION_EMPTY)
    assert error_of(schedule, aas=aas, expression="rate(1 day)",
                    ScalableTargetAction={"MinCapacity": 5, "MaxCapacity": 2}) == ("ValidationException",
                                                                                    sa.MIN_ABOVE_MAX)
    assert error_of(schedule, aas=aas, expression="rate(1 day)", Timezone="Mars/Olympus") == (
        "ValidationException", sa.invalid_timezone("Mars/Olympus"))
    assert error_of(schedule, aas=aas, expression="rate(1 day)", StartTime=START_UTC, EndTime=START_UTC) == (
        "ValidationException", sa.START_AFTER_END)


def test_a_scheduled_action_needs_a_registered_target(ecs, aas):
    web_service(ecs)
    assert error_of(schedule, aas=aas, expression="rate(1 day)")[0] == "ObjectNotFoundException"


def test_a_target_holds_at_most_two_hundred_scheduled_actions(web, aas):
    for i in range(200):
        schedule(aas, "cron(0 22 * * ? *)", name=f"a{i}")
    assert error_of(schedule, aas=aas, expression="cron(0 22 * * ? *)", name="one-more") == (
        "LimitExceededException", common.limit_exceeded("scheduled actions per scalable target", 200))
