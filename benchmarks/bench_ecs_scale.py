"""ECS at scale: per-call latency of ListTasks (one page) and DescribeTasks (100 tasks) as a cluster
grows to 1k, 5k and 20k tasks, and peak memory (tracemalloc) holding 20k tasks; this emulator beside
moto, same machine, same run.

    python benchmarks/bench_ecs_scale.py [--sizes 1000,5000,20000] [--calls 100] [--no-moto]

The workload is one both emulators serve: EC2 launch type, a bridge-mode task definition (one small
container, no ports), container instances registered as the tasks need room (an instance takes 400
tasks), tasks started ten per RunTask. At each size:

* ``list_tasks(cluster, maxResults=100)``: the first page (moto ignores maxResults and returns every
  task in one response; that is the call a user makes, so it is what is timed);
* ``describe_tasks(cluster, tasks=<100 random task ARNs>)``.

Memory is measured in a second, fresh population of the largest size with tracemalloc on (it slows
the population, so the latency run does not use it). moto is a benchmark-only dependency
(``pip install -e '.[bench]'``); the emulator never imports it.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import time
import tracemalloc

import boto3
import botocore

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

REGION = "us-east-1"
CLUSTER = "scale"
TASKS_PER_INSTANCE = 400
# Each task reserves 1 CPU unit and 16 MiB; an instance registers room for TASKS_PER_INSTANCE of them.
INSTANCE_RESOURCES = [{"name": "CPU", "type": "INTEGER", "integerValue": TASKS_PER_INSTANCE},
                      {"name": "MEMORY", "type": "INTEGER", "integerValue": 16 * TASKS_PER_INSTANCE}]


class Population:
    """A cluster filled with tasks through one boto3 client (any backend)."""

    def __init__(self, ecs, ec2=None) -> None:
        self.ecs, self.ec2 = ecs, ec2
        self.arns: list[str] = []
        self.instances = 0
        ecs.create_cluster(clusterName=CLUSTER)
        ecs.register_task_definition(family="scale", containerDefinitions=[
            {"name": "app", "image": "busybox", "cpu": 1, "memory": 16, "essential": True}])

    def _add_instance(self) -> None:
        if self.ec2 is not None:       # moto registers only EC2 instances it knows
            instance_id = self.ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1,
                                                 InstanceType="m5.large")["Instances"][0]["InstanceId"]
        else:
            instance_id = f"i-{self.instances:017x}"
        document = json.dumps({"instanceId": instance_id, "instanceType": "m5.large",
                               "availabilityZone": f"{REGION}a", "region": REGION})
        self.ecs.register_container_instance(cluster=CLUSTER, instanceIdentityDocument=document,
                                             totalResources=INSTANCE_RESOURCES)
        self.instances += 1

    def grow_to(self, size: int) -> float:
        """Start tasks until the cluster holds ``size``; returns the seconds it took."""
        started = time.perf_counter()
        while len(self.arns) < size:
            if self.instances * TASKS_PER_INSTANCE < len(self.arns) + 10:
                self._add_instance()
            count = min(10, size - len(self.arns))
            tasks = self.ecs.run_task(cluster=CLUSTER, taskDefinition="scale", count=count)["tasks"]
            if not tasks:
                raise RuntimeError(f"the cluster took no more tasks at {len(self.arns)}")
            self.arns += [t["taskArn"] for t in tasks]
        return time.perf_counter() - started


def timed(call, calls: int) -> float:
    """Median seconds per call, after a few warm-up calls."""
    for _ in range(3):
        call()
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def latencies(population: Population, sizes: list[int], calls: int) -> dict[int, dict[str, float]]:
    rng = random.Random(7)
    out = {}
    for size in sizes:
        setup = population.grow_to(size)
        ecs = population.ecs
        sample = rng.sample(population.arns, 100)
        out[size] = {
            "setup": setup,
            "list": timed(lambda: ecs.list_tasks(cluster=CLUSTER, maxResults=100), calls),
            "describe": timed(lambda: ecs.describe_tasks(cluster=CLUSTER, tasks=sample), calls),
        }
        listed = ecs.list_tasks(cluster=CLUSTER, maxResults=100)["taskArns"]
        described = ecs.describe_tasks(cluster=CLUSTER, tasks=sample)["tasks"]
        out[size]["page"] = len(listed)
        assert len(described) == 100, "DescribeTasks must find the 100 tasks"
    return out


def peak_memory(make_population, size: int) -> tuple[float, float]:
    """(current MiB, peak MiB) tracemalloc sees while a fresh backend is filled to ``size`` tasks."""
    tracemalloc.start()
    try:
        population = make_population()
        population.grow_to(size)
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return current / 2**20, peak / 2**20


# -- the backends ----------------------------------------------------------------------------------------

def run_emulator(body):
    from emulator import mock_aws
    with mock_aws():
        return body(lambda: Population(boto3.client("ecs", region_name=REGION)))


def run_moto(body):
    import moto
    with moto.mock_aws():
        return body(lambda: Population(boto3.client("ecs", region_name=REGION),
                                       boto3.client("ec2", region_name=REGION)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000")
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--no-moto", action="store_true", help="time the emulator only")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    print(f"python {platform.python_version()}, boto3 {boto3.__version__}, botocore {botocore.__version__}, "
          f"{os.cpu_count()} cpus; median of {args.calls} calls per figure")
    backends = {"emulator": run_emulator}
    if not args.no_moto:
        try:
            import moto
            print(f"moto {moto.__version__}")
            backends["moto"] = run_moto
        except ImportError:
            print("moto not installed: pip install -e '.[bench]' to compare")

    results, memory = {}, {}
    for name, run in backends.items():
        results[name] = run(lambda make: latencies(make(), sizes, args.calls))
        memory[name] = run(lambda make: peak_memory(make, sizes[-1]))

    print()
    print(f"{'tasks':>7} {'backend':<9} {'ListTasks ms':>13} {'(page)':>7} {'DescribeTasks(100) ms':>22} "
          f"{'fill s':>8}")
    for size in sizes:
        for name in results:
            row = results[name][size]
            print(f"{size:>7} {name:<9} {row['list'] * 1e3:>13.3f} {row['page']:>7} {row['describe'] * 1e3:>22.3f} "
                  f"{row['setup']:>8.2f}")
    if "moto" in results:
        print()
        print("moto / emulator (median latency):")
        for size in sizes:
            ours, theirs = results["emulator"][size], results["moto"][size]
            print(f"{size:>7} tasks: ListTasks {theirs['list'] / ours['list']:.1f}x, "
                  f"DescribeTasks {theirs['describe'] / ours['describe']:.1f}x")
    print()
    print(f"tracemalloc holding {sizes[-1]} tasks (current / peak MiB):")
    for name, (current, peak) in memory.items():
        print(f"  {name:<9} {current:8.1f} / {peak:8.1f}")
    if "moto" in memory:
        print(f"  moto / emulator peak: {memory['moto'][1] / memory['emulator'][1]:.2f}x")


if __name__ == "__main__":
    main()
