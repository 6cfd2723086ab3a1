"""AWS JSON 1.x (awsJson1_1): ``POST /`` with ``X-Amz-Target: <prefix>.<Operation>``."""
from __future__ import annotations

from emulator.protocol.errors import SerializationException, ServiceError, UnknownOperationException
from emulator.protocol.jsonutil import UnreadableBody, drop_nulls, dumps, loads_object
from emulator.protocol.messages import RawRequest, RawResponse


class JsonRpcProtocol:
    def __init__(self, description: dict) -> None:
        self.target_prefix = description["targetPrefix"]
        self.operations = frozenset(description["operations"])
        self.content_type = f"application/x-amz-json-{description.get('jsonVersion') or '1.1'}"

    def handles(self, request: RawRequest) -> bool:
        target = request.header("X-Amz-Target") or ""
        return target.startswith(self.target_prefix + ".")

    def parse(self, request: RawRequest) -> tuple[str, dict]:
        target = request.header("X-Amz-Target") or ""
        prefix, _, operation = target.rpartition(".")
        if request.method != "POST" or prefix != self.target_prefix or operation not in self.operations:
            raise UnknownOperationException(f"Unknown operation {target or '(no X-Amz-Target)'}")
        try:
            params = loads_object(request.body)
        except UnreadableBody as reason:
            raise reason.as_error(SerializationException) from None
        return operation, drop_nulls(params)

    def success(self, result: dict, request_id: str) -> RawResponse:
        return RawResponse(200, {"Content-Type": self.content_type, "x-amzn-RequestId": request_id},
                           dumps(result))

    def error_body(self, error: ServiceError) -> dict:
        body = {"__type": error.code, "message": error.message}
        body.update({k: v for k, v in error.context.items() if v is not None})
        return body

    def error(self, error: ServiceError, body: dict, request_id: str) -> RawResponse:
        return RawResponse(error.status, {"Content-Type": self.content_type,
                                          "x-amzn-RequestId": request_id,
                                          "x-amzn-ErrorType": error.code}, dumps(body))
