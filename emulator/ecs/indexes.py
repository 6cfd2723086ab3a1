"""Sorted key indexes and keyset pages over them.

A List* call must cost the same whatever the size of the account: each listing reads one sorted
index (a plain list kept sorted; inserting shifts memory, which stays cheap far beyond the sizes
ECS allows), finds the token's position by bisection and reads one page from there.
"""
from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from typing import Any, Callable, Hashable, Iterable

from emulator.ecs.common import paginate
from emulator.ecs.errors import InvalidParameterException



class SortedKeys:
    """Unique keys in ascending order."""

    __slots__ = ("keys",)

    def __init__(self, keys: Iterable = ()) -> None:
        self.keys: list = sorted(set(keys))

    def add(self, key) -> None:
        keys = self.keys
        i = bisect_left(keys, key)
        if i == len(keys) or keys[i] != key:
            keys.insert(i, key)

    def discard(self, key) -> None:
        keys = self.keys
        i = bisect_left(keys, key)
        if i < len(keys) and keys[i] == key:
            del keys[i]

    def __contains__(self, key) -> bool:
        keys = self.keys
        i = bisect_left(keys, key)
        return i < len(keys) and keys[i] == key

    def __len__(self) -> int:
        return len(self.keys)

    def __iter__(self):
        return iter(self.keys)


EMPTY = SortedKeys()


class MultiIndex:
    """Named sorted indexes: ``index[(kind, value, ...)]`` -> :class:`SortedKeys` of item keys."""

    __slots__ = ("_indexes",)

    def __init__(self) -> None:
        self._indexes: dict[Hashable, SortedKeys] = defaultdict(SortedKeys)

    def add(self, names: Iterable[Hashable], key) -> None:
        for name in names:
            self._indexes[name].add(key)

    def discard(self, names: Iterable[Hashable], key) -> None:
        for name in names:
            index = self._indexes.get(name)
            if index is not None:
                index.discard(key)
                if not index.keys:
                    del self._indexes[name]

    def get(self, name: Hashable) -> SortedKeys:
        return self._indexes.get(name, EMPTY)


def check_list(values: list, maximum: int, empty: str, too_many: str) -> list:
    """A Describe*/Update* identifier list: not empty, at most ``maximum`` (AWS's messages)."""
    if not values:
        raise InvalidParameterException(empty)
    if len(values) > maximum:
        raise InvalidParameterException(too_many)
    return values


def describe_each(values: list, find: Callable[[Any], Any], describe: Callable[[Any], dict],
                  missing_arn: Callable[[Any], str] | None = None) -> tuple[list[dict], list[dict]]:
    """A Describe* answer: (the descriptions of what ``find`` finds, a ``MISSING`` failure for each value it
    does not, naming ``missing_arn(value)`` or else the value itself), in the request's order."""
    found, failures = [], []
    for value in values:
        item = find(value)
        if item is None:
            failures.append({"arn": missing_arn(value) if missing_arn is not None else value, "reason": "MISSING"})
        else:
            found.append(describe(item))
    return found, failures


def keyset_page(params: dict, keys: SortedKeys, scope: str = "", accept: Callable[[Any], bool] | None = None,
                default: int = 100, maximum: int = 100, descending: bool = False) -> tuple[list, str | None]:
    """One page of ``keys`` (in descending order when asked) after ``params['nextToken']``, keeping those
    ``accept`` takes.

    The token holds the last key returned, so items added or removed between pages neither
    repeat nor hide others; ``nextToken`` is returned only when another accepted key follows.
    """
    return paginate(params, keys.keys, default, maximum, scope, accept, descending)
