"""A mixed ECS and EKS workload, start to finish: this emulator beside moto, in-process and over HTTP.

    python benchmarks/bench_mixed.py [--rounds 3] [--tasks 200] [--no-http]

The workload (one boto3 client per service, the same calls against both backends):

* (untimed, as each backend needs it: a cluster with one container instance, two subnets)
* register two task definitions (EC2 launch type, bridge network mode);
* run ``--tasks`` tasks ten at a time, describe them 100 at a time, list them page by page, stop each;
* create a service of 20 tasks and roll it twice to a new revision (describing it after each);
  scale it to zero and delete it;
* create an EKS cluster and a managed node group, describe both, delete both;
* deregister the task definitions and the container instance, and delete the ECS cluster.

EC2 launch type, because moto 5.2 fails to start a Fargate task (awsvpc) at all.

Rounds alternate the backends, in one process, each round starting from a collected heap;
figures are medians of wall-clock seconds for the whole workload.

Beside them, the fixed-body floor: the same workload answered, call by call, with the very bytes the
emulator answered it (recorded once), by a ``before-send`` hook in-process and by a server that does
not read the request over HTTP.  No backend can be faster than its floor, so moto/floor bounds how
far ahead of moto any backend can be.
"""
from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import platform
import socket
import statistics
import threading
import time

import boto3
import botocore
import requests

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
logging.getLogger("werkzeug").setLevel(logging.ERROR)
logging.getLogger("emulator.requests").setLevel(logging.WARNING)

REGION = "us-east-1"
SUBNETS = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
# Each task reserves 1 CPU unit and 16 MiB; the one container instance has room for 1,000.
INSTANCE_RESOURCES = [{"name": "CPU", "type": "INTEGER", "integerValue": 1000},
                      {"name": "MEMORY", "type": "INTEGER", "integerValue": 16000}]
ROLE = "arn:aws:iam::123456789012:role/{}"


def register(ecs, family: str, image: str) -> str:
    return ecs.register_task_definition(family=family, containerDefinitions=[
        {"name": "app", "image": image, "cpu": 1, "memory": 16, "essential": True}])["taskDefinition"]["taskDefinitionArn"]


def prepare(ecs, ec2=None) -> tuple[str, list[str]]:
    """The untimed part: the cluster and its container instance (moto registers only an EC2 instance
    it runs), and two subnets (moto checks them against its EC2).  Returns (instance ARN, subnets)."""
    ecs.create_cluster(clusterName="mixed")
    subnets, instance_id = SUBNETS, "i-0123456789abcdef0"
    if ec2 is not None:
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")
                   ["Subnet"]["SubnetId"] for i, zone in enumerate("ab")]
        instance_id = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1,
                                        InstanceType="m5.large")["Instances"][0]["InstanceId"]
    document = json.dumps({"instanceId": instance_id, "instanceType": "m5.large",
                           "availabilityZone": f"{REGION}a", "region": REGION})
    instance = ecs.register_container_instance(cluster="mixed", instanceIdentityDocument=document,
                                               totalResources=INSTANCE_RESOURCES)["containerInstance"]
    return instance["containerInstanceArn"], subnets


def workload(ecs, eks, tasks: int, instance: str, subnets: list[str]) -> int:
    """Run the workload once; returns the number of calls made (the same for both backends)."""
    definitions = [register(ecs, "web", "nginx:1"), register(ecs, "worker", "busybox")]
    calls = 2
    arns: list[str] = []
    while len(arns) < tasks:
        arns += [t["taskArn"] for t in ecs.run_task(
            cluster="mixed", taskDefinition="worker", launchType="EC2", count=min(10, tasks - len(arns)))["tasks"]]
        calls += 1
    for start in range(0, len(arns), 100):
        described = ecs.describe_tasks(cluster="mixed", tasks=arns[start:start + 100])["tasks"]
        assert len(described) == len(arns[start:start + 100])
        calls += 1
    listed, token = [], None
    while True:
        page = ecs.list_tasks(cluster="mixed", maxResults=100, **({"nextToken": token} if token else {}))
        listed += page["taskArns"]
        calls += 1
        token = page.get("nextToken")
        if not token:
            break
    assert set(listed) == set(arns), "ListTasks must list every task run"
    for arn in arns:
        ecs.stop_task(cluster="mixed", task=arn, reason="done")
        calls += 1

    ecs.create_service(cluster="mixed", serviceName="svc", taskDefinition="web", desiredCount=20,
                       launchType="EC2")
    calls += 1
    for image in ("nginx:2", "nginx:3"):
        revision = register(ecs, "web", image)
        definitions.append(revision)
        ecs.update_service(cluster="mixed", service="svc", taskDefinition=revision)
        service = ecs.describe_services(cluster="mixed", services=["svc"])["services"][0]
        assert service["taskDefinition"] == revision
        calls += 3
    ecs.update_service(cluster="mixed", service="svc", desiredCount=0)
    ecs.delete_service(cluster="mixed", service="svc", force=True)
    calls += 2

    eks.create_cluster(name="mixed", roleArn=ROLE.format("eks"), resourcesVpcConfig={"subnetIds": subnets})
    eks.create_nodegroup(clusterName="mixed", nodegroupName="ng", nodeRole=ROLE.format("node"), subnets=subnets,
                         scalingConfig={"minSize": 1, "maxSize": 3, "desiredSize": 2})
    eks.describe_cluster(name="mixed")
    eks.describe_nodegroup(clusterName="mixed", nodegroupName="ng")
    eks.delete_nodegroup(clusterName="mixed", nodegroupName="ng")
    eks.delete_cluster(name="mixed")
    calls += 6

    for arn in definitions:
        ecs.deregister_task_definition(taskDefinition=arn)
        calls += 1
    ecs.deregister_container_instance(cluster="mixed", containerInstance=instance, force=True)
    ecs.delete_cluster(cluster="mixed")
    return calls + 2


def clients(endpoint_url=None):
    return (boto3.client("ecs", region_name=REGION, endpoint_url=endpoint_url),
            boto3.client("eks", region_name=REGION, endpoint_url=endpoint_url))


def timed(run) -> float:
    gc.collect()    # both backends share the process: neither pays for collecting the other's garbage
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def emulator_in_process(tasks: int) -> float:
    from emulator import mock_aws
    with mock_aws():
        setup = prepare(boto3.client("ecs", region_name=REGION))
        pair = clients()
        return timed(lambda: workload(*pair, tasks, *setup))


def moto_in_process(tasks: int) -> float:
    import moto
    with moto.mock_aws():
        setup = prepare(boto3.client("ecs", region_name=REGION), boto3.client("ec2", region_name=REGION))
        pair = clients()
        return timed(lambda: workload(*pair, tasks, *setup))


def emulator_over_http(tasks: int) -> float:
    from emulator import EmulatorServer
    with EmulatorServer(port=0) as server:
        setup = prepare(boto3.client("ecs", region_name=REGION, endpoint_url=server.url))
        pair = clients(server.url)
        return timed(lambda: workload(*pair, tasks, *setup))


def moto_over_http(tasks: int) -> float:
    from moto.server import ThreadedMotoServer
    port = free_port()
    server = ThreadedMotoServer(port=port, verbose=False)
    server.start()
    try:
        url = f"http://127.0.0.1:{port}"
        requests.post(f"{url}/moto-api/reset", timeout=10)   # moto's server shares its state with the process
        setup = prepare(boto3.client("ecs", region_name=REGION, endpoint_url=url),
                        boto3.client("ec2", region_name=REGION, endpoint_url=url))
        pair = clients(url)
        return timed(lambda: workload(*pair, tasks, *setup))
    finally:
        server.stop()


# -- the fixed-body floor ------------------------------------------------------------------------------

def recorded_answers(tasks: int) -> list[tuple]:
    """(status, headers, body) of every call of ``prepare`` and one ``workload``, as the emulator answered."""
    from emulator import mock_aws
    with mock_aws() as mock:
        answers, handle = [], mock.engine.handle

        def recording(service, request):
            answer = handle(service, request)
            answers.append((answer.status, dict(answer.headers), answer.body))
            return answer
        mock.engine.handle = recording
        workload(*clients(), tasks, *prepare(boto3.client("ecs", region_name=REGION)))
    return answers


def floor_in_process(tasks: int, answers: list[tuple]) -> float:
    from botocore.awsrequest import AWSResponse

    from emulator.mock import _Body   # the raw body mock_aws hands botocore: the floor reads the same
    queue = list(answers)

    def answer_next(request, **_):
        status, headers, body = queue.pop(0)
        return AWSResponse(request.url, status, headers, _Body(body))
    setup_ecs, pair = boto3.client("ecs", region_name=REGION), clients()
    for client in (setup_ecs, *pair):
        client.meta.events.register("before-send", answer_next)
    setup = prepare(setup_ecs)
    return timed(lambda: workload(*pair, tasks, *setup))


def floor_over_http(tasks: int, answers: list[tuple]) -> float:
    from emulator.http_server import WSGIServer
    queue, lock = list(answers), threading.Lock()

    def answer_next(environ, start_response):
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        with lock:
            status, headers, body = queue.pop(0)
        start_response(f"{status} OK", list(headers.items()))
        return [body]
    server = WSGIServer("127.0.0.1", 0, answer_next)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        setup = prepare(boto3.client("ecs", region_name=REGION, endpoint_url=url))
        pair = clients(url)
        return timed(lambda: workload(*pair, tasks, *setup))
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--no-http", action="store_true")
    args = parser.parse_args()
    import moto
    print(f"python {platform.python_version()}, boto3 {boto3.__version__}, botocore {botocore.__version__}, "
          f"moto {moto.__version__}, {os.cpu_count()} cpus")
    with __import__("emulator").mock_aws():
        calls = workload(*clients(), args.tasks, *prepare(boto3.client("ecs", region_name=REGION)))
    print(f"workload: {calls} calls; median of {args.rounds} rounds")
    answers = recorded_answers(args.tasks)
    sides = {"in-process": (emulator_in_process, moto_in_process, floor_in_process)}
    if not args.no_http:
        sides["over HTTP"] = (emulator_over_http, moto_over_http, floor_over_http)
    print(f"{'':<12}{'emulator s':>12}{'moto s':>10}{'floor s':>10}{'moto/emulator':>15}{'moto/floor':>12}")
    for label, (ours, theirs, floor) in sides.items():
        samples = ([], [], [])
        for _ in range(args.rounds):
            samples[0].append(ours(args.tasks))
            samples[1].append(theirs(args.tasks))
            samples[2].append(floor(args.tasks, answers))
        emulator_s, moto_s, floor_s = (statistics.median(s) for s in samples)
        print(f"{label:<12}{emulator_s:>12.2f}{moto_s:>10.2f}{floor_s:>10.2f}{moto_s / emulator_s:>14.1f}x"
              f"{moto_s / floor_s:>11.1f}x")


if __name__ == "__main__":
    main()
