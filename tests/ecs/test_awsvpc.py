"""awsvpc tasks: the ENI attachment, its addresses from per-subnet pools, and its states."""
import ipaddress
import re

import pytest

from emulator.ecs import networking
from tests.ecs.task_support import AWSVPC, OTHER_SUBNET, SUBNET, describe_task, fargate_cluster, run_fargate


def details(task: dict) -> dict:
    return {d["name"]: d["value"] for d in task["attachments"][0]["details"]}


def test_running_task_attachment_details(ecs_client):
    fargate_cluster(ecs_client)
    task = describe_task(ecs_client, run_fargate(ecs_client)[0]["taskArn"])
    attachment = task["attachments"][0]
    assert attachment["type"] == "ElasticNetworkInterface" and attachment["status"] == "ATTACHED"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", attachment["id"])
    found = details(task)
    assert found["subnetId"] == SUBNET
    assert re.fullmatch(r"eni-[0-9a-f]{17}", found["networkInterfaceId"])
    assert re.fullmatch(r"0[26ae](:[0-9a-f]{2}){5}", found["macAddress"])     # locally administered unicast
    address = ipaddress.IPv4Address(found["privateIPv4Address"])
    assert address in networking.subnet_cidr(SUBNET)
    assert found["privateDnsName"] == f"ip-{str(address).replace('.', '-')}.ec2.internal"
    assert "publicIPv4Address" not in found
    container = task["containers"][0]
    assert container["networkInterfaces"] == [{"attachmentId": attachment["id"],
                                               "privateIpv4Address": str(address)}]
    assert container["networkBindings"] == []


def test_private_dns_name_outside_us_east_1(ecs_eks_mock):
    import boto3
    client = boto3.client("ecs", region_name="eu-west-1")
    fargate_cluster(client)
    found = details(describe_task(client, run_fargate(client)[0]["taskArn"]))
    assert found["privateDnsName"].endswith(".eu-west-1.compute.internal")


def test_subnet_cidr_is_deterministic_and_a_slash_20():
    cidr = networking.subnet_cidr(SUBNET)
    assert cidr == networking.subnet_cidr(SUBNET)
    assert cidr.prefixlen == 20 and cidr.subnet_of(ipaddress.IPv4Network("10.0.0.0/8"))


def test_addresses_never_collide_within_a_subnet(ecs_client):
    fargate_cluster(ecs_client)
    arns = [t["taskArn"] for _ in range(5) for t in run_fargate(ecs_client, count=10)]
    tasks = ecs_client.describe_tasks(cluster="c", tasks=arns)["tasks"]
    addresses = [details(t)["privateIPv4Address"] for t in tasks]
    assert len(set(addresses)) == 50
    assert len({details(t)["networkInterfaceId"] for t in tasks}) == 50


def test_first_four_addresses_of_the_subnet_are_reserved(ecs_client):
    fargate_cluster(ecs_client)
    found = details(describe_task(ecs_client, run_fargate(ecs_client)[0]["taskArn"]))
    network = networking.subnet_cidr(SUBNET)
    assert ipaddress.IPv4Address(found["privateIPv4Address"]) == network.network_address + 4


def test_the_address_returns_to_the_pool_when_the_task_stops(ecs_client, ecs_eks_mock):
    fargate_cluster(ecs_client)
    arn = run_fargate(ecs_client)[0]["taskArn"]
    ecs_client.stop_task(cluster="c", task=arn)
    describe_task(ecs_client, arn)
    pool = ecs_eks_mock.engine.store("ecs").subnet_pools[SUBNET]
    assert pool.in_use == 0


def test_a_full_subnet_reuses_released_addresses():
    pool = networking.SubnetPool(SUBNET)
    given = [pool.allocate() for _ in range(4096 - 5)]
    assert len(set(given)) == len(given)
    with pytest.raises(networking.SubnetExhausted):
        pool.allocate()
    pool.release(given[10])
    assert pool.allocate() == given[10]


def test_tasks_spread_over_the_given_subnets(ecs_client):
    fargate_cluster(ecs_client)
    network = {"awsvpcConfiguration": {"subnets": [SUBNET, OTHER_SUBNET]}}
    arns = [t["taskArn"] for _ in range(4) for t in run_fargate(ecs_client, count=10, networkConfiguration=network)]
    tasks = ecs_client.describe_tasks(cluster="c", tasks=arns)["tasks"]
    for task in tasks:
        found = details(task)
        assert ipaddress.IPv4Address(found["privateIPv4Address"]) in networking.subnet_cidr(found["subnetId"])
        assert task["availabilityZone"] == networking.availability_zone("us-east-1", found["subnetId"])
    assert {details(t)["subnetId"] for t in tasks} == {SUBNET, OTHER_SUBNET}


def test_public_ip_when_assign_public_ip_is_enabled(ecs_client):
    fargate_cluster(ecs_client)
    network = {"awsvpcConfiguration": {"subnets": [SUBNET], "assignPublicIp": "ENABLED"}}
    found = details(describe_task(ecs_client, run_fargate(ecs_client, networkConfiguration=network)[0]["taskArn"]))
    address = ipaddress.IPv4Address(found["publicIPv4Address"])
    assert not address.is_private


def test_eni_states_follow_the_task(ecs_client, ecs_eks_mock):
    ecs_eks_mock.config.set_timing("realistic")
    ecs_eks_mock.clock.freeze(1_700_000_000.0)
    fargate_cluster(ecs_client)
    task = run_fargate(ecs_client)[0]
    arn = task["taskArn"]
    assert task["attachments"][0]["status"] == "PRECREATED"
    assert [d["name"] for d in task["attachments"][0]["details"]] == ["subnetId"]
    seen = []
    for seconds in (10, 20, 5):
        ecs_eks_mock.clock.advance(seconds)
        seen.append(describe_task(ecs_client, arn)["attachments"][0]["status"])
    ecs_client.stop_task(cluster="c", task=arn)
    for seconds in (0, 5, 10, 15):
        ecs_eks_mock.clock.advance(seconds)
        seen.append(describe_task(ecs_client, arn)["attachments"][0]["status"])
    assert seen == ["ATTACHED", "ATTACHED", "ATTACHED", "ATTACHED", "ATTACHED", "DETACHED", "DELETED"]


def test_short_hex_ids_are_accepted_as_well_formed(ecs_client):
    fargate_cluster(ecs_client)
    network = {"awsvpcConfiguration": {"subnets": ["subnet-abc123"], "securityGroups": ["sg-12345678"]}}
    assert run_fargate(ecs_client, networkConfiguration=network)[0]["attachments"][0]["details"][0]["value"] == \
        "subnet-abc123"


def test_more_than_5_security_groups(ecs_client):
    from botocore.exceptions import ClientError
    fargate_cluster(ecs_client)
    network = {"awsvpcConfiguration": {"subnets": [SUBNET], "securityGroups": [f"sg-{i:08x}" for i in range(6)]}}
    with pytest.raises(ClientError) as info:
        ecs_client.run_task(cluster="c", taskDefinition="web", launchType="FARGATE", networkConfiguration=network)
    assert info.value.response["Error"]["Message"] == networking.TOO_MANY_SECURITY_GROUPS


def test_ec2_awsvpc_task_gets_an_eni_and_the_instance_zone(ecs_client):
    from tests.ecs.task_support import register_instance
    ecs_client.create_cluster(clusterName="c")
    ecs_client.register_task_definition(family="vpc", networkMode="awsvpc", containerDefinitions=[
        {"name": "app", "image": "nginx", "memory": 64}])
    register_instance(ecs_client, instance_type="m5.xlarge", zone="us-east-1c")
    task = ecs_client.run_task(cluster="c", taskDefinition="vpc", networkConfiguration=AWSVPC)["tasks"][0]
    task = describe_task(ecs_client, task["taskArn"])
    assert task["availabilityZone"] == "us-east-1c" and details(task)["subnetId"] == SUBNET
