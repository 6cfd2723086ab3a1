"""ECS services: CreateService, UpdateService, DeleteService, DescribeServices, ListServices, ListServicesByNamespace.

The service scheduler (:mod:`emulator.ecs.scheduler`) runs the tasks; the records of what is
deployed (revisions, service deployments, ``deployments``) are in :mod:`emulator.ecs.deployments`.

For other modules (task sets, Express Gateway services, ...):

- ``cluster.services`` maps a name to its :class:`Service` (ACTIVE, DRAINING, and INACTIVE ones
  for an hour). :func:`find_service` resolves a ``service`` parameter (name or ARN);
  :func:`live_service` (ACTIVE or DRAINING) and :func:`active_service` also raise AWS's errors
  (ServiceNotFoundException ``Service not found.``, ServiceNotActiveException ``Service was not ACTIVE.``).
- :func:`create_service_from_request` is CreateService without the HTTP: an Express Gateway
  service calls it with CreateService parameters and gets an ordinary service (set
  ``service.resource_management_type = "ECS"`` on it).
- ``service.deployment_controller_type`` is ECS, CODE_DEPLOY or EXTERNAL. Only ECS services are
  scheduled here; the others list ``deployments: []`` and ``taskSets``: ``service.task_sets`` is
  theirs to fill with objects having ``describe() -> dict`` (the TaskSet shape) and ``tasks``
  (task id -> Task, not yet STOPPED), which the service's running/pending counts read. Register
  ``CONTROLLER_HOOKS[type] = ControllerHooks(created=..., updated=...)``: ``created(ctx, service)``
  runs after CreateService (CODE_DEPLOY's first task set), ``updated(ctx, service)`` after
  UpdateService, in the same request (the task sets follow a new desiredCount at once).
  DeleteService drains any service: its remaining tasks, whoever started them, are stopped, and it
  becomes INACTIVE.
- :meth:`Service.describe` is the DescribeServices shape; ``service.events.add(at, message)``
  writes an event (see :mod:`emulator.ecs.service_events`).
"""
from __future__ import annotations

import copy
import dataclasses
from typing import Any, Callable

from emulator.core import arns
from emulator.core.service import RequestContext
from emulator.ecs import blue_green, placement, scheduler
from emulator.ecs.clusters import (CLUSTER_NOT_FOUND, Cluster, active_cluster,
                                   existing_cluster, namespace_arn, note_service_status)
from emulator.ecs.common import RESOURCE_NAME, ReentrantLoop, request_digest, tags_out
from emulator.ecs.deployments import (Deployment, ServiceDeployment, ServiceRevision, revision_digits)
from emulator.ecs.errors import (ClusterNotFoundException, InvalidParameterException, NamespaceNotFoundException,
                                ResourceNotFoundException, ServiceNotActiveException, ServiceNotFoundException)
from emulator.ecs.indexes import SortedKeys, check_list, describe_each, keyset_page
from emulator.ecs.service import ecs
from emulator.ecs.service_events import EventLog
from emulator.ecs.tags import RESOURCE_NOT_FOUND, taggable, tags_from_request
from emulator.ecs.task_definitions import usable_task_definition
from emulator.ecs.task_engine import STARTING, LaunchSpec, resolve_launch

NOT_IDEMPOTENT = "Creation of service was not idempotent."
SERVICE_NOT_FOUND = "Service not found."
SERVICE_NOT_ACTIVE = "Service was not ACTIVE."
INVALID_NAME = ("Service names can contain up to 255 letters (uppercase and lowercase), numbers, underscores, and "
                "hyphens.")
TASK_DEFINITION_BLANK = "TaskDefinition can not be blank."
DESIRED_COUNT_REQUIRED = "The desired count must be specified for a service using the REPLICA scheduling strategy."
SCALED_ABOVE_ZERO = "The service cannot be stopped while it is scaled above 0."
SERVICES_EMPTY = "Services cannot be empty"
TOO_MANY_SERVICES = "service names can have at most 10 items."
CONTAINER_NAME_BLANK = "Container Name can not be blank."
GRACE_PERIOD_NEEDS_LOAD_BALANCER = ("Health check grace period is only valid for services configured to use load "
                                    "balancers")
ROLE_WITH_SERVICE_LINKED_ROLE = "You cannot specify an IAM role for services that require a service linked role."
DAEMON_DESIRED_COUNT = ("The daemon scheduling strategy does not support a desired count for services. Remove the "
                        "desired count value and try again")
DAEMON_PLACEMENT_STRATEGY = ("The daemon scheduling strategy does not support placement strategies. Remove the "
                             "placement strategy and try again")
DAEMON_MAXIMUM_PERCENT = ("The daemon scheduling strategy does not support values above 100 for maximumPercent on a "
                          "deployment configuration. Change the maximumPercent value to 100, and try again")
DAEMON_CAPACITY_PROVIDERS = ("Specifying a capacity provider strategy is not supported when you create a service "
                             "using the DAEMON scheduling strategy.")
DAEMON_FARGATE = "The daemon scheduling strategy is not supported for services using the FARGATE launch type."
CIRCUIT_BREAKER_NEEDS_ECS = ("The deployment circuit breaker is only supported for services using the ECS "
                             "deployment controller.")
NAMESPACE_NOT_FOUND = "Namespace not found."
SERVICE_LINKED_ROLE = "role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
MAX_DESCRIBE = 10
# UpdateService members whose change needs new tasks (a new deployment)
_DEPLOYING_MEMBERS = ("taskDefinition", "networkConfiguration", "platformVersion", "capacityProviderStrategy",
                      "loadBalancers", "serviceRegistries", "serviceConnectConfiguration", "volumeConfigurations",
                      "vpcLatticeConfigurations")


def daemon_with_controller(controller: str) -> str:
    return f"The daemon scheduling strategy is not supported for services using the {controller} deployment controller."


def container_not_found(name: str) -> str:
    return f"The container {name} does not exist in the task definition."


def container_port_not_found(name: str, port) -> str:
    return f"The container {name} did not have a container port {port} defined."


def controller_forbids(what: str, controller: str) -> str:
    message = f"{what} on services with a {controller} deployment controller."
    if controller == "CODE_DEPLOY":
        message += " Use AWS CodeDeploy to trigger a new deployment."
    return message


@dataclasses.dataclass(frozen=True)
class ControllerHooks:
    """What a CODE_DEPLOY or EXTERNAL deployment controller does when one of its services changes."""
    created: Callable[[Any, "Service"], None] | None = None     # after CreateService
    updated: Callable[[Any, "Service"], None] | None = None     # after UpdateService, in the same request


CONTROLLER_HOOKS: dict[str, ControllerHooks] = {}      # deployment controller type -> its hooks


# -- the service -------------------------------------------------------------------------------------

class Service:
    def __init__(self, *, name: str, arn: str, cluster: Cluster, created_at: float, created_by: str) -> None:
        self.name, self.arn, self.cluster = name, arn, cluster
        self.created_at, self.created_by = created_at, created_by
        self.status = "ACTIVE"
        self.desired_count = 0
        self.revision: ServiceRevision | None = None         # what the service runs (its PRIMARY's revision)
        self.last_completed_revision: ServiceRevision | None = None
        self.deployment_configuration: dict = {}
        self.deployment_controller_type = "ECS"
        self.scheduling_strategy = "REPLICA"
        self.placement_constraints: list[dict] = []
        self.placement_strategy: list[dict] = []
        self.health_check_grace_period = 0
        self.role_arn = ""
        self.tags: dict[str, str] = {}
        self.enable_ecs_managed_tags = False
        self.propagate_tags = "NONE"
        self.enable_execute_command = False
        self.availability_zone_rebalancing = "ENABLED"
        self.resource_management_type = "CUSTOMER"
        self.counted_launch_type: str | None = None           # the launch type the cluster counts it under
        self.client_token: str | None = None
        self.request_digest: str | None = None
        self.events = EventLog()
        self.deployments: list[Deployment] = []               # PRIMARY first (ECS controller)
        self.task_sets: list = []                             # CODE_DEPLOY / EXTERNAL controllers
        self.service_deployments: list[ServiceDeployment] = []   # oldest first
        self.revisions: dict[str, ServiceRevision] = {}       # revision ARN -> revision
        # scheduler state
        self.steady = False
        self.reconcile_timer = None
        self.reconcile_loop = ReentrantLoop()

    # -- what the scheduler reads --------------------------------------------------------------------
    @property
    def capacity_provider_strategy(self) -> list[dict] | None:
        return self.revision.capacity_provider_strategy if self.revision is not None else None

    def apply_revision(self, revision: ServiceRevision) -> None:
        self.revision = revision

    def launch_for(self, revision: ServiceRevision):
        """The revision's launch with the service's current placement constraints and strategy."""
        launch = revision.launch
        if launch is None or launch.launch_type == "FARGATE":
            return launch
        constraints = list(revision.task_definition.request.get("placementConstraints", []))
        return dataclasses.replace(launch,
                                   constraints=placement.check_constraints(constraints + self.placement_constraints),
                                   placement_strategy=placement.check_strategies(list(self.placement_strategy)))

    def task_groups(self) -> list:
        return self.deployments if self.deployment_controller_type == "ECS" else self.task_sets

    def counts(self) -> tuple[int, int]:
        """(runningCount, pendingCount) from the service's tasks."""
        if self.deployment_controller_type == "ECS":
            tasks = [t for d in self.deployments for t in d.tasks.values()]
        else:
            tasks = [t for group in self.task_sets for t in group.tasks.values()]
        return (sum(1 for t in tasks if t.last_status == "RUNNING"),
                sum(1 for t in tasks if t.last_status in STARTING))

    # -- DescribeServices -----------------------------------------------------------------------------
    def current_revisions(self) -> list[dict]:
        summaries: dict[str, dict] = {}
        for deployment in self.deployments:
            entry = summaries.setdefault(deployment.revision.arn, {
                "arn": deployment.revision.arn, "requestedTaskCount": 0, "runningTaskCount": 0,
                "pendingTaskCount": 0})
            entry["requestedTaskCount"] += deployment.reported_desired_count()
            entry["runningTaskCount"] += deployment.running_count()
            entry["pendingTaskCount"] += deployment.pending_count()
        return list(summaries.values())

    def describe(self, ctx, include_tags: bool = False) -> dict:
        revision = self.revision
        running, pending = self.counts()
        classic = any(lb.get("loadBalancerName") for lb in revision.load_balancers)
        ecs_controller = self.deployment_controller_type == "ECS"
        out = {
            "serviceArn": self.arn,
            "serviceName": self.name,
            "clusterArn": self.cluster.arn,
            "loadBalancers": copy.deepcopy(revision.load_balancers),
            "serviceRegistries": copy.deepcopy(revision.service_registries),
            "status": self.status,
            "desiredCount": self.desired_count,
            "runningCount": running,
            "pendingCount": pending,
            "platformVersion": revision.requested_platform_version,
            "platformFamily": revision.platform_family,
            "taskDefinition": revision.task_definition.arn if revision.task_definition is not None else None,
            "deploymentConfiguration": copy.deepcopy(self.deployment_configuration),
            "roleArn": self.role_arn,
            "events": self.events.describe(),
            "createdAt": self.created_at,
            "currentServiceDeployment": self.service_deployments[-1].arn if self.service_deployments else None,
            "currentServiceRevisions": self.current_revisions() if ecs_controller else None,
            "placementConstraints": copy.deepcopy(self.placement_constraints),
            "placementStrategy": copy.deepcopy(self.placement_strategy),
            "networkConfiguration": copy.deepcopy(revision.network_configuration),
            "healthCheckGracePeriodSeconds": self.health_check_grace_period,
            "schedulingStrategy": self.scheduling_strategy,
            "deploymentController": {"type": self.deployment_controller_type},
            "createdBy": self.created_by,
            "enableECSManagedTags": self.enable_ecs_managed_tags,
            "propagateTags": self.propagate_tags,
            "enableExecuteCommand": self.enable_execute_command,
            "availabilityZoneRebalancing": self.availability_zone_rebalancing,
            "resourceManagementType": self.resource_management_type,
        }
        out.update(revision.launch_members())
        if ecs_controller:
            out["deployments"] = [d.describe(with_rollout_state=not classic) for d in self.deployments]
        else:
            out["deployments"] = []
            out["taskSets"] = [task_set.describe() for task_set in self.task_sets]
        if include_tags:
            out["tags"] = tags_out(self.tags)
        return out


# -- finding services --------------------------------------------------------------------------------

def _service_name(ctx, cluster: Cluster, identifier: str) -> str | None:
    arn = arns.parse(identifier)
    if arn is None:
        return identifier
    kind, _, rest = arn.resource.partition("/")
    if kind != "service" or not rest or arn.region != ctx.region or arn.account != ctx.account:
        return None
    parts = rest.split("/")
    if len(parts) == 2:
        if parts[0] != cluster.name:
            return None
        return parts[1]
    return parts[0] if len(parts) == 1 else None


def find_service(ctx, cluster: Cluster, identifier: str) -> Service | None:
    """A service of ``cluster`` by name or ARN, whatever its status; None when there is none."""
    name = _service_name(ctx, cluster, identifier)
    return cluster.services.get(name) if name else None


def live_service(ctx, cluster: Cluster, identifier: str) -> Service:
    """A service that is not deleted (ACTIVE or DRAINING); ServiceNotFoundException otherwise."""
    service = find_service(ctx, cluster, identifier)
    if service is None or service.status == "INACTIVE":
        raise ServiceNotFoundException(SERVICE_NOT_FOUND)
    return service


def active_service(ctx, cluster: Cluster, identifier: str) -> Service:
    service = find_service(ctx, cluster, identifier)
    if service is None:
        raise ServiceNotFoundException(SERVICE_NOT_FOUND)
    if service.status != "ACTIVE":
        raise ServiceNotActiveException(SERVICE_NOT_ACTIVE)
    return service


# -- request checks ------------------------------------------------------------------------------------

def default_deployment_configuration(strategy: str) -> dict:
    daemon = strategy == "DAEMON"
    return {"deploymentCircuitBreaker": {"enable": False, "rollback": False},
            "maximumPercent": 100 if daemon else 200, "minimumHealthyPercent": 0 if daemon else 100,
            "strategy": "ROLLING", "bakeTimeInMinutes": 0}


def _deployment_configuration(given: dict | None, base: dict, strategy: str, controller: str) -> dict:
    configuration = copy.deepcopy(base)
    for key, value in (given or {}).items():
        configuration[key] = copy.deepcopy(value)
    blue_green.deployment_configuration(given or {}, configuration, controller, strategy)
    if controller != "ECS" and configuration["deploymentCircuitBreaker"].get("enable"):
        raise InvalidParameterException(CIRCUIT_BREAKER_NEEDS_ECS)
    if strategy == "DAEMON" and configuration["maximumPercent"] > 100:
        raise InvalidParameterException(DAEMON_MAXIMUM_PERCENT)
    return configuration


def check_load_balancers(task_definition, load_balancers: list[dict]) -> None:
    if task_definition is None:
        return
    for balancer in load_balancers:
        name = balancer.get("containerName")
        if not name:
            raise InvalidParameterException(CONTAINER_NAME_BLANK)
        container = task_definition.container(name)
        if container is None:
            raise InvalidParameterException(container_not_found(name))
        port = balancer.get("containerPort")
        if port not in [m.get("containerPort") for m in container.get("portMappings", [])]:
            raise InvalidParameterException(container_port_not_found(name, port))


def _role_arn(ctx, role: str | None, task_definition) -> str:
    if not role:
        return f"arn:{ctx.partition}:iam::{ctx.account}:{SERVICE_LINKED_ROLE}"
    if task_definition is not None and task_definition.network_mode == "awsvpc":
        raise InvalidParameterException(ROLE_WITH_SERVICE_LINKED_ROLE)
    return role if role.startswith("arn:") else f"arn:{ctx.partition}:iam::{ctx.account}:role/{role}"


def _network(network_configuration: dict | None) -> dict | None:
    """The network configuration as ECS reports it (assignPublicIp DISABLED unless asked)."""
    out = copy.deepcopy(network_configuration)
    if out and "awsvpcConfiguration" in out:
        out["awsvpcConfiguration"].setdefault("assignPublicIp", "DISABLED")
    return out


def new_revision(ctx, service: Service, task_definition, launch, *, launch_type: str | None,
                  platform_version: str | None, network_configuration: dict | None, members: dict) -> ServiceRevision:
    digits = revision_digits()
    strategy = launch.strategy if launch is not None else None
    if launch is not None and not strategy:
        launch_type = launch.launch_type
    if launch is not None and launch.launch_type == "FARGATE" and platform_version is None:
        platform_version = "LATEST"
    revision = ServiceRevision(
        revision_id=digits, arn=ctx.arn(f"service-revision/{service.cluster.name}/{service.name}/{digits}"),
        service=service, task_definition=task_definition, launch=launch,
        launch_type=None if strategy else launch_type, capacity_provider_strategy=strategy,
        requested_platform_version=platform_version, network_configuration=_network(network_configuration),
        load_balancers=copy.deepcopy(members.get("loadBalancers") or []),
        service_registries=copy.deepcopy(members.get("serviceRegistries") or []),
        service_connect_configuration=copy.deepcopy(members.get("serviceConnectConfiguration")),
        volume_configurations=copy.deepcopy(members.get("volumeConfigurations")),
        vpc_lattice_configurations=copy.deepcopy(members.get("vpcLatticeConfigurations")),
        created_at=ctx.now)
    return revision


SUPERSEDED = "A newer service deployment started."


def start_deployment(ctx, service: Service, revision: ServiceRevision) -> Deployment:
    """A new service deployment to ``revision`` and its PRIMARY deployment (ECS controller)."""
    sources = []
    previous = list(service.deployments)
    for deployment in previous:
        if deployment.revision not in sources:
            sources.append(deployment.revision)
    for record in service.service_deployments:
        if not record.finished:
            record.set_status("STOPPED", ctx.now, SUPERSEDED)
            if record.lifecycle is not None:
                record.lifecycle.cancel()
    record = ServiceDeployment(
        arn=ctx.arn(f"service-deployment/{service.cluster.name}/{service.name}/{ServiceDeployment.new_id()}"),
        service=service, target=revision, sources=sources, created_at=ctx.now,
        deployment_configuration=service.deployment_configuration,
        threshold=scheduler.failure_threshold(service.desired_count))
    service.service_deployments.append(record)
    service.revisions[revision.arn] = revision
    deployment = Deployment(f"ecs-svc/{revision.id}", revision, service.desired_count, ctx.now, record)
    record.deployment = deployment
    scheduler.add_deployment(ctx, service, deployment)
    service.apply_revision(revision)
    if record.strategy in blue_green.STRATEGIES:
        blue_green.begin(ctx, service, record, previous)
    return deployment


def _run_hook(ctx, service: Service, event: str) -> None:
    hooks = CONTROLLER_HOOKS.get(service.deployment_controller_type)
    hook = getattr(hooks, event) if hooks is not None else None
    if hook is not None:
        hook(ctx, service)


# -- CreateService -----------------------------------------------------------------------------------

def _check_daemon(cluster: Cluster, params: dict, controller: str) -> None:
    if "desiredCount" in params:
        raise InvalidParameterException(DAEMON_DESIRED_COUNT)
    if params.get("placementStrategy"):
        raise InvalidParameterException(DAEMON_PLACEMENT_STRATEGY)
    if controller != "ECS":
        raise InvalidParameterException(daemon_with_controller(controller))
    if params.get("launchType") == "FARGATE":
        raise InvalidParameterException(DAEMON_FARGATE)
    if params.get("capacityProviderStrategy") or (not params.get("launchType") and cluster.default_strategy):
        raise InvalidParameterException(DAEMON_CAPACITY_PROVIDERS)


def create_service_from_request(ctx: RequestContext, params: dict) -> Service:
    """CreateService's rules and effects; returns the new (or, for a repeated clientToken, existing) service."""
    cluster = active_cluster(ctx, params.get("cluster"))
    name = params["serviceName"]
    if not RESOURCE_NAME.match(name):
        raise InvalidParameterException(INVALID_NAME)
    existing = cluster.services.get(name)
    if existing is not None and existing.status != "INACTIVE":
        token = params.get("clientToken")
        if token and existing.client_token == token and existing.request_digest == request_digest(params):
            return existing
        raise InvalidParameterException(NOT_IDEMPOTENT)
    controller = (params.get("deploymentController") or {}).get("type", "ECS")
    strategy = params.get("schedulingStrategy", "REPLICA")
    if strategy == "DAEMON":
        _check_daemon(cluster, params, controller)
    elif "desiredCount" not in params:
        raise InvalidParameterException(DESIRED_COUNT_REQUIRED)
    configuration = _deployment_configuration(params.get("deploymentConfiguration"),
                                              default_deployment_configuration(strategy), strategy, controller)
    task_definition = None
    if params.get("taskDefinition"):
        task_definition = usable_task_definition(ctx, params["taskDefinition"])
    elif controller != "EXTERNAL":
        raise InvalidParameterException(TASK_DEFINITION_BLANK)
    launch = None
    if task_definition is not None:
        launch = resolve_launch(ctx, cluster, task_definition, LaunchSpec(
            launch_type=params.get("launchType"), capacity_provider_strategy=params.get("capacityProviderStrategy"),
            platform_version=params.get("platformVersion"), network_configuration=params.get("networkConfiguration"),
            placement_constraints=list(params.get("placementConstraints", [])),
            placement_strategy=list(params.get("placementStrategy", []))))
    load_balancers = params.get("loadBalancers") or []
    check_load_balancers(task_definition, load_balancers)
    blue_green.check_load_balancers(configuration["strategy"], load_balancers, params.get("serviceConnectConfiguration"))
    if params.get("healthCheckGracePeriodSeconds") and not load_balancers:
        raise InvalidParameterException(GRACE_PERIOD_NEEDS_LOAD_BALANCER)
    role_arn = _role_arn(ctx, params.get("role"), task_definition)
    tags = tags_from_request(params.get("tags"))

    service = Service(name=name, arn=ctx.arn(f"service/{cluster.name}/{name}"), cluster=cluster,
                      created_at=ctx.now, created_by=ctx.caller_arn)
    service.desired_count = params.get("desiredCount", 0)
    service.deployment_configuration = configuration
    service.deployment_controller_type = controller
    service.scheduling_strategy = strategy
    service.placement_constraints = copy.deepcopy(params.get("placementConstraints", []))
    service.placement_strategy = copy.deepcopy(params.get("placementStrategy", []))
    service.health_check_grace_period = params.get("healthCheckGracePeriodSeconds", 0)
    service.role_arn = role_arn
    service.tags = tags
    service.enable_ecs_managed_tags = params.get("enableECSManagedTags", False)
    service.propagate_tags = params.get("propagateTags", "NONE")
    service.enable_execute_command = params.get("enableExecuteCommand", False)
    service.availability_zone_rebalancing = params.get(
        "availabilityZoneRebalancing", "DISABLED" if strategy == "DAEMON" else "ENABLED")
    service.client_token, service.request_digest = params.get("clientToken"), request_digest(params)
    revision = new_revision(ctx, service, task_definition, launch, launch_type=params.get("launchType"),
                             platform_version=params.get("platformVersion"),
                             network_configuration=params.get("networkConfiguration"), members=params)
    service.apply_revision(revision)
    service.revisions[revision.arn] = revision
    service.counted_launch_type = launch.launch_type if launch is not None else params.get("launchType", "EC2")

    cluster.services[name] = service
    cluster.service_listing.add(name)
    note_service_status(cluster, service.counted_launch_type, None, "ACTIVE")
    if controller == "ECS":
        start_deployment(ctx, service, revision)
        scheduler.schedule(ctx, service)
    else:
        _run_hook(ctx, service, "created")
    return service


@ecs.operation("CreateService")
def create_service(ctx: RequestContext, params: dict) -> dict:
    service = create_service_from_request(ctx, params)
    return {"service": service.describe(ctx, include_tags=True)}


# -- UpdateService -----------------------------------------------------------------------------------

def _check_controller_update(service: Service, params: dict) -> None:
    controller = service.deployment_controller_type
    requested = (params.get("deploymentController") or {}).get("type", controller)
    if requested != controller:
        raise InvalidParameterException(
            f"Unable to update the deployment controller of a service from {controller} to {requested}.")
    if controller == "ECS":
        return
    if params.get("taskDefinition"):
        raise InvalidParameterException(controller_forbids("Unable to update task definition", controller))
    if "networkConfiguration" in params or "platformVersion" in params:
        raise InvalidParameterException(controller_forbids("Unable to update network parameters", controller))
    if params.get("forceNewDeployment"):
        raise InvalidParameterException(controller_forbids("Cannot force a new deployment", controller))
    for member in _DEPLOYING_MEMBERS:
        if member in params:
            raise InvalidParameterException(controller_forbids(f"Unable to update {member}", controller))


def _updated_revision(ctx, service: Service, params: dict) -> ServiceRevision | None:
    """The revision UpdateService asks for, or None when it asks for no new tasks."""
    current = service.revision
    if not any(member in params for member in _DEPLOYING_MEMBERS) and not params.get("forceNewDeployment"):
        return None
    task_definition = (usable_task_definition(ctx, params["taskDefinition"]) if params.get("taskDefinition")
                       else current.task_definition)
    strategy = params.get("capacityProviderStrategy")
    launch_type = None if strategy else current.launch_type
    if strategy is None:
        strategy = current.capacity_provider_strategy
    network = params.get("networkConfiguration", current.network_configuration)
    given_version = params.get("platformVersion")
    kept_version = current.requested_platform_version if given_version is None else None

    def launch_with(version: str | None):
        return resolve_launch(ctx, service.cluster, task_definition, LaunchSpec(
            launch_type=launch_type, capacity_provider_strategy=strategy or None, platform_version=version,
            network_configuration=network,
            placement_constraints=list(params.get("placementConstraints", service.placement_constraints)),
            placement_strategy=list(params.get("placementStrategy", service.placement_strategy))))
    launch = launch_with(given_version)
    if kept_version not in (None, "LATEST") and launch.launch_type == "FARGATE":
        launch = launch_with(kept_version)          # the service keeps the platform version it asked for
    members = {name: params.get(name, getattr(current, attribute)) for name, attribute in (
        ("loadBalancers", "load_balancers"), ("serviceRegistries", "service_registries"),
        ("serviceConnectConfiguration", "service_connect_configuration"),
        ("volumeConfigurations", "volume_configurations"), ("vpcLatticeConfigurations", "vpc_lattice_configurations"))}
    check_load_balancers(task_definition, members["loadBalancers"] or [])
    version = given_version or (kept_version if launch.launch_type == "FARGATE" else None)
    revision = new_revision(ctx, service, task_definition, launch, launch_type=launch_type,
                             platform_version=version, network_configuration=network, members=members)
    if not params.get("forceNewDeployment") and revision.same_configuration(current):
        return None
    return revision


def update_service_from_request(ctx: RequestContext, params: dict) -> Service:
    cluster = active_cluster(ctx, params.get("cluster"))
    service = active_service(ctx, cluster, params["service"])
    _check_controller_update(service, params)
    daemon = service.scheduling_strategy == "DAEMON"
    if daemon and "desiredCount" in params:
        raise InvalidParameterException(DAEMON_DESIRED_COUNT)
    if daemon and params.get("placementStrategy"):
        raise InvalidParameterException(DAEMON_PLACEMENT_STRATEGY)
    if daemon and params.get("capacityProviderStrategy"):
        raise InvalidParameterException(DAEMON_CAPACITY_PROVIDERS)
    configuration = _deployment_configuration(params.get("deploymentConfiguration"), service.deployment_configuration,
                                              service.scheduling_strategy, service.deployment_controller_type)
    if "placementConstraints" in params:
        placement.check_constraints(list(params["placementConstraints"]))
    if "placementStrategy" in params:
        placement.check_strategies(list(params["placementStrategy"]))
    revision = _updated_revision(ctx, service, params)
    deployed = revision if revision is not None else service.revision
    load_balancers = deployed.load_balancers
    blue_green.check_load_balancers(configuration["strategy"], load_balancers,
                                    deployed.service_connect_configuration)
    grace = params.get("healthCheckGracePeriodSeconds", service.health_check_grace_period)
    if params.get("healthCheckGracePeriodSeconds") and not load_balancers:
        raise InvalidParameterException(GRACE_PERIOD_NEEDS_LOAD_BALANCER)

    service.deployment_configuration = configuration
    service.health_check_grace_period = grace
    for member, attribute in (("placementConstraints", "placement_constraints"),
                              ("placementStrategy", "placement_strategy")):
        if member in params:
            setattr(service, attribute, copy.deepcopy(params[member]))
    for member, attribute in (("enableExecuteCommand", "enable_execute_command"),
                              ("enableECSManagedTags", "enable_ecs_managed_tags"),
                              ("propagateTags", "propagate_tags"),
                              ("availabilityZoneRebalancing", "availability_zone_rebalancing")):
        if params.get(member) is not None:
            setattr(service, attribute, params[member])
    if "desiredCount" in params:
        service.desired_count = params["desiredCount"]
        if service.deployments:
            service.deployments[0].desired_count = service.desired_count
            service.deployments[0].updated_at = ctx.now
    if revision is not None:
        previous_kind = service.counted_launch_type
        service.counted_launch_type = revision.launch.launch_type
        note_service_status(cluster, previous_kind, "ACTIVE", None)
        note_service_status(cluster, service.counted_launch_type, None, "ACTIVE")
        start_deployment(ctx, service, revision)
    scheduler.schedule(ctx, service)
    _run_hook(ctx, service, "updated")
    return service


@ecs.operation("UpdateService")
def update_service(ctx: RequestContext, params: dict) -> dict:
    return {"service": update_service_from_request(ctx, params).describe(ctx)}


# -- DeleteService -----------------------------------------------------------------------------------

def delete_service_from_request(ctx: RequestContext, params: dict) -> Service:
    cluster = active_cluster(ctx, params.get("cluster"))
    service = live_service(ctx, cluster, params["service"])
    if service.status == "DRAINING":        # already being deleted
        return service
    if service.scheduling_strategy == "REPLICA" and service.desired_count > 0 and not params.get("force"):
        raise InvalidParameterException(SCALED_ABOVE_ZERO)
    note_service_status(cluster, service.counted_launch_type, "ACTIVE", "DRAINING")
    service.status = "DRAINING"
    service.desired_count = 0
    for deployment in service.deployments[:1]:
        deployment.desired_count, deployment.updated_at = 0, ctx.now
    cluster.service_listing.discard(service.name)
    scheduler.schedule(ctx, service)
    return service


@ecs.operation("DeleteService")
def delete_service(ctx: RequestContext, params: dict) -> dict:
    return {"service": delete_service_from_request(ctx, params).describe(ctx)}


# -- DescribeServices / ListServices / ListServicesByNamespace ----------------------------------------

def _missing_arn(ctx, identifier: str) -> str:
    return identifier if identifier.startswith("arn:") else ctx.arn(f"service/{identifier}")


@ecs.operation("DescribeServices")
def describe_services(ctx: RequestContext, params: dict) -> dict:
    cluster = existing_cluster(ctx, params.get("cluster"))
    identifiers = check_list(params["services"], MAX_DESCRIBE, SERVICES_EMPTY, TOO_MANY_SERVICES)
    include_tags = "TAGS" in params.get("include", [])

    def describe(service: Service) -> dict:
        scheduler.reconcile(ctx, service)
        return service.describe(ctx, include_tags)
    found, failures = describe_each(identifiers, lambda identifier: find_service(ctx, cluster, identifier), describe,
                                    lambda identifier: _missing_arn(ctx, identifier))
    return {"services": found, "failures": failures}


@ecs.operation("ListServices")
def list_services(ctx: RequestContext, params: dict) -> dict:
    cluster = active_cluster(ctx, params.get("cluster"))
    launch_type = params.get("launchType")
    strategy = params.get("schedulingStrategy")
    management = params.get("resourceManagementType")

    def accept(name: str) -> bool:
        service = cluster.services[name]
        return ((launch_type is None or service.revision.launch_type == launch_type)
                and (strategy is None or service.scheduling_strategy == strategy)
                and (management is None or service.resource_management_type == management))
    filtered = launch_type is not None or strategy is not None or management is not None
    scope = f"services|{cluster.name}|{launch_type}|{strategy}|{management}"
    page, token = keyset_page(params, cluster.service_listing, scope=scope, accept=accept if filtered else None,
                              default=10)
    return {"serviceArns": [cluster.services[name].arn for name in page], "nextToken": token}


def _service_namespace(ctx, service: Service) -> str | None:
    connect = service.revision.service_connect_configuration or {}
    if not connect.get("enabled"):
        return None
    if connect.get("namespace"):
        return namespace_arn(ctx, connect["namespace"])
    return (service.cluster.service_connect_defaults or {}).get("namespace")


@ecs.operation("ListServicesByNamespace")
def list_services_by_namespace(ctx: RequestContext, params: dict) -> dict:
    wanted = namespace_arn(ctx, params["namespace"])
    known = {(c.service_connect_defaults or {}).get("namespace") for c in ctx.store.clusters.values()}
    arns_in_namespace = []
    for cluster in ctx.store.clusters.values():
        for service in cluster.services.values():
            namespace = _service_namespace(ctx, service)
            known.add(namespace)
            if service.status == "ACTIVE" and namespace == wanted:
                arns_in_namespace.append(service.arn)
    if wanted not in known:
        raise NamespaceNotFoundException(NAMESPACE_NOT_FOUND)
    keys = SortedKeys(arns_in_namespace)
    page, token = keyset_page(params, keys, scope=f"namespace|{wanted}", default=10)
    return {"serviceArns": page, "nextToken": token}


# -- tags ----------------------------------------------------------------------------------------------

@taggable("service", long_arn_segments=2)
def _service_for_tags(ctx: RequestContext, arn: str) -> Service:
    parsed = arns.parse(arn)
    cluster_name = parsed.resource.split("/")[1]
    cluster = ctx.store.clusters.get(cluster_name)
    if cluster is None:
        raise ClusterNotFoundException(CLUSTER_NOT_FOUND)
    service = find_service(ctx, cluster, arn)
    if service is None or service.status == "INACTIVE":
        raise ResourceNotFoundException(RESOURCE_NOT_FOUND)
    return service
