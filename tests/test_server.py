"""The standalone server: admin endpoints, the AWS CLI, `python -m emulator`, parallel clients."""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import boto3
import pytest
import requests

from emulator.engine import all_services


def test_health_counts_operations_with_handlers(emulator_server):
    health = requests.get(emulator_server.url + "/_emulator/health").json()
    assert health["status"] == "ok" and health["version"]
    for name, service in all_services().items():
        entry = health["services"][name]
        assert entry["total"] == {"ecs": 77, "eks": 64, "application-autoscaling": 14}[name]
        assert entry["implemented"] == len(service.handlers)
        assert entry["missing"] == sorted(set(service.operations) - set(service.handlers))


def test_health_lists_application_auto_scaling_with_its_one_missing_operation(emulator_server):
    entry = requests.get(emulator_server.url + "/_emulator/health").json()["services"]["application-autoscaling"]
    assert entry == {"implemented": 13, "total": 14, "missing": ["GetPredictiveScalingForecast"]}


def test_reset_drops_all_state(emulator_server):
    client = boto3.client("ecs", endpoint_url=emulator_server.url, region_name="us-east-1",
                          aws_access_key_id="k", aws_secret_access_key="s")
    client.create_cluster(clusterName="c")
    assert requests.post(emulator_server.url + "/_emulator/reset").json() == {"status": "ok"}
    assert client.list_clusters()["clusterArns"] == []


def test_config_endpoint_sets_timing(emulator_server):
    url = emulator_server.url + "/_emulator/config"
    config = requests.get(url).json()
    assert config["timing"] == "instant" and config["defaultAccount"] == "123456789012"
    assert config["durations"]["eks.cluster.create"] == 0
    changed = requests.post(url, json={"durations": {"eks.cluster.create": 42}}).json()
    assert changed["durations"]["eks.cluster.create"] == 42
    assert requests.post(url, json={"timing": "glacial"}).status_code == 400


def test_unknown_admin_path_is_json(emulator_server):
    response = requests.get(emulator_server.url + "/_emulator/nope")
    assert response.status_code == 404 and response.headers["Content-Type"].startswith("application/json")


def test_a_method_no_route_takes_is_a_typed_json_405(emulator_server):
    response = requests.request("TRACE", emulator_server.url + "/clusters")
    assert response.status_code == 405 and response.headers["x-amzn-ErrorType"] == "InvalidRequest"
    assert response.json()["__type"] == "InvalidRequest"


def _aws(url, *args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="k", AWS_SECRET_ACCESS_KEY="s", AWS_DEFAULT_REGION="us-east-1",
               AWS_PAGER="")
    return subprocess.run(["aws", "--endpoint-url", url, "--output", "json", *args],
                          capture_output=True, text=True, env=env, timeout=60)


@pytest.mark.skipif(not any(os.access(os.path.join(p, "aws"), os.X_OK)
                            for p in os.environ.get("PATH", "").split(os.pathsep)), reason="AWS CLI not installed")
def test_a_chunked_request_body_is_read(emulator_server):
    def body():
        yield b'{"clusterName":'
        yield b'"chunky"}'
    response = requests.post(emulator_server.url + "/", data=body(), headers={
        "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.CreateCluster",
        "Content-Type": "application/x-amz-json-1.1"})
    assert response.status_code == 200
    assert response.json()["cluster"]["clusterName"] == "chunky"


def test_aws_cli_lists_ecs_and_eks_clusters(emulator_server):
    ecs = _aws(emulator_server.url, "ecs", "list-clusters")
    assert ecs.returncode == 0, ecs.stderr
    assert json.loads(ecs.stdout) == {"clusterArns": []}
    eks = _aws(emulator_server.url, "eks", "list-clusters")
    assert eks.returncode == 0, eks.stderr
    assert json.loads(eks.stdout) == {"clusters": []}
    missing = _aws(emulator_server.url, "ecs", "delete-cluster", "--cluster", "ghost")
    assert missing.returncode != 0 and "ClusterNotFoundException" in missing.stderr


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_python_m_emulator_serves_logs_each_request_and_stops_on_ctrl_c():
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "emulator", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                requests.get(url + "/_emulator/health", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        response = requests.post(url + "/", data="{}", headers={
            "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.ListClusters",
            "Content-Type": "application/x-amz-json-1.1"})
        assert response.json() == {"clusterArns": []}
        assert requests.get(url + "/clusters/ghost").status_code == 404
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert f"listening on http://127.0.0.1:{port}" in stderr
    lines = [line for line in stderr.splitlines() if " -> " in line]
    assert len(lines) == 2
    assert "ecs ListClusters POST / -> 200" in lines[0]
    assert "eks DescribeCluster GET /clusters/ghost -> 404" in lines[1]
    assert "Traceback" not in stderr


def test_parallel_clients_lose_and_duplicate_nothing(emulator_server):
    def work(worker):
        client = boto3.client("ecs", endpoint_url=emulator_server.url, region_name="us-east-1",
                              aws_access_key_id="k", aws_secret_access_key="s")
        for i in range(25):
            client.create_cluster(clusterName=f"w{worker}-{i}")
    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    client = boto3.client("ecs", endpoint_url=emulator_server.url, region_name="us-east-1",
                          aws_access_key_id="k", aws_secret_access_key="s")
    arns = [arn for page in client.get_paginator("list_clusters").paginate() for arn in page["clusterArns"]]
    assert len(arns) == len(set(arns)) == 200


def test_console_script_is_installed():
    import shutil
    script = shutil.which("ecs-eks-emulator")
    assert script is not None, "pip install -e . installs the ecs-eks-emulator console script"
    result = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and result.stdout.startswith("ecs-eks-emulator ")
