"""The object-graph codec under state snapshots: values, shared references, the emulator's own classes
and closures, and what it refuses."""
import collections
import datetime
import ipaddress
import itertools
import json
import math
import threading
import zoneinfo

import pytest

from emulator.config import Config
from emulator.core.clock import Clock
from emulator.core.objectgraph import SnapshotError, decode, encode
from emulator.core.timeline import Timeline, Timer


def round_trip(value, live=None, live_after=None):
    return decode(json.loads(json.dumps(encode(value, live))), live_after if live_after is not None else live)


def test_values_json_has_no_word_for_come_back_as_they_were():
    value = {"tuple": (1, "a"), "set": {1, 2}, "frozen": frozenset({"x"}), "inf": math.inf,
             "bytes": b"\x00\xff", "net": ipaddress.ip_network("10.0.0.0/24"), "ip": ipaddress.ip_address("10.0.0.7"),
             "keys": {("c", "web"): 1, 7: "seven", "$dollar": 2}, "unsorted": {"b": 1, "a": 2},
             "zoned": datetime.datetime(2026, 3, 29, 1, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")),
             "naive": datetime.datetime(2026, 1, 1), "utc": datetime.timezone.utc,
             "delta": datetime.timedelta(seconds=90)}
    back = round_trip(value)
    assert back == value
    assert list(back["unsorted"]) == ["b", "a"]
    assert back["zoned"].tzinfo is value["zoned"].tzinfo
    assert math.isnan(round_trip(math.nan))


def test_standard_containers_keep_their_class_and_contents():
    counter = collections.Counter({"arn:1": 2})
    default = collections.defaultdict(list, {"a": [1]})
    recent = collections.deque([1, 2], maxlen=3)
    back_counter, back_default, back_recent = round_trip([counter, default, recent])
    assert type(back_counter) is collections.Counter and back_counter == counter
    assert type(back_default) is collections.defaultdict and back_default["new"] == [] and back_default["a"] == [1]
    assert back_recent == recent and back_recent.maxlen == 3


def test_shared_references_and_cycles_survive():
    shared = {"name": "task"}
    loop: list = [shared, shared]
    loop.append(loop)
    back = round_trip(loop)
    assert back[0] is back[1] and back[2] is back
    assert back[0] == {"name": "task"}


def test_counters_keep_their_next_value_and_locks_are_new():
    counter = itertools.count(5)
    lock = threading.RLock()
    back_counter, back_lock = round_trip([counter, lock])
    assert next(back_counter) == 5 and next(counter) == 5
    assert back_lock is not lock and back_lock.acquire(blocking=False)


def test_a_function_outside_the_emulator_cannot_be_written():
    timeline = Timeline()
    timeline.at(10, lambda at: None)
    with pytest.raises(SnapshotError) as info:
        encode(timeline)
    assert str(info.value) == ("'tests.test_objectgraph' is outside the emulator: a state document names only "
                               "the emulator's own classes and functions.")


def test_live_objects_are_bound_to_the_restoring_side_not_copied():
    before, after = Config(timing="instant"), Config(timing="realistic")
    back = round_trip({"config": before, "timer": Timer(3.0, before.describe)}, {"config": before},
                      {"config": after})
    assert back["config"] is after
    assert back["timer"].action.__self__ is after and back["timer"].when == 3.0


def test_closures_of_the_emulator_come_back_with_their_cells():
    from emulator.core import arns
    from emulator.ecs import task_engine
    from emulator.ecs.service import EcsStore
    store, config = EcsStore("123456789012", "us-east-1"), Config()
    task_engine._schedule(task_engine.LifecycleContext(store, config, 0.0), 12.0, arns.partition_for)
    back = round_trip(store, {"config": config}, {"config": config})
    [(when, _, timer)] = back.timeline._heap
    assert when == 12.0 and timer.action.__code__ is store.timeline._heap[0][2].action.__code__
    assert sorted(timer.action.__code__.co_freevars) == ["action", "config", "store"]
    closed_over = {name: cell.cell_contents
                   for name, cell in zip(timer.action.__code__.co_freevars, timer.action.__closure__)}
    assert closed_over["store"] is back and closed_over["config"] is config
    assert closed_over["action"] is arns.partition_for


def test_a_class_outside_the_emulator_cannot_be_written():
    class Outside:
        pass
    with pytest.raises(SnapshotError) as info:
        encode({"x": Outside()})
    assert str(info.value) == ("class tests.test_objectgraph.test_a_class_outside_the_emulator_cannot_be_written."
                               "<locals>.Outside is not one the state may hold.")


def test_an_emulator_object_comes_back_without_its_constructor_running():
    clock = Clock()
    clock.freeze(1_800_000_000)
    back = round_trip(clock)
    assert type(back) is Clock and back is not clock
    assert back.describe() == {"now": 1_800_000_000, "frozen": True}
    back.advance(5)                             # its lock is a working new one
    assert back.now() == 1_800_000_005
