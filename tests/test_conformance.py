"""The response conformance check catches what a careless handler would return."""
from emulator.conformance import ConformanceChecker
from emulator.ecs.service import ecs

checker = ConformanceChecker()


def test_unknown_member_is_reported():
    problems = checker.check("ecs", "DescribeClusters", 200, {"clusters": [{"clusterNme": "typo"}]})
    assert problems == ["ecs.DescribeClusters.clusters[0].clusterNme: not a member of Cluster"]


def test_wrong_types_are_reported():
    body = {"clusters": [{"clusterName": 5, "runningTasksCount": "1", "statistics": {}}]}
    assert len(checker.check("ecs", "DescribeClusters", 200, body)) == 3


def test_timestamps_must_be_epoch_numbers_and_enums_valid():
    body = {"cluster": {"name": "c", "createdAt": "2026-01-01T00:00:00Z", "status": "RUNNING"}}
    problems = checker.check("eks", "DescribeCluster", 200, body)
    assert any("createdAt" in p and "epoch" in p for p in problems)
    assert any("status" in p and "RUNNING" in p for p in problems)


def test_error_bodies_may_only_carry_the_shape_members():
    assert checker.check("ecs", "RunTask", 400, {"__type": "ClusterNotFoundException", "message": "m"}) == []
    assert checker.check("ecs", "RunTask", 400, {"__type": "ClusterNotFoundException", "message": "m",
                                                  "extra": 1}) != []
    assert checker.check("eks", "DescribeCluster", 404, {"message": "m", "clusterName": None}) == []


def test_a_handler_returning_a_wrong_key_fails_the_test(ecs_client, monkeypatch, conformance):
    monkeypatch.setitem(ecs.handlers, "ListClusters", lambda ctx, params: {"clusterArn": []})
    ecs_client.list_clusters()
    assert conformance == ["ecs.ListClusters.clusterArn: not a member of ListClustersResponse"]
    conformance.clear()  # seen on purpose
