"""Helpers shared by the ECS handlers: identifiers, request digests, tags, pagination, re-entrant loops."""
from __future__ import annotations

import hashlib
import json
import re
from typing import Callable

from emulator.core import arns, pagination
from emulator.ecs.errors import InvalidParameterException

DEFAULT_CLUSTER = "default"
INVALID_NEXT_TOKEN = "Invalid nextToken."
# the names of clusters, services, task-definition families, containers, capacity providers, daemons:
# up to 255 letters, numbers, underscores and hyphens
RESOURCE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")


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


def request_digest(params: dict) -> str:
    """What a request asks for, apart from its clientToken (a repeated token must repeat the request)."""
    request = {k: v for k, v in params.items() if k != "clientToken"}
    return hashlib.sha256(json.dumps(request, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def page_size(params: dict, default: int = 100, maximum: int = 100) -> int:
    value = params.get("maxResults")
    if value is None:
        return default
    if not 1 <= value <= maximum:
        raise InvalidParameterException(
            f"maxResults must be between 1 and {maximum}, inclusive.")
    return value


def paginate(params: dict, sorted_keys, default: int = 100, maximum: int = 100, scope: str = "",
             accept=None, descending: bool = False):
    """One page of ``sorted_keys`` for a List* call: (items, nextToken or None)."""
    size = page_size(params, default, maximum)
    try:
        return pagination.page(sorted_keys, params.get("nextToken"), size, scope, accept, descending)
    except pagination.InvalidToken:
        raise InvalidParameterException(INVALID_NEXT_TOKEN) from None


def tags_out(tags: dict[str, str]) -> list[dict]:
    return [{"key": k, "value": v} for k, v in tags.items()]


class ReentrantLoop:
    """Runs a step again until a pass asks for no other. A call made while the step runs (from the
    changes it makes, through task or instance listeners) does not nest: it sets ``again``, and the
    running loop makes one more pass; a step may set ``again`` itself."""

    __slots__ = ("running", "again")

    def __init__(self) -> None:
        self.running = self.again = False

    def run(self, step: Callable[[], None], max_passes: int | None = None) -> None:
        if self.running:
            self.again = True
            return
        self.running = True
        try:
            passes = 0
            self.again = True
            while self.again and (max_passes is None or passes < max_passes):
                self.again = False
                passes += 1
                step()
        finally:
            self.running = False
