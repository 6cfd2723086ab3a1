"""Task placement on container instances: the cluster query language, constraints, strategies.

Expressions (``memberOf`` constraints, ``ListContainerInstances`` filters) follow the cluster
query language of the ECS Developer Guide::

    attribute:ecs.instance-type == t2.micro
    attribute:ecs.availability-zone in [us-east-1a, us-east-1b]
    attribute:ecs.instance-type =~ t2.* and not(task:group == database)
    runningTasksCount < 3 || agentVersion >= 1.80.0

Subjects: ``attribute:<name>``, ``agentConnected``, ``agentVersion``, ``ec2InstanceId``,
``registeredAt``, ``runningTasksCount``, ``task:group``. Operators: ``==``/``equals``,
``!=``/``not_equals``, ``>``/``greater_than``, ``>=``/``greater_than_equal``, ``<``/``less_than``,
``<=``/``less_than_equal``, ``exists``, ``!exists``/``not_exists``, ``in``, ``!in``/``not_in``,
``=~``/``matches``, ``!~``/``not_matches``; joined with ``and``/``&&``, ``or``/``||``,
``not``/``!`` and parentheses.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from emulator.ecs.errors import InvalidParameterException

MAX_CONSTRAINTS = 10
MAX_STRATEGIES = 5
TOO_MANY_CONSTRAINTS = "placementConstraints can have at most 10 items."
TOO_MANY_STRATEGIES = "placementStrategy can have at most 5 items."
DISTINCT_INSTANCE_EXPRESSION = "The distinctInstance constraint type does not support an expression."
MEMBER_OF_EXPRESSION = "The memberOf constraint type requires an expression."
MEMBER_OF_UNSATISFIED = "MemberOf placement constraint unsatisfied"
DISTINCT_INSTANCE_UNSATISFIED = "DistinctInstance placement constraint unsatisfied"
RANDOM_TAKES_NO_FIELD = "The random placement strategy does not support a field."
SPREAD_FIELD_REQUIRED = "The spread placement strategy requires a field."
BINPACK_FIELD_REQUIRED = "The binpack placement strategy requires a field of cpu or memory."


def invalid_expression(expression: str) -> str:
    return f"The expression '{expression}' is not a valid cluster query expression."


# -- the cluster query language ----------------------------------------------------------------

_OPERATORS = {
    "==": "==", "equals": "==", "!=": "!=", "not_equals": "!=",
    ">": ">", "greater_than": ">", ">=": ">=", "greater_than_equal": ">=",
    "<": "<", "less_than": "<", "<=": "<=", "less_than_equal": "<=",
    "exists": "exists", "!exists": "!exists", "not_exists": "!exists",
    "in": "in", "!in": "!in", "not_in": "!in",
    "=~": "=~", "matches": "=~", "!~": "!~", "not_matches": "!~",
}
_UNARY = frozenset({"exists", "!exists"})
_TOKEN = re.compile(r"""
    \s*(?:
      (?P<punct>&&|\|\||==|!=|>=|<=|=~|!~|[()\[\],<>!])
    | '(?P<single>[^']*)'
    | "(?P<double>[^"]*)"
    | (?P<word>[^\s()\[\],=!<>&|'"]+)
    )""", re.VERBOSE)


@dataclass(frozen=True)
class _Token:
    kind: str      # "punct" | "word" | "quoted"
    text: str


def _tokens(expression: str) -> list[_Token]:
    out, pos, text = [], 0, expression.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise InvalidParameterException(invalid_expression(expression))
        pos = match.end()
        if match.group("punct") is not None:
            out.append(_Token("punct", match.group("punct")))
        elif match.group("word") is not None:
            out.append(_Token("word", match.group("word")))
        else:
            quoted = match.group("single") if match.group("single") is not None else match.group("double")
            out.append(_Token("quoted", quoted))
    return out


Predicate = Callable[[Any], bool]   # (container instance) -> bool


class _Parser:
    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.tokens = _tokens(expression)
        self.pos = 0

    def fail(self):
        raise InvalidParameterException(invalid_expression(self.expression))

    def peek(self, offset: int = 0) -> _Token | None:
        i = self.pos + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            self.fail()
        self.pos += 1
        return token

    def is_(self, kind: str, *texts: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token is not None and token.kind == kind and (not texts or token.text in texts)

    def parse(self) -> Predicate:
        if not self.tokens:
            self.fail()
        predicate = self.or_()
        if self.peek() is not None:
            self.fail()
        return predicate

    def or_(self) -> Predicate:
        parts = [self.and_()]
        while self.is_("punct", "||") or self.is_("word", "or"):
            self.take()
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else (lambda i, ps=tuple(parts): any(p(i) for p in ps))

    def and_(self) -> Predicate:
        parts = [self.not_()]
        while self.is_("punct", "&&") or self.is_("word", "and"):
            self.take()
            parts.append(self.not_())
        return parts[0] if len(parts) == 1 else (lambda i, ps=tuple(parts): all(p(i) for p in ps))

    def not_(self) -> Predicate:
        if self.is_("punct", "!") or self.is_("word", "not"):
            self.take()
            inner = self.not_()
            return lambda i: not inner(i)
        if self.is_("punct", "("):
            self.take()
            inner = self.or_()
            if not self.is_("punct", ")"):
                self.fail()
            self.take()
            return inner
        return self.comparison()

    def operator(self) -> str:
        token = self.take()
        text = token.text
        if token.kind == "punct" and text == "!" and self.is_("word", "exists", "in"):
            text = "!" + self.take().text
        elif token.kind not in ("punct", "word"):
            self.fail()
        if text not in _OPERATORS:
            self.fail()
        return _OPERATORS[text]

    def value(self) -> str:
        token = self.take()
        if token.kind == "punct":
            self.fail()
        return token.text

    def argument(self) -> list[str]:
        if self.is_("punct", "["):
            self.take()
            values = [self.value()]
            while self.is_("punct", ","):
                self.take()
                values.append(self.value())
            if not self.is_("punct", "]"):
                self.fail()
            self.take()
            return values
        return [self.value()]

    def comparison(self) -> Predicate:
        token = self.take()
        if token.kind != "word":
            self.fail()
        subject = _subject(token.text, self.fail)
        op = self.operator()
        args = [] if op in _UNARY else self.argument()
        if op not in ("in", "!in") and len(args) > 1:
            self.fail()
        return _comparison(subject, op, args, self.fail)


@dataclass(frozen=True)
class _Subject:
    name: str
    kind: str        # "text" | "number" | "version" | "time" | "groups"
    read: Callable[[Any], Any]


def _subject(text: str, fail) -> _Subject:
    if text.startswith("attribute:") and len(text) > len("attribute:"):
        attribute = text[len("attribute:"):]
        return _Subject(text, "text", lambda instance: instance.attributes.get(attribute))
    subjects = {
        "agentConnected": _Subject(text, "text", lambda i: "true" if i.agent_connected else "false"),
        "agentVersion": _Subject(text, "version", lambda i: i.version_info.get("agentVersion")),
        "ec2InstanceId": _Subject(text, "text", lambda i: i.ec2_instance_id),
        "registeredAt": _Subject(text, "time", lambda i: i.registered_at),
        "runningTasksCount": _Subject(text, "number", lambda i: i.running_tasks_count),
        "task:group": _Subject(text, "groups", lambda i: i.task_groups),
    }
    subject = subjects.get(text)
    if subject is None:
        fail()
    return subject


def _version(text: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"[.\-]", text.lstrip("v")))


def _time(text: str, fail) -> float:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        fail()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def _converter(kind: str, fail) -> Callable[[str], Any]:
    if kind == "number":
        def number(text: str):
            try:
                return float(text)
            except ValueError:
                fail()
        return number
    if kind == "version":
        return _version
    if kind == "time":
        return lambda text: _time(text, fail)
    return lambda text: text


def _ordered(left, right) -> tuple:
    """Attribute values compare as numbers when both are numbers, else as text."""
    try:
        return float(left), float(right)
    except (TypeError, ValueError):
        return str(left), str(right)


def _comparison(subject: _Subject, op: str, args: list[str], fail) -> Predicate:
    convert = _converter(subject.kind, fail)
    values = [convert(a) for a in args]
    if op in ("=~", "!~"):
        try:
            patterns = [re.compile(a) for a in args]
        except re.error:
            fail()
    if subject.kind == "groups":
        if op not in ("==", "!=", "in", "!in", "exists", "!exists"):
            fail()
        wanted = set(args)

        def groups(instance) -> bool:
            present = {g for g, n in subject.read(instance).items() if n > 0}
            if op == "exists":
                return bool(present)
            if op == "!exists":
                return not present
            hit = bool(present & wanted)
            return hit if op in ("==", "in") else not hit
        return groups

    def compare(instance) -> bool:
        actual = subject.read(instance)
        if op == "exists":
            return actual is not None
        if op == "!exists":
            return actual is None
        if actual is None:
            return op in ("!=", "!in", "!~")
        if op in ("==", "in"):
            return any(_equal(subject.kind, actual, v) for v in values)
        if op in ("!=", "!in"):
            return not any(_equal(subject.kind, actual, v) for v in values)
        if op == "=~":
            return any(p.fullmatch(str(actual)) for p in patterns)
        if op == "!~":
            return not any(p.fullmatch(str(actual)) for p in patterns)
        target = values[0]
        if subject.kind == "version":
            left, right = _version(str(actual)), target
        elif subject.kind == "text":
            left, right = _ordered(actual, target)
        else:
            left, right = actual, target
        try:
            return {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[op]
        except TypeError:
            return False
    return compare


def _equal(kind: str, actual, value) -> bool:
    if kind == "version":
        return _version(str(actual)) == value
    if kind == "text":
        return str(actual) == value
    return actual == value


def compile_expression(expression: str) -> Predicate:
    """A predicate over container instances; InvalidParameterException when malformed."""
    return _Parser(expression).parse()


# -- constraints and strategies ----------------------------------------------------------------

@dataclass
class Placement:
    """What a task needs from a container instance."""
    cpu: int
    memory: int
    tcp_ports: frozenset[int]          # static host ports
    udp_ports: frozenset[int]
    needs_eni: bool = False
    group: str = ""
    constraints: list[tuple[str, Predicate | None]] = field(default_factory=list)   # (type, predicate)
    strategy: list[dict] = field(default_factory=list)


def check_constraints(constraints: list[dict]) -> list[tuple[str, Predicate | None]]:
    if len(constraints) > MAX_CONSTRAINTS:
        raise InvalidParameterException(TOO_MANY_CONSTRAINTS)
    out = []
    for constraint in constraints:
        kind, expression = constraint.get("type"), constraint.get("expression")
        if kind == "distinctInstance":
            if expression:
                raise InvalidParameterException(DISTINCT_INSTANCE_EXPRESSION)
            out.append((kind, None))
        elif kind == "memberOf":
            if not expression:
                raise InvalidParameterException(MEMBER_OF_EXPRESSION)
            out.append((kind, compile_expression(expression)))
    return out


def check_strategies(strategies: list[dict]) -> list[dict]:
    if len(strategies) > MAX_STRATEGIES:
        raise InvalidParameterException(TOO_MANY_STRATEGIES)
    for strategy in strategies:
        kind, name = strategy.get("type"), strategy.get("field")
        if kind == "random" and name:
            raise InvalidParameterException(RANDOM_TAKES_NO_FIELD)
        if kind == "spread" and not name:
            raise InvalidParameterException(SPREAD_FIELD_REQUIRED)
        if kind == "binpack" and (name or "").lower() not in ("cpu", "memory"):
            raise InvalidParameterException(BINPACK_FIELD_REQUIRED)
    return strategies


def unfit_reason(instance, need: Placement, chosen_here: set) -> str | None:
    """Why ``instance`` cannot take the task (the failure reason AWS reports), or None."""
    if not instance.agent_connected:
        return "AGENT"
    for kind, predicate in need.constraints:
        if kind == "memberOf" and not predicate(instance):
            return MEMBER_OF_UNSATISFIED
        if kind == "distinctInstance" and (instance.task_groups.get(need.group, 0) > 0 or instance.id in chosen_here):
            return DISTINCT_INSTANCE_UNSATISFIED
    if need.cpu > instance.remaining_cpu:
        return "RESOURCE:CPU"
    if need.memory > instance.remaining_memory:
        return "RESOURCE:MEMORY"
    if (need.tcp_ports and not need.tcp_ports.isdisjoint(instance.used_tcp_ports)) or \
            (need.udp_ports and not need.udp_ports.isdisjoint(instance.used_udp_ports)):
        return "RESOURCE:PORTS"
    if need.needs_eni and instance.free_enis() <= 0:
        return "RESOURCE:ENI"
    return None


def _spread_value(instance, field_name: str):
    name = field_name.lower()
    if name in ("instanceid", "host"):
        return instance.id
    if field_name.startswith("attribute:"):
        return instance.attributes.get(field_name[len("attribute:"):])
    return None


def choose(candidates: list, need: Placement, spread_counts: Callable[[str], dict], rng: random.Random):
    """Apply the strategies in order, each narrowing the candidates; ties are broken at random."""
    remaining = candidates
    for strategy in need.strategy:
        if len(remaining) <= 1:
            break
        kind, name = strategy.get("type"), strategy.get("field") or ""
        if kind == "binpack":
            key = (lambda i: i.remaining_cpu) if name.lower() == "cpu" else (lambda i: i.remaining_memory)
            least = min(key(i) for i in remaining)
            remaining = [i for i in remaining if key(i) == least]
        elif kind == "spread":
            counts = spread_counts(name)
            fewest = min(counts.get(_spread_value(i, name), 0) for i in remaining)
            remaining = [i for i in remaining if counts.get(_spread_value(i, name), 0) == fewest]
        elif kind == "random":
            remaining = [rng.choice(remaining)]
    return remaining[0] if len(remaining) == 1 else rng.choice(remaining)


def spread_counts(instances: list, field_name: str, group: str) -> dict:
    """Tasks of ``group`` per value of the spread field, over the cluster's instances."""
    counts: dict = {}
    for instance in instances:
        value = _spread_value(instance, field_name)
        counts[value] = counts.get(value, 0) + instance.task_groups.get(group, 0)
    return counts
