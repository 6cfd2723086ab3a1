"""ECS tags: TagResource, UntagResource, ListTagsForResource, and the rules every tag list obeys.

Tagging reaches a resource through a small registry keyed by the resource type of its ARN
(``arn:aws:ecs:<region>:<account>:<resource-type>/...``). Each resource module registers how to
find its resources::

    from emulator.ecs.tags import taggable

    @taggable("task-definition")
    def task_definition_for_tags(ctx, arn):
        # Return the object named by ``arn`` -- anything with a ``tags: dict[str, str]`` attribute --
        # or raise the error AWS gives for an unknown one (ResourceNotFoundException, or
        # ClusterNotFoundException when the ARN names a missing cluster).
        ...

    @taggable("task", guard=refuse_stopped)
    def task_for_tags(ctx, arn): ...

``guard(obj)``, when given, runs before TagResource/UntagResource change the tags and raises when
they may not change (e.g. a stopped task: ``InvalidParameterException(TASK_STOPPED)``);
ListTagsForResource does not call it. ``long_arn_segments`` (default 1) is how many ``/``-separated
parts follow the resource type in the long ARN format (2 for services, tasks and container
instances: ``service/<cluster>/<name>``); a shorter ARN is a legacy short ARN, refused with
``LONG_ARN_REQUIRED``.

The registry gets the whole ARN after its partition, service, region and account were checked
against the caller's (an ARN of another Region or account is ResourceNotFoundException). Tag lists
given at creation (CreateCluster, RegisterTaskDefinition, ...) go through :func:`tags_from_request`,
so they obey the same rules as TagResource.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Callable

from emulator.core import arns
from emulator.core.service import RequestContext
from emulator.ecs.clusters import CLUSTER_INACTIVE, CLUSTER_NOT_FOUND, find_cluster
from emulator.ecs.common import tags_out
from emulator.ecs.errors import (ClusterNotFoundException, InvalidParameterException, LimitExceededException,
                                ResourceNotFoundException)
from emulator.ecs.service import ecs

MAX_TAGS = 50
INVALID_ARN = "The ARN provided is invalid."
LONG_ARN_REQUIRED = "Long arn format must be used for tagging operations"
TASK_STOPPED = "The specified task is stopped. Specify a running task and try again."
RESOURCE_NOT_FOUND = "The specified resource could not be found."
TOO_MANY_TAGS = "Failed to tag resource. Exceeded the maximum number of tags of 50 per resource."
RESERVED_PREFIX = "Tag keys and values beginning with 'aws:' are reserved for AWS use."
INVALID_TAG_KEY = ("Tag key contains invalid characters. Tag keys may only contain letters, numbers, spaces and "
                   "the following characters: _ . : / = + - @")
INVALID_TAG_VALUE = ("Tag value contains invalid characters. Tag values may only contain letters, numbers, spaces "
                     "and the following characters: _ . : / = + - @")
DUPLICATE_TAG_KEY = "Duplicate tag keys are not allowed."
EMPTY_TAG_KEY = "Tag keys must not be empty."

# [\p{L}\p{Z}\p{N}_.:/=+\-@]*: letters, separators and numbers of any script, and a few marks.
_EXTRA_TAG_CHARACTERS = frozenset("_.:/=+-@")


@dataclass(frozen=True)
class Taggable:
    """How TagResource, UntagResource and ListTagsForResource reach one type of resource."""
    finder: Callable[[RequestContext, str], Any]
    guard: Callable[[Any], None] | None
    long_arn_segments: int


TAGGABLE_TYPES: dict[str, Taggable] = {}     # ARN resource type -> its entry (see taggable)


def taggable(resource_type: str, guard: Callable[[Any], None] | None = None, long_arn_segments: int = 1):
    """Register ``finder(ctx, arn) -> object with .tags`` for ARNs of ``resource_type``."""
    def register(finder: Callable[[RequestContext, str], Any]):
        TAGGABLE_TYPES[resource_type] = Taggable(finder, guard, long_arn_segments)
        return finder
    return register


def _tag_text_valid(text: str) -> bool:
    return all(ch in _EXTRA_TAG_CHARACTERS or unicodedata.category(ch)[0] in "LZN" for ch in text)


def _reserved(text: str) -> bool:
    return text[:4].lower() == "aws:"


def check_tag(key: str, value: str) -> None:
    if not key:
        raise InvalidParameterException(EMPTY_TAG_KEY)
    if _reserved(key) or _reserved(value):
        raise InvalidParameterException(RESERVED_PREFIX)
    if not _tag_text_valid(key):
        raise InvalidParameterException(INVALID_TAG_KEY)
    if not _tag_text_valid(value):
        raise InvalidParameterException(INVALID_TAG_VALUE)


def tags_from_request(tags: list[dict] | None) -> dict[str, str]:
    """A request's ``tags`` list checked and turned into a dict (key -> value)."""
    out: dict[str, str] = {}
    for tag in tags or []:
        key, value = tag.get("key", ""), tag.get("value", "")
        check_tag(key, value)
        if key in out:
            raise InvalidParameterException(DUPLICATE_TAG_KEY)
        out[key] = value
    return out


def user_tag_count(tags: dict[str, str]) -> int:
    """Tags that count toward the limit of 50 (``aws:`` system tags do not)."""
    return sum(1 for key in tags if not _reserved(key))


def _resource(ctx: RequestContext, resource_arn: str) -> tuple[Taggable, Any]:
    arn = arns.parse(resource_arn)
    if arn is None or arn.service != "ecs" or arn.partition != ctx.partition:
        raise InvalidParameterException(INVALID_ARN)
    kind, _, rest = arn.resource.partition("/")
    entry = TAGGABLE_TYPES.get(kind)
    parts = rest.split("/")
    if entry is None or not all(parts):
        raise InvalidParameterException(INVALID_ARN)
    if len(parts) < entry.long_arn_segments:
        raise InvalidParameterException(LONG_ARN_REQUIRED)
    if arn.region != ctx.region or arn.account != ctx.account:
        # another Region's or account's resources are invisible from here
        raise ResourceNotFoundException(RESOURCE_NOT_FOUND)
    return entry, entry.finder(ctx, resource_arn)


@ecs.operation("TagResource")
def tag_resource(ctx: RequestContext, params: dict) -> dict:
    entry, resource = _resource(ctx, params["resourceArn"])
    new_tags = tags_from_request(params["tags"])
    if entry.guard is not None:
        entry.guard(resource)
    merged = {**resource.tags, **new_tags}
    if user_tag_count(merged) > MAX_TAGS:
        raise LimitExceededException(TOO_MANY_TAGS)
    resource.tags.update(new_tags)
    return {}


@ecs.operation("UntagResource")
def untag_resource(ctx: RequestContext, params: dict) -> dict:
    entry, resource = _resource(ctx, params["resourceArn"])
    for key in params["tagKeys"]:
        if _reserved(key):
            raise InvalidParameterException(RESERVED_PREFIX)
    if entry.guard is not None:
        entry.guard(resource)
    for key in params["tagKeys"]:
        resource.tags.pop(key, None)
    return {}


@ecs.operation("ListTagsForResource")
def list_tags_for_resource(ctx: RequestContext, params: dict) -> dict:
    _, resource = _resource(ctx, params["resourceArn"])
    return {"tags": tags_out(resource.tags)}


def _refuse_inactive_cluster(cluster) -> None:
    if cluster.status != "ACTIVE":
        raise ClusterNotFoundException(CLUSTER_INACTIVE)


@taggable("cluster", guard=_refuse_inactive_cluster)
def _cluster_for_tags(ctx: RequestContext, arn: str):
    cluster = find_cluster(ctx, arn)
    if cluster is None:
        raise ClusterNotFoundException(CLUSTER_NOT_FOUND)
    return cluster
