"""mock_aws: decorator, class decorator, context manager, start/stop; scope of interception."""
import os
import unittest

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from emulator import EmulatorServer, mock_aws

ECS_TARGET = "AmazonEC2ContainerServiceV20141113."


def clusters(region="us-east-1"):
    return boto3.client("ecs", region_name=region).list_clusters()["clusterArns"]


@mock_aws
def test_function_decorator():
    boto3.client("ecs", region_name="us-east-1").create_cluster(clusterName="decorated")
    assert len(clusters()) == 1


@mock_aws
def test_function_decorator_starts_empty_each_time():
    assert clusters() == []


def test_context_manager_and_fresh_state_per_activation():
    mock = mock_aws()
    with mock:
        boto3.client("ecs", region_name="us-east-1").create_cluster(clusterName="first")
        assert len(clusters()) == 1
    with mock:
        assert clusters() == []


def test_keep_state_across_activations():
    mock = mock_aws(keep_state=True)
    with mock:
        boto3.client("ecs", region_name="us-east-1").create_cluster(clusterName="kept")
    with mock:
        assert len(clusters()) == 1


def test_start_and_stop():
    mock = mock_aws()
    mock.start()
    try:
        boto3.client("ecs", region_name="ap-southeast-2").create_cluster(clusterName="x")
        assert len(clusters("ap-southeast-2")) == 1
    finally:
        mock.stop()


def test_client_created_before_activation_is_intercepted():
    client = boto3.client("ecs", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    with mock_aws():
        assert client.create_cluster(clusterName="early")["cluster"]["clusterName"] == "early"


@mock_aws
class TestPlainClass:
    def test_one(self):
        boto3.client("ecs", region_name="us-east-1").create_cluster(clusterName="one")
        assert len(clusters()) == 1

    def test_two_starts_fresh(self):
        assert clusters() == []


@mock_aws
class TestUnittestCase(unittest.TestCase):
    def setUp(self):
        boto3.client("ecs", region_name="us-east-1").create_cluster(clusterName="from-setup")

    def test_setup_state_is_visible(self):
        self.assertEqual(len(clusters()), 1)

    def test_each_method_starts_fresh(self):
        boto3.client("ecs", region_name="us-east-1").create_cluster(clusterName="second")
        self.assertEqual(len(clusters()), 2)


def test_fake_credentials_when_none_are_set_and_environment_restored(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                "AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.delenv(key, raising=False)
    with mock_aws():
        assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
        assert boto3.client("ecs").list_clusters()["clusterArns"] == []
    assert "AWS_ACCESS_KEY_ID" not in os.environ
    assert "AWS_DEFAULT_REGION" not in os.environ


def test_existing_credentials_are_left_alone(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "mine")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    with mock_aws():
        assert os.environ["AWS_ACCESS_KEY_ID"] == "mine"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "mine"


def test_other_services_are_not_intercepted():
    s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    seen = []

    def answer_locally(request, **kwargs):
        seen.append(request.url)
        from botocore.awsrequest import AWSResponse

        class Raw:
            def stream(self, **_):
                yield b"<ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>"
        return AWSResponse(request.url, 200, {}, Raw())

    s3.meta.events.register("before-send.s3.ListBuckets", answer_locally)
    with mock_aws():
        assert s3.list_buckets()["Buckets"] == []
    assert seen and "s3" in seen[0]


@pytest.mark.parametrize("ours_outside", [True, False])
def test_composes_with_moto_in_either_nesting_order(ours_outside):
    moto = pytest.importorskip("moto")
    ours, theirs = mock_aws(), moto.mock_aws()
    outer, inner = (ours, theirs) if ours_outside else (theirs, ours)
    with outer, inner:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="handled-by-moto")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["handled-by-moto"]
        ecs = boto3.client("ecs", region_name="us-east-1")
        ecs.create_cluster(clusterName="handled-by-us")
        assert ours.engine.store("ecs").clusters.keys() == {"handled-by-us"}
        with pytest.raises(ClientError) as info:
            ecs.delete_cluster(cluster="absent")
        assert info.value.response["Error"]["Message"] == "Cluster not found."


def test_requests_calls_to_ecs_are_answered_and_others_pass_through():
    with EmulatorServer(port=0) as server, mock_aws():
        answer = requests.post("https://ecs.us-east-1.amazonaws.com/", data="{}",
                               headers={"X-Amz-Target": ECS_TARGET + "ListClusters",
                                        "Content-Type": "application/x-amz-json-1.1"})
        assert answer.status_code == 200 and answer.json() == {"clusterArns": []}
        eks = requests.get("https://eks.eu-west-1.amazonaws.com/clusters")
        assert eks.json() == {"clusters": []}
        assert requests.get(server.url + "/_emulator/health").json()["status"] == "ok"


def test_mock_exposes_clock_and_reset(ecs_eks_mock, ecs_client):
    ecs_client.create_cluster(clusterName="c")
    ecs_eks_mock.reset()
    assert ecs_client.list_clusters()["clusterArns"] == []
    ecs_eks_mock.clock.freeze(1234.5)
    assert ecs_eks_mock.clock.now() == 1234.5
