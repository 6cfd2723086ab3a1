"""The AWS CLI drives a whole EKS cluster's life against the standalone server."""
from tests.cli.support import aws, requires_aws_cli

ROLE = "arn:aws:iam::123456789012:role/eks-cluster"
NODE_ROLE = "arn:aws:iam::123456789012:role/eks-node"
POD_ROLE = "arn:aws:iam::123456789012:role/eks-pods"
SUBNETS = "subnet-0a1b2c3d4e5f60718,subnet-0f9e8d7c6b5a40312"


@requires_aws_cli
def test_cluster_nodegroup_fargate_addon_upgrade_and_teardown(emulator_server, tmp_path):
    created = aws(emulator_server, "eks", "create-cluster", "--name", "demo", "--kubernetes-version", "1.35",
                  "--role-arn", ROLE, "--resources-vpc-config", f"subnetIds={SUBNETS}")
    assert created["cluster"]["status"] == "CREATING"
    aws(emulator_server, "eks", "wait", "cluster-active", "--name", "demo")

    kubeconfig = tmp_path / "kubeconfig"
    aws(emulator_server, "eks", "update-kubeconfig", "--name", "demo", "--kubeconfig", str(kubeconfig))
    cluster = aws(emulator_server, "eks", "describe-cluster", "--name", "demo")["cluster"]
    text = kubeconfig.read_text()
    assert f"server: {cluster['endpoint']}" in text
    assert cluster["certificateAuthority"]["data"] in text
    assert cluster["arn"] in text

    ng = aws(emulator_server, "eks", "create-nodegroup", "--cluster-name", "demo", "--nodegroup-name", "workers",
             "--node-role", NODE_ROLE, "--subnets", *SUBNETS.split(","),
             "--scaling-config", "minSize=1,maxSize=3,desiredSize=2")["nodegroup"]
    assert ng["status"] == "CREATING"
    aws(emulator_server, "eks", "wait", "nodegroup-active", "--cluster-name", "demo", "--nodegroup-name", "workers")

    profile = aws(emulator_server, "eks", "create-fargate-profile", "--cluster-name", "demo",
                  "--fargate-profile-name", "jobs", "--pod-execution-role-arn", POD_ROLE,
                  "--selectors", "namespace=jobs")["fargateProfile"]
    assert profile["status"] == "CREATING"
    aws(emulator_server, "eks", "wait", "fargate-profile-active", "--cluster-name", "demo",
        "--fargate-profile-name", "jobs")

    addon = aws(emulator_server, "eks", "create-addon", "--cluster-name", "demo", "--addon-name", "vpc-cni")["addon"]
    assert addon["status"] == "CREATING"
    aws(emulator_server, "eks", "wait", "addon-active", "--cluster-name", "demo", "--addon-name", "vpc-cni")

    # nodegroups must match the control plane before it moves; the upgrade then runs as an Update
    update = aws(emulator_server, "eks", "update-cluster-version", "--name", "demo",
                 "--kubernetes-version", "1.36")["update"]
    assert update["status"] == "InProgress" and update["type"] == "VersionUpdate"
    described = aws(emulator_server, "eks", "describe-update", "--name", "demo", "--update-id", update["id"])
    assert described["update"]["status"] == "Successful"
    assert aws(emulator_server, "eks", "describe-cluster", "--name", "demo")["cluster"]["version"] == "1.36"

    assert aws(emulator_server, "eks", "delete-addon", "--cluster-name", "demo",
               "--addon-name", "vpc-cni")["addon"]["status"] == "DELETING"
    aws(emulator_server, "eks", "wait", "addon-deleted", "--cluster-name", "demo", "--addon-name", "vpc-cni")
    assert aws(emulator_server, "eks", "delete-fargate-profile", "--cluster-name", "demo",
               "--fargate-profile-name", "jobs")["fargateProfile"]["status"] == "DELETING"
    aws(emulator_server, "eks", "wait", "fargate-profile-deleted", "--cluster-name", "demo",
        "--fargate-profile-name", "jobs")
    assert aws(emulator_server, "eks", "delete-nodegroup", "--cluster-name", "demo",
               "--nodegroup-name", "workers")["nodegroup"]["status"] == "DELETING"
    aws(emulator_server, "eks", "wait", "nodegroup-deleted", "--cluster-name", "demo", "--nodegroup-name", "workers")
    assert aws(emulator_server, "eks", "delete-cluster", "--name", "demo")["cluster"]["status"] == "DELETING"
    aws(emulator_server, "eks", "wait", "cluster-deleted", "--name", "demo")
    assert aws(emulator_server, "eks", "list-clusters")["clusters"] == []
