"""Task placement: the cluster query language, constraints, strategies and the failure reasons."""
from collections import Counter
from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError

from emulator.ecs import placement
from emulator.ecs.errors import InvalidParameterException
from tests.ecs.task_support import describe_instance, ec2_task_definition, code_and_message, register_instance, resource


def instance(**attributes):
    defaults = {"ecs.instance-type": "t2.micro", "ecs.availability-zone": "us-east-1a"}
    defaults.update(attributes)
    return SimpleNamespace(attributes=defaults, agent_connected=True, version_info={"agentVersion": "1.80.0"},
                           ec2_instance_id="i-0123456789abcdef0", registered_at=1_700_000_000.0,
                           running_tasks_count=2, task_groups=Counter({"service:web": 1}))


def matches(expression: str, target=None) -> bool:
    return placement.compile_expression(expression)(target or instance())


# -- the cluster query language --------------------------------------------------------------------

@pytest.mark.parametrize("expression, expected", [
    ("attribute:ecs.instance-type == t2.micro", True),
    ("attribute:ecs.instance-type equals t2.micro", True),
    ("attribute:ecs.instance-type != t2.micro", False),
    ("attribute:ecs.instance-type==t2.micro", True),
    ("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", True),
    ("attribute:ecs.availability-zone not_in [us-east-1a, us-east-1b]", False),
    ("attribute:ecs.availability-zone !in [us-east-1c]", True),
    ("attribute:ecs.instance-type =~ t2.*", True),
    ("attribute:ecs.instance-type matches m5.*", False),
    ("attribute:ecs.instance-type !~ m5.*", True),
    ("attribute:ecs.instance-type exists", True),
    ("attribute:stack exists", False),
    ("attribute:stack !exists", True),
    ("attribute:stack not_exists", True),
    ("attribute:stack == prod", False),
    ("attribute:stack != prod", True),
    ("ec2InstanceId in ['i-0123456789abcdef0', 'i-0fedcba9876543210']", True),
    ("runningTasksCount > 1", True),
    ("runningTasksCount <= 1", False),
    ("runningTasksCount greater_than_equal 2", True),
    ("agentVersion >= 1.80.0", True),
    ("agentVersion < 1.9.0", False),
    ("agentConnected == true", True),
    ("registeredAt < 2024-01-01", True),
    ("registeredAt > 2023-11-14T22:13:19Z", True),
    ("task:group == service:web", True),
    ("task:group == service:db", False),
    ("not(task:group == database)", True),
    ("!(task:group == service:web)", False),
    ("attribute:ecs.instance-type == t2.micro and attribute:ecs.availability-zone == us-east-1b", False),
    ("attribute:ecs.instance-type == t2.micro && attribute:ecs.availability-zone == us-east-1a", True),
    ("attribute:ecs.instance-type == m5.large or attribute:ecs.availability-zone == us-east-1a", True),
    ("attribute:ecs.instance-type == m5.large || (runningTasksCount == 2 and not attribute:stack exists)", True),
    ('attribute:ecs.instance-type == "t2.micro"', True),
])
def test_expressions(expression, expected):
    assert matches(expression) is expected


def test_numeric_attribute_values_compare_as_numbers():
    assert matches("attribute:slots > 9", instance(slots="10"))


@pytest.mark.parametrize("expression", [
    "", "attribute:ecs.instance-type ==", "attribute:ecs.instance-type === t2", "colour == red",
    "attribute:ecs.instance-type == [a, b]", "(attribute:x == y", "attribute:x in [a, b", "task:group > 3",
    "attribute:x == y and",
])
def test_malformed_expressions_are_invalid_parameters(expression):
    with pytest.raises(InvalidParameterException) as info:
        placement.compile_expression(expression)
    assert info.value.message == placement.invalid_expression(expression)


def test_constraint_and_strategy_rules():
    with pytest.raises(InvalidParameterException) as info:
        placement.check_constraints([{"type": "distinctInstance", "expression": "x == y"}])
    assert info.value.message == placement.DISTINCT_INSTANCE_EXPRESSION
    with pytest.raises(InvalidParameterException) as info:
        placement.check_constraints([{"type": "memberOf"}])
    assert info.value.message == placement.MEMBER_OF_EXPRESSION
    with pytest.raises(InvalidParameterException) as info:
        placement.check_constraints([{"type": "distinctInstance"}] * 11)
    assert info.value.message == placement.TOO_MANY_CONSTRAINTS
    with pytest.raises(InvalidParameterException) as info:
        placement.check_strategies([{"type": "random"}] * 6)
    assert info.value.message == placement.TOO_MANY_STRATEGIES
    with pytest.raises(InvalidParameterException) as info:
        placement.check_strategies([{"type": "binpack", "field": "disk"}])
    assert info.value.message == placement.BINPACK_FIELD_REQUIRED
    with pytest.raises(InvalidParameterException) as info:
        placement.check_strategies([{"type": "spread"}])
    assert info.value.message == placement.SPREAD_FIELD_REQUIRED


# -- placement through RunTask ---------------------------------------------------------------------

@pytest.fixture
def cluster(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    return "c"


def placed_on(tasks):
    return [t["containerInstanceArn"] for t in tasks]


def test_member_of_with_an_instance_type(ecs_client, cluster):
    ec2_task_definition(ecs_client)
    register_instance(ecs_client, instance_type="m5.large")
    micro = register_instance(ecs_client, instance_type="t2.micro")["containerInstanceArn"]
    response = ecs_client.run_task(cluster="c", taskDefinition="batch", count=3, placementConstraints=[
        {"type": "memberOf", "expression": "attribute:ecs.instance-type == t2.micro"}])
    assert placed_on(response["tasks"]) == [micro] * 3


def test_member_of_with_availability_zones(ecs_client, cluster):
    ec2_task_definition(ecs_client)
    register_instance(ecs_client, zone="us-east-1c")
    b = register_instance(ecs_client, zone="us-east-1b")["containerInstanceArn"]
    response = ecs_client.run_task(cluster="c", taskDefinition="batch", count=2, placementConstraints=[
        {"type": "memberOf", "expression": "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]"}])
    assert placed_on(response["tasks"]) == [b, b]


def test_member_of_nobody_is_a_failure_per_instance(ecs_client, cluster):
    ec2_task_definition(ecs_client)
    arn = register_instance(ecs_client, instance_type="m5.large")["containerInstanceArn"]
    response = ecs_client.run_task(cluster="c", taskDefinition="batch", placementConstraints=[
        {"type": "memberOf", "expression": "attribute:ecs.instance-type == t2.micro"}])
    assert response["tasks"] == []
    assert response["failures"] == [{"arn": arn, "reason": "MemberOf placement constraint unsatisfied"}]


def test_member_of_from_the_task_definition(ecs_client, cluster):
    ec2_task_definition(ecs_client, placementConstraints=[
        {"type": "memberOf", "expression": "attribute:ecs.instance-type =~ m5.*"}])
    register_instance(ecs_client, instance_type="t2.micro")
    large = register_instance(ecs_client, instance_type="m5.large")["containerInstanceArn"]
    assert placed_on(ecs_client.run_task(cluster="c", taskDefinition="batch")["tasks"]) == [large]


def test_member_of_on_a_custom_attribute(ecs_client, cluster):
    ec2_task_definition(ecs_client)
    register_instance(ecs_client)
    gpu = register_instance(ecs_client)["containerInstanceArn"]
    ecs_client.put_attributes(cluster="c", attributes=[{"name": "stack", "value": "gpu", "targetId": gpu}])
    response = ecs_client.run_task(cluster="c", taskDefinition="batch", count=2, placementConstraints=[
        {"type": "memberOf", "expression": "attribute:stack == gpu"}])
    assert placed_on(response["tasks"]) == [gpu, gpu]


def test_distinct_instance(ecs_client, cluster):
    ec2_task_definition(ecs_client)
    arns = {register_instance(ecs_client)["containerInstanceArn"] for _ in range(2)}
    response = ecs_client.run_task(cluster="c", taskDefinition="batch", count=3,
                                   placementConstraints=[{"type": "distinctInstance"}])
    assert set(placed_on(response["tasks"])) == arns and len(response["tasks"]) == 2
    assert {f["reason"] for f in response["failures"]} == {"DistinctInstance placement constraint unsatisfied"}


def test_distinct_instance_counts_tasks_already_running_in_the_group(ecs_client, cluster):
    ec2_task_definition(ecs_client)
    register_instance(ecs_client)
    ecs_client.run_task(cluster="c", taskDefinition="batch", group="g")
    response = ecs_client.run_task(cluster="c", taskDefinition="batch", group="g",
                                   placementConstraints=[{"type": "distinctInstance"}])
    assert response["tasks"] == []


def test_binpack_on_memory_fills_the_fullest_instance_first(ecs_client, cluster):
    ec2_task_definition(ecs_client, memory=512)
    roomy = register_instance(ecs_client, memory=4096)["containerInstanceArn"]
    tight = register_instance(ecs_client, memory=1024)["containerInstanceArn"]
    response = ecs_client.run_task(cluster="c", taskDefinition="batch", count=3,
                                   placementStrategy=[{"type": "binpack", "field": "memory"}])
    assert placed_on(response["tasks"]) == [tight, tight, roomy]


def test_spread_across_availability_zones(ecs_client, cluster):
    ec2_task_definition(ecs_client)
    zones = {}
    for zone in ("us-east-1a", "us-east-1b", "us-east-1c"):
        zones[register_instance(ecs_client, zone=zone)["containerInstanceArn"]] = zone
    response = ecs_client.run_task(cluster="c", taskDefinition="batch", count=6, placementStrategy=[
        {"type": "spread", "field": "attribute:ecs.availability-zone"}])
    assert sorted(zones[a] for a in placed_on(response["tasks"])) == ["us-east-1a", "us-east-1a", "us-east-1b",
                                                                      "us-east-1b", "us-east-1c", "us-east-1c"]


def test_spread_by_instance(ecs_client, cluster):
    ec2_task_definition(ecs_client)
    arns = [register_instance(ecs_client)["containerInstanceArn"] for _ in range(2)]
    response = ecs_client.run_task(cluster="c", taskDefinition="batch", count=4,
                                   placementStrategy=[{"type": "spread", "field": "instanceId"}])
    assert sorted(placed_on(response["tasks"])) == sorted(arns * 2)


def test_random_places_somewhere_valid(ecs_client, cluster):
    ec2_task_definition(ecs_client)
    arns = {register_instance(ecs_client)["containerInstanceArn"] for _ in range(3)}
    response = ecs_client.run_task(cluster="c", taskDefinition="batch", count=5, placementStrategy=[{"type": "random"}])
    assert set(placed_on(response["tasks"])) <= arns and len(response["tasks"]) == 5


def test_not_enough_memory_is_a_failure_not_an_error(ecs_client, cluster):
    ec2_task_definition(ecs_client, memory=2048)
    arn = register_instance(ecs_client, memory=1024)["containerInstanceArn"]
    response = ecs_client.run_task(cluster="c", taskDefinition="batch")
    assert response["tasks"] == []
    assert response["failures"] == [{"arn": arn, "reason": "RESOURCE:MEMORY"}]


def test_not_enough_cpu(ecs_client, cluster):
    ec2_task_definition(ecs_client, cpu=4096)
    arn = register_instance(ecs_client, cpu=1024)["containerInstanceArn"]
    assert ecs_client.run_task(cluster="c", taskDefinition="batch")["failures"] == [
        {"arn": arn, "reason": "RESOURCE:CPU"}]


def test_static_host_port_taken(ecs_client, cluster):
    ec2_task_definition(ecs_client, port_mappings=[{"containerPort": 80, "hostPort": 8080}])
    arn = register_instance(ecs_client)["containerInstanceArn"]
    response = ecs_client.run_task(cluster="c", taskDefinition="batch", count=2)
    assert len(response["tasks"]) == 1
    assert response["failures"] == [{"arn": arn, "reason": "RESOURCE:PORTS"}]


def test_reserved_agent_port(ecs_client, cluster):
    ec2_task_definition(ecs_client, port_mappings=[{"containerPort": 22, "hostPort": 22}])
    arn = register_instance(ecs_client)["containerInstanceArn"]
    assert ecs_client.run_task(cluster="c", taskDefinition="batch")["failures"] == [
        {"arn": arn, "reason": "RESOURCE:PORTS"}]


def test_partial_placement_returns_tasks_and_failures(ecs_client, cluster):
    ec2_task_definition(ecs_client, memory=512)
    arn = register_instance(ecs_client, memory=1024)["containerInstanceArn"]
    response = ecs_client.run_task(cluster="c", taskDefinition="batch", count=3)
    assert len(response["tasks"]) == 2
    assert response["failures"] == [{"arn": arn, "reason": "RESOURCE:MEMORY"}]


def test_remaining_resources_reflect_placed_tasks_and_static_ports(ecs_client, cluster):
    ec2_task_definition(ecs_client, cpu=256, memory=300,
                        port_mappings=[{"containerPort": 80, "hostPort": 8080}, {"containerPort": 81}])
    arn = register_instance(ecs_client, cpu=2048, memory=4096)["containerInstanceArn"]
    task = ecs_client.run_task(cluster="c", taskDefinition="batch")["tasks"][0]
    seen = describe_instance(ecs_client, arn)
    assert resource(seen, "CPU") == 1792 and resource(seen, "MEMORY") == 3796
    assert "8080" in resource(seen, "PORTS")
    assert (seen["pendingTasksCount"] + seen["runningTasksCount"]) == 1
    bindings = ecs_client.describe_tasks(cluster="c", tasks=[task["taskArn"]])["tasks"][0]["containers"][0][
        "networkBindings"]
    assert bindings[0] == {"bindIP": "0.0.0.0", "containerPort": 80, "hostPort": 8080, "protocol": "tcp"}
    assert bindings[1]["containerPort"] == 81 and bindings[1]["hostPort"] >= 49153


def test_dynamic_host_ports_do_not_collide(ecs_client, cluster):
    ec2_task_definition(ecs_client, port_mappings=[{"containerPort": 80, "hostPort": 0}])
    register_instance(ecs_client)
    arns = [t["taskArn"] for t in ecs_client.run_task(cluster="c", taskDefinition="batch", count=5)["tasks"]]
    tasks = ecs_client.describe_tasks(cluster="c", tasks=arns)["tasks"]
    ports = [t["containers"][0]["networkBindings"][0]["hostPort"] for t in tasks]
    assert len(set(ports)) == 5


def test_host_network_mode_uses_the_container_port_on_the_host(ecs_client, cluster):
    ecs_client.register_task_definition(family="host", networkMode="host", containerDefinitions=[
        {"name": "app", "image": "nginx", "memory": 128, "portMappings": [{"containerPort": 9000}]}])
    arn = register_instance(ecs_client)["containerInstanceArn"]
    response = ecs_client.run_task(cluster="c", taskDefinition="host", count=2)
    assert len(response["tasks"]) == 1 and response["failures"] == [{"arn": arn, "reason": "RESOURCE:PORTS"}]


def test_awsvpc_tasks_are_limited_by_the_instance_enis(ecs_client, cluster):
    ecs_client.register_task_definition(family="vpc", networkMode="awsvpc", containerDefinitions=[
        {"name": "app", "image": "nginx", "memory": 64}])
    arn = register_instance(ecs_client, instance_type="t2.micro")["containerInstanceArn"]   # 2 ENIs: 1 for tasks
    response = ecs_client.run_task(cluster="c", taskDefinition="vpc", count=2, networkConfiguration={
        "awsvpcConfiguration": {"subnets": ["subnet-0123456789abcdef0"]}})
    assert len(response["tasks"]) == 1
    assert response["failures"] == [{"arn": arn, "reason": "RESOURCE:ENI"}]


def test_resources_come_back_when_the_task_stops(ecs_client, cluster):
    ec2_task_definition(ecs_client, memory=1024, port_mappings=[{"containerPort": 80, "hostPort": 8080}])
    register_instance(ecs_client, memory=1024)
    first = ecs_client.run_task(cluster="c", taskDefinition="batch")["tasks"][0]["taskArn"]
    assert ecs_client.run_task(cluster="c", taskDefinition="batch")["tasks"] == []
    ecs_client.stop_task(cluster="c", task=first)
    ecs_client.describe_tasks(cluster="c", tasks=[first])
    assert len(ecs_client.run_task(cluster="c", taskDefinition="batch")["tasks"]) == 1


def test_invalid_constraint_expression_on_run_task(ecs_client, cluster):
    ec2_task_definition(ecs_client)
    register_instance(ecs_client)
    with pytest.raises(ClientError) as info:
        ecs_client.run_task(cluster="c", taskDefinition="batch", placementConstraints=[
            {"type": "memberOf", "expression": "attribute:ecs.instance-type = t2.micro"}])
    assert code_and_message(info) == ("InvalidParameterException",
                              placement.invalid_expression("attribute:ecs.instance-type = t2.micro"))


def test_external_launch_type_goes_to_managed_instances(ecs_client, cluster):
    ec2_task_definition(ecs_client)
    register_instance(ecs_client)
    external = ecs_client.register_container_instance(
        cluster="c", instanceIdentityDocument='{"instanceId": "mi-0123456789abcdef0"}')["containerInstance"]
    task = ecs_client.run_task(cluster="c", taskDefinition="batch", launchType="EXTERNAL")["tasks"][0]
    assert task["containerInstanceArn"] == external["containerInstanceArn"] and task["launchType"] == "EXTERNAL"
