"""Fixtures for the project's own tests.

Every response any engine writes during a test is checked against botocore's
output model (``emulator.conformance``); a handler that returns a wrong key or
type fails the test that provoked it.
"""
import pytest

from emulator.conformance import ConformanceChecker
from emulator.core import hooks

pytest_plugins = ["pytester"]

_checker = ConformanceChecker()
_answered: set[tuple[str, str]] = set()   # (service, operation) that answered 2xx during the run


def _record_answered(service, operation, status, body):
    if operation and status < 300:
        _answered.add((service, operation))


hooks.add_response_observer(_record_answered)


def pytest_terminal_summary(terminalreporter):
    """Name the implemented operations no test saw succeed, so the conformance check covered them all."""
    from emulator.engine import all_services
    unseen = sorted(f"{name}.{op}" for name, service in all_services().items()
                    for op in service.handlers if (name, op) not in _answered)
    # Only a run of (nearly) the whole suite says something about coverage.
    if unseen and len(_answered) > 4 * len(unseen):
        terminalreporter.write_line(f"operations never answered successfully in this run: {', '.join(unseen)}")


@pytest.fixture(autouse=True)
def conformance():
    """The list of non-conforming responses seen so far (a test may clear it on purpose)."""
    problems: list[str] = []

    def observe(service, operation, status, body):
        problems.extend(_checker.check(service, operation, status, body))

    hooks.add_response_observer(observe)
    yield problems
    hooks.remove_response_observer(observe)
    if problems:
        pytest.fail("responses that do not conform to the service model:\n  " + "\n  ".join(problems[:20]),
                    pytrace=False)
