"""Request parameters checked against schemas/<service>/<Operation>.json.

Validators are compiled once per operation, on first use.  A violation is
reduced to a :class:`Violation` (what kind, where, which value) and turned
into the service's own error by the service's ``validation_error`` hook, so
the messages can be AWS's where AWS has its own wording.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from emulator.protocol import spec

_JSON_TYPE_NAMES = {"array": "list", "object": "structure", "string": "string",
                    "integer": "integer", "number": "number", "boolean": "boolean"}


def json_type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "structure"
    return "null"


@dataclass(frozen=True)
class Violation:
    kind: str          # required, type, enum, minLength, maxLength, minimum, maximum,
                       # minItems, maxItems, minProperties, maxProperties, pattern
    path: str          # e.g. networkConfiguration.awsvpcConfiguration.subnets[0]
    member: str        # last member name on the path (the one at fault)
    value: Any         # the offending value (None for a missing member)
    constraint: Any    # the schema keyword's value

    @property
    def message(self) -> str:
        """A plain statement naming the member and what was wrong."""
        p, c = self.path, self.constraint
        if self.kind == "required":
            return f"Missing required parameter: '{p}'."
        if self.kind == "type":
            expected = " or ".join(_JSON_TYPE_NAMES.get(t, t) for t in (c if isinstance(c, list) else [c]))
            return f"Invalid type for parameter '{p}': expected {expected}, got {json_type_of(self.value)}."
        if self.kind == "enum":
            return f"Invalid value '{self.value}' for parameter '{p}'. Valid values: {', '.join(map(str, c))}."
        if self.kind == "minLength":
            return f"Invalid length for parameter '{p}': must be at least {c} characters."
        if self.kind == "maxLength":
            return f"Invalid length for parameter '{p}': must be at most {c} characters."
        if self.kind == "minimum":
            return f"Invalid value {self.value} for parameter '{p}': must be at least {c}."
        if self.kind == "maximum":
            return f"Invalid value {self.value} for parameter '{p}': must be at most {c}."
        if self.kind in ("minItems", "minProperties"):
            return f"Invalid length for parameter '{p}': must contain at least {c} items."
        if self.kind in ("maxItems", "maxProperties"):
            return f"Invalid length for parameter '{p}': must contain at most {c} items."
        if self.kind == "pattern":
            return f"Invalid value '{self.value}' for parameter '{p}': must match the pattern {c}."
        return f"Invalid value for parameter '{p}'."


def _render_path(parts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _violation(error) -> Violation:
    parts = list(error.absolute_path)
    value = error.instance
    kind = error.validator
    if kind == "required":
        missing = next((m for m in error.validator_value if m not in (error.instance or {})), "")
        parts.append(missing)
        value = None
    elif kind == "propertyNames":
        # report the inner failure on the map key itself
        inner = best_match(error.context) if error.context else None
        if inner is not None:
            parts.append(str(inner.instance))
            return Violation(inner.validator, _render_path(parts), str(inner.instance),
                             inner.instance, inner.validator_value)
    member = next((p for p in reversed(parts) if isinstance(p, str)), "")
    return Violation(kind, _render_path(parts), member, value, error.validator_value)


class Validator:
    """Compiles and caches one jsonschema validator per operation of a service."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._validators: dict[str, Draft202012Validator] = {}
        self._lock = threading.Lock()

    def _validator(self, operation: str) -> Draft202012Validator:
        validator = self._validators.get(operation)
        if validator is None:
            with self._lock:
                validator = self._validators.get(operation)
                if validator is None:
                    validator = Draft202012Validator(spec.input_schema(self.service, operation))
                    self._validators[operation] = validator
        return validator

    def check(self, operation: str, params: dict) -> Violation | None:
        """The most relevant violation of the operation's schema, or None."""
        error = best_match(self._validator(operation).iter_errors(params))
        return None if error is None else _violation(error)
