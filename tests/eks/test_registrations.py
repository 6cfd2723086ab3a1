"""RegisterCluster / DeregisterCluster: connected clusters in the cluster name space."""
import datetime
import re

import pytest

from emulator.eks import clusters, registrations
from emulator.eks.cluster_config import INVALID_ROLE_ARN
from emulator.eks.common import CLUSTER_NOT_ACTIVE
from emulator.eks.service import INVALID_NAME_MESSAGE
from tests.eks.cluster_support import assert_error, create_cluster, create_nodegroup, error_of

ROLE = "arn:aws:iam::123456789012:role/eks-connector"


def register(client, name="conn", **overrides):
    request = {"name": name, "connectorConfig": {"roleArn": ROLE, "provider": "OTHER"}}
    request.update(overrides)
    return client.register_cluster(**request)["cluster"]


def test_register_returns_a_pending_cluster_with_activation(eks_client, ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    cluster = register(eks_client, tags={"env": "lab"})
    assert cluster["name"] == "conn" and cluster["arn"] == "arn:aws:eks:us-east-1:123456789012:cluster/conn"
    assert cluster["status"] == "PENDING"
    connector = cluster["connectorConfig"]
    assert connector["provider"] == "OTHER" and connector["roleArn"] == ROLE
    assert re.fullmatch(r"[0-9a-f-]{36}", connector["activationId"])
    assert len(connector["activationCode"]) >= 20
    assert connector["activationExpiry"] - cluster["createdAt"] == datetime.timedelta(days=3)
    assert cluster["tags"] == {"env": "lab"}
    assert "endpoint" not in cluster and "version" not in cluster and "certificateAuthority" not in cluster
    assert eks_client.describe_cluster(name="conn")["cluster"]["status"] == "PENDING"


def test_name_shared_with_eks_clusters(eks_client):
    create_cluster(eks_client, "taken")
    assert_error(error_of(register, eks_client, "taken"), "ResourceInUseException",
                 "Cluster already exists with name: taken", 409, clusterName="taken")
    register(eks_client, "conn")
    assert_error(error_of(create_cluster, eks_client, "conn"), "ResourceInUseException",
                 "Cluster already exists with name: conn", 409, clusterName="conn")


def test_name_pattern(eks_client):
    assert_error(error_of(register, eks_client, "bad/name"), "InvalidParameterException",
                 INVALID_NAME_MESSAGE.format(member="name"), 400)


def test_role_must_be_a_role(eks_client):
    response = error_of(register, eks_client, connectorConfig={"roleArn": "nope", "provider": "GKE"})
    assert_error(response, "InvalidParameterException", INVALID_ROLE_ARN.format(arn="nope"), 400, clusterName="conn")


def test_at_most_ten_registered_clusters(eks_client):
    for i in range(10):
        register(eks_client, f"conn{i}")
    assert_error(error_of(register, eks_client, "conn10"), "ResourceLimitExceededException",
                 registrations.TOO_MANY_REGISTERED.format(name="conn10"), 400)


def test_same_token_returns_the_same_registration(eks_client):
    first = register(eks_client, clientRequestToken="t")
    again = register(eks_client, clientRequestToken="t")
    assert again["connectorConfig"]["activationId"] == first["connectorConfig"]["activationId"]


def test_deregister_then_gone(eks_client, ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.cluster.deregister": 60})
    register(eks_client)
    assert eks_client.deregister_cluster(name="conn")["cluster"]["status"] == "DELETING"
    assert eks_client.list_clusters(include=["all"])["clusters"] == ["conn"]
    ecs_eks_mock.clock.advance(60)
    assert eks_client.list_clusters(include=["all"])["clusters"] == []
    assert_error(error_of(eks_client.describe_cluster, name="conn"), "ResourceNotFoundException",
                 "No cluster found for name: conn.", 404)


def test_deregister_is_not_for_eks_clusters(eks_client):
    create_cluster(eks_client)
    assert_error(error_of(eks_client.deregister_cluster, name="prod"), "ResourceNotFoundException",
                 "No cluster found for name: prod.", 404, clusterName="prod")
    assert_error(error_of(eks_client.deregister_cluster, name="ghost"), "ResourceNotFoundException",
                 "No cluster found for name: ghost.", 404)


def test_delete_cluster_is_not_for_registered_clusters(eks_client):
    register(eks_client)
    assert_error(error_of(eks_client.delete_cluster, name="conn"), "InvalidRequestException",
                 clusters.REGISTERED_CLUSTER_DELETE.format(name="conn"), 400, clusterName="conn")


def test_registered_cluster_takes_no_children_or_updates(eks_client):
    register(eks_client)
    not_active = CLUSTER_NOT_ACTIVE.format(name="conn")
    assert_error(error_of(create_nodegroup, eks_client, cluster="conn"), "InvalidRequestException", not_active, 400)
    assert_error(error_of(eks_client.update_cluster_config, name="conn", deletionProtection=True),
                 "InvalidRequestException", not_active, 400)


@pytest.mark.parametrize("provider", ["EKS_ANYWHERE", "ANTHOS", "GKE", "AKS", "OPENSHIFT", "TANZU", "RANCHER",
                                      "EC2", "OTHER"])
def test_every_provider(eks_client, provider):
    cluster = register(eks_client, connectorConfig={"roleArn": ROLE, "provider": provider})
    assert cluster["connectorConfig"]["provider"] == provider
