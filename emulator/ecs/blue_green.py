"""Blue/green, linear and canary deployments (deployment strategies BLUE_GREEN, LINEAR, CANARY) and
their lifecycle hooks.

A service deployment with one of these strategies does not roll tasks: the new (green) revision is
scaled up to the full desired count beside the running (blue) one, traffic moves to green, and blue
is scaled down at the end. The service deployment walks through its lifecycle stages
(``lifecycleStage`` in DescribeServiceDeployments), each stage done before the next starts:

    RECONCILE_SERVICE        only when the service runs more than one revision when the deployment
                             starts: the revisions that are neither blue nor green are stopped
    PRE_SCALE_UP             hooks
    SCALE_UP                 green starts desiredCount tasks (maximumPercent does not apply); done
                             when they are all healthy (``ecs.service.task_healthy``)
    POST_SCALE_UP            hooks
    TEST_TRAFFIC_SHIFT       test traffic 0 -> 100 % green (``ecs.deployment.shift``); Lambda hooks
    POST_TEST_TRAFFIC_SHIFT  hooks
    PRODUCTION_TRAFFIC_SHIFT production traffic to green: BLUE_GREEN at once; LINEAR in steps of
                             ``stepPercent`` with ``stepBakeTimeInMinutes`` between them; CANARY
                             ``canaryPercent``, ``canaryBakeTimeInMinutes``, then the rest. Before
                             each step the PRE_PRODUCTION_TRAFFIC_SHIFT hooks run, after it the
                             PRODUCTION_TRAFFIC_SHIFT (Lambda) hooks
    POST_PRODUCTION_TRAFFIC_SHIFT hooks
    BAKE_TIME                ``bakeTimeInMinutes`` with both revisions running
    CLEAN_UP                 blue's tasks are stopped; done when they are STOPPED

Then the scheduler marks green COMPLETED and the service deployment SUCCESSFUL, as for a rolling
update. Until then the service lists both deployments (green PRIMARY, blue ACTIVE, each with its
full count), so the services_stable waiter succeeds only at the end. Each traffic shift takes
``ecs.deployment.shift`` seconds; bake times are counted in minutes of ``ecs.deployment.minute``
seconds each (60 under the realistic timing, 0 under the instant one, where bake times pass at
once). Hook timeouts are clock minutes under any timing: they wait for someone outside.

Lifecycle hooks (``deploymentConfiguration.lifecycleHooks``) run at the stages they name:

- ``PAUSE``: the deployment waits (hook ``AWAITING_ACTION``) until ContinueServiceDeployment with
  the hook's ``hookId`` (``CONTINUE``: SUCCEEDED; ``ROLLBACK``: FAILED, and the deployment rolls back).
- ``AWS_LAMBDA``: there is no Lambda here; the function is taken as invoked and answers SUCCEEDED
  after ``ecs.deployment.hook`` seconds, unless :func:`emulator.ecs.failures.fail_hooks` makes its
  ARN answer FAILED (the deployment rolls back) or IN_PROGRESS (invoked again after the rule's
  ``callBackDelay``, until the hook times out).
- ``timeoutConfiguration`` (default 1440 minutes, ``ROLLBACK``): an unresolved hook is TIMED_OUT at
  ``expiresAt`` and the deployment continues or rolls back.

A rollback (a hook, the circuit breaker, StopServiceDeployment) makes blue PRIMARY again (a new
deployment of the last completed revision when blue's tasks are gone), scales it up if it is short,
shifts production and then test traffic back (running the PRODUCTION_TRAFFIC_SHIFT and
TEST_TRAFFIC_SHIFT Lambda hooks again, as ECS does; one that fails leaves ROLLBACK_FAILED) and
stops green's tasks (CLEAN_UP): ROLLBACK_SUCCESSFUL.

Choices where AWS is silent: ``lifecycleStage`` reads PRODUCTION_TRAFFIC_SHIFT while the
PRE_PRODUCTION_TRAFFIC_SHIFT hooks run (that stage is not among ServiceDeployment's stages);
``lifecycleHookDetails`` lists every hook run of the deployment, oldest first; a Lambda hook's id is
``ecs-lambda-`` and 43 URL-safe characters (a pause hook's ``ecs-pause-``, as AWS shows them); a first
deployment (CreateService) runs the same stages with nothing to scale down, and one that must roll
back has nothing to roll back to: it is STOPPED.
"""
from __future__ import annotations

import dataclasses
import math
import string

from emulator.config import declare_duration
from emulator.core import arns, ids
from emulator.ecs import failures, scheduler, service_events
from emulator.ecs.deployments import Deployment, in_progress_reason, revision_digits
from emulator.ecs.errors import InvalidParameterException
from emulator.ecs.task_engine import LifecycleContext

TRAFFIC_SHIFT = declare_duration("ecs.deployment.shift", 5.0,
                                 "a blue/green, linear or canary deployment's traffic shift (listener rule weights "
                                 "or Service Connect routes updated)")
BAKE_MINUTE = declare_duration("ecs.deployment.minute", 60.0,
                               "clock seconds in one minute of bakeTimeInMinutes, stepBakeTimeInMinutes and "
                               "canaryBakeTimeInMinutes (0: bake times pass at once)")
LAMBDA_HOOK = declare_duration("ecs.deployment.hook", 5.0,
                               "an AWS_LAMBDA deployment lifecycle hook's invocation until its function answers")

STRATEGIES = ("BLUE_GREEN", "LINEAR", "CANARY")
MAX_BAKE_MINUTES = 1440
LINEAR_DEFAULTS = {"stepPercent": 10.0, "stepBakeTimeInMinutes": 6}
CANARY_DEFAULTS = {"canaryPercent": 5.0, "canaryBakeTimeInMinutes": 10}
DEFAULT_HOOK_TIMEOUT_MINUTES = 1440
DEFAULT_TIMEOUT_ACTION = "ROLLBACK"
LAMBDA_ONLY_STAGES = ("TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT")
HOOK_ID_ALPHABET = string.ascii_letters + string.digits + "_-"
HOOK_ID_LENGTH = 43
ACTIVE_HOOK_STATUSES = ("AWAITING_ACTION", "IN_PROGRESS")

# -- the rules of a deployment configuration ----------------------------------------------------------------
BAKE_TIME_RANGE = "bakeTimeInMinutes must be between 0 and 1440, inclusive."                  # (own wording)
STEP_PERCENT_RANGE = "stepPercent must be a multiple of 0.1 from 3.0 to 100.0."               # (own wording)
STEP_BAKE_TIME_RANGE = "stepBakeTimeInMinutes must be between 0 and 1440, inclusive."         # (own wording)
CANARY_PERCENT_RANGE = "canaryPercent must be a multiple of 0.1 from 0.1 to 100.0."           # (own wording)
CANARY_BAKE_TIME_RANGE = "canaryBakeTimeInMinutes must be between 0 and 1440, inclusive."     # (own wording)
HOOKS_NEED_STRATEGY = ("Lifecycle hooks are only supported for services using the BLUE_GREEN, LINEAR or CANARY "
                       "deployment strategy.")                                                  # (own wording)
HOOK_STAGES_REQUIRED = "lifecycleStages must contain at least one lifecycle stage."           # (own wording)
# the developer guide's sentence on pause hooks
PAUSE_STAGES = ("PAUSE hooks cannot be configured at TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT stages. "
                "These stages are only valid for AWS_LAMBDA hooks.")
SAME_TARGET_GROUP = "The alternate target group must be different from the target group."    # (own wording)
NO_TARGET_GROUP = "A load balancer of a service using the {strategy} deployment strategy needs a targetGroupArn."
SHARED_RULES = "The following rules cannot be used as both production and test listener rules: "   # AWS's


def only_with(member: str, strategy: str) -> str:
    return f"{member} is only valid when the deployment strategy is {strategy}."               # (own wording)


def strategy_needs_ecs_controller(strategy: str) -> str:
    return (f"The {strategy} deployment strategy is only supported for services using the ECS deployment "
            f"controller.")                                                                     # (own wording)


def daemon_strategy(strategy: str) -> str:
    return f"The daemon scheduling strategy does not support the {strategy} deployment strategy."  # (own wording)


def lambda_hook_needs(member: str) -> str:
    return f"{member} is required for a lifecycle hook with the AWS_LAMBDA target type."       # (own wording)


def not_a_lambda_function(arn: str) -> str:
    return f"hookTargetArn must be the ARN of a Lambda function: {arn}"                        # (own wording)


def needs_traffic_route(strategy: str) -> str:
    return (f"The {strategy} deployment strategy requires a load balancer with an advancedConfiguration or "
            f"Service Connect.")                                                                # (own wording)


def needs_advanced_configuration(strategy: str) -> str:
    return (f"Each load balancer of a service using the {strategy} deployment strategy needs an "
            f"advancedConfiguration.")                                                          # (own wording)


def advanced_member_required(member: str) -> str:
    return f"advancedConfiguration.{member} is required."                                      # (own wording)


def invalid_rule_arn(member: str, arn: str) -> str:                                            # AWS's
    return f"{member} has an invalid ARN format. Must be RuleArn for ALB or ListenerArn for NLB. Got: {arn}"


def _minutes(value, message: str) -> None:
    if value is not None and not 0 <= value <= MAX_BAKE_MINUTES:
        raise InvalidParameterException(message)


def _percent(value: float, low: float, message: str) -> None:
    tenths = value * 10
    if not low <= value <= 100.0 or abs(tenths - round(tenths)) > 1e-6:
        raise InvalidParameterException(message)


def _check_hooks(hooks: list[dict]) -> None:
    for hook in hooks:
        target_type = hook.get("targetType", "AWS_LAMBDA")
        stages = hook.get("lifecycleStages") or []
        if not stages:
            raise InvalidParameterException(HOOK_STAGES_REQUIRED)
        if target_type == "PAUSE":
            if any(stage in LAMBDA_ONLY_STAGES for stage in stages):
                raise InvalidParameterException(PAUSE_STAGES)
            continue
        for member in ("hookTargetArn", "roleArn"):
            if not hook.get(member):
                raise InvalidParameterException(lambda_hook_needs(member))
        arn = arns.parse(hook["hookTargetArn"])
        if arn is None or arn.service != "lambda" or not arn.resource.startswith("function:"):
            raise InvalidParameterException(not_a_lambda_function(hook["hookTargetArn"]))


def deployment_configuration(given: dict, configuration: dict, controller: str, scheduling: str) -> dict:
    """``configuration`` (the service's, with the request's ``given`` members applied) checked against the
    strategy's rules, with the strategy's defaults; members of another strategy that the request did not
    name are dropped."""
    strategy = configuration.get("strategy", "ROLLING")
    if strategy != "ROLLING" and controller != "ECS":
        raise InvalidParameterException(strategy_needs_ecs_controller(strategy))
    if strategy != "ROLLING" and scheduling == "DAEMON":
        raise InvalidParameterException(daemon_strategy(strategy))
    _minutes(configuration.get("bakeTimeInMinutes"), BAKE_TIME_RANGE)
    for member, owner, defaults in (("linearConfiguration", "LINEAR", LINEAR_DEFAULTS),
                                    ("canaryConfiguration", "CANARY", CANARY_DEFAULTS)):
        if strategy != owner:
            if member in given:
                raise InvalidParameterException(only_with(member, owner))
            configuration.pop(member, None)
        else:
            configuration[member] = {**defaults, **(configuration.get(member) or {})}
    if strategy == "LINEAR":
        linear = configuration["linearConfiguration"]
        _percent(linear["stepPercent"], 3.0, STEP_PERCENT_RANGE)
        _minutes(linear["stepBakeTimeInMinutes"], STEP_BAKE_TIME_RANGE)
    if strategy == "CANARY":
        canary = configuration["canaryConfiguration"]
        _percent(canary["canaryPercent"], 0.1, CANARY_PERCENT_RANGE)
        _minutes(canary["canaryBakeTimeInMinutes"], CANARY_BAKE_TIME_RANGE)
    hooks = configuration.get("lifecycleHooks") or []
    if hooks and strategy == "ROLLING":
        if "lifecycleHooks" in given:
            raise InvalidParameterException(HOOKS_NEED_STRATEGY)
        configuration.pop("lifecycleHooks")        # a service that goes back to ROLLING leaves its hooks
    _check_hooks(hooks)
    return configuration


def _listener_rule(member: str, arn: str) -> None:
    """An Application Load Balancer listener rule or a Network Load Balancer listener."""
    parsed = arns.parse(arn)
    resource = parsed.resource if parsed is not None and parsed.service == "elasticloadbalancing" else ""
    if not (resource.startswith("listener-rule/app/") or resource.startswith("listener/net/")):
        raise InvalidParameterException(invalid_rule_arn(member, arn))


def check_load_balancers(strategy: str, load_balancers: list[dict], service_connect: dict | None) -> None:
    """What moves traffic for the strategy: load balancers' advancedConfiguration (checked whatever the
    strategy), or Service Connect."""
    production, test = [], []
    for balancer in load_balancers:
        advanced = balancer.get("advancedConfiguration")
        if advanced is None:
            if strategy in STRATEGIES:
                raise InvalidParameterException(needs_advanced_configuration(strategy))
            continue
        if not balancer.get("targetGroupArn"):
            raise InvalidParameterException(NO_TARGET_GROUP.format(strategy=strategy))
        for member in ("alternateTargetGroupArn", "productionListenerRule", "roleArn"):
            if not advanced.get(member):
                raise InvalidParameterException(advanced_member_required(member))
        if advanced["alternateTargetGroupArn"] == balancer["targetGroupArn"]:
            raise InvalidParameterException(SAME_TARGET_GROUP)
        _listener_rule("productionListenerRule", advanced["productionListenerRule"])
        production.append(advanced["productionListenerRule"])
        if advanced.get("testListenerRule"):
            _listener_rule("testListenerRule", advanced["testListenerRule"])
            test.append(advanced["testListenerRule"])
    shared = [rule for rule in production if rule in test]
    if shared:
        raise InvalidParameterException(SHARED_RULES + ", ".join(shared))
    # blue/green without a route still deploys (without managed traffic shifting); linear and canary need one
    if strategy in ("LINEAR", "CANARY") and not load_balancers and not (service_connect or {}).get("enabled"):
        raise InvalidParameterException(needs_traffic_route(strategy))


# -- the lifecycle -----------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Step:
    stage: str                      # the lifecycleStage reported meanwhile
    kind: str                       # hooks | scale_up | test_shift | production_shift | bake | clean_up
    hook_stage: str | None = None   # the hooks that run in the step
    weight: float = 0.0             # production_shift / test_shift: green's share of the traffic afterwards
    minutes: float = 0.0            # bake


def _production_weights(configuration: dict) -> list[tuple[float, float]]:
    """(green's production weight, bake minutes afterwards) per production traffic shift."""
    strategy = configuration["strategy"]
    if strategy == "LINEAR":
        step = configuration["linearConfiguration"]["stepPercent"]
        bake = configuration["linearConfiguration"]["stepBakeTimeInMinutes"]
        count = math.ceil(round(100.0 / step, 6))
        return [(min(100.0, round(step * i, 1)), bake if i < count else 0) for i in range(1, count + 1)]
    if strategy == "CANARY":
        canary = configuration["canaryConfiguration"]
        if canary["canaryPercent"] >= 100.0:
            return [(100.0, 0)]
        return [(float(canary["canaryPercent"]), canary["canaryBakeTimeInMinutes"]), (100.0, 0)]
    return [(100.0, 0)]


def forward_steps(configuration: dict, reconcile_first: bool) -> list[Step]:
    steps = [Step("RECONCILE_SERVICE", "clean_others", "RECONCILE_SERVICE")] if reconcile_first else []
    steps += [Step("PRE_SCALE_UP", "hooks", "PRE_SCALE_UP"), Step("SCALE_UP", "scale_up"),
              Step("POST_SCALE_UP", "hooks", "POST_SCALE_UP"),
              Step("TEST_TRAFFIC_SHIFT", "test_shift", "TEST_TRAFFIC_SHIFT", weight=100.0),
              Step("POST_TEST_TRAFFIC_SHIFT", "hooks", "POST_TEST_TRAFFIC_SHIFT")]
    for weight, bake in _production_weights(configuration):
        steps += [Step("PRODUCTION_TRAFFIC_SHIFT", "hooks", "PRE_PRODUCTION_TRAFFIC_SHIFT"),
                  Step("PRODUCTION_TRAFFIC_SHIFT", "production_shift", "PRODUCTION_TRAFFIC_SHIFT", weight=weight)]
        if bake:
            steps.append(Step("PRODUCTION_TRAFFIC_SHIFT", "bake", minutes=bake))
    steps += [Step("POST_PRODUCTION_TRAFFIC_SHIFT", "hooks", "POST_PRODUCTION_TRAFFIC_SHIFT"),
              Step("BAKE_TIME", "bake", minutes=configuration.get("bakeTimeInMinutes") or 0),
              Step("CLEAN_UP", "clean_up")]
    return steps


def rollback_steps(lifecycle: "Lifecycle") -> list[Step]:
    steps = [Step("SCALE_UP", "scale_up")]
    if lifecycle.production_weight:
        steps.append(Step("PRODUCTION_TRAFFIC_SHIFT", "production_shift", "PRODUCTION_TRAFFIC_SHIFT", weight=0.0))
    if lifecycle.test_weight:
        steps.append(Step("TEST_TRAFFIC_SHIFT", "test_shift", "TEST_TRAFFIC_SHIFT", weight=0.0))
    return steps + [Step("CLEAN_UP", "clean_up")]


class HookRun:
    """One run of a lifecycle hook at one stage (an entry of ``lifecycleHookDetails``)."""

    def __init__(self, hook: dict, stage: str, started_at: float) -> None:
        self.target_type = hook.get("targetType", "AWS_LAMBDA")
        pause = self.target_type == "PAUSE"
        self.hook_id = ("ecs-pause-" if pause else "ecs-lambda-") + ids.token(HOOK_ID_LENGTH, HOOK_ID_ALPHABET)
        self.target_arn = None if pause else hook.get("hookTargetArn")
        self.stage = stage
        timeout = hook.get("timeoutConfiguration") or {}
        self.expires_at = started_at + 60.0 * timeout.get("timeoutInMinutes", DEFAULT_HOOK_TIMEOUT_MINUTES)
        self.timeout_action = timeout.get("action", DEFAULT_TIMEOUT_ACTION)
        self.status = "AWAITING_ACTION" if pause else "IN_PROGRESS"
        self.failure_reason: str | None = None     # why the deployment rolls back, when it does
        self.rolled_back_by_user = False           # ContinueServiceDeployment ROLLBACK (no failure event)
        self.timers: list = []

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_HOOK_STATUSES

    @property
    def rolls_back(self) -> bool:
        return self.status == "FAILED" or (self.status == "TIMED_OUT" and self.timeout_action == "ROLLBACK")

    def finish(self, status: str, reason: str | None = None) -> None:
        self.status, self.failure_reason = status, reason
        for timer in self.timers:
            timer.cancel()

    def describe(self) -> dict:
        return {"hookId": self.hook_id, "targetType": self.target_type, "targetArn": self.target_arn,
                "status": self.status, "expiresAt": self.expires_at, "timeoutAction": self.timeout_action}


def hook_failed_reason(hook: HookRun) -> str:
    return f"Lifecycle hook {hook.hook_id} failed at the {hook.stage} stage."                 # (own wording)


def hook_timed_out_reason(hook: HookRun) -> str:
    return f"Lifecycle hook {hook.hook_id} timed out at the {hook.stage} stage."              # (own wording)


def hook_rolled_back_reason(hook: HookRun) -> str:
    return (f"Service deployment rolled back because ContinueServiceDeployment was called with the ROLLBACK "
            f"action for lifecycle hook {hook.hook_id}.")                                       # (own wording)


class Lifecycle:
    """Where a blue/green, linear or canary service deployment is: its steps, hooks and traffic weights."""

    def __init__(self, record, blue: Deployment | None, reconcile_first: bool) -> None:
        self.record = record
        self.configuration = record.deployment_configuration
        self.blue = blue                   # the revision in production when the deployment started
        self.steps = forward_steps(self.configuration, reconcile_first)
        self.index = -1                    # the step running (-1: not entered yet)
        self.scaled_up = False             # green runs its tasks (from SCALE_UP on)
        self.rolling_back = False
        self.done = False
        self.test_weight = 0.0             # green's share of test traffic
        self.production_weight = 0.0       # green's share of production traffic
        self.hooks: list[HookRun] = []     # every hook run, oldest first
        self.step_hooks: list[HookRun] = []
        self.wait_until: float | None = None
        self.timer = None

    @property
    def step(self) -> Step:
        return self.steps[max(self.index, 0)]

    @property
    def stage(self) -> str:
        return self.step.stage

    @property
    def green(self) -> Deployment:
        return self.record.deployment

    def weights(self, revision) -> tuple[float, float]:
        """(test, production) traffic weights of a revision of the deployment."""
        if revision is self.green.revision:
            return self.test_weight, self.production_weight
        if self.blue is not None and revision is self.blue.revision:
            return 100.0 - self.test_weight, 100.0 - self.production_weight
        return 0.0, 0.0

    def cancel(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        for hook in self.hooks:
            if hook.active:
                for timer in hook.timers:
                    timer.cancel()


def _resolve_target_groups(green, blue) -> list[dict]:
    """The target group each of green's load balancers uses: the one blue does not."""
    blue_groups = blue.resolved_configuration() if blue is not None else []
    resolved = []
    for balancer in green.load_balancers:
        group = balancer.get("targetGroupArn")
        if not group:
            continue
        advanced = balancer.get("advancedConfiguration") or {}
        if advanced and any(entry["targetGroupArn"] == group for entry in blue_groups):
            group = advanced["alternateTargetGroupArn"]
        entry = {"targetGroupArn": group}
        if advanced.get("productionListenerRule"):
            entry["productionListenerRule"] = advanced["productionListenerRule"]
        resolved.append(entry)
    return resolved


def begin(ctx, service, record, previous: list[Deployment]) -> None:
    """Give a new service deployment of a traffic-shifting strategy its lifecycle (``previous``: the
    deployments the service had when it started)."""
    blue = next((d for d in previous if d.revision is service.last_completed_revision), None)
    record.lifecycle = Lifecycle(record, blue, reconcile_first=len(previous) > 1)
    green = record.deployment.revision
    green.resolved_load_balancers = _resolve_target_groups(green, blue.revision if blue is not None else None)


# -- running it ------------------------------------------------------------------------------------------

def _later(ctx, service):
    """A function that reconciles the service at a later instant (for timeline actions)."""
    store, config = ctx.store, ctx.config
    return lambda at: scheduler.schedule(LifecycleContext(store, config, at), service)


def _start_hook(ctx, service, lifecycle: Lifecycle, hook: HookRun) -> None:
    store, config, record = ctx.store, ctx.config, lifecycle.record
    wake = _later(ctx, service)

    def time_out(at: float) -> None:
        if hook.active and not record.finished:
            hook.finish("TIMED_OUT", hook_timed_out_reason(hook))
            wake(at)
    hook.timers.append(store.timeline.at(hook.expires_at, time_out))
    if hook.target_type == "PAUSE":
        return

    def answer(at: float) -> None:
        if not hook.active or record.finished:
            return
        rule = failures.hook_answer(store, hook.target_arn)
        if rule is None:
            hook.finish("SUCCEEDED")
        elif rule.hook_status == "FAILED":
            hook.finish("FAILED", hook_failed_reason(hook))
        else:                                  # IN_PROGRESS: invoked again after its callBackDelay
            hook.timers.append(store.timeline.at(at + rule.call_back_delay + config.duration(LAMBDA_HOOK), answer))
            return
        wake(at)
    hook.timers.append(store.timeline.at(ctx.now + ctx.duration(LAMBDA_HOOK), answer))


def _enter(ctx, service, lifecycle: Lifecycle, index: int) -> None:
    lifecycle.index = index
    step = lifecycle.steps[index]
    lifecycle.record.updated_at = ctx.now
    lifecycle.wait_until = None
    if step.kind == "test_shift":
        lifecycle.test_weight = step.weight
        lifecycle.wait_until = ctx.now + ctx.duration(TRAFFIC_SHIFT)
    elif step.kind == "production_shift":
        lifecycle.production_weight = step.weight
        lifecycle.wait_until = ctx.now + ctx.duration(TRAFFIC_SHIFT)
    elif step.kind == "bake":
        lifecycle.wait_until = ctx.now + step.minutes * ctx.duration(BAKE_MINUTE)
    elif step.kind == "scale_up" and not lifecycle.rolling_back:
        lifecycle.scaled_up = True
    if lifecycle.wait_until is not None and lifecycle.wait_until > ctx.now:
        lifecycle.timer = ctx.store.timeline.at(lifecycle.wait_until, _later(ctx, service))
    hooks = lifecycle.configuration.get("lifecycleHooks") or []
    lifecycle.step_hooks = [HookRun(hook, step.hook_stage, ctx.now) for hook in hooks
                            if step.hook_stage is not None and step.hook_stage in hook.get("lifecycleStages", [])]
    lifecycle.hooks.extend(lifecycle.step_hooks)
    for hook in lifecycle.step_hooks:
        _start_hook(ctx, service, lifecycle, hook)


def _winner_and_loser(lifecycle: Lifecycle):
    if lifecycle.rolling_back:
        return lifecycle.blue, lifecycle.green
    return lifecycle.green, lifecycle.blue


def _wanted(service, lifecycle: Lifecycle, deployment: Deployment) -> tuple[int, bool]:
    """(tasks the deployment should run now, whether to start tasks for that)."""
    desired = service.desired_count
    winner, loser = _winner_and_loser(lifecycle)
    cleaning = lifecycle.step.kind == "clean_up"
    if deployment is winner:
        return (desired, True) if lifecycle.rolling_back or lifecycle.scaled_up else (0, False)
    if deployment is loser:
        if cleaning:
            return 0, False
        return (desired, True) if not lifecycle.rolling_back else (desired, False)
    return 0, False


def _keep_tasks(ctx, service, lifecycle: Lifecycle) -> None:
    for deployment in list(service.deployments):
        wanted, launch = _wanted(service, lifecycle, deployment)
        live = [t for t in deployment.live_tasks()]
        if len(live) > wanted:
            scheduler.stop(ctx, service, deployment, scheduler.stop_order(deployment, live)[:len(live) - wanted])
        elif len(live) < wanted and launch and scheduler.can_launch(ctx, service, deployment):
            scheduler.launch(ctx, service, deployment, wanted - len(live))


def _step_done(ctx, service, lifecycle: Lifecycle) -> bool:
    if lifecycle.wait_until is not None and ctx.now < lifecycle.wait_until:
        return False
    kind = lifecycle.step.kind
    if kind == "scale_up":
        winner, _ = _winner_and_loser(lifecycle)
        live = winner.live_tasks()
        return len(live) == service.desired_count and all(winner.is_healthy(t) for t in live)
    if kind == "clean_up":
        winner, _ = _winner_and_loser(lifecycle)
        return service.deployments == [winner]
    if kind == "clean_others":
        return all(not d.tasks for d in service.deployments if d not in _winner_and_loser(lifecycle))
    return True


def reconcile(ctx, service, record) -> None:
    """Run the deployment's lifecycle as far as it can go now (the scheduler calls it while it runs)."""
    lifecycle = record.lifecycle
    if lifecycle.index < 0:
        _enter(ctx, service, lifecycle, 0)
    while not lifecycle.done and not record.finished:
        _keep_tasks(ctx, service, lifecycle)
        failed = next((hook for hook in lifecycle.step_hooks if hook.rolls_back), None)
        if failed is not None:
            _hook_failed(ctx, service, lifecycle, failed)
            return
        if any(hook.active for hook in lifecycle.step_hooks) or not _step_done(ctx, service, lifecycle):
            return
        if lifecycle.index + 1 == len(lifecycle.steps):
            lifecycle.done = True                # the scheduler completes the deployment
            service.reconcile_loop.again = True
            return
        _enter(ctx, service, lifecycle, lifecycle.index + 1)


def _hook_failed(ctx, service, lifecycle: Lifecycle, hook: HookRun) -> None:
    record = lifecycle.record
    reason = hook.failure_reason or hook_failed_reason(hook)
    if lifecycle.rolling_back:            # both revisions stay as they are, as after a failed rolling rollback
        lifecycle.done = True
        blue = lifecycle.blue
        blue.rollout_state, blue.rollout_state_reason, blue.updated_at = "FAILED", reason, ctx.now
        record.set_status("ROLLBACK_FAILED", ctx.now, reason)
        return
    green = lifecycle.green
    green.rollout_state, green.rollout_state_reason, green.updated_at = "FAILED", reason, ctx.now
    if not hook.rolled_back_by_user:
        service.events.add(ctx.now, service_events.deployment_hook_failed(service.name, green.id))
    roll_back(ctx, service, record, reason)


def roll_back(ctx, service, record, reason: str) -> None:
    """Back to the service's last completed revision: blue takes the traffic back and green is scaled down."""
    lifecycle = record.lifecycle
    target = service.last_completed_revision
    lifecycle.cancel()
    if target is None:                       # a first deployment: nothing to roll back to
        lifecycle.done = True
        record.set_status("STOPPED", ctx.now, reason)
        return
    blue = lifecycle.blue
    if blue is None or blue not in service.deployments or blue.revision is not target:
        blue = Deployment(f"ecs-svc/{revision_digits()}", target, service.desired_count, ctx.now, record)
        scheduler.add_deployment(ctx, service, blue)
    else:
        for deployment in service.deployments:
            if deployment.status == "PRIMARY":
                deployment.status, deployment.updated_at = "ACTIVE", ctx.now
        service.deployments.remove(blue)
        service.deployments.insert(0, blue)
        blue.status = "PRIMARY"
    blue.service_deployment = record
    blue.desired_count = service.desired_count
    blue.rollout_state, blue.rollout_state_reason, blue.updated_at = "IN_PROGRESS", in_progress_reason(blue.id), ctx.now
    service.apply_revision(target)
    service.steady = False
    record.rollback_deployment = blue
    record.rollback = {"reason": reason, "startedAt": ctx.now, "serviceRevisionArn": target.arn}
    record.set_status("ROLLBACK_IN_PROGRESS", ctx.now, reason)
    service.events.add(ctx.now, service_events.rolling_back(service.name, blue.id))
    lifecycle.blue, lifecycle.rolling_back, lifecycle.done = blue, True, False
    lifecycle.steps, lifecycle.index, lifecycle.step_hooks = rollback_steps(lifecycle), -1, []
    _enter(ctx, service, lifecycle, 0)
    service.reconcile_loop.again = True


# -- ContinueServiceDeployment ---------------------------------------------------------------------------

def awaiting_hooks(record) -> list[HookRun]:
    lifecycle = record.lifecycle
    return [hook for hook in lifecycle.step_hooks if hook.status == "AWAITING_ACTION"] if lifecycle else []


def resolve_pause(ctx, service, hook: HookRun, action: str) -> None:
    """A paused hook continues (SUCCEEDED) or rolls the deployment back (FAILED)."""
    if action == "ROLLBACK":
        hook.finish("FAILED", hook_rolled_back_reason(hook))
        hook.rolled_back_by_user = True
    else:
        hook.finish("SUCCEEDED")
    scheduler.schedule(ctx, service)


for _strategy in STRATEGIES:
    scheduler.STRATEGIES[_strategy] = scheduler.Strategy(reconcile=reconcile, roll_back=roll_back)
