"""The AWS front door as a plain WSGI callable, in front of the Flask app.

Every AWS call goes straight from the WSGI environ to :meth:`Emulator.handle` and back, without
Flask's routing, request and response objects (most of a call's cost over HTTP once the engine is
fast).  The admin endpoints (``/_emulator/...``), methods the front door does not serve, and
anything that goes wrong on the way are handed to the Flask app, which answers them as it always
has (its ``aws`` route serves the same requests the same way, through :func:`raw_request`).  A
server with a state file keeps every call in Flask, whose ``after_request`` writes the file.
"""
from __future__ import annotations

import io
import logging
import time

from werkzeug.http import HTTP_STATUS_CODES

from emulator.protocol.messages import Headers, RawRequest

logger = logging.getLogger("emulator.requests")
AWS_METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"})
ADMIN_PREFIX = "/_emulator"


def raw_request(method: str, environ: dict, headers, body: bytes) -> RawRequest:
    """The request as the engine sees it: the path still percent-encoded, as the client signed it."""
    raw_target = environ.get("RAW_URI") or environ.get("REQUEST_URI") or "/" + environ.get("PATH_INFO", "").lstrip("/")
    return RawRequest(method, raw_target.split("?", 1)[0], environ.get("QUERY_STRING", ""), Headers(headers), body)


def environ_headers(environ: dict) -> dict:
    """The request headers a WSGI environ carries (``HTTP_X_AMZ_TARGET`` is ``x-amz-target``)."""
    headers = {key[5:].replace("_", "-"): value for key, value in environ.items() if key.startswith("HTTP_")}
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-")] = environ[key]
    return headers


def serve(engine, method: str, raw: RawRequest, started: float):
    """Hand one AWS request to the engine and log it; returns the engine's response."""
    service = engine.service_for(raw)
    answer = engine.handle(service, raw)
    logger.info("%s %s %s %s -> %d (%.1f ms)", service, answer.operation or "-", method,
                raw.path, answer.status, (time.perf_counter() - started) * 1000)
    return answer


class FrontDoor:
    """``wsgi_app`` for AWS calls, the ``fallback`` WSGI app (Flask's) for everything else."""

    def __init__(self, engine, fallback) -> None:
        self.engine = engine
        self.fallback = fallback

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in AWS_METHODS or environ.get("PATH_INFO", "").startswith(ADMIN_PREFIX):
            return self.fallback(environ, start_response)
        started = time.perf_counter()
        body = _read_body(environ)
        try:
            answer = serve(self.engine, method, raw_request(method, environ, environ_headers(environ), body),
                           started)
        except Exception:  # noqa: BLE001 - Flask's error handlers answer it, as they would have
            environ["wsgi.input"] = io.BytesIO(body)
            return self.fallback(environ, start_response)
        headers = list(answer.headers.items())
        payload = b"" if method == "HEAD" else answer.body
        headers.append(("Content-Length", str(len(answer.body))))
        start_response(f"{answer.status} {HTTP_STATUS_CODES.get(answer.status, 'UNKNOWN').upper()}", headers)
        return [payload]


def _read_body(environ: dict) -> bytes:
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length = environ.get("CONTENT_LENGTH")
    if length:
        try:
            return stream.read(int(length))
        except ValueError:
            return b""
    if environ.get("wsgi.input_terminated"):
        return stream.read()
    return b""
