"""Every operation of ECS, EKS and Application Auto Scaling, walked with generated valid and invalid
parameters against a prepared account: never a 5xx, every error a typed JSON answer with
``x-amzn-ErrorType``, and a rejected request leaves the state exactly as it was."""
import difflib
import json
import pprint
import random
import threading

import pytest

from tests.eks.cluster_support import create_cluster, create_nodegroup, create_profile
from tests.ecs.task_support import AWSVPC
from tests.protocol.generated import SERVICES, Generator, wire_request

ACCOUNT, REGION = "123456789012", "us-east-1"
UNIMPLEMENTED = {("application-autoscaling", "GetPredictiveScalingForecast")}     # answers 501 NotImplemented
# Values naming what the prepared account holds, for the members that name things.
NAMES = {"cluster": "c1", "clusterName": "c1", "name": "c1", "service": "web", "serviceName": "web",
         "taskDefinition": "web:1", "family": "web", "nodegroupName": "ng", "fargateProfileName": "fp",
         "ServiceNamespace": "ecs", "ResourceId": "service/c1/web", "ScalableDimension": "ecs:service:DesiredCount",
         "resourceId": "service/c1/web"}


@pytest.fixture
def prepared(ecs_eks_mock, ecs_client, eks_client, autoscaling_client):
    """An account holding a bit of everything the operations name, on a frozen clock."""
    ecs_eks_mock.clock.freeze()
    ecs_client.create_cluster(clusterName="c1")
    ecs_client.register_task_definition(family="web", networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                                        cpu="256", memory="512",
                                        containerDefinitions=[{"name": "app", "image": "nginx"}])
    ecs_client.create_service(cluster="c1", serviceName="web", taskDefinition="web", desiredCount=1,
                              launchType="FARGATE", networkConfiguration=AWSVPC)
    create_cluster(eks_client, name="c1")
    create_nodegroup(eks_client, cluster="c1")
    create_profile(eks_client, cluster="c1")
    eks_client.list_insights(clusterName="c1")         # insights are worked out on first reading
    autoscaling_client.register_scalable_target(ServiceNamespace="ecs", ResourceId="service/c1/web",
                                                ScalableDimension="ecs:service:DesiredCount",
                                                MinCapacity=1, MaxCapacity=3)
    return ecs_eks_mock.engine


def fingerprint(engine) -> list:
    """A structural digest of every store of the account, brought up to the (frozen) clock first so
    that what was due anyway is not taken for a change: any change to any object in it shows."""
    return [_shape(engine.store(name, ACCOUNT, REGION), {}) for name in SERVICES]


def first_difference(before: list, after: list) -> str:
    lines = [pprint.pformat(shape, width=160).splitlines() for shape in (before, after)]
    changed = [line for line in difflib.unified_diff(*lines, lineterm="", n=0)
               if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    return " | ".join(line.strip()[:160] for line in changed[:4])


_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))


def _shape(value, seen: dict):
    if value is None or isinstance(value, (str, int, float, bool, bytes)):
        return value
    if isinstance(value, dict):
        return ("dict", sorted((repr(k), _shape(v, seen)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_shape(v, seen) for v in value])
    if isinstance(value, (set, frozenset)):
        return ("set", sorted(repr(_shape(v, seen)) for v in value))
    if callable(value) or isinstance(value, _LOCK_TYPES):
        return getattr(value, "__qualname__", type(value).__name__)
    if id(value) in seen:                       # shared or cyclic: name the first visit
        return ("ref", seen[id(value)])
    seen[id(value)] = len(seen)
    fields = getattr(value, "__dict__", None)
    if fields is None:
        fields = {name: getattr(value, name) for name in getattr(type(value), "__slots__", ()) if hasattr(value, name)}
    return (type(value).__name__, _shape(fields, seen))


def check_answer(where: str, service: str, answer, before: list, after: list, problems: list) -> None:
    if answer.status >= 500:
        problems.append(f"{where}: {answer.status} {answer.body[:300]!r}")
        return
    try:
        body = json.loads(answer.body)
    except ValueError:
        problems.append(f"{where}: not JSON: {answer.body[:200]!r}")
        return
    if answer.status < 300:
        return
    code = answer.headers.get("x-amzn-ErrorType")
    if not code or not isinstance(body.get("message"), str):
        problems.append(f"{where}: untyped error {answer.status} {answer.headers} {body}")
    elif SERVICES[service].description["protocol"] == "json" and body.get("__type") != code:
        problems.append(f"{where}: __type {body.get('__type')!r} is not x-amzn-ErrorType {code!r}")
    if after != before:
        problems.append(f"{where}: rejected with {code} but the state changed: {first_difference(before, after)}")


def destructive_last(operation: str) -> tuple:
    return (operation.startswith(("Delete", "Deregister", "Stop", "Disassociate", "Untag", "Update")), operation)


@pytest.mark.parametrize("service", list(SERVICES))
def test_every_operation_with_generated_inputs(prepared, service):
    engine = prepared
    rng = random.Random(f"walk-{service}")
    problems: list[str] = []
    before = fingerprint(engine)
    for operation in sorted(SERVICES[service].description["operations"], key=destructive_last):
        if (service, operation) in UNIMPLEMENTED:
            answer = engine.handle(service, wire_request(service, operation, {}))
            assert (answer.status, answer.headers["x-amzn-ErrorType"]) == (501, "NotImplemented")
            continue
        generator = Generator(service, operation, rng, NAMES)
        for what, params in [*generator.invalid(), ("every member", generator.full()), ("valid", generator.valid())]:
            answer = engine.handle(service, wire_request(service, operation, params))
            after = fingerprint(engine)
            check_answer(f"{service}.{operation} ({what})", service, answer, before, after, problems)
            before = after
    assert not problems, "\n".join(problems)
