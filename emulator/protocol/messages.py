"""A request and a response as the protocol layer sees them, whatever carried them."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class RawRequest:
    method: str
    path: str              # raw path, still percent-encoded
    query: str             # raw query string, without '?'
    headers: dict          # case-insensitive lookups are done with .get on both cases
    body: bytes = b""

    @classmethod
    def from_url(cls, method: str, url: str, headers, body) -> "RawRequest":
        parts = urlsplit(url)
        if body is None:
            body = b""
        elif isinstance(body, str):
            body = body.encode()
        elif not isinstance(body, (bytes, bytearray)):
            body = body.read()  # a file-like body
        return cls(method.upper(), parts.path or "/", parts.query, Headers(headers), bytes(body))

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name, default)


class Headers(dict):
    """A plain dict with case-insensitive ``get``."""

    def __init__(self, headers) -> None:
        items = headers.items() if hasattr(headers, "items") else (headers or ())
        # names and values may come as bytes; written out inline: this runs on every header of every request
        super().__init__({(key.decode() if isinstance(key, bytes) else key).lower():
                          value.decode() if isinstance(value, bytes) else value for key, value in items})

    def get(self, key, default=None):  # type: ignore[override]
        return super().get(key.lower(), default)

    def __contains__(self, key) -> bool:  # type: ignore[override]
        return super().__contains__(key.lower())


@dataclass
class RawResponse:
    status: int
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    operation: str | None = None   # for the request log


def botocore_header_pairs(headers):
    """A botocore request's headers as (name, value) pairs.  Its ``HeadersDict`` wraps the name again
    on every lookup, which costs more than all the rest of taking the request, so its own table is
    read when it has the one botocore 1.x keeps."""
    table = getattr(headers, "_dict", None)
    if type(table) is dict:
        try:
            return [(key._key, value) for key, value in table.items()]
        except AttributeError:
            pass
    return headers
