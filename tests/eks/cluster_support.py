"""Helpers for EKS tests: a valid cluster/nodegroup/profile request, and error assertions."""
import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
CLUSTER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/eks-cluster"
NODE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/eks-node"
POD_ROLE = f"arn:aws:iam::{ACCOUNT}:role/eks-fargate-pods"
SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]


def create_cluster(client, name="prod", **overrides):
    request = {"name": name, "roleArn": CLUSTER_ROLE, "resourcesVpcConfig": {"subnetIds": list(SUBNETS)}}
    request.update(overrides)
    return client.create_cluster(**request)["cluster"]


def create_nodegroup(client, cluster="prod", name="ng", **overrides):
    request = {"clusterName": cluster, "nodegroupName": name, "subnets": list(SUBNETS), "nodeRole": NODE_ROLE}
    request.update(overrides)
    return client.create_nodegroup(**request)["nodegroup"]


def create_profile(client, cluster="prod", name="fp", **overrides):
    request = {"clusterName": cluster, "fargateProfileName": name, "podExecutionRoleArn": POD_ROLE,
               "selectors": [{"namespace": "default"}]}
    request.update(overrides)
    return client.create_fargate_profile(**request)["fargateProfile"]


def error_of(call, *args, **kwargs) -> dict:
    """The error response of a call that must fail."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    return info.value.response


def assert_error(response: dict, code: str, message: str, status: int, **context) -> None:
    assert response["Error"]["Code"] == code
    assert response["Error"]["Message"] == message
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    for member, value in context.items():
        assert response.get(member) == value, member
