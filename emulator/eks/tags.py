"""EKS tags: TagResource, UntagResource, ListTagsForResource.

The tag operations have error types of their own: 400 ``BadRequestException``
for an ARN that is malformed or names no taggable EKS resource type (and for
breaking the tag rules), 404 ``NotFoundException`` for a well-formed ARN of a
resource that does not exist in the caller's account and region.

Each resource module registers how to find its resources from an ARN::

    from emulator.eks.tags import resource_parts, taggable

    @taggable("nodegroup")
    def nodegroup_for_tags(store, arn):     # arn: emulator.core.arns.Arn
        cluster_name, name, uid = resource_parts(arn, 3)   # BadRequest unless exactly 3 parts
        ...
        return nodegroup or None            # any object with a ``tags: dict[str, str]``

The finder is called only after the ARN's service (``eks``), partition,
region and account were matched against the caller's; it returns None for
an unknown resource.  ``resource_parts(arn, n)`` splits what follows the
resource type (``nodegroup/<cluster>/<name>/<uuid>``) into exactly ``n``
non-empty parts.  Tags given at creation go through
:func:`check_create_tags` so they obey the reserved-prefix rule too.

Limits: at most 50 tags per resource (keys starting with ``aws:`` are not
counted), keys 1-128 and values 0-256 characters (the schema checks those),
the ``aws:`` prefix is reserved: it can be neither set nor removed by users.
Removing a key the resource does not have changes nothing.
"""
from __future__ import annotations

from typing import Any, Callable

from emulator.core import arns
from emulator.core.service import RequestContext
from emulator.eks.errors import BadRequestException, InvalidParameterException, NotFoundException
from emulator.eks.service import eks

MAX_TAGS = 50
RESERVED_PREFIX = "aws:"
INVALID_ARN = "{arn} is not a valid Amazon EKS resource ARN."
RESOURCE_NOT_FOUND = "The resource {arn} could not be found."
TOO_MANY_TAGS = "Failed to tag resource {arn}: a resource can have at most 50 tags."
RESERVED_KEY = "Tag keys beginning with 'aws:' are reserved for AWS use: {key}"

Finder = Callable[[Any, arns.Arn], Any]
_FINDERS: dict[str, Finder] = {}


def taggable(resource_type: str) -> Callable[[Finder], Finder]:
    """Register ``finder(store, arn) -> object with .tags, or None`` for ARNs of ``resource_type``."""
    def register(finder: Finder) -> Finder:
        _FINDERS[resource_type] = finder
        return finder
    return register


def registered_types() -> list[str]:
    return sorted(_FINDERS)


def resource_parts(arn: arns.Arn, count: int) -> list[str]:
    """The ``count`` parts after the resource type, or BadRequestException."""
    parts = arn.resource.split("/")[1:]
    if len(parts) != count or not all(parts):
        raise BadRequestException(INVALID_ARN.format(arn=_text(arn)))
    return parts


def _text(arn: arns.Arn) -> str:
    return f"arn:{arn.partition}:{arn.service}:{arn.region}:{arn.account}:{arn.resource}"


def check_create_tags(tags: dict) -> None:
    """Tags given to a create operation obey the reserved-prefix rule."""
    for key in tags:
        if key.lower().startswith(RESERVED_PREFIX):
            raise InvalidParameterException(RESERVED_KEY.format(key=key))


def _resource(ctx: RequestContext, value: str):
    arn = arns.parse(value)
    if arn is None or arn.service != "eks" or "/" not in arn.resource:
        raise BadRequestException(INVALID_ARN.format(arn=value))
    finder = _FINDERS.get(arn.resource_type)
    if finder is None:
        raise BadRequestException(INVALID_ARN.format(arn=value))
    if (arn.partition, arn.region, arn.account) != (ctx.partition, ctx.region, ctx.account):
        # Well formed, but no such resource where the caller is looking.
        raise NotFoundException(RESOURCE_NOT_FOUND.format(arn=value))
    resource = finder(ctx.store, arn)
    if resource is None:
        raise NotFoundException(RESOURCE_NOT_FOUND.format(arn=value))
    return resource


def _check_keys(keys) -> None:
    for key in keys:
        if key.lower().startswith(RESERVED_PREFIX):
            raise BadRequestException(RESERVED_KEY.format(key=key))


@eks.operation("TagResource")
def tag_resource(ctx: RequestContext, params: dict) -> dict:
    resource = _resource(ctx, params["resourceArn"])
    tags = params["tags"]
    _check_keys(tags)
    merged = {**resource.tags, **tags}
    if sum(1 for key in merged if not key.lower().startswith(RESERVED_PREFIX)) > MAX_TAGS:
        raise BadRequestException(TOO_MANY_TAGS.format(arn=params["resourceArn"]))
    resource.tags.update(tags)
    return {}


@eks.operation("UntagResource")
def untag_resource(ctx: RequestContext, params: dict) -> dict:
    resource = _resource(ctx, params["resourceArn"])
    keys = params["tagKeys"]
    _check_keys(keys)
    for key in keys:
        resource.tags.pop(key, None)
    return {}


@eks.operation("ListTagsForResource")
def list_tags_for_resource(ctx: RequestContext, params: dict) -> dict:
    return {"tags": dict(_resource(ctx, params["resourceArn"]).tags)}
