"""Fault injection: make chosen calls answer an error, or answer late, to test retries and error paths.

A rule names a service and (optionally) one of its operations, and says what a matching call answers
instead of running:

- ``error``: ``ThrottlingException`` (AWS's throttling answer: HTTP 400 with ``Rate exceeded`` for ECS
  and Application Auto Scaling, 429 for EKS, whose model has it), ``ServerException`` (500) or
  ``ServiceUnavailableException`` (503), all of which botocore's retry handlers retry; or any error in
  the model of that operation (of the service, for a rule on every operation), with its own status.
  ``message`` replaces the default message.
- ``latency``: seconds to wait (a real sleep, at most :data:`MAX_LATENCY`) before answering, with the
  error or, without one, with the call's usual answer.

``operation`` omitted (or ``"*"``) matches every operation of the service. ``count`` limits how many
calls a rule answers (then it is removed; default: every matching call). ``probability`` (0 to 1)
makes a matching call answer the fault only that often, drawn from a ``random.Random(seed)`` of the
rule's own, so a ``seed`` replays the same sequence of faults for the same sequence of calls. The first
rule that matches and fires answers; each rule counts how many calls it answered (``fired``).

A faulted call is answered before its parameters are validated and before any state is read or
changed: it changes nothing. It appears in the request log with its status and error type.

Scope: rules belong to one account and Region, like the resources (a rule affects only calls made
there); ``account`` and ``region`` default to the engine's default account and ``us-east-1``, the
account and Region of a client with no particular credentials. ``reset`` drops every rule.

In process (``target`` is an ``Emulator`` or anything with ``.engine``: ``mock_aws``, the
``ecs_eks_mock`` fixture, ``EmulatorServer``)::

    from emulator import faults
    faults.inject(mock, "ecs", "RunTask", "ThrottlingException", count=2)
    faults.inject(mock, "eks", error="ServiceUnavailableException", probability=0.2, seed=7)
    faults.inject(mock, "ecs", "DescribeServices", "ClusterNotFoundException", message="Cluster not found.")
    faults.inject(mock, "ecs", "ListTasks", latency=0.5)
    faults.fault_rules(mock)          # the rules of the default account in us-east-1
    faults.clear_faults(mock)

Over HTTP: ``POST /_emulator/faults`` with the same fields (``service``, ``operation``, ``error``,
``message``, ``count``, ``latency``, ``probability``, ``seed``, ``account``, ``region``), ``GET`` lists
the rules, ``DELETE`` (optionally ``?id=``) removes them; ``GET`` and ``DELETE`` take
``?account=&region=``, with the same defaults.
"""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

from emulator.core import identity, ids
from emulator.protocol.errors import ServiceError

MAX_LATENCY = 30.0      # seconds: a rule's latency is a real sleep, kept short enough for a test
EVERY_OPERATION = "*"
THROTTLING = "ThrottlingException"
# Errors any operation may answer, modelled or not, with their status when the service's model has
# no such error, and their default message.
TRANSIENT_ERRORS = {
    THROTTLING: (400, "Rate exceeded"),
    "ServerException": (500, "Internal server error"),
    "ServiceUnavailableException": (503, "Service unavailable"),
}
FIELDS = ("service", "operation", "error", "message", "count", "latency", "probability", "seed",
          "account", "region")


class InjectedError(ServiceError):
    """The error a fault rule answers: its code, status and members are the rule's, not a class's."""

    def __init__(self, code: str, status: int, fields: tuple[str, ...], message: str) -> None:
        self.code, self.status, self.fields = code, status, fields
        super().__init__(message)


@dataclass
class FaultRule:
    id: str
    service: str
    operation: str | None            # None: every operation of the service
    error: str | None                # None: latency only, then the usual answer
    status: int
    members: tuple[str, ...]         # the error shape's members besides message (EKS sends them, null)
    message: str
    latency: float
    probability: float
    seed: int | None
    remaining: int | None
    account: str
    region: str
    fired: int = 0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def matches(self, service: str, operation: str) -> bool:
        return self.service == service and (self.operation is None or self.operation == operation)

    def describe(self) -> dict:
        return {"id": self.id, "service": self.service, "operation": self.operation or EVERY_OPERATION,
                "error": self.error, "status": self.status if self.error else None,
                "message": self.message if self.error else None, "latency": self.latency,
                "probability": self.probability, "seed": self.seed, "remaining": self.remaining,
                "fired": self.fired, "account": self.account, "region": self.region}


class FaultRules:
    """An engine's rules, by (account, region). ``rules`` is empty when there are none, so a request
    costs one truth test then."""

    def __init__(self) -> None:
        self.rules: dict[tuple[str, str], list[FaultRule]] = {}
        self.lock = threading.Lock()     # held to change or read the rules (and by snapshots)

    def strike(self, service: str, operation: str, account: str, region: str) -> None:
        """Answer the fault of the first rule that matches the call and fires: wait its latency, then
        raise its error (or return, for a latency-only rule)."""
        with self.lock:        # deciding and counting at once: parallel calls never over- or under-consume
            rule = self._fire(service, operation, account, region)
        if rule is None:
            return
        if rule.latency:
            time.sleep(rule.latency)
        if rule.error is not None:
            raise InjectedError(rule.error, rule.status, rule.members, rule.message)

    def _fire(self, service: str, operation: str, account: str, region: str) -> FaultRule | None:
        rules = self.rules.get((account, region))
        for rule in rules or ():
            if not rule.matches(service, operation):
                continue
            if rule.probability < 1 and rule.rng.random() >= rule.probability:
                continue
            rule.fired += 1
            if rule.remaining is not None:
                rule.remaining -= 1
                if rule.remaining == 0:
                    self._remove(rules, rule)
            return rule
        return None

    def _remove(self, rules: list[FaultRule], rule: FaultRule) -> None:
        rules.remove(rule)
        if not rules:
            del self.rules[(rule.account, rule.region)]

    def add(self, rule: FaultRule) -> None:
        with self.lock:
            self.rules.setdefault((rule.account, rule.region), []).append(rule)

    def listing(self, account: str, region: str) -> list[dict]:
        with self.lock:
            return [rule.describe() for rule in self.rules.get((account, region), ())]

    def remove(self, rule_id: str | None, account: str, region: str) -> int:
        with self.lock:
            rules = self.rules.get((account, region), [])
            doomed = [rule for rule in rules if rule_id is None or rule.id == rule_id]
            for rule in doomed:
                self._remove(rules, rule)
            return len(doomed)

    def clear(self) -> None:
        with self.lock:
            self.rules.clear()

    def replace(self, rules: dict[tuple[str, str], list[FaultRule]]) -> None:
        """Put restored rules in place of these (the caller holds :attr:`lock`)."""
        self.rules = rules


def _engine(target):
    return getattr(target, "engine", target)


def _scope(engine, account: str | None, region: str | None) -> tuple[str, str]:
    for name, value in (("account", account), ("region", region)):
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name} must be a string, not {value!r}.")
    return account or engine.config.default_account, region or identity.DEFAULT_REGION


def inject(target, service: str, operation: str | None = None, error: str | None = None, *,
           message: str | None = None, count: int | None = None, latency: float | None = None,
           probability: float | None = None, seed: int | None = None,
           account: str | None = None, region: str | None = None) -> dict:
    """Declare that calls of ``account`` and ``region`` to ``service``'s ``operation`` (every operation
    when None or ``"*"``) answer ``error`` and/or wait ``latency`` seconds (see the module docstring);
    returns the rule. Raises ``ValueError`` for a rule that cannot be."""
    engine = _engine(target)
    if not isinstance(service, str) or service not in engine.services:
        raise ValueError(f"Unknown service {service!r}: expected one of {', '.join(engine.services)}.")
    description = engine.services[service].description
    if operation == EVERY_OPERATION:
        operation = None
    if operation is not None and (not isinstance(operation, str) or operation not in description["operations"]):
        raise ValueError(f"Unknown operation {operation!r}: {service} has no such operation.")
    if error is None and latency is None:
        raise ValueError("A fault rule needs an error, a latency or both.")
    if count is not None and (not _is_int(count) or count < 1):
        raise ValueError(f"count must be a whole number of at least 1, not {count!r}.")
    if latency is not None and (not _is_number(latency) or not 0 <= latency <= MAX_LATENCY):
        raise ValueError(f"latency must be a number of seconds from 0 to {MAX_LATENCY:g}, not {latency!r}.")
    if probability is not None and (not _is_number(probability) or not 0 <= probability <= 1):
        raise ValueError(f"probability must be a number from 0 to 1, not {probability!r}.")
    if seed is not None and not _is_int(seed):
        raise ValueError(f"seed must be a whole number, not {seed!r}.")
    if message is not None and not isinstance(message, str):
        raise ValueError(f"message must be a string, not {message!r}.")
    status, members, default_message = _answer(description, service, operation, error)
    account, region = _scope(engine, account, region)
    rule = FaultRule(id=ids.hex_id(12), service=service, operation=operation, error=error, status=status,
                     members=members, message=message if message is not None else default_message,
                     latency=float(latency or 0), probability=1.0 if probability is None else float(probability),
                     seed=seed, remaining=count, account=account, region=region, rng=random.Random(seed))
    engine.faults.add(rule)
    return rule.describe()


def _answer(description: dict, service: str, operation: str | None, error: str | None) -> tuple:
    """(status, members, default message) of ``error`` as ``operation`` of ``service`` answers it."""
    if error is None:
        return 200, (), ""
    if not isinstance(error, str):
        raise ValueError(f"error must be the name of an error, not {error!r}.")
    modelled = description["errors"]
    allowed = description["operations"][operation]["errors"] if operation else sorted(modelled)
    if error not in TRANSIENT_ERRORS and error not in allowed:
        raise ValueError(
            f"{service} {operation or 'operations'} cannot answer {error!r}: expected "
            f"{', '.join(TRANSIENT_ERRORS)} or an error of its model ({', '.join(allowed)}).")
    status, message = TRANSIENT_ERRORS.get(error, (400, f"{error} (injected fault)"))
    shape = modelled.get(error)
    if shape is not None:
        return shape["status"], tuple(shape["members"]), message
    return status, (), message


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def fault_rules(target, account: str | None = None, region: str | None = None) -> list[dict]:
    """The rules of ``account`` and ``region``, oldest first."""
    engine = _engine(target)
    return engine.faults.listing(*_scope(engine, account, region))


def clear_faults(target, rule_id: str | None = None, account: str | None = None,
                 region: str | None = None) -> int:
    """Remove one rule (or all) of ``account`` and ``region``; returns how many were removed."""
    engine = _engine(target)
    return engine.faults.remove(rule_id, *_scope(engine, account, region))
