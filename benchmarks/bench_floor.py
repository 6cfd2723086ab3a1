"""What the emulator costs beyond the client's own work: each call beside a fixed-body floor, same run.

    python benchmarks/bench_floor.py [--rounds 15] [--calls 40] [--seconds 1] [--http-rounds 7] [--no-http]

In-process, per call: the emulator (``mock_aws``) beside a ``before-send`` hook that answers the very
bytes (status, headers, body) the emulator answered to the same call, so botocore signs, sends and
parses the same things on both sides and the difference is the emulator.  Calls: describe_clusters,
list_tasks (10 tasks), describe_tasks (10 tasks), run_task (Fargate, one task), and EKS describe_cluster.

Over HTTP, throughput of ``describe_clusters`` with 1 and 8 client threads (one boto3 client each):
the emulator's server beside the same HTTP server (``emulator.http_server.WSGIServer``, same threading)
serving a WSGI app that answers the emulator's bytes without looking at the request.

Rounds alternate emulator and floor, and the figures are medians, so a machine busy with other
work slows both sides alike; the ratios are the result.
"""
from __future__ import annotations

import argparse
import logging
import os
import platform
import statistics
import threading
import time

import boto3
import botocore
from botocore.awsrequest import AWSResponse

from emulator.mock import _Body   # the raw body mock_aws hands botocore: the floor reads the same

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
logging.getLogger("emulator.requests").setLevel(logging.WARNING)

REGION = "us-east-1"
SUBNET = "subnet-0123456789abcdef0"
AWSVPC = {"awsvpcConfiguration": {"subnets": [SUBNET], "securityGroups": ["sg-0123456789abcdef0"]}}


def populate(ecs, eks) -> list[str]:
    """One cluster with ten Fargate tasks, one EKS cluster; returns the task ARNs."""
    ecs.create_cluster(clusterName="bench")
    ecs.register_task_definition(family="web", networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                                 cpu="256", memory="512", containerDefinitions=[{"name": "app", "image": "nginx"}])
    tasks = ecs.run_task(cluster="bench", taskDefinition="web", launchType="FARGATE", count=10,
                         networkConfiguration=AWSVPC)["tasks"]
    eks.create_cluster(name="bench", roleArn="arn:aws:iam::123456789012:role/eks",
                       resourcesVpcConfig={"subnetIds": [SUBNET, "subnet-0fedcba9876543210"]})
    return [t["taskArn"] for t in tasks]


def calls_of(ecs, eks, arns: list[str]) -> dict:
    return {
        "describe_clusters": lambda: ecs.describe_clusters(clusters=["bench"]),
        "list_tasks": lambda: ecs.list_tasks(cluster="bench", maxResults=10),
        "describe_tasks (10)": lambda: ecs.describe_tasks(cluster="bench", tasks=arns),
        "run_task": lambda: ecs.run_task(cluster="bench", taskDefinition="web", launchType="FARGATE",
                                         networkConfiguration=AWSVPC),
        "eks describe_cluster": lambda: eks.describe_cluster(name="bench"),
    }


def capture(engine, call):
    """(status, headers, body) the engine answers to one ``call``."""
    answers = []
    handle = engine.handle

    def recording(service, request):
        answer = handle(service, request)
        answers.append(answer)
        return answer
    engine.handle = recording
    try:
        call()
    finally:
        del engine.handle
    answer = answers[-1]
    return answer.status, dict(answer.headers), answer.body


def floor_client(service: str, answer, endpoint_url=None):
    """A boto3 client whose every call is answered ``answer`` by a before-send hook."""
    status, headers, body = answer
    client = boto3.client(service, region_name=REGION, endpoint_url=endpoint_url)

    def answer_fixed(request, **_):
        return AWSResponse(request.url, status, headers, _Body(body))
    client.meta.events.register("before-send", answer_fixed)
    return client


def sample(call, calls: int, into: list) -> None:
    for _ in range(calls):
        started = time.perf_counter()
        call()
        into.append(time.perf_counter() - started)


def in_process(rounds: int, calls: int) -> dict:
    from emulator import mock_aws
    mock = mock_aws(keep_state=True)
    with mock:
        ecs, eks = boto3.client("ecs", region_name=REGION), boto3.client("eks", region_name=REGION)
        arns = populate(ecs, eks)
        ours = calls_of(ecs, eks, arns)
        answers = {name: capture(mock.engine, call) for name, call in ours.items()}
    floors = {}
    for name, answer in answers.items():
        f_ecs, f_eks = floor_client("ecs", answer), floor_client("eks", answer)
        floors[name] = calls_of(f_ecs, f_eks, arns)[name]
    samples = {name: ([], []) for name in ours}
    for round_ in range(rounds):
        for name in ours:
            if round_ % 2:                       # alternate who goes first
                sample(floors[name], calls, samples[name][1])
            with mock:
                sample(ours[name], calls, samples[name][0])
            if not round_ % 2:
                sample(floors[name], calls, samples[name][1])
    return {name: (statistics.median(a), statistics.median(b)) for name, (a, b) in samples.items()}


# -- over HTTP ---------------------------------------------------------------------------------------

def throughput(make_client, threads: int, seconds: float) -> float:
    """Calls per second ``threads`` clients complete together in about ``seconds``."""
    clients = [make_client() for _ in range(threads)]
    for client in clients:
        client.describe_clusters(clusters=["bench"])
    counts = [0] * threads
    stop = threading.Event()

    def work(index: int) -> None:
        client = clients[index]
        while not stop.is_set():
            client.describe_clusters(clusters=["bench"])
            counts[index] += 1
    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    time.sleep(seconds)
    stop.set()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.perf_counter() - started)


def over_http(rounds: int, seconds: float) -> dict:
    from emulator import EmulatorServer
    from emulator.http_server import WSGIServer
    server = EmulatorServer(port=0).start()
    try:
        ecs = boto3.client("ecs", region_name=REGION, endpoint_url=server.url)
        ecs.create_cluster(clusterName="bench")
        status, headers, body = capture(server.engine, lambda: ecs.describe_clusters(clusters=["bench"]))
        status_line = f"{status} OK"
        header_list = list(headers.items())

        def fixed_app(environ, start_response):
            environ["wsgi.input"].read()
            start_response(status_line, header_list)
            return [body]
        fixed = WSGIServer("127.0.0.1", 0, fixed_app)
        threading.Thread(target=fixed.serve_forever, daemon=True).start()
        try:
            urls = {"emulator": server.url, "floor": f"http://127.0.0.1:{fixed.server_port}"}
            out = {}
            for threads in (1, 8):
                figures = {"emulator": [], "floor": []}
                for round_ in range(rounds):
                    for side, url in sorted(urls.items(), reverse=round_ % 2 == 1):   # alternate who goes first
                        figures[side].append(throughput(
                            lambda: boto3.client("ecs", region_name=REGION, endpoint_url=url), threads, seconds))
                out[threads] = (statistics.median(figures["emulator"]), statistics.median(figures["floor"]))
            return out
        finally:
            fixed.shutdown()
            fixed.server_close()
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=40, help="calls per side per round, in-process")
    parser.add_argument("--seconds", type=float, default=1.0, help="seconds per side per round, over HTTP")
    parser.add_argument("--http-rounds", type=int, default=7)
    parser.add_argument("--no-http", action="store_true")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, boto3 {boto3.__version__}, botocore {botocore.__version__}, "
          f"{os.cpu_count()} cpus")
    print(f"\nin-process, median of {args.rounds * args.calls} calls per side:")
    print(f"{'call':<22}{'emulator us':>13}{'floor us':>11}{'ratio':>8}")
    for name, (ours, floor) in in_process(args.rounds, args.calls).items():
        print(f"{name:<22}{ours * 1e6:>13.0f}{floor * 1e6:>11.0f}{ours / floor:>8.2f}")
    if not args.no_http:
        print(f"\nover HTTP, describe_clusters, median of {args.http_rounds} rounds of {args.seconds}s per side:")
        print(f"{'threads':<9}{'emulator/s':>12}{'floor/s':>10}{'emulator/floor':>16}")
        for threads, (ours, floor) in over_http(args.http_rounds, args.seconds).items():
            print(f"{threads:<9}{ours:>12.0f}{floor:>10.0f}{ours / floor:>15.0%}")


if __name__ == "__main__":
    main()
