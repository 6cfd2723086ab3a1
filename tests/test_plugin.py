"""The pytest plugin, as a downstream project uses it (and the example in README.md)."""
import re
from pathlib import Path

DOWNSTREAM_TEST = '''
import boto3


def test_run_my_code_against_ecs(ecs_client):
    ecs_client.create_cluster(clusterName="ci")
    assert ecs_client.list_clusters()["clusterArns"] == [
        "arn:aws:ecs:us-east-1:123456789012:cluster/ci"]


def test_each_test_starts_empty(ecs_client, eks_client):
    assert ecs_client.list_clusters()["clusterArns"] == []
    assert eks_client.list_clusters()["clusters"] == []


def test_clock_control(ecs_eks_mock, eks_client):
    ecs_eks_mock.clock.freeze(1_800_000_000)
    assert ecs_eks_mock.clock.now() == 1_800_000_000


def test_against_a_real_server(emulator_server):
    ecs = boto3.client("ecs", endpoint_url=emulator_server.url, region_name="us-east-1",
                       aws_access_key_id="k", aws_secret_access_key="s")
    ecs.create_cluster(clusterName="over-http")
    assert len(ecs.list_clusters()["clusterArns"]) == 1


def test_server_is_reset_between_tests(emulator_server):
    ecs = boto3.client("ecs", endpoint_url=emulator_server.url, region_name="us-east-1",
                       aws_access_key_id="k", aws_secret_access_key="s")
    assert ecs.list_clusters()["clusterArns"] == []
'''


def test_fixtures_are_registered_by_the_entry_point(pytester):
    pytester.makepyfile(test_downstream=DOWNSTREAM_TEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)


def test_readme_example_passes(pytester):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    example = next(block for block in re.findall(r"```python\n(.*?)```", readme, re.S)
                   if block.startswith("# test_deploy.py"))
    pytester.makepyfile(test_deploy=example)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
