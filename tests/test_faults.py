"""Fault injection: throttles, server errors, modelled errors and latency, through boto3 as users call it."""
import threading

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from emulator import faults, mock_aws

NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


@pytest.fixture
def no_backoff(monkeypatch):
    """botocore waits between attempts; the tests need the retries, not the waiting."""
    from botocore.retries import standard
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)


def client(service, region="us-east-1", config=NO_RETRIES, **kwargs):
    return boto3.client(service, region_name=region, config=config, **kwargs)


def error_of(call):
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return (response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"],
            response["Error"]["Message"])


# -- what a faulted call answers ---------------------------------------------------------------

@pytest.mark.parametrize("service, operation, call, status", [
    ("ecs", "ListClusters", lambda c: c.list_clusters(), 400),
    ("eks", "ListClusters", lambda c: c.list_clusters(), 429),
    ("application-autoscaling", "DescribeScalableTargets",
     lambda c: c.describe_scalable_targets(ServiceNamespace="ecs"), 400),
])
def test_throttling_answers_the_services_own_throttle(ecs_eks_mock, service, operation, call, status):
    faults.inject(ecs_eks_mock, service, operation, "ThrottlingException", count=1)
    api = client(service)
    with pytest.raises(ClientError) as caught:
        call(api)
    response = caught.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "ThrottlingException"
    assert response["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}
    assert call(api)["ResponseMetadata"]["HTTPStatusCode"] == 200


@pytest.mark.parametrize("error, status, message", [
    ("ServerException", 500, "Internal server error"),
    ("ServiceUnavailableException", 503, "Service unavailable"),
])
def test_server_errors_answer_5xx(ecs_eks_mock, error, status, message):
    faults.inject(ecs_eks_mock, "ecs", "ListClusters", error, count=1)
    assert error_of(client("ecs").list_clusters) == (status, error, message)


def test_a_modelled_error_of_the_operation_with_its_status_and_message(ecs_eks_mock):
    faults.inject(ecs_eks_mock, "ecs", "DescribeServices", "ClusterNotFoundException", message="Cluster not found.")
    faults.inject(ecs_eks_mock, "eks", "DescribeCluster", "ResourceNotFoundException")
    assert error_of(lambda: client("ecs").describe_services(services=["web"])) == (
        400, "ClusterNotFoundException", "Cluster not found.")
    with pytest.raises(client("eks").exceptions.ResourceNotFoundException) as caught:
        client("eks").describe_cluster(name="prod")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert caught.value.response["Error"]["Message"] == "ResourceNotFoundException (injected fault)"


def test_a_faulted_call_changes_nothing_and_is_logged(ecs_eks_mock):
    faults.inject(ecs_eks_mock, "ecs", "CreateCluster", "ServerException", count=1)
    ecs = client("ecs")
    assert error_of(lambda: ecs.create_cluster(clusterName="prod"))[1] == "ServerException"
    assert ecs.list_clusters()["clusterArns"] == []
    ecs.create_cluster(clusterName="prod")
    assert len(ecs.list_clusters()["clusterArns"]) == 1
    assert [(e["operation"], e["status"], e["errorType"]) for e in ecs_eks_mock.requests] == [
        ("CreateCluster", 500, "ServerException"), ("ListClusters", 200, None),
        ("CreateCluster", 200, None), ("ListClusters", 200, None)]


def test_a_faulted_call_answers_the_fault_instead_of_the_operations_own_error(ecs_eks_mock):
    faults.inject(ecs_eks_mock, "ecs", "RunTask", "ThrottlingException", count=1)
    ecs = client("ecs")
    assert error_of(lambda: ecs.run_task(taskDefinition="x"))[1] == "ThrottlingException"
    assert error_of(lambda: ecs.run_task(taskDefinition="x"))[1] == "ClusterNotFoundException"


def test_a_rule_without_operation_matches_every_operation_of_its_service_only(ecs_eks_mock):
    faults.inject(ecs_eks_mock, "ecs", error="AccessDeniedException", count=2)
    ecs = client("ecs")
    assert client("eks").list_clusters()["clusters"] == []
    assert error_of(ecs.list_clusters)[1] == "AccessDeniedException"
    assert error_of(ecs.list_task_definitions)[1] == "AccessDeniedException"
    assert ecs.list_clusters()["clusterArns"] == []


def test_a_rule_belongs_to_its_account_and_region(ecs_eks_mock):
    faults.inject(ecs_eks_mock, "ecs", "ListClusters", "ThrottlingException", region="eu-west-1")
    faults.inject(ecs_eks_mock, "ecs", "ListClusters", "ServerException", account="111122223333")
    assert client("ecs").list_clusters()["clusterArns"] == []
    assert error_of(client("ecs", "eu-west-1").list_clusters)[1] == "ThrottlingException"
    other_account = client("ecs", aws_access_key_id="111122223333", aws_secret_access_key="x")
    assert error_of(other_account.list_clusters)[1] == "ServerException"
    assert [r["error"] for r in faults.fault_rules(ecs_eks_mock, region="eu-west-1")] == ["ThrottlingException"]
    assert faults.fault_rules(ecs_eks_mock) == []


def test_the_first_rule_that_matches_answers(ecs_eks_mock):
    faults.inject(ecs_eks_mock, "ecs", "ListClusters", "ThrottlingException", count=1)
    faults.inject(ecs_eks_mock, "ecs", error="ServerException", count=1)
    ecs = client("ecs")
    assert error_of(ecs.list_clusters)[1] == "ThrottlingException"
    assert error_of(ecs.list_clusters)[1] == "ServerException"
    assert ecs.list_clusters()["clusterArns"] == []


# -- count, retries ------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["standard", "adaptive"])
def test_retries_recover_from_count_throttles_and_the_rule_ends(ecs_eks_mock, no_backoff, mode):
    faults.inject(ecs_eks_mock, "ecs", "ListClusters", "ThrottlingException", count=3)
    ecs = client("ecs", config=Config(retries={"mode": mode, "total_max_attempts": 4}))
    assert ecs.list_clusters()["ResponseMetadata"]["RetryAttempts"] == 3
    assert faults.fault_rules(ecs_eks_mock) == []
    assert ecs.list_clusters()["ResponseMetadata"]["RetryAttempts"] == 0


@pytest.mark.parametrize("service, call", [
    ("eks", lambda c: c.list_clusters()),
    ("application-autoscaling", lambda c: c.describe_scalable_targets(ServiceNamespace="ecs")),
])
@pytest.mark.parametrize("error", ["ThrottlingException", "ServerException", "ServiceUnavailableException"])
def test_standard_retries_recover_from_every_transient_error(ecs_eks_mock, no_backoff, service, call, error):
    faults.inject(ecs_eks_mock, service, error=error, count=2)
    api = client(service, config=Config(retries={"mode": "standard", "total_max_attempts": 3}))
    assert call(api)["ResponseMetadata"]["RetryAttempts"] == 2


def test_with_fewer_attempts_than_faults_the_error_surfaces(ecs_eks_mock, no_backoff):
    faults.inject(ecs_eks_mock, "ecs", "ListClusters", "ThrottlingException", count=3)
    ecs = client("ecs", config=Config(retries={"mode": "standard", "total_max_attempts": 2}))
    with pytest.raises(ClientError) as caught:
        ecs.list_clusters()
    assert caught.value.response["Error"]["Code"] == "ThrottlingException"
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 1
    [rule] = faults.fault_rules(ecs_eks_mock)
    assert (rule["remaining"], rule["fired"]) == (1, 2)
    assert ecs.list_clusters()["ResponseMetadata"]["RetryAttempts"] == 1


def test_parallel_clients_consume_count_exactly(ecs_eks_mock):
    faults.inject(ecs_eks_mock, "ecs", "ListClusters", "ThrottlingException", count=10)
    ecs = client("ecs")
    outcomes = []

    def call():
        try:
            ecs.list_clusters()
            outcomes.append("ok")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])

    threads = [threading.Thread(target=call) for _ in range(25)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ThrottlingException"] * 10 + ["ok"] * 15


# -- probability, latency --------------------------------------------------------------------------

def outcomes_with_seed(seed, calls=40):
    with mock_aws() as mock:
        faults.inject(mock, "ecs", "ListClusters", "ThrottlingException", probability=0.3, seed=seed)
        ecs = client("ecs")
        seen = []
        for _ in range(calls):
            try:
                ecs.list_clusters()
                seen.append(False)
            except ClientError:
                seen.append(True)
        return seen, faults.fault_rules(mock)[0]["fired"]


def test_a_seeded_probability_replays_the_same_faults():
    first, fired = outcomes_with_seed(7)
    assert outcomes_with_seed(7) == (first, fired)
    assert fired == sum(first) and 0 < fired < 40
    assert outcomes_with_seed(8)[0] != first


def test_probability_zero_never_fires_and_one_always_does(ecs_eks_mock):
    faults.inject(ecs_eks_mock, "ecs", "ListClusters", "ThrottlingException", probability=0)
    faults.inject(ecs_eks_mock, "ecs", "ListServices", "ThrottlingException", probability=1)
    ecs = client("ecs")
    for _ in range(5):
        ecs.list_clusters()
        assert error_of(ecs.list_services)[1] == "ThrottlingException"
    assert [r["fired"] for r in faults.fault_rules(ecs_eks_mock)] == [0, 5]


def test_latency_delays_the_usual_answer(ecs_eks_mock):
    faults.inject(ecs_eks_mock, "ecs", "CreateCluster", latency=0.05, count=1)
    ecs = client("ecs")
    assert ecs.create_cluster(clusterName="slow")["cluster"]["clusterName"] == "slow"
    ecs.create_cluster(clusterName="fast")
    slow, fast = ecs_eks_mock.requests
    assert slow["status"] == 200 and slow["durationMs"] >= 50 and fast["durationMs"] < 50


def test_latency_then_error(ecs_eks_mock):
    faults.inject(ecs_eks_mock, "ecs", "ListClusters", "ServerException", latency=0.02, count=1)
    assert error_of(client("ecs").list_clusters)[1] == "ServerException"
    assert ecs_eks_mock.requests[0]["durationMs"] >= 20


# -- rules: listing, removing, bad input ------------------------------------------------------------

def test_rules_are_listed_removed_and_reset(ecs_eks_mock):
    rule = faults.inject(ecs_eks_mock, "ecs", "RunTask", "ThrottlingException", count=2)
    assert rule == {"id": rule["id"], "service": "ecs", "operation": "RunTask", "error": "ThrottlingException",
                    "status": 400, "message": "Rate exceeded", "latency": 0.0, "probability": 1.0, "seed": None,
                    "remaining": 2, "fired": 0, "account": "123456789012", "region": "us-east-1"}
    other = faults.inject(ecs_eks_mock, "eks", "*", latency=0.1)
    assert (other["operation"], other["error"], other["status"]) == ("*", None, None)
    assert [r["id"] for r in faults.fault_rules(ecs_eks_mock)] == [rule["id"], other["id"]]
    assert faults.clear_faults(ecs_eks_mock, rule["id"]) == 1
    assert [r["id"] for r in faults.fault_rules(ecs_eks_mock)] == [other["id"]]
    ecs_eks_mock.reset()
    assert faults.fault_rules(ecs_eks_mock) == []
    faults.inject(ecs_eks_mock, "ecs", error="ServerException")
    assert faults.clear_faults(ecs_eks_mock) == 1 and faults.clear_faults(ecs_eks_mock) == 0


@pytest.mark.parametrize("kwargs, message", [
    ({"service": "lambda", "error": "ThrottlingException"},
     "Unknown service 'lambda': expected one of ecs, eks, application-autoscaling."),
    ({"service": "ecs", "operation": "RunTasks", "error": "ThrottlingException"},
     "Unknown operation 'RunTasks': ecs has no such operation."),
    ({"service": "ecs", "operation": "ListClusters"}, "A fault rule needs an error, a latency or both."),
    ({"service": "ecs", "operation": "ListClusters", "error": "ClusterNotFoundException"},
     "ecs ListClusters cannot answer 'ClusterNotFoundException': expected ThrottlingException, ServerException, "
     "ServiceUnavailableException or an error of its model (AccessDeniedException, ServerException, "
     "InvalidParameterException, ClientException)."),
    ({"service": "ecs", "error": "ServerException", "count": 0}, "count must be a whole number of at least 1, not 0."),
    ({"service": "ecs", "error": "ServerException", "count": 1.5},
     "count must be a whole number of at least 1, not 1.5."),
    ({"service": "ecs", "error": "ServerException", "probability": 1.5},
     "probability must be a number from 0 to 1, not 1.5."),
    ({"service": "ecs", "error": "ServerException", "probability": -0.1},
     "probability must be a number from 0 to 1, not -0.1."),
    ({"service": "ecs", "latency": -1}, "latency must be a number of seconds from 0 to 30, not -1."),
    ({"service": "ecs", "latency": 31}, "latency must be a number of seconds from 0 to 30, not 31."),
    ({"service": "ecs", "error": "ServerException", "seed": "x"}, "seed must be a whole number, not 'x'."),
    ({"service": "ecs", "error": 5}, "error must be the name of an error, not 5."),
    ({"service": "ecs", "error": "ServerException", "account": 5}, "account must be a string, not 5."),
])
def test_bad_rules_are_refused(ecs_eks_mock, kwargs, message):
    with pytest.raises(ValueError) as caught:
        faults.inject(ecs_eks_mock, **kwargs)
    assert str(caught.value) == message
    assert faults.fault_rules(ecs_eks_mock) == []


def test_a_rule_on_every_operation_takes_any_error_of_the_service(ecs_eks_mock):
    with pytest.raises(ValueError) as caught:
        faults.inject(ecs_eks_mock, "ecs", error="NoSuchThing")
    message = str(caught.value)
    assert message.startswith("ecs operations cannot answer 'NoSuchThing': expected ThrottlingException, "
                              "ServerException, ServiceUnavailableException or an error of its model "
                              "(AccessDeniedException, AttributeLimitExceededException, ")
    assert "ClusterNotFoundException" in message and "ResourceNotFoundException" not in faults.TRANSIENT_ERRORS
    assert faults.inject(ecs_eks_mock, "ecs", error="ClusterNotFoundException")["status"] == 400


# -- over HTTP ----------------------------------------------------------------------------------------

def server_client(server, service, config=NO_RETRIES):
    return boto3.client(service, endpoint_url=server.url, region_name="us-east-1", config=config,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def test_server_injects_lists_and_removes_faults(emulator_server, no_backoff):
    url = f"{emulator_server.url}/_emulator/faults"
    answer = requests.post(url, json={"service": "ecs", "operation": "RunTask", "error": "ThrottlingException",
                                      "count": 2})
    assert answer.status_code == 200
    rule = answer.json()
    assert (rule["service"], rule["operation"], rule["remaining"], rule["status"]) == ("ecs", "RunTask", 2, 400)
    ecs = server_client(emulator_server, "ecs")
    assert error_of(lambda: ecs.run_task(taskDefinition="web")) == (400, "ThrottlingException", "Rate exceeded")
    assert requests.get(url).json()["rules"][0]["fired"] == 1
    retrying = server_client(emulator_server, "ecs", Config(retries={"mode": "standard", "total_max_attempts": 2}))
    assert error_of(lambda: retrying.run_task(taskDefinition="web"))[1] == "ClusterNotFoundException"  # one throttle left
    assert requests.get(url).json() == {"rules": []}
    eks_rule = requests.post(url, json={"service": "eks", "error": "ServiceUnavailableException",
                                        "region": "eu-west-1"}).json()
    assert requests.get(url, params={"region": "eu-west-1"}).json()["rules"] == [eks_rule]
    assert requests.delete(url, params={"region": "eu-west-1", "id": "other"}).json() == {"removed": 0}
    assert requests.delete(url, params={"region": "eu-west-1", "id": eks_rule["id"]}).json() == {"removed": 1}


def test_server_throttles_eks_with_429(emulator_server):
    requests.post(f"{emulator_server.url}/_emulator/faults",
                  json={"service": "eks", "operation": "ListClusters", "error": "ThrottlingException"})
    answer = requests.get(f"{emulator_server.url}/clusters",
                          headers={"Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/eks/"
                                                    "aws4_request, SignedHeaders=host, Signature=x"})
    assert answer.status_code == 429
    assert answer.headers["x-amzn-ErrorType"] == "ThrottlingException"
    assert answer.json() == {"clusterName": None, "message": "Rate exceeded"}


@pytest.mark.parametrize("body, message", [
    ({"service": "lambda", "error": "ThrottlingException"},
     "Unknown service 'lambda': expected one of ecs, eks, application-autoscaling."),
    ({"service": "eks", "operation": "RunTask", "error": "ThrottlingException"},
     "Unknown operation 'RunTask': eks has no such operation."),
    ({"error": "ThrottlingException"}, "Unknown service None: expected one of ecs, eks, application-autoscaling."),
    ({"service": "ecs", "error": "ServerException", "times": 2},
     "Unknown fields ['times']: expected service, operation, error, message, count, latency, probability, seed, "
     "account, region."),
    ({"service": "ecs", "error": "ServerException", "count": "2"},
     "count must be a whole number of at least 1, not '2'."),
    ({"service": "ecs", "error": "ServerException", "region": ["us-east-1"]},
     "region must be a string, not ['us-east-1']."),
    ([], "Expected a JSON object."),
])
def test_server_refuses_bad_rules(emulator_server, body, message):
    answer = requests.post(f"{emulator_server.url}/_emulator/faults", json=body)
    assert answer.status_code == 400
    assert answer.json() == {"__type": "InvalidRequest", "message": message}
    assert requests.get(f"{emulator_server.url}/_emulator/faults").json() == {"rules": []}
