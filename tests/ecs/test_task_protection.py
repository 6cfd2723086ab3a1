"""Task scale-in protection: UpdateTaskProtection and GetTaskProtection."""
import pytest
from botocore.exceptions import ClientError

from emulator.ecs import task_protection
from tests.ecs.task_support import code_and_message, fargate_cluster, run_fargate, service_tasks


@pytest.fixture
def service_task(ecs_client, ecs_eks_mock):
    fargate_cluster(ecs_client)
    return service_tasks(ecs_eks_mock)[0]


def test_enable_protection_defaults_to_120_minutes(ecs_client, ecs_eks_mock, service_task):
    now = ecs_eks_mock.clock.freeze()
    response = ecs_client.update_task_protection(cluster="c", tasks=[service_task], protectionEnabled=True)
    assert response["failures"] == []
    protected = response["protectedTasks"][0]
    assert protected["taskArn"] == service_task and protected["protectionEnabled"] is True
    assert protected["expirationDate"].timestamp() == pytest.approx(now + 120 * 60)


def test_protection_expires_on_the_clock(ecs_client, ecs_eks_mock, service_task):
    ecs_eks_mock.clock.freeze()
    ecs_client.update_task_protection(cluster="c", tasks=[service_task], protectionEnabled=True, expiresInMinutes=5)
    assert ecs_client.get_task_protection(cluster="c", tasks=[service_task])["protectedTasks"][0]["protectionEnabled"]
    ecs_eks_mock.clock.advance(5 * 60)
    assert ecs_client.get_task_protection(cluster="c", tasks=[service_task])["protectedTasks"][0] == {
        "taskArn": service_task, "protectionEnabled": False}


def test_each_update_restarts_the_expiry(ecs_client, ecs_eks_mock, service_task):
    now = ecs_eks_mock.clock.freeze()
    ecs_client.update_task_protection(cluster="c", tasks=[service_task], protectionEnabled=True, expiresInMinutes=5)
    ecs_eks_mock.clock.advance(60)
    again = ecs_client.update_task_protection(cluster="c", tasks=[service_task], protectionEnabled=True,
                                              expiresInMinutes=5)["protectedTasks"][0]
    assert again["expirationDate"].timestamp() == pytest.approx(now + 60 + 300)


def test_disabling_omits_the_expiration(ecs_client, service_task):
    ecs_client.update_task_protection(cluster="c", tasks=[service_task], protectionEnabled=True)
    response = ecs_client.update_task_protection(cluster="c", tasks=[service_task], protectionEnabled=False)
    assert response["protectedTasks"] == [{"taskArn": service_task, "protectionEnabled": False}]


def test_standalone_tasks_are_not_valid(ecs_client, service_task):
    standalone = run_fargate(ecs_client)[0]["taskArn"]
    response = ecs_client.update_task_protection(cluster="c", tasks=[standalone], protectionEnabled=True)
    assert response["protectedTasks"] == []
    assert response["failures"][0]["arn"] == standalone and response["failures"][0]["reason"] == "TASK_NOT_VALID"


def test_unknown_tasks_are_missing(ecs_client, service_task):
    missing = "0123456789abcdef0123456789abcdef"
    response = ecs_client.get_task_protection(cluster="c", tasks=[missing])
    assert response["failures"] == [{"arn": f"arn:aws:ecs:us-east-1:123456789012:task/c/{missing}",
                                     "reason": "MISSING"}]


@pytest.mark.parametrize("minutes", [0, 2881])
def test_expiry_out_of_range(ecs_client, service_task, minutes):
    with pytest.raises(ClientError) as info:
        ecs_client.update_task_protection(cluster="c", tasks=[service_task], protectionEnabled=True,
                                          expiresInMinutes=minutes)
    assert code_and_message(info) == ("InvalidParameterException", task_protection.EXPIRY_OUT_OF_RANGE)


def test_at_most_10_tasks_per_update(ecs_client, service_task):
    with pytest.raises(ClientError) as info:
        ecs_client.update_task_protection(cluster="c", tasks=[f"{i:032x}" for i in range(11)],
                                          protectionEnabled=True)
    assert code_and_message(info) == ("InvalidParameterException", "taskIds can have at most 10 items.")


def test_at_most_100_tasks_per_get(ecs_client, service_task):
    with pytest.raises(ClientError) as info:
        ecs_client.get_task_protection(cluster="c", tasks=[f"{i:032x}" for i in range(101)])
    assert code_and_message(info) == ("InvalidParameterException", "taskIds can have at most 100 items.")


def test_missing_cluster(ecs_client):
    with pytest.raises(ClientError) as info:
        ecs_client.get_task_protection(cluster="nope", tasks=["0123456789abcdef0123456789abcdef"])
    assert code_and_message(info) == ("ClusterNotFoundException", "Cluster not found.")


def test_a_stopped_task_loses_its_protection(ecs_client, service_task):
    ecs_client.update_task_protection(cluster="c", tasks=[service_task], protectionEnabled=True)
    ecs_client.stop_task(cluster="c", task=service_task)
    ecs_client.describe_tasks(cluster="c", tasks=[service_task])
    response = ecs_client.get_task_protection(cluster="c", tasks=[service_task])
    assert response["failures"][0]["reason"] == "TASK_NOT_VALID"
