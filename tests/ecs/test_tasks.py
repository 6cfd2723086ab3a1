"""RunTask, StartTask, StopTask, DescribeTasks, ListTasks through boto3: rules, exact errors, shapes."""
import pytest
from botocore.exceptions import ClientError

from emulator.ecs import networking, task_engine, tasks
from tests.ecs.task_support import (AWSVPC, SUBNET, describe_task, ec2_task_definition, code_and_message, fargate_cluster,
                                    fargate_task_definition, register_instance, run_fargate)


def run_error(client, **params):
    params.setdefault("cluster", "c")
    with pytest.raises(ClientError) as info:
        client.run_task(**params)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return code_and_message(info)


# -- RunTask: the request rules --------------------------------------------------------------------

def test_run_task_on_missing_cluster_is_cluster_not_found(ecs_client):
    fargate_task_definition(ecs_client)
    assert run_error(ecs_client, cluster="nope", taskDefinition="web") == ("ClusterNotFoundException",
                                                                           "Cluster not found.")


def test_run_task_without_cluster_targets_default_which_no_call_creates(ecs_client):
    fargate_task_definition(ecs_client)
    with pytest.raises(ClientError) as info:
        ecs_client.run_task(taskDefinition="web", launchType="FARGATE", networkConfiguration=AWSVPC)
    assert code_and_message(info) == ("ClusterNotFoundException", "Cluster not found.")


def test_run_task_on_inactive_cluster(ecs_client):
    fargate_cluster(ecs_client)
    ecs_client.delete_cluster(cluster="c")
    assert run_error(ecs_client, taskDefinition="web") == ("ClusterNotFoundException",
                                                           "The referenced cluster was inactive.")


@pytest.mark.parametrize("count", [0, 11])
def test_run_task_count_must_be_1_to_10(ecs_client, count):
    fargate_cluster(ecs_client)
    assert run_error(ecs_client, taskDefinition="web", count=count, launchType="FARGATE",
                     networkConfiguration=AWSVPC) == ("InvalidParameterException", tasks.COUNT_OUT_OF_RANGE)


def test_run_task_ten_tasks_in_one_call(ecs_client):
    fargate_cluster(ecs_client)
    assert len(run_fargate(ecs_client, count=10)) == 10


def test_launch_type_and_capacity_provider_strategy_are_exclusive(ecs_client):
    fargate_cluster(ecs_client)
    code, message = run_error(ecs_client, taskDefinition="web", launchType="FARGATE", networkConfiguration=AWSVPC,
                              capacityProviderStrategy=[{"capacityProvider": "FARGATE"}])
    assert (code, message) == ("InvalidParameterException",
                               "Specifying both a launch type and capacity provider strategy is not supported. "
                               "Remove one and try again.")


def test_unknown_task_definition(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    assert run_error(ecs_client, taskDefinition="ghost") == ("ClientException", "TaskDefinition not found.")


def test_inactive_task_definition_cannot_run(ecs_client):
    arn = fargate_cluster(ecs_client)
    ecs_client.deregister_task_definition(taskDefinition=arn)
    assert run_error(ecs_client, taskDefinition=arn, launchType="FARGATE", networkConfiguration=AWSVPC) == (
        "InvalidParameterException", "TaskDefinition is inactive")


def test_family_with_only_inactive_revisions_is_not_found(ecs_client):
    arn = fargate_cluster(ecs_client)
    ecs_client.deregister_task_definition(taskDefinition=arn)
    assert run_error(ecs_client, taskDefinition="web") == ("ClientException", "TaskDefinition not found.")


def test_task_definition_without_fargate_compatibility(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client)
    assert run_error(ecs_client, taskDefinition="batch", launchType="FARGATE") == (
        "InvalidParameterException", "Task definition does not support launch_type FARGATE.")


def test_awsvpc_requires_network_configuration(ecs_client):
    fargate_cluster(ecs_client)
    assert run_error(ecs_client, taskDefinition="web", launchType="FARGATE") == (
        "InvalidParameterException", "Network Configuration must be provided when networkMode 'awsvpc' is specified.")


def test_awsvpc_subnets_cannot_be_empty(ecs_client):
    fargate_cluster(ecs_client)
    assert run_error(ecs_client, taskDefinition="web", launchType="FARGATE",
                     networkConfiguration={"awsvpcConfiguration": {"subnets": []}}) == (
        "InvalidParameterException", "subnets can not be empty.")


def test_network_configuration_with_bridge_task_definition(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client)
    register_instance(ecs_client)
    assert run_error(ecs_client, taskDefinition="batch", networkConfiguration=AWSVPC) == (
        "InvalidParameterException",
        "Network Configuration is not valid for the given networkMode of this task definition.")


def test_assign_public_ip_is_fargate_only(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ecs_client.register_task_definition(family="vpc", networkMode="awsvpc", containerDefinitions=[
        {"name": "app", "image": "nginx", "memory": 128}])
    register_instance(ecs_client)
    network = {"awsvpcConfiguration": {"subnets": [SUBNET], "assignPublicIp": "ENABLED"}}
    assert run_error(ecs_client, taskDefinition="vpc", launchType="EC2", networkConfiguration=network) == (
        "InvalidParameterException", "Assign public IP is not supported for this launch type.")


def test_more_than_16_subnets(ecs_client):
    fargate_cluster(ecs_client)
    subnets = [f"subnet-{i:017x}" for i in range(17)]
    assert run_error(ecs_client, taskDefinition="web", launchType="FARGATE",
                     networkConfiguration={"awsvpcConfiguration": {"subnets": subnets}}) == (
        "InvalidParameterException", networking.TOO_MANY_SUBNETS)


def test_malformed_subnet_id(ecs_client):
    fargate_cluster(ecs_client)
    code, message = run_error(ecs_client, taskDefinition="web", launchType="FARGATE",
                              networkConfiguration={"awsvpcConfiguration": {"subnets": ["my-subnet"]}})
    assert code == "InvalidParameterException"
    assert message == networking.invalid_subnet("my-subnet")


def test_malformed_security_group_id(ecs_client):
    fargate_cluster(ecs_client)
    code, message = run_error(ecs_client, taskDefinition="web", launchType="FARGATE", networkConfiguration={
        "awsvpcConfiguration": {"subnets": [SUBNET], "securityGroups": ["default"]}})
    assert (code, message) == ("InvalidParameterException", networking.invalid_security_group("default"))


def test_platform_version_latest_resolves_to_1_4_0_on_linux(ecs_client):
    fargate_cluster(ecs_client)
    task = run_fargate(ecs_client, platformVersion="LATEST")[0]
    assert (task["platformVersion"], task["platformFamily"]) == ("1.4.0", "Linux")


def test_platform_version_on_windows_resolves_to_1_0_0(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    fargate_task_definition(ecs_client, cpu="1024", memory="2048",
                            runtimePlatform={"operatingSystemFamily": "WINDOWS_SERVER_2019_CORE"})
    task = run_fargate(ecs_client)[0]
    assert (task["platformVersion"], task["platformFamily"]) == ("1.0.0", "WINDOWS_SERVER_2019_CORE")


def test_unknown_platform_version(ecs_client):
    fargate_cluster(ecs_client)
    assert run_error(ecs_client, taskDefinition="web", launchType="FARGATE", networkConfiguration=AWSVPC,
                     platformVersion="9.9.9") == ("PlatformUnknownException", "The specified platform does not exist.")


def test_platform_lacking_a_capability_of_the_task_definition(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    fargate_task_definition(ecs_client, ephemeralStorage={"sizeInGiB": 30})
    assert run_error(ecs_client, taskDefinition="web", launchType="FARGATE", networkConfiguration=AWSVPC,
                     platformVersion="1.3.0") == ("PlatformTaskDefinitionIncompatibilityException",
                                                  "One or more of the requested capabilities are not supported.")


def test_platform_version_with_ec2_launch_type(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client)
    register_instance(ecs_client)
    assert run_error(ecs_client, taskDefinition="batch", launchType="EC2", platformVersion="LATEST") == (
        "InvalidParameterException", "The platform version must be null when specifying an EC2 launch type.")


def test_override_of_unknown_container(ecs_client):
    fargate_cluster(ecs_client)
    assert run_error(ecs_client, taskDefinition="web", launchType="FARGATE", networkConfiguration=AWSVPC,
                     overrides={"containerOverrides": [{"name": "nope", "command": ["true"]}]}) == (
        "InvalidParameterException", tasks.unknown_container_override("nope"))


def test_overrides_longer_than_8192_characters(ecs_client):
    fargate_cluster(ecs_client)
    big = {"containerOverrides": [{"name": "app", "command": ["x" * 9000]}]}
    assert run_error(ecs_client, taskDefinition="web", launchType="FARGATE", networkConfiguration=AWSVPC,
                     overrides=big) == ("InvalidParameterException", "Container Overrides length must be at most 8192")


def test_overrides_are_echoed_with_an_entry_per_container(ecs_client):
    fargate_cluster(ecs_client, containers=[{"name": "app", "image": "nginx"}, {"name": "side", "image": "envoy"}])
    task = run_fargate(ecs_client, overrides={"containerOverrides": [{"name": "side", "command": ["run"]}],
                                              "taskRoleArn": "arn:aws:iam::123456789012:role/r"})[0]
    assert task["overrides"] == {"containerOverrides": [{"name": "app"}, {"name": "side", "command": ["run"]}],
                                 "inferenceAcceleratorOverrides": [],
                                 "taskRoleArn": "arn:aws:iam::123456789012:role/r"}


def test_container_cpu_and_memory_overrides_show_on_the_containers(ecs_client):
    fargate_cluster(ecs_client)
    task = run_fargate(ecs_client, overrides={"containerOverrides": [{"name": "app", "cpu": 128, "memory": 256}]})[0]
    container = task["containers"][0]
    assert (container["cpu"], container["memory"]) == ("128", "256")


def test_started_by_longer_than_128(ecs_client):
    fargate_cluster(ecs_client)
    assert run_error(ecs_client, taskDefinition="web", launchType="FARGATE", networkConfiguration=AWSVPC,
                     startedBy="x" * 129) == ("InvalidParameterException", "startedBy longer than 128.")


def test_started_by_with_invalid_characters(ecs_client):
    fargate_cluster(ecs_client)
    assert run_error(ecs_client, taskDefinition="web", launchType="FARGATE", networkConfiguration=AWSVPC,
                     startedBy="me and you") == ("InvalidParameterException", tasks.STARTED_BY_INVALID)


def test_propagate_tags_service_is_refused_for_standalone_tasks(ecs_client):
    fargate_cluster(ecs_client)
    assert run_error(ecs_client, taskDefinition="web", launchType="FARGATE", networkConfiguration=AWSVPC,
                     propagateTags="SERVICE") == ("InvalidParameterException", tasks.PROPAGATE_SERVICE)


def test_propagate_tags_from_task_definition_and_request_tags_win(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    fargate_task_definition(ecs_client, tags=[{"key": "team", "value": "a"}, {"key": "env", "value": "dev"}])
    task = run_fargate(ecs_client, propagateTags="TASK_DEFINITION", tags=[{"key": "env", "value": "prod"}])[0]
    assert sorted((t["key"], t["value"]) for t in task["tags"]) == [("env", "prod"), ("team", "a")]


def test_ecs_managed_tags_add_the_cluster_name(ecs_client):
    fargate_cluster(ecs_client)
    task = run_fargate(ecs_client, enableECSManagedTags=True)[0]
    assert {"key": "aws:ecs:clusterName", "value": "c"} in task["tags"]


def test_reserved_tag_prefix_is_refused(ecs_client):
    fargate_cluster(ecs_client)
    code, _ = run_error(ecs_client, taskDefinition="web", launchType="FARGATE", networkConfiguration=AWSVPC,
                        tags=[{"key": "aws:x", "value": "y"}])
    assert code == "InvalidParameterException"


def test_execute_command_needs_a_task_role(ecs_client):
    fargate_cluster(ecs_client)
    assert run_error(ecs_client, taskDefinition="web", launchType="FARGATE", networkConfiguration=AWSVPC,
                     enableExecuteCommand=True) == ("InvalidParameterException", tasks.EXEC_NEEDS_TASK_ROLE)


def test_execute_command_with_a_task_role_exposes_the_agent(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    fargate_task_definition(ecs_client, taskRoleArn="arn:aws:iam::123456789012:role/task")
    task = run_fargate(ecs_client, enableExecuteCommand=True)[0]
    assert task["enableExecuteCommand"] is True
    assert task["containers"][0]["managedAgents"] == [{"name": "ExecuteCommandAgent", "lastStatus": "PENDING"}]
    running = describe_task(ecs_client, task["taskArn"])["containers"][0]["managedAgents"][0]
    assert running["lastStatus"] == "RUNNING" and isinstance(running["lastStartedAt"].timestamp(), float)


def test_ec2_launch_without_container_instances(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client)
    assert run_error(ecs_client, taskDefinition="batch") == ("InvalidParameterException",
                                                             "No Container Instances were found in your cluster.")


def test_ec2_launch_when_every_instance_is_draining_finds_no_instances(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client)
    instance = register_instance(ecs_client)
    ecs_client.update_container_instances_state(cluster="c", containerInstances=[instance["containerInstanceArn"]],
                                                status="DRAINING")
    assert run_error(ecs_client, taskDefinition="batch")[1] == "No Container Instances were found in your cluster."


# -- RunTask: what it returns ----------------------------------------------------------------------

def test_run_task_response_is_provisioning_with_aws_fields(ecs_client):
    fargate_cluster(ecs_client)
    task = run_fargate(ecs_client)[0]
    assert task["lastStatus"] == "PROVISIONING"
    assert task["desiredStatus"] == "RUNNING"
    assert task["version"] == 1
    assert task["launchType"] == "FARGATE"
    assert "capacityProviderName" not in task
    assert task["group"] == "family:web"
    assert task["cpu"] == "256" and task["memory"] == "512"
    assert task["attributes"] == [{"name": "ecs.cpu-architecture", "value": "x86_64"}]
    assert task["ephemeralStorage"] == task["fargateEphemeralStorage"] == {"sizeInGiB": 20}
    assert task["overrides"] == {"containerOverrides": [{"name": "app"}], "inferenceAcceleratorOverrides": []}
    assert task["tags"] == []
    assert task["enableExecuteCommand"] is False
    assert task["availabilityZone"] in ("us-east-1a", "us-east-1b", "us-east-1c")
    task_id = task["taskArn"].rsplit("/", 1)[1]
    assert task["taskArn"] == f"arn:aws:ecs:us-east-1:123456789012:task/c/{task_id}"
    assert len(task_id) == 32 and int(task_id, 16) >= 0
    container = task["containers"][0]
    assert container["lastStatus"] == "PENDING"
    assert container["containerArn"].startswith(f"arn:aws:ecs:us-east-1:123456789012:container/c/{task_id}/")
    assert container["taskArn"] == task["taskArn"]
    assert container["networkInterfaces"] == [] and container["networkBindings"] == []
    assert container["cpu"] == "0"
    assert task["attachments"][0]["status"] == "PRECREATED"


def test_ec2_task_reports_its_container_instance_and_ec2_launch_type(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client)
    instance = register_instance(ecs_client, zone="us-east-1c")
    task = ecs_client.run_task(cluster="c", taskDefinition="batch")["tasks"][0]
    assert task["containerInstanceArn"] == instance["containerInstanceArn"]
    assert task["launchType"] == "EC2"
    assert task["availabilityZone"] == "us-east-1c"
    assert "platformVersion" not in task and "ephemeralStorage" not in task
    assert task["containers"][0]["memory"] == "256"


def test_group_and_started_by_are_echoed(ecs_client):
    fargate_cluster(ecs_client)
    task = run_fargate(ecs_client, group="batch-jobs", startedBy="cron/nightly")[0]
    assert (task["group"], task["startedBy"]) == ("batch-jobs", "cron/nightly")


# -- RunTask: idempotency ------------------------------------------------------------------------

def test_same_client_token_and_request_returns_the_same_tasks_as_they_are_now(ecs_client):
    fargate_cluster(ecs_client)
    first = run_fargate(ecs_client, count=2, clientToken="token-1")
    again = run_fargate(ecs_client, count=2, clientToken="token-1")
    assert [t["taskArn"] for t in again] == [t["taskArn"] for t in first]
    assert all(t["lastStatus"] == "RUNNING" for t in again)
    assert len(ecs_client.list_tasks(cluster="c")["taskArns"]) == 2


def test_same_client_token_with_another_request_is_a_conflict_naming_the_tasks(ecs_client):
    fargate_cluster(ecs_client)
    first = run_fargate(ecs_client, clientToken="token-1")
    with pytest.raises(ClientError) as info:
        run_fargate(ecs_client, count=2, clientToken="token-1")
    assert code_and_message(info) == ("ConflictException", tasks.CONFLICT)
    assert info.value.response["resourceIds"] == [first[0]["taskArn"]]


def test_boto3_fills_a_fresh_client_token_so_repeated_calls_start_new_tasks(ecs_client):
    fargate_cluster(ecs_client)
    run_fargate(ecs_client)
    run_fargate(ecs_client)
    assert len(ecs_client.list_tasks(cluster="c")["taskArns"]) == 2


# -- StopTask --------------------------------------------------------------------------------------

def test_stop_task_defaults(ecs_client):
    fargate_cluster(ecs_client)
    arn = run_fargate(ecs_client)[0]["taskArn"]
    describe_task(ecs_client, arn)
    stopped = ecs_client.stop_task(cluster="c", task=arn)["task"]
    assert stopped["desiredStatus"] == "STOPPED"
    assert stopped["lastStatus"] == "RUNNING"
    assert stopped["stopCode"] == "UserInitiated"
    assert stopped["stoppedReason"] == "Task stopped by user"
    assert "stoppingAt" in stopped


def test_stop_task_keeps_the_callers_reason(ecs_client):
    fargate_cluster(ecs_client)
    arn = run_fargate(ecs_client)[0]["taskArn"]
    assert ecs_client.stop_task(cluster="c", task=arn, reason="deploy 42")["task"]["stoppedReason"] == "deploy 42"


def test_stopped_task_has_container_exit_codes(ecs_client):
    fargate_cluster(ecs_client)
    arn = run_fargate(ecs_client)[0]["taskArn"]
    describe_task(ecs_client, arn)
    ecs_client.stop_task(cluster="c", task=arn)
    task = describe_task(ecs_client, arn)
    assert task["lastStatus"] == "STOPPED"
    assert task["containers"][0]["lastStatus"] == "STOPPED"
    assert task["containers"][0]["exitCode"] == task_engine.STOP_SIGNAL_EXIT_CODE


def test_stop_unknown_task(ecs_client):
    fargate_cluster(ecs_client)
    with pytest.raises(ClientError) as info:
        ecs_client.stop_task(cluster="c", task="0123456789abcdef0123456789abcdef")
    assert code_and_message(info) == ("InvalidParameterException", "The referenced task was not found.")


def test_stop_task_with_malformed_identifier(ecs_client):
    fargate_cluster(ecs_client)
    with pytest.raises(ClientError) as info:
        ecs_client.stop_task(cluster="c", task="not a task!")
    assert code_and_message(info) == ("InvalidParameterException", "Task Identifier is invalid")


def test_stop_task_of_another_cluster_is_not_found(ecs_client):
    fargate_cluster(ecs_client)
    ecs_client.create_cluster(clusterName="other")
    arn = run_fargate(ecs_client)[0]["taskArn"]
    with pytest.raises(ClientError) as info:
        ecs_client.stop_task(cluster="other", task=arn)
    assert code_and_message(info)[1] == "The referenced task was not found."


def test_stopping_a_stopped_task_returns_it_unchanged(ecs_client):
    fargate_cluster(ecs_client)
    arn = run_fargate(ecs_client)[0]["taskArn"]
    ecs_client.stop_task(cluster="c", task=arn, reason="first")
    describe_task(ecs_client, arn)
    again = ecs_client.stop_task(cluster="c", task=arn, reason="second")["task"]
    assert (again["lastStatus"], again["stoppedReason"]) == ("STOPPED", "first")


# -- DescribeTasks -------------------------------------------------------------------------------

def test_describe_tasks_empty_list(ecs_client):
    fargate_cluster(ecs_client)
    with pytest.raises(ClientError) as info:
        ecs_client.describe_tasks(cluster="c", tasks=[])
    assert code_and_message(info) == ("InvalidParameterException", "Tasks cannot be empty.")


def test_describe_tasks_more_than_100(ecs_client):
    fargate_cluster(ecs_client)
    with pytest.raises(ClientError) as info:
        ecs_client.describe_tasks(cluster="c", tasks=[f"{i:032x}" for i in range(101)])
    assert code_and_message(info) == ("InvalidParameterException", "taskIds can have at most 100 items.")


def test_describe_tasks_unknown_ids_are_missing_failures(ecs_client):
    fargate_cluster(ecs_client)
    arn = run_fargate(ecs_client)[0]["taskArn"]
    missing = "0123456789abcdef0123456789abcdef"
    response = ecs_client.describe_tasks(cluster="c", tasks=[arn, missing])
    assert [t["taskArn"] for t in response["tasks"]] == [arn]
    assert response["failures"] == [{"arn": f"arn:aws:ecs:us-east-1:123456789012:task/c/{missing}",
                                     "reason": "MISSING"}]


def test_describe_tasks_by_id_and_by_arn(ecs_client):
    fargate_cluster(ecs_client)
    arn = run_fargate(ecs_client)[0]["taskArn"]
    by_id = ecs_client.describe_tasks(cluster="c", tasks=[arn.rsplit("/", 1)[1]])["tasks"]
    assert [t["taskArn"] for t in by_id] == [arn]


def test_describe_tasks_is_scoped_to_the_cluster(ecs_client):
    fargate_cluster(ecs_client)
    ecs_client.create_cluster(clusterName="other")
    arn = run_fargate(ecs_client)[0]["taskArn"]
    response = ecs_client.describe_tasks(cluster="other", tasks=[arn.rsplit("/", 1)[1]])
    assert response["tasks"] == [] and response["failures"][0]["reason"] == "MISSING"


def test_describe_tasks_on_missing_cluster(ecs_client):
    with pytest.raises(ClientError) as info:
        ecs_client.describe_tasks(cluster="nope", tasks=["0123456789abcdef0123456789abcdef"])
    assert code_and_message(info) == ("ClusterNotFoundException", "Cluster not found.")


def test_describe_tasks_includes_tags_only_when_asked(ecs_client):
    fargate_cluster(ecs_client)
    arn = run_fargate(ecs_client, tags=[{"key": "k", "value": "v"}])[0]["taskArn"]
    assert describe_task(ecs_client, arn)["tags"] == []
    tagged = ecs_client.describe_tasks(cluster="c", tasks=[arn], include=["TAGS"])["tasks"][0]
    assert tagged["tags"] == [{"key": "k", "value": "v"}]


def test_describe_tasks_without_failures_returns_an_empty_list(ecs_client):
    fargate_cluster(ecs_client)
    arn = run_fargate(ecs_client)[0]["taskArn"]
    assert ecs_client.describe_tasks(cluster="c", tasks=[arn])["failures"] == []


# -- ListTasks -----------------------------------------------------------------------------------

def test_list_tasks_defaults_to_running_desired_status(ecs_client):
    fargate_cluster(ecs_client)
    first, second = (t["taskArn"] for t in run_fargate(ecs_client, count=2))
    ecs_client.stop_task(cluster="c", task=first)
    assert ecs_client.list_tasks(cluster="c")["taskArns"] == [second]
    assert ecs_client.list_tasks(cluster="c", desiredStatus="STOPPED")["taskArns"] == [first]
    assert ecs_client.list_tasks(cluster="c", desiredStatus="PENDING")["taskArns"] == []


def test_list_tasks_filters_by_family_started_by_and_launch_type(ecs_client):
    fargate_cluster(ecs_client)
    fargate_task_definition(ecs_client, "other")
    web = run_fargate(ecs_client, startedBy="me")[0]["taskArn"]
    other = run_fargate(ecs_client, family="other")[0]["taskArn"]
    assert ecs_client.list_tasks(cluster="c", family="web")["taskArns"] == [web]
    assert ecs_client.list_tasks(cluster="c", family="other")["taskArns"] == [other]
    assert ecs_client.list_tasks(cluster="c", startedBy="me")["taskArns"] == [web]
    assert ecs_client.list_tasks(cluster="c", startedBy="me", family="other")["taskArns"] == []
    assert sorted(ecs_client.list_tasks(cluster="c", launchType="FARGATE")["taskArns"]) == sorted([web, other])
    assert ecs_client.list_tasks(cluster="c", launchType="EC2")["taskArns"] == []


def test_list_tasks_by_container_instance(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client)
    a = register_instance(ecs_client)["containerInstanceArn"]
    b = register_instance(ecs_client)["containerInstanceArn"]
    on_a = ecs_client.start_task(cluster="c", taskDefinition="batch", containerInstances=[a])["tasks"][0]["taskArn"]
    ecs_client.start_task(cluster="c", taskDefinition="batch", containerInstances=[b])
    assert ecs_client.list_tasks(cluster="c", containerInstance=a)["taskArns"] == [on_a]
    assert ecs_client.list_tasks(cluster="c", containerInstance=a.rsplit("/", 1)[1])["taskArns"] == [on_a]


def test_list_tasks_unknown_service_name(ecs_client):
    fargate_cluster(ecs_client)
    with pytest.raises(ClientError) as info:
        ecs_client.list_tasks(cluster="c", serviceName="ghost")
    assert code_and_message(info) == ("ServiceNotFoundException", "Service not found.")


def test_list_tasks_of_a_deleted_service_is_service_not_found(ecs_client):
    fargate_cluster(ecs_client)
    ecs_client.create_service(cluster="c", serviceName="web", taskDefinition="web", desiredCount=1,
                              launchType="FARGATE", networkConfiguration=AWSVPC)
    ecs_client.delete_service(cluster="c", service="web", force=True)
    assert ecs_client.describe_services(cluster="c", services=["web"])["services"][0]["status"] == "INACTIVE"
    for value in ("web", "arn:aws:ecs:us-east-1:123456789012:service/c/web"):
        with pytest.raises(ClientError) as info:
            ecs_client.list_tasks(cluster="c", serviceName=value, desiredStatus="STOPPED")
        assert code_and_message(info) == ("ServiceNotFoundException", "Service not found.")


def test_list_tasks_of_a_draining_service_lists_its_tasks(ecs_eks_mock, ecs_client):
    fargate_cluster(ecs_client)
    ecs_client.create_service(cluster="c", serviceName="web", taskDefinition="web", desiredCount=1,
                              launchType="FARGATE", networkConfiguration=AWSVPC)
    [task] = ecs_client.list_tasks(cluster="c", serviceName="web")["taskArns"]
    ecs_eks_mock.config.set_timing(**{"ecs.task.deactivating": 1})
    ecs_eks_mock.clock.freeze()
    ecs_client.delete_service(cluster="c", service="web", force=True)
    assert ecs_client.describe_services(cluster="c", services=["web"])["services"][0]["status"] == "DRAINING"
    assert ecs_client.list_tasks(cluster="c", serviceName="web", desiredStatus="STOPPED")["taskArns"] == [task]


def test_list_tasks_of_a_service_arn_of_another_cluster_is_service_not_found(ecs_client):
    fargate_cluster(ecs_client)
    ecs_client.create_service(cluster="c", serviceName="web", taskDefinition="web", desiredCount=0,
                              launchType="FARGATE", networkConfiguration=AWSVPC)
    assert ecs_client.list_tasks(cluster="c", serviceName="arn:aws:ecs:us-east-1:123456789012:service/c/web")[
        "taskArns"] == []
    with pytest.raises(ClientError) as info:
        ecs_client.list_tasks(cluster="c", serviceName="arn:aws:ecs:us-east-1:123456789012:service/other/web")
    assert code_and_message(info) == ("ServiceNotFoundException", "Service not found.")


def test_list_tasks_on_missing_cluster(ecs_client):
    with pytest.raises(ClientError) as info:
        ecs_client.list_tasks(cluster="nope")
    assert code_and_message(info) == ("ClusterNotFoundException", "Cluster not found.")


def test_list_tasks_paginates_every_task_exactly_once_while_tasks_come_and_go(ecs_client):
    fargate_cluster(ecs_client)
    arns = [t["taskArn"] for _ in range(3) for t in run_fargate(ecs_client, count=10)]
    seen, token, added = [], None, []
    while True:
        page = ecs_client.list_tasks(cluster="c", maxResults=7, **({"nextToken": token} if token else {}))
        seen += page["taskArns"]
        if len(seen) == 7:          # between pages: one task stops, two start
            ecs_client.stop_task(cluster="c", task=seen[0])
            added = [t["taskArn"] for t in run_fargate(ecs_client, count=2)]
        token = page.get("nextToken")
        if not token:
            break
    assert len(seen) == len(set(seen))
    assert set(arns) <= set(seen) | {seen[0]}
    assert set(seen) <= set(arns) | set(added)


def test_list_tasks_paginator(ecs_client):
    fargate_cluster(ecs_client)
    arns = [t["taskArn"] for _ in range(3) for t in run_fargate(ecs_client, count=10)]
    pages = list(ecs_client.get_paginator("list_tasks").paginate(cluster="c", PaginationConfig={"PageSize": 8}))
    assert [len(p["taskArns"]) for p in pages] == [8, 8, 8, 6]
    assert sorted(a for p in pages for a in p["taskArns"]) == sorted(arns)
    assert "nextToken" not in pages[-1]


def test_list_tasks_rejects_a_foreign_token(ecs_client):
    fargate_cluster(ecs_client)
    run_fargate(ecs_client, count=3)
    token = ecs_client.list_tasks(cluster="c", maxResults=1)["nextToken"]
    with pytest.raises(ClientError) as info:
        ecs_client.list_tasks(cluster="c", family="web", nextToken=token)
    assert code_and_message(info) == ("InvalidParameterException", "Invalid nextToken.")


def test_list_tasks_daemon_name_that_does_not_exist(ecs_client):
    fargate_cluster(ecs_client)
    with pytest.raises(ClientError) as info:
        ecs_client.list_tasks(cluster="c", daemonName="agent")
    assert code_and_message(info) == ("DaemonNotFoundException", "Daemon not found.")


# -- StartTask -----------------------------------------------------------------------------------

def test_start_task_places_one_task_on_each_instance(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client)
    a = register_instance(ecs_client)["containerInstanceArn"]
    b = register_instance(ecs_client)["containerInstanceArn"]
    response = ecs_client.start_task(cluster="c", taskDefinition="batch", containerInstances=[a, b],
                                     startedBy="my-scheduler")
    assert [t["containerInstanceArn"] for t in response["tasks"]] == [a, b]
    assert all(t["startedBy"] == "my-scheduler" and t["launchType"] == "EC2" for t in response["tasks"])


def test_start_task_unknown_instance_is_a_missing_failure(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client)
    missing = "0123456789abcdef0123456789abcdef"
    response = ecs_client.start_task(cluster="c", taskDefinition="batch", containerInstances=[missing])
    assert response["tasks"] == []
    assert response["failures"] == [{"arn": f"arn:aws:ecs:us-east-1:123456789012:container-instance/c/{missing}",
                                     "reason": "MISSING"}]


def test_start_task_on_an_instance_without_room(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client, memory=4096)
    instance = register_instance(ecs_client, memory=1024)["containerInstanceArn"]
    response = ecs_client.start_task(cluster="c", taskDefinition="batch", containerInstances=[instance])
    assert response["failures"] == [{"arn": instance, "reason": "RESOURCE:MEMORY"}]


def test_start_task_more_than_10_instances(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client)
    with pytest.raises(ClientError) as info:
        ecs_client.start_task(cluster="c", taskDefinition="batch", containerInstances=[f"{i:032x}" for i in range(11)])
    assert code_and_message(info) == ("InvalidParameterException", "containerInstances can have at most 10 items.")


def test_start_task_with_no_instances(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client)
    with pytest.raises(ClientError) as info:
        ecs_client.start_task(cluster="c", taskDefinition="batch", containerInstances=[])
    assert code_and_message(info) == ("InvalidParameterException", "Container instances cannot be empty.")


def test_start_task_on_a_draining_instance_fails_for_it(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client)
    instance = register_instance(ecs_client)["containerInstanceArn"]
    ecs_client.update_container_instances_state(cluster="c", containerInstances=[instance], status="DRAINING")
    response = ecs_client.start_task(cluster="c", taskDefinition="batch", containerInstances=[instance])
    assert response["tasks"] == [] and response["failures"] == [{"arn": instance, "reason": "DRAINING"}]


# -- tags on tasks ---------------------------------------------------------------------------------

def test_tag_resource_on_a_task(ecs_client):
    fargate_cluster(ecs_client)
    arn = run_fargate(ecs_client)[0]["taskArn"]
    ecs_client.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "1"}])
    assert ecs_client.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "a", "value": "1"}]


def test_tags_on_a_stopped_task_are_refused(ecs_client):
    fargate_cluster(ecs_client)
    arn = run_fargate(ecs_client, tags=[{"key": "a", "value": "1"}])[0]["taskArn"]
    ecs_client.stop_task(cluster="c", task=arn)
    describe_task(ecs_client, arn)
    with pytest.raises(ClientError) as info:
        ecs_client.list_tags_for_resource(resourceArn=arn)
    assert code_and_message(info) == ("InvalidParameterException",
                              "The specified task is stopped. Specify a running task and try again.")


@pytest.mark.parametrize("token", ["x" * 65, "has space"])
def test_client_token_must_be_at_most_64_printable_ascii_characters(ecs_client, token):
    fargate_cluster(ecs_client)
    assert run_error(ecs_client, taskDefinition="web", launchType="FARGATE", networkConfiguration=AWSVPC,
                     clientToken=token) == ("InvalidParameterException", tasks.CLIENT_TOKEN_INVALID)
