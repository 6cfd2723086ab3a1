"""Helpers the blue/green, linear and canary deployment tests share."""
from __future__ import annotations

from tests.ecs.service_support import describe, fargate_service, setup_web

ACCOUNT = "123456789012"
ELB = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}"
BLUE_GROUP = f"{ELB}:targetgroup/blue/0123456789abcdef"
GREEN_GROUP = f"{ELB}:targetgroup/green/0123456789abcdef"
PRODUCTION_RULE = f"{ELB}:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee"
TEST_RULE = f"{ELB}:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/1234b2d02a6cabee"
ALB_LISTENER = f"{ELB}:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2"
NLB_LISTENER = f"{ELB}:listener/net/web/50dc6c495c0c9188/f2f7dc8efc522ab2"
ELB_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecsInfrastructureRoleForLoadBalancers"
HOOK_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecsLambdaHookRole"
SMOKE_TEST = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:smoke-test"

# the lifecycle durations of these tests, in clock seconds: a task is RUNNING 35 s after it starts, counted
# healthy 40 s later and STOPPED 30 s after it is told to stop; a traffic shift takes 5 s, a Lambda hook
# answers after 5 s, and bake times count real minutes
DURATIONS = {"ecs.task.provisioning": 10, "ecs.task.pending": 20, "ecs.task.activating": 5,
             "ecs.task.deactivating": 5, "ecs.task.stopping": 10, "ecs.task.deprovisioning": 15,
             "ecs.service.task_healthy": 40, "ecs.deployment.shift": 5, "ecs.deployment.hook": 5,
             "ecs.deployment.minute": 60}


def advanced(**changes) -> dict:
    configuration = {"alternateTargetGroupArn": GREEN_GROUP, "productionListenerRule": PRODUCTION_RULE,
                     "testListenerRule": TEST_RULE, "roleArn": ELB_ROLE}
    configuration.update(changes)
    return {key: value for key, value in configuration.items() if value is not None}


def balancers(**changes) -> list[dict]:
    """One Application Load Balancer target group with its blue/green advancedConfiguration."""
    return [{"targetGroupArn": BLUE_GROUP, "containerName": "app", "containerPort": 80,
             "advancedConfiguration": advanced(**changes)}]


def pause(*stages: str, **timeout) -> dict:
    hook = {"targetType": "PAUSE", "lifecycleStages": list(stages)}
    if timeout:
        hook["timeoutConfiguration"] = timeout
    return hook


def lambda_hook(*stages: str, arn: str = SMOKE_TEST, **timeout) -> dict:
    hook = {"hookTargetArn": arn, "roleArn": HOOK_ROLE, "lifecycleStages": list(stages)}
    if timeout:
        hook["timeoutConfiguration"] = timeout
    return hook


def blue_green_service(client, mock, strategy: str = "BLUE_GREEN", hooks: list | None = None, desired: int = 2,
                       **configuration) -> dict:
    """A steady service on web:1 behind a load balancer (web:2 registered) deploying with ``strategy``, then
    the frozen clock with DURATIONS; returns the service."""
    setup_web(client, images=("nginx:1", "nginx:2"))
    configuration = {"strategy": strategy, "bakeTimeInMinutes": 2, **configuration}
    fargate_service(client, task_definition="web:1", desired=desired, loadBalancers=balancers(),
                    deploymentConfiguration=configuration)
    service = describe(client)
    if hooks:
        client.update_service(cluster="c", service="web",
                              deploymentConfiguration={**configuration, "lifecycleHooks": hooks})
    mock.clock.freeze()
    mock.config.set_timing(**DURATIONS)
    return service


def deploy(client, task_definition: str = "web:2") -> str:
    """UpdateService to ``task_definition``; the new service deployment's ARN."""
    return client.update_service(cluster="c", service="web", taskDefinition=task_definition)["service"][
        "currentServiceDeployment"]


def service_deployment(client, arn: str) -> dict:
    response = client.describe_service_deployments(serviceDeploymentArns=[arn])
    assert response["failures"] == []
    return response["serviceDeployments"][0]


def progress(client, arn: str) -> tuple:
    """(status, lifecycleStage, (status, revision, desired, running, pending) per service deployment)."""
    record = service_deployment(client, arn)
    service = describe(client)
    return (record["status"], record.get("lifecycleStage"),
            [(d["status"], int(d["taskDefinition"].rsplit(":", 1)[1]), d["desiredCount"], d["runningCount"],
              d["pendingCount"]) for d in service["deployments"]])


def weights(client, arn: str) -> tuple:
    """Green's (test, production) traffic weights and blue's."""
    record = service_deployment(client, arn)
    target = record["targetServiceRevision"]
    source = record["sourceServiceRevisions"][0]
    return ((target["requestedTestTrafficWeight"], target["requestedProductionTrafficWeight"]),
            (source["requestedTestTrafficWeight"], source["requestedProductionTrafficWeight"]))


def hooks_of(client, arn: str) -> list[dict]:
    return service_deployment(client, arn)["lifecycleHookDetails"]


def step_through(mock, client, arn: str, expected: dict, probe=progress) -> None:
    """Advance the frozen clock to each time (seconds after now) and compare ``probe`` with the expectation."""
    start = mock.clock.now()
    for at, want in sorted(expected.items()):
        mock.clock.advance(start + at - mock.clock.now())
        seen = probe(client, arn)
        assert seen == want, f"{at} s: {seen} != {want}"
