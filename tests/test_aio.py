"""aiobotocore clients in-process: calls, errors, waiters, paginators, retries, and other services untouched."""
import asyncio
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest
from aiobotocore.endpoint import AioEndpoint
from aiobotocore.session import get_session
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError, WaiterError

from emulator import faults, mock_aws
from tests.ecs.task_support import AWSVPC
from tests.eks.cluster_support import CLUSTER_ROLE, SUBNETS

ONE_LOOK = {"Delay": 0, "MaxAttempts": 1}


def client(service, **kwargs):
    return get_session().create_client(service, region_name="us-east-1", **kwargs)


def test_ecs_tasks_run_wait_and_page(ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"ecs.task.provisioning": 10, "ecs.task.pending": 20})

    async def scenario():
        async with client("ecs") as ecs:
            await ecs.create_cluster(clusterName="jobs")
            await ecs.register_task_definition(
                family="job", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
                containerDefinitions=[{"name": "app", "image": "busybox"}])
            tasks = (await ecs.run_task(cluster="jobs", taskDefinition="job", launchType="FARGATE", count=5,
                                        networkConfiguration=AWSVPC))["tasks"]
            arns = [task["taskArn"] for task in tasks]
            waiter = ecs.get_waiter("tasks_running")
            with pytest.raises(WaiterError):
                await waiter.wait(cluster="jobs", tasks=arns, WaiterConfig=ONE_LOOK)
            ecs_eks_mock.clock.advance(30)
            await waiter.wait(cluster="jobs", tasks=arns, WaiterConfig=ONE_LOOK)
            pages = [page["taskArns"] async for page in ecs.get_paginator("list_tasks").paginate(
                cluster="jobs", PaginationConfig={"PageSize": 2})]
            return arns, pages

    arns, pages = asyncio.run(scenario())
    assert [len(page) for page in pages] == [2, 2, 1]
    assert sorted(arn for page in pages for arn in page) == sorted(arns)


def test_eks_cluster_waits_until_active(ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.cluster.create": 600})

    async def scenario():
        async with client("eks") as eks:
            created = (await eks.create_cluster(name="prod", roleArn=CLUSTER_ROLE,
                                                resourcesVpcConfig={"subnetIds": SUBNETS}))["cluster"]
            waiter = eks.get_waiter("cluster_active")
            with pytest.raises(WaiterError):
                await waiter.wait(name="prod", WaiterConfig=ONE_LOOK)
            ecs_eks_mock.clock.advance(600)
            await waiter.wait(name="prod", WaiterConfig=ONE_LOOK)
            return created["status"], (await eks.describe_cluster(name="prod"))["cluster"]["status"]

    assert asyncio.run(scenario()) == ("CREATING", "ACTIVE")


def test_errors_are_modelled_exceptions(ecs_eks_mock):
    async def scenario():
        async with client("application-autoscaling") as autoscaling, client("eks") as eks:
            with pytest.raises(eks.exceptions.ResourceNotFoundException) as missing:
                await eks.describe_cluster(name="nope")
            with pytest.raises(ClientError) as invalid:
                await autoscaling.describe_scalable_targets(ServiceNamespace="dynamodb")
            return missing.value.response, invalid.value.response

    missing, invalid = asyncio.run(scenario())
    assert missing["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert missing["Error"]["Message"] == "No cluster found for name: nope."
    assert invalid["Error"]["Code"] == "ValidationException"


def test_standard_retries_recover_from_throttles(ecs_eks_mock, monkeypatch):
    from botocore.retries import standard
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)
    faults.inject(ecs_eks_mock, "ecs", "ListClusters", "ThrottlingException", count=2)

    async def scenario():
        config = Config(retries={"mode": "standard", "total_max_attempts": 3})
        async with client("ecs", config=config) as ecs:
            return (await ecs.list_clusters())["ResponseMetadata"]["RetryAttempts"]

    assert asyncio.run(scenario()) == 2
    assert [e["status"] for e in ecs_eks_mock.requests] == [400, 400, 200]


def test_other_services_go_through_and_the_endpoint_is_restored():
    original = AioEndpoint._do_get_response

    async def scenario():
        async with client("sqs", endpoint_url="http://127.0.0.1:9",
                          config=Config(retries={"total_max_attempts": 1})) as sqs:
            await sqs.list_queues()

    with mock_aws() as mock:
        assert AioEndpoint._do_get_response is not original
        with pytest.raises(EndpointConnectionError):
            asyncio.run(scenario())
        assert mock.requests == []
    assert AioEndpoint._do_get_response is original


def run_fresh(script: str) -> None:
    """Run ``script`` in a new interpreter (a clean ``sys.modules``), from this checkout; it must exit 0."""
    root = pathlib.Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
               AWS_DEFAULT_REGION="us-east-1")
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True,
                          env=env, cwd=root, timeout=60)
    assert done.returncode == 0, done.stderr


def test_aiobotocore_imported_only_inside_the_block_is_answered():
    run_fresh("""
        import asyncio, sys
        from emulator import mock_aws

        async def scenario():
            from aiobotocore.session import get_session
            async with get_session().create_client("ecs", region_name="us-east-1") as ecs:
                await ecs.create_cluster(clusterName="late")
                return (await ecs.list_clusters())["clusterArns"]

        with mock_aws() as mock:
            assert "aiobotocore" not in sys.modules
            arns = asyncio.run(scenario())
            assert arns == ["arn:aws:ecs:us-east-1:123456789012:cluster/late"], arns
            assert [entry["operation"] for entry in mock.requests] == ["CreateCluster", "ListClusters"]
        from aiobotocore.endpoint import AioEndpoint
        assert AioEndpoint._do_get_response.__qualname__ == "AioEndpoint._do_get_response"
        assert not [finder for finder in sys.meta_path if type(finder).__module__ == "emulator.aio"]
        with mock_aws():
            assert asyncio.run(scenario()) == ["arn:aws:ecs:us-east-1:123456789012:cluster/late"]
    """)


def test_without_aiobotocore_the_mock_works_as_before():
    run_fresh("""
        import sys
        sys.modules["aiobotocore"] = None      # as if it were not installed
        import boto3
        from emulator import mock_aws

        finders = list(sys.meta_path)
        with mock_aws():
            assert boto3.client("ecs", region_name="us-east-1").list_clusters()["clusterArns"] == []
        assert sys.meta_path == finders
    """)
