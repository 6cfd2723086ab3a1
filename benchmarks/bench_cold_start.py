"""Cold start: import the mock and answer the first call, in a fresh interpreter; this emulator beside moto.

    python benchmarks/bench_cold_start.py [--runs 9]

Each run is a new Python process that imports boto3, then (timed) imports ``mock_aws``, enters it,
creates an ECS client and calls ``list_clusters`` once: what the first test of a session pays.  The
time to import boto3 itself is the client's, the same for both, and is shown apart.  Runs alternate
emulator and moto; one untimed run of each first lets Python cache the bytecode, as an installed
package has it.  Figures are medians.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

_CHILD = """
import json, time
started = time.perf_counter()
import boto3
imported = time.perf_counter()
from {module} import mock_aws
with mock_aws():
    boto3.client("ecs", region_name="us-east-1").list_clusters()
done = time.perf_counter()
print(json.dumps({{"boto3": imported - started, "cold": done - imported}}))
"""
BACKENDS = {"emulator": "emulator", "moto": "moto"}


def one_run(module: str) -> dict:
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, "-c", _CHILD.format(module=module)], capture_output=True, text=True,
                          env=env, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    for module in BACKENDS.values():
        one_run(module)
    samples = {name: [] for name in BACKENDS}
    for _ in range(args.runs):
        for name, module in BACKENDS.items():
            samples[name].append(one_run(module))
    print(f"median of {args.runs} fresh interpreters each:")
    print(f"{'backend':<10}{'import + first call ms':>24}{'(boto3 import ms)':>20}")
    cold = {}
    for name, runs in samples.items():
        cold[name] = statistics.median(r["cold"] for r in runs)
        print(f"{name:<10}{cold[name] * 1e3:>24.0f}{statistics.median(r['boto3'] for r in runs) * 1e3:>20.0f}")
    print(f"emulator / moto: {cold['emulator'] / cold['moto']:.2f}")


if __name__ == "__main__":
    main()
