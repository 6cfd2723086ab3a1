"""JSON helpers shared by the protocols."""
from __future__ import annotations

import json
from typing import Any


def drop_nulls(value: Any) -> Any:
    """Remove ``None`` members from dicts (recursively): absent and null mean the same.

    Scalars are passed over without a call: responses are mostly leaves, and this runs on every one.
    """
    kind = type(value)
    if kind is dict:
        return {k: drop_nulls(v) if type(v) in _CONTAINERS else v for k, v in value.items() if v is not None}
    if kind is list:
        return [drop_nulls(v) if type(v) in _CONTAINERS else v for v in value]
    if isinstance(value, dict):
        return drop_nulls(dict(value))
    if isinstance(value, (list, tuple)):
        return drop_nulls(list(value))
    return value


_CONTAINERS = frozenset({dict, list, tuple})


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)   # made once, not per response


def dumps(value: Any) -> bytes:
    return _ENCODER.encode(value).encode()


def loads_object(body: bytes) -> dict | None:
    """The body as a JSON object; ``{}`` for an empty body; None when not an object."""
    if not body or not body.strip():
        return {}
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None
