"""A service: its model description, its handlers, its store and its error hooks.

Each service package creates one :class:`Service` (``emulator/ecs/service.py``)
and registers a handler per operation with the ``operation`` decorator::

    @ecs.operation("CreateCluster")
    def create_cluster(ctx, params):
        ...
        return {"cluster": cluster.describe()}

A handler gets a :class:`RequestContext` and the validated parameters, runs
under the lock of its (account, region) store, and returns a dict shaped like
the operation's output or raises a ``ServiceError``. On the way out the result
is copied with its ``None`` values dropped, so a handler may put its own state's
dicts and lists in it without copying them first.
"""
from __future__ import annotations

import importlib
import pkgutil
import threading
from dataclasses import dataclass
from typing import Any, Callable

from emulator.core import arns
from emulator.core.timeline import Timeline
from emulator.protocol import spec
from emulator.protocol.errors import SerializationException, ServiceError
from emulator.protocol.validation import Violation

Handler = Callable[["RequestContext", dict], dict]


class Store:
    """Base of a service's per-(account, region) state: a lock and a timeline."""

    def __init__(self, account: str, region: str) -> None:
        self.account = account
        self.region = region
        self.lock = threading.RLock()
        self.timeline = Timeline()


@dataclass
class RequestContext:
    engine: Any                # emulator.engine.Emulator
    service: "Service"
    operation: str
    account: str
    region: str
    store: Any                 # the service's Store for (account, region)
    now: float                 # the clock, read once when the request arrived
    request_id: str

    @property
    def clock(self):
        return self.engine.clock

    @property
    def config(self):
        return self.engine.config

    @property
    def partition(self) -> str:
        return arns.partition_for(self.region)

    @property
    def caller_arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account}:root"

    def arn(self, resource: str, service: str | None = None) -> str:
        return arns.build(service or self.service.name, self.region, self.account, resource)

    def duration(self, name: str) -> float:
        return self.engine.config.duration(name)


class Service:
    def __init__(self, name: str, store_factory: Callable[[str, str], Store],
                 validation_error: Callable[[str, Violation, dict], ServiceError],
                 server_error: type[ServiceError], handlers_package: str,
                 invalid_body_error: type[ServiceError] = SerializationException,
                 catch_up: Callable[[Any, str, str], None] | None = None) -> None:
        self.name = name
        self.description = spec.service_description(name)
        self.operations: tuple[str, ...] = tuple(self.description["operations"])
        self.store_factory = store_factory
        self.validation_error = validation_error
        self.server_error = server_error
        self.invalid_body_error = invalid_body_error
        # (engine, account, region): runs what this service has due up to the clock's now that may change
        # other services' stores of that (account, region), before any request there takes a store's lock.
        self.catch_up = catch_up
        self.handlers: dict[str, Handler] = {}
        self._handlers_package = handlers_package
        self._loaded = False

    def operation(self, name: str) -> Callable[[Handler], Handler]:
        if name not in self.description["operations"]:
            raise ValueError(f"{self.name} has no operation {name!r} in its model")

        def register(handler: Handler) -> Handler:
            if name in self.handlers and self.handlers[name] is not handler:
                raise ValueError(f"{self.name}.{name} already has a handler")
            self.handlers[name] = handler
            return handler
        return register

    def load_handlers(self) -> None:
        """Import every module of the service's package, registering its handlers."""
        if self._loaded:
            return
        package = importlib.import_module(self._handlers_package)
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)
        self._loaded = True

    def coverage(self) -> dict:
        self.load_handlers()
        missing = [op for op in self.operations if op not in self.handlers]
        return {"implemented": len(self.operations) - len(missing),
                "total": len(self.operations), "missing": missing}
