"""Opaque, position-based pagination tokens.

A token records the sort key of the last item returned, not an offset, so
items added or removed between pages neither repeat nor shift others out of
the listing: every item present from the first page to the last is returned
exactly once.
"""
from __future__ import annotations

import base64
import bisect
import json
from typing import Any, Callable, Sequence


class InvalidToken(ValueError):
    pass


def encode(state: Any) -> str:
    raw = json.dumps(state, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str) -> Any:
    try:
        padded = token + "=" * (-len(token) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError) as exc:  # binascii.Error is a ValueError
        raise InvalidToken(token) from exc


def _as_key(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def page(sorted_keys: Sequence, next_token: str | None, max_results: int, scope: str = "",
         accept: Callable[[Any], bool] | None = None, descending: bool = False) -> tuple[list, str | None]:
    """One page of ``sorted_keys`` (ascending, unique) after the token's position.

    ``scope`` ties a token to the listing that issued it (e.g. the filters); a token from another
    listing is rejected. ``accept`` keeps only the keys it takes; ``descending`` walks backwards.
    ``nextToken`` is returned only when another accepted key follows.
    """
    start = len(sorted_keys) - 1 if descending else 0
    if next_token:
        state = decode(next_token)
        if not isinstance(state, dict) or state.get("s") != scope or "k" not in state:
            raise InvalidToken(next_token)
        last = _as_key(state["k"])
        try:
            start = bisect.bisect_left(sorted_keys, last) - 1 if descending \
                else bisect.bisect_right(sorted_keys, last)
        except TypeError as exc:
            raise InvalidToken(next_token) from exc
    if accept is None and not descending:
        items = list(sorted_keys[start:start + max_results])
        more = start + max_results < len(sorted_keys)
    else:
        step = -1 if descending else 1
        items, more, i = [], False, start
        while 0 <= i < len(sorted_keys):
            key = sorted_keys[i]
            i += step
            if accept is None or accept(key):
                if len(items) == max_results:
                    more = True
                    break
                items.append(key)
    token = encode({"s": scope, "k": items[-1]}) if more and items else None
    return items, token
