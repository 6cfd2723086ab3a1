"""The request log: the last calls an engine answered, newest last, for tests and the dashboard.

Each entry says what was called and how it ended::

    {"id": "<request id>", "time": <clock epoch seconds>, "service": "ecs", "operation": "RunTask",
     "account": "123456789012", "region": "us-east-1", "status": 200, "errorType": None,
     "durationMs": 0.41}

It is bounded (``EMULATOR_REQUEST_LOG``, default 1000 entries; the oldest go first) and a reset
clears it.  Entries are appended under one lock, so parallel clients lose none.
"""
from __future__ import annotations

import threading
from collections import deque

DEFAULT_SIZE = 1000


class RequestLog:
    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._entries: deque = deque(maxlen=max(1, int(size)))
        self._lock = threading.Lock()

    def record(self, entry: dict) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self, limit: int | None = None, service: str | None = None,
                operation: str | None = None) -> list[dict]:
        """The newest ``limit`` entries (all by default), oldest first, optionally of one service/operation."""
        with self._lock:
            entries = list(self._entries)
        if service is not None:
            entries = [e for e in entries if e["service"] == service]
        if operation is not None:
            entries = [e for e in entries if e["operation"] == operation]
        if limit is not None:
            entries = entries[-limit:] if limit > 0 else []
        return [dict(e) for e in entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    @property
    def size(self) -> int:
        return self._entries.maxlen
