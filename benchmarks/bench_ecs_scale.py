"""ECS at scale: per-call latency of ListTasks (one page) and DescribeTasks (100 tasks) as a cluster
grows to 1k, 5k, 20k and 50k tasks, a service's reconcile among them, and memory (tracemalloc) holding
the largest; this emulator beside moto, same machine, same run.

    python benchmarks/bench_ecs_scale.py [--sizes 1000,5000,20000,50000] [--calls 100] [--moto-calls 20]
                                         [--moto-max 50000] [--no-moto]

The workload is one both emulators serve: EC2 launch type, a bridge-mode task definition (one small
container, no ports), container instances registered as the tasks need room (an instance takes 400
tasks), tasks started ten per RunTask. At each size:

* ``list_tasks(cluster, maxResults=100)``: the first page (moto ignores maxResults and returns every
  task in one response; that is the call a user makes, so it is what is timed);
* ``describe_tasks(cluster, tasks=<100 random task ARNs>)``;
* for the emulator, the same calls' own time as its request log records it (``durationMs``: the
  engine alone, without botocore's work, which for 100 tasks is most of a call); the same call on
  the 100 newest tasks (allocated together: what differs from 100 random ones is memory locality,
  not the lookups); and a service reconcile: a 20-task service in the same cluster has one task
  stopped and DescribeServices (the request before which the scheduler runs) shows its
  replacement; the engine time of the pair, for an EC2 service (placing the replacement weighs
  every container instance, as ECS does: 3 at 1k tasks, 126 at 50k) and a Fargate one.
  moto does not replace a service's stopped tasks, so it has no such figure.

moto's calls are fewer (``--moto-calls``) and its sizes capped (``--moto-max``): at 50k tasks one of
its ListTasks answers every task.  Memory is measured in a second, fresh population of the largest
size with tracemalloc on (it slows the population, so the latency run does not use it).  Figures are
medians; growth is each figure over the same figure at the smallest size.  moto is a benchmark-only
dependency (``pip install -e '.[bench]'``); the emulator never imports it.
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
SERVICE_TASKS = 20
# the services whose reconcile is timed: EC2 (placement weighs every container instance) and Fargate
SERVICES = {"ec2": "steady", "fargate": "steady-fargate"}
AWSVPC = {"awsvpcConfiguration": {"subnets": ["subnet-0123456789abcdef0"]}}
TASKS_PER_INSTANCE = 400
# Each task reserves 1 CPU unit and 16 MiB; an instance registers room for TASKS_PER_INSTANCE of them.
INSTANCE_RESOURCES = [{"name": "CPU", "type": "INTEGER", "integerValue": TASKS_PER_INSTANCE},
                      {"name": "MEMORY", "type": "INTEGER", "integerValue": 16 * TASKS_PER_INSTANCE}]


class Population:
    """A cluster filled with tasks through one boto3 client (any backend)."""

    def __init__(self, ecs, ec2=None, engine=None) -> None:
        self.ecs, self.ec2, self.engine = ecs, ec2, engine
        self.arns: list[str] = []
        self.instances = 0
        self.service_tasks = 0
        ecs.create_cluster(clusterName=CLUSTER)
        ecs.register_task_definition(family="scale", containerDefinitions=[
            {"name": "app", "image": "busybox", "cpu": 1, "memory": 16, "essential": True}])
        if engine is not None:          # the emulator: services whose reconcile is timed
            self._add_instance()
            ecs.create_service(cluster=CLUSTER, serviceName=SERVICES["ec2"], taskDefinition="scale",
                               desiredCount=SERVICE_TASKS, launchType="EC2")
            self.service_tasks = SERVICE_TASKS
            ecs.register_task_definition(family="steady", networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                                         cpu="256", memory="512",
                                         containerDefinitions=[{"name": "app", "image": "busybox"}])
            ecs.create_service(cluster=CLUSTER, serviceName=SERVICES["fargate"], taskDefinition="steady",
                               desiredCount=SERVICE_TASKS, launchType="FARGATE", networkConfiguration=AWSVPC)

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
            if self.instances * TASKS_PER_INSTANCE < len(self.arns) + self.service_tasks + 10:
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


def engine_ms(engine, operations: tuple[str, ...], calls: int) -> float:
    """Median of the engine's own time (request log) over the last ``calls`` groups of ``operations``."""
    entries = [e for e in engine.request_log.entries() if e["operation"] in operations][-calls * len(operations):]
    groups = [entries[i:i + len(operations)] for i in range(0, len(entries), len(operations))]
    return statistics.median(sum(e["durationMs"] for e in group) for group in groups)


def replace_one(ecs, name: str) -> None:
    """Stop one of the service's tasks; the next request (DescribeServices) sees it replaced."""
    arn = ecs.list_tasks(cluster=CLUSTER, serviceName=name, maxResults=1)["taskArns"][0]
    ecs.stop_task(cluster=CLUSTER, task=arn)
    service = ecs.describe_services(cluster=CLUSTER, services=[name])["services"][0]
    assert service["runningCount"] + service["pendingCount"] == SERVICE_TASKS, "the stopped task is replaced"


def latencies(population: Population, sizes: list[int], calls: int) -> dict[int, dict[str, float]]:
    rng = random.Random(7)
    out = {}
    for size in sizes:
        setup = population.grow_to(size)
        ecs, engine = population.ecs, population.engine
        sample = rng.sample(population.arns, 100)
        out[size] = {
            "setup": setup,
            "list": timed(lambda: ecs.list_tasks(cluster=CLUSTER, maxResults=100), calls),
        }
        if engine is not None:
            out[size]["list engine"] = engine_ms(engine, ("ListTasks",), calls)
        out[size]["describe"] = timed(lambda: ecs.describe_tasks(cluster=CLUSTER, tasks=sample), calls)
        if engine is not None:
            out[size]["describe engine"] = engine_ms(engine, ("DescribeTasks",), calls)
            newest = population.arns[-100:]       # the same work on tasks close together in memory
            for _ in range(calls):
                ecs.describe_tasks(cluster=CLUSTER, tasks=newest)
            out[size]["newest engine"] = engine_ms(engine, ("DescribeTasks",), calls)
            for kind, name in SERVICES.items():
                for _ in range(calls):
                    replace_one(ecs, name)
                out[size][f"reconcile {kind}"] = engine_ms(engine, ("StopTask", "DescribeServices"), calls)
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
    with mock_aws() as mock:
        return body(lambda: Population(boto3.client("ecs", region_name=REGION), engine=mock.engine))


def run_moto(body):
    import moto
    with moto.mock_aws():
        return body(lambda: Population(boto3.client("ecs", region_name=REGION),
                                       boto3.client("ec2", region_name=REGION)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000,50000")
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--moto-calls", type=int, default=20)
    parser.add_argument("--moto-max", type=int, default=50000, help="moto's largest size (latency and memory)")
    parser.add_argument("--no-moto", action="store_true", help="time the emulator only")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    print(f"python {platform.python_version()}, boto3 {boto3.__version__}, botocore {botocore.__version__}, "
          f"{os.cpu_count()} cpus; median of {args.calls} calls per figure (moto: {args.moto_calls})")
    backends = {"emulator": (run_emulator, sizes, args.calls)}
    if not args.no_moto:
        try:
            import moto
            print(f"moto {moto.__version__}, sizes up to {args.moto_max}")
            backends["moto"] = (run_moto, [s for s in sizes if s <= args.moto_max], args.moto_calls)
        except ImportError:
            print("moto not installed: pip install -e '.[bench]' to compare")

    results, memory = {}, {}
    for name, (run, backend_sizes, calls) in backends.items():
        results[name] = run(lambda make: latencies(make(), backend_sizes, calls))
        memory[name] = (backend_sizes[-1], run(lambda make: peak_memory(make, backend_sizes[-1])))

    print()
    print(f"{'tasks':>7} {'backend':<9} {'ListTasks ms':>13} {'(engine)':>9} {'(page)':>7} "
          f"{'DescribeTasks(100) ms':>22} {'(engine)':>9} {'reconcile EC2 / Fargate (engine) ms':>36} {'fill s':>8}")
    for size in sizes:
        for name in results:
            row = results[name].get(size)
            if row is None:
                continue
            engine = {key: f"{row[key]:.3f}" if key in row else "-"
                      for key in ("list engine", "describe engine", "reconcile ec2", "reconcile fargate")}
            print(f"{size:>7} {name:<9} {row['list'] * 1e3:>13.3f} {engine['list engine']:>9} {row['page']:>7} "
                  f"{row['describe'] * 1e3:>22.3f} {engine['describe engine']:>9} "
                  f"{engine['reconcile ec2'] + ' / ' + engine['reconcile fargate']:>36} {row['setup']:>8.2f}")
    ours = results["emulator"]
    first, last = ours[sizes[0]], ours[sizes[-1]]
    print()
    print(f"emulator growth from {sizes[0]} to {sizes[-1]} tasks (median at {sizes[-1]} / median at {sizes[0]}):")
    for label, key in (("ListTasks", "list"), ("ListTasks, engine", "list engine"),
                       ("DescribeTasks(100)", "describe"), ("DescribeTasks(100), engine", "describe engine"),
                       ("DescribeTasks(100 newest), engine", "newest engine"),
                       ("EC2 service reconcile, engine", "reconcile ec2"),
                       ("Fargate service reconcile, engine", "reconcile fargate")):
        print(f"  {label:<34} {last[key] / first[key]:.2f}x")
    if "moto" in results:
        print()
        print("moto / emulator (median latency):")
        for size, theirs in results["moto"].items():
            mine = ours[size]
            print(f"{size:>7} tasks: ListTasks {theirs['list'] / mine['list']:.1f}x, "
                  f"DescribeTasks {theirs['describe'] / mine['describe']:.1f}x")
    print()
    print("tracemalloc holding the largest population (current / peak MiB):")
    for name, (size, (current, peak)) in memory.items():
        print(f"  {name:<9} {size:>6} tasks {current:8.1f} / {peak:8.1f}")
    if "moto" in memory and memory["moto"][0] == memory["emulator"][0]:
        print(f"  moto / emulator peak: {memory['moto'][1][1] / memory['emulator'][1][1]:.2f}x")


if __name__ == "__main__":
    main()
