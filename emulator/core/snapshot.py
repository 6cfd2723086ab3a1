"""State snapshots: every account and Region of every service, the clock, the timing and the fault rules,
as one JSON document.

    {"format": "ecs-eks-emulator/state", "version": 1, "emulatorVersion": "0.1.0", "createdAt": 1700000000.0,
     "clock": {"now": ..., "frozen": true, "offset": 0.0},
     "config": {"defaultAccount": ..., "accounts": {...}, "timing": "instant", "durations": {...}},
     "sequences": {"emulator.autoscaling.targets:_order": 3, ...},
     "faults": <the fault rules of emulator.faults>,
     "stores": {"ecs": [[account, region, <store>], ...], "eks": [...], "application-autoscaling": [...]}}

A store is written by :mod:`emulator.core.objectgraph`, pending lifecycle events included, so a restored
emulator answers as the saved one did and its lifecycles carry on from where they were.  The engine, its
config, its clock and the services are named, never copied: a restored event acts on the restoring engine.
A document names the emulator's own classes and functions, so only the version that made it restores it.

:func:`take` must run with every store locked (``Emulator.snapshot`` does); :func:`read` builds new stores
and changes nothing, so a bad document leaves the emulator as it was.
"""
from __future__ import annotations

import itertools
import math
import sys
import time

from emulator.core.objectgraph import Decoder, Encoder, SnapshotError

FORMAT = "ecs-eks-emulator/state"
VERSION = 1

__all__ = ["FORMAT", "VERSION", "SnapshotError", "take", "read"]


def _live_objects(engine) -> dict:
    live = {"engine": engine, "config": engine.config, "clock": engine.clock, "requestLog": engine.request_log}
    live.update({f"service:{name}": service for name, service in engine.services.items()})
    return live


def _sequences() -> dict[str, itertools.count]:
    """The emulator's module-level counters (creation order of resources, shared by every engine of the
    process), by ``module:name``."""
    return {f"{name}:{attribute}": value for name, module in list(sys.modules.items())
            if name.startswith("emulator.") and module is not None
            for attribute, value in list(vars(module).items()) if type(value) is itertools.count}


def take(engine, stores: dict[str, dict[tuple[str, str], object]]) -> dict:
    """The document of ``stores`` (service -> {(account, region): store}) and of the engine's clock and config."""
    from emulator import __version__
    encoder = Encoder(_live_objects(engine))
    config = engine.config
    return {
        "format": FORMAT, "version": VERSION, "emulatorVersion": __version__, "createdAt": round(time.time(), 3),
        "clock": engine.clock.state(),
        "config": {"defaultAccount": config.default_account, "accounts": dict(config.accounts),
                   "timing": config.timing, "durations": dict(config.durations)},
        "sequences": {name: Encoder.count_of(counter)[0] for name, counter in sorted(_sequences().items())},
        # One numbering of shared objects runs through both, in this order (read follows it).
        "faults": _faults(engine, encoder),
        "stores": {service: [[account, region, encoder.encode(store)]
                             for (account, region), store in sorted(by_place.items())]
                   for service, by_place in sorted(stores.items())},
    }


def _faults(engine, encoder: Encoder):
    """The fault rules (emulator.faults), by (account, region)."""
    with engine.faults.lock:
        return encoder.encode(engine.faults.rules)


class Restored:
    """What a document holds, decoded, ready to be put in place."""

    def __init__(self, clock: dict, config: dict, sequences: dict[str, int], faults: dict,
                 stores: dict[str, dict[tuple[str, str], object]]) -> None:
        self.clock = clock
        self.config = config
        self.sequences = sequences
        self.faults = faults
        self.stores = stores

    def advance_sequences(self) -> None:
        """Move the module-level counters past the values the restored resources hold (never back: other
        engines of the process share them), so what is created next sorts after what was restored."""
        for name, counter in _sequences().items():
            saved = self.sequences.get(name)
            if saved is not None and saved > Encoder.count_of(counter)[0]:
                module, _, attribute = name.partition(":")
                setattr(sys.modules[module], attribute, itertools.count(saved))


def read(engine, doc) -> Restored:
    """Check and decode ``doc`` into new stores, or raise :class:`SnapshotError`; the engine is not touched."""
    from emulator import __version__
    if not isinstance(doc, dict):
        raise SnapshotError("A state document must be a JSON object.")
    if doc.get("format") != FORMAT:
        raise SnapshotError(f'Not a state document: "format" must be "{FORMAT}".')
    version = doc.get("version")
    if version != VERSION or type(version) is not int:
        raise SnapshotError(f"Unsupported state document version {version!r}: this emulator reads version "
                            f"{VERSION}.")
    if doc.get("emulatorVersion") != __version__:
        raise SnapshotError(f"The state document was made by ecs-eks-emulator {doc.get('emulatorVersion')!r}, "
                            f"this is {__version__}: a state document can only be restored by the version "
                            "that made it.")
    for field in ("clock", "config", "faults", "stores"):
        if not isinstance(doc.get(field), dict):
            raise SnapshotError(f'The state document has no "{field}" object.')
    clock, config = _clock(doc["clock"]), _config(doc["config"])
    sequences = doc.get("sequences", {})
    if not isinstance(sequences, dict) or not all(type(n) is int for n in sequences.values()):
        raise SnapshotError('"sequences" must be {"module:name": <next value>}.')
    decoder = Decoder(_live_objects(engine))
    faults = _read_faults(decoder, doc["faults"])       # in the order take() wrote them: faults, then stores
    stores: dict = {}
    for service, entries in sorted(doc["stores"].items()):     # the order they were written in
        if service not in engine.services:
            raise SnapshotError(f"Unknown service {service!r} in the state document.")
        if not isinstance(entries, list):
            raise SnapshotError(f'"stores.{service}" must be a list of [account, region, store].')
        by_place = stores[service] = {}
        store_class = engine.services[service].store_factory
        for entry in entries:
            if (not isinstance(entry, list) or len(entry) != 3
                    or not isinstance(entry[0], str) or not isinstance(entry[1], str)):
                raise SnapshotError(f'"stores.{service}" must be a list of [account, region, store].')
            try:
                store = decoder.decode(entry[2])
            except RecursionError:
                raise SnapshotError("The state document nests too deeply.") from None
            if type(store) is not store_class:
                raise SnapshotError(f"The {service} store of {entry[0]}/{entry[1]} is not of class "
                                    f"{store_class.__name__}.")
            by_place[(entry[0], entry[1])] = store
    return Restored(clock, config, sequences, faults, stores)


def _read_faults(decoder: Decoder, encoded) -> dict:
    from emulator.faults import FaultRule
    try:
        faults = decoder.decode(encoded)
    except RecursionError:
        raise SnapshotError("The state document nests too deeply.") from None
    if not isinstance(faults, dict) or not all(
            isinstance(rules, list) and all(type(rule) is FaultRule for rule in rules) for rules in faults.values()):
        raise SnapshotError('"faults" must hold the fault rules of each account and Region.')
    return faults


def _clock(clock: dict) -> dict:
    now, frozen, offset = clock.get("now"), clock.get("frozen"), clock.get("offset", 0.0)
    if not _number(now) or not isinstance(frozen, bool) or not _number(offset):
        raise SnapshotError('"clock" must be {"now": <epoch seconds>, "frozen": true|false, "offset": <seconds>}.')
    return {"now": float(now), "frozen": frozen, "offset": float(offset)}


def _config(config: dict) -> dict:
    accounts, durations = config.get("accounts"), config.get("durations")
    if (not isinstance(config.get("defaultAccount"), str) or config.get("timing") not in ("instant", "realistic")
            or not isinstance(accounts, dict) or not all(isinstance(v, str) for v in accounts.values())
            or not isinstance(durations, dict) or not all(_number(v) for v in durations.values())):
        raise SnapshotError('"config" must be {"defaultAccount": str, "accounts": {key: account}, '
                            '"timing": "instant"|"realistic", "durations": {name: seconds}}.')
    return config


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
