"""Service deployments and revisions: ListServiceDeployments, DescribeServiceDeployments,
DescribeServiceRevisions, StopServiceDeployment, ContinueServiceDeployment.

Every CreateService and every UpdateService that needs new tasks makes a service deployment
(:class:`emulator.ecs.deployments.ServiceDeployment`) towards a new service revision; the
scheduler moves it through IN_PROGRESS -> SUCCESSFUL, STOPPED (a newer deployment started, or the
circuit breaker failed it without rollback) or ROLLBACK_IN_PROGRESS -> ROLLBACK_SUCCESSFUL /
ROLLBACK_FAILED. A deleted service's deployments go with it: once the service is INACTIVE they are
no longer listed nor described.

StopServiceDeployment with ``ROLLBACK`` (the default) moves an unfinished deployment to
ROLLBACK_REQUESTED, and at once the rollback to the service's last completed revision starts
(ROLLBACK_IN_PROGRESS): a new deployment of it (ROLLING), or blue taking the traffic back (BLUE_GREEN,
LINEAR, CANARY: :mod:`emulator.ecs.blue_green`).

ContinueServiceDeployment acts on a PAUSE lifecycle hook that is AWAITING_ACTION: ``CONTINUE`` (the
default) lets the deployment go on to its next stage, ``ROLLBACK`` rolls it back. Its errors, in the
order they are checked: ServiceDeploymentNotFoundException; InvalidParameterException when the
deployment is not IN_PROGRESS, when no hook of it is paused, when ``hookId`` is not the paused hook,
and for ROLLBACK when the service has no completed revision to roll back to.
"""
from __future__ import annotations

from datetime import datetime

from emulator.core import arns
from emulator.core.service import RequestContext
from emulator.ecs import blue_green, scheduler
from emulator.ecs.clusters import existing_cluster
from emulator.ecs.errors import ConflictException, InvalidParameterException, ServiceDeploymentNotFoundException
from emulator.ecs.indexes import SortedKeys, check_list, describe_each, keyset_page
from emulator.ecs.express_gateway import ecs_managed_resources
from emulator.ecs.service import ecs
from emulator.ecs.services import live_service
from emulator.ecs.task_engine import LifecycleContext

MAX_DESCRIBE = 20
SERVICE_DEPLOYMENT_NOT_FOUND = "Service deployment not found."
DEPLOYMENTS_EMPTY = "serviceDeploymentArns cannot be empty."
TOO_MANY_DEPLOYMENTS = "serviceDeploymentArns can have at most 20 items."
REVISIONS_EMPTY = "serviceRevisionArns cannot be empty."
TOO_MANY_REVISIONS = "serviceRevisionArns can have at most 20 items."
NOT_STOPPABLE = "The service deployment is {status} and can't be stopped."
NOTHING_TO_ROLL_BACK_TO = "The service has no completed service revision to roll back to."
ABORT_NOT_SUPPORTED = "The ABORT stop type isn't supported for service deployments that use the {strategy} strategy."
NOT_IN_PROGRESS = ("The service deployment is {status}. Only an IN_PROGRESS service deployment can be "
                   "continued.")                                                      # (own wording)
NOT_PAUSED = "The service deployment has no lifecycle hook waiting for an action."   # (own wording)
ROLLBACK_REQUESTED_REASON = "Service deployment rolled back because StopServiceDeployment was called."
INVALID_TIMESTAMP = "Invalid createdAt timestamp: {value}"


def no_paused_hook(hook_id: str) -> str:
    return f"The service deployment has no lifecycle hook {hook_id} waiting for an action."   # (own wording)


# -- lookups -------------------------------------------------------------------------------------------

def _owner(ctx, arn: str, kind: str):
    """(service, last ARN segment) of a ``<kind>/<cluster>/<service>/<id>`` ARN of a live service."""
    parsed = arns.parse(arn)
    if parsed is None or parsed.service != "ecs" or parsed.region != ctx.region or parsed.account != ctx.account:
        return None, None
    resource_kind, _, rest = parsed.resource.partition("/")
    parts = rest.split("/")
    if resource_kind != kind or len(parts) != 3 or not all(parts):
        return None, None
    cluster = ctx.store.clusters.get(parts[0])
    service = cluster.services.get(parts[1]) if cluster is not None else None
    if service is None or service.status == "INACTIVE":
        return None, None
    return service, parts[2]


def find_service_deployment(ctx, arn: str):
    service, _ = _owner(ctx, arn, "service-deployment")
    if service is None:
        return None
    return next((record for record in service.service_deployments if record.arn == arn), None)


def find_service_revision(ctx, arn: str):
    service, _ = _owner(ctx, arn, "service-revision")
    return service.revisions.get(arn) if service is not None else None


def _timestamp(value) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise InvalidParameterException(INVALID_TIMESTAMP.format(value=value)) from None


# -- operations ----------------------------------------------------------------------------------------

@ecs.operation("ListServiceDeployments")
def list_service_deployments(ctx: RequestContext, params: dict) -> dict:
    cluster = existing_cluster(ctx, params.get("cluster"))
    service = live_service(ctx, cluster, params["service"])
    statuses = set(params.get("status") or [])
    window = params.get("createdAt") or {}
    after = _timestamp(window["after"]) if window.get("after") is not None else None
    before = _timestamp(window["before"]) if window.get("before") is not None else None
    records = service.service_deployments

    def accept(key: int) -> bool:
        record = records[-key - 1]
        return ((not statuses or record.status in statuses)
                and (after is None or record.created_at >= after)
                and (before is None or record.created_at <= before))
    keys = SortedKeys(range(len(records)))          # 0 is the newest
    scope = f"sd|{service.arn}|{sorted(statuses)}|{after}|{before}"
    page, token = keyset_page(params, keys, scope=scope, accept=accept, default=20)
    return {"serviceDeployments": [records[-key - 1].brief() for key in page], "nextToken": token}


@ecs.operation("DescribeServiceDeployments")
def describe_service_deployments(ctx: RequestContext, params: dict) -> dict:
    values = check_list(params["serviceDeploymentArns"], MAX_DESCRIBE, DEPLOYMENTS_EMPTY, TOO_MANY_DEPLOYMENTS)

    def describe(record) -> dict:
        scheduler.reconcile(ctx, record.service)
        return record.describe()
    found, failures = describe_each(values, lambda arn: find_service_deployment(ctx, arn), describe)
    return {"serviceDeployments": found, "failures": failures}


@ecs.operation("DescribeServiceRevisions")
def describe_service_revisions(ctx: RequestContext, params: dict) -> dict:
    values = check_list(params["serviceRevisionArns"], MAX_DESCRIBE, REVISIONS_EMPTY, TOO_MANY_REVISIONS)

    def describe(revision) -> dict:
        # an Express service's revision also lists the infrastructure ECS manages for it
        return {**revision.describe(), "ecsManagedResources": ecs_managed_resources(ctx.store, revision.arn)}
    found, failures = describe_each(values, lambda arn: find_service_revision(ctx, arn), describe)
    return {"serviceRevisions": found, "failures": failures}


@ecs.operation("StopServiceDeployment")
def stop_service_deployment(ctx: RequestContext, params: dict) -> dict:
    arn = params["serviceDeploymentArn"]
    record = find_service_deployment(ctx, arn)
    if record is None:
        raise ServiceDeploymentNotFoundException(SERVICE_DEPLOYMENT_NOT_FOUND)
    if params.get("stopType", "ROLLBACK") == "ABORT":
        raise InvalidParameterException(ABORT_NOT_SUPPORTED.format(strategy=record.strategy))
    if record.status in ("STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"):
        return {"serviceDeploymentArn": arn}          # already stopping: it carries on
    if record.finished:
        raise ConflictException(NOT_STOPPABLE.format(status=record.status), resourceIds=[arn])
    service = record.service
    target = service.last_completed_revision
    if target is None:
        raise ConflictException(NOTHING_TO_ROLL_BACK_TO, resourceIds=[arn])
    record.set_status("ROLLBACK_REQUESTED", ctx.now)
    store, config = ctx.store, ctx.config

    def roll_back(at: float) -> None:
        later = LifecycleContext(store, config, at)
        if record.status == "ROLLBACK_REQUESTED" and service.status == "ACTIVE":
            scheduler.roll_back(later, service, record, ROLLBACK_REQUESTED_REASON)
            scheduler.reconcile(later, service)
    store.timeline.at(ctx.now, roll_back)
    return {"serviceDeploymentArn": arn}


@ecs.operation("ContinueServiceDeployment")
def continue_service_deployment(ctx: RequestContext, params: dict) -> dict:
    arn, hook_id = params["serviceDeploymentArn"], params["hookId"]
    record = find_service_deployment(ctx, arn)
    if record is None:
        raise ServiceDeploymentNotFoundException(SERVICE_DEPLOYMENT_NOT_FOUND)
    scheduler.reconcile(ctx, record.service)           # act on the deployment as it is now
    if record.status != "IN_PROGRESS":
        raise InvalidParameterException(NOT_IN_PROGRESS.format(status=record.status))
    paused = blue_green.awaiting_hooks(record)
    if not paused:
        raise InvalidParameterException(NOT_PAUSED)
    hook = next((h for h in paused if h.hook_id == hook_id), None)
    if hook is None:
        raise InvalidParameterException(no_paused_hook(hook_id))
    action = params.get("action", "CONTINUE")
    if action == "ROLLBACK" and record.service.last_completed_revision is None:
        raise InvalidParameterException(NOTHING_TO_ROLL_BACK_TO)
    blue_green.resolve_pause(ctx, record.service, hook, action)
    return {"serviceDeploymentArn": arn}
