"""Application Auto Scaling over the real HTTP server and on the wire: routing by X-Amz-Target beside ECS,
errors, the operation left out, the metrics endpoint, and requests' calls answered in-process."""
import json

import boto3
import pytest
import requests

from emulator import mock_aws
from emulator.autoscaling import common
from tests.autoscaling.support import CPU, RESOURCE, START, TARGET, desired, web_service

TARGET_HEADER = "AnyScaleFrontendService.{}"


def clients(server):
    options = dict(region_name="us-east-1", endpoint_url=server.url, aws_access_key_id="testing",
                   aws_secret_access_key="testing")
    return boto3.client("ecs", **options), boto3.client("application-autoscaling", **options)


def post(url: str, operation: str, body) -> requests.Response:
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return requests.post(url, data=data, headers={
        "X-Amz-Target": TARGET_HEADER.format(operation), "Content-Type": "application/x-amz-json-1.1"})


def call(server, operation: str, body) -> requests.Response:
    return post(server.url + "/", operation, body)


def tracked_over_http(server, maximum: int, **config):
    """A frozen clock, service web with 2 tasks, and a policy keeping its CPU at 50%; the two clients."""
    ecs, aas = clients(server)
    requests.post(server.url + "/_emulator/clock", json={"freeze": True, "at": START})
    web_service(ecs, desired=2)
    aas.register_scalable_target(**TARGET, MinCapacity=1, MaxCapacity=maximum)
    aas.put_scaling_policy(PolicyName="cpu", **TARGET, PolicyType="TargetTrackingScaling",
                           TargetTrackingScalingPolicyConfiguration={
                               "TargetValue": 50.0, **config,
                               "PredefinedMetricSpecification": {"PredefinedMetricType": CPU}})
    return ecs, aas


def test_target_tracking_scales_a_service_over_http(emulator_server):
    ecs, aas = tracked_over_http(emulator_server, 8)
    answer = requests.post(emulator_server.url + "/_emulator/metrics",
                           json={"cluster": "c", "service": "web", "metricName": CPU, "value": 75})
    assert answer.json() == {"cluster": "c", "service": "web", "metricName": "CPUUtilization", "value": 75.0,
                             "timestamp": START}
    requests.post(emulator_server.url + "/_emulator/clock", json={"advance": 180})
    service = ecs.describe_services(cluster="c", services=["web"])["services"][0]
    assert (service["desiredCount"], service["runningCount"]) == (3, 3)
    activity, = aas.describe_scaling_activities(ServiceNamespace="ecs", ResourceId=RESOURCE)["ScalingActivities"]
    assert activity["Description"] == "Setting desired count to 3."
    assert requests.get(emulator_server.url + "/_emulator/metrics").json()["metrics"] == [
        {"cluster": "c", "service": "web", "metricName": "CPUUtilization", "value": 75.0, "timestamp": START}]


def test_both_json_services_are_routed_by_their_target_prefix(emulator_server):
    ecs, aas = clients(emulator_server)
    ecs.create_cluster(clusterName="c")
    assert aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"] == []
    assert ecs.list_clusters()["clusterArns"] == ["arn:aws:ecs:us-east-1:123456789012:cluster/c"]
    answer = call(emulator_server, "DescribeScalableTargets", {"ServiceNamespace": "ecs"})
    assert answer.status_code == 200 and answer.json() == {"ScalableTargets": []}


def test_the_operation_left_out_answers_not_implemented(emulator_server):
    answer = call(emulator_server, "GetPredictiveScalingForecast", {
        **TARGET, "PolicyName": "p", "StartTime": START, "EndTime": START + 3600})
    assert answer.status_code == 501
    assert answer.json()["__type"] == "NotImplemented"
    assert "GetPredictiveScalingForecast" in answer.json()["message"]


def test_errors_carry_their_type_header_and_status(emulator_server):
    answer = call(emulator_server, "DeregisterScalableTarget", TARGET)
    assert answer.status_code == 400
    assert answer.headers["x-amzn-ErrorType"] == "ObjectNotFoundException"
    assert answer.json() == {"__type": "ObjectNotFoundException", "message": common.no_target(RESOURCE)}


@pytest.mark.parametrize("body, code", [
    (b"{not json", "SerializationException"),
    ({"ServiceNamespace": 7}, "SerializationException"),
    ({"ServiceNamespace": "nope"}, "ValidationException"),
    ({}, "ValidationException"),
])
def test_malformed_and_invalid_requests_are_refused(emulator_server, body, code):
    answer = call(emulator_server, "DescribeScalableTargets", body)
    assert (answer.status_code, answer.json()["__type"]) == (400, code)


def test_an_unknown_operation_of_the_prefix_is_unknown(emulator_server):
    answer = call(emulator_server, "ScaleEverything", {})
    assert (answer.status_code, answer.json()["__type"]) == (400, "UnknownOperationException")


@pytest.mark.parametrize("body", [
    {"cluster": "c", "service": "web", "metricName": CPU},
    {"cluster": "c", "service": "web", "metricName": CPU, "value": "lots"},
    {"service": "web", "metricName": CPU, "value": 1},
    [1, 2],
])
def test_the_metrics_endpoint_refuses_a_bad_metric(emulator_server, body):
    answer = requests.post(emulator_server.url + "/_emulator/metrics", json=body)
    assert answer.status_code == 400 and answer.json()["__type"] == "InvalidRequest"


def test_requests_calls_to_the_service_host_are_answered_in_process():
    with mock_aws():
        answer = post("https://application-autoscaling.us-east-1.amazonaws.com/", "DescribeScalableTargets",
                      {"ServiceNamespace": "ecs"})
    assert answer.status_code == 200 and answer.json() == {"ScalableTargets": []}


def test_parallel_ecs_and_autoscaling_clients_never_deadlock(emulator_server):
    import threading
    ecs, aas = tracked_over_http(emulator_server, 50, ScaleOutCooldown=0)
    requests.post(emulator_server.url + "/_emulator/metrics",
                  json={"cluster": "c", "service": "web", "metricName": CPU, "value": 60})
    errors = []

    def work(kind: str) -> None:
        ecs_client, aas_client = clients(emulator_server)
        try:
            for _ in range(15):
                if kind == "ecs":
                    ecs_client.describe_services(cluster="c", services=["web"])
                elif kind == "aas":
                    aas_client.describe_scaling_activities(ServiceNamespace="ecs")
                else:
                    requests.post(emulator_server.url + "/_emulator/clock", json={"advance": 60})
        except Exception as exc:     # any failure fails the test below
            errors.append(exc)
    threads = [threading.Thread(target=work, args=(kind,)) for kind in ("ecs", "aas", "clock", "ecs", "aas")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads) and errors == []
    # 15 minutes at 60% of a 50% target: a scale-out every minute from the third, each ceil(n * 1.2)
    service = ecs.describe_services(cluster="c", services=["web"])["services"][0]
    steps = [a["Description"] for a in reversed(aas.describe_scaling_activities(ServiceNamespace="ecs")[
        "ScalingActivities"])]
    counts = [int(d.split()[-1].rstrip(".")) for d in steps]
    assert len(counts) == 13                 # one a minute from +180 to +900
    expected, n = [], 2
    for _ in counts:
        n = min(-(-n * 6 // 5), 50)
        expected.append(n)
    assert counts == expected and service["desiredCount"] == counts[-1]
