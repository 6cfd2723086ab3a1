"""The service scheduler: keeps a service's tasks at its desired count and rolls deployments.

It runs lazily on the clock, never in the background: when a service is created, changed or
read (:func:`schedule` / :func:`reconcile`), when one of its tasks changes state (a task
listener) and when a container instance changes status (an instance listener). Anything delayed
-- a task counted healthy, a throttled restart -- is an action on the store's timeline, so a
frozen clock steps through the same states every time.

REPLICA services (rolling update, ECS deployment controller)::

    upper = floor(desiredCount * maximumPercent / 100)      # tasks RUNNING or PENDING
    lower = ceil(desiredCount * minimumHealthyPercent / 100) # healthy tasks kept while replacing

The PRIMARY deployment starts tasks (startedBy its ``ecs-svc/`` id, group ``service:<name>``)
until it has ``desiredCount``, as far as ``upper`` allows; tasks of older deployments, and tasks
on DRAINING instances, are stopped (pending ones at once, healthy ones as far as ``lower``
allows), with stopCode ``ServiceSchedulerInitiated``. A task counts as healthy once it has been
RUNNING for ``ecs.service.task_healthy`` seconds (AWS waits 40 s for tasks without load-balancer
health checks; 0 under the instant timing). A replaced deployment disappears once its last task
is STOPPED; the PRIMARY is COMPLETED when it alone has ``desiredCount`` healthy tasks, and the
service then writes ``has reached a steady state.``

Failures: a task that stops with ``TaskFailedToStart`` or ``EssentialContainerExited`` before it
was healthy counts in its deployment's ``failedTasks`` until one of its tasks is healthy. With the
circuit breaker on, ``failedTasks`` reaching clamp(ceil(desired / 2), 3, 200) fails the rollout;
with rollback, a new deployment of the last COMPLETED revision replaces it. Failed starts also
throttle restarts: after 3 in a row, the next start waits 15 s, then 30 s, ... up to 15 min.

DAEMON services run one task on each ACTIVE container instance of their launch type (EC2 or
EXTERNAL; not the instances ECS Managed Instances launches for its capacity providers) that meets
the placement constraints; ``desiredCount`` follows the number of such instances. An instance that
registers gets its task in the same request (instance listeners hear of it as ``REGISTERING``).

A service deployment with the BLUE_GREEN, LINEAR or CANARY strategy runs its lifecycle stages
instead of a rolling update (:mod:`emulator.ecs.blue_green` registers them in :data:`STRATEGIES`):
while its lifecycle runs, that module decides which tasks run, and rollbacks of such deployments
(circuit breaker, StopServiceDeployment, lifecycle hooks) go through it.

Services with a CODE_DEPLOY or EXTERNAL deployment controller are not scheduled here: their task
sets run their tasks.
"""
from __future__ import annotations

import dataclasses
import math
from collections import Counter
from typing import Callable

from emulator.config import declare_duration
from emulator.ecs import container_instances, failures, service_events, task_engine  # failures first: its
from emulator.ecs.clusters import note_service_status                                  # listener runs first
from emulator.ecs.deployments import CIRCUIT_BREAKER_REASON, Deployment, completed_reason
from emulator.ecs.errors import InvalidParameterException
from emulator.ecs.task_definitions import release_task_definition
from emulator.ecs.task_engine import LifecycleContext

HEALTHY_WAIT = declare_duration("ecs.service.task_healthy", 40.0,
                                "service task RUNNING until the scheduler counts it healthy (minimum healthy "
                                "percent, circuit breaker)")
INACTIVE_RETENTION = 3600.0      # an INACTIVE service stays describable for an hour of clock time
RESTART_BURST = 3                # failed starts in a row before restarts are throttled
RESTART_BACKOFF = 15.0           # first throttled restart delay, doubling each time ...
RESTART_BACKOFF_MAX = 900.0      # ... up to this
MAX_PASSES = 20                  # reconcile passes per call (each pass can stop or start tasks)
FAILURE_STOP_CODES = (failures.FAILED_TO_START, failures.EXITED)
SCHEDULER_STOP = "ServiceSchedulerInitiated"


@dataclasses.dataclass(frozen=True)
class Strategy:
    """How a deployment strategy other than ROLLING runs a service deployment."""
    reconcile: Callable      # (ctx, service, record): the tasks and stages, while record.lifecycle_running
    roll_back: Callable      # (ctx, service, record, reason): back to the service's last completed revision


STRATEGIES: dict[str, Strategy] = {}     # deployment strategy -> how it runs (blue_green registers its three)


def scaling_reason(deployment_id: str) -> str:
    return f"Scaling activity initiated by (deployment {deployment_id})"


def failure_threshold(desired_count: int) -> int:
    return min(max(math.ceil(desired_count / 2), 3), 200)


def _context(ctx):
    return LifecycleContext(ctx.store, ctx.config, ctx.now)


# -- entry points ------------------------------------------------------------------------------------

def schedule(ctx, service) -> None:
    """Reconcile the service at the request's instant, once the request is done (as AWS acts after
    answering: CreateService and UpdateService return before any task starts)."""
    timer = service.reconcile_timer
    if timer is not None and not timer.cancelled and timer.when <= ctx.now:
        return
    store, config = ctx.store, ctx.config

    def run(at: float) -> None:
        service.reconcile_timer = None
        reconcile(LifecycleContext(store, config, at), service)
    service.reconcile_timer = store.timeline.at(ctx.now, run)


def reconcile(ctx, service) -> None:
    """Bring the service's tasks and deployments in line with what it asks for, now."""
    service.reconcile_loop.run(lambda: _reconcile_once(ctx, service), MAX_PASSES)


def _reconcile_once(ctx, service) -> None:
    if service.status == "INACTIVE":
        return
    if service.deployment_controller_type != "ECS":
        if service.status == "DRAINING":
            _drain_task_sets(ctx, service)
        return
    _drop_drained(ctx, service)
    if service.status == "DRAINING":
        _drain(ctx, service)
        return
    record = service.deployments[0].service_deployment
    if service.scheduling_strategy == "DAEMON":
        _reconcile_daemon(ctx, service)
    elif record.lifecycle_running:
        STRATEGIES[record.strategy].reconcile(ctx, service, record)
    else:
        _reconcile_replica(ctx, service)
    _check_progress(ctx, service)


# -- deployments ---------------------------------------------------------------------------------------

def add_deployment(ctx, service, deployment: Deployment) -> None:
    """Make ``deployment`` the PRIMARY one; the previous ones become ACTIVE and drain."""
    for previous in service.deployments:
        if previous.status == "PRIMARY":
            previous.status, previous.updated_at = "ACTIVE", ctx.now
    service.deployments.insert(0, deployment)
    ctx.store.task_definition_refs[deployment.task_definition.arn] += 1
    service.steady = False


def _release(ctx, deployment: Deployment) -> None:
    arn = deployment.task_definition.arn
    ctx.store.task_definition_refs[arn] -= 1
    release_task_definition(ctx.store, arn)


def _drop_drained(ctx, service) -> None:
    for deployment in list(service.deployments[1:]):
        if not deployment.tasks:
            service.deployments.remove(deployment)
            deployment.status = "INACTIVE"
            _release(ctx, deployment)


def _fail_rollout(ctx, service, deployment: Deployment) -> None:
    """The circuit breaker trips: the rollout FAILED, and with rollback the last completed revision returns."""
    deployment.rollout_state, deployment.rollout_state_reason = "FAILED", CIRCUIT_BREAKER_REASON
    deployment.updated_at = ctx.now
    service.events.add(ctx.now, service_events.deployment_failed(service.name, deployment.id))
    record = deployment.service_deployment
    record.breaker_status = "TRIGGERED"
    breaker = service.deployment_configuration["deploymentCircuitBreaker"]
    if record.rollback_deployment is deployment:           # the rollback itself failed
        record.set_status("ROLLBACK_FAILED", ctx.now, CIRCUIT_BREAKER_REASON)
        return
    target = service.last_completed_revision
    if breaker.get("rollback") and target is not None and deployment is service.deployments[0]:
        roll_back(ctx, service, record, CIRCUIT_BREAKER_REASON)
    else:
        record.set_status("STOPPED", ctx.now, CIRCUIT_BREAKER_REASON)


def roll_back(ctx, service, record, reason: str) -> None:
    """Roll the service deployment back to the service's last completed revision, as its strategy does."""
    strategy = STRATEGIES.get(record.strategy) if record.lifecycle is not None else None
    if strategy is not None:
        strategy.roll_back(ctx, service, record, reason)
    else:
        start_rollback(ctx, service, record, service.last_completed_revision, reason)


def start_rollback(ctx, service, record, target, reason: str) -> Deployment:
    """A new PRIMARY deployment of ``target`` (an earlier revision), driven by ``record``."""
    from emulator.ecs.deployments import revision_digits
    rollback = Deployment(f"ecs-svc/{revision_digits()}", target, service.desired_count, ctx.now, record)
    add_deployment(ctx, service, rollback)
    service.apply_revision(target)
    record.rollback_deployment = rollback
    record.rollback = {"reason": reason, "startedAt": ctx.now, "serviceRevisionArn": target.arn}
    record.set_status("ROLLBACK_IN_PROGRESS", ctx.now)
    service.events.add(ctx.now, service_events.rolling_back(service.name, rollback.id))
    service.reconcile_loop.again = True
    return rollback


def _check_progress(ctx, service) -> None:
    """COMPLETED and the steady state, once the PRIMARY alone has its desired count of healthy tasks."""
    primary = service.deployments[0]
    desired = service.desired_count
    if primary.service_deployment.lifecycle_running:     # its lifecycle stages are not over yet
        service.steady = False
        return
    settled = (len(service.deployments) == 1 and len(primary.tasks) == desired
               and sum(1 for t in primary.tasks.values() if primary.is_healthy(t)) == desired)
    if not settled:
        service.steady = False
        return
    if primary.rollout_state == "IN_PROGRESS":
        primary.rollout_state, primary.rollout_state_reason = "COMPLETED", completed_reason(primary.id)
        primary.updated_at = ctx.now
        primary.failed_tasks = 0
        service.last_completed_revision = primary.revision
        service.events.add(ctx.now, service_events.deployment_completed(service.name, primary.id))
        record = primary.service_deployment
        if record.rollback_deployment is primary:
            record.set_status("ROLLBACK_SUCCESSFUL", ctx.now)
        elif record.status == "IN_PROGRESS":
            record.set_status("SUCCESSFUL", ctx.now)
    if primary.rollout_state == "COMPLETED" and not service.steady:
        service.steady = True
        service.events.add(ctx.now, service_events.steady_state(service.name))


# -- starting and stopping tasks ---------------------------------------------------------------------

def task_tags(service, task_definition) -> dict[str, str]:
    from emulator.ecs.tasks import managed_tags
    if service.propagate_tags == "SERVICE":
        tags = dict(service.tags)
    elif service.propagate_tags == "TASK_DEFINITION":
        tags = dict(task_definition.tags)
    else:
        tags = {}
    if service.enable_ecs_managed_tags:
        tags.update(managed_tags(service.cluster, service.name))
    return tags


def can_launch(ctx, service, deployment: Deployment) -> bool:
    if deployment.rollout_state == "FAILED":
        return False
    if deployment.next_launch_at is not None and ctx.now < deployment.next_launch_at:
        if deployment.launch_timer is None or deployment.launch_timer.cancelled:
            store, config = ctx.store, ctx.config

            def retry(at: float) -> None:
                deployment.launch_timer = None
                reconcile(LifecycleContext(store, config, at), service)
            deployment.launch_timer = store.timeline.at(deployment.next_launch_at, retry)
        return False
    return True


def start_service_tasks(ctx, service, revision, count: int, started_by: str, *, instance=None,
                        provider_counts: Counter | None = None, announce: bool = True) -> list:
    """Start ``count`` tasks of ``revision`` for the service (deployments and task sets alike: its group,
    tags and execute-command setting) and write its events; the tasks placed."""
    task_definition = revision.task_definition
    try:
        tasks, unplaced = task_engine.start_tasks(
            ctx, service.cluster, task_definition, service.launch_for(revision), count,
            started_by=started_by, group=f"service:{service.name}", service_name=service.name,
            tags=task_tags(service, task_definition), enable_execute_command=service.enable_execute_command,
            container_instances=[instance] if instance is not None else None, provider_counts=provider_counts)
    except InvalidParameterException:          # an EC2 launch with no ACTIVE container instance
        service.events.add(ctx.now, service_events.unable_to_place(service.name, service_events.NO_INSTANCES_REASON),
                           repeat=False)
        return []
    if tasks and announce:
        service.events.add(ctx.now, service_events.started_tasks(service.name, [t.id for t in tasks]))
    if unplaced:
        service.events.add(ctx.now, service_events.unable_to_place(
            service.name, service_events.placement_reason(unplaced[0])), repeat=False)
    return tasks


def stop_service_tasks(ctx, service, tasks: list, started_by: str) -> None:
    """Stop tasks the service's ``started_by`` (deployment or task set) started, and write its events."""
    running = [t.id for t in tasks if t.last_status == "RUNNING"]
    pending = [t.id for t in tasks if t.last_status != "RUNNING"]
    for task in tasks:
        task_engine.stop_task(ctx, task, SCHEDULER_STOP, scaling_reason(started_by))
    if running:
        service.events.add(ctx.now, service_events.stopped_running_tasks(service.name, running))
    if pending:
        service.events.add(ctx.now, service_events.stopped_pending_tasks(service.name, pending))


def launch(ctx, service, deployment: Deployment, count: int = 1, instance=None, announce: bool = True) -> list:
    providers = Counter(t.capacity_provider for d in service.deployments for t in d.live_tasks()
                        if t.capacity_provider is not None)
    tasks = start_service_tasks(ctx, service, deployment.revision, count, deployment.id, instance=instance,
                                provider_counts=providers, announce=announce)
    for task in tasks:
        deployment.tasks[task.id] = task
    if tasks:
        deployment.updated_at = ctx.now
    return tasks


def stop(ctx, service, deployment: Deployment, tasks: list) -> None:
    if not tasks:
        return
    deployment.stops_seen.update(t.id for t in tasks)      # the scheduler's own stops are no failures
    stop_service_tasks(ctx, service, tasks, deployment.id)
    deployment.updated_at = ctx.now
    service.reconcile_loop.again = True


def stop_order(deployment: Deployment, tasks: list) -> list:
    """Which tasks to stop first: not yet running, then not healthy, then the newest."""
    return sorted(tasks, key=lambda t: (t.last_status == "RUNNING", deployment.is_healthy(t), -t.created_at))


# -- REPLICA -------------------------------------------------------------------------------------------

def _reconcile_replica(ctx, service) -> None:
    desired = service.desired_count
    configuration = service.deployment_configuration
    upper = desired * configuration["maximumPercent"] // 100
    lower = math.ceil(desired * configuration["minimumHealthyPercent"] / 100)
    primary, older = service.deployments[0], service.deployments[1:]

    # scale in: the PRIMARY keeps ``desired`` tasks off draining instances
    keep = [t for t in primary.live_tasks() if not t.on_draining_instance]
    if len(keep) > desired:
        stop(ctx, service, primary, stop_order(primary, keep)[:len(keep) - desired])
        return

    if primary.rollout_state == "FAILED":       # a failed rollout neither starts nor replaces tasks
        return
    # tasks being replaced: those of older deployments and those on draining instances
    replaced = [(d, t) for d in older for t in d.live_tasks()]
    replaced += [(primary, t) for t in primary.live_tasks() if t.on_draining_instance]
    unhealthy = [(d, t) for d, t in replaced if not d.is_healthy(t)]
    for deployment in {d for d, _ in unhealthy}:
        stop(ctx, service, deployment, [t for d, t in unhealthy if d is deployment])
    if unhealthy:
        return

    total = sum(len(d.live_tasks()) for d in service.deployments)
    room = min(desired - len(keep), upper - total)
    if room > 0 and can_launch(ctx, service, primary):
        launch(ctx, service, primary, room)

    healthy = sum(1 for d in service.deployments for t in d.live_tasks() if d.is_healthy(t))
    can_stop = healthy - lower
    if replaced and can_stop > 0:
        chosen = sorted(replaced, key=lambda pair: (pair[0] is primary, -pair[1].created_at))[:can_stop]
        for deployment in {d for d, _ in chosen}:
            stop(ctx, service, deployment, [t for d, t in chosen if d is deployment])


# -- DAEMON --------------------------------------------------------------------------------------------

def _eligible(service) -> list:
    launch = service.launch_for(service.deployments[0].revision)
    predicates = [predicate for kind, predicate in (launch.constraints if launch is not None else [])
                  if kind == "memberOf" and predicate is not None]
    launch_type = launch.launch_type if launch is not None else "EC2"
    return [i for i in task_engine.candidate_instances(service.cluster, launch_type)
            if all(predicate(i) for predicate in predicates)]


def _reconcile_daemon(ctx, service) -> None:
    primary = service.deployments[0]
    eligible = _eligible(service)
    if service.desired_count != len(eligible):
        service.desired_count = primary.desired_count = len(eligible)
        service.events.add(ctx.now, service_events.daemon_desired_count(service.name, len(eligible)))
    eligible_ids = {i.id for i in eligible}
    on_instance: dict[str, list] = {}
    for deployment in service.deployments:
        for task in deployment.tasks.values():
            if task.instance is not None:
                on_instance.setdefault(task.instance.id, []).append((deployment, task))
    for deployment in service.deployments:
        stop(ctx, service, deployment, [t for t in deployment.live_tasks()
                                         if t.instance is None or t.instance.id not in eligible_ids])
    launchable = can_launch(ctx, service, primary)
    launched, replaced = [], []
    for instance in eligible:
        here = on_instance.get(instance.id, [])
        live = [(d, t) for d, t in here if t.desired_status == "RUNNING"]
        mine = [t for d, t in live if d is primary]
        if len(mine) > 1:
            stop(ctx, service, primary, stop_order(primary, mine)[:len(mine) - 1])
        if launchable:
            replaced += [(d, t) for d, t in live if d is not primary]
            if not here:
                launched += launch(ctx, service, primary, instance=instance, announce=False)
    for deployment in {d for d, _ in replaced}:
        stop(ctx, service, deployment, [t for d, t in replaced if d is deployment])
    if launched:
        service.events.add(ctx.now, service_events.started_tasks(service.name, [t.id for t in launched]))


# -- DRAINING -> INACTIVE ------------------------------------------------------------------------------

def _drain(ctx, service) -> None:
    for deployment in service.deployments:
        stop(ctx, service, deployment, stop_order(deployment, deployment.live_tasks()))
    busy = [t for d in service.deployments for t in d.tasks.values()
            if t.last_status not in ("STOPPING", "DEPROVISIONING", "STOPPED")]
    if not busy:
        make_inactive(ctx, service)


def _drain_task_sets(ctx, service) -> None:
    """DeleteService of a CODE_DEPLOY or EXTERNAL service: stop whatever tasks it still has."""
    running = task_engine.tasks_of(ctx, service.cluster, service_name=service.name)
    for task in running:
        task_engine.stop_task(ctx, task, SCHEDULER_STOP, f"Service {service.name} was deleted.")
    stopping = task_engine.tasks_of(ctx, service.cluster, service_name=service.name, desired="STOPPED")
    if not any(t.last_status not in ("STOPPING", "DEPROVISIONING", "STOPPED") for t in stopping):
        make_inactive(ctx, service)


def make_inactive(ctx, service) -> None:
    note_service_status(service.cluster, service.counted_launch_type, service.status, None)
    service.status = "INACTIVE"
    for deployment in service.deployments:
        _release(ctx, deployment)
    for record in service.service_deployments:
        if not record.finished:
            record.set_status("STOPPED", ctx.now)
    cluster, store = service.cluster, ctx.store

    def purge(_at: float) -> None:
        if cluster.services.get(service.name) is service:
            del cluster.services[service.name]
    store.timeline.at(ctx.now + INACTIVE_RETENTION, purge)


# -- task and instance listeners -----------------------------------------------------------------------

def _task_failed(ctx, service, deployment: Deployment) -> None:
    if not deployment.breaker_settled and deployment.rollout_state == "IN_PROGRESS":
        deployment.failed_tasks += 1
        breaker = service.deployment_configuration["deploymentCircuitBreaker"]
        if breaker.get("enable") and deployment.failed_tasks >= failure_threshold(deployment.desired_count) \
                and deployment is service.deployments[0]:
            _fail_rollout(ctx, service, deployment)
    deployment.consecutive_failures += 1
    over = deployment.consecutive_failures - RESTART_BURST
    if over >= 0 and deployment.rollout_state != "FAILED":
        deployment.next_launch_at = ctx.now + min(RESTART_BACKOFF * 2 ** over, RESTART_BACKOFF_MAX)
        if over == 0:
            service.events.add(ctx.now, service_events.unable_to_start_consistently(service.name))


def _became_healthy(service, deployment: Deployment, task) -> None:
    deployment.healthy.add(task.id)
    deployment.consecutive_failures = 0
    deployment.next_launch_at = None
    if not deployment.breaker_settled:
        deployment.breaker_settled = True
        deployment.failed_tasks = 0


def _task_running(ctx, service, deployment: Deployment, task) -> None:
    for target_group in deployment.revision.target_groups():
        service.events.add(ctx.now, service_events.registered_targets(service.name, 1, target_group))
    wait = ctx.duration(HEALTHY_WAIT)
    if wait <= 0:
        _became_healthy(service, deployment, task)
        return
    store, config = ctx.store, ctx.config

    def check(at: float) -> None:
        if deployment.tasks.get(task.id) is task and task.desired_status == "RUNNING" \
                and task.last_status == "RUNNING":
            _became_healthy(service, deployment, task)
            schedule(LifecycleContext(store, config, at), service)
    store.timeline.at(ctx.now + wait, check)


def owner_of(task):
    """(service, deployment) that started the task, or (None, None)."""
    if task.service_name is None or not task.started_by:
        return None, None
    service = task.cluster.services.get(task.service_name)
    if service is None:
        return None, None
    for deployment in service.deployments:
        if deployment.id == task.started_by and deployment.tasks.get(task.id) is task:
            return service, deployment
    return service, None


def _task_changed(ctx, task, previous: str) -> None:
    service, deployment = owner_of(task)
    if deployment is None:
        if service is not None and service.status == "DRAINING":
            schedule(ctx, service)
        return
    if task.desired_status == "STOPPED" and task.id not in deployment.stops_seen:
        deployment.stops_seen.add(task.id)
        if task.stop_code in FAILURE_STOP_CODES and task.id not in deployment.healthy:
            _task_failed(ctx, service, deployment)
    elif task.last_status == "RUNNING" and previous != "RUNNING" and task.desired_status == "RUNNING":
        _task_running(ctx, service, deployment, task)
    if task.last_status == "STOPPED":
        deployment.tasks.pop(task.id, None)
        deployment.healthy.discard(task.id)
        deployment.stops_seen.discard(task.id)
    schedule(ctx, service)     # after every change due at this instant, so the scheduler acts on them at once


def _instance_changed(ctx, instance, previous: str) -> None:
    for service in list(instance.cluster.services.values()):
        if service.status not in ("ACTIVE", "DRAINING"):
            continue
        if previous == "REGISTERING" and service.scheduling_strategy != "DAEMON":
            # other services get a new instance once the work that registered it is done: an instance
            # ECS Managed Instances launches is for the task being placed
            schedule(ctx, service)
        else:
            reconcile(_context(ctx), service)


task_engine.add_task_listener(_task_changed)
container_instances.add_instance_listener(_instance_changed)
