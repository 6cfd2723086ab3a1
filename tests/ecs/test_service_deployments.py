"""ListServiceDeployments, DescribeServiceDeployments, DescribeServiceRevisions, StopServiceDeployment,
ContinueServiceDeployment."""
import datetime

import pytest
from botocore.exceptions import ClientError

from emulator.ecs import service_deployments, services
from emulator.ecs.failures import fail_tasks
from tests.ecs.service_support import (SERVICE_DEPLOYMENT_ARN, SERVICE_REVISION_ARN, describe, code_and_message, events,
                                       fargate_service, setup_web)

DURATIONS = {"ecs.task.provisioning": 10, "ecs.task.pending": 20, "ecs.task.activating": 5}


def deployments_of(client, **filters) -> list[dict]:
    return client.list_service_deployments(cluster="c", service="web", **filters)["serviceDeployments"]


def describe_deployment(client, arn: str) -> dict:
    response = client.describe_service_deployments(serviceDeploymentArns=[arn])
    assert response["failures"] == []
    return response["serviceDeployments"][0]


def test_each_deployment_is_listed_newest_first_with_its_revision(ecs_client):
    revisions = setup_web(ecs_client, images=("nginx:1", "nginx:2"))
    created = fargate_service(ecs_client, task_definition="web:1")
    updated = ecs_client.update_service(cluster="c", service="web", taskDefinition="web:2")["service"]
    describe(ecs_client)
    listed = deployments_of(ecs_client)
    assert [d["serviceDeploymentArn"] for d in listed] == [updated["currentServiceDeployment"],
                                                           created["currentServiceDeployment"]]
    assert [d["status"] for d in listed] == ["SUCCESSFUL", "SUCCESSFUL"]
    for brief in listed:
        assert SERVICE_DEPLOYMENT_ARN.match(brief["serviceDeploymentArn"])
        assert SERVICE_REVISION_ARN.match(brief["targetServiceRevisionArn"])
        assert brief["serviceArn"] == "arn:aws:ecs:us-east-1:123456789012:service/c/web"
        assert brief["clusterArn"] == "arn:aws:ecs:us-east-1:123456789012:cluster/c"
    newest = ecs_client.describe_service_revisions(serviceRevisionArns=[listed[0]["targetServiceRevisionArn"]])
    revision = newest["serviceRevisions"][0]
    assert (revision["taskDefinition"], revision["launchType"], revision["platformVersion"]) == (
        revisions[1], "FARGATE", "1.4.0")
    assert revision["containerImages"][0]["image"] == "nginx:2"
    assert revision["containerImages"][0]["imageDigest"].startswith("sha256:")
    assert revision["networkConfiguration"]["awsvpcConfiguration"]["subnets"] == ["subnet-0123456789abcdef0"]
    assert revision["serviceRevisionArn"].endswith(updated["deployments"][0]["id"].split("/")[1])


def test_a_service_deployment_describes_its_progress(ecs_eks_mock, ecs_client):
    setup_web(ecs_client, images=("nginx:1", "nginx:2"))
    fargate_service(ecs_client, task_definition="web:1", desired=2)
    describe(ecs_client)
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**DURATIONS)
    updated = ecs_client.update_service(cluster="c", service="web", taskDefinition="web:2")["service"]
    arn = updated["currentServiceDeployment"]
    record = describe_deployment(ecs_client, arn)
    source, = record["sourceServiceRevisions"]
    assert record["status"] == "IN_PROGRESS" and "finishedAt" not in record
    assert record["targetServiceRevision"] == {"arn": record["targetServiceRevision"]["arn"],
                                               "requestedTaskCount": 2, "runningTaskCount": 0,
                                               "pendingTaskCount": 2}
    assert (source["requestedTaskCount"], source["runningTaskCount"]) == (2, 2)
    assert record["deploymentCircuitBreaker"] == {"status": "DISABLED", "failureCount": 0, "threshold": 3}
    assert record["deploymentConfiguration"]["maximumPercent"] == 200
    ecs_eks_mock.clock.advance(35)
    done = describe_deployment(ecs_client, arn)
    assert done["status"] == "SUCCESSFUL" and done["finishedAt"] == done["updatedAt"]
    assert done["targetServiceRevision"]["runningTaskCount"] == 2


def test_list_service_deployments_filters_by_status_and_creation_time(ecs_eks_mock, ecs_client):
    setup_web(ecs_client, images=("nginx:1", "nginx:2"))
    ecs_eks_mock.clock.freeze(1_800_000_000)
    fargate_service(ecs_client, task_definition="web:1", desired=1)
    describe(ecs_client)
    ecs_eks_mock.clock.advance(60)
    ecs_client.update_service(cluster="c", service="web", forceNewDeployment=True)
    assert len(deployments_of(ecs_client, status=["SUCCESSFUL"])) == 2
    assert deployments_of(ecs_client, status=["STOPPED"]) == []
    after = datetime.datetime.fromtimestamp(1_800_000_030, tz=datetime.timezone.utc)
    assert len(deployments_of(ecs_client, createdAt={"after": after})) == 1
    assert len(deployments_of(ecs_client, createdAt={"before": after})) == 1


def test_list_service_deployments_pages_twenty_at_a_time(ecs_client):
    setup_web(ecs_client)
    fargate_service(ecs_client, desired=0)
    for _ in range(21):
        ecs_client.update_service(cluster="c", service="web", forceNewDeployment=True)
    first = ecs_client.list_service_deployments(cluster="c", service="web")
    assert len(first["serviceDeployments"]) == 20 and "nextToken" in first
    rest = ecs_client.list_service_deployments(cluster="c", service="web", nextToken=first["nextToken"])
    assert len(rest["serviceDeployments"]) == 2 and "nextToken" not in rest
    briefs = first["serviceDeployments"] + rest["serviceDeployments"]
    assert len({d["serviceDeploymentArn"] for d in briefs}) == 22


def test_a_deployment_replaced_before_it_finished_is_stopped(ecs_eks_mock, ecs_client):
    setup_web(ecs_client)
    fargate_service(ecs_client, desired=1)
    describe(ecs_client)
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**DURATIONS)
    ecs_client.update_service(cluster="c", service="web", forceNewDeployment=True)
    ecs_client.update_service(cluster="c", service="web", forceNewDeployment=True)
    newest, replaced, first = deployments_of(ecs_client)
    assert (newest["status"], replaced["status"], first["status"]) == ("IN_PROGRESS", "STOPPED", "SUCCESSFUL")
    assert replaced["statusReason"] == services.SUPERSEDED
    assert describe_deployment(ecs_client, replaced["serviceDeploymentArn"])["stoppedAt"] is not None


def test_list_service_deployments_of_an_unknown_or_deleted_service_is_service_not_found(ecs_client):
    setup_web(ecs_client)
    fargate_service(ecs_client, desired=0)
    ecs_client.delete_service(cluster="c", service="web")
    for name in ("web", "other"):
        with pytest.raises(ClientError) as info:
            ecs_client.list_service_deployments(cluster="c", service=name)
        assert code_and_message(info) == ("ServiceNotFoundException", "Service not found.")


def test_unknown_deployments_and_revisions_are_missing(ecs_client):
    setup_web(ecs_client)
    prefix = "arn:aws:ecs:us-east-1:123456789012:"
    deployment = prefix + "service-deployment/c/web/abcdefghijklmnopqrstu"
    revision = prefix + "service-revision/c/web/1234567890123456789"
    assert ecs_client.describe_service_deployments(serviceDeploymentArns=[deployment])["failures"] == [
        {"arn": deployment, "reason": "MISSING"}]
    assert ecs_client.describe_service_revisions(serviceRevisionArns=[revision])["failures"] == [
        {"arn": revision, "reason": "MISSING"}]
    with pytest.raises(ClientError) as info:
        ecs_client.describe_service_deployments(serviceDeploymentArns=[deployment] * 21)
    assert code_and_message(info) == ("InvalidParameterException", service_deployments.TOO_MANY_DEPLOYMENTS)


# -- StopServiceDeployment -----------------------------------------------------------------------------

def test_stopping_a_deployment_rolls_the_service_back(ecs_eks_mock, ecs_client):
    setup_web(ecs_client, images=("nginx:1", "nginx:2"))
    fargate_service(ecs_client, task_definition="web:1", desired=2)
    describe(ecs_client)
    completed_revision = deployments_of(ecs_client)[0]["targetServiceRevisionArn"]
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**DURATIONS)
    arn = ecs_client.update_service(cluster="c", service="web", taskDefinition="web:2")["service"][
        "currentServiceDeployment"]
    response = ecs_client.stop_service_deployment(serviceDeploymentArn=arn, stopType="ROLLBACK")
    assert response["serviceDeploymentArn"] == arn
    assert describe_deployment(ecs_client, arn)["status"] in ("ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS")
    assert ecs_client.stop_service_deployment(serviceDeploymentArn=arn)["serviceDeploymentArn"] == arn
    record = describe_deployment(ecs_client, arn)
    assert record["status"] == "ROLLBACK_IN_PROGRESS"
    assert record["rollback"]["serviceRevisionArn"] == completed_revision
    assert record["rollback"]["reason"] == service_deployments.ROLLBACK_REQUESTED_REASON
    service = describe(ecs_client)
    rollback_id = service["deployments"][0]["id"]
    assert service["taskDefinition"].endswith("web:1")
    assert f"(service web) rolling back to deployment {rollback_id}." in events(service)
    ecs_eks_mock.clock.advance(35)
    assert describe_deployment(ecs_client, arn)["status"] == "ROLLBACK_SUCCESSFUL"
    with pytest.raises(ClientError) as info:
        ecs_client.stop_service_deployment(serviceDeploymentArn=arn)
    assert code_and_message(info)[0] == "ConflictException"


def test_a_finished_deployment_cannot_be_stopped(ecs_client):
    setup_web(ecs_client)
    created = fargate_service(ecs_client, desired=1)
    describe(ecs_client)
    arn = created["currentServiceDeployment"]
    with pytest.raises(ClientError) as info:
        ecs_client.stop_service_deployment(serviceDeploymentArn=arn)
    assert code_and_message(info) == ("ConflictException", "The service deployment is SUCCESSFUL and can't be stopped.")
    assert info.value.response["resourceIds"] == [arn]


def test_a_first_deployment_has_nothing_to_roll_back_to(ecs_eks_mock, ecs_client):
    setup_web(ecs_client)
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**DURATIONS)
    arn = fargate_service(ecs_client, desired=1)["currentServiceDeployment"]
    with pytest.raises(ClientError) as info:
        ecs_client.stop_service_deployment(serviceDeploymentArn=arn)
    assert code_and_message(info) == ("ConflictException", service_deployments.NOTHING_TO_ROLL_BACK_TO)


def test_stop_service_deployment_rules(ecs_eks_mock, ecs_client):
    setup_web(ecs_client)
    arn = fargate_service(ecs_client, desired=1)["currentServiceDeployment"]
    with pytest.raises(ClientError) as info:
        ecs_client.stop_service_deployment(serviceDeploymentArn=arn + "x")
    assert code_and_message(info) == ("ServiceDeploymentNotFoundException", "Service deployment not found.")
    with pytest.raises(ClientError) as info:
        ecs_client.stop_service_deployment(serviceDeploymentArn=arn, stopType="ABORT")
    assert code_and_message(info) == ("InvalidParameterException",
                              "The ABORT stop type isn't supported for service deployments that use the ROLLING "
                              "strategy.")


def test_continue_service_deployment_of_a_finished_or_unknown_deployment(ecs_client):
    setup_web(ecs_client)
    arn = fargate_service(ecs_client, desired=1)["currentServiceDeployment"]
    with pytest.raises(ClientError) as info:
        ecs_client.continue_service_deployment(serviceDeploymentArn=arn, hookId="hook-1")
    assert code_and_message(info) == ("InvalidParameterException", "The service deployment is SUCCESSFUL. Only an "
                                                           "IN_PROGRESS service deployment can be continued.")
    with pytest.raises(ClientError) as info:
        ecs_client.continue_service_deployment(serviceDeploymentArn=arn + "x", hookId="hook-1")
    assert code_and_message(info) == ("ServiceDeploymentNotFoundException", "Service deployment not found.")


def test_a_circuit_breaker_rollback_is_recorded_on_the_service_deployment(ecs_eks_mock, ecs_client):
    setup_web(ecs_client, images=("nginx:1", "nginx:2"))
    fargate_service(ecs_client, task_definition="web:1", desired=2,
                    deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}})
    describe(ecs_client)
    fail_tasks(ecs_eks_mock, image="nginx:2")
    arn = ecs_client.update_service(cluster="c", service="web", taskDefinition="web:2")["service"][
        "currentServiceDeployment"]
    describe(ecs_client)
    record = describe_deployment(ecs_client, arn)
    assert record["status"] == "ROLLBACK_SUCCESSFUL"
    assert record["deploymentCircuitBreaker"] == {"status": "TRIGGERED", "failureCount": 3, "threshold": 3}
    assert record["rollback"]["reason"] == "ECS deployment circuit breaker: tasks failed to start."
    assert record["rollback"]["serviceRevisionArn"] == record["sourceServiceRevisions"][0]["arn"]
