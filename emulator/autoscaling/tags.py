"""Tags of scalable targets (the only taggable Application Auto Scaling resource): TagResource,
UntagResource, ListTagsForResource, by the target's ARN; RegisterScalableTarget's Tags."""
from __future__ import annotations

from emulator.autoscaling.errors import ResourceNotFoundException, TooManyTagsException, ValidationException
from emulator.autoscaling.service import autoscaling

MAX_TAGS = 50
AWS_PREFIX = "aws:"
TOO_MANY_TAGS = "A scalable target can have at most 50 tags"
RESERVED_PREFIX = "Tag keys starting with aws: are reserved for use by AWS"


def not_found(arn: str) -> str:
    return f"Scalable target with ARN {arn} not found"


def _target(ctx, arn: str):
    target = next((t for t in ctx.store.targets.values() if t.arn == arn), None)
    if target is None:
        raise ResourceNotFoundException(not_found(arn), ResourceName=arn)
    return target


def check_tags(added: dict, current: dict, arn: str | None = None) -> dict:
    """``current`` with ``added``, checked: no ``aws:`` keys, at most 50."""
    if any(key.lower().startswith(AWS_PREFIX) for key in added):
        raise ValidationException(RESERVED_PREFIX)
    merged = {**current, **added}
    if len(merged) > MAX_TAGS:
        raise TooManyTagsException(TOO_MANY_TAGS, ResourceName=arn)
    return merged


@autoscaling.operation("TagResource")
def tag_resource(ctx, params: dict) -> dict:
    target = _target(ctx, params["ResourceARN"])
    target.tags = check_tags(params["Tags"], target.tags, target.arn)
    return {}


@autoscaling.operation("UntagResource")
def untag_resource(ctx, params: dict) -> dict:
    target = _target(ctx, params["ResourceARN"])
    for key in params["TagKeys"]:
        target.tags.pop(key, None)
    return {}


@autoscaling.operation("ListTagsForResource")
def list_tags_for_resource(ctx, params: dict) -> dict:
    return {"Tags": dict(_target(ctx, params["ResourceARN"]).tags)}
