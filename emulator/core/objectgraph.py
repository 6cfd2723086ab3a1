"""The emulator's state as a JSON value, and back: an object-graph codec that runs no foreign code.

The state is plain Python objects, but not plain JSON: it shares references (a task held by its
service and by an index), has cycles, tuple and non-string dict keys, sets, enums, locks, counters,
and the timeline's pending events are closures.  :func:`encode` walks it depth first and writes:

- ``str``, ``int``, ``bool``, ``None`` and finite ``float`` as themselves;
- lists as arrays, and dicts whose keys are strings not starting with ``$``, in sorted order, as objects;
- everything else as an object with one ``$``-tag (``{"$tuple": [...]}``, ``{"$dict": [[k, v], ...]}``,
  ``{"$obj": "module:QualName", "state": {...}}``, ``{"$fn": ..., "code": ..., "cells": [...]}``, ...).

Every mutable value (list, dict, set, instance, function, closure cell) is numbered in the order it
is first met; meeting it again writes ``{"$ref": n}``.  :func:`decode` walks the document in the same
order and numbers what it creates the same way, so shared references and cycles come back as they were.
That order never depends on how a JSON tool orders an object's keys: objects are read in sorted key
order (an instance's attributes are written so; a dict whose keys are not sorted is written as pairs).

Only what lives in the ``emulator`` package (and a few standard containers) can be named by a document:
instances are recreated with ``object.__new__`` and their attributes set (no constructor runs), functions
are rebuilt from code objects found in the emulator's own modules, and objects the restoring engine owns
(itself, its config, its clock) are bound by name to the live ones, never copied.  Anything else is a
:class:`SnapshotError`.
"""
from __future__ import annotations

import collections
import datetime
import enum
import importlib
import ipaddress
import itertools
import math
import random
import re
import threading
import types
import zoneinfo
from typing import Any

PACKAGE = "emulator"
# Classes from outside the package a document may name: containers the state uses (and the builtin
# types a defaultdict makes its values with).
ALLOWED_CLASSES = {
    "collections:Counter": collections.Counter,
    "collections:OrderedDict": collections.OrderedDict,
    "collections:defaultdict": collections.defaultdict,
    "collections:deque": collections.deque,
    **{f"builtins:{cls.__name__}": cls for cls in (list, dict, set, int, float, str)},
}
# Immutable values from outside the package: name -> (class, its text, the value again from its text).
VALUE_CLASSES = {
    **{f"ipaddress:{cls.__name__}": (cls, str, cls) for cls in (
        ipaddress.IPv4Address, ipaddress.IPv6Address, ipaddress.IPv4Network, ipaddress.IPv6Network)},
    "datetime:datetime": (datetime.datetime, datetime.datetime.isoformat, datetime.datetime.fromisoformat),
    "datetime:date": (datetime.date, datetime.date.isoformat, datetime.date.fromisoformat),
    "datetime:timedelta": (datetime.timedelta, lambda delta: repr(delta.total_seconds()),
                           lambda text: datetime.timedelta(seconds=float(text))),
    "datetime:timezone": (datetime.timezone, lambda zone: repr(zone.utcoffset(None).total_seconds()),
                          lambda text: datetime.timezone(datetime.timedelta(seconds=float(text)))),
    "zoneinfo:ZoneInfo": (zoneinfo.ZoneInfo, lambda zone: zone.key, zoneinfo.ZoneInfo),
}
_VALUE_NAMES = {cls: name for name, (cls, _, _) in VALUE_CLASSES.items()}
_LOCK_TYPES = {type(threading.Lock()): "Lock", type(threading.RLock()): "RLock"}
_NEW_LOCK = {"Lock": threading.Lock, "RLock": threading.RLock}
_COUNT = re.compile(r"^count\((-?[0-9.e+-]+)(?:, (-?[0-9.e+-]+))?\)$")


class SnapshotError(ValueError):
    """A state that cannot be written, or a document that cannot be read back."""


def _outside(what: str) -> SnapshotError:
    return SnapshotError(f"{what} is outside the emulator: a state document names only the emulator's "
                         "own classes and functions.")


def _in_package(module: str) -> bool:
    return module == PACKAGE or module.startswith(PACKAGE + ".")


def _module(name: str):
    if not isinstance(name, str) or not _in_package(name):
        raise _outside(repr(name))
    try:
        return importlib.import_module(name)
    except ImportError:
        raise SnapshotError(f"module {name!r} does not exist in this emulator version.") from None


def _global(path: str):
    """The object named ``module:qualname`` (a class, function or singleton of the emulator)."""
    if not isinstance(path, str) or ":" not in path:
        raise SnapshotError(f"{path!r} does not name an object as module:name.")
    if path in ALLOWED_CLASSES:
        return ALLOWED_CLASSES[path]
    module_name, _, qualname = path.partition(":")
    if not _in_package(module_name):
        raise _outside(path)
    obj = _module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part, _MISSING)
        if obj is _MISSING:
            raise SnapshotError(f"{path} does not exist in this emulator version.")
    # Only what the emulator defines: not a module, class or function it imported from elsewhere.
    if isinstance(obj, types.ModuleType) or not _in_package(getattr(obj, "__module__", None) or ""):
        raise _outside(path)
    return obj


_MISSING = object()


def _global_name(obj) -> str | None:
    """``module:qualname`` if ``obj`` is reachable by that name, else None."""
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str) or "<" in qualname:
        return None
    path = f"{module}:{qualname}"
    if path in ALLOWED_CLASSES and ALLOWED_CLASSES[path] is obj:
        return path
    if not _in_package(module):
        return None
    try:
        return path if _global(path) is obj else None
    except SnapshotError:
        return None


# -- code objects of the emulator, by a name that survives a restart -----------
_code_index: dict[str, dict[str, types.CodeType]] = {}
_code_names: dict[types.CodeType, str] = {}
_index_lock = threading.Lock()


def _codes_of(module) -> dict[str, types.CodeType]:
    """Every code object defined in ``module``, nested ones included, by ``qualname@line`` (``#n`` when
    several share a line, numbered in the order the compiler keeps them)."""
    with _index_lock:
        index = _code_index.get(module.__name__)
        if index is not None:
            return index
        index, seen = {}, set()

        def add(code: types.CodeType) -> None:
            if code in seen:
                return
            seen.add(code)
            name = f"{code.co_qualname}@{code.co_firstlineno}"
            n = 1
            while (f"{name}#{n}" if n > 1 else name) in index:
                n += 1
            key = f"{name}#{n}" if n > 1 else name
            index[key] = code
            _code_names[code] = key
            for const in code.co_consts:
                if isinstance(const, types.CodeType):
                    add(const)

        def visit(value, depth: int = 0) -> None:
            if isinstance(value, (staticmethod, classmethod)):
                value = value.__func__
            if isinstance(value, property):
                for accessor in (value.fget, value.fset, value.fdel):
                    if accessor is not None:
                        visit(accessor, depth)
                return
            while hasattr(value, "__wrapped__") and isinstance(value, types.FunctionType):
                if getattr(value, "__module__", None) == module.__name__:
                    add(value.__code__)
                value = value.__wrapped__
            if isinstance(value, types.FunctionType) and value.__module__ == module.__name__:
                add(value.__code__)
            elif isinstance(value, type) and value.__module__ == module.__name__ and depth < 4:
                for member in vars(value).values():
                    visit(member, depth + 1)

        for value in list(vars(module).values()):
            visit(value)
        _code_index[module.__name__] = index
        return index


def _code_name(function: types.FunctionType) -> str:
    module = _module(function.__module__)
    if function.__globals__ is not vars(module):
        raise SnapshotError(f"function {function.__qualname__} does not belong to module {module.__name__}.")
    index = _codes_of(module)
    name = _code_names.get(function.__code__)
    if name is None or index.get(name) is not function.__code__:
        raise SnapshotError(f"function {function.__module__}:{function.__qualname__} cannot be found again "
                            "among its module's code.")
    return name


# -- encoding ------------------------------------------------------------------
class Encoder:
    """Encodes one document; ``live`` names objects the restoring side binds to its own (by id)."""

    def __init__(self, live: dict[str, Any] | None = None) -> None:
        self._live = {id(obj): name for name, obj in (live or {}).items()}
        self._memo: dict[int, int] = {}
        self._keep: list = []     # what the memo's ids belong to, alive until the walk ends

    def _remember(self, obj) -> None:
        self._memo[id(obj)] = len(self._memo)
        self._keep.append(obj)

    def encode(self, obj) -> Any:
        if obj is None or obj is True or obj is False or type(obj) in (str, int):
            return obj
        if type(obj) is float:
            return obj if math.isfinite(obj) else {"$float": repr(obj)}
        live = self._live.get(id(obj))
        if live is not None:
            return {"$live": live}
        ref = self._memo.get(id(obj))
        if ref is not None:
            return {"$ref": ref}
        kind = type(obj)
        if kind is list:
            self._remember(obj)
            return [self.encode(item) for item in obj]
        if kind is dict:
            self._remember(obj)
            return self._dict(obj)
        if kind is tuple:
            return {"$tuple": [self.encode(item) for item in obj]}
        if kind is set:
            self._remember(obj)
            return {"$set": [self.encode(item) for item in _ordered(obj)]}
        if kind is frozenset:
            return {"$frozenset": [self.encode(item) for item in _ordered(obj)]}
        if kind is bytes:
            return {"$bytes": obj.hex()}
        if isinstance(obj, enum.Enum):
            return {"$enum": self._class_name(kind), "name": obj.name}
        if kind in _VALUE_NAMES:
            return self._value(obj, _VALUE_NAMES[kind])
        if kind in _LOCK_TYPES:
            return {"$lock": _LOCK_TYPES[kind]}
        if kind is random.Random:      # a seeded draw carries on where it was
            version, internal, gauss = obj.getstate()
            return {"$random": [version, list(internal), gauss]}
        if kind is itertools.count:
            return {"$count": self.count_of(obj)}
        if kind is types.MethodType:
            return {"$method": obj.__func__.__name__, "self": self.encode(obj.__self__)}
        if isinstance(obj, (types.FunctionType, type)) or kind is types.ModuleType:
            return self._named(obj)
        return self._instance(obj)

    def _value(self, obj, name: str) -> dict:
        doc = {"$value": name, "text": VALUE_CLASSES[name][1](obj)}
        zone = getattr(obj, "tzinfo", None)
        if zone is not None and type(zone) in _VALUE_NAMES:     # an offset in the text; its zone kept apart
            doc["zone"] = self.encode(zone)
        return doc

    def _dict(self, obj: dict) -> dict:
        # A JSON object only when its keys are in sorted order, the order it is read back in: the document
        # means the same whatever order a JSON tool writes objects' keys in.
        keys = list(obj)
        if all(type(key) is str and not key.startswith("$") for key in keys) and keys == sorted(keys):
            return {key: self.encode(value) for key, value in obj.items()}
        return {"$dict": [[self.encode(key), self.encode(value)] for key, value in obj.items()]}

    def _class_name(self, cls: type) -> str:
        name = _class_names.get(cls)
        if name is None:
            name = _class_names[cls] = _global_name(cls)
        if name is None:
            raise SnapshotError(f"class {cls.__module__}.{cls.__qualname__} is not one the state may hold.")
        return name

    @staticmethod
    def count_of(counter) -> list:
        """[next value, step] of an ``itertools.count``, without taking a value."""
        match = _COUNT.match(repr(counter))    # repr shows the next value without taking it
        if match is None:
            raise SnapshotError(f"cannot read {counter!r}.")
        start, step = match.group(1), match.group(2) or "1"
        return [float(start) if "." in start else int(start), float(step) if "." in step else int(step)]

    def _named(self, obj) -> dict:
        if isinstance(obj, types.ModuleType):
            _module(obj.__name__)
            return {"$module": obj.__name__}
        name = _global_name(obj)
        if name is not None:
            return {"$global": name}
        if isinstance(obj, type):
            raise SnapshotError(f"class {obj.__module__}.{obj.__qualname__} is not one the state may hold.")
        return self._function(obj)

    def _function(self, fn: types.FunctionType) -> dict:
        code = _code_name(fn)
        self._remember(fn)
        # The function and its new cells are numbered before what the cells hold (which may be the function).
        entries, fills = [], []
        for cell in fn.__closure__ or ():
            ref = self._memo.get(id(cell))
            if ref is not None:
                entries.append({"$ref": ref})
                continue
            self._remember(cell)
            entry = {"$cell": None}
            try:
                fills.append((entry, cell.cell_contents))
            except ValueError:     # a variable of the enclosing scope not bound yet
                entry["empty"] = True
            entries.append(entry)
        for entry, contents in fills:
            entry["$cell"] = self.encode(contents)
        return {"$fn": fn.__module__, "code": code, "cells": entries,
                "defaults": self.encode(fn.__defaults__), "kwdefaults": self.encode(fn.__kwdefaults__)}

    def _instance(self, obj) -> dict:
        cls = type(obj)
        name = self._class_name(cls)
        self._remember(obj)
        doc: dict = {"$obj": name}
        if isinstance(obj, dict):
            doc["items"] = self._dict(dict(obj))
            if isinstance(obj, collections.defaultdict):
                doc["factory"] = self.encode(obj.default_factory)
        elif isinstance(obj, (list, set, collections.deque)):
            doc["items"] = [self.encode(item) for item in obj]
            if isinstance(obj, collections.deque):
                doc["maxlen"] = obj.maxlen
        state = dict(obj.__dict__) if hasattr(obj, "__dict__") else {}
        for slot in _slots(cls):
            if hasattr(obj, slot):
                state[slot] = getattr(obj, slot)
        if state:
            doc["state"] = self._dict(dict(sorted(state.items())))
        return doc


def _ordered(members):
    """A set's members sorted where they can be, so that equal sets are written alike."""
    try:
        return sorted(members)
    except TypeError:
        return list(members)


_class_names: dict[type, str | None] = {}
_slot_names: dict[type, tuple[str, ...]] = {}


def _slots(cls: type) -> tuple[str, ...]:
    slots = _slot_names.get(cls)
    if slots is None:
        slots = _slot_names[cls] = tuple(
            slot for klass in cls.__mro__ for slot in _declared_slots(klass) if slot not in ("__dict__", "__weakref__"))
    return slots


def _declared_slots(klass: type) -> tuple[str, ...]:
    slots = klass.__dict__.get("__slots__", ())
    return (slots,) if isinstance(slots, str) else tuple(slots)


def encode(obj, live: dict[str, Any] | None = None) -> Any:
    return Encoder(live).encode(obj)


# -- decoding ------------------------------------------------------------------
class Decoder:
    """Decodes one document made by :class:`Encoder`; ``live`` holds the objects its ``$live`` names."""

    def __init__(self, live: dict[str, Any] | None = None) -> None:
        self._live = dict(live or {})
        self._memo: list = []

    def decode(self, value) -> Any:
        if value is None or isinstance(value, (str, bool, int, float)):
            return value
        if isinstance(value, list):
            items: list = []
            self._memo.append(items)
            items.extend(self.decode(item) for item in value)
            return items
        if not isinstance(value, dict):
            raise SnapshotError(f"unexpected {type(value).__name__} in the document.")
        tags = [key for key in value if key.startswith("$")]
        if not tags:
            result: dict = {}
            self._memo.append(result)
            self._fill_dict(result, value)
            return result
        tag = tags[0]
        reader = getattr(self, "_read_" + tag[1:], None)
        if len(tags) != 1 or reader is None:
            raise SnapshotError(f"unknown tag {tag!r} in the document.")
        return reader(value)

    def _items(self, value, key: str) -> list:
        items = value.get(key)
        if not isinstance(items, list):
            raise SnapshotError(f"{key!r} must be a list.")
        return items

    def _read_ref(self, value):
        ref = value["$ref"]
        if type(ref) is not int or not 0 <= ref < len(self._memo):
            raise SnapshotError(f"reference {ref!r} points to nothing.")
        return self._memo[ref]

    def _read_live(self, value):
        name = value["$live"]
        if not isinstance(name, str) or name not in self._live:
            raise SnapshotError(f"unknown live object {name!r}.")
        return self._live[name]

    def _read_float(self, value):
        text = value["$float"]
        if text not in ("inf", "-inf", "nan"):
            raise SnapshotError(f"{text!r} is not a float.")
        return float(text)

    def _read_tuple(self, value):
        return tuple(self.decode(item) for item in self._items(value, "$tuple"))

    def _read_frozenset(self, value):
        return frozenset(self._hashable(self.decode(item)) for item in self._items(value, "$frozenset"))

    def _read_set(self, value):
        result: set = set()
        self._memo.append(result)
        for item in self._items(value, "$set"):
            result.add(self._hashable(self.decode(item)))
        return result

    def _read_dict(self, value):
        result: dict = {}
        self._memo.append(result)
        self._fill_dict(result, value["$dict"])
        return result

    def _fill_dict(self, result: dict, pairs) -> None:
        """Fills ``result`` from what :meth:`Encoder._dict` wrote (not numbered: a copy's items)."""
        if isinstance(pairs, dict) and list(pairs) == ["$dict"]:
            pairs = pairs["$dict"]
        elif isinstance(pairs, dict):
            if any(key.startswith("$") for key in pairs):
                raise SnapshotError("a dict's keys may not start with $ unless written as $dict pairs.")
            for key in sorted(pairs):
                result[key] = self.decode(pairs[key])
            return
        if not isinstance(pairs, list):
            raise SnapshotError("a dict's items must be a list of [key, value] pairs.")
        for pair in pairs:
            if not isinstance(pair, list) or len(pair) != 2:
                raise SnapshotError("a dict's items must be a list of [key, value] pairs.")
            key = self._hashable(self.decode(pair[0]))
            result[key] = self.decode(pair[1])

    @staticmethod
    def _hashable(key):
        try:
            hash(key)
        except TypeError:
            raise SnapshotError(f"a {type(key).__name__} cannot be a dict key or set member.") from None
        return key

    def _read_bytes(self, value):
        try:
            return bytes.fromhex(value["$bytes"])
        except (TypeError, ValueError):
            raise SnapshotError("$bytes must be hexadecimal.") from None

    def _read_enum(self, value):
        cls = _global(value["$enum"])
        if not isinstance(cls, type) or not issubclass(cls, enum.Enum) or value.get("name") not in cls.__members__:
            raise SnapshotError(f"{value['$enum']} has no member {value.get('name')!r}.")
        return cls[value["name"]]

    def _read_value(self, value):
        if value["$value"] not in VALUE_CLASSES:
            raise SnapshotError(f"{value['$value']!r} is not a value the state may hold.")
        try:
            made = VALUE_CLASSES[value["$value"]][2](value.get("text"))
            if "zone" in value:
                made = made.replace(tzinfo=self.decode(value["zone"]))
        except (TypeError, ValueError, KeyError, zoneinfo.ZoneInfoNotFoundError):
            raise SnapshotError(f"{value.get('text')!r} is not a {value['$value']}.") from None
        return made

    def _read_lock(self, value):
        if value["$lock"] not in _NEW_LOCK:
            raise SnapshotError(f"unknown lock {value['$lock']!r}.")
        return _NEW_LOCK[value["$lock"]]()

    def _read_random(self, value):
        state = value["$random"]
        made = random.Random()
        try:
            made.setstate((state[0], tuple(state[1]), state[2]))
        except (TypeError, ValueError, IndexError, KeyError, OverflowError):
            raise SnapshotError("$random must be [version, internal state, gauss].") from None
        return made

    def _read_count(self, value):
        start = value["$count"]
        if (not isinstance(start, list) or len(start) != 2
                or not all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in start)):
            raise SnapshotError("$count must be [next value, step].")
        return itertools.count(*start)

    def _read_method(self, value):
        owner = self.decode(value.get("self"))
        name = value["$method"]
        method = getattr(owner, name, None) if isinstance(name, str) else None
        if not isinstance(method, types.MethodType):
            raise SnapshotError(f"{type(owner).__name__} has no method {name!r}.")
        return method

    def _read_module(self, value):
        return _module(value["$module"])

    def _read_global(self, value):
        obj = _global(value["$global"])
        if not isinstance(obj, (type, types.FunctionType)):
            raise SnapshotError(f"{value['$global']} is not a class or function.")
        return obj

    def _read_fn(self, value):
        module = _module(value["$fn"])
        name = value.get("code")
        code = _codes_of(module).get(name) if isinstance(name, str) else None
        if code is None:
            raise SnapshotError(f"function {value['$fn']}:{value.get('code')} does not exist in this "
                                "emulator version.")
        entries = self._items(value, "cells")
        if len(entries) != len(code.co_freevars):
            raise SnapshotError(f"function {value['$fn']}:{value['code']} takes {len(code.co_freevars)} "
                                f"closure cells, not {len(entries)}.")
        # The function and its new cells are numbered before what the cells hold (which may be the function).
        slot = len(self._memo)
        self._memo.append(None)
        cells, fills = [], []
        for entry in entries:
            if isinstance(entry, dict) and "$ref" in entry:
                cell = self._read_ref(entry)
                if not isinstance(cell, types.CellType):
                    raise SnapshotError("a function's closure must be made of cells.")
            elif isinstance(entry, dict) and "$cell" in entry:
                cell = types.CellType()
                self._memo.append(cell)
                if not entry.get("empty"):
                    fills.append((cell, entry["$cell"]))
            else:
                raise SnapshotError("a function's closure must be made of cells.")
            cells.append(cell)
        fn = self._memo[slot] = types.FunctionType(code, vars(module), code.co_name, None, tuple(cells) or None)
        for cell, contents in fills:
            cell.cell_contents = self.decode(contents)
        fn.__defaults__ = self._argument_defaults(value.get("defaults"), tuple)
        fn.__kwdefaults__ = self._argument_defaults(value.get("kwdefaults"), dict)
        return fn

    def _argument_defaults(self, value, kind: type):
        defaults = self.decode(value)
        if defaults is not None and not isinstance(defaults, kind):
            raise SnapshotError(f"a function's defaults must be a {kind.__name__}.")
        return defaults

    def _read_obj(self, value):
        cls = _global(value["$obj"])
        if not isinstance(cls, type):
            raise SnapshotError(f"{value['$obj']} is not a class.")
        if issubclass(cls, collections.deque):
            maxlen = value.get("maxlen")
            obj = cls((), maxlen if isinstance(maxlen, int) and maxlen >= 0 else None)
        else:
            base = next((b for b in (dict, list, set) if issubclass(cls, b)), object)
            try:
                obj = base.__new__(cls)     # no constructor runs: the attributes come from the document
            except TypeError:
                raise SnapshotError(f"{value['$obj']} cannot be recreated.") from None
        self._memo.append(obj)
        # In the order Encoder._instance wrote them: items, a defaultdict's factory, attributes.
        if isinstance(obj, dict):
            items: dict = {}
            self._fill_dict(items, value.get("items", {}))
            dict.update(obj, items)
            if isinstance(obj, collections.defaultdict):
                obj.default_factory = self.decode(value.get("factory"))
        elif isinstance(obj, (list, set, collections.deque)):
            items = [self.decode(item) for item in self._items(value, "items")]
            if isinstance(obj, set):
                set.update(obj, (self._hashable(item) for item in items))
            elif isinstance(obj, list):
                list.extend(obj, items)
            else:
                obj.extend(items)
        state = value.get("state", {})
        if not isinstance(state, dict):
            raise SnapshotError(f"the state of a {value['$obj']} must be an object.")
        attributes: dict = {}
        self._fill_dict(attributes, state)
        for name, attribute in attributes.items():
            if not isinstance(name, str):
                raise SnapshotError(f"attribute names of a {value['$obj']} must be strings.")
            object.__setattr__(obj, name, attribute)
        return obj


def decode(value, live: dict[str, Any] | None = None) -> Any:
    return Decoder(live).decode(value)
