"""The request log: what was called, in which account and Region, and how it ended."""
import threading

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from emulator import mock_aws


def test_mock_lists_each_call_with_its_outcome():
    with mock_aws() as mock:
        ecs = boto3.client("ecs", region_name="eu-west-1")
        ecs.create_cluster(clusterName="jobs")
        with pytest.raises(ClientError):
            ecs.describe_services(cluster="missing", services=["web"])
        boto3.client("eks", region_name="us-east-1").list_clusters()
        entries = mock.requests
    assert [(e["service"], e["operation"], e["status"], e["errorType"], e["region"]) for e in entries] == [
        ("ecs", "CreateCluster", 200, None, "eu-west-1"),
        ("ecs", "DescribeServices", 400, "ClusterNotFoundException", "eu-west-1"),
        ("eks", "ListClusters", 200, None, "us-east-1"),
    ]
    assert all(e["account"] == "123456789012" and e["durationMs"] >= 0 and e["id"] for e in entries)


def test_entries_carry_the_clock_time_and_reset_clears_them():
    with mock_aws() as mock:
        mock.clock.freeze(at=1_800_000_000)
        ecs = boto3.client("ecs", region_name="us-east-1")
        ecs.list_clusters()
        mock.clock.advance(30)
        ecs.list_clusters()
        assert [e["time"] for e in mock.requests] == [1_800_000_000, 1_800_000_030]
        mock.reset()
        assert mock.requests == []


def test_the_log_keeps_the_latest_entries_only():
    from emulator.config import Config
    with mock_aws(config=Config(request_log_size=3)) as mock:
        ecs = boto3.client("ecs", region_name="us-east-1")
        for name in "abcde":
            ecs.create_cluster(clusterName=name)
        assert [e["operation"] for e in mock.requests] == ["CreateCluster"] * 3
        assert mock.engine.request_log.size == 3


def test_server_lists_requests_with_filters(emulator_server):
    ecs = boto3.client("ecs", endpoint_url=emulator_server.url, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    eks = boto3.client("eks", endpoint_url=emulator_server.url, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    ecs.create_cluster(clusterName="a")
    ecs.list_clusters()
    eks.list_clusters()
    url = f"{emulator_server.url}/_emulator/requests"
    every = requests.get(url).json()["requests"]
    assert [(e["service"], e["operation"]) for e in every] == [
        ("ecs", "CreateCluster"), ("ecs", "ListClusters"), ("eks", "ListClusters")]
    assert [e["operation"] for e in requests.get(url, params={"service": "ecs", "limit": 1}).json()["requests"]] \
        == ["ListClusters"]
    assert requests.get(url, params={"operation": "CreateCluster"}).json()["requests"][0]["service"] == "ecs"
    bad = requests.get(url, params={"limit": "many"})
    assert bad.status_code == 400 and bad.json()["message"] == "limit must be a whole number, not 'many'."
    requests.post(f"{emulator_server.url}/_emulator/reset")
    assert requests.get(url).json()["requests"] == []


def test_parallel_clients_lose_no_entry(emulator_server):
    def work():
        client = boto3.client("ecs", endpoint_url=emulator_server.url, region_name="us-east-1",
                              aws_access_key_id="testing", aws_secret_access_key="testing")
        for _ in range(20):
            client.list_clusters()
    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = requests.get(f"{emulator_server.url}/_emulator/requests").json()["requests"]
    assert len(entries) == 120 and len({e["id"] for e in entries}) == 120
