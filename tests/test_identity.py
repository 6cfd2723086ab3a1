"""Account and region come from the request's signature; each pair has its own state."""
import boto3

from emulator import mock_aws
from emulator.config import Config
from emulator.core import identity


def client(service, region="us-east-1", key="testing"):
    return boto3.client(service, region_name=region, aws_access_key_id=key, aws_secret_access_key="s")


def test_regions_are_isolated(ecs_eks_mock):
    east, west = client("ecs"), client("ecs", "eu-west-1")
    east.create_cluster(clusterName="only-east")
    assert west.list_clusters()["clusterArns"] == []
    arn = west.create_cluster(clusterName="w")["cluster"]["clusterArn"]
    assert arn == "arn:aws:ecs:eu-west-1:123456789012:cluster/w"
    assert [a.rsplit("/", 1)[1] for a in east.list_clusters()["clusterArns"]] == ["only-east"]


def test_region_sets_the_partition(ecs_eks_mock):
    arn = client("ecs", "cn-north-1").create_cluster(clusterName="c")["cluster"]["clusterArn"]
    assert arn == "arn:aws-cn:ecs:cn-north-1:123456789012:cluster/c"


def test_mapped_access_keys_are_separate_accounts():
    with mock_aws(config=Config(accounts={"AKIAALICE": "111111111111", "AKIABOB": "222222222222"})):
        alice, bob = client("eks", key="AKIAALICE"), client("eks", key="AKIABOB")
        vpc = {"subnetIds": ["subnet-0a1b2c3d4e5f60718", "subnet-0f9e8d7c6b5a40312"]}
        created = alice.create_cluster(name="c", roleArn="arn:aws:iam::111111111111:role/eks",
                                       resourcesVpcConfig=vpc)["cluster"]
        assert created["arn"] == "arn:aws:eks:us-east-1:111111111111:cluster/c"
        assert bob.list_clusters()["clusters"] == []
        assert client("eks", key="unmapped").list_clusters()["clusters"] == []


def test_twelve_digit_access_key_is_its_own_account(ecs_eks_mock):
    arn = client("ecs", key="444455556666").create_cluster(clusterName="c")["cluster"]["clusterArn"]
    assert arn == "arn:aws:ecs:us-east-1:444455556666:cluster/c"


def test_account_mapping_from_the_environment():
    config = Config.from_env({"EMULATOR_ACCOUNTS": "AKIA1=111111111111, AKIA2=222222222222",
                              "EMULATOR_ACCOUNT_ID": "999999999999"})
    assert config.account_for("AKIA2") == "222222222222"
    assert config.account_for("other") == "999999999999"
    assert config.account_for(None) == "999999999999"


def test_region_and_key_from_the_credential_scope():
    headers = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKIAX/20261127/ap-south-1/eks/aws4_request, "
                                "SignedHeaders=host, Signature=abc"}
    assert identity.from_headers(headers) == identity.Identity("AKIAX", "ap-south-1", "eks")
    assert identity.from_headers({}).region == "us-east-1"
    query = "X-Amz-Credential=AKIAY%2F20261127%2Feu-north-1%2Fecs%2Faws4_request&X-Amz-Signature=x"
    assert identity.from_headers({}, query) == identity.Identity("AKIAY", "eu-north-1", "ecs")

