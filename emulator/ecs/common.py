"""Helpers shared by the ECS handlers: identifiers, tags, pagination."""
from __future__ import annotations

from emulator.core import arns, pagination
from emulator.ecs.errors import InvalidParameterException

DEFAULT_CLUSTER = "default"


def resource_name(value: str, resource_type: str) -> str | None:
    """The name part of ``arn:...:<resource_type>/<name>``, or the value itself when it is not an ARN.

    None when the value is an ARN of another resource type.
    """
    arn = arns.parse(value)
    if arn is None:
        return value
    kind, _, rest = arn.resource.partition("/")
    if kind != resource_type or not rest:
        return None
    return rest


def page_size(params: dict, default: int = 100, maximum: int = 100) -> int:
    value = params.get("maxResults")
    if value is None:
        return default
    if not 1 <= value <= maximum:
        raise InvalidParameterException(
            f"maxResults must be between 1 and {maximum}, inclusive.")
    return value


def paginate(params: dict, sorted_keys, default: int = 100, maximum: int = 100, scope: str = ""):
    """One page of ``sorted_keys`` for a List* call: (items, nextToken or None)."""
    size = page_size(params, default, maximum)
    try:
        return pagination.page(sorted_keys, params.get("nextToken"), size, scope)
    except pagination.InvalidToken:
        raise InvalidParameterException("Invalid nextToken.") from None


def tags_out(tags: dict[str, str]) -> list[dict]:
    return [{"key": k, "value": v} for k, v in tags.items()]


def tags_in(tags: list[dict] | None) -> dict[str, str]:
    return {t["key"]: t.get("value", "") for t in tags or []}
