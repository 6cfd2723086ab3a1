"""In-process interception of aiobotocore (and so aioboto3) clients, for ``mock_aws``.

aiobotocore's ``AioEndpoint._do_get_response`` is a coroutine of its own (it does not call
botocore's), so it is wrapped the same way as botocore's, once, at class level, while a mock is
active: ECS, EKS and Application Auto Scaling requests go to the engine, whose bytes aiobotocore's own
(async) parser reads; every other service goes through the original method. The engine runs in a
worker thread, so a fault rule's latency or a busy store lock never blocks the event loop.

aiobotocore is optional and slow to import (it brings aiohttp), so a mock never imports it: if
``aiobotocore.endpoint`` is already imported when the mock starts, the wrapper goes in at once;
otherwise a finder on ``sys.meta_path`` puts it in right after that module is first imported, inside
the block, and is taken out when the mock stops.
"""
from __future__ import annotations

import asyncio
import sys
from typing import Callable

from emulator.protocol.messages import RawRequest, botocore_header_pairs

_ENDPOINT_MODULE = "aiobotocore.endpoint"
_original = None       # AioEndpoint._do_get_response as aiobotocore defines it
_finder = None         # the _InstallOnImport on sys.meta_path, while waiting for aiobotocore


class _AsyncBody:
    """The raw body aiobotocore reads a response from (``await raw.read()``)."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    async def read(self, *_) -> bytes:
        data, self._data = self._data, b""
        return data


class _LoaderThenInstall:
    """aiobotocore.endpoint's own loader, which wraps the endpoint once the module has run."""

    def __init__(self, loader, active_engine: Callable) -> None:
        self._loader = loader
        self._active_engine = active_engine

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:
        self._loader.exec_module(module)
        _wrap(module.AioEndpoint, self._active_engine)

    def __getattr__(self, name):
        return getattr(self._loader, name)


class _InstallOnImport:
    """A ``sys.meta_path`` finder that only touches aiobotocore.endpoint: the real finders find it."""

    def __init__(self, active_engine: Callable) -> None:
        self._active_engine = active_engine

    def find_spec(self, fullname, path, target=None):
        if fullname != _ENDPOINT_MODULE:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _LoaderThenInstall(spec.loader, self._active_engine)
                return spec
        return None


def _wrap(endpoint_class, active_engine: Callable) -> None:
    global _original
    if _original is not None:
        return
    from aiobotocore.awsrequest import AioAWSResponse
    from aiobotocore.endpoint import convert_to_response_dict

    original = endpoint_class._do_get_response

    async def intercepted_do_get_response(self, request, operation_model, context):
        engine = active_engine()
        service = operation_model.service_model.service_name
        if engine is None or service not in engine.services:
            return await original(self, request, operation_model, context)
        raw = RawRequest.from_url(request.method, request.url, botocore_header_pairs(request.headers),
                                  request.body)
        answer = await asyncio.to_thread(engine.handle, service, raw)
        http_response = AioAWSResponse(request.url, answer.status, answer.headers, _AsyncBody(answer.body))
        response_dict = await convert_to_response_dict(http_response, operation_model)
        parser = self._response_parser_factory.create_parser(operation_model.service_model.resolved_protocol)
        parsed = await parser.parse(response_dict, operation_model.output_shape)
        if http_response.status_code >= 300:
            await self._add_modeled_error_fields(response_dict, parsed, operation_model, parser)
        return (http_response, parsed), None

    _original = original
    endpoint_class._do_get_response = intercepted_do_get_response


def install(active_engine: Callable) -> None:
    """Answer aiobotocore's requests from ``active_engine()`` (None: pass them through), now or once imported."""
    global _finder
    endpoint = sys.modules.get(_ENDPOINT_MODULE)
    if endpoint is not None and hasattr(endpoint, "AioEndpoint"):
        _wrap(endpoint.AioEndpoint, active_engine)
    elif _finder is None:
        _finder = _InstallOnImport(active_engine)
        sys.meta_path.insert(0, _finder)


def uninstall() -> None:
    """Stop waiting for aiobotocore, and give it its own method back."""
    global _original, _finder
    if _finder is not None:
        if _finder in sys.meta_path:
            sys.meta_path.remove(_finder)
        _finder = None
    if _original is None:
        return
    sys.modules[_ENDPOINT_MODULE].AioEndpoint._do_get_response = _original
    _original = None
