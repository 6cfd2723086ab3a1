"""Observers of every response an engine writes (used by the conformance check)."""
from __future__ import annotations

from typing import Callable

# (service, operation or None, http status, body as a dict) -> None
ResponseObserver = Callable[[str, "str | None", int, dict], None]
_observers: tuple[ResponseObserver, ...] = ()     # replaced, never changed in place: no copy per response


def add_response_observer(observer: ResponseObserver) -> None:
    global _observers
    _observers += (observer,)


def remove_response_observer(observer: ResponseObserver) -> None:
    global _observers
    if observer in _observers:
        index = _observers.index(observer)
        _observers = _observers[:index] + _observers[index + 1:]


def notify(service: str, operation: str | None, status: int, body: dict) -> None:
    for observer in _observers:
        observer(service, operation, status, body)
