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
