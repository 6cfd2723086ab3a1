"""ECS Managed Daemons: Create/Update/Delete/Describe/ListDaemons, their deployments and revisions.

A daemon runs exactly one daemon task on every ACTIVE container instance of its Managed Instances
capacity providers (the instances of its cluster whose ``capacityProviderName`` is one of them).
CreateDaemon and UpdateDaemon snapshot the daemon's configuration as a revision and start a
deployment that rolls it out::

    PENDING -> IN_PROGRESS (drainPercent of the instances at a time: the old daemon task is stopped and
               the new one started; the next batch once the new tasks run and the old ones stopped)
            -> bakeTimeInMinutes -> SUCCESSFUL

A newer deployment STOPs one still under way. Daemon tasks of the target revision that fail to start
count toward the deployment's circuit breaker; when it trips, the deployment rolls the instances back
to the previous revision (ROLLBACK_IN_PROGRESS -> ROLLBACK_SUCCESSFUL), or STOPs when there is none.
Daemons are critical to their instance: a daemon task that ECS did not stop itself (it exited, or
someone stopped it) or that cannot be placed drains its container instance. DeleteDaemon makes the
daemon DELETE_IN_PROGRESS and starts a deployment that stops every daemon task; when they are all
STOPPED the daemon is gone (its deployments and revisions stay describable).

For other modules:

- Container instances arrive through the container-instance listener: one that registers
  (``container_instances.add_instance`` -- ECS Managed Instances launching one for its provider --
  tells its listeners, previous status ``REGISTERING``) gets the daemon tasks of its provider at once,
  before the task it was launched for; status changes (DRAINING, INACTIVE, ACTIVE again) follow the
  same way. :func:`instance_joined` ``(ctx, instance)`` does the same for an instance that was made a
  provider's after it registered.
- :func:`daemon_task_keys` ``(ctx, cluster, daemon_name, desired)``: the task ids ListTasks lists for
  ``daemonName`` (a :class:`~emulator.ecs.indexes.SortedKeys`); raises DaemonNotFoundException.

Daemon tasks are ordinary tasks of the task engine (launch type MANAGED_INSTANCES, group
``daemon:<name>``, the daemon task definition's ARN as ``taskDefinitionArn``).
"""
from __future__ import annotations

import copy
import hashlib
import math
from collections import Counter, defaultdict
from datetime import datetime

from emulator.config import declare_duration
from emulator.core import arns, ids
from emulator.core.service import RequestContext
from emulator.ecs import task_engine
from emulator.ecs.capacity_providers import find_capacity_provider
from emulator.ecs.clusters import (CLUSTER_INACTIVE, CLUSTER_NOT_FOUND, PROVIDER_NOT_ACTIVE, PROVIDER_NOT_ASSOCIATED,
                                   PROVIDER_NOT_FOUND, Cluster, active_cluster, existing_cluster)
from emulator.ecs.common import RESOURCE_NAME, ReentrantLoop, paginate, request_digest, resource_name
from emulator.ecs.container_instances import ContainerInstance, add_instance_listener, set_status
from emulator.ecs.daemon_task_definitions import (NOT_ACTIVE, DaemonTaskDefinition, add_use_check,
                                                  find_daemon_task_definition, settle_deletion)
from emulator.ecs.errors import (ClusterNotFoundException, DaemonNotActiveException, DaemonNotFoundException,
                                InvalidParameterException, ResourceNotFoundException)
from emulator.ecs.indexes import MultiIndex, SortedKeys, check_list, describe_each
from emulator.ecs.service import ecs
from emulator.ecs.tags import RESOURCE_NOT_FOUND, taggable, tags_from_request
from emulator.ecs.task_engine import Launch, LifecycleContext, Task

PENDING_TIME = declare_duration("ecs.daemon.deployment.pending", 15.0,
                                "daemon deployment PENDING (preparing) until IN_PROGRESS")
BAKE_MINUTE = declare_duration("ecs.daemon.deployment.bake_minute", 60.0,
                               "clock seconds one minute of a daemon deployment's bakeTimeInMinutes lasts")

DEFAULT_DRAIN_PERCENT = 25.0
MAX_BAKE_MINUTES = 1440
MAX_DESCRIBE = 20
MAX_CLIENT_TOKEN = 36
CIRCUIT_BREAKER_THRESHOLD = (10, 200)   # clamp(ceil(instances / 2), 10, 200) failed daemon task launches
DEPLOYMENT_PAGE = 20
ROLLING = ("IN_PROGRESS", "ROLLBACK_IN_PROGRESS")
UNDER_WAY = ("PENDING",) + ROLLING
RUNNING, STOPPED = ("desired", "RUNNING"), ("desired", "STOPPED")

# By analogy with "Service not found." / "Service was not ACTIVE." for services.
DAEMON_NOT_FOUND = "Daemon not found."
DAEMON_NOT_ACTIVE = "Daemon was not ACTIVE."
INVALID_DAEMON_ARN = "The specified daemon ARN is not valid. Specify a valid daemon ARN and try again."
INVALID_NAME = "Daemon names can contain up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens."
NOT_IDEMPOTENT = "Creation of daemon was not idempotent."
TOKEN_TOO_LONG = "clientToken can have at most 36 characters."
TOKEN_REUSED = "The clientToken is already in use with a different CreateDaemon request."
DEFINITION_NOT_FOUND = "The specified daemon task definition does not exist. Specify a valid ARN and try again."
PROVIDERS_EMPTY = "capacityProviderArns can not be empty."
PROVIDER_NOT_MANAGED = ("ECS Managed Daemons is only supported for Amazon ECS Managed Instances capacity providers. "
                        "Specify a Managed Instances capacity provider and try again.")
BAKE_OUT_OF_RANGE = "bakeTimeInMinutes must be between 0 and 1440."
DEPLOYMENTS_EMPTY = "daemonDeploymentArns can not be empty."
TOO_MANY_DEPLOYMENTS = "daemonDeploymentArns can have at most 20 items."
REVISIONS_EMPTY = "daemonRevisionArns can not be empty."
TOO_MANY_REVISIONS = "daemonRevisionArns can have at most 20 items."
SUCCEEDED = "Deployment completed successfully."
SUPERSEDED = "Deployment stopped because a newer deployment of the daemon started."
CIRCUIT_BREAKER = "Deployment circuit breaker: daemon tasks failed to start."
ROLLED_BACK = "Deployment rolled back to the previous daemon revision after the circuit breaker was triggered."
INSTANCE_DEREGISTERED = "Container instance deregistered from the cluster"


def scaling_reason(deployment_id: str) -> str:
    """stoppedReason of a daemon task a deployment stopped (the form service deployments use)."""
    return f"Scaling activity initiated by (daemon deployment {deployment_id})"


# -- the model ----------------------------------------------------------------------------------------

class DaemonRevision:
    """A daemon's configuration when a deployment began (immutable)."""

    def __init__(self, arn: str, daemon: "Daemon", definition: DaemonTaskDefinition, created_at: float,
                 propagate_tags: str, managed_tags: bool, execute_command: bool) -> None:
        self.arn, self.daemon_arn, self.cluster_arn = arn, daemon.arn, daemon.cluster.arn
        self.definition, self.created_at = definition, created_at
        self.propagate_tags, self.managed_tags, self.execute_command = propagate_tags, managed_tags, execute_command

    def describe(self) -> dict:
        return {"daemonRevisionArn": self.arn, "clusterArn": self.cluster_arn, "daemonArn": self.daemon_arn,
                "daemonTaskDefinitionArn": self.definition.arn, "createdAt": self.created_at,
                "containerImages": [{"containerName": c["name"], "image": c["image"],
                                     "imageDigest": task_engine.image_digest(c["image"])}
                                    for c in self.definition.container_definitions],
                "propagateTags": self.propagate_tags, "enableECSManagedTags": self.managed_tags,
                "enableExecuteCommand": self.execute_command}


class DaemonTask:
    """A daemon task not STOPPED yet, the revision it runs and its instance."""

    __slots__ = ("task", "revision", "instance", "retired")

    def __init__(self, task: Task, revision: DaemonRevision, instance: ContainerInstance) -> None:
        self.task, self.revision, self.instance = task, revision, instance
        self.retired = False          # stopped by ECS (a deployment, its instance leaving), not on its own

    @property
    def running(self) -> bool:
        return self.task.last_status == "RUNNING" and self.task.desired_status == "RUNNING"

    @property
    def draining(self) -> bool:
        return self.task.desired_status == "STOPPED" or self.instance.status == "DRAINING"


class Daemon:
    def __init__(self, name: str, arn: str, cluster: Cluster, providers: list[str], configuration: dict,
                 tags: dict[str, str], created_at: float) -> None:
        self.name, self.arn, self.cluster = name, arn, cluster
        self.providers, self.configuration, self.tags = providers, configuration, tags
        self.status = "ACTIVE"
        self.created_at = self.updated_at = created_at
        self.revision: DaemonRevision | None = None          # what the instances are to run
        self.deployment: DaemonDeployment | None = None      # the latest deployment
        self.tasks: dict[str, DaemonTask] = {}               # task id -> daemon tasks not STOPPED yet
        self.listing = MultiIndex()                           # RUNNING/STOPPED -> task ids (ListTasks daemonName)

    def provider_arn(self, name: str) -> str:
        return self.arn.split(":daemon/", 1)[0] + f":capacity-provider/{name}"

    def instances(self) -> list[ContainerInstance]:
        """The ACTIVE container instances of the daemon's capacity providers, oldest first."""
        return sorted((i for i in self.cluster.instances.values()
                       if i.status == "ACTIVE" and i.capacity_provider_name in self.providers),
                      key=lambda i: (i.registered_at, i.id))

    def revision_counts(self, revision: DaemonRevision, providers: list[str]) -> dict:
        """DaemonDeploymentRevisionDetail: instances running / draining the revision's task, per provider."""
        running, draining = Counter(), Counter()
        for entry in self.tasks.values():
            if entry.revision is revision:
                provider = entry.instance.capacity_provider_name
                if entry.draining:
                    draining[provider] += 1
                elif entry.running:
                    running[provider] += 1
        names = list(dict.fromkeys(list(providers) + list(running) + list(draining)))
        return {"arn": revision.arn,
                "capacityProviders": [{"arn": self.provider_arn(n), "runningInstanceCount": running[n],
                                       "drainingInstanceCount": draining[n]} for n in names],
                "totalRunningInstanceCount": sum(running.values()),
                "totalDrainingInstanceCount": sum(draining.values())}

    def describe(self) -> dict:
        revisions = list(dict.fromkeys(([self.revision] if self.revision else [])
                                       + [e.revision for e in self.tasks.values()]))
        current = []
        for revision in revisions:
            running = Counter(e.instance.capacity_provider_name for e in self.tasks.values()
                              if e.revision is revision and e.running)
            names = list(dict.fromkeys(self.providers + list(running)))
            current.append({"arn": revision.arn,
                            "capacityProviders": [{"arn": self.provider_arn(n), "runningCount": running[n]}
                                                  for n in names],
                            "totalRunningCount": sum(running.values())})
        return {"daemonArn": self.arn, "clusterArn": self.cluster.arn, "status": self.status,
                "currentRevisions": current, "deploymentArn": self.deployment.arn if self.deployment else None,
                "createdAt": self.created_at, "updatedAt": self.updated_at}

    def summary(self) -> dict:
        return {"daemonArn": self.arn, "status": self.status, "createdAt": self.created_at,
                "updatedAt": self.updated_at}


class DaemonDeployment:
    def __init__(self, arn: str, daemon: Daemon, target: DaemonRevision | None, previous: DaemonRevision | None,
                 sources: list[DaemonRevision], configuration: dict, created_at: float, threshold: int) -> None:
        self.arn, self.daemon, self.target, self.previous = arn, daemon, target, previous
        self.sources, self.configuration, self.created_at = sources, configuration, created_at
        self.providers = list(daemon.providers)
        self.goal = target                    # the revision being rolled out (None: stop every daemon task)
        self.status = "PENDING"
        self.status_reason: str | None = None
        self.started_at = self.stopped_at = self.finished_at = None
        self.failure_count, self.threshold = 0, threshold
        self.breaker = "MONITORING"
        self.rollback: dict | None = None
        self.baking = self.baked = False
        self.frozen: dict | None = None        # revision ARN -> counts, kept once the deployment ended
        self.timer = None
        self.rollout_loop = ReentrantLoop()

    @property
    def id(self) -> str:
        return self.arn.rsplit("/", 1)[1]

    def _details(self) -> dict:
        if self.frozen is not None:
            return self.frozen
        daemon = self.daemon
        revisions = ([self.target] if self.target else []) + self.sources
        return {r.arn: daemon.revision_counts(r, self.providers) for r in revisions}

    def freeze(self) -> None:
        self.frozen = self._details()

    def describe(self) -> dict:
        details = self._details()
        alarms = self.configuration["alarms"]
        alarm_status = "DISABLED"
        if alarms["enable"]:
            alarm_status = "MONITORING_COMPLETE" if self.status in ("SUCCESSFUL", "ROLLBACK_SUCCESSFUL") \
                else "MONITORING"
        return {"daemonDeploymentArn": self.arn, "clusterArn": self.daemon.cluster.arn, "status": self.status,
                "statusReason": self.status_reason,
                "targetDaemonRevision": details[self.target.arn] if self.target else None,
                "sourceDaemonRevisions": [details[s.arn] for s in self.sources],
                "circuitBreaker": {"failureCount": self.failure_count, "status": self.breaker,
                                   "threshold": self.threshold},
                "alarms": {"status": alarm_status, "alarmNames": list(alarms["alarmNames"]),
                           "triggeredAlarmNames": []},
                "rollback": copy.deepcopy(self.rollback),
                "deploymentConfiguration": copy.deepcopy(self.configuration),
                "createdAt": self.created_at, "startedAt": self.started_at, "stoppedAt": self.stopped_at,
                "finishedAt": self.finished_at}

    def summary(self) -> dict:
        return {"daemonDeploymentArn": self.arn, "daemonArn": self.daemon.arn, "clusterArn": self.daemon.cluster.arn,
                "status": self.status, "statusReason": self.status_reason,
                "targetDaemonRevisionArn": self.target.arn if self.target else None, "createdAt": self.created_at,
                "startedAt": self.started_at, "stoppedAt": self.stopped_at, "finishedAt": self.finished_at}


# -- running daemon tasks -------------------------------------------------------------------------------

def _later(ctx, seconds: float, action):
    store, config = ctx.store, ctx.config
    return store.timeline.at(ctx.now + seconds, lambda at: action(LifecycleContext(store, config, at)))


def _place(ctx, daemon: Daemon, revision: DaemonRevision, instance: ContainerInstance) -> bool:
    """Start the revision's daemon task on the instance; False when the instance cannot take it."""
    cluster = daemon.cluster
    launch = Launch(launch_type="MANAGED_INSTANCES", strategy=[
        {"capacityProvider": instance.capacity_provider_name, "weight": 1, "base": 0}],
        platform_version=None, platform_family=None, awsvpc=None)
    tags = dict(daemon.tags) if revision.propagate_tags == "DAEMON" else {}
    if revision.managed_tags:
        tags.update({"aws:ecs:clusterName": cluster.name, "aws:ecs:daemonName": daemon.name})
    tasks, _ = task_engine.start_tasks(ctx, cluster, revision.definition, launch, group=f"daemon:{daemon.name}",
                                       tags=tags, enable_execute_command=revision.execute_command,
                                       container_instances=[instance])
    if not tasks:
        return False
    task = tasks[0]
    daemon.tasks[task.id] = DaemonTask(task, revision, instance)
    daemon.listing.add([RUNNING], task.id)
    ctx.store.daemon_tasks[task.id] = daemon
    return True


def _retire(ctx, entry: DaemonTask, reason: str) -> None:
    entry.retired = True
    task_engine.stop_task(ctx, entry.task, "ServiceSchedulerInitiated", reason)


def _drain(ctx, instance: ContainerInstance) -> None:
    """A critical daemon's instance without its daemon task is drained (ECS would then replace it)."""
    if instance.status == "ACTIVE":
        set_status(ctx, instance, "DRAINING")


def _ensure(ctx, daemon: Daemon, instance: ContainerInstance) -> None:
    """Outside a rollout, an instance of the daemon's providers runs the current revision's task."""
    if daemon.status != "ACTIVE" or daemon.revision is None or instance.capacity_provider_name not in daemon.providers:
        return
    deployment = daemon.deployment
    if deployment is not None and deployment.status == "PENDING":
        return                          # the deployment will place it when it starts
    if deployment is not None and deployment.status in ROLLING and not deployment.baking:
        _advance(ctx, deployment)
        return
    if any(e.instance is instance and e.task.desired_status == "RUNNING" for e in daemon.tasks.values()):
        return
    if not _place(ctx, daemon, daemon.revision, instance):
        _drain(ctx, instance)


# -- deployments ----------------------------------------------------------------------------------------

def _advance(ctx, deployment: DaemonDeployment) -> None:
    """Take the rollout as far as it goes now; re-entrant calls (from the changes it makes) run it again."""
    deployment.rollout_loop.run(lambda: _step(ctx, deployment))


def _step(ctx, deployment: DaemonDeployment) -> None:
    if deployment.status not in ROLLING or deployment.baking:
        return
    daemon, goal = deployment.daemon, deployment.goal
    reason = scaling_reason(deployment.id)
    eligible = daemon.instances() if goal is not None else []
    on_instance: dict[str, list[DaemonTask]] = defaultdict(list)
    for entry in list(daemon.tasks.values()):
        on_instance[entry.instance.id].append(entry)
    wanted = {i.id for i in eligible}
    # A draining instance keeps its daemon task until it leaves; the rollout passes it by.
    kept = {e.instance.id for e in daemon.tasks.values() if goal is not None and e.instance.status == "DRAINING"
            and e.instance.capacity_provider_name in daemon.providers}
    for instance_id, entries in on_instance.items():
        if instance_id not in wanted and instance_id not in kept:   # a provider left the daemon, or it is deleted
            for entry in entries:
                if entry.task.desired_status == "RUNNING":
                    _retire(ctx, entry, reason)
    in_flight, todo = 0, []
    for instance in eligible:
        entries = on_instance.get(instance.id, [])
        current = [e for e in entries if e.revision is goal and e.task.desired_status == "RUNNING"]
        if not current:
            todo.append(instance)
        elif len(current) < len(entries) or not all(e.running for e in current):
            in_flight += 1
    batch = max(1, math.ceil(len(eligible) * deployment.configuration["drainPercent"] / 100))
    for instance in todo[:max(0, batch - in_flight)]:
        for entry in on_instance.get(instance.id, []):
            if entry.task.desired_status == "RUNNING":
                _retire(ctx, entry, reason)
        if not _place(ctx, daemon, goal, instance):
            _drain(ctx, instance)
            _failed_launch(ctx, deployment)
            if deployment.status not in ROLLING:
                return
    if not todo and in_flight == 0 and all((e.revision is goal and e.instance.id in wanted) or e.instance.id in kept
                                            for e in daemon.tasks.values()):
        _complete(ctx, deployment)


def _complete(ctx, deployment: DaemonDeployment) -> None:
    bake = deployment.configuration["bakeTimeInMinutes"] * ctx.duration(BAKE_MINUTE)
    if deployment.goal is not None and bake > 0 and not deployment.baked:
        deployment.baking = True

        def baked(later) -> None:
            deployment.baking, deployment.baked = False, True
            _advance(later, deployment)
        deployment.timer = _later(ctx, bake, baked)
        return
    rolled_back = deployment.status == "ROLLBACK_IN_PROGRESS"
    deployment.freeze()
    deployment.status = "ROLLBACK_SUCCESSFUL" if rolled_back else "SUCCESSFUL"
    deployment.status_reason = ROLLED_BACK if rolled_back else SUCCEEDED
    deployment.finished_at = ctx.now
    if not rolled_back:
        deployment.breaker = "MONITORING_COMPLETE"
    daemon = deployment.daemon
    if deployment.goal is None and daemon.status == "DELETE_IN_PROGRESS":
        _forget(ctx, daemon)


def _forget(ctx, daemon: Daemon) -> None:
    """The daemon's deletion is complete: its name is free again."""
    store = ctx.store
    if store.daemons.get((daemon.cluster.name, daemon.name)) is daemon:
        del store.daemons[(daemon.cluster.name, daemon.name)]
    if daemon.revision is not None:
        settle_deletion(ctx, daemon.revision.definition)


def _end(ctx, deployment: DaemonDeployment, reason: str) -> None:
    """The deployment STOPs where it stands."""
    if deployment.timer is not None:
        deployment.timer.cancel()
    deployment.freeze()
    deployment.status, deployment.status_reason, deployment.stopped_at = "STOPPED", reason, ctx.now
    deployment.baking = False


def _failed_launch(ctx, deployment: DaemonDeployment) -> None:
    """A daemon task of the rollout failed to start; enough of them trip the circuit breaker."""
    if deployment.status != "IN_PROGRESS":
        return
    deployment.failure_count += 1
    if deployment.failure_count < deployment.threshold:
        return
    deployment.breaker = "TRIGGERED"
    previous = deployment.previous
    if previous is None:
        _end(ctx, deployment, CIRCUIT_BREAKER)
        return
    daemon = deployment.daemon
    deployment.status, deployment.goal, daemon.revision = "ROLLBACK_IN_PROGRESS", previous, previous
    deployment.rollback = {"reason": CIRCUIT_BREAKER, "startedAt": ctx.now,
                           "rollbackTargetDaemonRevisionArn": previous.arn,
                           "rollbackCapacityProviders": [daemon.provider_arn(n) for n in daemon.providers]}
    _advance(ctx, deployment)


def _begin(ctx, deployment: DaemonDeployment) -> None:
    if deployment.status != "PENDING":
        return
    deployment.status, deployment.started_at, deployment.timer = "IN_PROGRESS", ctx.now, None
    _advance(ctx, deployment)


def _deploy(ctx, daemon: Daemon, target: DaemonRevision | None) -> DaemonDeployment:
    store = ctx.store
    previous = daemon.deployment
    if previous is not None and previous.status in UNDER_WAY:
        _end(ctx, previous, SUPERSEDED)
    sources = list(dict.fromkeys(e.revision for e in daemon.tasks.values()
                                 if e.task.desired_status == "RUNNING" and e.revision is not target))
    threshold = min(max(math.ceil(len(daemon.instances()) / 2), CIRCUIT_BREAKER_THRESHOLD[0]),
                    CIRCUIT_BREAKER_THRESHOLD[1])
    deployment = DaemonDeployment(
        arn=ctx.arn(f"daemon-deployment/{daemon.cluster.name}/{daemon.name}/{ids.token(21)}"), daemon=daemon,
        target=target, previous=daemon.revision if target is not None else None, sources=sources,
        configuration=daemon.configuration, created_at=ctx.now, threshold=threshold)
    if target is not None:
        daemon.revision = target
    daemon.deployment = deployment
    store.daemon_deployments[deployment.arn] = deployment
    store.daemon_history.setdefault(daemon.arn, []).append(deployment.arn)
    deployment.timer = _later(ctx, ctx.duration(PENDING_TIME), lambda later: _begin(later, deployment))
    return deployment


def _new_revision(ctx: RequestContext, daemon: Daemon, definition: DaemonTaskDefinition, params: dict):
    revision = DaemonRevision(
        arn=ctx.arn(f"daemon-revision/{daemon.cluster.name}/{daemon.name}/{ids.digits(19)}"), daemon=daemon,
        definition=definition, created_at=ctx.now, propagate_tags=params.get("propagateTags", "NONE"),
        managed_tags=params.get("enableECSManagedTags", False),
        execute_command=params.get("enableExecuteCommand", False))
    ctx.store.daemon_revisions[revision.arn] = revision
    return revision


# -- what other modules tell us ---------------------------------------------------------------------------

def _daemons_of(ctx, cluster: Cluster) -> list[Daemon]:
    return [d for (cluster_name, _), d in ctx.store.daemons.items() if cluster_name == cluster.name]


def instance_joined(ctx, instance: ContainerInstance) -> None:
    """An ACTIVE instance now belongs to a Managed Instances capacity provider: its daemons start their tasks."""
    if instance.status != "ACTIVE":
        return
    for daemon in _daemons_of(ctx, instance.cluster):
        _ensure(ctx, daemon, instance)


def _instance_changed(ctx, instance: ContainerInstance, previous: str) -> None:
    for daemon in _daemons_of(ctx, instance.cluster):
        if instance.status == "INACTIVE":          # deregistered: its daemon tasks go with it
            for entry in list(daemon.tasks.values()):
                if entry.instance is instance and entry.task.desired_status == "RUNNING":
                    _retire(ctx, entry, INSTANCE_DEREGISTERED)
        elif instance.status == "ACTIVE":
            _ensure(ctx, daemon, instance)
        deployment = daemon.deployment
        if deployment is not None and deployment.status in ROLLING:
            _advance(ctx, deployment)


def _task_changed(ctx, task: Task, previous: str) -> None:
    daemon = ctx.store.daemon_tasks.get(task.id)
    if daemon is None:
        return
    if task.desired_status == "STOPPED" and previous == task.last_status:      # a stop request
        daemon.listing.discard([RUNNING], task.id)
        daemon.listing.add([STOPPED], task.id)
        return
    deployment = daemon.deployment
    if task.last_status == "STOPPED":
        entry = daemon.tasks.pop(task.id)
        del ctx.store.daemon_tasks[task.id]
        _later(ctx, task_engine.STOPPED_RETENTION, lambda later: daemon.listing.discard([STOPPED], task.id))
        settle_deletion(ctx, entry.revision.definition)
        if not entry.retired:
            if deployment is not None and deployment.status == "IN_PROGRESS" and entry.revision is deployment.goal \
                    and task.started_at is None:
                _failed_launch(ctx, deployment)
            if daemon.status == "ACTIVE":
                _drain(ctx, entry.instance)
    if deployment is not None and deployment.status in ROLLING and task.last_status in ("RUNNING", "STOPPED"):
        _advance(ctx, deployment)


task_engine.add_task_listener(_task_changed)
add_instance_listener(_instance_changed)
add_use_check(lambda store, definition: any(
    d.revision is not None and d.revision.definition is definition for d in store.daemons.values()))


def daemon_task_keys(ctx, cluster: Cluster, daemon_name: str, desired: str) -> SortedKeys:
    """The ids of the daemon's tasks whose desired status is ``desired`` (ListTasks ``daemonName``)."""
    daemon = ctx.store.daemons.get((cluster.name, daemon_name))
    if daemon is None:
        raise DaemonNotFoundException(DAEMON_NOT_FOUND)
    return daemon.listing.get(("desired", desired))


# -- request checks -----------------------------------------------------------------------------------------

def _daemon_key(ctx, value: str) -> tuple[str, str]:
    """(cluster name, daemon name) of a daemon ARN."""
    arn = arns.parse(value)
    parts = arn.resource.split("/") if arn is not None else []
    if arn is None or arn.service != "ecs" or len(parts) != 3 or parts[0] != "daemon" or not all(parts):
        raise InvalidParameterException(INVALID_DAEMON_ARN)
    if arn.region != ctx.region or arn.account != ctx.account:
        raise DaemonNotFoundException(DAEMON_NOT_FOUND)
    return parts[1], parts[2]


def _daemon(ctx, value: str) -> Daemon:
    cluster_name, name = _daemon_key(ctx, value)
    if cluster_name not in ctx.store.clusters:
        raise ClusterNotFoundException(CLUSTER_NOT_FOUND)
    daemon = ctx.store.daemons.get((cluster_name, name))
    if daemon is None:
        raise DaemonNotFoundException(DAEMON_NOT_FOUND)
    return daemon


def _active_daemon(ctx, value: str) -> Daemon:
    daemon = _daemon(ctx, value)
    if daemon.cluster.status != "ACTIVE":
        raise ClusterNotFoundException(CLUSTER_INACTIVE)
    if daemon.status != "ACTIVE":
        raise DaemonNotActiveException(DAEMON_NOT_ACTIVE)
    return daemon


def _definition(ctx, value: str) -> DaemonTaskDefinition:
    definition = find_daemon_task_definition(ctx, value)
    if definition is None:
        raise InvalidParameterException(DEFINITION_NOT_FOUND)
    if definition.status != "ACTIVE":
        raise InvalidParameterException(NOT_ACTIVE)
    return definition


def _providers(ctx, cluster: Cluster, values: list[str]) -> list[str]:
    if not values:
        raise InvalidParameterException(PROVIDERS_EMPTY)
    names = []
    for value in values:
        provider = find_capacity_provider(ctx, value)
        if provider is None or provider.status == "INACTIVE":
            raise InvalidParameterException(PROVIDER_NOT_FOUND)
        if provider.type != "MANAGED_INSTANCES":
            raise InvalidParameterException(PROVIDER_NOT_MANAGED)
        if provider.cluster != cluster.name and provider.name not in cluster.capacity_providers:
            raise InvalidParameterException(PROVIDER_NOT_ASSOCIATED)
        if provider.status not in ("ACTIVE", "PROVISIONING"):
            raise InvalidParameterException(PROVIDER_NOT_ACTIVE)
        if provider.name not in names:
            names.append(provider.name)
    return names


def _configuration(given: dict | None) -> dict:
    given = given or {}
    bake = given.get("bakeTimeInMinutes", 0)
    if not 0 <= bake <= MAX_BAKE_MINUTES:
        raise InvalidParameterException(BAKE_OUT_OF_RANGE)
    alarms = given.get("alarms") or {}
    return {"drainPercent": float(given.get("drainPercent", DEFAULT_DRAIN_PERCENT)),
            "alarms": {"alarmNames": list(alarms.get("alarmNames", [])), "enable": alarms.get("enable", False)},
            "bakeTimeInMinutes": bake}


def _response(daemon: Daemon, deployment: DaemonDeployment, with_update: bool = True) -> dict:
    return {"daemonArn": daemon.arn, "status": daemon.status, "createdAt": daemon.created_at,
            "updatedAt": daemon.updated_at if with_update else None, "deploymentArn": deployment.arn}


def _epoch(value) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() if isinstance(value, str) \
        else float(value)


# -- operations ---------------------------------------------------------------------------------------------

@ecs.operation("CreateDaemon")
def create_daemon(ctx: RequestContext, params: dict) -> dict:
    store, token = ctx.store, params.get("clientToken")
    if token is not None and len(token) > MAX_CLIENT_TOKEN:
        raise InvalidParameterException(TOKEN_TOO_LONG)
    digest = request_digest(params)
    if token is not None and token in store.daemon_tokens:
        known_digest, response = store.daemon_tokens[token]
        if known_digest != digest:
            raise InvalidParameterException(TOKEN_REUSED)
        return dict(response)
    name = params["daemonName"]
    if not RESOURCE_NAME.match(name):
        raise InvalidParameterException(INVALID_NAME)
    cluster = active_cluster(ctx, params.get("clusterArn"))
    if (cluster.name, name) in store.daemons:
        raise InvalidParameterException(NOT_IDEMPOTENT)
    definition = _definition(ctx, params["daemonTaskDefinitionArn"])
    providers = _providers(ctx, cluster, params["capacityProviderArns"])
    configuration = _configuration(params.get("deploymentConfiguration"))
    tags = tags_from_request(params.get("tags"))
    daemon = Daemon(name=name, arn=ctx.arn(f"daemon/{cluster.name}/{name}"), cluster=cluster, providers=providers,
                    configuration=configuration, tags=tags, created_at=ctx.now)
    store.daemons[(cluster.name, name)] = daemon
    deployment = _deploy(ctx, daemon, _new_revision(ctx, daemon, definition, params))
    response = _response(daemon, deployment, with_update=False)
    if token is not None:
        store.daemon_tokens[token] = (digest, response)
    return response


@ecs.operation("UpdateDaemon")
def update_daemon(ctx: RequestContext, params: dict) -> dict:
    daemon = _active_daemon(ctx, params["daemonArn"])
    definition = _definition(ctx, params["daemonTaskDefinitionArn"])
    providers = _providers(ctx, daemon.cluster, params["capacityProviderArns"])
    # Settings are not kept between updates: what the request omits returns to its default.
    daemon.configuration = _configuration(params.get("deploymentConfiguration"))
    daemon.providers, daemon.updated_at = providers, ctx.now
    previous = daemon.revision
    deployment = _deploy(ctx, daemon, _new_revision(ctx, daemon, definition, params))
    if previous is not None:
        settle_deletion(ctx, previous.definition)
    return _response(daemon, deployment)


@ecs.operation("DeleteDaemon")
def delete_daemon(ctx: RequestContext, params: dict) -> dict:
    daemon = _active_daemon(ctx, params["daemonArn"])
    daemon.status, daemon.updated_at = "DELETE_IN_PROGRESS", ctx.now
    deployment = _deploy(ctx, daemon, None)
    return _response(daemon, deployment)


@ecs.operation("DescribeDaemon")
def describe_daemon(ctx: RequestContext, params: dict) -> dict:
    return {"daemon": _daemon(ctx, params["daemonArn"]).describe()}


@ecs.operation("ListDaemons")
def list_daemons(ctx: RequestContext, params: dict) -> dict:
    cluster_name = existing_cluster(ctx, params["clusterArn"]).name if "clusterArn" in params else None
    wanted = None
    if "capacityProviderArns" in params:
        wanted = {resource_name(value, "capacity-provider") for value in params["capacityProviderArns"]}
    keys = sorted(key for key, daemon in ctx.store.daemons.items()
                  if (cluster_name is None or key[0] == cluster_name)
                  and (wanted is None or wanted.intersection(daemon.providers)))
    scope = hashlib.sha256(f"{cluster_name}|{sorted(wanted or [])}".encode()).hexdigest()[:16]
    page, token = paginate(params, keys, scope=f"daemons|{scope}")
    return {"daemonSummariesList": [ctx.store.daemons[tuple(key)].summary() for key in page], "nextToken": token}


def _describe_each(values: list[str], found_in: dict, empty: str, too_many: str) -> tuple[list, list]:
    """Describe*: each ARN's description, or a MISSING failure."""
    return describe_each(check_list(values, MAX_DESCRIBE, empty, too_many), found_in.get,
                         lambda item: item.describe())


@ecs.operation("DescribeDaemonDeployments")
def describe_daemon_deployments(ctx: RequestContext, params: dict) -> dict:
    found, failures = _describe_each(params["daemonDeploymentArns"], ctx.store.daemon_deployments,
                                     DEPLOYMENTS_EMPTY, TOO_MANY_DEPLOYMENTS)
    return {"daemonDeployments": found, "failures": failures}


@ecs.operation("ListDaemonDeployments")
def list_daemon_deployments(ctx: RequestContext, params: dict) -> dict:
    cluster_name, _ = _daemon_key(ctx, params["daemonArn"])
    if cluster_name not in ctx.store.clusters:
        raise ClusterNotFoundException(CLUSTER_NOT_FOUND)
    history = ctx.store.daemon_history.get(params["daemonArn"], [])
    statuses = set(params.get("status") or [])
    created = params.get("createdAt") or {}
    after = _epoch(created["after"]) if "after" in created else None
    before = _epoch(created["before"]) if "before" in created else None
    keys = []
    for ordinal in range(len(history) - 1, -1, -1):        # newest first
        deployment = ctx.store.daemon_deployments[history[ordinal]]
        if (not statuses or deployment.status in statuses) \
                and (after is None or deployment.created_at >= after) \
                and (before is None or deployment.created_at <= before):
            keys.append(-ordinal)
    scope = hashlib.sha256(f"{params['daemonArn']}|{sorted(statuses)}|{after}|{before}".encode()).hexdigest()[:16]
    page, token = paginate(params, keys, default=DEPLOYMENT_PAGE, scope=f"daemon-deployments|{scope}")
    return {"daemonDeployments": [ctx.store.daemon_deployments[history[-key]].summary() for key in page],
            "nextToken": token}


@ecs.operation("DescribeDaemonRevisions")
def describe_daemon_revisions(ctx: RequestContext, params: dict) -> dict:
    found, failures = _describe_each(params["daemonRevisionArns"], ctx.store.daemon_revisions,
                                     REVISIONS_EMPTY, TOO_MANY_REVISIONS)
    return {"daemonRevisions": found, "failures": failures}


@taggable("daemon", long_arn_segments=2)
def _daemon_for_tags(ctx: RequestContext, arn: str) -> Daemon:
    cluster_name, name = _daemon_key(ctx, arn)
    daemon = ctx.store.daemons.get((cluster_name, name))
    if daemon is None:
        raise ResourceNotFoundException(RESOURCE_NOT_FOUND)
    return daemon
