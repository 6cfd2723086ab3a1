"""What a service deploys: service revisions, service deployments and the deployments in ``service.deployments``.

Three records, as ECS keeps them:

- :class:`ServiceRevision` (``service-revision/<cluster>/<service>/<19 digits>``): a snapshot of what
  the tasks run -- task definition, launch type or capacity provider strategy, platform version,
  network configuration, load balancers, service registries -- taken when a deployment starts.
- :class:`ServiceDeployment` (``service-deployment/<cluster>/<service>/<21 chars>``): one per
  CreateService and per UpdateService that needs new tasks, from source revisions to a target
  revision, with its status (IN_PROGRESS -> SUCCESSFUL, STOPPED, ROLLBACK_IN_PROGRESS ->
  ROLLBACK_SUCCESSFUL / ROLLBACK_FAILED), circuit breaker and rollback details. A deployment with
  the BLUE_GREEN, LINEAR or CANARY strategy also has a ``lifecycle`` (its lifecycle stage, hooks
  and traffic weights: :mod:`emulator.ecs.blue_green`).
- :class:`Deployment` (``ecs-svc/<19 digits>``): what DescribeServices lists in ``deployments``:
  the tasks started for one revision (their ``startedBy`` is the id), PRIMARY or ACTIVE, with its
  rollout state. A rollback is a new Deployment of an earlier revision, driven by the service
  deployment that failed.

Counts are read from the tasks (``Deployment.tasks``: every task the deployment started that is
not STOPPED yet), never kept by hand.
"""
from __future__ import annotations

import copy
import string

from emulator.core import ids
from emulator.ecs.task_engine import STARTING, Launch, image_digest

SERVICE_DEPLOYMENT_ID_ALPHABET = string.ascii_letters + string.digits + "_-"
SERVICE_DEPLOYMENT_ID_LENGTH = 21
IN_PROGRESS_STATUSES = ("PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS")
CIRCUIT_BREAKER_REASON = "ECS deployment circuit breaker: tasks failed to start."


def revision_digits() -> str:
    """19 decimal digits: a deployment's ``ecs-svc/`` id and a revision's id."""
    return ids.digits(19)


def in_progress_reason(deployment_id: str) -> str:
    return f"ECS deployment {deployment_id} in progress."


def completed_reason(deployment_id: str) -> str:
    return f"ECS deployment {deployment_id} completed."


class ServiceRevision:
    """What a service's tasks run, frozen when a deployment of it starts."""

    def __init__(self, *, revision_id: str, arn: str, service, task_definition, launch: Launch | None,
                 launch_type: str | None, capacity_provider_strategy: list[dict] | None,
                 requested_platform_version: str | None, network_configuration: dict | None,
                 load_balancers: list[dict], service_registries: list[dict],
                 service_connect_configuration: dict | None, volume_configurations: list[dict] | None,
                 vpc_lattice_configurations: list[dict] | None, created_at: float) -> None:
        self.id, self.arn, self.service = revision_id, arn, service
        self.task_definition = task_definition
        self.launch = launch
        self.launch_type = launch_type
        self.capacity_provider_strategy = capacity_provider_strategy
        self.requested_platform_version = requested_platform_version
        self.network_configuration = network_configuration
        self.load_balancers = load_balancers
        self.service_registries = service_registries
        self.service_connect_configuration = service_connect_configuration
        self.volume_configurations = volume_configurations
        self.vpc_lattice_configurations = vpc_lattice_configurations
        self.created_at = created_at
        # the target group (and production listener rule) of each load balancer the tasks register in;
        # None: each load balancer's targetGroupArn (a blue/green deployment may pick the alternate one)
        self.resolved_load_balancers: list[dict] | None = None

    @property
    def platform_version(self) -> str | None:
        return self.launch.platform_version if self.launch is not None else None

    @property
    def platform_family(self) -> str | None:
        return self.launch.platform_family if self.launch is not None else None

    def same_configuration(self, other: "ServiceRevision") -> bool:
        """Whether ``other`` runs the same thing (a change of any of these needs a new deployment)."""
        return all(getattr(self, name) == getattr(other, name) for name in (
            "task_definition", "launch_type", "capacity_provider_strategy", "requested_platform_version",
            "network_configuration", "load_balancers", "service_registries", "service_connect_configuration",
            "volume_configurations", "vpc_lattice_configurations"))

    def resolved_configuration(self) -> list[dict]:
        """Which target group (and production listener rule) each of the revision's load balancers uses."""
        if self.resolved_load_balancers is not None:
            return self.resolved_load_balancers
        resolved = []
        for balancer in self.load_balancers:
            if balancer.get("targetGroupArn"):
                entry = {"targetGroupArn": balancer["targetGroupArn"]}
                rule = (balancer.get("advancedConfiguration") or {}).get("productionListenerRule")
                if rule:
                    entry["productionListenerRule"] = rule
                resolved.append(entry)
        return resolved

    def target_groups(self) -> list[str]:
        """The target groups the revision's tasks register in."""
        return [entry["targetGroupArn"] for entry in self.resolved_configuration()]

    def launch_members(self) -> dict:
        """``capacityProviderStrategy`` when the revision has one, else ``launchType`` (as ECS reports them)."""
        if self.capacity_provider_strategy:
            return {"capacityProviderStrategy": copy.deepcopy(self.capacity_provider_strategy)}
        return {"launchType": self.launch_type}

    def describe(self) -> dict:
        out = {
            "serviceRevisionArn": self.arn,
            "serviceArn": self.service.arn,
            "clusterArn": self.service.cluster.arn,
            "taskDefinition": self.task_definition.arn if self.task_definition is not None else None,
            "platformVersion": self.platform_version,
            "platformFamily": self.platform_family,
            "loadBalancers": copy.deepcopy(self.load_balancers),
            "serviceRegistries": copy.deepcopy(self.service_registries),
            "networkConfiguration": copy.deepcopy(self.network_configuration),
            "containerImages": [{"containerName": c["name"], "image": c["image"],
                                 "imageDigest": image_digest(c["image"])}
                                for c in (self.task_definition.container_definitions
                                          if self.task_definition is not None else [])],
            "guardDutyEnabled": False,
            "serviceConnectConfiguration": copy.deepcopy(self.service_connect_configuration),
            "volumeConfigurations": copy.deepcopy(self.volume_configurations),
            "vpcLatticeConfigurations": copy.deepcopy(self.vpc_lattice_configurations),
            "createdAt": self.created_at,
        }
        resolved = self.resolved_configuration()
        if resolved:
            out["resolvedConfiguration"] = {"loadBalancers": copy.deepcopy(resolved)}
        out.update(self.launch_members())
        return out


class Deployment:
    """One entry of ``service.deployments``: the tasks started for one revision."""

    def __init__(self, deployment_id: str, revision: ServiceRevision, desired_count: int, created_at: float,
                 service_deployment: "ServiceDeployment") -> None:
        self.id = deployment_id
        self.revision = revision
        self.status = "PRIMARY"
        self.desired_count = desired_count
        self.created_at = self.updated_at = created_at
        self.rollout_state = "IN_PROGRESS"
        self.rollout_state_reason = in_progress_reason(deployment_id)
        self.failed_tasks = 0
        self.breaker_settled = False       # a task ran healthily: failures are no longer evaluated
        self.service_deployment = service_deployment
        self.tasks: dict = {}              # task id -> Task, until the task is STOPPED
        self.healthy: set[str] = set()     # ids of tasks the scheduler counts healthy
        self.stops_seen: set[str] = set()  # ids of tasks whose stop was already accounted for
        self.consecutive_failures = 0      # failed starts in a row (restart throttling)
        self.next_launch_at: float | None = None
        self.launch_timer = None

    @property
    def task_definition(self):
        return self.revision.task_definition

    def live_tasks(self) -> list:
        """Tasks the deployment still wants (desired RUNNING)."""
        return [t for t in self.tasks.values() if t.desired_status == "RUNNING"]

    def running_count(self) -> int:
        return sum(1 for t in self.tasks.values() if t.last_status == "RUNNING")

    def pending_count(self) -> int:
        return sum(1 for t in self.tasks.values() if t.last_status in STARTING)

    def is_healthy(self, task) -> bool:
        return task.id in self.healthy and task.desired_status == "RUNNING" and task.last_status == "RUNNING"

    def reported_desired_count(self) -> int:
        # a replaced deployment's desired count falls as the scheduler stops its tasks
        return self.desired_count if self.status == "PRIMARY" else len(self.live_tasks())

    def describe(self, with_rollout_state: bool = True) -> dict:
        revision = self.revision
        out = {
            "id": self.id,
            "status": self.status,
            "taskDefinition": revision.task_definition.arn,
            "desiredCount": self.reported_desired_count(),
            "pendingCount": self.pending_count(),
            "runningCount": self.running_count(),
            "failedTasks": self.failed_tasks,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "platformVersion": revision.platform_version,
            "platformFamily": revision.platform_family,
            "networkConfiguration": copy.deepcopy(revision.network_configuration),
            "serviceConnectConfiguration": copy.deepcopy(revision.service_connect_configuration),
            "volumeConfigurations": copy.deepcopy(revision.volume_configurations),
            "vpcLatticeConfigurations": copy.deepcopy(revision.vpc_lattice_configurations),
        }
        out.update(revision.launch_members())
        if with_rollout_state:
            out["rolloutState"] = self.rollout_state
            out["rolloutStateReason"] = self.rollout_state_reason
        return out


class ServiceDeployment:
    """The history record of one deployment of a service (ListServiceDeployments)."""

    def __init__(self, *, arn: str, service, target: ServiceRevision, sources: list[ServiceRevision],
                 created_at: float, deployment_configuration: dict, threshold: int) -> None:
        self.arn = arn
        self.id = arn.rsplit("/", 1)[-1]
        self.service = service
        self.target = target
        self.sources = sources
        self.created_at = self.started_at = self.updated_at = created_at
        self.finished_at: float | None = None
        self.stopped_at: float | None = None
        self.status = "IN_PROGRESS"
        self.status_reason: str | None = None
        self.deployment_configuration = copy.deepcopy(deployment_configuration)
        self.rollback: dict | None = None
        self.breaker_status = ("MONITORING" if deployment_configuration["deploymentCircuitBreaker"]["enable"]
                               else "DISABLED")
        self.threshold = threshold
        self.deployment: Deployment | None = None          # the Deployment that runs the target
        self.rollback_deployment: Deployment | None = None  # the Deployment that runs the rollback
        self.final_counts: dict[str, dict] | None = None   # revision ARN -> counts, frozen when finished
        self.lifecycle = None          # blue_green.Lifecycle (BLUE_GREEN, LINEAR and CANARY strategies)

    @staticmethod
    def new_id() -> str:
        return ids.token(SERVICE_DEPLOYMENT_ID_LENGTH, SERVICE_DEPLOYMENT_ID_ALPHABET)

    @property
    def finished(self) -> bool:
        return self.status not in IN_PROGRESS_STATUSES

    @property
    def strategy(self) -> str:
        return self.deployment_configuration.get("strategy", "ROLLING")

    @property
    def lifecycle_running(self) -> bool:
        """Whether a blue/green, linear or canary lifecycle still drives the service's tasks."""
        return self.lifecycle is not None and not self.lifecycle.done and not self.finished

    def set_status(self, status: str, at: float, reason: str | None = None) -> None:
        self.status, self.updated_at = status, at
        if reason is not None:
            self.status_reason = reason
        if self.finished:
            self.final_counts = self._live_counts()
            if status in ("STOPPED",):
                self.stopped_at = at
            else:
                self.finished_at = at
            if self.breaker_status == "MONITORING":
                self.breaker_status = "MONITORING_COMPLETE"

    def failure_count(self) -> int:
        return self.deployment.failed_tasks if self.deployment is not None else 0

    def _live_counts(self) -> dict[str, dict]:
        counts: dict[str, dict] = {}
        for deployment in self.service.deployments:
            entry = counts.setdefault(deployment.revision.arn, {"requestedTaskCount": 0, "runningTaskCount": 0,
                                                                 "pendingTaskCount": 0})
            entry["requestedTaskCount"] += deployment.reported_desired_count()
            entry["runningTaskCount"] += deployment.running_count()
            entry["pendingTaskCount"] += deployment.pending_count()
        return counts

    def _summary(self, revision: ServiceRevision, counts: dict[str, dict]) -> dict:
        entry = counts.get(revision.arn, {"requestedTaskCount": 0, "runningTaskCount": 0, "pendingTaskCount": 0})
        out = {"arn": revision.arn, **entry}
        if self.lifecycle is not None:
            out["requestedTestTrafficWeight"], out["requestedProductionTrafficWeight"] = \
                self.lifecycle.weights(revision)
        return out

    def brief(self) -> dict:
        return {
            "serviceDeploymentArn": self.arn,
            "serviceArn": self.service.arn,
            "clusterArn": self.service.cluster.arn,
            "startedAt": self.started_at,
            "createdAt": self.created_at,
            "finishedAt": self.finished_at,
            "targetServiceRevisionArn": self.target.arn,
            "status": self.status,
            "statusReason": self.status_reason,
        }

    def describe(self) -> dict:
        counts = self.final_counts if self.final_counts is not None else self._live_counts()
        return {
            "serviceDeploymentArn": self.arn,
            "serviceArn": self.service.arn,
            "clusterArn": self.service.cluster.arn,
            "createdAt": self.created_at,
            "startedAt": self.started_at,
            "finishedAt": self.finished_at,
            "stoppedAt": self.stopped_at,
            "updatedAt": self.updated_at,
            "sourceServiceRevisions": [self._summary(r, counts) for r in self.sources],
            "targetServiceRevision": self._summary(self.target, counts),
            "status": self.status,
            "statusReason": self.status_reason,
            "deploymentConfiguration": copy.deepcopy(self.deployment_configuration),
            "rollback": copy.deepcopy(self.rollback),
            "deploymentCircuitBreaker": {"status": self.breaker_status, "failureCount": self.failure_count(),
                                         "threshold": self.threshold},
            "alarms": {"status": "DISABLED", "alarmNames": [], "triggeredAlarmNames": []},
            "lifecycleStage": self.lifecycle.stage if self.lifecycle is not None else None,
            "lifecycleHookDetails": ([hook.describe() for hook in self.lifecycle.hooks]
                                     if self.lifecycle is not None else None),
        }
