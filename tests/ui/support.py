"""What the dashboard tests share: boto3 clients of a real server and a small ECS and EKS estate."""
from __future__ import annotations

import boto3

from tests.ecs.service_support import fargate_service, web_definition
from tests.eks.cluster_support import create_cluster

ACCOUNT = "123456789012"
SCRIPT = "<script>alert(1)</script>"


def clients(server, region: str = "us-east-1", access_key: str = "testing"):
    """ECS and EKS clients of the server, as a user's code makes them."""
    kwargs = dict(endpoint_url=server.url, region_name=region, aws_access_key_id=access_key,
                  aws_secret_access_key="testing")
    return boto3.client("ecs", **kwargs), boto3.client("eks", **kwargs)


def estate(server) -> tuple:
    """On a frozen clock with realistic timings: ECS cluster ``prod`` with service ``web`` (2 tasks)
    and one task of its own, EKS cluster ``dev`` (CREATING, tagged with a script)."""
    server.clock.freeze(1_800_000_000)
    server.engine.config.set_timing("realistic")
    ecs, eks = clients(server)
    ecs.create_cluster(clusterName="prod", tags=[{"key": "team", "value": "payments"}])
    web_definition(ecs)
    fargate_service(ecs, cluster="prod", desired=2)
    ecs.run_task(cluster="prod", taskDefinition="web", launchType="FARGATE", startedBy="nightly",
                 networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-0123456789abcdef0"]}})
    create_cluster(eks, "dev", tags={"owner": SCRIPT})
    return ecs, eks

