"""What the container agent submits, and UpdateContainerAgent."""
import pytest
from botocore.exceptions import ClientError

from emulator.ecs import agent, container_instances, task_engine
from tests.ecs.task_support import (describe_instance, describe_task, code_and_message, fargate_cluster, register_instance,
                                    run_fargate)


@pytest.fixture
def task(ecs_client):
    fargate_cluster(ecs_client, containers=[{"name": "app", "image": "nginx"},
                                            {"name": "migrate", "image": "flyway", "essential": False}])
    arn = run_fargate(ecs_client)[0]["taskArn"]
    describe_task(ecs_client, arn)
    return arn


def test_discover_poll_endpoint(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    response = ecs_client.discover_poll_endpoint(cluster="c")
    assert response["endpoint"] == "https://ecs-a-1.us-east-1.amazonaws.com/"
    assert response["telemetryEndpoint"] == "https://ecs-t-1.us-east-1.amazonaws.com/"
    assert response["serviceConnectEndpoint"] == "https://ecs-sc.us-east-1.api.aws"


def test_essential_container_exit_stops_the_task(ecs_client, task):
    response = ecs_client.submit_container_state_change(cluster="c", task=task, containerName="app",
                                                        status="STOPPED", exitCode=1, reason="crashed")
    assert response["acknowledgment"] == "ACK"
    stopped = describe_task(ecs_client, task)
    assert stopped["lastStatus"] == "STOPPED"
    assert stopped["stopCode"] == "EssentialContainerExited"
    assert stopped["stoppedReason"] == "Essential container in task exited"
    app = next(c for c in stopped["containers"] if c["name"] == "app")
    assert (app["exitCode"], app["reason"]) == (1, "crashed")
    assert stopped["executionStoppedAt"] <= stopped["stoppingAt"]


def test_non_essential_container_exit_keeps_the_task_running(ecs_client, task):
    ecs_client.submit_container_state_change(cluster="c", task=task, containerName="migrate", status="STOPPED",
                                             exitCode=0)
    running = describe_task(ecs_client, task)
    assert running["lastStatus"] == "RUNNING"
    migrate = next(c for c in running["containers"] if c["name"] == "migrate")
    assert (migrate["lastStatus"], migrate["exitCode"]) == ("STOPPED", 0)


def test_container_network_bindings_and_runtime_id_from_the_agent(ecs_client, task):
    ecs_client.submit_container_state_change(cluster="c", task=task, containerName="app", status="RUNNING",
                                             runtimeId="abc123", networkBindings=[
                                                 {"bindIP": "0.0.0.0", "containerPort": 80, "hostPort": 80,
                                                  "protocol": "tcp"}])
    app = describe_task(ecs_client, task)["containers"][0]
    assert app["runtimeId"] == "abc123" and app["networkBindings"][0]["hostPort"] == 80


def test_unknown_container(ecs_client, task):
    with pytest.raises(ClientError) as info:
        ecs_client.submit_container_state_change(cluster="c", task=task, containerName="ghost", status="STOPPED")
    assert code_and_message(info) == ("InvalidParameterException", agent.CONTAINER_NOT_FOUND.format(name="ghost"))


def test_unknown_task(ecs_client, task):
    with pytest.raises(ClientError) as info:
        ecs_client.submit_task_state_change(cluster="c", task="0123456789abcdef0123456789abcdef", status="STOPPED")
    assert code_and_message(info) == ("InvalidParameterException", "The referenced task was not found.")


def test_task_state_change_stopped_with_container_exit_codes(ecs_client, task):
    ecs_client.submit_task_state_change(cluster="c", task=task, status="STOPPED", containers=[
        {"containerName": "app", "exitCode": 2, "status": "STOPPED"},
        {"containerName": "migrate", "exitCode": 0, "status": "STOPPED"}])
    stopped = describe_task(ecs_client, task)
    assert (stopped["lastStatus"], stopped["stopCode"]) == ("STOPPED", "EssentialContainerExited")
    assert stopped["stoppedReason"] == task_engine.ESSENTIAL_CONTAINER_EXITED
    assert {c["name"]: c["exitCode"] for c in stopped["containers"]} == {"app": 2, "migrate": 0}


def test_task_state_change_running_finishes_start_up(ecs_client, ecs_eks_mock):
    ecs_eks_mock.config.set_timing("realistic")
    now = ecs_eks_mock.clock.freeze(1_700_000_000.0)     # whole seconds: botocore sends them so
    fargate_cluster(ecs_client)
    arn = run_fargate(ecs_client)[0]["taskArn"]
    ecs_client.submit_task_state_change(cluster="c", task=arn, status="RUNNING", pullStartedAt=now - 1,
                                        pullStoppedAt=now)
    running = describe_task(ecs_client, arn)
    assert running["lastStatus"] == "RUNNING" and running["startedAt"].timestamp() == now
    assert running["pullStartedAt"].timestamp() == now - 1
    ecs_eks_mock.clock.advance(600)
    assert describe_task(ecs_client, arn)["lastStatus"] == "RUNNING"


def test_task_that_fails_before_running_is_task_failed_to_start(ecs_client, ecs_eks_mock):
    ecs_eks_mock.config.set_timing("realistic")
    ecs_eks_mock.clock.freeze()
    fargate_cluster(ecs_client)
    arn = run_fargate(ecs_client)[0]["taskArn"]
    ecs_client.submit_task_state_change(cluster="c", task=arn, status="STOPPED",
                                        reason="CannotPullContainerError: pull access denied")
    stopped = ecs_client.describe_tasks(cluster="c", tasks=[arn])["tasks"][0]
    assert stopped["stopCode"] == "TaskFailedToStart"
    assert stopped["stoppedReason"] == "CannotPullContainerError: pull access denied"


def test_attachment_state_changes(ecs_client, task):
    attachment = describe_task(ecs_client, task)["attachments"][0]["id"]
    arn = f"arn:aws:ecs:us-east-1:123456789012:attachment/{attachment}"
    response = ecs_client.submit_attachment_state_changes(cluster="c", attachments=[
        {"attachmentArn": arn, "status": "ATTACHED"}])
    assert response["acknowledgment"] == "ACK"
    with pytest.raises(ClientError) as info:
        ecs_client.submit_attachment_state_changes(cluster="c", attachments=[
            {"attachmentArn": "arn:aws:ecs:us-east-1:123456789012:attachment/nope", "status": "ATTACHED"}])
    assert code_and_message(info)[0] == "InvalidParameterException"


# -- UpdateContainerAgent ------------------------------------------------------------------------

def test_agent_at_the_latest_version_has_no_update(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    arn = register_instance(ecs_client)["containerInstanceArn"]
    with pytest.raises(ClientError) as info:
        ecs_client.update_container_agent(cluster="c", containerInstance=arn)
    assert code_and_message(info) == ("NoUpdateAvailableException", "There is no update available for your container agent.")


def test_agent_update_steps_on_the_clock(ecs_client, ecs_eks_mock):
    ecs_eks_mock.config.set_timing("realistic")
    ecs_eks_mock.clock.freeze()
    ecs_client.create_cluster(clusterName="c")
    arn = register_instance(ecs_client, versionInfo={"agentVersion": "1.70.0", "agentHash": "x",
                                                     "dockerVersion": "DockerVersion: 20.10.13"})["containerInstanceArn"]
    started = ecs_client.update_container_agent(cluster="c", containerInstance=arn)["containerInstance"]
    assert started["agentUpdateStatus"] == "PENDING"
    with pytest.raises(ClientError) as info:
        ecs_client.update_container_agent(cluster="c", containerInstance=arn)
    assert code_and_message(info) == ("UpdateInProgressException", agent.UPDATE_IN_PROGRESS)
    seen = []
    for _ in range(4):
        ecs_eks_mock.clock.advance(15)
        seen.append(describe_instance(ecs_client, arn)["agentUpdateStatus"])
    assert seen == ["STAGING", "STAGED", "UPDATING", "UPDATED"]
    assert describe_instance(ecs_client, arn)["versionInfo"]["agentVersion"] == container_instances.LATEST_AGENT_VERSION


def test_agent_without_a_version(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    arn = register_instance(ecs_client, versionInfo={})["containerInstanceArn"]
    with pytest.raises(ClientError) as info:
        ecs_client.update_container_agent(cluster="c", containerInstance=arn)
    assert code_and_message(info) == ("MissingVersionException", agent.MISSING_VERSION)


def test_update_agent_of_unknown_instance(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    with pytest.raises(ClientError) as info:
        ecs_client.update_container_agent(cluster="c", containerInstance="0123456789abcdef0123456789abcdef")
    assert code_and_message(info) == ("InvalidParameterException", container_instances.INSTANCE_NOT_FOUND)
