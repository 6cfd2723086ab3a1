"""In-process interception of aiobotocore (and so aioboto3) clients, for ``mock_aws``.

aiobotocore's ``AioEndpoint._do_get_response`` is a coroutine of its own (it does not call
botocore's), so it is wrapped the same way as botocore's, once, at class level, while a mock is
active: ECS, EKS and Application Auto Scaling requests go to the engine, whose bytes aiobotocore's own
(async) parser reads; every other service goes through the original method. The engine runs in a
worker thread, so a fault rule's latency or a busy store lock never blocks the event loop.

aiobotocore is optional: without it, :func:`install` does nothing.
"""
from __future__ import annotations

import asyncio
import importlib.util
from typing import Callable

from emulator.protocol.messages import RawRequest

_original = None       # AioEndpoint._do_get_response as aiobotocore defines it


class _AsyncBody:
    """The raw body aiobotocore reads a response from (``await raw.read()``)."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    async def read(self, *_) -> bytes:
        data, self._data = self._data, b""
        return data


def _installed() -> bool:
    return importlib.util.find_spec("aiobotocore") is not None


def install(active_engine: Callable) -> None:
    """Answer aiobotocore's requests from ``active_engine()`` (None: pass them through), if it is installed."""
    global _original
    if _original is not None or not _installed():
        return
    from aiobotocore.awsrequest import AioAWSResponse
    from aiobotocore.endpoint import AioEndpoint, convert_to_response_dict

    original = AioEndpoint._do_get_response

    async def intercepted_do_get_response(self, request, operation_model, context):
        engine = active_engine()
        service = operation_model.service_model.service_name
        if engine is None or service not in engine.services:
            return await original(self, request, operation_model, context)
        raw = RawRequest.from_url(request.method, request.url, request.headers, request.body)
        answer = await asyncio.to_thread(engine.handle, service, raw)
        http_response = AioAWSResponse(request.url, answer.status, answer.headers, _AsyncBody(answer.body))
        response_dict = await convert_to_response_dict(http_response, operation_model)
        parser = self._response_parser_factory.create_parser(operation_model.service_model.resolved_protocol)
        parsed = await parser.parse(response_dict, operation_model.output_shape)
        if http_response.status_code >= 300:
            await self._add_modeled_error_fields(response_dict, parsed, operation_model, parser)
        return (http_response, parsed), None

    _original = original
    AioEndpoint._do_get_response = intercepted_do_get_response


def uninstall() -> None:
    """Give aiobotocore its own method back."""
    global _original
    if _original is None:
        return
    from aiobotocore.endpoint import AioEndpoint
    AioEndpoint._do_get_response = _original
    _original = None
