"""The dashboard: one page served by the app itself, showing the emulator's state as it changes.

``GET /_emulator/ui``          the page (``index.html``, ``dashboard.css``, ``dashboard.js`` beside this file)
``GET /_emulator/ui/state``    what the page polls: resources and timeline of one account and Region
                               (``?account=&region=``; see ``emulator.ui.snapshot``)

The page changes nothing by itself: its clock and reset buttons call the admin endpoints.
"""
from __future__ import annotations

from importlib import resources

from flask import Flask, Response, abort, request

from emulator.protocol.jsonutil import dumps
from emulator.ui.snapshot import state_of

FILES = {"": ("index.html", "text/html"), "dashboard.css": ("dashboard.css", "text/css"),
         "dashboard.js": ("dashboard.js", "text/javascript")}


def _file(name: str) -> bytes:
    return resources.files(__name__).joinpath(name).read_bytes()


def register(app: Flask, engine) -> None:
    @app.get("/_emulator/ui/state")
    def ui_state():
        state = state_of(engine, request.args.get("account") or None, request.args.get("region") or None)
        return Response(dumps(state), mimetype="application/json", headers={"Cache-Control": "no-store"})

    @app.get("/_emulator/ui", defaults={"name": ""})
    @app.get("/_emulator/ui/<name>")
    def ui_file(name: str):
        if name not in FILES:
            abort(404)
        filename, mimetype = FILES[name]
        return Response(_file(filename), mimetype=mimetype, headers={"Cache-Control": "no-cache"})
