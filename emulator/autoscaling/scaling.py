"""The scaling loop: alarms on the metrics a test sets, the policies they trigger, and the ECS desired
counts those change -- all on the one clock, lazily.

Metrics and alarms. A metric is a value per (cluster, service, CloudWatch metric name) that the test sets
(:mod:`emulator.metrics`); it holds until set again. Alarms are evaluated on whole clock minutes: the
datapoint of the minute ending at a boundary is the metric's value just before it (none before the metric
was first set: the alarm stays INSUFFICIENT_DATA). An alarm is in ALARM once ``datapoints`` of its last
``periods`` datapoints breach its threshold, OK otherwise. While an alarm is in ALARM it triggers its
policies at every boundary, as CloudWatch invokes scaling actions once a period.

A target tracking policy makes two alarms, as AWS does: ``TargetTracking-<resource id>-AlarmHigh-<uuid>``
(metric > target for 3 datapoints of 3) and, unless ``DisableScaleIn``, ``...-AlarmLow-<uuid>`` (metric <
90% of target for 15 of 15). Either computes ``ceil(capacity * metric / target)``, bounded by the target's
min and max capacity: AWS rounds to keep capacity (up when adding, and removing less when removing). With
several target tracking policies on one target, any one may scale out; scale-in happens only when every one
of them is ready to scale in. A step policy is triggered by an alarm the test declares
(:func:`emulator.metrics.put_alarm`); its step adjustment is chosen by ``metric - threshold``.

Cooldowns, as Application Auto Scaling documents them: during a scale-out cooldown the capacity added by the
scale-out that started it counts as part of the next one (so only a larger scale-out adds capacity); a
scale-in cooldown blocks further scale-ins, and a scale-out ends it.

Scale-in waits while the service has a deployment in progress (as Application Auto Scaling turns it off
then); scale-out does not.

Each change of capacity sets the ECS service's desiredCount through UpdateService's own code path, at the
instant it was due, so the scheduler starts or stops tasks and writes its service events; it is recorded as a
scaling activity. Scheduled actions (:mod:`emulator.autoscaling.scheduled_actions`) change min and max
capacity at their times, and the desired count with them when it falls outside.

Laziness and locks. Evaluations and scheduled actions are events on the autoscaling store's timeline. Before
any request of an (account, region) takes a store's lock, :func:`catch_up` runs the events due up to now
under the autoscaling store's lock; an event that changes ECS first brings the ECS store to its own instant,
under the ECS store's lock. Locks are always taken in that order (autoscaling, then ECS) and ECS code never
takes the autoscaling lock. The next evaluation is scheduled only while some alarm can still change state, or
an alarm in ALARM has a policy that acted or was held back (see :func:`_evaluation_due`); it is worked out
from the metrics, alarms and targets when a request arrives (setting a metric only records it), so a settled
clock can be advanced by days at no cost.
"""
from __future__ import annotations

import dataclasses
import math
from collections import deque

from emulator.core import arns, ids
from emulator.core.service import RequestContext
from emulator.protocol.errors import ServiceError

PERIOD = 60.0                     # seconds of one metric period; alarms are evaluated on whole minutes
HIGH_PERIODS = 3                  # target tracking: scale out after 3 datapoints above target ...
LOW_PERIODS = 15                  # ... scale in after 15 below
LOW_RATIO = 0.9                   # ... of 90% of the target
COMPARISONS = {
    "GreaterThanThreshold": lambda value, threshold: value > threshold,
    "GreaterThanOrEqualToThreshold": lambda value, threshold: value >= threshold,
    "LessThanThreshold": lambda value, threshold: value < threshold,
    "LessThanOrEqualToThreshold": lambda value, threshold: value <= threshold,
}


def set_desired_description(count: int) -> str:
    return f"Setting desired count to {count}."


def set_desired_succeeded(count: int) -> str:
    return f"Successfully set desired count to {count}. Change successfully fulfilled by ecs."


def set_desired_failed(count: int, reason: str) -> str:
    return f"Failed to set desired count to {count}. Reason: {reason}"


def capacity_bound_cause(bound: str, capacity: int) -> str:
    """Why RegisterScalableTarget moved the desired count (``bound``: minimum or maximum)."""
    return f"{bound} capacity was set to {capacity}"


def alarm_cause(alarm: str, policy: str) -> str:
    return f"monitor alarm {alarm} in state ALARM triggered policy {policy}"


def alarm_arn(region: str, account: str, name: str) -> str:
    return arns.build("cloudwatch", region, account, f"alarm:{name}")


@dataclasses.dataclass
class Cooldowns:
    """The cooldowns in effect on a scalable target."""
    out_at: float | None = None      # when the scale-out cooldown started ...
    out_seconds: float = 0.0         # ... for how long
    out_base: int = 0                # the capacity before the scale-out that started it
    in_at: float | None = None
    in_seconds: float = 0.0

    def scaling_out(self, at: float) -> bool:
        return self.out_at is not None and at < self.out_at + self.out_seconds

    def scaling_in(self, at: float) -> bool:
        return self.in_at is not None and at < self.in_at + self.in_seconds

    def scaled_out(self, at: float, before: int, seconds: float) -> None:
        if not self.scaling_out(at):
            self.out_base = before
        self.out_at, self.out_seconds = at, seconds
        self.in_at = None                # a scale-out ends the scale-in cooldown

    def scaled_in(self, at: float, seconds: float) -> None:
        self.in_at, self.in_seconds = at, seconds


@dataclasses.dataclass
class Alarm:
    name: str
    arn: str
    metric: tuple[str, str, str]     # (cluster, service, CloudWatch metric name)
    comparison: str
    threshold: float
    periods: int
    datapoints: int
    policy_arns: list[str]
    created_at: float = 0.0
    managed: bool = False            # made by a target tracking policy
    state: str = "INSUFFICIENT_DATA"
    recent: deque = dataclasses.field(default_factory=deque)   # breaching or not, of the last datapoints

    def breaching(self, value: float) -> bool:
        return COMPARISONS[self.comparison](value, self.threshold)

    def observe(self, value: float | None) -> None:
        if value is None:
            self.recent.clear()
            self.state = "INSUFFICIENT_DATA"
            return
        self.recent.append(self.breaching(value))
        while len(self.recent) > self.periods:
            self.recent.popleft()
        self.state = "ALARM" if sum(self.recent) >= self.datapoints else "OK"

    def settled(self, value: float | None) -> bool:
        """Whether more datapoints of ``value`` leave the state as it is."""
        if value is None:
            return True
        return len(self.recent) == self.periods and all(b == self.breaching(value) for b in self.recent)

    def describe(self) -> dict:
        return {"AlarmName": self.name, "AlarmARN": self.arn}

    def summary(self) -> dict:
        cluster, service, metric = self.metric
        return {"alarmName": self.name, "alarmArn": self.arn, "cluster": cluster, "service": service,
                "metricName": metric, "comparisonOperator": self.comparison, "threshold": self.threshold,
                "evaluationPeriods": self.periods, "datapointsToAlarm": self.datapoints,
                "alarmActions": list(self.policy_arns), "stateValue": self.state,
                "targetTracking": self.managed}


@dataclasses.dataclass(frozen=True)
class Proposal:
    capacity: int
    scale_out: bool
    alarm: Alarm
    policy: object                   # policies.ScalingPolicy
    cooldown: float
    target_tracking: bool


# -- the ECS side ----------------------------------------------------------------------------------------

def _ecs_service(ecs_store, cluster_name: str, service_name: str):
    cluster = ecs_store.clusters.get(cluster_name)
    if cluster is None or cluster.status != "ACTIVE":
        return None
    service = cluster.services.get(service_name)
    return service if service is not None and service.status == "ACTIVE" else None


def service_state(engine, account: str, region: str, cluster: str, service: str,
                  at: float) -> tuple[int, bool] | None:
    """(desiredCount, whether a deployment is in progress) of the ECS service at ``at``; None when it is not
    an ACTIVE service."""
    ecs_store = engine.store_as_is("ecs", account, region)
    with ecs_store.lock:
        ecs_store.timeline.run_until(at)
        found = _ecs_service(ecs_store, cluster, service)
        if found is None:
            return None
        deploying = len(found.deployments) > 1 or any(d.rollout_state == "IN_PROGRESS" for d in found.deployments)
        return found.desired_count, deploying


def desired_count(engine, account: str, region: str, cluster: str, service: str, at: float) -> int | None:
    """The ECS service's desiredCount at ``at``; None when it is not an ACTIVE service."""
    state = service_state(engine, account, region, cluster, service, at)
    return None if state is None else state[0]


def _update_desired_count(engine, account: str, region: str, cluster: str, service: str, count: int,
                          at: float) -> str | None:
    """Set the service's desiredCount as UpdateService does, at ``at``; the reason when it could not."""
    from emulator.ecs.services import update_service_from_request
    ecs_store = engine.store_as_is("ecs", account, region)
    with ecs_store.lock:
        ecs_store.timeline.run_until(at)
        ctx = RequestContext(engine, engine.services["ecs"], "UpdateService", account, region, ecs_store, at,
                             ids.uuid4())
        try:
            update_service_from_request(ctx, {"cluster": cluster, "service": service, "desiredCount": count})
        except ServiceError as error:
            return f"{error.code}: {error.message}"
    return None


def change_capacity(engine, store, target, count: int, at: float, cause: str) -> bool:
    """Set the target's service to ``count`` tasks and record the scaling activity; whether it changed."""
    from emulator.autoscaling.activities import record
    cluster, service = target.ecs_service
    current = desired_count(engine, store.account, store.region, cluster, service, at)
    if current is None or current == count:
        return False
    failure = _update_desired_count(engine, store.account, store.region, cluster, service, count, at)
    if failure is None:
        record(store, target, at, set_desired_description(count), cause, "Successful", set_desired_succeeded(count))
        return True
    record(store, target, at, set_desired_description(count), cause, "Failed", set_desired_failed(count, failure))
    return False


def bring_into_range(engine, store, target, at: float, cause: str | None = None) -> None:
    """Move the service's desired count inside the target's [min, max] (RegisterScalableTarget, scheduled actions)."""
    cluster, service = target.ecs_service
    current = desired_count(engine, store.account, store.region, cluster, service, at)
    if current is None:
        return
    bounded = min(max(current, target.min_capacity), target.max_capacity)
    if bounded != current:
        bound = "minimum" if bounded > current else "maximum"
        change_capacity(engine, store, target, bounded, at, cause or capacity_bound_cause(bound, bounded))


# -- the loop -----------------------------------------------------------------------------------------------

def next_boundary(at: float) -> float:
    return (math.floor(at / PERIOD) + 1) * PERIOD


def metric_value(store, metric: tuple[str, str, str]) -> float | None:
    entry = store.metrics.get(metric)
    return None if entry is None else entry[0]


def _ecs_as_it_stands(engine, store, target) -> tuple[int | None, float]:
    """(desiredCount or None, when its deployment last changed) of the target's service, without running the
    ECS timeline (so that no ECS event runs ahead of an evaluation due before it)."""
    ecs_store = engine.store_as_is("ecs", store.account, store.region)
    with ecs_store.lock:
        found = _ecs_service(ecs_store, *target.ecs_service)
        if found is None:
            return None, store.last_evaluation
        changed = max((d.updated_at for d in found.deployments), default=store.last_evaluation)
        return found.desired_count, changed


def _evaluation_due(engine, store) -> float | None:
    """The first minute an evaluation can change something, or None while nothing can:

    - an alarm has not settled on its metric's value (since it was made or the metric was set);
    - an alarm in ALARM keeps triggering its policies every minute while one of them acted last minute or
      was held back (a cooldown, a deployment in progress); once they all rest (the capacity is
      where they want it, or at a bound), the alarm wakes them again when its metric is set, the target or its
      policies change (min, max, suspension, policies, scheduled actions), or the service's desired count is
      changed by someone else (UpdateService).
    """
    starts = []
    firing: set[str] = set()                     # ARNs of the policies an alarm in ALARM triggers
    for alarm in store.alarms.values():
        entry = store.metrics.get(alarm.metric)
        if not alarm.settled(None if entry is None else entry[0]):
            starts.append(max(alarm.created_at, entry[1]))
        elif alarm.state == "ALARM":
            firing.update(alarm.policy_arns)
            if not store.resting:
                starts.append(store.last_evaluation)
            elif entry[1] >= store.last_evaluation:
                starts.append(entry[1])
    if firing and store.resting:
        if store.changed_at is not None and store.changed_at >= store.last_evaluation:
            starts.append(store.changed_at)
        for target in store.targets.values():
            if any(policy.arn in firing for policy in target.policies.values()):
                capacity, changed = _ecs_as_it_stands(engine, store, target)
                if capacity != target.seen_capacity:
                    starts.append(changed)
    if not starts:
        return None
    return max(next_boundary(min(starts)), store.last_evaluation + PERIOD)


def _plan_evaluation(engine, store) -> None:
    if store.evaluation is not None:
        return
    when = _evaluation_due(engine, store)
    if when is not None:
        store.evaluation = store.timeline.at(when, lambda at: _evaluate(engine, store, at))


def note_change(engine, store, at: float) -> None:
    """A target, its policies or its bounds changed at ``at``: policies resting in ALARM look again."""
    store.changed_at = at
    _plan_evaluation(engine, store)


def catch_up(engine, account: str, region: str) -> None:
    """Run the autoscaling events of (account, region) due up to now (before that request takes any store lock)."""
    store = engine.lock_current_store("application-autoscaling", account, region, create=False)
    if store is None:
        return
    try:
        _plan_evaluation(engine, store)
        store.timeline.run_until(engine.clock.now())
    finally:
        store.lock.release()


def _evaluate(engine, store, at: float) -> None:
    store.evaluation, store.last_evaluation = None, at
    firing: dict[str, list[Alarm]] = {}          # policy ARN -> its alarms in ALARM
    for alarm in store.alarms.values():
        alarm.observe(metric_value(store, alarm.metric))
        if alarm.state == "ALARM":
            for arn in alarm.policy_arns:
                firing.setdefault(arn, []).append(alarm)
    restless = False
    for target in sorted(store.targets.values(), key=lambda t: t.order):
        restless = _scale(engine, store, target, at, firing) or restless
    store.resting = not restless
    _plan_evaluation(engine, store)


def _scale(engine, store, target, at: float, firing: dict) -> bool:
    """Apply what the target's triggered policies ask for; whether a later minute may act where this one did
    not (it acted, or was held back by a cooldown or a deployment in progress)."""
    triggered = [(alarm, policy) for policy in target.policies.values() for alarm in firing.get(policy.arn, ())]
    if not triggered:
        return False
    state = service_state(engine, store.account, store.region, *target.ecs_service, at)
    target.seen_capacity = None if state is None else state[0]
    if state is None:
        return False
    current, deploying = state
    proposals = [p for alarm, policy in triggered
                 for p in [policy.propose(alarm, metric_value(store, alarm.metric), current, target, at)]
                 if p is not None]
    suspended_out, suspended_in = (target.suspended["DynamicScalingOutSuspended"],
                                   target.suspended["DynamicScalingInSuspended"])
    # what only time ends (a suspension ends with RegisterScalableTarget, which wakes the loop itself)
    held_back = target.cooldown.scaling_out(at) or target.cooldown.scaling_in(at) or deploying
    outs = [p for p in proposals if p.scale_out and not suspended_out]
    # Application Auto Scaling turns scale-in off while an ECS deployment is in progress
    ins = [p for p in proposals if not p.scale_out and not deploying and not suspended_in]
    if outs:
        chosen = max(outs, key=lambda p: p.capacity)
    else:
        tracking = [p for p in target.policies.values() if p.policy_type == "TargetTrackingScaling"]
        ready = {p.policy.name for p in ins if p.target_tracking}
        if any(p.name not in ready for p in tracking):
            ins = [p for p in ins if not p.target_tracking]   # every target tracking policy must agree
        if not ins:
            return held_back
        chosen = max(ins, key=lambda p: p.capacity)
    if not change_capacity(engine, store, target, chosen.capacity, at,
                           alarm_cause(chosen.alarm.name, chosen.policy.name)):
        return held_back
    if chosen.scale_out:
        target.cooldown.scaled_out(at, current, chosen.cooldown)
    else:
        target.cooldown.scaled_in(at, chosen.cooldown)
    target.seen_capacity = chosen.capacity
    return True


def forget_policy(store, target, policy) -> None:
    """Delete a policy and the alarms it made (DeleteScalingPolicy, DeregisterScalableTarget)."""
    for name in policy.alarm_names:
        store.alarms.pop(name, None)
    target.policies.pop(policy.name, None)
