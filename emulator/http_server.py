"""A small threaded HTTP/1.1 WSGI server with keep-alive.

werkzeug's development server closes the connection after every response,
so each SDK call pays for a new TCP connection and a new thread; SDKs keep
connections open, and over a benchmark that is most of the time spent.  This
server keeps them open (one thread per connection, as SDK connection pools
expect) and hands each request to the Flask app through WSGI.
"""
from __future__ import annotations

import io
import logging
import socket
import socketserver
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from emulator.protocol.jsonutil import MAX_BODY_BYTES

logger = logging.getLogger("emulator.http")


class WSGIRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ecs-eks-emulator"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle_one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            self._run_app()
            self.wfile.flush()
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def _read_body(self) -> bytes:
        """The body, read to its end so the connection stays usable; past ``MAX_BODY_BYTES + 1`` bytes
        the rest is read and dropped: the protocol answers 413 whatever follows."""
        kept = _BoundedBody(MAX_BODY_BYTES + 1)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return kept.value()
                kept.read_from(self.rfile, size)
                self.rfile.readline()
        kept.read_from(self.rfile, int(self.headers.get("Content-Length") or 0))
        return kept.value()

    def _environ(self, body: bytes) -> dict:
        path, _, query = self.path.partition("?")
        environ = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(path, "latin-1"),
            "QUERY_STRING": query,
            "RAW_URI": self.path,
            "REQUEST_URI": self.path,
            "SERVER_NAME": self.server.server_address[0],
            "SERVER_PORT": str(self.server.server_address[1]),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        if "Content-Type" in self.headers:
            environ["CONTENT_TYPE"] = self.headers["Content-Type"]
        for key, value in self.headers.items():
            name = "HTTP_" + key.upper().replace("-", "_")
            # The body is read whole (de-chunked) and its length set above: a Transfer-Encoding
            # passed on would make werkzeug read the body as empty.
            if name not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH", "HTTP_TRANSFER_ENCODING"):
                environ[name] = f"{environ[name]},{value}" if name in environ else value
        return environ

    def _run_app(self) -> None:
        if self.headers.get("Expect", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        environ = self._environ(self._read_body())
        status_headers: list = []

        def start_response(status, headers, exc_info=None):
            status_headers[:] = [status, headers]
            return lambda data: None

        result = self.server.app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        status, headers = status_headers
        code, _, reason = status.partition(" ")
        self.send_response_only(int(code), reason)
        for key, value in headers:
            if key.lower() not in ("content-length", "connection"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        # Head and body in one write: two small writes would wait on Nagle + delayed ACK.
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD":
            self._headers_buffer.append(body)
        self.flush_headers()

    def log_message(self, format: str, *args) -> None:  # the app logs each request itself
        logger.debug(format, *args)


class _BoundedBody:
    """The first ``limit`` bytes of a body read in pieces; the rest is read and not kept."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def read_from(self, stream, length: int) -> None:
        while length > 0:
            data = stream.read(min(length, _READ_CHUNK))
            if not data:
                return
            length -= len(data)
            room = self.limit - self.size
            if room > 0:
                self.parts.append(data[:room])
                self.size += min(room, len(data))

    def value(self) -> bytes:
        return b"".join(self.parts)


_READ_CHUNK = 1 << 20


class WSGIServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, port: int, app) -> None:
        self.app = app
        super().__init__((host, port), WSGIRequestHandler)  # sets server_port

    def server_bind(self) -> None:
        # HTTPServer.server_bind would resolve the host's FQDN, which can stall without DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]
