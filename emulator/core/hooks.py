"""Observers of every response an engine writes (used by the conformance check)."""
from __future__ import annotations

from typing import Callable

# (service, operation or None, http status, body as a dict) -> None
ResponseObserver = Callable[[str, "str | None", int, dict], None]
_observers: list[ResponseObserver] = []


def add_response_observer(observer: ResponseObserver) -> None:
    _observers.append(observer)


def remove_response_observer(observer: ResponseObserver) -> None:
    if observer in _observers:
        _observers.remove(observer)


def notify(service: str, operation: str | None, status: int, body: dict) -> None:
    for observer in list(_observers):
        observer(service, operation, status, body)
