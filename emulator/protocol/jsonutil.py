"""JSON helpers shared by the protocols."""
from __future__ import annotations

import json
from typing import Any


def drop_nulls(value: Any) -> Any:
    """Remove ``None`` members from dicts (recursively): absent and null mean the same."""
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value]
    return value


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def loads_object(body: bytes) -> dict | None:
    """The body as a JSON object; ``{}`` for an empty body; None when not an object."""
    if not body or not body.strip():
        return {}
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None
