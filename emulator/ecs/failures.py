"""Failing tasks on purpose: declare that matching tasks fail to start or exit, to test what follows.

A rule matches a task by container image (a glob, ``"*"`` for any: ``"repo/app:broken"``,
``"*:v2"``) and/or task-definition family, and says what happens to the tasks it matches:

- fail to start (no ``exit_code``): when the task has been provisioned and its images are pulled,
  it stops with stopCode ``TaskFailedToStart`` and ``stoppedReason`` (default
  ``CannotPullContainerError: ...`` naming the image); its containers never run.
- exit (``exit_code`` given): ``after`` clock seconds after the task reached RUNNING, its matching
  containers (``container``, else those running a matching image, else its first essential
  container) exit with ``exit_code`` (and ``reason``, e.g. ``OutOfMemoryError: Container killed due
  to memory usage`` for 137); an essential one stops the task with ``EssentialContainerExited``.

``count`` limits how many tasks a rule affects (default: every matching task from now on). What
follows from the outcomes -- service events, ``failedTasks``, the circuit breaker, rollbacks,
restart throttling -- is the service scheduler's, as for any task that fails.

Lifecycle hooks: there is no Lambda here. An ``AWS_LAMBDA`` deployment lifecycle hook is taken as
invoked, and its function answers ``SUCCEEDED`` after ``ecs.deployment.hook`` seconds -- unless a
hook rule names its ``hookTargetArn``: the function then answers ``FAILED`` (the deployment rolls
back) or ``IN_PROGRESS`` (ECS invokes it again ``call_back_delay`` clock seconds later, 30 by
default as AWS's ``callBackDelay``, until the hook's timeout). ``count`` limits how many
invocations the rule answers (then the function answers ``SUCCEEDED`` again).

Scope: rules belong to one account and Region, like its resources (they are kept in that ECS
store's ``failure_rules``): a rule affects only the tasks of its own account and Region, and
``reset`` drops them with the stores. Every call below takes ``account`` and ``region``; they
default to the engine's default account (``123456789012``, or ``EMULATOR_ACCOUNT_ID``) and
``us-east-1``, the account and Region of a client with no particular credentials.

In process (``target`` is an ``Emulator`` or anything with ``.engine``: ``mock_aws``, the
``ecs_eks_mock`` fixture, ``EmulatorServer``)::

    from emulator.ecs.failures import fail_tasks, fail_hooks, failure_rules, clear_failures
    fail_tasks(mock, image="web:2", reason="CannotPullContainerError: pull access denied")
    fail_tasks(mock, family="worker", exit_code=1, after=30, region="eu-west-1")
    fail_hooks(mock, "arn:aws:lambda:us-east-1:123456789012:function:smoke-test")        # FAILED
    fail_hooks(mock, "arn:aws:lambda:us-east-1:123456789012:function:warm-up", status="IN_PROGRESS", count=2)
    failure_rules(mock)              # the rules of the default account in us-east-1
    clear_failures(mock)

Over HTTP: ``POST /_emulator/ecs/failures`` with the same fields in camelCase (``image``,
``family``, ``reason``, ``exitCode``, ``after``, ``container``, ``count``, ``account``, ``region``;
for a hook rule ``hookTargetArn``, ``hookStatus``, ``callBackDelay``, ``count``, ``account``,
``region``), ``GET`` lists the rules, ``DELETE`` (optionally ``?id=``) removes them; ``GET`` and
``DELETE`` take ``?account=&region=``, with the same defaults.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Callable, ClassVar

from emulator.core import ids, identity
from emulator.ecs import task_engine
from emulator.ecs.task_engine import LifecycleContext

FAILED_TO_START = "TaskFailedToStart"
EXITED = "EssentialContainerExited"
HOOK_ANSWER = "LifecycleHook"              # the kind of a hook rule (it fails no task)
HOOK_STATUSES = ("FAILED", "IN_PROGRESS")  # what a hook rule makes a Lambda hook answer
CALL_BACK_DELAY = 30.0                     # AWS's default callBackDelay of an IN_PROGRESS answer, in seconds


def cannot_pull(image: str) -> str:
    return (f"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref "
            f"{image}: not found")


@dataclass
class FailureRule:
    id: str
    image: str | None
    family: str | None
    reason: str | None
    exit_code: int | None
    after: float
    container: str | None
    remaining: int | None

    @property
    def failure(self) -> str:
        return FAILED_TO_START if self.exit_code is None else EXITED

    def matches(self, task) -> bool:
        if self.family is not None and task.family != self.family:
            return False
        return self.image is None or any(self._image_matches(c.image) for c in task.containers)

    def _image_matches(self, image: str) -> bool:
        return fnmatch.fnmatchcase(image, self.image)

    def targets(self, task) -> list:
        """The containers that exit."""
        if self.container is not None:
            return [c for c in task.containers if c.name == self.container]
        if self.image is not None:
            return [c for c in task.containers if self._image_matches(c.image)]
        return [next((c for c in task.containers if c.essential), task.containers[0])]

    def describe(self) -> dict:
        return {"id": self.id, "failure": self.failure, "image": self.image, "family": self.family,
                "reason": self.reason, "exitCode": self.exit_code, "after": self.after,
                "container": self.container, "remaining": self.remaining}


@dataclass
class HookRule:
    """What the function of a Lambda lifecycle hook answers instead of SUCCEEDED."""
    id: str
    hook_target_arn: str
    hook_status: str
    call_back_delay: float
    remaining: int | None
    failure: ClassVar[str] = HOOK_ANSWER

    def describe(self) -> dict:
        return {"id": self.id, "failure": self.failure, "hookTargetArn": self.hook_target_arn,
                "hookStatus": self.hook_status, "callBackDelay": self.call_back_delay, "remaining": self.remaining}


def _engine(target):
    return getattr(target, "engine", target)


def _locked_store(target, account: str | None, region: str | None):
    """The store of (account, region), up to now and locked for the block."""
    return _engine(target).locked_store("ecs", account, region or identity.DEFAULT_REGION)


def fail_tasks(target, *, image: str | None = None, family: str | None = None, reason: str | None = None,
               exit_code: int | None = None, after: float = 0.0, container: str | None = None,
               count: int | None = None, account: str | None = None, region: str | None = None) -> dict:
    """Declare that tasks of ``account`` and ``region`` matching ``image`` and/or ``family`` fail (see the
    module docstring); returns the rule."""
    if image is None and family is None:
        raise ValueError("a failure rule needs an image or a task-definition family")
    if after < 0 or (count is not None and count < 1):
        raise ValueError("after must be >= 0 and count >= 1")
    rule = FailureRule(id=ids.hex_id(12), image=image, family=family, reason=reason, exit_code=exit_code,
                       after=float(after), container=container, remaining=count)
    with _locked_store(target, account, region) as store:
        store.failure_rules.append(rule)
    return rule.describe()


def fail_hooks(target, hook_target_arn: str, *, status: str = "FAILED", call_back_delay: float = CALL_BACK_DELAY,
               count: int | None = None, account: str | None = None, region: str | None = None) -> dict:
    """Declare that the Lambda function ``hook_target_arn`` answers ``status`` (FAILED or IN_PROGRESS) when a
    deployment lifecycle hook of ``account`` and ``region`` invokes it (see the module docstring); returns the rule."""
    if status not in HOOK_STATUSES:
        raise ValueError(f"a hook rule answers one of {', '.join(HOOK_STATUSES)}")
    if not hook_target_arn or call_back_delay < 0 or (count is not None and count < 1):
        raise ValueError("a hook rule needs a hookTargetArn, callBackDelay >= 0 and count >= 1")
    rule = HookRule(id=ids.hex_id(12), hook_target_arn=hook_target_arn, hook_status=status,
                    call_back_delay=float(call_back_delay), remaining=count)
    with _locked_store(target, account, region) as store:
        store.failure_rules.append(rule)
    return rule.describe()


def hook_answer(store, hook_target_arn: str) -> HookRule | None:
    """The rule that answers one invocation of ``hook_target_arn`` (counted against its ``count``), or None
    when the function answers SUCCEEDED."""
    return _take(store, HOOK_ANSWER, lambda rule: rule.hook_target_arn == hook_target_arn)


def failure_rules(target, account: str | None = None, region: str | None = None) -> list[dict]:
    """The rules of ``account`` and ``region``, oldest first."""
    with _locked_store(target, account, region) as store:
        return [rule.describe() for rule in store.failure_rules]


def clear_failures(target, rule_id: str | None = None, account: str | None = None,
                   region: str | None = None) -> int:
    """Remove one rule (or all) of ``account`` and ``region``; returns how many were removed."""
    with _locked_store(target, account, region) as store:
        rules = store.failure_rules
        before = len(rules)
        rules[:] = [rule for rule in rules if rule_id is not None and rule.id != rule_id]
        return before - len(rules)


def _take(store, kind: str, matches: Callable) -> FailureRule | HookRule | None:
    """The first rule of ``kind`` that ``matches``, counted against its ``count``."""
    rules = store.failure_rules
    for rule in rules:
        if rule.failure == kind and matches(rule):
            if rule.remaining is not None:
                rule.remaining -= 1
                if rule.remaining == 0:
                    rules.remove(rule)
            return rule
    return None


def _fail_start(ctx, task, rule: FailureRule) -> None:
    image = next((c.image for c in task.containers if rule.image is None or rule._image_matches(c.image)),
                 task.containers[0].image)
    reason = rule.reason or cannot_pull(image)
    for container in task.containers:
        container.reason = reason
    task_engine.stop_task(ctx, task, FAILED_TO_START, reason)


def _exit(ctx, task, rule: FailureRule) -> None:
    if task.desired_status != "RUNNING" or task.last_status != "RUNNING":
        return
    for container in rule.targets(task):
        if container.last_status == "RUNNING":
            task_engine.container_stopped(ctx, task, container, rule.exit_code, rule.reason)


def _task_changed(ctx, task, previous: str) -> None:
    store = ctx.store
    if not store.failure_rules or task.desired_status != "RUNNING" or previous == task.last_status:
        return
    if task.last_status == "PENDING":
        rule = _take(store, FAILED_TO_START, lambda rule: rule.matches(task))
        if rule is not None:
            _fail_start(ctx, task, rule)
    elif task.last_status == "RUNNING":
        rule = _take(store, EXITED, lambda rule: rule.matches(task))
        if rule is None:
            return
        if rule.after <= 0:
            _exit(ctx, task, rule)
            return
        config = ctx.config
        store.timeline.at(ctx.now + rule.after,
                          lambda at: _exit(LifecycleContext(store, config, at), task, rule))


task_engine.add_task_listener(_task_changed)
