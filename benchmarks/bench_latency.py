"""Per-call latency of ecs.describe_clusters: this emulator beside moto, same machine, same run.

    python benchmarks/bench_latency.py [--calls 1000]

Four set-ups, each timed with the same boto3 client workload (one cluster,
``describe_clusters(clusters=[name])`` in a loop after a warm-up):

* emulator in-process (``emulator.mock_aws``)
* emulator over HTTP (``EmulatorServer`` on a free port)
* moto in-process (``moto.mock_aws``)
* moto over HTTP (``moto.server.ThreadedMotoServer``), when moto[server] is installed

moto is a benchmark-only dependency (``pip install -e '.[bench]'``).
"""
from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import time

import logging

import boto3
import botocore

logging.getLogger("werkzeug").setLevel(logging.ERROR)

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


def timed_calls(client, calls: int) -> list[float]:
    client.create_cluster(clusterName="bench")
    for _ in range(50):
        client.describe_clusters(clusters=["bench"])
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        client.describe_clusters(clusters=["bench"])
        samples.append(time.perf_counter() - started)
    return samples


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def emulator_in_process(calls):
    from emulator import mock_aws
    with mock_aws():
        return timed_calls(boto3.client("ecs", region_name="us-east-1"), calls)


def emulator_server(calls):
    from emulator import EmulatorServer
    with EmulatorServer(port=0) as server:
        return timed_calls(boto3.client("ecs", region_name="us-east-1", endpoint_url=server.url), calls)


def moto_in_process(calls):
    import moto
    with moto.mock_aws():
        return timed_calls(boto3.client("ecs", region_name="us-east-1"), calls)


def moto_server(calls):
    from moto.server import ThreadedMotoServer
    port = free_port()
    server = ThreadedMotoServer(port=port, verbose=False)
    server.start()
    try:
        return timed_calls(boto3.client("ecs", region_name="us-east-1",
                                        endpoint_url=f"http://127.0.0.1:{port}"), calls)
    finally:
        server.stop()


def summary(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples) * 1e6, statistics.mean(samples) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, boto3 {boto3.__version__}, botocore {botocore.__version__}, "
          f"{os.cpu_count()} cpus; {args.calls} calls of ecs.describe_clusters each")
    try:
        import moto
        print(f"moto {moto.__version__}")
    except ImportError:
        moto = None
        print("moto not installed: pip install -e '.[bench]' to compare")
    results = {}
    for label, run, needs_moto in (("emulator in-process", emulator_in_process, False),
                                   ("moto in-process", moto_in_process, True),
                                   ("emulator over HTTP", emulator_server, False),
                                   ("moto over HTTP", moto_server, True)):
        if needs_moto and moto is None:
            continue
        try:
            results[label] = summary(run(args.calls))
        except ImportError as exc:
            print(f"{label}: skipped ({exc})")
    print(f"{'set-up':<22}{'median us':>12}{'mean us':>12}")
    for label, (median, mean) in results.items():
        print(f"{label:<22}{median:>12.0f}{mean:>12.0f}")
    for mode in ("in-process", "over HTTP"):
        ours, theirs = results.get(f"emulator {mode}"), results.get(f"moto {mode}")
        if ours and theirs:
            print(f"{mode}: moto median / emulator median = {theirs[0] / ours[0]:.2f}x")


if __name__ == "__main__":
    main()
