"""Scheduled actions: PutScheduledAction, DeleteScheduledAction, DescribeScheduledActions, and running them.

A schedule is ``at(yyyy-mm-ddThh:mm:ss)``, ``rate(<n> minute|minutes|hour|hours|day|days)`` or
``cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)`` (one of the two day fields ``?``;
``*``, ``,``, ``-``, ``/``, month and day names; day-of-week 1-7 is SUN-SAT), read in ``Timezone`` (an IANA
name, UTC by default) and only between StartTime and EndTime. A rate schedule runs at StartTime and every
interval after it, or, without a StartTime, every interval after the action was put.

When an action runs (an event on the clock, at its instant) it sets the target's MinCapacity and/or
MaxCapacity, records a scaling activity, and moves the service's desired count inside the new range if it
falls outside. ScheduledScalingSuspended skips runs (the schedule goes on).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from emulator.autoscaling import scaling
from emulator.autoscaling.activities import record
from emulator.autoscaling.common import MAX_SCHEDULED_ACTIONS, limit_exceeded, listed, registered_target
from emulator.autoscaling.errors import LimitExceededException, ObjectNotFoundException, ValidationException
from emulator.autoscaling.service import autoscaling
from emulator.core import ids

SCHEDULE_REQUIRED = "Schedule is required when creating a new scheduled action"
ACTION_REQUIRED = "ScalableTargetAction is required when creating a new scheduled action"
ACTION_EMPTY = "ScalableTargetAction must specify MinCapacity, MaxCapacity or both"
MIN_ABOVE_MAX = "Minimum capacity cannot be greater than maximum capacity"
START_AFTER_END = "StartTime must be before EndTime"
MAX_RESULTS = 50
SEARCH_DAYS = 366 * 5               # how far ahead a cron schedule's next run is looked for
_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_AT = re.compile(r"at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")
_CRON = re.compile(r"cron\(([^()]+)\)")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {name: i + 1 for i, name in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())}
_DAYS = {name: i + 1 for i, name in enumerate("SUN MON TUE WED THU FRI SAT".split())}
# cron field: (lowest, highest, names)
_FIELDS = ((0, 59, {}), (0, 23, {}), (1, 31, {}), (1, 12, _MONTHS), (1, 7, _DAYS), (1970, 2199, {}))
_order = itertools.count()


def invalid_schedule(schedule: str) -> str:
    return f"Invalid schedule expression: {schedule}"


def invalid_timezone(timezone: str) -> str:
    return f"Invalid timezone: {timezone}"


def no_action(resource_id: str, dimension: str, name: str) -> str:
    return (f"No scheduled action found for service namespace: ecs, resource ID: {resource_id}, scalable "
            f"dimension: {dimension}, scheduled action name: {name}")


def capacity_description(minimum: int, maximum: int) -> str:
    return f"Setting min capacity to {minimum} and max capacity to {maximum}"


def capacity_succeeded(minimum: int, maximum: int) -> str:
    return f"Successfully set min capacity to {minimum} and max capacity to {maximum}"


def triggered(name: str) -> str:
    return f"scheduled action name {name} was triggered"


# -- schedules ---------------------------------------------------------------------------------------------

def _cron_field(text: str, lowest: int, highest: int, names: dict) -> frozenset[int] | None:
    """The values a cron field allows; None for any (``*`` or ``?``)."""
    if text in ("*", "?"):
        return None
    values: set[int] = set()

    def number(token: str) -> int:
        value = names.get(token.upper()) if token.upper() in names else int(token)
        if not lowest <= value <= highest:
            raise ValueError(token)
        return value
    for part in text.split(","):
        body, _, step = part.partition("/")
        if body == "*":
            start, end = lowest, highest
        elif "-" in body:
            first, _, last = body.partition("-")
            start, end = number(first), number(last)
        else:
            start = number(body)
            end = highest if step else start
        if start > end:
            raise ValueError(part)
        values.update(range(start, end + 1, int(step) if step else 1))
    return frozenset(values)


@dataclasses.dataclass(frozen=True)
class Schedule:
    kind: str                        # at, rate, cron
    instant: dt.datetime | None = None
    seconds: int = 0
    fields: tuple = ()

    @classmethod
    def parse(cls, text: str) -> "Schedule":
        try:
            if (match := _AT.fullmatch(text)) is not None:
                return cls("at", instant=dt.datetime.fromisoformat(match.group(1)))
            if (match := _RATE.fullmatch(text)) is not None:
                value = int(match.group(1))
                if value < 1:
                    raise ValueError(text)
                return cls("rate", seconds=value * _UNIT_SECONDS[match.group(2).rstrip("s")])
            if (match := _CRON.fullmatch(text)) is not None:
                parts = match.group(1).split()
                if len(parts) != 6 or (parts[2] == "?") == (parts[4] == "?"):
                    raise ValueError(text)
                return cls("cron", fields=tuple(_cron_field(p, *f) for p, f in zip(parts, _FIELDS)))
        except ValueError:
            pass
        raise ValidationException(invalid_schedule(text))

    def next_after(self, after: float, zone: dt.tzinfo, anchor: float) -> float | None:
        """The first run strictly after ``after`` (epoch seconds), or None."""
        if self.kind == "at":
            try:
                when = self.instant.replace(tzinfo=zone).timestamp()
            except (OverflowError, ValueError):
                return None
            return when if when > after else None
        if self.kind == "rate":
            if after < anchor:
                return anchor
            return anchor + (int((after - anchor) // self.seconds) + 1) * self.seconds
        try:
            return self._next_cron(after, zone)
        except (OverflowError, ValueError):       # past the year 9999: never again
            return None

    def _next_cron(self, after: float, zone: dt.tzinfo) -> float | None:
        minutes, hours, days, months, weekdays, years = self.fields
        start = dt.datetime.fromtimestamp(after, zone)
        for offset in range(SEARCH_DAYS):
            day = start.date() + dt.timedelta(days=offset)
            if ((years is not None and day.year not in years) or (months is not None and day.month not in months)
                    or (days is not None and day.day not in days)
                    or (weekdays is not None and (day.isoweekday() % 7) + 1 not in weekdays)):
                continue
            for hour in sorted(hours) if hours is not None else range(24):
                for minute in sorted(minutes) if minutes is not None else range(60):
                    when = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).timestamp()
                    if when > after:
                        return when
        return None


def _zone(timezone: str | None) -> dt.tzinfo:
    if timezone is None:
        return dt.timezone.utc
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationException(invalid_timezone(timezone)) from None


def _epoch(value) -> float | None:
    if value is None or isinstance(value, (int, float)):
        return value
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise ValidationException(f"Invalid timestamp: {value}") from None


# -- the action ----------------------------------------------------------------------------------------------

@dataclasses.dataclass
class ScheduledAction:
    name: str
    arn: str
    resource_id: str
    schedule_text: str
    schedule: Schedule
    timezone: str | None
    start: float | None
    end: float | None
    action: dict
    created_at: float
    timer: object = None
    order: int = dataclasses.field(default_factory=lambda: next(_order))

    def cancel(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def plan(self, engine, store, target, after: float) -> None:
        """Put the next run after ``after`` on the clock."""
        self.cancel()
        anchor = self.start if self.start is not None else self.created_at + self.schedule.seconds
        when = self.schedule.next_after(max(after, self.start - 0.001) if self.start is not None else after,
                                        _zone(self.timezone), anchor)
        if when is None or (self.end is not None and when > self.end):
            return
        self.timer = store.timeline.at(when, lambda at: self._run(engine, store, target, at))

    def _run(self, engine, store, target, at: float) -> None:
        self.timer = None
        if store.targets.get(target.key) is not target or target.scheduled_actions.get(self.name) is not self:
            return
        if not target.suspended["ScheduledScalingSuspended"]:
            minimum = self.action.get("MinCapacity", target.min_capacity)
            maximum = max(self.action.get("MaxCapacity", target.max_capacity), minimum)
            target.min_capacity, target.max_capacity = minimum, maximum
            record(store, target, at, capacity_description(minimum, maximum), triggered(self.name), "Successful",
                   capacity_succeeded(minimum, maximum))
            scaling.bring_into_range(engine, store, target, at, triggered(self.name))
            scaling.note_change(engine, store, at)
        self.plan(engine, store, target, at)

    def describe(self) -> dict:
        return {"ScheduledActionName": self.name, "ScheduledActionARN": self.arn, "ServiceNamespace": "ecs",
                "Schedule": self.schedule_text, "Timezone": self.timezone, "ResourceId": self.resource_id,
                "ScalableDimension": "ecs:service:DesiredCount", "StartTime": self.start, "EndTime": self.end,
                "ScalableTargetAction": dict(self.action), "CreationTime": self.created_at}


@autoscaling.operation("PutScheduledAction")
def put_scheduled_action(ctx, params: dict) -> dict:
    target = registered_target(ctx, params)
    name = params["ScheduledActionName"]
    existing = target.scheduled_actions.get(name)
    if existing is None and len(target.scheduled_actions) >= MAX_SCHEDULED_ACTIONS:
        raise LimitExceededException(limit_exceeded("scheduled actions per scalable target", MAX_SCHEDULED_ACTIONS))
    schedule_text = params.get("Schedule", existing.schedule_text if existing else None)
    if schedule_text is None:
        raise ValidationException(SCHEDULE_REQUIRED)
    action = params.get("ScalableTargetAction", existing.action if existing else None)
    if action is None:
        raise ValidationException(ACTION_REQUIRED)
    if "MinCapacity" not in action and "MaxCapacity" not in action:
        raise ValidationException(ACTION_EMPTY)
    if action.get("MinCapacity", 0) > action.get("MaxCapacity", action.get("MinCapacity", 0)):
        raise ValidationException(MIN_ABOVE_MAX)
    schedule = Schedule.parse(schedule_text)
    timezone = params.get("Timezone", existing.timezone if existing else None)
    _zone(timezone)
    start = _epoch(params.get("StartTime", existing.start if existing else None))
    end = _epoch(params.get("EndTime", existing.end if existing else None))
    if start is not None and end is not None and start >= end:
        raise ValidationException(START_AFTER_END)
    if existing is not None:
        existing.cancel()
    scheduled = ScheduledAction(
        name=name, resource_id=target.resource_id, schedule_text=schedule_text, schedule=schedule,
        timezone=timezone, start=start, end=end, action=dict(action),
        created_at=existing.created_at if existing else ctx.now,
        arn=existing.arn if existing else ctx.arn(
            f"scheduledAction:{ids.uuid4()}:resource/ecs/{target.resource_id}:scheduledActionName/{name}",
            "autoscaling"))
    target.scheduled_actions[name] = scheduled
    scheduled.plan(ctx.engine, ctx.store, target, ctx.now)
    return {}


@autoscaling.operation("DeleteScheduledAction")
def delete_scheduled_action(ctx, params: dict) -> dict:
    target = registered_target(ctx, params)
    scheduled = target.scheduled_actions.pop(params["ScheduledActionName"], None)
    if scheduled is None:
        raise ObjectNotFoundException(no_action(target.resource_id, params["ScalableDimension"],
                                                params["ScheduledActionName"]))
    scheduled.cancel()
    return {}


@autoscaling.operation("DescribeScheduledActions")
def describe_scheduled_actions(ctx, params: dict) -> dict:
    found, token = listed(ctx, params, lambda target: target.scheduled_actions.values(), "ScheduledActionNames",
                          MAX_RESULTS, "scheduled")
    return {"ScheduledActions": [action.describe() for action in found], "NextToken": token}
