"""JSON helpers shared by the protocols, and the one guard every request body goes through.

:func:`loads_object` is the only way a body becomes parameters, for both protocols: a body over
:data:`MAX_BODY_BYTES`, not a JSON object, nesting arrays and objects deeper than :data:`MAX_DEPTH`,
holding a lone UTF-16 surrogate escape (``"\\ud800"``, no Unicode character) or a number JSON cannot
carry (``NaN``, ``1e999``) raises :class:`UnreadableBody`, which the protocol answers with its own
typed 4xx before any handler runs.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

from emulator.protocol.errors import ServiceError

# AWS documents no overall request size for ECS, EKS or Application Auto Scaling; their largest
# requests (a task definition: 64 KiB at most) are far below this.
MAX_BODY_BYTES = 1024 * 1024
# The deepest request the service models allow nests 11 levels (PutScalingPolicy).
MAX_DEPTH = 32

NOT_AN_OBJECT = "The request body could not be parsed: expected a JSON object."
TOO_LARGE = "The request body is larger than the limit of {limit} bytes."
TOO_DEEP = "The request body nests arrays and objects more than {limit} levels deep."
LONE_SURROGATE = ("The request body holds a lone surrogate escape (\\u{code:04x}) in a string: "
                  "it is not a Unicode character.")
BAD_NUMBER = "The request body holds a number JSON cannot carry: {text}."

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_CONTAINERS = frozenset({dict, list, tuple})


class UnreadableBody(ValueError):
    """Why a body cannot be taken as an operation's parameters; ``status`` 413 when it is too large."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status

    def as_error(self, kind: type[ServiceError]) -> ServiceError:
        """The protocol's own error (SerializationException, EKS's InvalidParameterException) saying so."""
        error = kind(str(self))
        error.status = self.status
        return error


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


# Made once, not per response.  No circular-reference bookkeeping: what it writes has been through
# drop_nulls (or is built by the emulator from plain values), which a cycle could not get through.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)


def dumps(value: Any) -> bytes:
    return _ENCODER.encode(value).encode()


def loads_object(body: bytes) -> dict:
    """The body as a JSON object; ``{}`` for an empty body; :class:`UnreadableBody` otherwise."""
    if len(body) > MAX_BODY_BYTES:
        raise UnreadableBody(TOO_LARGE.format(limit=MAX_BODY_BYTES), status=413)
    if not body or not body.strip():
        return {}
    try:
        value = _DECODER.decode(body.decode(json.detect_encoding(body), "surrogatepass"))
    except RecursionError:
        raise UnreadableBody(TOO_DEEP.format(limit=MAX_DEPTH)) from None
    except UnreadableBody:
        raise
    except (ValueError, UnicodeDecodeError):
        raise UnreadableBody(NOT_AN_OBJECT) from None
    if not isinstance(value, dict):
        raise UnreadableBody(NOT_AN_OBJECT)
    # Cheap tests first: a body with few brackets cannot nest deeply; one without a surrogate
    # escape cannot hold a lone surrogate (raw UTF-8 cannot encode one).
    deep = body.count(b"[") + body.count(b"{") > MAX_DEPTH
    surrogates = _SURROGATE_ESCAPE.search(body) is not None
    if deep or surrogates:
        _check_tree(value, surrogates)
    return value


def _refuse_constant(text: str):
    raise UnreadableBody(BAD_NUMBER.format(text=text))


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise UnreadableBody(BAD_NUMBER.format(text=text))
    return number


# made once, not per request (json.loads makes a decoder per call when given hooks); loads_object
# decodes the bytes as json.loads does
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)


def _check_tree(value: Any, surrogates: bool) -> None:
    """Walk the parsed body without recursion: its depth, and (when asked) every key and string."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise UnreadableBody(TOO_DEEP.format(limit=MAX_DEPTH))
        if type(item) is dict:
            if surrogates:
                for key in item:
                    _check_string(key)
            members = item.values()
        else:
            members = item
        for member in members:
            if type(member) in _CONTAINERS:
                stack.append((member, depth + 1))
            elif surrogates and type(member) is str:
                _check_string(member)


def _check_string(text: str) -> None:
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise UnreadableBody(LONE_SURROGATE.format(code=ord(text[error.start]))) from None
