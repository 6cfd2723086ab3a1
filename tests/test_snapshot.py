"""State snapshots: mock.snapshot() / mock.restore(doc), GET and PUT /_emulator/state."""
import copy
import json
import re
from pathlib import Path

import boto3
import pytest
import requests

from emulator import __version__
from emulator.core.snapshot import SnapshotError
from emulator.ecs import failures
from tests import state_support
from tests.state_support import DURATIONS, START, answers, build, lifecycle, task_statuses

STEPS = (5, 20, 60, 300, 900)     # seconds the clock moves after a restore, one step at a time


@pytest.fixture
def mock(ecs_eks_mock):
    ecs_eks_mock.config.set_timing("realistic", **DURATIONS)
    ecs_eks_mock.clock.freeze(START)
    return ecs_eks_mock


def local_clients(service, region="us-east-1", account=None):
    keys = {"aws_access_key_id": account, "aws_secret_access_key": "x"} if account else {}
    return boto3.client(service, region_name=region, **keys)


def fail_tasks_in_process(mock):
    return lambda **rule: failures.fail_tasks(mock.engine, image=rule["image"], reason=rule["reason"],
                                              exit_code=rule["exitCode"], after=rule["after"])


@pytest.fixture
def rich(mock):
    """The mock, holding :func:`state_support.build`'s state."""
    build(local_clients, mock.clock.advance, fail_tasks_in_process(mock))
    return mock


def test_the_rich_state_has_tasks_in_every_lifecycle_state_and_clusters_creating_and_active(rich):
    assert {"PROVISIONING", "PENDING", "RUNNING", "DEACTIVATING", "STOPPED"} <= task_statuses(local_clients)
    now = lifecycle(local_clients)
    assert now["clusters"] == {"prod": "ACTIVE", "staging": "CREATING"}
    assert (now["nodegroup"], now["addon"], now["profile"]) == ("CREATING", "CREATING", "CREATING")
    assert [d[0] for d in now["service"][4]] == ["PRIMARY", "ACTIVE"]      # mid rolling deployment


def test_a_restored_emulator_answers_every_describe_and_list_as_before(rich):
    before = answers(local_clients)
    doc = json.loads(json.dumps(rich.snapshot()))
    rich.reset()
    assert local_clients("ecs").list_clusters()["clusterArns"] == []
    rich.restore(doc)
    assert answers(local_clients) == before
    assert rich.clock.describe() == {"now": START + 732, "frozen": True}


def test_the_document_names_its_format_version_and_emulator(rich):
    doc = rich.snapshot()
    assert (doc["format"], doc["version"], doc["emulatorVersion"]) == ("ecs-eks-emulator/state", 1, __version__)
    assert doc["clock"] == {"now": START + 732, "frozen": True, "offset": 0.0}
    assert doc["config"]["timing"] == "realistic"
    assert doc["config"]["durations"]["ecs_task_pending"] == 20
    assert sorted((service, account, region) for service, stores in doc["stores"].items()
                  for account, region, _ in stores) == [
        ("application-autoscaling", "123456789012", "us-east-1"), ("ecs", "111122223333", "us-east-1"),
        ("ecs", "123456789012", "eu-west-1"), ("ecs", "123456789012", "us-east-1"),
        ("eks", "123456789012", "us-east-1")]


def test_lifecycles_under_way_carry_on_after_a_restore_as_they_would_have(rich):
    doc = json.loads(json.dumps(rich.snapshot()))

    def carry_on():
        seen = []
        for step in STEPS:
            rich.clock.advance(step)
            seen.append(lifecycle(local_clients))
        return seen

    undisturbed = carry_on()
    rich.reset()
    rich.restore(doc)
    assert carry_on() == undisturbed
    assert undisturbed[-1]["clusters"] == {"prod": "ACTIVE", "staging": "ACTIVE"}
    assert undisturbed[-1]["service"][4] == [("PRIMARY", undisturbed[-1]["service"][4][0][1], "COMPLETED", 3, 0)]


def test_restoring_brings_back_the_timing_failure_rules_metrics_and_alarms(rich):
    from emulator import metrics
    metrics.set_metric(rich, "c", "web", "ECSServiceAverageCPUUtilization", 80)
    kept_metrics, kept_alarms = metrics.metrics(rich), metrics.alarms(rich)
    assert len(kept_alarms) == 2                       # target tracking's high and low alarms
    doc = rich.snapshot()
    rich.reset()
    rich.config.set_timing("instant")
    rich.restore(doc)
    assert rich.config.duration("ecs.task.pending") == 20
    assert rich.config.duration("eks.cluster.update.version") == 900      # realistic profile
    assert (metrics.metrics(rich), metrics.alarms(rich)) == (kept_metrics, kept_alarms)
    [rule] = failures.failure_rules(rich.engine)
    assert (rule["image"], rule["exitCode"], rule["reason"]) == ("broken:1", 3, "Essential container in task exited")


def test_fault_rules_come_back_with_their_counts_and_their_seeded_draws(mock):
    from botocore.config import Config as BotoConfig
    from emulator import faults
    ecs = boto3.client("ecs", region_name="us-east-1", config=BotoConfig(retries={"total_max_attempts": 1}))
    faults.inject(mock, "ecs", "ListClusters", "ServerException", probability=0.5, seed=7)
    faults.inject(mock, "ecs", "CreateCluster", "ThrottlingException", count=3)

    def outcomes(n: int) -> list[str]:
        seen = []
        for _ in range(n):
            try:
                ecs.list_clusters()
                seen.append("ok")
            except ecs.exceptions.ClientError as error:
                seen.append(error.response["Error"]["Code"])
        return seen

    outcomes(5)
    with pytest.raises(ecs.exceptions.ClientError):
        ecs.create_cluster(clusterName="c")
    doc = json.loads(json.dumps(mock.snapshot()))
    rules = faults.fault_rules(mock)
    undisturbed = outcomes(12)
    assert {"ok", "ServerException"} <= set(undisturbed)
    mock.reset()
    assert faults.fault_rules(mock) == []
    mock.restore(doc)
    assert faults.fault_rules(mock) == rules
    assert [rule["remaining"] for rule in rules] == [None, 2]
    assert outcomes(12) == undisturbed


def test_a_running_clock_is_restored_running_and_never_goes_back(mock):
    mock.clock.unfreeze()
    mock.clock.advance(3600)
    doc = mock.snapshot()
    mock.reset()
    mock.restore(doc)
    assert not mock.clock.frozen
    assert mock.clock.now() >= doc["clock"]["now"]


def test_a_snapshot_can_be_restored_into_another_emulator_whatever_order_its_keys_were_written_in(rich):
    from emulator import mock_aws
    before = answers(local_clients)
    doc = json.loads(json.dumps(rich.snapshot(), sort_keys=True))
    with mock_aws() as other:
        other.restore(doc)
        assert answers(local_clients) == before
        assert other.config.timing == "realistic"


# -- bad documents: a clear error, nothing changed ----------------------------
def good_document(mock) -> dict:
    return json.loads(json.dumps(mock.snapshot()))


def with_store(doc: dict, encoded) -> dict:
    doc = copy.deepcopy(doc)
    doc["stores"]["ecs"][-1][2] = encoded
    return doc


BAD_DOCUMENTS = [
    ("not an object", lambda doc: [doc], "A state document must be a JSON object."),
    ("no format", lambda doc: {k: v for k, v in doc.items() if k != "format"},
     'Not a state document: "format" must be "ecs-eks-emulator/state".'),
    ("unknown version", lambda doc: {**doc, "version": 2},
     "Unsupported state document version 2: this emulator reads version 1."),
    ("version as text", lambda doc: {**doc, "version": "1"},
     "Unsupported state document version '1': this emulator reads version 1."),
    ("another emulator version", lambda doc: {**doc, "emulatorVersion": "0.0.1"},
     f"The state document was made by ecs-eks-emulator '0.0.1', this is {__version__}: a state document can "
     "only be restored by the version that made it."),
    ("no stores", lambda doc: {k: v for k, v in doc.items() if k != "stores"},
     'The state document has no "stores" object.'),
    ("no clock", lambda doc: {**doc, "clock": None}, 'The state document has no "clock" object.'),
    ("no faults", lambda doc: {k: v for k, v in doc.items() if k != "faults"},
     'The state document has no "faults" object.'),
    ("faults that are not fault rules", lambda doc: {**doc, "faults": {"$dict": [[{"$tuple": ["1", "2"]}, [1]]]}},
     '"faults" must hold the fault rules of each account and Region.'),
    ("bad clock", lambda doc: {**doc, "clock": {"now": "soon", "frozen": True}},
     '"clock" must be {"now": <epoch seconds>, "frozen": true|false, "offset": <seconds>}.'),
    ("bad config", lambda doc: {**doc, "config": {**doc["config"], "timing": "fast"}},
     '"config" must be {"defaultAccount": str, "accounts": {key: account}, "timing": "instant"|"realistic", '
     '"durations": {name: seconds}}.'),
    ("bad sequences", lambda doc: {**doc, "sequences": {"emulator.autoscaling.targets:_order": "1"}},
     '"sequences" must be {"module:name": <next value>}.'),
    ("unknown service", lambda doc: {**doc, "stores": {**doc["stores"], "s3": []}},
     "Unknown service 's3' in the state document."),
    ("stores not a list", lambda doc: {**doc, "stores": {**doc["stores"], "ecs": {}}},
     '"stores.ecs" must be a list of [account, region, store].'),
    ("a class outside the emulator", lambda doc: with_store(doc, {"$obj": "subprocess:Popen", "state": {}}),
     "subprocess:Popen is outside the emulator: a state document names only the emulator's own classes and "
     "functions."),
    ("a class the emulator imported", lambda doc: with_store(doc, {"$obj": "emulator.state_file:os.PathLike"}),
     "emulator.state_file:os.PathLike is outside the emulator: a state document names only the emulator's own "
     "classes and functions."),
    ("a function outside the emulator", lambda doc: with_store(doc, {"$fn": "os", "code": "system@1", "cells": []}),
     "'os' is outside the emulator: a state document names only the emulator's own classes and functions."),
    ("a function the emulator does not have", lambda doc: with_store(
        doc, {"$fn": "emulator.ecs.scheduler", "code": "nothing@1", "cells": []}),
     "function emulator.ecs.scheduler:nothing@1 does not exist in this emulator version."),
    ("a function named by no string", lambda doc: with_store(
        doc, {"$fn": "emulator.ecs.scheduler", "code": {}, "cells": []}),
     "function emulator.ecs.scheduler:{} does not exist in this emulator version."),
    ("a class the emulator does not have", lambda doc: with_store(doc, {"$obj": "emulator.ecs.service:Nothing"}),
     "emulator.ecs.service:Nothing does not exist in this emulator version."),
    ("a store of the wrong class", lambda doc: with_store(doc, {"$obj": "emulator.eks.service:EksStore"}),
     "The ecs store of 123456789012/us-east-1 is not of class EcsStore."),
    ("a reference to nothing", lambda doc: with_store(doc, {"$ref": 10 ** 9}), "reference 1000000000 points to nothing."),
    ("an unknown tag", lambda doc: with_store(doc, {"$eval": "1"}), "unknown tag '$eval' in the document."),
    ("a list as a dict key", lambda doc: with_store(doc, {"$dict": [[[], 1]]}), "a list cannot be a dict key or set member."),
    ("a list in a frozenset", lambda doc: with_store(doc, {"$frozenset": [[]]}),
     "a list cannot be a dict key or set member."),
]


@pytest.mark.parametrize("change, message", [(c, m) for _, c, m in BAD_DOCUMENTS],
                         ids=[name for name, _, _ in BAD_DOCUMENTS])
def test_a_bad_document_is_refused_and_changes_nothing(rich, change, message):
    doc = good_document(rich)
    rich.clock.advance(5)
    before, clock = answers(local_clients), rich.clock.describe()
    with pytest.raises(SnapshotError) as info:
        rich.restore(change(doc))
    assert str(info.value) == message
    assert rich.clock.describe() == clock
    assert answers(local_clients) == before


# -- over HTTP ------------------------------------------------------------------
@pytest.fixture
def server(emulator_server):
    url = emulator_server.url
    assert requests.post(url + "/_emulator/config", json={"timing": "realistic", "durations": DURATIONS}).ok
    assert requests.post(url + "/_emulator/clock", json={"freeze": True, "at": START}).ok
    return emulator_server


def http_clients(url):
    def clients(service, region="us-east-1", account=None):
        return boto3.client(service, endpoint_url=url, region_name=region, aws_access_key_id=account or "testing",
                            aws_secret_access_key="testing")
    return clients


def build_over_http(url) -> None:
    def fail_tasks(**rule):
        assert requests.post(url + "/_emulator/ecs/failures", json=rule).ok

    def advance(seconds):
        assert requests.post(url + "/_emulator/clock", json={"advance": seconds}).ok
    build(http_clients(url), advance, fail_tasks)


def test_get_and_put_state_bring_a_server_back_to_every_answer_it_gave_and_its_lifecycles_carry_on(server):
    clients = http_clients(server.url)
    build_over_http(server.url)
    before = answers(clients)
    response = requests.get(server.url + "/_emulator/state")
    assert response.status_code == 200 and response.json()["format"] == "ecs-eks-emulator/state"

    def carry_on():
        seen = []
        for step in STEPS:
            assert requests.post(server.url + "/_emulator/clock", json={"advance": step}).ok
            seen.append(lifecycle(clients))
        return seen

    undisturbed = carry_on()
    assert requests.post(server.url + "/_emulator/reset").ok
    put = requests.put(server.url + "/_emulator/state", data=response.content)
    assert put.status_code == 200
    assert put.json() == {"status": "ok", "clock": {"now": START + 732, "frozen": True}}
    assert answers(clients) == before
    assert requests.get(server.url + "/_emulator/ecs/failures").json()["rules"][0]["image"] == "broken:1"
    assert carry_on() == undisturbed
    assert undisturbed[0] != undisturbed[-1]


@pytest.mark.parametrize("body, message", [
    (b"\x00garbage", "The state document is not valid JSON: Expecting value: line 1 column 1 (char 0)."),
    (b"", "The state document is not valid JSON: Expecting value: line 1 column 1 (char 0)."),
    (b'"state"', "A state document must be a JSON object."),
    (b'{"format": "ecs-eks-emulator/state", "version": 7}',
     "Unsupported state document version 7: this emulator reads version 1."),
])
def test_put_state_refuses_a_malformed_document_with_a_400_and_changes_nothing(server, body, message):
    ecs = http_clients(server.url)("ecs")
    ecs.create_cluster(clusterName="kept")
    response = requests.put(server.url + "/_emulator/state", data=body)
    assert response.status_code == 400
    assert response.json() == {"__type": "InvalidRequest", "message": message}
    assert [arn.rsplit("/", 1)[1] for arn in ecs.list_clusters()["clusterArns"]] == ["kept"]


def test_put_state_refuses_a_class_outside_the_emulator_and_changes_nothing(server):
    ecs = http_clients(server.url)("ecs")
    ecs.create_cluster(clusterName="kept")
    doc = requests.get(server.url + "/_emulator/state").json()
    doc["stores"]["ecs"][0][2] = {"$obj": "os:_wrap_close"}
    response = requests.put(server.url + "/_emulator/state", json=doc)
    assert response.status_code == 400
    assert response.json()["message"] == ("os:_wrap_close is outside the emulator: a state document names only "
                                          "the emulator's own classes and functions.")
    assert len(ecs.list_clusters()["clusterArns"]) == 1


def test_readme_snapshot_example_passes(pytester, monkeypatch):
    root = Path(__file__).resolve().parents[1]
    monkeypatch.setenv("PYTHONPATH", str(root))          # this checkout's emulator, whatever is installed
    readme = (root / "README.md").read_text()
    example = next(block for block in re.findall(r"```python\n(.*?)```", readme, re.S)
                   if block.startswith("# test_snapshot.py"))
    pytester.makepyfile(test_snapshot=example)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_what_is_created_after_a_restore_in_a_new_process_is_listed_after_what_was_restored(rich, monkeypatch):
    import itertools

    from emulator.autoscaling import targets
    doc = json.loads(json.dumps(rich.snapshot()))
    assert doc["sequences"]["emulator.autoscaling.targets:_order"] >= 1
    monkeypatch.setattr(targets, "_order", itertools.count())         # as in a newly started process
    rich.reset()
    rich.restore(doc)
    ecs, aas = local_clients("ecs"), local_clients("application-autoscaling")
    ecs.create_service(cluster="c", serviceName="api", taskDefinition="web:1", desiredCount=1,
                       launchType="FARGATE", networkConfiguration=state_support.AWSVPC)
    aas.register_scalable_target(**{**state_support.TARGET, "ResourceId": "service/c/api"}, MinCapacity=1,
                                 MaxCapacity=2)
    listed = aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    assert [t["ResourceId"] for t in listed] == ["service/c/web", "service/c/api"]
