"""Metrics and alarms the test sets, for Application Auto Scaling to act on (there is no CloudWatch here).

A metric is a value per ECS service (cluster name, service name) and CloudWatch metric name, held until set
again. The predefined metric types of target tracking name the same metrics: ``ECSServiceAverageCPUUtilization``
is ``CPUUtilization`` (AWS/ECS, by ClusterName and ServiceName), ``ECSServiceAverageMemoryUtilization`` is
``MemoryUtilization`` and ``ALBRequestCountPerTarget`` is ``RequestCountPerTarget``; either name may be given.
A customized metric specification is read by its ``MetricName``. Alarms see a metric on whole clock minutes:
the datapoint of each minute is the value set last before it ended (see :mod:`emulator.autoscaling.scaling`).

Target tracking makes its own alarms. A step scaling policy needs an alarm whose action names it, as in
CloudWatch's PutMetricAlarm: declare one with :func:`put_alarm` (metric, comparison, threshold, evaluation
periods, the policy ARNs it triggers); while it is in ALARM it triggers them every minute, and the step
adjustment is chosen by how far the metric is past the threshold.

In process (``target`` is an ``Emulator`` or anything with ``.engine``: ``mock_aws``, the ``ecs_eks_mock``
fixture, ``EmulatorServer``)::

    from emulator.metrics import set_metric, put_alarm
    set_metric(mock, "prod", "web", "ECSServiceAverageCPUUtilization", 80.0)
    put_alarm(mock, "web-cpu-high", "prod", "web", "CPUUtilization", threshold=70,
              comparison="GreaterThanOrEqualToThreshold", evaluation_periods=2, alarm_actions=[policy_arn])

Over HTTP: ``POST /_emulator/metrics`` ``{"cluster", "service", "metricName", "value"}``, ``POST
/_emulator/alarms`` ``{"alarmName", "cluster", "service", "metricName", "threshold", "comparisonOperator",
"evaluationPeriods", "datapointsToAlarm", "alarmActions"}``; ``GET`` lists either; all take ``account`` and
``region`` (default: the default account and us-east-1).
"""
from __future__ import annotations

import math

from emulator.core import identity

ALIASES = {"ECSServiceAverageCPUUtilization": "CPUUtilization",
           "ECSServiceAverageMemoryUtilization": "MemoryUtilization",
           "ALBRequestCountPerTarget": "RequestCountPerTarget"}


def _engine(target):
    return getattr(target, "engine", target)


def _locked_store(target, account: str | None, region: str | None):
    """The store of (account, region), up to now and locked for the block."""
    from emulator.autoscaling.service import NAME
    return _engine(target).locked_store(NAME, account, region or identity.DEFAULT_REGION)


def set_metric(target, cluster: str, service: str, metric_name: str, value: float, account: str | None = None,
               region: str | None = None) -> dict:
    """Record the metric's value from now on (evaluations due before now have run with the previous one)."""
    if not cluster or not service or not metric_name:
        raise ValueError("a metric needs a cluster, a service and a metric name")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError("a metric's value must be a finite number")
    engine = _engine(target)
    name = ALIASES.get(metric_name, metric_name)
    with _locked_store(target, account, region) as store:
        now = engine.clock.now()
        store.metrics[(cluster, service, name)] = (value, now)
    return {"cluster": cluster, "service": service, "metricName": name, "value": value, "timestamp": now}


def metrics(target, account: str | None = None, region: str | None = None) -> list[dict]:
    with _locked_store(target, account, region) as store:
        return [{"cluster": c, "service": s, "metricName": m, "value": v, "timestamp": at}
                for (c, s, m), (v, at) in store.metrics.items()]


def put_alarm(target, alarm_name: str, cluster: str, service: str, metric_name: str, *, threshold: float,
              comparison: str = "GreaterThanOrEqualToThreshold", evaluation_periods: int = 1,
              datapoints_to_alarm: int | None = None, alarm_actions: list[str] = (), account: str | None = None,
              region: str | None = None) -> dict:
    """Declare (or replace) a metric alarm whose actions are scaling policy ARNs; returns it."""
    from emulator.autoscaling import scaling
    if not alarm_name or not cluster or not service or not metric_name:
        raise ValueError("an alarm needs a name, a cluster, a service and a metric name")
    if comparison not in scaling.COMPARISONS:
        raise ValueError(f"comparison must be one of {', '.join(scaling.COMPARISONS)}")
    datapoints = evaluation_periods if datapoints_to_alarm is None else int(datapoints_to_alarm)
    if int(evaluation_periods) < 1 or not 1 <= datapoints <= int(evaluation_periods):
        raise ValueError("evaluation_periods must be >= 1 and datapoints_to_alarm between 1 and evaluation_periods")
    engine = _engine(target)
    with _locked_store(target, account, region) as store:
        alarm = scaling.Alarm(name=alarm_name, arn=scaling.alarm_arn(store.region, store.account, alarm_name),
                              metric=(cluster, service, ALIASES.get(metric_name, metric_name)), comparison=comparison,
                              threshold=float(threshold), periods=int(evaluation_periods), datapoints=datapoints,
                              policy_arns=list(alarm_actions))
        existing = store.alarms.get(alarm_name)
        if existing is not None and existing.managed:
            raise ValueError(f"{alarm_name} is an alarm of a target tracking policy")
        alarm.created_at = engine.clock.now()
        store.alarms[alarm_name] = alarm
        return alarm.summary()


def alarms(target, account: str | None = None, region: str | None = None) -> list[dict]:
    """Every alarm of (account, region), target tracking's included, with its state."""
    with _locked_store(target, account, region) as store:
        return [alarm.summary() for alarm in store.alarms.values()]
