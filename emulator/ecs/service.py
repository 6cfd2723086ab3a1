"""The ECS service: its store, its validation policy, its handler registry."""
from __future__ import annotations

from collections import Counter

from emulator.core.service import Service, Store
from emulator.ecs import errors
from emulator.protocol.errors import SerializationException, ServiceError
from emulator.protocol.validation import Violation

# Task-definition operations answer ClientException where the others answer
# InvalidParameterException.
TASK_DEFINITION_OPERATIONS = frozenset({
    "RegisterTaskDefinition", "DescribeTaskDefinition", "DeregisterTaskDefinition",
    "DeleteTaskDefinitions", "ListTaskDefinitions", "ListTaskDefinitionFamilies",
})


class EcsStore(Store):
    """Everything ECS holds for one (account, region)."""

    def __init__(self, account: str, region: str) -> None:
        super().__init__(account, region)
        from emulator.ecs.daemon_task_definitions import DaemonTaskDefinitionRegistry
        from emulator.ecs.task_definitions import TaskDefinitionRegistry
        self.clusters: dict = {}            # name -> clusters.Cluster (ACTIVE and INACTIVE)
        self.task_definitions = TaskDefinitionRegistry()
        self.task_definition_refs: Counter = Counter()  # task-definition ARN -> non-STOPPED tasks + active services
        self.capacity_providers: dict = {}  # name -> capacity_providers.CapacityProvider (not FARGATE/FARGATE_SPOT)
        self.account_settings: dict = {}    # (setting name, principal ARN; root = account default) -> value
        self.tasks: dict = {}               # task id -> task_engine.Task (STOPPED ones until purged)
        self.run_task_tokens: dict = {}     # RunTask clientToken -> (request, task ids, failures)
        self.container_instances: dict = {}  # instance id -> container_instances.ContainerInstance
        self.instances_by_ec2_id: dict = {}  # (cluster name, EC2 instance id) -> ContainerInstance
        self.subnet_pools: dict = {}        # subnet id -> networking.SubnetPool (task ENI addresses)
        self.public_addresses: set = set()  # public IPv4 addresses held by task ENIs
        self.tasks_by_attachment: dict = {}  # task ENI attachment id -> task_engine.Task
        self.daemon_task_definitions = DaemonTaskDefinitionRegistry()
        self.daemons: dict = {}             # (cluster name, daemon name) -> daemons.Daemon (until deleted)
        self.daemon_deployments: dict = {}  # daemon deployment ARN -> daemons.DaemonDeployment
        self.daemon_history: dict = {}      # daemon ARN -> its deployment ARNs, oldest first (outlives the daemon)
        self.daemon_revisions: dict = {}    # daemon revision ARN -> daemons.DaemonRevision
        self.daemon_tasks: dict = {}        # task id -> daemons.Daemon that started it
        self.daemon_tokens: dict = {}       # CreateDaemon clientToken -> (request digest, daemon ARN)
        self.express_services: dict = {}    # service ARN -> express_gateway.ExpressService
        self.failure_rules: list = []       # failures.FailureRule, oldest first (fail_tasks; tasks of this store)


def validation_error(operation: str, violation: Violation, params: dict) -> ServiceError:
    # The JSON front end rejects a member of the wrong JSON type before ECS sees it.
    if violation.kind == "type":
        return SerializationException(violation.message)
    if operation in TASK_DEFINITION_OPERATIONS:
        return errors.ClientException(violation.message)
    return errors.InvalidParameterException(violation.message)


ecs = Service("ecs", EcsStore, validation_error, errors.ServerException, handlers_package="emulator.ecs")
