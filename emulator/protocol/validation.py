"""Request parameters checked against schemas/<service>/<Operation>.json.

Validators are compiled once per operation, on first use.  A violation is
reduced to a :class:`Violation` (what kind, where, which value) and turned
into the service's own error by the service's ``validation_error`` hook, so
the messages can be AWS's where AWS has its own wording.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

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


def _best_match(errors):
    from jsonschema.exceptions import best_match   # imported on the first invalid request, not at start-up
    return best_match(errors)


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
        inner = _best_match(error.context) if error.context else None
        if inner is not None:
            parts.append(str(inner.instance))
            return Violation(inner.validator, _render_path(parts), str(inner.instance),
                             inner.instance, inner.validator_value)
    member = next((p for p in reversed(parts) if isinstance(p, str)), "")
    return Violation(kind, _render_path(parts), member, value, error.validator_value)


def _compile(schema: dict, defs: dict, cache: dict):
    """A fast yes/no check for the subset of JSON Schema that schemas/ uses.

    Valid requests (nearly all of them) pass here without jsonschema's
    generality; anything this says no to is handed to jsonschema, which
    remains the authority and reports the violation.  Each schema becomes one
    function of plain loops: this runs on every request.
    """
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name not in cache:
            cache[name] = None
            cache[name] = _compile(defs[name], defs, cache)
        if cache[name] is not None:
            return cache[name]
        return lambda value: cache[name](value)      # a definition that refers to itself, still compiling
    kind = schema.get("type")
    if kind == "object":
        return _compile_object(schema, defs, cache)
    if kind == "array":
        items = _compile(schema["items"], defs, cache)
        low, high = schema.get("minItems"), schema.get("maxItems")

        def check_array(v) -> bool:
            if not isinstance(v, list) or (low is not None and len(v) < low) or (high is not None and len(v) > high):
                return False
            for item in v:
                if not items(item):
                    return False
            return True
        return check_array
    if kind == "string":
        enum = frozenset(schema["enum"]) if "enum" in schema else None
        low, high = schema.get("minLength"), schema.get("maxLength")
        pattern = re.compile(schema["pattern"]) if "pattern" in schema else None
        return lambda v: (isinstance(v, str) and (enum is None or v in enum)
                          and (low is None or len(v) >= low) and (high is None or len(v) <= high)
                          and (pattern is None or pattern.search(v) is not None))
    if kind in ("integer", "number"):
        types = int if kind == "integer" else (int, float)
        low, high = schema.get("minimum"), schema.get("maximum")
        return lambda v: (isinstance(v, types) and not isinstance(v, bool)
                          and (low is None or v >= low) and (high is None or v <= high))
    if kind == "boolean":
        return lambda v: isinstance(v, bool)
    if kind is not None:  # e.g. ["number", "string"] for timestamps
        return lambda v: not isinstance(v, (bool, dict, list)) and v is not None
    return lambda v: True


def _compile_object(schema: dict, defs: dict, cache: dict):
    required = tuple(schema.get("required") or ())
    properties = {k: _compile(s, defs, cache) for k, s in schema.get("properties", {}).items()}
    extra = None
    if "additionalProperties" in schema:
        extra = (_compile(schema.get("propertyNames", {}), defs, cache),
                 _compile(schema["additionalProperties"], defs, cache))
    low, high = schema.get("minProperties"), schema.get("maxProperties")

    def check_object(v) -> bool:
        if not isinstance(v, dict):
            return False
        for name in required:
            if name not in v:
                return False
        if properties:
            for name, item in v.items():
                check = properties.get(name)
                if check is not None and not check(item):
                    return False
        if extra is not None:
            names, values = extra
            for name, item in v.items():
                if not (names(name) and values(item)):
                    return False
        return (low is None or len(v) >= low) and (high is None or len(v) <= high)
    return check_object


def _full_validator(schema: dict):
    """jsonschema's validator of ``schema``, made (and jsonschema imported) when first asked for."""
    made = []

    def full():
        if not made:
            from jsonschema import Draft202012Validator
            made.append(Draft202012Validator(schema))
        return made[0]
    return full


class Validator:
    """Compiles and caches one validator per operation of a service."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._validators: dict[str, tuple] = {}
        self._lock = threading.Lock()

    def _validator(self, operation: str) -> tuple:
        validator = self._validators.get(operation)
        if validator is None:
            with self._lock:
                validator = self._validators.get(operation)
                if validator is None:
                    schema = spec.input_schema(self.service, operation)
                    validator = (_compile(schema, schema.get("$defs", {}), {}), _full_validator(schema))
                    self._validators[operation] = validator
        return validator

    def check(self, operation: str, params: dict) -> Violation | None:
        """The most relevant violation of the operation's schema, or None."""
        fast, full = self._validator(operation)
        if fast(params):
            return None
        error = _best_match(full().iter_errors(params))
        return None if error is None else _violation(error)
