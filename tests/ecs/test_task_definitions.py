"""Task definitions through boto3 in mock_aws: registration rules, revisions, statuses, listings."""
import pytest
from botocore.exceptions import ClientError

from emulator.ecs.task_definitions import release_task_definition, task_definition_in_use

ACCOUNT = "123456789012"
ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition"
EXEC_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole"


def container(name="app", **extra):
    return {"name": name, "image": "nginx:1.25", "memory": 256, **extra}


def register(client, family="web", containers=None, **params):
    containers = [container()] if containers is None else containers
    return client.register_task_definition(family=family, containerDefinitions=containers,
                                           **params)["taskDefinition"]


def fargate(client, family="web", containers=None, **params):
    params = {"networkMode": "awsvpc", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"],
              **params}
    return register(client, family, containers or [{"name": "app", "image": "nginx"}], **params)


def error_of(call, *args, **kwargs):
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def register_error(client, family="web", containers=None, **params):
    return error_of(register, client, family, containers, **params)


# --- registration: shape and normalization -------------------------------------------------------

def test_register_returns_normalized_definition(ecs_client):
    td = register(ecs_client, containers=[container(portMappings=[{"containerPort": 80}],
                                                    healthCheck={"command": ["CMD", "true"]})])
    assert td["taskDefinitionArn"] == f"{ARN}/web:1"
    assert (td["family"], td["revision"], td["status"]) == ("web", 1, "ACTIVE")
    assert td["compatibilities"] == ["EXTERNAL", "EC2"]
    assert td["registeredBy"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert isinstance(td["registeredAt"].timestamp(), float)
    assert td["volumes"] == [] and td["placementConstraints"] == []
    c = td["containerDefinitions"][0]
    assert (c["cpu"], c["essential"], c["environment"], c["mountPoints"], c["volumesFrom"]) == (0, True, [], [], [])
    assert c["portMappings"] == [{"containerPort": 80, "protocol": "tcp"}]
    assert c["healthCheck"] == {"command": ["CMD", "true"], "interval": 30, "timeout": 5, "retries": 3}


def test_awsvpc_fills_host_port_from_container_port(ecs_client):
    td = register(ecs_client, networkMode="awsvpc", containers=[container(portMappings=[{"containerPort": 8080}])])
    assert td["containerDefinitions"][0]["portMappings"] == [
        {"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]


def test_revisions_increase_and_are_never_reused(ecs_client):
    assert [register(ecs_client)["revision"] for _ in range(3)] == [1, 2, 3]
    ecs_client.deregister_task_definition(taskDefinition="web:3")
    ecs_client.delete_task_definitions(taskDefinitions=["web:3"])
    assert register(ecs_client)["revision"] == 4


def test_register_returns_tags(ecs_client):
    out = ecs_client.register_task_definition(family="web", containerDefinitions=[container()],
                                              tags=[{"key": "team", "value": "a"}])
    assert out["tags"] == [{"key": "team", "value": "a"}]


@pytest.mark.parametrize("cpu, memory, expected", [
    ("1 vCPU", "2 GB", ("1024", "2048")),
    ("0.25 vCPU", "0.5GB", ("256", "512")),
    ("2 vcpu", "2GB", ("2048", "2048")),
    ("1024", "3072", ("1024", "3072")),
])
def test_task_cpu_and_memory_units_are_normalized_to_integer_strings(ecs_client, cpu, memory, expected):
    td = register(ecs_client, cpu=cpu, memory=memory, containers=[{"name": "app", "image": "nginx"}])
    assert (td["cpu"], td["memory"]) == expected


def test_role_name_is_completed_to_an_arn(ecs_client):
    """ECS fills in the account for a bare role name."""
    td = register(ecs_client, taskRoleArn="appRole", executionRoleArn="ecsTaskExecutionRole")
    assert td["taskRoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/appRole"
    assert td["executionRoleArn"] == EXEC_ROLE


# --- compatibilities and requiresAttributes ------------------------------------------------------

@pytest.mark.parametrize("mode", ["bridge", "host", "none"])
def test_non_awsvpc_definitions_are_external_and_ec2(ecs_client, mode):
    assert register(ecs_client, networkMode=mode)["compatibilities"] == ["EXTERNAL", "EC2"]


def test_awsvpc_with_fargate_size_is_ec2_and_fargate(ecs_client):
    td = register(ecs_client, networkMode="awsvpc", cpu="256", memory="512",
                  containers=[{"name": "app", "image": "nginx"}])
    assert td["compatibilities"] == ["EC2", "FARGATE"]
    assert "requiresCompatibilities" not in td


def test_awsvpc_without_fargate_size_is_ec2_only(ecs_client):
    """awsvpc rules out EXTERNAL (ECS Anywhere); a size Fargate doesn't offer rules out FARGATE."""
    assert register(ecs_client, networkMode="awsvpc", cpu="1024", memory="1024")["compatibilities"] == ["EC2"]


def test_required_compatibilities_are_echoed(ecs_client):
    td = fargate(ecs_client)
    assert td["requiresCompatibilities"] == ["FARGATE"]
    assert td["compatibilities"] == ["EC2", "FARGATE"]


def test_requires_attributes_follow_the_features_used(ecs_client):
    td = register(ecs_client, networkMode="awsvpc", taskRoleArn="appRole", executionRoleArn=EXEC_ROLE,
                  containers=[container(logConfiguration={"logDriver": "awslogs", "options": {}},
                                        healthCheck={"command": ["CMD", "true"]})])
    names = [a["name"] for a in td["requiresAttributes"]]
    assert names == [
        "com.amazonaws.ecs.capability.docker-remote-api.1.18", "ecs.capability.task-eni",
        "com.amazonaws.ecs.capability.task-iam-role", "com.amazonaws.ecs.capability.logging-driver.awslogs",
        "com.amazonaws.ecs.capability.docker-remote-api.1.19", "ecs.capability.execution-role-awslogs",
        "ecs.capability.container-health-check"]


# --- RegisterTaskDefinition rules ----------------------------------------------------------------

def test_blank_family(ecs_client):
    assert register_error(ecs_client, family="") == ("ClientException", "Family can not be blank.")


def test_family_with_invalid_characters(ecs_client):
    assert register_error(ecs_client, family="web app") == ("ClientException", "Family contains invalid characters.")


def test_empty_container_list(ecs_client):
    assert register_error(ecs_client, containers=[]) == ("ClientException", "Container list cannot be empty.")


def test_more_than_ten_containers(ecs_client):
    containers = [container(f"c{i}") for i in range(11)]
    assert register_error(ecs_client, containers=containers) == ("ClientException", "Too many containers.")


def test_ten_containers_are_allowed(ecs_client):
    assert len(register(ecs_client, containers=[container(f"c{i}") for i in range(10)])["containerDefinitions"]) == 10


def test_container_without_name(ecs_client):
    assert register_error(ecs_client, containers=[{"image": "nginx", "memory": 128}]) == (
        "ClientException", "Container.name should not be null or empty.")


def test_container_name_with_invalid_characters(ecs_client):
    assert register_error(ecs_client, containers=[container("my app")]) == (
        "ClientException", "Container.name contains invalid characters.")


def test_duplicate_container_names(ecs_client):
    assert register_error(ecs_client, containers=[container("a"), container("a")]) == (
        "ClientException", "Container names must be unique within a Task Definition.")


def test_container_without_image(ecs_client):
    assert register_error(ecs_client, containers=[{"name": "app", "image": "", "memory": 128}]) == (
        "ClientException", "Container.image should not be null or empty.")


def test_image_with_invalid_characters(ecs_client):
    """A template placeholder left in the image. The trailing period is this emulator's choice."""
    assert register_error(ecs_client, containers=[container(image="$IMAGE")]) == (
        "ClientException", "Container.image contains invalid characters.")


def test_digest_and_registry_images_are_valid(ecs_client):
    image = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app@sha256:" + "a" * 64
    assert register(ecs_client, containers=[container(image=image)])["containerDefinitions"][0]["image"] == image


def test_no_essential_container(ecs_client):
    assert register_error(ecs_client, containers=[container(essential=False)]) == (
        "ClientException", "Task definition doesn't have any essential container.")


def test_container_needs_memory_without_task_memory(ecs_client):
    assert register_error(ecs_client, containers=[{"name": "app", "image": "nginx"}]) == (
        "ClientException",
        "Invalid setting for container 'app'. At least one of 'memory' or 'memoryReservation' must be specified.")


def test_memory_reservation_alone_is_enough(ecs_client):
    td = register(ecs_client, containers=[{"name": "app", "image": "nginx", "memoryReservation": 128}])
    assert td["containerDefinitions"][0]["memoryReservation"] == 128


def test_memory_below_memory_reservation(ecs_client):
    """AWS documents the rule (memory >= memoryReservation); the wording is this emulator's choice."""
    assert register_error(ecs_client, containers=[container(memory=128, memoryReservation=256)]) == (
        "ClientException",
        "Invalid setting for container 'app'. 'memory' must be greater than or equal to 'memoryReservation'.")


def test_container_memory_greater_than_task_memory(ecs_client):
    assert register_error(ecs_client, memory="512", containers=[container(memory=1024)]) == (
        "ClientException", "The 'memory' setting for container 'app' is greater than for the task.")


def test_memory_reservations_over_task_memory(ecs_client):
    containers = [{"name": "a", "image": "nginx", "memoryReservation": 300},
                  {"name": "b", "image": "nginx", "memoryReservation": 300}]
    assert register_error(ecs_client, memory="512", containers=containers) == (
        "ClientException",
        "The sum of all container 'memoryReservation' values cannot be greater than the value of the task 'memory'.")


def test_container_cpu_over_task_cpu(ecs_client):
    containers = [container("a", cpu=512), container("b", cpu=1024)]
    assert register_error(ecs_client, cpu="1024", containers=containers) == (
        "ClientException", "The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'.")


@pytest.mark.parametrize("setting", ["cpu", "memory"])
@pytest.mark.parametrize("value", ["", "lots", "1.5", "0", "2 TB"])
def test_unparsable_task_cpu_or_memory(ecs_client, setting, value):
    assert register_error(ecs_client, **{setting: value}) == (
        "ClientException",
        f"Invalid '{setting}' setting for task. For more information, see the Troubleshooting section of the "
        "Amazon ECS Developer Guide.")


def test_task_cpu_below_ec2_minimum(ecs_client):
    """EC2 task cpu is 128-196608 units."""
    assert register_error(ecs_client, cpu="64")[1].startswith("Invalid 'cpu' setting for task.")


@pytest.mark.parametrize("mode", ["awsvpc", "host"])
def test_host_port_must_match_container_port(ecs_client, mode):
    containers = [container(portMappings=[{"containerPort": 80, "hostPort": 8080}])]
    assert register_error(ecs_client, networkMode=mode, containers=containers) == (
        "ClientException",
        f"When networkMode={mode}, the host ports and container ports in port mappings must match.")


def test_bridge_allows_different_host_port(ecs_client):
    td = register(ecs_client, containers=[container(portMappings=[{"containerPort": 80, "hostPort": 8080}])])
    assert td["containerDefinitions"][0]["portMappings"][0]["hostPort"] == 8080


def test_success_dependency_on_essential_container(ecs_client):
    containers = [container("init"), container("app", dependsOn=[{"containerName": "init", "condition": "SUCCESS"}])]
    assert register_error(ecs_client, containers=containers) == (
        "ClientException",
        "A dependency container with SUCCESS or COMPLETE condition cannot be an essential container")


def test_complete_dependency_on_non_essential_container_is_allowed(ecs_client):
    containers = [container("init", essential=False),
                  container("app", dependsOn=[{"containerName": "init", "condition": "COMPLETE"}])]
    td = register(ecs_client, containers=containers)
    assert "ecs.capability.container-ordering" in [a["name"] for a in td["requiresAttributes"]]


def test_secrets_need_execution_role(ecs_client):
    containers = [container(secrets=[{"name": "DB", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/db"}])]
    assert register_error(ecs_client, containers=containers) == (
        "ClientException",
        "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.")


def test_secrets_with_execution_role(ecs_client):
    containers = [container(secrets=[{"name": "DB", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/db"}])]
    td = register(ecs_client, containers=containers, executionRoleArn=EXEC_ROLE)
    assert "ecs.capability.secrets.ssm.environment-variables" in [a["name"] for a in td["requiresAttributes"]]


def test_private_registry_credentials_need_execution_role(ecs_client):
    containers = [container(repositoryCredentials={"credentialsParameter": "arn:aws:secretsmanager:x"})]
    assert register_error(ecs_client, containers=containers) == (
        "ClientException",
        "Private repository authentication requires that the task definition specify a value for executionRoleArn.")


def test_awslogs_on_ec2_needs_no_execution_role(ecs_client):
    """On EC2 the instance role ships the logs."""
    td = register(ecs_client, containers=[container(logConfiguration={"logDriver": "awslogs"})])
    assert td["compatibilities"] == ["EXTERNAL", "EC2"]


@pytest.mark.parametrize("size, message", [
    (20, "EphemeralStorage size should be at least 21"),
    (201, "EphemeralStorage size should be at most 200"),
])
def test_ephemeral_storage_out_of_range(ecs_client, size, message):
    assert error_of(fargate, ecs_client, ephemeralStorage={"sizeInGiB": size}) == ("ClientException", message)


@pytest.mark.parametrize("size", [21, 200])
def test_ephemeral_storage_bounds(ecs_client, size):
    assert fargate(ecs_client, ephemeralStorage={"sizeInGiB": size})["ephemeralStorage"] == {"sizeInGiB": size}


@pytest.mark.parametrize("field", ["taskRoleArn", "executionRoleArn"])
def test_malformed_role_arn(ecs_client, field):
    assert register_error(ecs_client, **{field: "arn:aws:iam:role"}) == ("ClientException", "Invalid arn syntax.")


def test_arn_that_is_not_a_role(ecs_client):
    assert register_error(ecs_client, executionRoleArn=f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/x") == (
        "ClientException", "Role is not valid")


def test_external_with_awsvpc(ecs_client):
    """ECS Anywhere has no awsvpc; the wording is this emulator's choice."""
    assert register_error(ecs_client, networkMode="awsvpc", requiresCompatibilities=["EXTERNAL"]) == (
        "ClientException", "Task definitions for the EXTERNAL launch type don't support the awsvpc network mode.")


def test_reserved_tag_prefix_on_register(ecs_client):
    code, message = register_error(ecs_client, tags=[{"key": "AWS:team", "value": "a"}])
    assert (code, message) == ("InvalidParameterException",
                               "Tag keys and values beginning with 'aws:' are reserved for AWS use.")


# --- Fargate rules (the size table itself is in test_fargate.py) ---------------------------------

def test_fargate_needs_awsvpc(ecs_client):
    assert error_of(fargate, ecs_client, networkMode="bridge") == (
        "ClientException", "Fargate only supports network mode \u2018awsvpc\u2019.")


@pytest.mark.parametrize("omitted, message", [
    ("networkMode", "Fargate only supports network mode \u2018awsvpc\u2019."),     # omitted means bridge
    ("cpu", "Fargate requires that 'cpu' be defined at the task level."),
    ("memory", "Fargate requires that 'memory' be defined at the task level."),
])
def test_fargate_needs_awsvpc_cpu_and_memory(ecs_client, omitted, message):
    params = {"networkMode": "awsvpc", "cpu": "256", "memory": "512"}
    del params[omitted]
    with pytest.raises(ClientError) as info:
        ecs_client.register_task_definition(family="web", requiresCompatibilities=["FARGATE"],
                                            containerDefinitions=[{"name": "a", "image": "nginx"}], **params)
    assert info.value.response["Error"] == {"Code": "ClientException", "Message": message}


def test_fargate_size_not_in_table(ecs_client):
    assert error_of(fargate, ecs_client, cpu="4096", memory="4096") == (
        "ClientException",
        "No Fargate configuration exists for given values: 4096 CPU, 4096 memory. "
        "See the Amazon ECS documentation for the valid values.")


def test_fargate_size_message_names_normalized_values(ecs_client):
    assert "1024 CPU, 1024 memory" in error_of(fargate, ecs_client, cpu="1 vCPU", memory="1 GB")[1]


def test_fargate_ipc_mode(ecs_client):
    assert error_of(fargate, ecs_client, ipcMode="task") == (
        "ClientException", "Tasks using the Fargate launch type do not support ipcMode.")


def test_fargate_host_volume_source_path(ecs_client):
    volumes = [{"name": "data", "host": {"sourcePath": "/var/data"}}]
    assert error_of(fargate, ecs_client, volumes=volumes) == (
        "ClientException", "Fargate compatible task definitions do not support sourcePath")


def test_fargate_host_volume_without_source_path_is_allowed(ecs_client):
    assert fargate(ecs_client, volumes=[{"name": "scratch", "host": {}}])["volumes"] == [
        {"name": "scratch", "host": {}}]


def test_fargate_gpu(ecs_client):
    """Fargate has no GPUs; the wording is this emulator's choice."""
    containers = [{"name": "app", "image": "nginx", "resourceRequirements": [{"type": "GPU", "value": "1"}]}]
    assert error_of(fargate, ecs_client, containers=containers) == (
        "ClientException", "Tasks using the Fargate launch type do not support GPU resource requirements.")


def test_gpu_on_ec2_is_allowed_and_rules_out_fargate(ecs_client):
    containers = [container(resourceRequirements=[{"type": "GPU", "value": "1"}])]
    td = register(ecs_client, networkMode="awsvpc", cpu="256", memory="512", containers=containers)
    assert td["compatibilities"] == ["EC2"]


def test_fargate_awslogs_needs_execution_role(ecs_client):
    containers = [{"name": "app", "image": "nginx", "logConfiguration": {"logDriver": "awslogs"}}]
    assert error_of(fargate, ecs_client, containers=containers) == (
        "ClientException", "Fargate requires task definition to have execution role ARN to support log driver awslogs.")


def test_fargate_ecr_image_needs_execution_role(ecs_client):
    containers = [{"name": "app", "image": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app:1"}]
    assert error_of(fargate, ecs_client, containers=containers) == (
        "ClientException", "Fargate requires task definition to have execution role ARN to support ECR images.")


def test_fargate_ecr_image_with_execution_role(ecs_client):
    containers = [{"name": "app", "image": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app:1"}]
    td = fargate(ecs_client, containers=containers, executionRoleArn=EXEC_ROLE)
    assert "ecs.capability.execution-role-ecr-pull" in [a["name"] for a in td["requiresAttributes"]]


def test_fargate_arm64_linux(ecs_client):
    platform = {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"}
    assert fargate(ecs_client, runtimePlatform=platform)["runtimePlatform"] == platform


def test_fargate_arm64_windows(ecs_client):
    """ARM64 is Linux-only on Fargate; the wording is this emulator's choice."""
    platform = {"cpuArchitecture": "ARM64", "operatingSystemFamily": "WINDOWS_SERVER_2022_CORE"}
    assert error_of(fargate, ecs_client, cpu="1024", memory="2048", runtimePlatform=platform) == (
        "ClientException", "Fargate supports the ARM64 CPU architecture only for the LINUX operating system family.")


def test_fargate_windows_family_not_offered(ecs_client):
    """Windows Server 2016 runs on EC2 only; the wording is this emulator's choice."""
    platform = {"operatingSystemFamily": "WINDOWS_SERVER_2016_FULL"}
    assert error_of(fargate, ecs_client, cpu="1024", memory="2048", runtimePlatform=platform) == (
        "ClientException", "Fargate does not support the operating system family WINDOWS_SERVER_2016_FULL.")


# --- Describe / Deregister / Delete ---------------------------------------------------------------

def test_describe_by_family_returns_latest_active_revision(ecs_client):
    register(ecs_client)
    register(ecs_client)
    register(ecs_client)
    ecs_client.deregister_task_definition(taskDefinition="web:3")
    assert ecs_client.describe_task_definition(taskDefinition="web")["taskDefinition"]["revision"] == 2


@pytest.mark.parametrize("identifier", ["web:1", f"{ARN}/web:1"])
def test_describe_by_revision_or_arn(ecs_client, identifier):
    register(ecs_client)
    assert ecs_client.describe_task_definition(taskDefinition=identifier)["taskDefinition"]["revision"] == 1


@pytest.mark.parametrize("identifier", ["nope", "web:9", "web:x", f"arn:aws:ecs:eu-west-1:{ACCOUNT}:task-definition/web:1"])
def test_describe_unknown(ecs_client, identifier):
    register(ecs_client)
    assert error_of(ecs_client.describe_task_definition, taskDefinition=identifier) == (
        "ClientException", "Unable to describe task definition.")


def test_describe_includes_tags_only_when_asked(ecs_client):
    register(ecs_client, tags=[{"key": "team", "value": "a"}])
    assert "tags" not in ecs_client.describe_task_definition(taskDefinition="web")
    assert ecs_client.describe_task_definition(taskDefinition="web", include=["TAGS"])["tags"] == [
        {"key": "team", "value": "a"}]


def test_deregister_marks_inactive(ecs_client, ecs_eks_mock):
    register(ecs_client)
    ecs_eks_mock.clock.freeze()
    before = ecs_eks_mock.clock.now()
    td = ecs_client.deregister_task_definition(taskDefinition="web:1")["taskDefinition"]
    assert td["status"] == "INACTIVE"
    assert td["deregisteredAt"].timestamp() == pytest.approx(before, abs=0.001)


def test_inactive_revision_still_describable_by_revision(ecs_client):
    register(ecs_client)
    ecs_client.deregister_task_definition(taskDefinition="web:1")
    assert ecs_client.describe_task_definition(taskDefinition="web:1")["taskDefinition"]["status"] == "INACTIVE"
    assert error_of(ecs_client.describe_task_definition, taskDefinition="web")[1] == "Unable to describe task definition."


def test_deregister_needs_a_revision(ecs_client):
    """AWS: "You must specify a revision." (its wording as the message is this emulator's choice)."""
    register(ecs_client)
    assert error_of(ecs_client.deregister_task_definition, taskDefinition="web") == (
        "ClientException", "You must specify a revision.")


def test_deregister_unknown_revision(ecs_client):
    assert error_of(ecs_client.deregister_task_definition, taskDefinition="web:1") == (
        "ClientException", "Unable to describe task definition.")


def test_deregister_delete_in_progress_revision(ecs_client, ecs_eks_mock):
    ecs_eks_mock.config.set_timing(**{"ecs.task_definition.delete": 60})
    register(ecs_client)
    ecs_client.deregister_task_definition(taskDefinition="web:1")
    ecs_client.delete_task_definitions(taskDefinitions=["web:1"])
    assert error_of(ecs_client.deregister_task_definition, taskDefinition="web:1") == (
        "ClientException", "The specified task definition is in the process of being deleted.")


def test_delete_marks_delete_in_progress_then_removes(ecs_client, ecs_eks_mock):
    ecs_eks_mock.config.set_timing(**{"ecs.task_definition.delete": 60})
    ecs_eks_mock.clock.freeze()
    register(ecs_client)
    ecs_client.deregister_task_definition(taskDefinition="web:1")
    out = ecs_client.delete_task_definitions(taskDefinitions=[f"{ARN}/web:1"])
    assert out["failures"] == []
    assert out["taskDefinitions"][0]["status"] == "DELETE_IN_PROGRESS"
    assert "deleteRequestedAt" in out["taskDefinitions"][0]
    assert ecs_client.list_task_definitions(status="DELETE_IN_PROGRESS")["taskDefinitionArns"] == [f"{ARN}/web:1"]
    assert ecs_client.describe_task_definition(taskDefinition="web:1")["taskDefinition"]["status"] == \
        "DELETE_IN_PROGRESS"
    ecs_eks_mock.clock.advance(60)
    assert ecs_client.list_task_definitions(status="DELETE_IN_PROGRESS")["taskDefinitionArns"] == []
    assert error_of(ecs_client.describe_task_definition, taskDefinition="web:1")[1] == \
        "Unable to describe task definition."
    assert ecs_client.list_task_definition_families()["families"] == []


def test_delete_reports_per_item_failures(ecs_client):
    register(ecs_client)
    out = ecs_client.delete_task_definitions(taskDefinitions=["web:1", "web", "web:7"])
    assert out["taskDefinitions"] == []
    assert out["failures"] == [
        {"arn": f"{ARN}/web:1", "reason": "The specified task definition is still in ACTIVE status. "
                                          "Please first deregister the target and try again."},
        {"arn": "web", "reason": "The specified task definition identifier is invalid. "
                                 "Specify a valid name or ARN and try again."},
        {"arn": f"{ARN}/web:7", "reason": "The specified task definition does not exist. "
                                          "Specify a valid account, family, revision and try again."},
    ]


def test_delete_more_than_ten(ecs_client):
    """At most 10 per call (documented); the wording is this emulator's choice."""
    assert error_of(ecs_client.delete_task_definitions, taskDefinitions=[f"web:{i}" for i in range(1, 12)]) == (
        "ClientException", "You can specify up to 10 task definitions in a single call.")


def test_delete_empty_list(ecs_client):
    assert error_of(ecs_client.delete_task_definitions, taskDefinitions=[]) == (
        "ClientException", "Task definitions cannot be empty.")


def test_referenced_revision_stays_until_released(ecs_client, ecs_eks_mock):
    """Other modules count users in store.task_definition_refs and call release_task_definition."""
    register(ecs_client)
    store = ecs_eks_mock.engine.store("ecs", ACCOUNT, "us-east-1")
    arn = f"{ARN}/web:1"
    store.task_definition_refs[arn] += 1
    assert task_definition_in_use(store, arn)
    ecs_client.deregister_task_definition(taskDefinition="web:1")
    ecs_client.delete_task_definitions(taskDefinitions=["web:1"])
    assert ecs_client.describe_task_definition(taskDefinition=arn)["taskDefinition"]["status"] == "DELETE_IN_PROGRESS"
    store.task_definition_refs[arn] -= 1
    release_task_definition(store, arn)
    assert not task_definition_in_use(store, arn)
    assert error_of(ecs_client.describe_task_definition, taskDefinition=arn)[1] == "Unable to describe task definition."


# --- ListTaskDefinitions / ListTaskDefinitionFamilies ---------------------------------------------

def _setup_families(client):
    for family in ("web", "worker", "web", "api", "web-admin"):
        register(client, family=family)
    client.deregister_task_definition(taskDefinition="web:1")


def test_list_task_definitions_default_active_ascending(ecs_client):
    _setup_families(ecs_client)
    assert ecs_client.list_task_definitions()["taskDefinitionArns"] == [
        f"{ARN}/api:1", f"{ARN}/web:2", f"{ARN}/web-admin:1", f"{ARN}/worker:1"]


def test_list_task_definitions_descending(ecs_client):
    _setup_families(ecs_client)
    register(ecs_client, family="web")
    assert ecs_client.list_task_definitions(sort="DESC")["taskDefinitionArns"] == [
        f"{ARN}/worker:1", f"{ARN}/web-admin:1", f"{ARN}/web:3", f"{ARN}/web:2", f"{ARN}/api:1"]


def test_list_task_definitions_family_prefix_is_the_exact_family(ecs_client):
    _setup_families(ecs_client)
    assert ecs_client.list_task_definitions(familyPrefix="web")["taskDefinitionArns"] == [f"{ARN}/web:2"]
    assert ecs_client.list_task_definitions(familyPrefix="we")["taskDefinitionArns"] == []


def test_list_task_definitions_inactive(ecs_client):
    _setup_families(ecs_client)
    assert ecs_client.list_task_definitions(status="INACTIVE")["taskDefinitionArns"] == [f"{ARN}/web:1"]


def test_list_task_definitions_revisions_sort_numerically(ecs_client):
    for _ in range(11):
        register(ecs_client)
    arns = ecs_client.list_task_definitions(familyPrefix="web")["taskDefinitionArns"]
    assert [int(a.rsplit(":", 1)[1]) for a in arns] == list(range(1, 12))


@pytest.mark.parametrize("sort", ["ASC", "DESC"])
def test_list_task_definitions_pages(ecs_client, sort):
    for family in ("a", "b", "c"):
        for _ in range(3):
            register(ecs_client, family=family)
    expected = ecs_client.list_task_definitions(sort=sort)["taskDefinitionArns"]
    pages = ecs_client.get_paginator("list_task_definitions").paginate(sort=sort, PaginationConfig={"PageSize": 2})
    assert [arn for page in pages for arn in page["taskDefinitionArns"]] == expected
    assert len(expected) == 9


def test_list_pages_survive_new_registrations(ecs_client):
    for _ in range(4):
        register(ecs_client, family="b")
    first = ecs_client.list_task_definitions(maxResults=2)
    register(ecs_client, family="a")
    rest = ecs_client.list_task_definitions(maxResults=100, nextToken=first["nextToken"])
    assert first["taskDefinitionArns"] + rest["taskDefinitionArns"] == [f"{ARN}/b:{i}" for i in range(1, 5)]


@pytest.mark.parametrize("size", [0, 101])
def test_list_task_definitions_page_size_range(ecs_client, size):
    code, message = error_of(ecs_client.list_task_definitions, maxResults=size)
    assert (code, message) == ("ClientException", "maxResults must be between 1 and 100, inclusive.")


def test_list_families_prefix_and_status(ecs_client):
    _setup_families(ecs_client)
    register(ecs_client, family="old")
    ecs_client.deregister_task_definition(taskDefinition="old:1")
    assert ecs_client.list_task_definition_families()["families"] == ["api", "old", "web", "web-admin", "worker"]
    assert ecs_client.list_task_definition_families(familyPrefix="we")["families"] == ["web", "web-admin"]
    assert ecs_client.list_task_definition_families(status="ACTIVE")["families"] == [
        "api", "web", "web-admin", "worker"]
    assert ecs_client.list_task_definition_families(status="INACTIVE")["families"] == ["old"]
    assert ecs_client.list_task_definition_families(status="ALL", familyPrefix="o")["families"] == ["old"]


def test_list_families_pages(ecs_client):
    for i in range(5):
        register(ecs_client, family=f"f{i}")
    pages = ecs_client.get_paginator("list_task_definition_families").paginate(PaginationConfig={"PageSize": 2})
    assert [f for page in pages for f in page["families"]] == [f"f{i}" for i in range(5)]


def test_task_definitions_are_per_region(ecs_client):
    import boto3
    register(ecs_client)
    other = boto3.client("ecs", region_name="eu-west-1")
    assert other.list_task_definitions()["taskDefinitionArns"] == []
