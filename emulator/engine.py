"""The engine: one request in, one response out, whichever way it arrived.

``mock_aws`` (in-process), the Flask app (server) and the pytest fixtures all
hand a :class:`RawRequest` to :meth:`Emulator.handle` and send back the bytes
of the :class:`RawResponse` it returns.
"""
from __future__ import annotations

import contextlib
import logging
import time

from emulator.config import Config
from emulator.core import hooks, identity, ids
from emulator.core.clock import Clock
from emulator.core.request_log import RequestLog
from emulator.core.service import RequestContext, Service
from emulator.core.state import Stores
from emulator.faults import FaultRules
from emulator.protocol.errors import NotImplementedOperation, ServiceError
from emulator.protocol.json_rpc import JsonRpcProtocol
from emulator.protocol.jsonutil import drop_nulls
from emulator.protocol.messages import RawRequest, RawResponse
from emulator.protocol.rest_json import RestJsonProtocol
from emulator.protocol.validation import Validator

logger = logging.getLogger("emulator")


def all_services() -> dict[str, Service]:
    from emulator.autoscaling.service import autoscaling
    from emulator.ecs.service import ecs
    from emulator.eks.service import eks
    for service in (ecs, eks, autoscaling):
        service.load_handlers()
    return {"ecs": ecs, "eks": eks, autoscaling.name: autoscaling}


class Emulator:
    def __init__(self, config: Config | None = None, clock: Clock | None = None) -> None:
        self.config = config or Config.from_env()
        self.clock = clock or Clock()
        self.services = all_services()
        self._stores = {name: Stores(s.store_factory) for name, s in self.services.items()}
        self._validators = {name: Validator(name) for name in self.services}
        self._protocols: dict = {}
        for name, service in self.services.items():
            if service.description["protocol"] == "json":
                self._protocols[name] = JsonRpcProtocol(service.description)
            else:
                self._protocols[name] = RestJsonProtocol(
                    service.description, invalid_body_error=service.invalid_body_error)
        self.request_log = RequestLog(self.config.request_log_size)
        self.faults = FaultRules()
        self._json_services = [n for n, p in self._protocols.items() if isinstance(p, JsonRpcProtocol)]
        self._rest_services = [n for n, p in self._protocols.items() if isinstance(p, RestJsonProtocol)]
        self._catch_ups = [s.catch_up for s in self.services.values() if s.catch_up is not None]

    # -- state -------------------------------------------------------------
    def store(self, service: str, account: str | None = None, region: str = identity.DEFAULT_REGION):
        """The store of one (account, region), brought up to the clock's now."""
        with self.locked_store(service, account, region) as store:
            return store

    @contextlib.contextmanager
    def locked_store(self, service: str, account: str | None = None, region: str = identity.DEFAULT_REGION):
        """The store of one (account, region), brought up to the clock's now and locked for the block: a
        change made there lands in the store in place, never in one a restore has just replaced."""
        account = account or self.config.default_account
        self.catch_up(account, region)
        store = self.lock_current_store(service, account, region)
        try:
            store.timeline.run_until(self.clock.now())
            yield store
        finally:
            store.lock.release()

    def store_as_is(self, service: str, account: str, region: str):
        """The store of one (account, region) as it stands (created if new), its timeline not run."""
        return self._stores[service].get(account, region)

    def find_store(self, service: str, account: str, region: str):
        """Like :meth:`store_as_is`, but None for an (account, region) the service never saw."""
        return self._stores[service].find(account, region)

    def scopes(self) -> list[tuple[str, str]]:
        """Every (account, region) some service has state for, sorted."""
        return sorted({(store.account, store.region)
                       for stores in self._stores.values() for store in stores.existing()})

    def lock_current_store(self, service: str, account: str, region: str, create: bool = True):
        """The store of (account, region), locked (the caller releases it), and still the one in place once
        locked (a restore may have put another there while the caller waited for the lock); with ``create``
        false, None for an (account, region) the service never saw.  A plain call, not a context manager:
        every request takes this path."""
        stores = self._stores[service]
        while True:
            store = stores.get(account, region) if create else stores.find(account, region)
            if store is None:
                return None
            store.lock.acquire()
            if stores.find(account, region) is store:
                return store
            store.lock.release()

    def catch_up(self, account: str, region: str) -> None:
        """Run, before any store lock of (account, region) is taken, what services have due up to now that
        change other services' stores (Application Auto Scaling changes ECS desired counts): their locks are
        always taken in that order, so a store's own timeline never runs ahead of a change due to it."""
        for catch_up in self._catch_ups:
            catch_up(self, account, region)

    @contextlib.contextmanager
    def _all_locked(self):
        """Every store of every service locked: the state holds still (a store created meanwhile is new,
        as if made just after).  Stores whose services catch up (autoscaling) are locked first, the order
        requests take them in."""
        order = sorted(self._stores, key=lambda name: self.services[name].catch_up is None)
        with contextlib.ExitStack() as stack:
            for name in order:
                for store in self._stores[name].existing():
                    stack.enter_context(store.lock)
            yield

    def snapshot(self) -> dict:
        """A JSON-serialisable document of all state: every account and Region, the clock, the timing
        (see :mod:`emulator.core.snapshot`)."""
        from emulator.core import snapshot
        with self._all_locked():
            return snapshot.take(self, {name: stores.by_place() for name, stores in self._stores.items()})

    def restore(self, doc: dict) -> None:
        """Put back the state of a :meth:`snapshot` document; a bad one raises ``SnapshotError`` and
        changes nothing."""
        from emulator.core import snapshot
        restored = snapshot.read(self, doc)
        with self._all_locked():
            for name, stores in self._stores.items():
                with stores.lock:
                    stores.replace(restored.stores.get(name, {}))
            self.clock.set_state(restored.clock)
            restored.advance_sequences()
            with self.faults.lock:
                self.faults.replace(restored.faults)
            config = restored.config
            self.config.replace(config["defaultAccount"], config["accounts"], config["timing"], config["durations"])

    def reset(self) -> None:
        for stores in self._stores.values():
            stores.reset()
        self.clock.reset()
        self.request_log.clear()
        self.faults.clear()

    def health(self) -> dict:
        from emulator import __version__
        return {"status": "ok", "version": __version__,
                "services": {name: s.coverage() for name, s in self.services.items()}}

    # -- requests ----------------------------------------------------------
    def service_for(self, request: RawRequest) -> str:
        """Which service a request over HTTP is for: by X-Amz-Target, else by route."""
        target = request.header("X-Amz-Target")
        json_services, rest_services = self._json_services, self._rest_services
        if target is not None:
            for name in json_services:
                if self._protocols[name].handles(request):
                    return name
            return json_services[0]
        signing = identity.from_headers(request.headers, request.query).signing_service
        if signing in rest_services:
            return signing
        if request.method == "POST" and request.path in ("", "/") and json_services:
            return json_services[0]
        return rest_services[0]

    def handle(self, service_name: str, request: RawRequest) -> RawResponse:
        started = time.perf_counter()
        service = self.services[service_name]
        protocol = self._protocols[service_name]
        request_id = ids.uuid4()
        who = identity.from_headers(request.headers, request.query)
        account = self.config.account_for(who.access_key)
        operation = None
        try:
            operation, params = protocol.parse(request)
            if self.faults.rules:   # answered before validation and the handler: a faulted call changes nothing
                self.faults.strike(service_name, operation, account, who.region)
            result = self.execute(service_name, operation, params, account, who.region, request_id)
            body = drop_nulls(result or {})
            response = protocol.success(body, request_id)
        except ServiceError as error:
            body = protocol.error_body(error)
            response = protocol.error(error, body, request_id)
        except Exception:  # a bug in a handler: answer like AWS's server fault, keep serving
            logger.exception("%s.%s failed", service_name, operation)
            error = service.server_error("An internal error occurred in the emulator.")
            body = protocol.error_body(error)
            response = protocol.error(error, body, request_id)
        hooks.notify(service_name, operation, response.status, body)
        response.operation = operation
        self.request_log.record({
            "id": request_id, "time": self.clock.now(), "service": service_name, "operation": operation,
            "account": account, "region": who.region, "status": response.status,
            "errorType": response.headers.get("x-amzn-ErrorType"),
            "durationMs": round((time.perf_counter() - started) * 1000, 3)})
        return response

    def execute(self, service_name: str, operation: str, params: dict, account: str, region: str,
                request_id: str) -> dict | None:
        """Validate ``params`` and run the operation's handler in (account, region)'s store.

        The protocol-free half of a request: what arrives here has been parsed, and what leaves
        is the handler's result (or the ``ServiceError`` it raised).
        """
        service = self.services[service_name]
        handler = service.handlers.get(operation)
        if handler is None:
            raise NotImplementedOperation(
                f"{service_name.upper()} operation {operation} is not implemented by this emulator.")
        violation = self._validators[service_name].check(operation, params)
        if violation is not None:
            raise service.validation_error(operation, violation, params)
        self.catch_up(account, region)
        store = self.lock_current_store(service_name, account, region)
        try:
            now = self.clock.now()
            store.timeline.run_until(now)
            ctx = RequestContext(self, service, operation, account, region, store, now, request_id)
            return handler(ctx, params)
        finally:
            store.lock.release()
