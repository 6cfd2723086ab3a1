"""ECS task sets: CreateTaskSet, UpdateTaskSet, DeleteTaskSet, DescribeTaskSets, UpdateServicePrimaryTaskSet.

Services with an EXTERNAL or CODE_DEPLOY deployment controller run their tasks in task sets
(``service.task_sets``; their ``deployments`` stay ``[]``). A task set (``ecs-svc/<19 digits>``,
``task-set/<cluster>/<service>/ecs-svc/<digits>``) runs one configuration -- task definition, launch
type or capacity providers, network, load balancers: a service revision -- and keeps
``computedDesiredCount = ceil(service desiredCount * scale / 100)`` tasks running, started with
``startedBy`` its id. Its status is ACTIVE when created, PRIMARY once UpdateServicePrimaryTaskSet
makes it so (the service then reports the task set's configuration), DRAINING after DeleteTaskSet
until its last task is STOPPED, when it leaves the service. ``stabilityStatus`` is STEADY_STATE when
the running tasks match ``computedDesiredCount``, none is pending, stopping or on a DRAINING
instance, else STABILIZING; ``stabilityStatusAt`` is when it last changed.

A CODE_DEPLOY service starts with a PRIMARY task set of its task definition at 100 percent (what
CreateService does for it); further task sets are CodeDeploy's, ``startedBy: CODE_DEPLOY``.

Like the service scheduler, task sets act after the request that changes them (on the store's
timeline at the request's instant) and again whenever one of their tasks or container instances
changes: a task that stops is replaced at once. :func:`reconcile_service` brings a service's task
sets in line with its desiredCount; UpdateService runs it in the same request (the ``updated`` hook
of ``services.CONTROLLER_HOOKS``), so every task set's computedDesiredCount and tasks follow a new
desiredCount at once.
"""
from __future__ import annotations

import copy
import math

from emulator.core import arns
from emulator.core.service import RequestContext
from emulator.ecs import container_instances, scheduler, services, task_engine
from emulator.ecs.clusters import CLUSTER_NOT_FOUND, active_cluster
from emulator.ecs.common import ReentrantLoop, request_digest, tags_out
from emulator.ecs.indexes import describe_each
from emulator.ecs.deployments import revision_digits
from emulator.ecs.errors import (ClusterNotFoundException, InvalidParameterException, ResourceNotFoundException,
                                TaskSetNotFoundException)
from emulator.ecs.service import ecs
from emulator.ecs.tags import RESOURCE_NOT_FOUND, taggable, tags_from_request
from emulator.ecs.task_definitions import usable_task_definition
from emulator.ecs.task_engine import STARTING, LaunchSpec, LifecycleContext, Task, resolve_launch

MAX_TASK_SETS = 5
MAX_CLIENT_TOKEN = 36
SCALE_RANGE = (0.0, 100.0)
CODE_DEPLOY_STARTED_BY = "CODE_DEPLOY"

EXTERNAL_ONLY = ("Amazon ECS only supports task set management on services configured to use external deployment "
                 "controllers.")
TOO_MANY_TASK_SETS = ("5 deployments exist on the service. Unable to create new TaskSet since this exceeds the "
                      "maximum limit.")
TASK_SET_IDENTIFIER_INVALID = "Task Set Identifier is invalid"
TASK_SETS_EMPTY = "TaskSets cannot be empty."
# By analogy with "Service not found." and "The service cannot be stopped while it is scaled above 0."
TASK_SET_NOT_FOUND = "Task set not found."
SCALED_ABOVE_ZERO = "The task set cannot be deleted while it is scaled above 0."
TASK_SET_DRAINING = "The task set is being deleted and cannot be changed."
SCALE_OUT_OF_RANGE = "scale value must be between 0 and 100."
TOKEN_TOO_LONG = "clientToken can have at most 36 characters."
TOKEN_REUSED = "The clientToken is already in use with a different CreateTaskSet request."


class TaskSet:
    def __init__(self, *, digits: str, arn: str, service, revision, scale: dict, external_id: str | None,
                 started_by: str | None, created_at: float, tags: dict[str, str]) -> None:
        self.id, self.arn, self.service, self.revision = f"ecs-svc/{digits}", arn, service, revision
        self.scale, self.external_id, self.started_by = scale, external_id, started_by
        self.created_at = self.updated_at = self.stability_at = created_at
        self.tags = tags
        self.status = "ACTIVE"
        self.computed = 0                          # computedDesiredCount, as of the last reconciliation
        self.stability = "STABILIZING"
        self.tasks: dict[str, Task] = {}           # task id -> its tasks not STOPPED yet (the service counts them)
        self.client_token: str | None = None
        self.request_digest: str | None = None
        self.reconcile_loop = ReentrantLoop()

    def wanted(self) -> int:
        if self.status == "DRAINING" or self.service.status != "ACTIVE":
            return 0
        # round first: 3 * 33.33 / 100 is 0.9999, one task, not 0.99990000000001 rounded up
        return math.ceil(round(self.service.desired_count * self.scale["value"] / 100, 6))

    def describe(self, include_tags: bool = False) -> dict:
        revision = self.revision
        tasks = self.tasks.values()
        out = {
            "id": self.id, "taskSetArn": self.arn, "serviceArn": self.service.arn,
            "clusterArn": self.service.cluster.arn, "startedBy": self.started_by, "externalId": self.external_id,
            "status": self.status, "taskDefinition": revision.task_definition.arn,
            "computedDesiredCount": self.computed,
            "pendingCount": sum(1 for t in tasks if t.last_status in STARTING),
            "runningCount": sum(1 for t in tasks if t.last_status == "RUNNING"),
            "createdAt": self.created_at, "updatedAt": self.updated_at,
            "platformVersion": revision.platform_version, "platformFamily": revision.platform_family,
            "networkConfiguration": copy.deepcopy(revision.network_configuration),
            "loadBalancers": copy.deepcopy(revision.load_balancers),
            "serviceRegistries": copy.deepcopy(revision.service_registries),
            "scale": dict(self.scale), "stabilityStatus": self.stability, "stabilityStatusAt": self.stability_at,
        }
        out.update(revision.launch_members())
        if include_tags:
            out["tags"] = tags_out(self.tags)
        return out


# -- running the tasks ------------------------------------------------------------------------------------

def _launch(ctx, task_set: TaskSet, count: int) -> None:
    for task in scheduler.start_service_tasks(ctx, task_set.service, task_set.revision, count, task_set.id):
        task_set.tasks[task.id] = task


def _stop(ctx, task_set: TaskSet, tasks: list[Task]) -> None:
    scheduler.stop_service_tasks(ctx, task_set.service, tasks, task_set.id)


def _settle_stability(ctx, task_set: TaskSet) -> None:
    tasks = list(task_set.tasks.values())
    steady = (sum(1 for t in tasks if t.last_status == "RUNNING") == task_set.computed
              and all(t.desired_status == "RUNNING" and t.last_status == "RUNNING" and not t.on_draining_instance
                      for t in tasks))
    status = "STEADY_STATE" if steady else "STABILIZING"
    if status != task_set.stability:
        task_set.stability, task_set.stability_at = status, ctx.now


def _reconcile_once(ctx, task_set: TaskSet) -> None:
    service = task_set.service
    if service.status == "INACTIVE":
        return
    if service.status == "ACTIVE" or task_set.status == "DRAINING":
        task_set.computed = task_set.wanted()
        live = [t for t in task_set.tasks.values() if t.desired_status == "RUNNING"]
        kept = [t for t in live if not t.on_draining_instance]
        if len(kept) < task_set.computed:
            _launch(ctx, task_set, task_set.computed - len(kept))
        # tasks on draining instances go once their replacements run; extra tasks go at once,
        # those not running yet first, then the newest
        replaced = sum(1 for t in task_set.tasks.values() if t.desired_status == "RUNNING"
                       and t.last_status == "RUNNING" and not t.on_draining_instance) >= task_set.computed
        extra = sorted(kept, key=lambda t: (t.last_status == "RUNNING", -t.created_at))[:max(0, len(kept)
                                                                                         - task_set.computed)]
        _stop(ctx, task_set, extra + ([t for t in live if t.on_draining_instance] if replaced else []))
    if task_set.status == "DRAINING" and not task_set.tasks and task_set in service.task_sets:
        service.task_sets.remove(task_set)
    _settle_stability(ctx, task_set)


def reconcile(ctx, task_set: TaskSet) -> None:
    """Bring the task set's tasks in line with its computed desired count, now."""
    task_set.reconcile_loop.run(lambda: _reconcile_once(ctx, task_set))


def reconcile_service(ctx, service) -> None:
    """All the service's task sets (e.g. after its desiredCount changed)."""
    for task_set in list(service.task_sets):
        reconcile(ctx, task_set)


def _schedule(ctx, task_set: TaskSet) -> None:
    """Reconcile once the request is answered (CreateTaskSet returns before any task starts)."""
    store, config = ctx.store, ctx.config
    store.timeline.at(ctx.now, lambda at: reconcile(LifecycleContext(store, config, at), task_set))


def _owner(task: Task) -> TaskSet | None:
    if task.service_name is None or not task.started_by:
        return None
    service = task.cluster.services.get(task.service_name)
    if service is None or service.deployment_controller_type == "ECS":
        return None
    return next((s for s in service.task_sets if s.id == task.started_by and s.tasks.get(task.id) is task), None)


def _task_changed(ctx, task: Task, previous: str) -> None:
    task_set = _owner(task)
    if task_set is None:
        return
    if task.last_status == "STOPPED":
        del task_set.tasks[task.id]
    reconcile(ctx, task_set)


def _instance_changed(ctx, instance, previous: str) -> None:
    for service in list(instance.cluster.services.values()):
        if service.deployment_controller_type == "ECS" or service.status == "INACTIVE":
            continue
        if previous == "REGISTERING":           # as the service scheduler: once the registering work is done
            for task_set in service.task_sets:
                _schedule(ctx, task_set)
        else:
            reconcile_service(LifecycleContext(ctx.store, ctx.config, ctx.now), service)


task_engine.add_task_listener(_task_changed)
container_instances.add_instance_listener(_instance_changed)


# -- request checks ---------------------------------------------------------------------------------------

def _service(ctx, params: dict):
    cluster = active_cluster(ctx, params["cluster"])
    service = services.active_service(ctx, cluster, params["service"])
    if service.deployment_controller_type == "ECS":
        raise InvalidParameterException(EXTERNAL_ONLY)
    return service


def _task_set_digits(ctx, service, value: str) -> str:
    """The 19 digits of a task set id (``ecs-svc/<digits>``) or ARN of the service."""
    arn = arns.parse(value)
    if arn is not None:
        parts = arn.resource.split("/")
        if arn.service != "ecs" or len(parts) != 5 or parts[0] != "task-set" or parts[3] != "ecs-svc":
            raise InvalidParameterException(TASK_SET_IDENTIFIER_INVALID)
        if (parts[1], parts[2]) != (service.cluster.name, service.name) \
                or arn.region != ctx.region or arn.account != ctx.account:
            raise TaskSetNotFoundException(TASK_SET_NOT_FOUND)
        value = f"{parts[3]}/{parts[4]}"
    prefix, _, digits = value.partition("/")
    if prefix != "ecs-svc" or not digits.isdigit():
        raise InvalidParameterException(TASK_SET_IDENTIFIER_INVALID)
    return digits


def _find(service, digits: str) -> TaskSet | None:
    return next((s for s in service.task_sets if s.id == f"ecs-svc/{digits}"), None)


def _task_set(ctx, service, value: str, changing: bool = True) -> TaskSet:
    task_set = _find(service, _task_set_digits(ctx, service, value))
    if task_set is None:
        raise TaskSetNotFoundException(TASK_SET_NOT_FOUND)
    if changing and task_set.status == "DRAINING":
        raise InvalidParameterException(TASK_SET_DRAINING)
    return task_set


def _scale(given: dict | None) -> dict:
    scale = {"value": float((given or {}).get("value", 0.0)), "unit": (given or {}).get("unit", "PERCENT")}
    if not SCALE_RANGE[0] <= scale["value"] <= SCALE_RANGE[1]:
        raise InvalidParameterException(SCALE_OUT_OF_RANGE)
    return scale


def _add(ctx, service, revision, scale: dict, *, external_id: str | None, started_by: str | None,
         tags: dict[str, str]) -> TaskSet:
    digits = revision_digits()
    task_set = TaskSet(digits=digits, arn=ctx.arn(f"task-set/{service.cluster.name}/{service.name}/ecs-svc/{digits}"),
                       service=service, revision=revision, scale=scale, external_id=external_id,
                       started_by=started_by, created_at=ctx.now, tags=tags)
    service.task_sets.append(task_set)
    _schedule(ctx, task_set)
    return task_set


def _make_primary(ctx, task_set: TaskSet) -> None:
    """The task set serves production traffic; the service reports its configuration."""
    service = task_set.service
    for other in service.task_sets:
        if other.status == "PRIMARY" and other is not task_set:
            other.status, other.updated_at = "ACTIVE", ctx.now
    task_set.status, task_set.updated_at = "PRIMARY", ctx.now
    service.revisions[task_set.revision.arn] = task_set.revision
    service.apply_revision(task_set.revision)


def _code_deploy_task_set(ctx, service) -> None:
    """CreateService of a CODE_DEPLOY service: its first task set, PRIMARY at 100 percent."""
    task_set = _add(ctx, service, service.revision, {"value": 100.0, "unit": "PERCENT"}, external_id=None,
                    started_by=None, tags={})
    _make_primary(ctx, task_set)


services.CONTROLLER_HOOKS["CODE_DEPLOY"] = services.ControllerHooks(created=_code_deploy_task_set,
                                                                    updated=reconcile_service)
services.CONTROLLER_HOOKS["EXTERNAL"] = services.ControllerHooks(updated=reconcile_service)


# -- operations ---------------------------------------------------------------------------------------------

@ecs.operation("CreateTaskSet")
def create_task_set(ctx: RequestContext, params: dict) -> dict:
    service = _service(ctx, params)
    token, digest = params.get("clientToken"), request_digest(params)
    if token is not None:
        if len(token) > MAX_CLIENT_TOKEN:
            raise InvalidParameterException(TOKEN_TOO_LONG)
        known = next((s for s in service.task_sets if s.client_token == token), None)
        if known is not None:
            if known.request_digest != digest:
                raise InvalidParameterException(TOKEN_REUSED)
            return {"taskSet": known.describe(include_tags=True)}
    if len(service.task_sets) >= MAX_TASK_SETS:
        raise InvalidParameterException(TOO_MANY_TASK_SETS)
    task_definition = usable_task_definition(ctx, params["taskDefinition"])
    scale = _scale(params.get("scale"))
    launch_type, strategy = params.get("launchType"), params.get("capacityProviderStrategy")
    if not launch_type and not strategy:        # the service's own launch settings, when it has them
        launch_type, strategy = service.revision.launch_type, service.revision.capacity_provider_strategy
    launch = resolve_launch(ctx, service.cluster, task_definition, LaunchSpec(
        launch_type=launch_type, capacity_provider_strategy=strategy, platform_version=params.get("platformVersion"),
        network_configuration=params.get("networkConfiguration")))
    services.check_load_balancers(task_definition, params.get("loadBalancers") or [])
    tags = tags_from_request(params.get("tags"))
    revision = services.new_revision(ctx, service, task_definition, launch, launch_type=launch_type,
                                      platform_version=params.get("platformVersion"),
                                      network_configuration=params.get("networkConfiguration"), members=params)
    started_by = CODE_DEPLOY_STARTED_BY if service.deployment_controller_type == "CODE_DEPLOY" else None
    task_set = _add(ctx, service, revision, scale, external_id=params.get("externalId"), started_by=started_by,
                    tags=tags)
    task_set.client_token, task_set.request_digest = token, digest
    return {"taskSet": task_set.describe(include_tags=True)}


@ecs.operation("UpdateTaskSet")
def update_task_set(ctx: RequestContext, params: dict) -> dict:
    service = _service(ctx, params)
    task_set = _task_set(ctx, service, params["taskSet"])
    task_set.scale, task_set.updated_at = _scale(params["scale"]), ctx.now
    _schedule(ctx, task_set)
    return {"taskSet": task_set.describe()}


@ecs.operation("UpdateServicePrimaryTaskSet")
def update_service_primary_task_set(ctx: RequestContext, params: dict) -> dict:
    service = _service(ctx, params)
    task_set = _task_set(ctx, service, params["primaryTaskSet"])
    if task_set.status != "PRIMARY":
        _make_primary(ctx, task_set)
    return {"taskSet": task_set.describe()}


@ecs.operation("DeleteTaskSet")
def delete_task_set(ctx: RequestContext, params: dict) -> dict:
    service = _service(ctx, params)
    task_set = _task_set(ctx, service, params["taskSet"], changing=False)
    if task_set.status != "DRAINING":
        if task_set.scale["value"] > 0 and not params.get("force"):
            raise InvalidParameterException(SCALED_ABOVE_ZERO)
        task_set.status, task_set.updated_at = "DRAINING", ctx.now
        _schedule(ctx, task_set)
    return {"taskSet": task_set.describe()}


@ecs.operation("DescribeTaskSets")
def describe_task_sets(ctx: RequestContext, params: dict) -> dict:
    service = _service(ctx, params)
    include_tags = "TAGS" in params.get("include", [])
    if not params.get("taskSets"):
        raise InvalidParameterException(TASK_SETS_EMPTY)
    reconcile_service(ctx, service)
    found, failures = describe_each(
        params["taskSets"], lambda value: _find(service, _task_set_digits(ctx, service, value)),
        lambda task_set: task_set.describe(include_tags),
        lambda value: value if value.startswith("arn:") else ctx.arn(
            f"task-set/{service.cluster.name}/{service.name}/{value}"))
    return {"taskSets": found, "failures": failures}


@taggable("task-set", long_arn_segments=4)
def _task_set_for_tags(ctx: RequestContext, arn: str) -> TaskSet:
    parts = arns.parse(arn).resource.split("/")
    cluster = ctx.store.clusters.get(parts[1])
    if cluster is None:
        raise ClusterNotFoundException(CLUSTER_NOT_FOUND)
    service = cluster.services.get(parts[2]) if len(parts) == 5 else None
    task_set = _find(service, parts[4]) if service is not None and parts[3] == "ecs-svc" else None
    if task_set is None:
        raise ResourceNotFoundException(RESOURCE_NOT_FOUND)
    return task_set
