"""A server's state kept in a file (``python -m emulator --state-file PATH``).

The file is a state document (``emulator.core.snapshot``), read at start and written again after
every request that changed the state, before that request is answered.  Each write goes to
``PATH.tmp``, is flushed to disk, then renamed over ``PATH``, so the file is always a whole document:
a server killed at any moment restarts with everything it had acknowledged.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time

from emulator.core.snapshot import SnapshotError

logger = logging.getLogger("emulator")


class StateFileError(Exception):
    """The state file cannot be read or written; the message names it."""


class StateFile:
    def __init__(self, engine, path: str) -> None:
        self.engine = engine
        self.path = os.path.abspath(path)
        self._lock = threading.Lock()     # one writer at a time, each with a snapshot newer than the last
        self._written: str | None = None  # the stores, clock and config last written, to skip unchanged states
        self.writes = 0
        self.write_seconds = 0.0

    def load(self) -> bool:
        """Restore the engine from the file; False if there is none yet."""
        try:
            with open(self.path, "rb") as file:
                data = file.read()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise StateFileError(f"cannot read the state file {self.path}: {exc.strerror}.") from None
        try:
            doc = json.loads(data)
        except ValueError as exc:
            raise StateFileError(f"the state file {self.path} is not a JSON document ({exc}).") from None
        try:
            self.engine.restore(doc)
        except SnapshotError as exc:
            raise StateFileError(f"the state file {self.path} cannot be restored: {exc}") from None
        return True

    def save(self) -> bool:
        """Write the engine's state if it changed since the last write; True if it was written."""
        with self._lock:
            started = time.perf_counter()
            try:
                doc = self.engine.snapshot()
            except SnapshotError as exc:
                raise StateFileError(f"cannot write the state file {self.path}: {exc}") from None
            # What is compared leaves out when the document was made, and a running clock's "now",
            # which change by themselves.
            created, clock = doc.pop("createdAt"), doc["clock"]
            now = clock["now"] if clock["frozen"] else clock.pop("now")
            state = json.dumps(doc, separators=(",", ":"))
            if state == self._written:
                return False
            clock["now"] = now
            text = json.dumps({**doc, "createdAt": created}, separators=(",", ":"))
            temporary = self.path + ".tmp"
            try:
                with open(temporary, "w", encoding="utf-8") as file:
                    file.write(text)
                    file.flush()
                    os.fsync(file.fileno())
                os.replace(temporary, self.path)
                self._sync_directory()
            except OSError as exc:
                raise StateFileError(f"cannot write the state file {self.path}: {exc.strerror}.") from None
            self._written = state
            self.writes += 1
            self.write_seconds += time.perf_counter() - started
            return True

    def _sync_directory(self) -> None:
        """Make the rename itself durable (where directories can be opened)."""
        try:
            descriptor = os.open(os.path.dirname(self.path), os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(descriptor)
        except OSError:
            pass
        finally:
            os.close(descriptor)
