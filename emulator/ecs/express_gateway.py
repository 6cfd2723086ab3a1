"""ECS Express Gateway services (Express Mode): Create/Update/Delete/DescribeExpressGatewayService.

An Express service is an ordinary ECS service (``resourceManagementType: ECS``) that ECS sets up
from one ``primaryContainer``, through the same code paths as RegisterTaskDefinition and
CreateService, with Express Mode's defaults:

- the cluster (``default`` unless named; ``default`` is created when missing) gets the FARGATE
  capacity provider; the service runs on ``FARGATE`` (base 1, weight 1), platform LATEST,
  ``desiredCount`` = ``scalingTarget.minTaskCount`` (1), propagateTags SERVICE, managed tags on,
  a 300 s health-check grace period and the managed load balancer's target group;
- the task definition ``<cluster>-<service>``: awsvpc, FARGATE, Linux/X86_64, cpu 256 and memory 512
  unless given, one essential container ``Main`` with the container port (80), awslogs to
  ``/aws/ecs/<cluster>/<service>-<4 hex>`` (stream prefix ``ecs``), init process, stopTimeout 30;
- networking in the default VPC (two public subnets, public IPs, a service security group) unless
  subnets/security groups are given; an internet-facing Application Load Balancer, HTTPS listener,
  host-header rule, target group (health check ``/ping``), certificate and auto scaling
  (1..20 tasks, AVERAGE_CPU at 60) -- their ARNs are ECS's own (``ecs_managed_resources``).

Each create or update is a service revision; ``activeConfigurations`` lists the configurations of
the revisions the service's deployments still run, ``currentDeployment`` the latest service
deployment. DeleteExpressGatewayService deletes the service: ``statusCode`` follows it, ACTIVE ->
DRAINING -> INACTIVE.

For other modules: :func:`ecs_managed_resources` ``(store, revision_arn)`` is the
``ecsManagedResources`` member of an Express service revision (DescribeServiceRevisions), or None.
"""
from __future__ import annotations

import copy
import hashlib
import re

from emulator.core import arns, ids
from emulator.core.service import RequestContext
from emulator.ecs import clusters, services, task_definitions
from emulator.ecs.clusters import CLUSTER_NOT_FOUND, find_cluster
from emulator.ecs.common import DEFAULT_CLUSTER, RESOURCE_NAME, tags_out
from emulator.ecs.errors import (ClusterNotFoundException, InvalidParameterException, ResourceNotFoundException,
                                ServiceNotActiveException, ServiceNotFoundException)
from emulator.ecs.service import ecs
from emulator.ecs.tags import RESOURCE_NOT_FOUND, tags_from_request

DEFAULT_CPU, DEFAULT_MEMORY = "256", "512"
DEFAULT_PORT = 80
DEFAULT_HEALTH_CHECK_PATH = "/ping"
DEFAULT_LOG_STREAM_PREFIX = "ecs"
DEFAULT_SCALING = {"minTaskCount": 1, "maxTaskCount": 20, "autoScalingMetric": "AVERAGE_CPU",
                   "autoScalingTargetValue": 60}
CONTAINER_NAME = "Main"
GRACE_PERIOD = 300
STOP_TIMEOUT = 30
# ExpressGatewayServiceScalingMetric -> Application Auto Scaling's predefined metric
SCALING_METRICS = {"AVERAGE_CPU": "ECSServiceAverageCPUUtilization",
                   "AVERAGE_MEMORY": "ECSServiceAverageMemoryUtilization",
                   "REQUEST_COUNT_PER_TARGET": "ALBRequestCountPerTarget"}
DEFAULT_VPC_ZONES = ("a", "b")
# the service's status -> the status of the infrastructure Express Mode manages for it
_RESOURCE_STATUS = {"ACTIVE": "ACTIVE", "DRAINING": "DEPROVISIONING", "INACTIVE": "DELETED"}

HEALTH_CHECK_PATH_INVALID = "healthCheckPath must start with a forward slash."
SERVICE_ARN_INVALID = "serviceArn is not a valid service ARN."
SCALING_RANGE_INVALID = "minTaskCount must be less than or equal to maxTaskCount."
TASK_COUNT_NEGATIVE = "minTaskCount and maxTaskCount must be at least 0."
_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9_-]+")
# members whose change needs a new task definition revision
_TASK_DEFINITION_MEMBERS = ("executionRoleArn", "taskRoleArn", "cpu", "memory", "primaryContainer")


class ExpressService:
    """What Express Mode keeps beside the ECS service it manages."""

    def __init__(self, service, infrastructure_role: str, endpoint: str, resources: dict) -> None:
        self.service = service
        self.infrastructure_role = infrastructure_role
        self.endpoint = endpoint
        self.resources = resources                 # ARNs and names of the managed infrastructure
        self.configurations: dict[str, dict] = {}  # service revision ARN -> ExpressGatewayServiceConfiguration
        self.updated_at = service.created_at

    @property
    def latest(self) -> dict:
        return next(reversed(self.configurations.values()))

    def active_configurations(self) -> list[dict]:
        running = [d.revision.arn for d in self.service.deployments]
        active = [self.configurations[arn] for arn in dict.fromkeys(running) if arn in self.configurations]
        return copy.deepcopy(active or [self.latest])

    def status(self) -> dict:
        return {"statusCode": self.service.status}

    def describe(self, include_tags: bool) -> dict:
        service = self.service
        return {"cluster": service.cluster.arn, "serviceName": service.name, "serviceArn": service.arn,
                "infrastructureRoleArn": self.infrastructure_role, "status": self.status(),
                "currentDeployment": service.service_deployments[-1].arn if service.service_deployments else None,
                "activeConfigurations": self.active_configurations(),
                "tags": tags_out(service.tags) if include_tags else None,
                "createdAt": service.created_at, "updatedAt": self.updated_at}


# -- the managed infrastructure -------------------------------------------------------------------------

def _hex(seed: str, length: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def _default_vpc(ctx) -> dict:
    """The default VPC's public subnets (one per zone) for the account and Region."""
    return {"subnets": [f"subnet-{_hex(f'{ctx.account}/{ctx.region}/{zone}', 17)}" for zone in DEFAULT_VPC_ZONES],
            "securityGroups": []}


def _infrastructure(ctx, service_name: str, network: dict, port: int) -> dict:
    """New ALB-side resources for a service: their ARNs and ids."""
    elb = f"arn:{ctx.partition}:elasticloadbalancing:{ctx.region}:{ctx.account}"
    alb_name, alb_id = f"ecs-express-gateway-alb-{ids.hex_id(8)}", ids.hex_id(16)
    return {
        "loadBalancer": f"{elb}:loadbalancer/app/{alb_name}/{alb_id}",
        "listener": f"{elb}:listener/app/{alb_name}/{alb_id}/{ids.hex_id(16)}",
        "rule": f"{elb}:listener-rule/app/{alb_name}/{alb_id}/{ids.hex_id(16)}/{ids.hex_id(16)}",
        "targetGroup": f"{elb}:targetgroup/ecs-gateway-tg-{ids.hex_id(8)}/{ids.hex_id(16)}",
        "certificate": f"arn:{ctx.partition}:acm:{ctx.region}:{ctx.account}:certificate/{ids.uuid4()}",
        "loadBalancerSecurityGroup": f"sg-{ids.hex_id(17)}",
        "serviceSecurityGroup": f"sg-{ids.hex_id(17)}",
        "scalingPolicy": (f"arn:{ctx.partition}:autoscaling:{ctx.region}:{ctx.account}:scalingPolicy:{ids.uuid4()}:"
                          f"resource/ecs/service/{service_name}:policyName/{service_name}-policy"),
        "alarm": f"arn:{ctx.partition}:cloudwatch:{ctx.region}:{ctx.account}:alarm:{service_name}-rollback-alarm",
        "subnets": list(network["subnets"]),
        "port": port,
    }


def _security_group_arn(ctx, group: str) -> str:
    return f"arn:{ctx.partition}:ec2:{ctx.region}:{ctx.account}:security-group/{group}"


def _managed_resources(ctx, express: ExpressService, configuration: dict) -> dict:
    """ECSManagedResources of one configuration (what DescribeServiceRevisions reports)."""
    r, at = express.resources, configuration["createdAt"]
    ingress = {
        "accessType": "PUBLIC", "endpoint": express.endpoint,
        "loadBalancer": {"arn": r["loadBalancer"], "status": "ACTIVE", "updatedAt": at, "scheme": "internet-facing",
                         "subnetIds": list(r["subnets"]), "securityGroupIds": [r["loadBalancerSecurityGroup"]]},
        "loadBalancerSecurityGroups": [{"arn": _security_group_arn(ctx, r["loadBalancerSecurityGroup"]),
                                        "status": "ACTIVE", "updatedAt": at}],
        "certificate": {"arn": r["certificate"], "status": "ACTIVE", "updatedAt": at, "domainName": express.endpoint},
        "listener": {"arn": r["listener"], "status": "ACTIVE", "updatedAt": at},
        "rule": {"arn": r["rule"], "status": "ACTIVE", "updatedAt": at},
        "targetGroups": [{"arn": r["targetGroup"], "status": "ACTIVE", "updatedAt": at,
                          "healthCheckPath": configuration["healthCheckPath"],
                          "healthCheckPort": configuration["primaryContainer"]["containerPort"],
                          "port": configuration["primaryContainer"]["containerPort"]}],
    }
    scaling = configuration["scalingTarget"]
    logs = configuration["primaryContainer"]["awsLogsConfiguration"]
    return {
        "ingressPaths": [ingress],
        "autoScaling": {
            "scalableTarget": {"status": "ACTIVE", "updatedAt": at, "minCapacity": scaling["minTaskCount"],
                               "maxCapacity": scaling["maxTaskCount"]},
            "applicationAutoScalingPolicies": [{
                "arn": r["scalingPolicy"], "status": "ACTIVE", "updatedAt": at, "policyType": "TargetTrackingScaling",
                "targetValue": float(scaling["autoScalingTargetValue"]),
                "metric": SCALING_METRICS[scaling["autoScalingMetric"]]}]},
        "metricAlarms": [{"arn": r["alarm"], "status": "ACTIVE", "updatedAt": at}],
        "serviceSecurityGroups": [{"arn": _security_group_arn(ctx, group), "status": "ACTIVE", "updatedAt": at}
                                  for group in configuration["networkConfiguration"]["securityGroups"]],
        "logGroups": [{"arn": f"arn:{ctx.partition}:logs:{ctx.region}:{ctx.account}:log-group:{logs['logGroup']}",
                       "status": "ACTIVE", "updatedAt": at, "logGroupName": logs["logGroup"]}],
    }


def ecs_managed_resources(store, revision_arn: str) -> dict | None:
    """The ``ecsManagedResources`` of a service revision of an Express service; None for other revisions."""
    service_arn = "/".join(revision_arn.replace(":service-revision/", ":service/", 1).split("/")[:3])
    express = store.express_services.get(service_arn)
    if express is None or revision_arn not in express.configurations:
        return None
    resources = copy.deepcopy(express.resources["managed"][revision_arn])
    status = _RESOURCE_STATUS[express.service.status]
    if status != "ACTIVE":                  # the service's deletion takes its infrastructure with it
        _set_statuses(resources, status)
    return resources


def _set_statuses(value, status: str) -> None:
    if isinstance(value, list):
        for item in value:
            _set_statuses(item, status)
    elif isinstance(value, dict):
        if "status" in value:
            value["status"] = status
        for item in value.values():
            _set_statuses(item, status)


# -- configurations ---------------------------------------------------------------------------------------

def _container(ctx, given: dict, cluster_name: str, service_name: str) -> dict:
    container = copy.deepcopy(given)
    container.setdefault("containerPort", DEFAULT_PORT)
    container.setdefault("awsLogsConfiguration", {
        "logGroup": f"/aws/ecs/{cluster_name}/{service_name}-{ids.hex_id(4)}",
        "logStreamPrefix": DEFAULT_LOG_STREAM_PREFIX})
    return container


def _scaling(given: dict | None, base: dict) -> dict:
    scaling = {**base, **(given or {})}
    if scaling["minTaskCount"] < 0 or scaling["maxTaskCount"] < 0:
        raise InvalidParameterException(TASK_COUNT_NEGATIVE)
    if scaling["minTaskCount"] > scaling["maxTaskCount"]:
        raise InvalidParameterException(SCALING_RANGE_INVALID)
    return scaling


def _health_check_path(value: str) -> str:
    if not value.startswith("/"):
        raise InvalidParameterException(HEALTH_CHECK_PATH_INVALID)
    return value


def _register_task_definition(ctx, family: str, configuration: dict) -> str:
    """RegisterTaskDefinition of the configuration's task definition; returns its ARN."""
    return task_definitions.register_task_definition(
        ctx, _task_definition(ctx, family, configuration))["taskDefinition"]["taskDefinitionArn"]


def _task_definition(ctx, family: str, configuration: dict) -> dict:
    """RegisterTaskDefinition's parameters for the configuration's task definition."""
    container = configuration["primaryContainer"]
    logs = container["awsLogsConfiguration"]
    port = container["containerPort"]
    definition = {"name": CONTAINER_NAME, "image": container["image"], "essential": True,
                  "portMappings": [{"containerPort": port, "protocol": "tcp", "name": f"{port}-tcp"}],
                  "logConfiguration": {"logDriver": "awslogs", "options": {
                      "awslogs-group": logs["logGroup"], "awslogs-region": ctx.region,
                      "awslogs-stream-prefix": logs["logStreamPrefix"], "mode": "non-blocking",
                      "max-buffer-size": "25m"}},
                  "linuxParameters": {"initProcessEnabled": True}, "stopTimeout": STOP_TIMEOUT,
                  "versionConsistency": "enabled"}
    for member in ("command", "environment", "secrets", "repositoryCredentials"):
        if member in container:
            definition[member] = copy.deepcopy(container[member])
    params = {"family": family, "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
              "cpu": configuration["cpu"], "memory": configuration["memory"],
              "executionRoleArn": configuration["executionRoleArn"],
              "runtimePlatform": {"operatingSystemFamily": "LINUX", "cpuArchitecture": "X86_64"},
              "containerDefinitions": [definition]}
    if configuration.get("taskRoleArn"):
        params["taskRoleArn"] = configuration["taskRoleArn"]
    return params


def _awsvpc(network: dict, default_vpc: bool) -> dict:
    return {"awsvpcConfiguration": {"subnets": list(network["subnets"]),
                                    "securityGroups": list(network["securityGroups"]),
                                    "assignPublicIp": "ENABLED" if default_vpc else "DISABLED"}}


def _record(ctx, express: ExpressService, configuration: dict) -> dict:
    """Keep the configuration of the service's newest revision; returns it as reported."""
    revision = express.service.revision
    configuration = {"serviceRevisionArn": revision.arn, **configuration, "createdAt": ctx.now,
                     "ingressPaths": [{"accessType": "PUBLIC", "endpoint": express.endpoint}]}
    express.configurations[revision.arn] = configuration
    express.resources["managed"][revision.arn] = _managed_resources(ctx, express, configuration)
    return configuration


# -- finding Express services ------------------------------------------------------------------------------

def _express(ctx, value: str, missing) -> ExpressService:
    """The Express service an ARN names; ``missing(message)`` is the error for an unknown one."""
    arn = arns.parse(value)
    parts = arn.resource.split("/") if arn is not None else []
    if arn is None or arn.service != "ecs" or len(parts) != 3 or parts[0] != "service":
        raise InvalidParameterException(SERVICE_ARN_INVALID)
    cluster = ctx.store.clusters.get(parts[1])
    if cluster is None:
        raise ClusterNotFoundException(CLUSTER_NOT_FOUND)
    express = ctx.store.express_services.get(value)
    if express is None or cluster.services.get(parts[2]) is not express.service:
        raise missing
    return express


def _active_express(ctx, value: str) -> ExpressService:
    express = _express(ctx, value, ServiceNotFoundException(services.SERVICE_NOT_FOUND))
    if express.service.status != "ACTIVE":
        raise ServiceNotActiveException(services.SERVICE_NOT_ACTIVE)
    return express


def _existing_cluster(ctx, identifier: str | None):
    """The Express service's cluster if it is ACTIVE; None for a ``default`` that :func:`_cluster` creates."""
    cluster = find_cluster(ctx, identifier)
    if cluster is None or cluster.status != "ACTIVE":
        if cluster is None and (identifier or DEFAULT_CLUSTER) != DEFAULT_CLUSTER:
            raise ClusterNotFoundException(CLUSTER_NOT_FOUND)
        if cluster is not None and cluster.name != DEFAULT_CLUSTER:
            raise ClusterNotFoundException(clusters.CLUSTER_INACTIVE)
        return None
    return cluster


def _cluster(ctx, identifier: str | None):
    """The Express service's cluster; Express Mode creates ``default`` (with FARGATE) when it is missing,
    and associates FARGATE with the cluster when it is not yet."""
    cluster = _existing_cluster(ctx, identifier)
    if cluster is None:
        clusters.create_cluster(ctx, {"clusterName": DEFAULT_CLUSTER, "capacityProviders": ["FARGATE"]})
        return find_cluster(ctx, DEFAULT_CLUSTER)
    if "FARGATE" not in cluster.capacity_providers:
        clusters.put_cluster_capacity_providers(ctx, {
            "cluster": cluster.name, "capacityProviders": cluster.capacity_providers + ["FARGATE"],
            "defaultCapacityProviderStrategy": cluster.default_strategy})
    return cluster


def _generated_name(image: str) -> str:
    """A service name derived from the image's repository name."""
    repository = image.rsplit("/", 1)[-1].split("@", 1)[0].split(":", 1)[0]
    base = _NAME_CHARACTERS.sub("-", repository).strip("-")[:200] or "service"
    return f"{base}-{ids.hex_id(8)}"


# -- operations ---------------------------------------------------------------------------------------------

@ecs.operation("CreateExpressGatewayService")
def create_express_gateway_service(ctx: RequestContext, params: dict) -> dict:
    container_given = params["primaryContainer"]
    name = params.get("serviceName") or _generated_name(container_given["image"])
    if not RESOURCE_NAME.match(name):
        raise InvalidParameterException(services.INVALID_NAME)
    health_check_path = _health_check_path(params.get("healthCheckPath", DEFAULT_HEALTH_CHECK_PATH))
    scaling = _scaling(params.get("scalingTarget"), DEFAULT_SCALING)
    tags_from_request(params.get("tags"))              # refused before anything is created
    found = _existing_cluster(ctx, params.get("cluster"))
    cluster_name = found.name if found is not None else DEFAULT_CLUSTER
    existing = found.services.get(name) if found is not None else None
    if existing is not None and existing.status != "INACTIVE":
        raise InvalidParameterException(services.NOT_IDEMPOTENT)
    default_vpc = not (params.get("networkConfiguration") or {}).get("subnets")
    network = _default_vpc(ctx) if default_vpc else {"subnets": [], "securityGroups": []}
    network.update({k: list(v) for k, v in (params.get("networkConfiguration") or {}).items() if v})
    container = _container(ctx, container_given, cluster_name, name)
    resources = _infrastructure(ctx, name, network, container["containerPort"])
    if not network["securityGroups"]:
        network["securityGroups"] = [resources["serviceSecurityGroup"]]
    configuration = {"executionRoleArn": params["executionRoleArn"], "taskRoleArn": params.get("taskRoleArn"),
                     "cpu": params.get("cpu", DEFAULT_CPU), "memory": params.get("memory", DEFAULT_MEMORY),
                     "networkConfiguration": network, "healthCheckPath": health_check_path,
                     "primaryContainer": container, "scalingTarget": scaling}
    definition = _task_definition(ctx, f"{cluster_name}-{name}", configuration)
    task_definitions.check_registration(ctx, task_definitions.without_empty_roles(definition))  # before any change
    cluster = _cluster(ctx, params.get("cluster"))
    task_definition = task_definitions.register_task_definition(ctx, definition)["taskDefinition"]["taskDefinitionArn"]
    service = services.create_service_from_request(ctx, {
        "cluster": cluster.name, "serviceName": name, "taskDefinition": task_definition,
        "desiredCount": scaling["minTaskCount"], "platformVersion": "LATEST",
        "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "base": 1, "weight": 1}],
        "networkConfiguration": _awsvpc(network, default_vpc),
        "loadBalancers": [{"targetGroupArn": resources["targetGroup"], "containerName": CONTAINER_NAME,
                           "containerPort": container["containerPort"]}],
        "healthCheckGracePeriodSeconds": GRACE_PERIOD, "enableECSManagedTags": True, "propagateTags": "SERVICE",
        "tags": params.get("tags", [])})
    service.resource_management_type = "ECS"
    endpoint = f"{(_NAME_CHARACTERS.sub('', name)[:2] or 'ex').lower()}-{ids.hex_id(32)}.ecs.{ctx.region}.on.aws"
    resources["managed"] = {}
    express = ExpressService(service, params["infrastructureRoleArn"], endpoint, resources)
    _record(ctx, express, configuration)
    ctx.store.express_services[service.arn] = express
    return {"service": express.describe(include_tags=True)}


@ecs.operation("UpdateExpressGatewayService")
def update_express_gateway_service(ctx: RequestContext, params: dict) -> dict:
    express = _active_express(ctx, params["serviceArn"])
    service = express.service
    current = express.latest
    configuration = {key: copy.deepcopy(current[key]) for key in (
        "executionRoleArn", "taskRoleArn", "cpu", "memory", "networkConfiguration", "healthCheckPath",
        "primaryContainer", "scalingTarget")}
    for member in ("executionRoleArn", "taskRoleArn", "cpu", "memory"):
        if member in params:
            configuration[member] = params[member]
    if "healthCheckPath" in params:
        configuration["healthCheckPath"] = _health_check_path(params["healthCheckPath"])
    if "primaryContainer" in params:
        container = copy.deepcopy(params["primaryContainer"])
        container.setdefault("containerPort", DEFAULT_PORT)
        container.setdefault("awsLogsConfiguration", current["primaryContainer"]["awsLogsConfiguration"])
        configuration["primaryContainer"] = container
    configuration["scalingTarget"] = _scaling(params.get("scalingTarget"), current["scalingTarget"])
    network_given = {k: list(v) for k, v in (params.get("networkConfiguration") or {}).items() if v}
    configuration["networkConfiguration"].update(network_given)
    default_vpc = configuration["networkConfiguration"]["subnets"] == _default_vpc(ctx)["subnets"]
    task_definition = service.revision.task_definition.arn
    if any(configuration[member] != current[member] for member in _TASK_DEFINITION_MEMBERS):
        task_definition = _register_task_definition(ctx, service.revision.task_definition.family, configuration)
    scaling = configuration["scalingTarget"]
    services.update_service_from_request(ctx, {
        "cluster": service.cluster.name, "service": service.name, "taskDefinition": task_definition,
        "networkConfiguration": _awsvpc(configuration["networkConfiguration"], default_vpc),
        "desiredCount": min(max(service.desired_count, scaling["minTaskCount"]), scaling["maxTaskCount"]),
        "forceNewDeployment": True})
    express.updated_at = ctx.now
    target = _record(ctx, express, configuration)
    return {"service": {"serviceArn": service.arn, "cluster": service.cluster.arn, "serviceName": service.name,
                        "status": express.status(), "targetConfiguration": copy.deepcopy(target),
                        "createdAt": service.created_at, "updatedAt": express.updated_at}}


@ecs.operation("DeleteExpressGatewayService")
def delete_express_gateway_service(ctx: RequestContext, params: dict) -> dict:
    express = _active_express(ctx, params["serviceArn"])
    service = express.service
    services.delete_service_from_request(ctx, {"cluster": service.cluster.name, "service": service.name,
                                               "force": True})
    express.updated_at = ctx.now
    return {"service": express.describe(include_tags=False)}


@ecs.operation("DescribeExpressGatewayService")
def describe_express_gateway_service(ctx: RequestContext, params: dict) -> dict:
    express = _express(ctx, params["serviceArn"], ResourceNotFoundException(RESOURCE_NOT_FOUND))
    return {"service": express.describe(include_tags="TAGS" in params.get("include", []))}
