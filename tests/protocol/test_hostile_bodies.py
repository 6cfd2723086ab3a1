"""Bodies no operation can take — too large, nested too deep, a lone surrogate escape, a number JSON
cannot carry — answer each protocol's typed 4xx for every operation of every service, and change nothing:
in-process through the engine, through boto3 in ``mock_aws``, and over HTTP."""
import json

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from emulator.protocol import jsonutil
from emulator.protocol.jsonutil import MAX_BODY_BYTES, MAX_DEPTH
from tests.protocol.generated import OPERATIONS, Generator, wire_request

DEEP = b'{"a":' + b"[" * 50_000 + b"]" * 50_000 + b"}"
JUST_TOO_DEEP = b"[" * (MAX_DEPTH - 1) + b"{}" + b"]" * (MAX_DEPTH - 1)       # one object inside: MAX_DEPTH + 1
TOO_DEEP = jsonutil.TOO_DEEP.format(limit=MAX_DEPTH)
HOSTILE = {
    "nested 50,000 deep": (DEEP, TOO_DEEP),
    "nested one level too deep": (b'{"a":' + JUST_TOO_DEEP + b"}", TOO_DEEP),
    "lone surrogate in a value": (b'{"clusterName":"\\ud800","name":"\\udfff"}',
                                  jsonutil.LONE_SURROGATE.format(code=0xD800)),
    "lone surrogate in a key": (b'{"a":{"b":[{"\\uDC00x":"y"}]}}', jsonutil.LONE_SURROGATE.format(code=0xDC00)),
    "NaN": (b'{"a":NaN}', jsonutil.BAD_NUMBER.format(text="NaN")),
    "a number too large for a double": (b'{"a":[1e999]}', jsonutil.BAD_NUMBER.format(text="1e999")),
}
TOO_LARGE = jsonutil.TOO_LARGE.format(limit=MAX_BODY_BYTES)


def body_error(service: str) -> str:
    return "InvalidParameterException" if service == "eks" else "SerializationException"


def wire(service: str, operation: str, body: bytes):
    """The request for ``operation`` (path labels and all) with ``body`` as its body."""
    return wire_request(service, operation, Generator(service, operation, None).valid(), body=body)


def assert_typed(response, service: str, status: int, message: str) -> None:
    assert response.status == status, response.body
    code = body_error(service)
    assert response.headers["x-amzn-ErrorType"] == code
    body = json.loads(response.body)
    assert body["message"] == message
    if service != "eks":
        assert body["__type"] == code


@pytest.mark.parametrize("service,operation", OPERATIONS)
def test_hostile_bodies_answer_the_typed_400_and_change_nothing(ecs_eks_mock, service, operation):
    engine = ecs_eks_mock.engine
    for body, message in HOSTILE.values():
        assert_typed(engine.handle(service, wire(service, operation, body)), service, 400, message)
    assert engine.find_store(service, "123456789012", "us-east-1") is None      # no handler ever ran


@pytest.mark.parametrize("service,operation", OPERATIONS)
def test_the_largest_body_is_read_and_one_byte_more_is_413(ecs_eks_mock, service, operation):
    engine = ecs_eks_mock.engine
    largest = b"{}" + b" " * (MAX_BODY_BYTES - 2)
    answer = engine.handle(service, wire(service, operation, largest))
    assert answer.status < 500 or answer.headers["x-amzn-ErrorType"] == "NotImplemented"
    assert TOO_LARGE.encode() not in answer.body
    assert_typed(engine.handle(service, wire(service, operation, largest + b" ")), service, 413, TOO_LARGE)


def test_well_formed_strings_beside_the_checks_still_parse(ecs_client):
    """Escaped surrogate pairs, an escaped backslash before 'ud800', and brackets inside strings are fine."""
    value = "\U0001f600 \\ud800 " + "[{" * 100
    ecs_client.register_task_definition(family="web", containerDefinitions=[
        {"name": "app", "image": "nginx", "memory": 64, "environment": [{"name": "V", "value": value}]}])
    described = ecs_client.describe_task_definition(taskDefinition="web")["taskDefinition"]
    assert described["containerDefinitions"][0]["environment"] == [{"name": "V", "value": value}]


@pytest.mark.parametrize("name", ["nested 50,000 deep", "lone surrogate in a value"])
def test_boto3_in_mock_aws_gets_the_typed_error(ecs_eks_mock, name):
    body, message = HOSTILE[name]
    for service, call, code in (("ecs", lambda c: c.list_clusters(), "SerializationException"),
                                ("eks", lambda c: c.create_cluster(name="c", roleArn="arn:aws:iam::1:role/r",
                                                                   resourcesVpcConfig={}),
                                 "InvalidParameterException")):
        client = boto3.client(service, region_name="us-east-1")

        def replace_body(request, **_):
            request.data = body
        client.meta.events.register(f"request-created.{service}", replace_body)
        with pytest.raises(ClientError) as info:
            call(client)
        error = info.value.response
        assert (error["Error"]["Code"], error["Error"]["Message"]) == (code, message)
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert ecs_eks_mock.engine.find_store("eks", "123456789012", "us-east-1") is None


def test_eks_path_labels_that_are_not_utf_8_are_client_errors(ecs_eks_mock):
    engine = ecs_eks_mock.engine
    for path in ("/clusters/%ED%A0%80", "/clusters/%ED%A0%80/node-groups/%FF", "/clusters/%F0%28%8C%28/addons"):
        request = wire_request("eks", "DescribeCluster", {"name": "x"})
        request.path = path
        answer = engine.handle("eks", request)
        assert 400 <= answer.status < 500 and answer.headers["x-amzn-ErrorType"], (path, answer.body)


# -- over HTTP -------------------------------------------------------------------------------------

SAMPLE = [("ecs", "CreateCluster"), ("eks", "CreateCluster"), ("application-autoscaling", "RegisterScalableTarget"),
          ("eks", "ListClusters")]


def http(session, server, service: str, operation: str, body: bytes, **headers):
    request = wire(service, operation, body)
    url = server.url + request.path + (f"?{request.query}" if request.query else "")
    return session.request(request.method, url, data=body, headers={**request.headers, **headers}, timeout=60)


def assert_typed_http(response, service: str, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["x-amzn-ErrorType"] == body_error(service)
    assert response.headers["Content-Type"].startswith("application/")
    assert response.json()["message"] == message


@pytest.mark.parametrize("service,operation", SAMPLE)
def test_hostile_bodies_over_http(emulator_server, service, operation):
    with requests.Session() as session:
        for body, message in HOSTILE.values():
            assert_typed_http(http(session, emulator_server, service, operation, body), service, 400, message)
        largest = b"{}" + b" " * (MAX_BODY_BYTES - 2)
        assert http(session, emulator_server, service, operation, largest).status_code < 500
        over = http(session, emulator_server, service, operation, largest + b" " * 5_000_000)
        assert_typed_http(over, service, 413, TOO_LARGE)
        # the connection is still in step: the next request on it is answered
        assert http(session, emulator_server, service, operation, b"{").status_code == 400


def test_an_over_large_chunked_body_over_http(emulator_server):
    def chunks():
        yield b"{}"
        for _ in range(3):
            yield b" " * (MAX_BODY_BYTES // 2)
    response = requests.post(emulator_server.url + "/", data=chunks(), timeout=60, headers={
        "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.ListClusters",
        "Content-Type": "application/x-amz-json-1.1"})
    assert_typed_http(response, "ecs", 413, TOO_LARGE)


def test_a_lone_surrogate_in_a_boto3_parameter(ecs_client, eks_client):
    with pytest.raises(ClientError) as info:
        ecs_client.create_cluster(clusterName="web\ud800")
    assert info.value.response["Error"] == {
        "Code": "SerializationException", "Message": jsonutil.LONE_SURROGATE.format(code=0xD800)}
    assert ecs_client.list_clusters()["clusterArns"] == []
    with pytest.raises(ClientError) as info:
        eks_client.create_cluster(name="c", roleArn="arn:aws:iam::123456789012:role/r",
                                  resourcesVpcConfig={"subnetIds": ["subnet-1"]}, tags={"team": "\udc00"})
    assert info.value.response["Error"]["Code"] == "InvalidParameterException"
    assert info.value.response["Error"]["Message"] == jsonutil.LONE_SURROGATE.format(code=0xDC00)
    assert eks_client.list_clusters()["clusters"] == []
