"""A real HTTP server in a background thread, for tests and scripts.

    server = EmulatorServer(port=0).start()
    boto3.client("ecs", endpoint_url=server.url, region_name="us-east-1")
    ...
    server.stop()
"""
from __future__ import annotations

import threading

from emulator.app import create_app
from emulator.engine import Emulator
from emulator.http_server import WSGIServer
from emulator.state_file import StateFile


class EmulatorServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, engine: Emulator | None = None,
                 state_file: str | None = None) -> None:
        self.host = host
        self.port = port
        self.engine = engine or Emulator()
        # Loaded now (StateFileError if it cannot be), written after every change once started.
        self.state_file = StateFile(self.engine, state_file) if state_file else None
        if self.state_file is not None:
            self.state_file.load()
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the server is not started")
        return f"http://{self.host}:{self._server.server_port}"

    @property
    def clock(self):
        return self.engine.clock

    def reset(self) -> None:
        self.engine.reset()

    def snapshot(self) -> dict:
        return self.engine.snapshot()

    def restore(self, doc: dict) -> None:
        self.engine.restore(doc)

    def start(self) -> "EmulatorServer":
        if self._server is None:
            self._server = WSGIServer(self.host, self.port, create_app(self.engine, self.state_file))
            self._thread = threading.Thread(target=self._server.serve_forever, name="emulator-server",
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None
            self._thread = None

    def __enter__(self) -> "EmulatorServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
