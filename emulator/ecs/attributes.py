"""ECS attributes: PutAttributes, DeleteAttributes, ListAttributes.

Attributes are name/value pairs on container instances (the only ``targetType``). Each instance has
the built-in ones ECS gives it (``ecs.instance-type``, ``ecs.availability-zone``, ...) and at most
ten custom ones; placement constraints and ListContainerInstances filters read both.
"""
from __future__ import annotations

import re

from emulator.core.service import RequestContext
from emulator.ecs.clusters import Cluster, active_cluster
from emulator.ecs.container_instances import ContainerInstance, find_instance
from emulator.ecs.errors import AttributeLimitExceededException, InvalidParameterException, TargetNotFoundException
from emulator.ecs.indexes import SortedKeys, keyset_page
from emulator.ecs.service import ecs

MAX_CUSTOM_ATTRIBUTES = 10
TARGET_TYPE = "container-instance"

TOO_MANY_IN_CALL = "You can specify at most 10 attributes in a single call."
TOO_MANY_ON_TARGET = "The target {target} already has the maximum number of 10 custom attributes."
INVALID_NAME = ("Attribute names can contain up to 128 letters (uppercase and lowercase), numbers, hyphens, "
                "underscores, forward slashes, back slashes, or periods: {name}")
INVALID_VALUE = ("Attribute values can contain up to 128 letters (uppercase and lowercase), numbers, hyphens, "
                 "underscores, periods, at signs (@), forward slashes, back slashes, colons, or spaces, and can't "
                 "start or end with a space: {value}")
TARGET_ID_REQUIRED = "targetId can not be blank."
TARGET_TYPE_REQUIRED = "targetType must be specified when targetId is not an ARN."
TARGET_NOT_FOUND = "The specified target was not found: {target}"
VALUE_NEEDS_NAME = "attributeName must be specified when attributeValue is specified."
_NAME = re.compile(r"^[A-Za-z0-9_./\\-]{1,128}$")
_VALUE = re.compile(r"^[A-Za-z0-9_.@/\\: -]{1,128}$")


def _target(ctx: RequestContext, cluster: Cluster, attribute: dict) -> ContainerInstance:
    target = attribute.get("targetId")
    if not target:
        raise InvalidParameterException(TARGET_ID_REQUIRED)
    if not target.startswith("arn:") and attribute.get("targetType") != TARGET_TYPE:
        raise InvalidParameterException(TARGET_TYPE_REQUIRED)
    instance = find_instance(ctx, cluster, target)
    if instance is None or instance.status == "INACTIVE":
        raise TargetNotFoundException(TARGET_NOT_FOUND.format(target=target))
    return instance


def _check(attribute: dict) -> None:
    name, value = attribute["name"], attribute.get("value")
    if not _NAME.match(name):
        raise InvalidParameterException(INVALID_NAME.format(name=name))
    if value is not None and (not _VALUE.match(value) or value != value.strip(" ")):
        raise InvalidParameterException(INVALID_VALUE.format(value=value))


def _echo(attribute: dict, instance: ContainerInstance) -> dict:
    out = {"name": attribute["name"], "targetType": TARGET_TYPE, "targetId": instance.arn}
    if attribute.get("value") is not None:
        out["value"] = attribute["value"]
    return out


@ecs.operation("PutAttributes")
def put_attributes(ctx: RequestContext, params: dict) -> dict:
    cluster = active_cluster(ctx, params.get("cluster"))
    given = params["attributes"]
    if len(given) > MAX_CUSTOM_ATTRIBUTES:
        raise AttributeLimitExceededException(TOO_MANY_IN_CALL)
    changes = []
    for attribute in given:
        _check(attribute)
        changes.append((attribute, _target(ctx, cluster, attribute)))
    for instance in {id(i): i for _, i in changes}.values():
        names = instance.custom_attributes | {a["name"] for a, i in changes if i is instance}
        if len(names) > MAX_CUSTOM_ATTRIBUTES:
            raise AttributeLimitExceededException(TOO_MANY_ON_TARGET.format(target=instance.arn))
    for attribute, instance in changes:
        instance.attributes[attribute["name"]] = attribute.get("value")
        instance.custom_attributes.add(attribute["name"])
        instance.version += 1
    return {"attributes": [_echo(a, i) for a, i in changes]}


@ecs.operation("DeleteAttributes")
def delete_attributes(ctx: RequestContext, params: dict) -> dict:
    cluster = active_cluster(ctx, params.get("cluster"))
    changes = [(attribute, _target(ctx, cluster, attribute)) for attribute in params["attributes"]]
    for attribute, instance in changes:
        if attribute["name"] in instance.custom_attributes:
            instance.custom_attributes.discard(attribute["name"])
            instance.attributes.pop(attribute["name"], None)
            instance.version += 1
    return {"attributes": [_echo(a, i) for a, i in changes]}


@ecs.operation("ListAttributes")
def list_attributes(ctx: RequestContext, params: dict) -> dict:
    cluster = active_cluster(ctx, params.get("cluster"))
    name, value = params.get("attributeName"), params.get("attributeValue")
    if value is not None and name is None:
        raise InvalidParameterException(VALUE_NEEDS_NAME)
    # A cluster holds at most a few thousand instances; their (attribute, instance) pairs are read
    # once per page and the token keeps the position.
    keys = SortedKeys((attribute, instance_id) for instance_id, instance in cluster.instances.items()
                      if instance.status != "INACTIVE" for attribute, v in instance.attributes.items()
                      if (name is None or attribute == name) and (value is None or v == value))
    page, token = keyset_page(params, keys, scope=f"attributes|{cluster.name}|{name}|{value}")
    out = []
    for attribute, instance_id in page:
        instance = cluster.instances[instance_id]
        out.append(_echo({"name": attribute, "value": instance.attributes[attribute]}, instance))
    return {"attributes": out, "nextToken": token}
