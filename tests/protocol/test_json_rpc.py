"""The awsJson1.1 front door (ECS) over real HTTP and through boto3."""
import json

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from emulator.ecs.service import ecs

TARGET = "AmazonEC2ContainerServiceV20141113."


def call(server, operation, body, target=None):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return requests.post(server.url + "/", data=data, headers={
        "X-Amz-Target": target or TARGET + operation,
        "Content-Type": "application/x-amz-json-1.1",
    })


def assert_error(response, status, code, message=None):
    assert response.status_code == status
    assert response.headers["x-amzn-ErrorType"] == code
    assert response.headers["Content-Type"] == "application/x-amz-json-1.1"
    assert response.headers["x-amzn-RequestId"]
    body = response.json()
    assert body["__type"] == code
    if message is not None:
        assert body["message"] == message
    return body


def test_success_has_json_content_type_and_request_id(emulator_server):
    response = call(emulator_server, "ListClusters", {})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/x-amz-json-1.1"
    assert len(response.headers["x-amzn-RequestId"]) == 36
    assert response.json() == {"clusterArns": []}


def test_empty_body_means_no_parameters(emulator_server):
    assert call(emulator_server, "ListClusters", b"").status_code == 200


def test_malformed_json_is_a_serialization_exception(emulator_server):
    assert_error(call(emulator_server, "ListClusters", b"{not json"), 400, "SerializationException")


def test_body_that_is_not_an_object_is_a_serialization_exception(emulator_server):
    assert_error(call(emulator_server, "ListClusters", b"[1, 2]"), 400, "SerializationException")


def test_unknown_operation(emulator_server):
    body = assert_error(call(emulator_server, "FlyToTheMoon", {}), 400, "UnknownOperationException")
    assert "FlyToTheMoon" in body["message"]


def test_target_of_another_service_is_unknown(emulator_server):
    response = call(emulator_server, None, {}, target="DynamoDB_20120810.ListTables")
    assert_error(response, 400, "UnknownOperationException")


def test_missing_required_member_names_it(emulator_server):
    assert_error(call(emulator_server, "DeleteCluster", {}), 400, "InvalidParameterException",
                 "Missing required parameter: 'cluster'.")


def test_task_definition_operations_answer_client_exception(emulator_server):
    assert_error(call(emulator_server, "DescribeTaskDefinition", {}), 400, "ClientException",
                 "Missing required parameter: 'taskDefinition'.")


def test_wrong_json_type_is_a_serialization_exception_naming_the_member(emulator_server):
    assert_error(call(emulator_server, "CreateCluster", {"clusterName": 5}), 400, "SerializationException",
                 "Invalid type for parameter 'clusterName': expected string, got integer.")


def test_nested_violation_names_the_path(emulator_server):
    body = {"clusterName": "c", "settings": [{"name": "containerInsights", "value": "on"}, {"name": "nope"}]}
    assert_error(call(emulator_server, "CreateCluster", body), 400, "InvalidParameterException",
                 "Invalid value 'nope' for parameter 'settings[1].name'. Valid values: containerInsights.")


def test_rejected_request_changes_no_state(emulator_server):
    call(emulator_server, "CreateCluster", {"clusterName": "c", "tags": [{"key": ""}]})
    assert call(emulator_server, "ListClusters", {}).json() == {"clusterArns": []}


def test_null_members_are_treated_as_absent(emulator_server):
    response = call(emulator_server, "CreateCluster", {"clusterName": "c", "tags": None})
    assert response.status_code == 200


def test_operation_without_handler_answers_501_naming_it(emulator_server, monkeypatch):
    monkeypatch.delitem(ecs.handlers, "ListClusters")
    assert_error(call(emulator_server, "ListClusters", {}), 501, "NotImplemented",
                 "ECS operation ListClusters is not implemented by this emulator.")


def test_bug_in_a_handler_is_a_500_server_exception_and_the_server_keeps_serving(emulator_server, monkeypatch):
    def broken(ctx, params):
        raise RuntimeError("boom")
    monkeypatch.setitem(ecs.handlers, "ListClusters", broken)
    assert_error(call(emulator_server, "ListClusters", {}), 500, "ServerException")
    assert call(emulator_server, "DescribeClusters", {}).status_code == 200


def test_boto3_sees_modelled_errors(ecs_client):
    with pytest.raises(ClientError) as info:
        ecs_client.delete_cluster(cluster="nope")
    assert info.value.response["Error"]["Code"] == "ClusterNotFoundException"


def test_boto3_against_the_server(emulator_server):
    client = boto3.client("ecs", endpoint_url=emulator_server.url, region_name="us-east-1",
                          aws_access_key_id="k", aws_secret_access_key="s")
    arn = client.create_cluster(clusterName="over-http")["cluster"]["clusterArn"]
    assert client.list_clusters()["clusterArns"] == [arn]


def test_fast_validator_agrees_with_jsonschema_on_every_operation():
    """The quick yes/no check must never accept what the schema rejects."""
    from jsonschema import Draft202012Validator

    from emulator.protocol import spec
    from emulator.protocol.validation import Validator
    samples = [{}, {"cluster": 5}, {"count": True}, {"tags": [{"key": "a" * 200}]}, {"maxResults": "1"},
               {"include": ["NOPE"]}, {"name": "-x"}, {"labels": {"": "v"}}, {"scalingConfig": {"minSize": -1}},
               {"containerDefinitions": [{"name": "a", "portMappings": [{"containerPort": "80"}]}]}]
    for service in ("ecs", "eks"):
        validator = Validator(service)
        for operation in spec.service_description(service)["operations"]:
            schema = spec.input_schema(service, operation)
            full = Draft202012Validator(schema)
            fast = validator._validator(operation)[0]
            for sample in samples:
                if fast(sample):
                    assert full.is_valid(sample), (service, operation, sample)
