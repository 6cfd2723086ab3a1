"""REST-JSON (restJson1): operations routed by method and URI template.

Routes come from the HTTP bindings in ``schemas/<service>/_service.json``.
Matching is done on the raw, still percent-encoded path: an ARN in a label
arrives as ``arn%3Aaws%3Aeks%3A...%2Fname`` and must not be split on its
``/``.  Each label is decoded after the match.
"""
from __future__ import annotations

from urllib.parse import parse_qs, unquote

from emulator.protocol.errors import SerializationException, ServiceError, UnknownOperationException
from emulator.protocol.jsonutil import UnreadableBody, drop_nulls, dumps, loads_object
from emulator.protocol.messages import RawRequest, RawResponse


class MethodNotAllowed(UnknownOperationException):
    code = "UnknownOperationException"
    status = 405


class RouteNotFound(UnknownOperationException):
    code = "UnknownOperationException"
    status = 404


class _Route:
    __slots__ = ("operation", "method", "segments", "labels", "greedy", "binding")

    def __init__(self, operation: str, binding: dict) -> None:
        self.operation = operation
        self.method = binding["method"]
        self.binding = binding
        template = binding["requestUri"].split("?", 1)[0]
        self.segments = template.strip("/").split("/") if template.strip("/") else []
        self.greedy = bool(self.segments) and self.segments[-1].endswith("+}")

    @property
    def literal_count(self) -> int:
        return sum(1 for s in self.segments if not s.startswith("{"))

    def match(self, parts: list[str]) -> dict | None:
        segs = self.segments
        if self.greedy:
            if len(parts) < len(segs):
                return None
        elif len(parts) != len(segs):
            return None
        labels = {}
        for i, seg in enumerate(segs):
            if seg.startswith("{"):
                name = seg[1:-1]
                if name.endswith("+"):
                    labels[name[:-1]] = unquote("/".join(parts[i:]))
                    return labels
                if not parts[i]:
                    return None
                labels[name] = unquote(parts[i])
            elif seg != parts[i]:
                return None
        return labels


class RestJsonProtocol:
    def __init__(self, description: dict, invalid_body_error: type[ServiceError] = SerializationException) -> None:
        self.routes = sorted((_Route(op, d["http"]) for op, d in description["operations"].items()),
                             key=lambda r: -r.literal_count)
        self.invalid_body_error = invalid_body_error

    def _route(self, request: RawRequest) -> tuple[_Route, dict]:
        path = request.path.split("?", 1)[0].strip("/")
        parts = path.split("/") if path else []
        wrong_method = False
        for route in self.routes:
            labels = route.match(parts)
            if labels is None:
                continue
            if route.method == request.method:
                return route, labels
            wrong_method = True
        if wrong_method:
            raise MethodNotAllowed(f"Method {request.method} is not allowed on {request.path}")
        raise RouteNotFound(f"No operation matches {request.method} {request.path}")

    def parse(self, request: RawRequest) -> tuple[str, dict]:
        route, labels = self._route(request)
        binding = route.binding
        try:
            params = loads_object(request.body) if request.method not in ("GET", "HEAD") or request.body else {}
        except UnreadableBody as reason:
            raise reason.as_error(self.invalid_body_error) from None
        params = drop_nulls(params)
        for label, member in binding["path"].items():
            if label in labels:
                params[member] = labels[label]
        if request.query and binding["querystring"]:
            query = parse_qs(request.query, keep_blank_values=True)
            for key, target in binding["querystring"].items():
                if key in query:
                    params[target["member"]] = _query_value(query[key], target["type"])
        for header, target in binding["headers"].items():
            value = request.header(header)
            if value is not None:
                params[target["member"]] = _query_value([value], target["type"])
        return route.operation, params

    def success(self, result: dict, request_id: str) -> RawResponse:
        return RawResponse(200, {"Content-Type": "application/json", "x-amzn-RequestId": request_id},
                           dumps(result))

    def error_body(self, error: ServiceError) -> dict:
        body = {field: error.context.get(field) for field in error.fields}
        body["message"] = error.message
        return body

    def error(self, error: ServiceError, body: dict, request_id: str) -> RawResponse:
        return RawResponse(error.status, {"Content-Type": "application/json",
                                          "x-amzn-RequestId": request_id,
                                          "x-amzn-ErrorType": error.code}, dumps(body))


def _query_value(values: list[str], kind: str):
    """Query strings carry text; give each member its modelled type where it parses."""
    if kind == "list":
        return values
    value = values[-1]
    if kind == "boolean":
        lowered = value.lower()
        return True if lowered == "true" else False if lowered == "false" else value
    if kind in ("integer", "long"):
        try:
            return int(value)
        except ValueError:
            return value
    return value
