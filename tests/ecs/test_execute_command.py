"""ExecuteCommand against running tasks started with enableExecuteCommand."""
import pytest
from botocore.exceptions import ClientError

from emulator.ecs import execute_command
from tests.ecs.task_support import describe_task, code_and_message, fargate_task_definition, run_fargate

ROLE = "arn:aws:iam::123456789012:role/task"


@pytest.fixture
def exec_task(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    fargate_task_definition(ecs_client, taskRoleArn=ROLE)
    arn = run_fargate(ecs_client, enableExecuteCommand=True)[0]["taskArn"]
    describe_task(ecs_client, arn)
    return arn


def test_session_for_the_only_container(ecs_client, exec_task):
    response = ecs_client.execute_command(cluster="c", task=exec_task, command="/bin/sh", interactive=True)
    assert response["clusterArn"] == "arn:aws:ecs:us-east-1:123456789012:cluster/c"
    assert response["taskArn"] == exec_task and response["containerName"] == "app"
    assert response["containerArn"] == describe_task(ecs_client, exec_task)["containers"][0]["containerArn"]
    assert response["interactive"] is True
    session = response["session"]
    assert session["sessionId"].startswith("ecs-execute-command-")
    assert session["streamUrl"].startswith("wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/")
    assert session["tokenValue"]


def test_interactive_false(ecs_client, exec_task):
    with pytest.raises(ClientError) as info:
        ecs_client.execute_command(cluster="c", task=exec_task, command="ls", interactive=False)
    assert code_and_message(info) == ("InvalidParameterException", "Interactive is the only mode supported currently.")


def test_task_without_execute_command(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    fargate_task_definition(ecs_client)
    arn = run_fargate(ecs_client)[0]["taskArn"]
    with pytest.raises(ClientError) as info:
        ecs_client.execute_command(cluster="c", task=arn, command="ls", interactive=True)
    assert code_and_message(info) == (
        "InvalidParameterException",
        "The execute command failed because execute command was not enabled when the task was run or the execute "
        "command agent isn\u2019t running. Wait and try again or run a new task with execute command enabled and "
        "try again.")


def test_task_not_running_yet(ecs_client, ecs_eks_mock):
    ecs_eks_mock.config.set_timing("realistic")
    ecs_eks_mock.clock.freeze()
    ecs_client.create_cluster(clusterName="c")
    fargate_task_definition(ecs_client, taskRoleArn=ROLE)
    arn = run_fargate(ecs_client, enableExecuteCommand=True)[0]["taskArn"]
    with pytest.raises(ClientError) as info:
        ecs_client.execute_command(cluster="c", task=arn, command="ls", interactive=True)
    assert code_and_message(info) == ("InvalidParameterException", execute_command.NOT_ENABLED)


def test_several_containers_need_a_container_name(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    fargate_task_definition(ecs_client, taskRoleArn=ROLE, containers=[{"name": "app", "image": "nginx"},
                                                                      {"name": "side", "image": "envoy"}])
    arn = run_fargate(ecs_client, enableExecuteCommand=True)[0]["taskArn"]
    with pytest.raises(ClientError) as info:
        ecs_client.execute_command(cluster="c", task=arn, command="ls", interactive=True)
    assert code_and_message(info) == ("InvalidParameterException", execute_command.CONTAINER_REQUIRED)
    chosen = ecs_client.execute_command(cluster="c", task=arn, container="side", command="ls", interactive=True)
    assert chosen["containerName"] == "side"


def test_unknown_container(ecs_client, exec_task):
    with pytest.raises(ClientError) as info:
        ecs_client.execute_command(cluster="c", task=exec_task, container="nope", command="ls", interactive=True)
    assert code_and_message(info) == ("InvalidParameterException", execute_command.CONTAINER_NOT_FOUND.format(name="nope"))


def test_unknown_task(ecs_client, exec_task):
    with pytest.raises(ClientError) as info:
        ecs_client.execute_command(cluster="c", task="0123456789abcdef0123456789abcdef", command="ls",
                                   interactive=True)
    assert code_and_message(info) == ("InvalidParameterException", "The referenced task was not found.")


def test_stopped_container_agent_is_not_reachable(ecs_client, exec_task):
    ecs_client.submit_container_state_change(cluster="c", task=exec_task, containerName="app", status="STOPPED",
                                             exitCode=0)
    with pytest.raises(ClientError) as info:
        ecs_client.execute_command(cluster="c", task=exec_task, command="ls", interactive=True)
    assert code_and_message(info)[0] == "InvalidParameterException"


def test_missing_cluster(ecs_client):
    with pytest.raises(ClientError) as info:
        ecs_client.execute_command(cluster="nope", task="0123456789abcdef0123456789abcdef", command="ls",
                                   interactive=True)
    assert code_and_message(info) == ("ClusterNotFoundException", "Cluster not found.")


def test_exited_non_essential_container_is_not_connected(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    fargate_task_definition(ecs_client, taskRoleArn=ROLE, containers=[
        {"name": "app", "image": "nginx"}, {"name": "init", "image": "busybox", "essential": False}])
    arn = run_fargate(ecs_client, enableExecuteCommand=True)[0]["taskArn"]
    ecs_client.submit_container_state_change(cluster="c", task=arn, containerName="init", status="STOPPED", exitCode=0)
    with pytest.raises(ClientError) as info:
        ecs_client.execute_command(cluster="c", task=arn, container="init", command="ls", interactive=True)
    assert code_and_message(info) == ("TargetNotConnectedException", execute_command.NOT_CONNECTED)
