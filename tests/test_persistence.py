"""``python -m emulator --state-file PATH``: a real server process, killed and started again."""
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config as BotoConfig

from emulator import EmulatorServer
from emulator.state_file import StateFileError
from tests.state_support import DURATIONS, START, answers, build

ROOT = Path(__file__).resolve().parent.parent


class Process:
    """``python -m emulator --state-file PATH`` on a port of its own choosing."""

    def __init__(self, tmp_path: Path, state_file: Path, *extra: str, env: dict | None = None) -> None:
        self.log = tmp_path / f"server-{time.monotonic_ns()}.log"
        command = [sys.executable, "-m", "emulator", "--port", "0", "--quiet", *extra]
        if state_file is not None:
            command += ["--state-file", str(state_file)]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log,
                                            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
        self.url = None

    def started(self) -> "Process":
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            text = self.log.read_text()
            if "listening on " in text:
                self.url = text.split("listening on ", 1)[1].split()[0]
                return self
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited {self.process.returncode}: {text}")
            time.sleep(0.05)
        raise AssertionError("the server did not start")

    def exited(self) -> tuple[int, str]:
        """(exit status, what it wrote) of a server that stops by itself."""
        return self.process.wait(timeout=30), self.log.read_text()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def clients(self, service, region="us-east-1", account=None):
        return boto3.client(service, endpoint_url=self.url, region_name=region,
                            aws_access_key_id=account or "testing", aws_secret_access_key="testing",
                            config=BotoConfig(retries={"total_max_attempts": 1}))


@pytest.fixture
def servers(tmp_path):
    """Start servers with ``servers(state_file, *args)``; whatever is left running is killed at the end."""
    started: list[Process] = []

    def start(state_file, *extra, env=None, wait=True) -> Process:
        process = Process(tmp_path, state_file, *extra, env=env)
        started.append(process)
        return process.started() if wait else process
    yield start
    for process in started:
        if process.process.poll() is None:
            process.kill()


def cluster_names(ecs) -> list[str]:
    return sorted(arn.rsplit("/", 1)[1] for arn in ecs.list_clusters()["clusterArns"])


def test_a_killed_server_restarts_with_everything_it_answered(servers, tmp_path):
    path = tmp_path / "state.json"
    first = servers(path)
    assert requests.post(first.url + "/_emulator/config", json={"timing": "realistic", "durations": DURATIONS}).ok
    assert requests.post(first.url + "/_emulator/clock", json={"freeze": True, "at": START}).ok

    def fail_tasks(**rule):
        assert requests.post(first.url + "/_emulator/ecs/failures", json=rule).ok

    def advance(seconds):
        assert requests.post(first.url + "/_emulator/clock", json={"advance": seconds}).ok
    build(first.clients, advance, fail_tasks)
    before = answers(first.clients)
    first.kill()                                  # right after the last acknowledged call

    second = servers(path)
    assert answers(second.clients) == before
    assert requests.get(second.url + "/_emulator/clock").json() == {"now": START + 732, "frozen": True}
    assert requests.get(second.url + "/_emulator/config").json()["timing"] == "realistic"
    assert requests.get(second.url + "/_emulator/ecs/failures").json()["rules"][0]["image"] == "broken:1"


def test_parallel_clients_lose_nothing_acknowledged_when_the_server_is_killed_mid_workload(servers, tmp_path):
    path = tmp_path / "state.json"
    first = servers(path)
    acknowledged: list[str] = []
    stop = threading.Event()

    def client(n: int) -> None:
        ecs = first.clients("ecs")
        for i in range(1000):
            if stop.is_set():
                return
            name = f"c{n}-{i}"
            try:
                ecs.create_cluster(clusterName=name)
            except Exception:                 # the server is gone: this call was never acknowledged
                return
            acknowledged.append(name)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    while len(acknowledged) < 40:
        time.sleep(0.01)
    first.kill()
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    second = servers(path)
    kept = set(cluster_names(second.clients("ecs")))
    assert set(acknowledged) <= kept
    assert len(kept) - len(acknowledged) <= 4       # at most the calls in flight when it was killed


def test_admin_changes_are_kept_too(servers, tmp_path):
    path = tmp_path / "state.json"
    first = servers(path)
    first.clients("ecs").create_cluster(clusterName="c")
    assert requests.post(first.url + "/_emulator/clock", json={"freeze": True, "at": START}).ok
    assert requests.post(first.url + "/_emulator/reset").ok
    first.clients("ecs").create_cluster(clusterName="after-reset")
    assert requests.post(first.url + "/_emulator/config", json={"durations": {"ecs.task.pending": 7}}).ok
    assert requests.post(first.url + "/_emulator/faults", json={"service": "eks", "operation": "ListClusters",
                                                               "error": "ThrottlingException", "count": 2}).ok
    with pytest.raises(Exception, match="ThrottlingException"):
        first.clients("eks").list_clusters()                      # one of its two answers, given
    first.kill()

    second = servers(path)
    [rule] = requests.get(second.url + "/_emulator/faults").json()["rules"]
    assert (rule["operation"], rule["remaining"], rule["fired"]) == ("ListClusters", 1, 1)
    assert cluster_names(second.clients("ecs")) == ["after-reset"]
    assert requests.get(second.url + "/_emulator/clock").json()["frozen"] is False     # the reset unfroze it
    assert requests.get(second.url + "/_emulator/config").json()["durations"]["ecs.task.pending"] == 7


def test_a_state_put_over_http_is_kept(servers, tmp_path):
    path = tmp_path / "state.json"
    first = servers(path)
    first.clients("eks").list_clusters()
    first.clients("ecs").create_cluster(clusterName="saved")
    saved = requests.get(first.url + "/_emulator/state").content
    first.clients("ecs").create_cluster(clusterName="later")
    assert requests.put(first.url + "/_emulator/state", data=saved).ok
    first.kill()
    assert cluster_names(servers(path).clients("ecs")) == ["saved"]


def test_the_state_file_is_named_by_the_environment_and_created_at_start(servers, tmp_path):
    path = tmp_path / "from-env.json"
    first = servers(None, env={"EMULATOR_STATE_FILE": str(path)})
    doc = json.loads(path.read_text())
    assert (doc["format"], doc["version"], doc["stores"]) == (
        "ecs-eks-emulator/state", 1, {"application-autoscaling": [], "ecs": [], "eks": []})
    first.clients("ecs").create_cluster(clusterName="c")
    assert [store[0:2] for store in json.loads(path.read_text())["stores"]["ecs"]] == [["123456789012", "us-east-1"]]
    assert not Path(str(path) + ".tmp").exists()


@pytest.mark.parametrize("content, reason", [
    (b"{\"format\": \"ecs-eks-emulator/state\", \"versi", "is not a JSON document (Unterminated string starting "
                                                         "at: line 1 column 38 (char 37))."),
    (b"", "is not a JSON document (Expecting value: line 1 column 1 (char 0))."),
    (b'{"format": "ecs-eks-emulator/state", "version": 9}',
     "cannot be restored: Unsupported state document version 9: this emulator reads version 1."),
])
def test_a_corrupt_state_file_stops_the_server_at_start_naming_the_file(servers, tmp_path, content, reason):
    path = tmp_path / "state.json"
    path.write_bytes(content)
    status, output = servers(path, wait=False).exited()
    assert status == 2
    assert f"ecs-eks-emulator: the state file {path} {reason}" in output
    assert "listening" not in output
    assert path.read_bytes() == content                # left as it was, for a look


def test_an_unreadable_state_file_stops_the_server_at_start_naming_the_file(servers, tmp_path):
    path = tmp_path / "a-directory"
    path.mkdir()
    status, output = servers(path, wait=False).exited()
    assert status == 2
    assert f"ecs-eks-emulator: cannot read the state file {path}: Is a directory." in output


def test_a_state_file_that_cannot_be_written_stops_the_server_at_start(servers, tmp_path):
    path = tmp_path / "missing-directory" / "state.json"
    status, output = servers(path, wait=False).exited()
    assert status == 2
    assert f"ecs-eks-emulator: cannot write the state file {path}: No such file or directory." in output


def test_emulator_server_keeps_its_state_in_a_file_too(tmp_path):
    path = tmp_path / "state.json"
    with EmulatorServer(state_file=str(path)) as server:
        ecs = boto3.client("ecs", endpoint_url=server.url, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        ecs.create_cluster(clusterName="kept")
    with EmulatorServer(state_file=str(path)) as server:
        ecs = boto3.client("ecs", endpoint_url=server.url, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        assert cluster_names(ecs) == ["kept"]
    path.write_text("[]")
    with pytest.raises(StateFileError) as info:
        EmulatorServer(state_file=str(path))
    assert str(info.value) == f"the state file {path} cannot be restored: A state document must be a JSON object."


def test_only_requests_that_changed_something_write_the_file(tmp_path):
    with EmulatorServer(state_file=str(tmp_path / "state.json")) as server:
        ecs = boto3.client("ecs", endpoint_url=server.url, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        eks = boto3.client("eks", endpoint_url=server.url, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        ecs.create_cluster(clusterName="c")
        written = server.state_file.writes
        for _ in range(3):
            ecs.describe_clusters(clusters=["c"])                # the clock runs, nothing changes
        requests.get(server.url + "/_emulator/state")
        assert server.state_file.writes == written

        assert requests.post(server.url + "/_emulator/config", json={"durations": {"eks.cluster.create": 60}}).ok
        assert requests.post(server.url + "/_emulator/clock", json={"freeze": True, "at": START}).ok
        eks.create_cluster(name="prod", roleArn="arn:aws:iam::123456789012:role/eks",
                           resourcesVpcConfig={"subnetIds": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]})
        assert requests.post(server.url + "/_emulator/clock", json={"advance": 60}).ok
        written = server.state_file.writes
        assert eks.describe_cluster(name="prod")["cluster"]["status"] == "ACTIVE"   # a lifecycle ran: a change
        assert server.state_file.writes == written + 1
        doc = json.loads((tmp_path / "state.json").read_text())
    with EmulatorServer(state_file=str(tmp_path / "state.json")) as again:
        assert again.snapshot()["stores"] == doc["stores"]
