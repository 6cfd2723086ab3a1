"""PutAttributes, DeleteAttributes, ListAttributes on container instances."""
import pytest
from botocore.exceptions import ClientError

from emulator.ecs import attributes
from tests.ecs.task_support import describe_instance, code_and_message, register_instance


@pytest.fixture
def instance(ecs_client):
    ecs_client.create_cluster(clusterName="c")
    return register_instance(ecs_client)["containerInstanceArn"]


def test_put_by_arn_and_by_id(ecs_client, instance):
    response = ecs_client.put_attributes(cluster="c", attributes=[
        {"name": "stack", "value": "prod", "targetId": instance},
        {"name": "tier", "value": "web", "targetType": "container-instance", "targetId": instance.rsplit("/", 1)[1]}])
    assert response["attributes"] == [
        {"name": "stack", "value": "prod", "targetType": "container-instance", "targetId": instance},
        {"name": "tier", "value": "web", "targetType": "container-instance", "targetId": instance}]
    found = {a["name"]: a.get("value") for a in describe_instance(ecs_client, instance)["attributes"]}
    assert found["stack"] == "prod" and found["tier"] == "web"


def test_short_id_needs_a_target_type(ecs_client, instance):
    with pytest.raises(ClientError) as info:
        ecs_client.put_attributes(cluster="c", attributes=[{"name": "a", "value": "b",
                                                            "targetId": instance.rsplit("/", 1)[1]}])
    assert code_and_message(info) == ("InvalidParameterException", attributes.TARGET_TYPE_REQUIRED)


def test_unknown_target(ecs_client, instance):
    missing = "arn:aws:ecs:us-east-1:123456789012:container-instance/c/0123456789abcdef0123456789abcdef"
    with pytest.raises(ClientError) as info:
        ecs_client.put_attributes(cluster="c", attributes=[{"name": "a", "value": "b", "targetId": missing}])
    assert code_and_message(info) == ("TargetNotFoundException", attributes.TARGET_NOT_FOUND.format(target=missing))


def test_more_than_10_in_a_call(ecs_client, instance):
    with pytest.raises(ClientError) as info:
        ecs_client.put_attributes(cluster="c", attributes=[{"name": f"a{i}", "value": "b", "targetId": instance}
                                                           for i in range(11)])
    assert code_and_message(info) == ("AttributeLimitExceededException", attributes.TOO_MANY_IN_CALL)


def test_more_than_10_custom_attributes_on_an_instance(ecs_client, instance):
    ecs_client.put_attributes(cluster="c", attributes=[{"name": f"a{i}", "value": "b", "targetId": instance}
                                                       for i in range(10)])
    ecs_client.put_attributes(cluster="c", attributes=[{"name": "a0", "value": "again", "targetId": instance}])
    with pytest.raises(ClientError) as info:
        ecs_client.put_attributes(cluster="c", attributes=[{"name": "one-more", "value": "b", "targetId": instance}])
    assert code_and_message(info) == ("AttributeLimitExceededException", attributes.TOO_MANY_ON_TARGET.format(target=instance))


@pytest.mark.parametrize("name, value", [("bad name", "v"), ("x" * 129, "v"), ("ok", " leading"), ("ok", "a|b")])
def test_invalid_names_and_values(ecs_client, instance, name, value):
    with pytest.raises(ClientError) as info:
        ecs_client.put_attributes(cluster="c", attributes=[{"name": name, "value": value, "targetId": instance}])
    assert code_and_message(info)[0] == "InvalidParameterException"


def test_put_on_missing_cluster(ecs_client):
    with pytest.raises(ClientError) as info:
        ecs_client.put_attributes(cluster="nope", attributes=[{"name": "a", "value": "b", "targetId": "x"}])
    assert code_and_message(info) == ("ClusterNotFoundException", "Cluster not found.")


def test_delete(ecs_client, instance):
    ecs_client.put_attributes(cluster="c", attributes=[{"name": "stack", "value": "prod", "targetId": instance}])
    response = ecs_client.delete_attributes(cluster="c", attributes=[{"name": "stack", "targetId": instance}])
    assert response["attributes"] == [{"name": "stack", "targetType": "container-instance", "targetId": instance}]
    assert "stack" not in {a["name"] for a in describe_instance(ecs_client, instance)["attributes"]}


def test_list_by_name_and_value(ecs_client, instance):
    other = register_instance(ecs_client)["containerInstanceArn"]
    ecs_client.put_attributes(cluster="c", attributes=[{"name": "stack", "value": "prod", "targetId": instance},
                                                       {"name": "stack", "value": "dev", "targetId": other}])
    listed = ecs_client.list_attributes(cluster="c", targetType="container-instance", attributeName="stack")
    assert sorted(a["targetId"] for a in listed["attributes"]) == sorted([instance, other])
    prod = ecs_client.list_attributes(cluster="c", targetType="container-instance", attributeName="stack",
                                      attributeValue="prod")["attributes"]
    assert prod == [{"name": "stack", "value": "prod", "targetType": "container-instance", "targetId": instance}]


def test_list_includes_built_in_attributes_and_paginates(ecs_client, instance):
    pages = list(ecs_client.get_paginator("list_attributes").paginate(
        cluster="c", targetType="container-instance", PaginationConfig={"PageSize": 2}))
    names = [a["name"] for p in pages for a in p["attributes"]]
    assert "ecs.instance-type" in names and len(names) == len(set(names))
    assert all(len(p["attributes"]) <= 2 for p in pages)


def test_list_value_without_name(ecs_client, instance):
    with pytest.raises(ClientError) as info:
        ecs_client.list_attributes(cluster="c", targetType="container-instance", attributeValue="prod")
    assert code_and_message(info) == ("InvalidParameterException", attributes.VALUE_NEEDS_NAME)
