"""Settings of an emulator instance.

Everything has a default and can be set from the environment:

``EMULATOR_ACCOUNT_ID``
    account of every access key not mapped otherwise (default ``123456789012``).
``EMULATOR_ACCOUNTS``
    comma-separated ``ACCESS_KEY=ACCOUNT_ID`` pairs. An access key that is
    itself twelve digits is taken as its own account id.
``EMULATOR_TIMING``
    ``instant`` (default: every lifecycle duration is 0, resources reach their
    steady state on the next read) or ``realistic`` (durations close to AWS's).
``EMULATOR_TIMING_<NAME>``
    seconds for one duration, e.g. ``EMULATOR_TIMING_ECS_TASK_PENDING=5`` sets
    ``ecs.task.pending`` (dots and underscores of a name are alike here, so
    ``EMULATOR_TIMING_ECS_SERVICE_TASK_HEALTHY`` sets ``ecs.service.task_healthy``).
    The names are listed by ``GET /_emulator/config``.
``EMULATOR_REQUEST_LOG``
    how many of the latest requests ``GET /_emulator/requests`` keeps (default 1000).
"""
from __future__ import annotations

import functools
import os
import re
import threading
from dataclasses import dataclass, field

DEFAULT_ACCOUNT_ID = "123456789012"
_TWELVE_DIGITS = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class Duration:
    name: str
    realistic: float
    description: str


# name -> Duration; services declare theirs at import time with ``declare_duration``.
DURATIONS: dict[str, Duration] = {}


def declare_duration(name: str, realistic: float, description: str) -> str:
    DURATIONS[name] = Duration(name, realistic, description)
    return name


@functools.lru_cache(maxsize=None)    # a handful of names, asked for at every lifecycle step
def _duration_key(name: str) -> str:
    """Overrides are kept under a spelling where ``.`` and ``_`` are alike, whatever the source."""
    return name.replace(".", "_").lower()


@dataclass
class Config:
    default_account: str = DEFAULT_ACCOUNT_ID
    accounts: dict[str, str] = field(default_factory=dict)
    timing: str = "instant"
    durations: dict[str, float] = field(default_factory=dict)   # overrides, by _duration_key
    request_log_size: int = 1000
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @classmethod
    def from_env(cls, environ=None) -> "Config":
        env = os.environ if environ is None else environ
        config = cls(default_account=env.get("EMULATOR_ACCOUNT_ID", DEFAULT_ACCOUNT_ID),
                     timing=env.get("EMULATOR_TIMING", "instant"),
                     request_log_size=int(env.get("EMULATOR_REQUEST_LOG", 1000)))
        for pair in filter(None, (p.strip() for p in env.get("EMULATOR_ACCOUNTS", "").split(","))):
            key, _, account = pair.partition("=")
            config.accounts[key.strip()] = account.strip()
        for key, value in env.items():
            if key.startswith("EMULATOR_TIMING_"):
                config.durations[_duration_key(key[len("EMULATOR_TIMING_"):])] = float(value)
        if config.timing not in ("instant", "realistic"):
            raise ValueError(f"EMULATOR_TIMING must be 'instant' or 'realistic', not {config.timing!r}")
        return config

    def account_for(self, access_key: str | None) -> str:
        if access_key:
            if access_key in self.accounts:
                return self.accounts[access_key]
            if _TWELVE_DIGITS.match(access_key):
                return access_key
        return self.default_account

    def duration(self, name: str) -> float:
        """Seconds a lifecycle step takes under the current timing."""
        durations = self.durations
        if durations:                  # asked at every lifecycle step: most configs override nothing
            key = _duration_key(name)
            if key in durations:
                return durations[key]
        if self.timing == "realistic" and name in DURATIONS:
            return DURATIONS[name].realistic
        return 0.0

    def set_timing(self, timing: str | None = None, **durations: float) -> None:
        """Switch profile and/or set single durations (``ecs_task_pending=5`` or dotted names:
        ``**{"ecs.task.pending": 5}``)."""
        with self._lock:
            if timing is not None:
                if timing not in ("instant", "realistic"):
                    raise ValueError("timing must be 'instant' or 'realistic'")
                self.timing = timing
            for name, seconds in durations.items():
                self.durations[_duration_key(name)] = float(seconds)

    def replace(self, default_account: str, accounts: dict[str, str], timing: str,
                durations: dict[str, float]) -> None:
        """Take every setting from a state document (in place: lifecycles hold this config)."""
        with self._lock:
            self.default_account = default_account
            self.accounts = dict(accounts)
            self.timing = timing
            self.durations = {_duration_key(name): float(seconds) for name, seconds in durations.items()}

    def describe(self) -> dict:
        return {
            "defaultAccount": self.default_account,
            "accounts": dict(self.accounts),
            "timing": self.timing,
            "durations": {name: self.duration(name) for name in sorted(DURATIONS)},
        }
