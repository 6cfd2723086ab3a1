"""Per (account, region) state of each service, created on first use."""
from __future__ import annotations

import threading
from typing import Callable

from emulator.core.service import Store


class Stores:
    def __init__(self, factory: Callable[[str, str], Store]) -> None:
        self._factory = factory
        self._stores: dict[tuple[str, str], Store] = {}
        self.lock = threading.Lock()        # held to create a store, or to hold the set of stores still

    def get(self, account: str, region: str) -> Store:
        key = (account, region)
        store = self._stores.get(key)
        if store is None:
            with self.lock:
                store = self._stores.get(key)
                if store is None:
                    store = self._stores[key] = self._factory(account, region)
        return store

    def find(self, account: str, region: str) -> Store | None:
        """The store of (account, region) if it was ever used, without creating it."""
        return self._stores.get((account, region))

    def existing(self) -> list[Store]:
        return list(self._stores.values())

    def by_place(self) -> dict[tuple[str, str], Store]:
        return dict(self._stores)

    def replace(self, stores: dict[tuple[str, str], Store]) -> None:
        """Put restored stores in place of these (the caller holds :attr:`lock`)."""
        self._stores = dict(stores)

    def reset(self) -> None:
        with self.lock:
            self._stores = {}
