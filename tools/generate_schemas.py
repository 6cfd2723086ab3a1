"""Generate schemas/ from the installed botocore service models.

For each service (ecs, eks, application-autoscaling) this writes:

* ``schemas/<service>/<Operation>.json``: a JSON Schema (draft 2020-12) of the
  operation's input, with the model's required members, types, enums, ranges,
  length limits and (where Python's ``re`` accepts them) patterns.
* ``schemas/<service>/_service.json``: the protocol metadata, every operation
  with its HTTP binding (method, URI template, which members travel in the
  path, query string or headers) and modelled errors, and every error shape
  with its HTTP status and members.

Every file records the botocore version it came from.  Run it with
``python tools/generate_schemas.py`` (``--check`` compares instead of writing).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import botocore
import botocore.session

SERVICES = ("ecs", "eks", "application-autoscaling")
DRAFT = "https://json-schema.org/draft/2020-12/schema"
ROOT = Path(__file__).resolve().parent.parent / "schemas"

# awsJson services answer 400 for every modelled error but the server fault.
JSON_PROTOCOL_STATUS = {"ServerException": 500, "InternalServiceException": 500}

_SCALAR_TYPES = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "long": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "float": {"type": "number"},
    "double": {"type": "number"},
    # botocore sends epoch numbers in JSON bodies and ISO-8601 strings elsewhere.
    "timestamp": {"type": ["number", "string"]},
    "blob": {"type": "string"},
}


def _python_pattern(pattern: str) -> str | None:
    try:
        re.compile(pattern)
    except re.error:
        return None
    return pattern


class SchemaBuilder:
    """Turns botocore shapes into JSON Schema, collecting named shapes in $defs."""

    def __init__(self, raw_shapes: dict):
        self.raw = raw_shapes
        self.defs: dict[str, dict] = {}

    def ref_or_inline(self, shape_name: str) -> dict:
        shape = self.raw[shape_name]
        if shape["type"] in ("structure", "list", "map"):
            if shape_name not in self.defs:
                self.defs[shape_name] = {}  # placeholder: breaks recursion
                self.defs[shape_name] = self.build(shape_name)
            return {"$ref": f"#/$defs/{shape_name}"}
        return self.build(shape_name)

    def build(self, shape_name: str) -> dict:
        shape = self.raw[shape_name]
        kind = shape["type"]
        if kind == "structure":
            schema: dict = {"type": "object", "properties": {}}
            for member, spec in shape.get("members", {}).items():
                schema["properties"][member] = self.ref_or_inline(spec["shape"])
            if shape.get("required"):
                schema["required"] = list(shape["required"])
            return schema
        if kind == "list":
            schema = {"type": "array", "items": self.ref_or_inline(shape["member"]["shape"])}
            if "min" in shape:
                schema["minItems"] = int(shape["min"])
            if "max" in shape:
                schema["maxItems"] = int(shape["max"])
            return schema
        if kind == "map":
            schema = {
                "type": "object",
                "additionalProperties": self.ref_or_inline(shape["value"]["shape"]),
                "propertyNames": self.build(shape["key"]["shape"]),
            }
            if "min" in shape:
                schema["minProperties"] = int(shape["min"])
            if "max" in shape:
                schema["maxProperties"] = int(shape["max"])
            return schema
        schema = dict(_SCALAR_TYPES[kind])
        if kind == "string":
            if "enum" in shape:
                schema["enum"] = list(shape["enum"])
            if "min" in shape:
                schema["minLength"] = int(shape["min"])
            if "max" in shape:
                schema["maxLength"] = int(shape["max"])
            pattern = _python_pattern(shape["pattern"]) if "pattern" in shape else None
            if pattern is not None:
                schema["pattern"] = pattern
        elif kind in ("integer", "long", "float", "double"):
            if "min" in shape:
                schema["minimum"] = shape["min"]
            if "max" in shape:
                schema["maximum"] = shape["max"]
        return schema


def operation_schema(service: str, op_name: str, raw: dict, version: str) -> dict:
    op = raw["operations"][op_name]
    builder = SchemaBuilder(raw["shapes"])
    schema: dict = {
        "$schema": DRAFT,
        "$id": f"urn:ecs-eks-emulator:{service}:{op_name}",
        "title": f"{service} {op_name} input",
        "x-botocore-version": version,
    }
    if "input" in op:
        schema.update(builder.build(op["input"]["shape"]))
    else:
        schema.update({"type": "object", "properties": {}})
    if builder.defs:
        schema["$defs"] = dict(sorted(builder.defs.items()))
    return schema


def http_binding(op: dict, raw: dict) -> dict:
    binding = {"method": op["http"]["method"], "requestUri": op["http"]["requestUri"],
               "path": {}, "querystring": {}, "headers": {}}
    if "input" not in op:
        return binding
    for member, spec in raw["shapes"][op["input"]["shape"]].get("members", {}).items():
        location = spec.get("location")
        if location == "uri":
            binding["path"][spec.get("locationName", member)] = member
        elif location in ("querystring", "header"):
            kind = raw["shapes"][spec["shape"]]["type"]
            key = "querystring" if location == "querystring" else "headers"
            binding[key][spec.get("locationName", member)] = {"member": member, "type": kind}
    return binding


def service_description(service: str, raw: dict, version: str) -> dict:
    meta = raw["metadata"]
    protocol = meta["protocol"]
    errors = {}
    operations = {}
    for op_name in sorted(raw["operations"]):
        op = raw["operations"][op_name]
        entry = {"errors": [e["shape"] for e in op.get("errors", [])]}
        if protocol == "rest-json":
            entry["http"] = http_binding(op, raw)
        operations[op_name] = entry
        for error_name in entry["errors"]:
            shape = raw["shapes"][error_name]
            error_meta = shape.get("error", {})
            if protocol == "json":
                status = JSON_PROTOCOL_STATUS.get(error_name, 400)
            else:
                status = error_meta.get("httpStatusCode", 400)
            errors[error_name] = {
                "status": status,
                "fault": bool(shape.get("exception") and shape.get("fault")),
                "members": [m for m in shape.get("members", {}) if m.lower() != "message"],
            }
    return {
        "x-botocore-version": version,
        "service": service,
        "protocol": protocol,
        "apiVersion": meta["apiVersion"],
        "targetPrefix": meta.get("targetPrefix"),
        "jsonVersion": meta.get("jsonVersion"),
        "signingName": meta.get("signingName", service),
        "operations": operations,
        "errors": dict(sorted(errors.items())),
    }


def render(obj: dict) -> str:
    return json.dumps(obj, indent=1, ensure_ascii=False) + "\n"


def generate() -> dict[Path, str]:
    """Return {relative path: file text} for every generated file."""
    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    version = botocore.__version__
    files: dict[Path, str] = {}
    for service in SERVICES:
        raw = loader.load_service_model(service, "service-2")
        for op_name in sorted(raw["operations"]):
            files[Path(service) / f"{op_name}.json"] = render(
                operation_schema(service, op_name, raw, version))
        files[Path(service) / "_service.json"] = render(service_description(service, raw, version))
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if schemas/ differs from what would be generated")
    parser.add_argument("--out", type=Path, default=ROOT)
    args = parser.parse_args(argv)
    files = generate()
    if args.check:
        stale = [str(p) for p, text in files.items()
                 if not (args.out / p).exists() or (args.out / p).read_text() != text]
        extra = [str(p.relative_to(args.out)) for p in args.out.glob("*/*.json")
                 if p.relative_to(args.out) not in files]
        for name in stale + extra:
            print(f"out of date: {name}")
        return 1 if stale or extra else 0
    for service in SERVICES:
        for old in (args.out / service).glob("*.json"):
            old.unlink()
    for rel, text in files.items():
        target = args.out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    print(f"wrote {len(files)} files to {args.out} (botocore {botocore.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
