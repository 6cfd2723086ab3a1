"""``python -m emulator`` / ``ecs-eks-emulator``: serve the emulator over HTTP."""
from __future__ import annotations

import argparse
import logging
import os
import sys

from emulator import __version__
from emulator.app import create_app
from emulator.config import Config
from emulator.engine import Emulator
from emulator.http_server import WSGIServer
from emulator.state_file import StateFile, StateFileError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ecs-eks-emulator",
                                     description="Serve an emulator of the Amazon ECS and EKS APIs.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5000, help="port to listen on (default 5000)")
    parser.add_argument("--timing", choices=("instant", "realistic"),
                        help="lifecycle durations (default: EMULATOR_TIMING or instant)")
    parser.add_argument("--state-file", metavar="PATH", default=os.environ.get("EMULATOR_STATE_FILE") or None,
                        help="load the state from PATH at start (if it exists) and write it there after every "
                             "change (default: EMULATOR_STATE_FILE, else kept in memory only)")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(asctime)s %(message)s", stream=sys.stderr)
    config = Config.from_env()
    if args.timing:
        config.set_timing(args.timing)
    engine = Emulator(config=config)
    state_file = None
    if args.state_file:
        state_file = StateFile(engine, args.state_file)
        try:
            loaded = state_file.load()
            state_file.save()
        except StateFileError as exc:
            print(f"ecs-eks-emulator: {exc}", file=sys.stderr)
            return 2
        logging.getLogger("emulator").warning("state %s %s", "loaded from" if loaded else "kept in",
                                              state_file.path)
    server = WSGIServer(args.host, args.port, create_app(engine, state_file))
    logging.getLogger("emulator").warning(
        "ecs-eks-emulator %s listening on http://%s:%d (timing: %s)", __version__, args.host,
        server.server_port, config.timing)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        logging.getLogger("emulator").warning("stopped")
    return 0
