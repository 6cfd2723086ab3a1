"""The one clock every timestamp and lifecycle reads.

Real time by default; tests can freeze it, advance it (frozen or not) and
unfreeze it.  Unfreezing continues from the frozen instant, so time never
jumps backwards.
"""
from __future__ import annotations

import threading
import time


class Clock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frozen_at: float | None = None
        self._offset = 0.0

    def now(self) -> float:
        """Current time in epoch seconds, rounded to milliseconds as AWS reports it."""
        frozen = self._frozen_at
        if frozen is not None:
            return frozen
        return round(time.time() + self._offset, 3)

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def freeze(self, at: float | None = None) -> float:
        with self._lock:
            self._frozen_at = round(self.now() if at is None else float(at), 3)
            return self._frozen_at

    def unfreeze(self) -> float:
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - time.time()
                self._frozen_at = None
            return self.now()

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the clock cannot go backwards")
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at = round(self._frozen_at + seconds, 3)
            else:
                self._offset += seconds
            return self.now()

    def reset(self) -> None:
        with self._lock:
            self._frozen_at = None
            self._offset = 0.0

    def state(self) -> dict:
        """What :meth:`set_state` needs to put this clock back: frozen, the instant; running, its offset
        from real time (so a restored running clock carries on from real time, never going back)."""
        with self._lock:
            return {"now": self.now(), "frozen": self.frozen, "offset": self._offset}

    def set_state(self, state: dict) -> None:
        with self._lock:
            self._frozen_at = round(float(state["now"]), 3) if state["frozen"] else None
            self._offset = float(state["offset"])

    def describe(self) -> dict:
        return {"now": self.now(), "frozen": self.frozen}
