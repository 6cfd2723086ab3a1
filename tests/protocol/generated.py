"""Requests generated from the service models: every operation's wire request built from its parameters,
minimal valid parameters and invalid variants made from ``schemas/<service>/<Operation>.json``.

Deterministic: whatever is random comes from the ``random.Random`` the caller seeds.
"""
from __future__ import annotations

import copy
import json
import random
import re
from urllib.parse import quote, urlencode

from emulator.engine import all_services
from emulator.protocol import spec
from emulator.protocol.jsonutil import MAX_DEPTH
from emulator.protocol.messages import Headers, RawRequest

SERVICES = all_services()
OPERATIONS = [(name, operation) for name, service in SERVICES.items()
              for operation in service.description["operations"]]
# Candidate strings, most plausible first: the first that fits a member's pattern and lengths is used.
STRINGS = ("c1", "web", "1", "arn:aws:iam::123456789012:role/r1", "ecs", "subnet-0123456789abcdef0",
           "service/c1/web", "2026-01-01T00:00:00Z", "a" * 64)


def wire_request(service: str, operation: str, params: dict | None = None, body: bytes | None = None) -> RawRequest:
    """The HTTP request a client sends for ``operation`` with ``params``; ``body`` replaces the JSON body."""
    description = SERVICES[service].description
    params = dict(params or {})
    if description["protocol"] == "json":
        headers = {"X-Amz-Target": f"{description['targetPrefix']}.{operation}",
                   "Content-Type": "application/x-amz-json-1.1"}
        return RawRequest("POST", "/", "", Headers(headers), json.dumps(params).encode() if body is None else body)
    binding = description["operations"][operation]["http"]
    path, _, fixed_query = binding["requestUri"].partition("?")
    for label, member in binding["path"].items():
        value = str(params.pop(member, "x1"))
        path = path.replace("{%s+}" % label, quote(value, safe="/")).replace("{%s}" % label, quote(value, safe=""))
    query = [tuple(fixed_query.split("=", 1))] if fixed_query else []
    for key, target in binding["querystring"].items():
        if target["member"] in params:
            value = params.pop(target["member"])
            for item in value if isinstance(value, list) else [value]:
                query.append((key, json.dumps(item) if isinstance(item, bool) else str(item)))
    headers = {"Content-Type": "application/json"}
    for header, target in binding["headers"].items():
        if target["member"] in params:
            headers[header] = str(params.pop(target["member"]))
    if body is None:
        body = json.dumps(params).encode() if params or binding["method"] not in ("GET", "DELETE", "HEAD") else b""
    return RawRequest(binding["method"], path, urlencode(query), Headers(headers), body)


class Generator:
    """Parameters for one operation: :meth:`valid` (required members only) and :meth:`invalid` variants."""

    def __init__(self, service: str, operation: str, rng: random.Random, names: dict | None = None) -> None:
        self.schema = spec.input_schema(service, operation)
        self.defs = self.schema.get("$defs", {})
        self.rng = rng
        self.names = names or {}      # member name -> a value naming something that exists

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            schema = self.defs[schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def valid(self) -> dict:
        """The required members only."""
        return self.instance(self.schema, "", 0)

    def full(self) -> dict:
        """Every member, a few levels down, each list and map with one entry."""
        return self.instance(self.schema, "", 0, every=True)

    def instance(self, schema: dict, member: str, depth: int, every: bool = False):
        schema = self.resolve(schema)
        kind = schema.get("type")
        if kind == "object":
            if "additionalProperties" in schema:
                if not every or depth > 4:
                    return {}
                key = self.string(self.resolve(schema.get("propertyNames", {})), "key")
                return {key: self.instance(schema["additionalProperties"], key, depth + 1, every)}
            properties = schema.get("properties", {})
            names = ([name for name in properties if name != "nextToken"] if every and depth <= 4
                     else schema.get("required", []))
            return {name: self.instance(properties[name], name, depth + 1, every) for name in names}
        if kind == "array":
            count = max(1, schema.get("minItems", 0)) if depth < 6 else schema.get("minItems", 0)
            return [self.instance(schema["items"], member, depth + 1, every) for _ in range(count)]
        if kind == "string":
            return self.string(schema, member)
        if kind in ("integer", "number"):
            low = schema.get("minimum", 1)
            return max(low, min(1, schema.get("maximum", 1)))
        if kind == "boolean":
            return True
        return 1767225600          # a timestamp, as epoch seconds

    def string(self, schema: dict, member: str) -> str:
        if "enum" in schema:
            return schema["enum"][0]
        low, high = schema.get("minLength", 0), schema.get("maxLength", 1 << 20)
        pattern = re.compile(schema["pattern"]) if "pattern" in schema else None
        candidates = ([self.names[member]] if member in self.names else []) + _hints(member) + list(STRINGS)
        for text in candidates:
            if low <= len(text) <= high and (pattern is None or pattern.search(text)):
                return text
        return "a" * max(low, 1)

    def members(self, params: dict) -> list[tuple[str, dict]]:
        """(name, schema) of every top-level member, the required ones first."""
        properties = self.schema.get("properties", {})
        return [(name, self.resolve(properties[name])) for name in sorted(properties, key=lambda n: n not in params)]

    def invalid(self) -> list[tuple[str, dict]]:
        """(what is wrong, parameters) variants, each wrong in one way, from :meth:`valid`."""
        base = self.valid()
        rng = self.rng
        variants = []
        for name in self.schema.get("required", []):
            variants.append((f"without {name}", {k: v for k, v in base.items() if k != name}))
        members = self.members(base)
        for name, schema in rng.sample(members, min(len(members), 3)):
            variants.append((f"{name} of a wrong type", {**base, name: _wrong_type(schema, rng)}))
        for name, schema in members:
            if schema.get("type") == "string" and "enum" in schema:
                variants.append((f"{name} not in its enum", {**base, name: "NOT_A_VALUE"}))
                break
        for name, schema in members:
            if schema.get("type") == "string":
                variants.append((f"{name} too long", {**base, name: "a" * (schema.get("maxLength", 4096) + 1)}))
                variants.append((f"{name} empty", {**base, name: ""}))
                break
        for name, schema in members:
            if schema.get("type") in ("integer", "number"):
                variants.append((f"{name} out of range", {**base, name: -(2 ** 63)}))
                variants.append((f"{name} huge", {**base, name: 2 ** 64}))
                break
        for name, schema in members:
            if schema.get("type") in ("array", "object") and "additionalProperties" not in schema:
                variants.append((f"{name} holding wrong types", {**base, name: _wrong_inside(schema, rng)}))
                break
        if members:
            name = members[0][0]
            variants.append((f"{name} nested too deep", {**base, name: _nested(MAX_DEPTH + 5)}))
            variants.append((f"{name} nested, under the limit", {**base, name: _nested(MAX_DEPTH - 3)}))
        variants.append(("an unknown member", {**base, "noSuchMember": {"a": [1, None, "x"]}}))
        full = self.full()
        for _ in range(4):
            path, value = _mutated(full, rng)
            variants.append((f"every member, {path} replaced by {value!r}"[:120], _replace(full, path, value)))
        return [(what, copy.deepcopy(params)) for what, params in variants]


def _hints(member: str) -> list[str]:
    """Strings that suit a member by its name."""
    lowered = member.lower()
    if lowered.endswith("arn") or lowered.endswith("arns"):
        return ["arn:aws:iam::123456789012:role/r1"]
    if lowered.endswith("url"):
        return ["https://oidc.example.com"]
    if lowered == "cpu":
        return ["256"]
    if lowered == "memory":
        return ["512"]
    if lowered in ("image", "version"):
        return ["nginx:1" if lowered == "image" else "1.33"]
    return []


def _wrong_type(schema: dict, rng: random.Random):
    kind = schema.get("type") if isinstance(schema.get("type"), str) else "timestamp"
    choices = {"string": [123, True, ["a"], {"a": "b"}], "integer": ["7", 1.5, [1], False],
               "number": ["7", [1.0], {}], "boolean": ["true", 1, []], "array": ["a", {}, 5],
               "object": ["a", [], 5]}.get(kind, [{"a": 1}, [1]])
    return rng.choice(choices)


def _wrong_inside(schema: dict, rng: random.Random):
    if schema.get("type") == "array":
        return [rng.choice([7, "x", None, [[]], {"k": {}}])]
    return {key: rng.choice([7, "x", [], {"z": None}]) for key in list(schema.get("properties", {}))[:3]}


def _nested(depth: int):
    value: list | dict = []
    for level in range(depth - 1):
        value = [value] if level % 2 else {"k": value}
    return value


def _paths(value, prefix=()):
    """Every (path, leaf or container) inside ``value``."""
    out = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        out.append((prefix + (key,), item))
        out.extend(_paths(item, prefix + (key,)))
    return out


def _mutated(value: dict, rng: random.Random):
    """A random place inside ``value`` and a value of another JSON type (or a hostile one) for it."""
    paths = _paths(value)
    if not paths:
        return ("noSuchMember",), None
    path, current = rng.choice(paths)
    replacements = [None, "", "x" * 3000, -1, 0, 2 ** 63, 1.5, True, [], {}, [None], {"": None}, "\u0000\n"]
    return path, rng.choice([r for r in replacements if type(r) is not type(current)])


def _replace(value: dict, path: tuple, new) -> dict:
    out = copy.deepcopy(value)
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return out
