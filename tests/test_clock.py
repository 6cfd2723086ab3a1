"""One clock, frozen and advanced by tests; timestamps and lifecycles follow it."""
import time

import pytest
import requests

from emulator.core.clock import Clock
from emulator.core.timeline import Timeline

VPC = {"subnetIds": ["subnet-0a1b2c3d4e5f60718", "subnet-0f9e8d7c6b5a40312"]}
ROLE = "arn:aws:iam::123456789012:role/eks"


def test_frozen_clock_stands_still_and_advances_on_demand():
    clock = Clock()
    frozen = clock.freeze(1_700_000_000.5)
    assert frozen == 1_700_000_000.5 and clock.frozen
    assert clock.now() == frozen
    assert clock.advance(30) == 1_700_000_030.5
    assert clock.now() == 1_700_000_030.5


def test_unfreezing_continues_from_the_frozen_instant():
    clock = Clock()
    clock.freeze(1_000.0)
    clock.unfreeze()
    assert not clock.frozen
    assert 1_000.0 <= clock.now() < 1_010.0


def test_running_clock_can_be_advanced():
    clock = Clock()
    before = time.time()
    clock.advance(3600)
    assert clock.now() >= round(before, 3) + 3600 - 0.001


def test_clock_cannot_go_backwards():
    with pytest.raises(ValueError):
        Clock().advance(-1)


def test_timeline_runs_due_actions_in_time_order_with_their_own_instant():
    timeline, seen = Timeline(), []
    timeline.at(20, lambda at: seen.append(("b", at)))
    timeline.at(10, lambda at: (seen.append(("a", at)), timeline.at(at + 5, lambda t: seen.append(("c", t)))))
    cancelled = timeline.at(12, lambda at: seen.append(("x", at)))
    cancelled.cancel()
    timeline.run_until(9)
    assert seen == []
    timeline.run_until(30)
    assert seen == [("a", 10), ("c", 15), ("b", 20)]


def test_timestamps_come_from_the_clock(eks_client, ecs_eks_mock):
    ecs_eks_mock.clock.freeze(1_800_000_000.0)
    created = eks_client.create_cluster(name="c", roleArn=ROLE, resourcesVpcConfig=VPC)["cluster"]
    assert created["createdAt"].timestamp() == 1_800_000_000.0


def test_lifecycle_waits_for_the_clock_when_frozen(eks_client, ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.cluster.create": 600})
    assert eks_client.create_cluster(name="c", roleArn=ROLE, resourcesVpcConfig=VPC)["cluster"]["status"] == "CREATING"
    ecs_eks_mock.clock.advance(599)
    assert eks_client.describe_cluster(name="c")["cluster"]["status"] == "CREATING"
    ecs_eks_mock.clock.advance(1)
    assert eks_client.describe_cluster(name="c")["cluster"]["status"] == "ACTIVE"


def test_default_timing_reaches_steady_state_on_the_next_read(eks_client):
    assert eks_client.create_cluster(name="c", roleArn=ROLE, resourcesVpcConfig=VPC)["cluster"]["status"] == "CREATING"
    assert eks_client.describe_cluster(name="c")["cluster"]["status"] == "ACTIVE"


def test_clock_admin_endpoint(emulator_server):
    url = emulator_server.url + "/_emulator/clock"
    assert requests.get(url).json()["frozen"] is False
    frozen = requests.post(url, json={"freeze": True, "at": 1_900_000_000}).json()
    assert frozen == {"now": 1_900_000_000, "frozen": True}
    assert requests.post(url, json={"advance": 90}).json() == {"now": 1_900_000_090, "frozen": True}
    unfrozen = requests.post(url, json={"unfreeze": True}).json()
    assert unfrozen["frozen"] is False and unfrozen["now"] >= 1_900_000_090
    bad = requests.post(url, json={"advance": -5})
    assert bad.status_code == 400 and "backwards" in bad.json()["message"]
    assert requests.post(url, json={"sideways": 1}).status_code == 400


def test_reset_unfreezes_the_clock(emulator_server):
    requests.post(emulator_server.url + "/_emulator/clock", json={"freeze": True, "at": 5})
    requests.post(emulator_server.url + "/_emulator/reset")
    assert requests.get(emulator_server.url + "/_emulator/clock").json()["frozen"] is False
