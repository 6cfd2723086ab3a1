"""The Flask app: the AWS front door for every service, and the admin endpoints.

Admin endpoints (JSON in and out):

``GET  /_emulator/health``  status, version, implemented operations per service
``POST /_emulator/reset``   drop all state (and unfreeze the clock)
``GET  /_emulator/clock``   ``{"now": <epoch seconds>, "frozen": bool}``
``POST /_emulator/clock``   ``{"freeze": true[, "at": t]}``, ``{"unfreeze": true}`` or ``{"advance": s}``
``GET  /_emulator/config``  accounts, timing profile and every lifecycle duration
``POST /_emulator/config``  ``{"timing": "instant"|"realistic", "durations": {name: seconds}}``
``POST /_emulator/ecs/failures``  declare that matching ECS tasks (or Lambda lifecycle hooks) fail (see ``emulator.ecs.failures``)
``GET  /_emulator/ecs/failures``  ``{"rules": [...]}``; ``DELETE`` removes them (``?id=`` one)
``POST /_emulator/faults``   make calls of a service (or one operation) answer an error or answer late (see ``emulator.faults``)
``GET  /_emulator/faults``   ``{"rules": [...]}`` with how often each fired; ``DELETE`` removes them (``?id=`` one)
``POST /_emulator/metrics``  set a metric Application Auto Scaling reads (see ``emulator.metrics``)
``GET  /_emulator/metrics``  ``{"metrics": [...]}`` of one account and Region
``POST /_emulator/alarms``   declare a metric alarm whose actions are scaling policies (step scaling)
``GET  /_emulator/alarms``   ``{"alarms": [...]}``, target tracking's included, with their states
``GET  /_emulator/state``   the state document: every account and Region, the clock, the timing, the rules
``PUT  /_emulator/state``   put a state document back (see ``emulator.core.snapshot``)
``GET  /_emulator/requests``  ``{"requests": [...]}``: the latest calls, oldest first
                              (``?limit=N&service=ecs&operation=RunTask``; see ``emulator.core.request_log``)
``GET  /_emulator/ui``        the dashboard page; ``GET /_emulator/ui/state`` the JSON it polls (see ``emulator.ui``)
"""
from __future__ import annotations

import json
import logging
import time

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from emulator import front_door
from emulator.core.snapshot import SnapshotError
from emulator.engine import Emulator
from emulator.state_file import StateFile, StateFileError

logger = logging.getLogger("emulator.requests")
ALL_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]
# Admin reads that cannot change the state (AWS reads can: they run the lifecycles due).
_PURE_READS = frozenset({"/_emulator/health", "/_emulator/state", "/_emulator/requests", "/_emulator/clock",
                         "/_emulator/config"})


def _is_dashboard_file(path: str) -> bool:
    """The dashboard's page and its static files (its state endpoint reads through the API, which runs lifecycles)."""
    return path.startswith("/_emulator/ui") and path != "/_emulator/ui/state"


def _admin_error(message: str, status: int = 400):
    response = jsonify({"__type": "InvalidRequest", "message": message})
    response.status_code = status
    response.headers["x-amzn-ErrorType"] = "InvalidRequest"   # typed like every other error answer
    return response


def create_app(engine: Emulator | None = None, state_file: StateFile | None = None) -> Flask:
    """The app of ``engine``; with ``state_file``, every request that changed the state writes it
    before being answered."""
    engine = engine or Emulator()
    app = Flask("emulator")
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    app.extensions["emulator"] = engine

    @app.get("/_emulator/health")
    def health():
        return jsonify(engine.health())

    @app.post("/_emulator/reset")
    def reset():
        engine.reset()
        return jsonify({"status": "ok"})

    @app.route("/_emulator/clock", methods=["GET", "POST"])
    def clock():
        if request.method == "POST":
            body = request.get_json(force=True, silent=True)
            if not isinstance(body, dict):
                return _admin_error("Expected a JSON object.")
            try:
                if body.get("freeze"):
                    engine.clock.freeze(body.get("at"))
                elif body.get("unfreeze"):
                    engine.clock.unfreeze()
                elif "advance" in body:
                    engine.clock.advance(float(body["advance"]))
                else:
                    return _admin_error('Expected "freeze", "unfreeze" or "advance".')
            except (TypeError, ValueError) as exc:
                return _admin_error(str(exc))
        return jsonify(engine.clock.describe())

    @app.route("/_emulator/config", methods=["GET", "POST"])
    def config():
        if request.method == "POST":
            body = request.get_json(force=True, silent=True)
            if not isinstance(body, dict):
                return _admin_error("Expected a JSON object.")
            try:
                engine.config.set_timing(body.get("timing"), **{
                    name: float(seconds) for name, seconds in (body.get("durations") or {}).items()})
            except (TypeError, ValueError) as exc:
                return _admin_error(str(exc))
        return jsonify(engine.config.describe())

    def rules_endpoint(declare, remove, listing):
        """POST: the rule ``declare(body, account, region)`` made; DELETE: ``{"removed": remove(engine, id,
        account, region)}``; GET: ``{"rules": listing(engine, account, region)}``. ``account`` and ``region``
        come from the query string (a POST body may name its own)."""
        account, region = request.args.get("account"), request.args.get("region")
        if request.method == "POST":
            body = request.get_json(force=True, silent=True)
            if not isinstance(body, dict):
                return _admin_error("Expected a JSON object.")
            try:
                return jsonify(declare(body, body.get("account", account), body.get("region", region)))
            except (TypeError, ValueError) as exc:
                return _admin_error(str(exc))
        if request.method == "DELETE":
            return jsonify({"removed": remove(engine, request.args.get("id"), account, region)})
        return jsonify({"rules": listing(engine, account, region)})

    @app.route("/_emulator/ecs/failures", methods=["GET", "POST", "DELETE"])
    def ecs_failures():
        from emulator.ecs import failures

        def declare(body, account, region):
            count = None if body.get("count") is None else int(body["count"])
            if body.get("hookTargetArn") is not None:     # what a Lambda lifecycle hook answers
                return failures.fail_hooks(
                    engine, body["hookTargetArn"], status=body.get("hookStatus", "FAILED"),
                    call_back_delay=float(body.get("callBackDelay", failures.CALL_BACK_DELAY)),
                    count=count, account=account, region=region)
            return failures.fail_tasks(
                engine, image=body.get("image"), family=body.get("family"), reason=body.get("reason"),
                exit_code=None if body.get("exitCode") is None else int(body["exitCode"]),
                after=float(body.get("after", 0)), container=body.get("container"),
                count=count, account=account, region=region)
        return rules_endpoint(declare, failures.clear_failures, failures.failure_rules)

    @app.route("/_emulator/faults", methods=["GET", "POST", "DELETE"])
    def faults():
        from emulator import faults as fault_api

        def declare(body, account, region):
            unknown = sorted(set(body) - set(fault_api.FIELDS))
            if unknown:
                raise ValueError(f"Unknown fields {unknown}: expected {', '.join(fault_api.FIELDS)}.")
            fields = {**body, "account": account, "region": region}
            return fault_api.inject(engine, fields.pop("service", None), **fields)
        return rules_endpoint(declare, fault_api.clear_faults, fault_api.fault_rules)

    def listed_or_declared(key: str, listing, declare):
        """GET: ``{key: listing(engine, account, region)}``; POST: what ``declare(body, account, region)`` made.
        ``account`` and ``region`` come from the query string, or the body's own."""
        account, region = request.args.get("account"), request.args.get("region")
        if request.method == "GET":
            return jsonify({key: listing(engine, account, region)})
        body = request.get_json(force=True, silent=True)
        if not isinstance(body, dict):
            return _admin_error("Expected a JSON object.")
        try:
            return jsonify(declare(body, body.get("account", account), body.get("region", region)))
        except (KeyError, TypeError, ValueError) as exc:
            return _admin_error(f"Invalid {key[:-1]}: {exc}")

    @app.route("/_emulator/metrics", methods=["GET", "POST"])
    def metrics():
        from emulator import metrics as metric_api
        return listed_or_declared("metrics", metric_api.metrics, lambda body, account, region: metric_api.set_metric(
            engine, str(body.get("cluster") or ""), str(body.get("service") or ""), str(body.get("metricName") or ""),
            float(body["value"]), account=account, region=region))

    @app.route("/_emulator/alarms", methods=["GET", "POST"])
    def alarms():
        from emulator import metrics as metric_api
        return listed_or_declared("alarms", metric_api.alarms, lambda body, account, region: metric_api.put_alarm(
            engine, str(body.get("alarmName") or ""), str(body.get("cluster") or ""), str(body.get("service") or ""),
            str(body.get("metricName") or ""), threshold=float(body["threshold"]),
            comparison=str(body.get("comparisonOperator", "GreaterThanOrEqualToThreshold")),
            evaluation_periods=int(body.get("evaluationPeriods", 1)),
            datapoints_to_alarm=None if body.get("datapointsToAlarm") is None else int(body["datapointsToAlarm"]),
            alarm_actions=[str(arn) for arn in body.get("alarmActions") or []], account=account, region=region))

    @app.route("/_emulator/state", methods=["GET", "PUT"])
    def state():
        if request.method == "GET":
            return jsonify(engine.snapshot())
        try:
            doc = json.loads(request.get_data(cache=False))
        except (ValueError, RecursionError) as exc:
            return _admin_error(f"The state document is not valid JSON: {exc}.")
        try:
            engine.restore(doc)
        except SnapshotError as exc:
            return _admin_error(str(exc))
        return jsonify({"status": "ok", "clock": engine.clock.describe()})

    if state_file is not None:
        @app.after_request
        def persist(response: Response):
            path = request.path.rstrip("/")
            if request.method == "GET" and (path in _PURE_READS or _is_dashboard_file(path)):
                return response
            try:
                state_file.save()
            except StateFileError as exc:
                logger.error("%s", exc)
                return _admin_error(str(exc), 500)
            return response

    @app.get("/_emulator/requests")
    def requests_log():
        limit = request.args.get("limit")
        try:
            limit = None if limit is None else int(limit)
        except ValueError:
            return _admin_error(f"limit must be a whole number, not {limit!r}.")
        return jsonify({"requests": engine.request_log.entries(
            limit, service=request.args.get("service"), operation=request.args.get("operation"))})

    from emulator import ui
    ui.register(app, engine)

    @app.route("/", defaults={"path": ""}, methods=ALL_METHODS)
    @app.route("/<path:path>", methods=ALL_METHODS)
    def aws(path: str):
        started = time.perf_counter()
        raw = front_door.raw_request(request.method, request.environ, request.headers, request.get_data(cache=False))
        answer = front_door.serve(engine, request.method, raw, started)
        return Response(answer.body, status=answer.status, headers=answer.headers)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return _admin_error(exc.description or exc.name, exc.code or 400)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        logger.exception("unhandled error")
        return _admin_error("An internal error occurred in the emulator.", 500)

    if state_file is None:   # with a state file, every AWS call goes through ``persist`` above
        app.wsgi_app = front_door.FrontDoor(engine, app.wsgi_app)  # AWS calls skip Flask's routing
    return app
