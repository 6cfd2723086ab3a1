"""Checks a response body against botocore's model of the operation's output.

No member that is not in the model, every value of the modelled type
(timestamps as epoch numbers), enum values from the enum.  Error bodies may
carry only ``__type``, ``message`` and the error shape's members.  The
project's own tests run every response through it; so can yours::

    from emulator.conformance import ConformanceChecker
    problems = ConformanceChecker().check("ecs", "DescribeClusters", 200, body)
"""
from __future__ import annotations

import botocore.session

_NUMBER = (int, float)


class ConformanceChecker:
    def __init__(self) -> None:
        self._session = botocore.session.get_session()
        self._models: dict = {}

    def _model(self, service: str):
        if service not in self._models:
            self._models[service] = self._session.get_service_model(service)
        return self._models[service]

    def check(self, service: str, operation: str | None, status: int, body: dict) -> list[str]:
        where = f"{service}.{operation or '?'}"
        if status >= 300:
            return self._check_error(service, where, body)
        model = self._model(service)
        shape = model.operation_model(operation).output_shape
        problems: list[str] = []
        if shape is None:
            if body:
                problems.append(f"{where}: output has no members but the body is {body!r}")
            return problems
        self._check(shape, body, where, problems)
        return problems

    def _check_error(self, service: str, where: str, body: dict) -> list[str]:
        if not isinstance(body.get("message"), str):
            return [f"{where}: error body without a string 'message': {body!r}"]
        code = body.get("__type")
        allowed = {"__type", "message"}
        model = self._model(service)
        if code in model.shape_names:
            allowed |= set(model.shape_for(code).members)
        else:
            # EKS bodies carry no __type; accept the union of the modelled errors' members.
            for name in model.shape_names:
                shape = model.shape_for(name)
                if shape.metadata.get("exception"):
                    allowed |= set(shape.members)
        extra = set(body) - allowed
        return [f"{where}: error body has members not in the model: {sorted(extra)}"] if extra else []

    def _check(self, shape, value, path: str, problems: list[str]) -> None:
        kind = shape.type_name
        if kind == "structure":
            if not isinstance(value, dict):
                problems.append(f"{path}: expected an object, got {type(value).__name__}")
                return
            for key, item in value.items():
                member = shape.members.get(key)
                if member is None:
                    problems.append(f"{path}.{key}: not a member of {shape.name}")
                else:
                    self._check(member, item, f"{path}.{key}", problems)
        elif kind == "list":
            if not isinstance(value, list):
                problems.append(f"{path}: expected a list, got {type(value).__name__}")
                return
            for i, item in enumerate(value):
                self._check(shape.member, item, f"{path}[{i}]", problems)
        elif kind == "map":
            if not isinstance(value, dict):
                problems.append(f"{path}: expected a map, got {type(value).__name__}")
                return
            for key, item in value.items():
                if not isinstance(key, str):
                    problems.append(f"{path}: map key {key!r} is not a string")
                self._check(shape.value, item, f"{path}[{key!r}]", problems)
        elif kind in ("string", "blob"):
            if not isinstance(value, str):
                problems.append(f"{path}: expected a string, got {value!r}")
            elif shape.enum and value not in shape.enum:
                problems.append(f"{path}: {value!r} is not one of {shape.name}'s values")
        elif kind in ("integer", "long"):
            if isinstance(value, bool) or not isinstance(value, int):
                problems.append(f"{path}: expected an integer, got {value!r}")
        elif kind == "boolean":
            if not isinstance(value, bool):
                problems.append(f"{path}: expected a boolean, got {value!r}")
        elif kind in ("float", "double"):
            if isinstance(value, bool) or not isinstance(value, _NUMBER):
                problems.append(f"{path}: expected a number, got {value!r}")
        elif kind == "timestamp":
            if isinstance(value, bool) or not isinstance(value, _NUMBER):
                problems.append(f"{path}: expected epoch seconds, got {value!r}")
