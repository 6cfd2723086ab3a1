"""schemas/ is generated from the installed botocore models and kept in sync."""
import json
import re
import subprocess
import sys
from pathlib import Path

import botocore

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import generate_schemas  # noqa: E402


def test_committed_schemas_match_the_generator():
    generated = generate_schemas.generate()
    stale = [str(path) for path, text in generated.items()
             if not (ROOT / "schemas" / path).is_file() or (ROOT / "schemas" / path).read_text() != text]
    assert stale == [], "run python tools/generate_schemas.py"
    on_disk = {p.relative_to(ROOT / "schemas") for p in (ROOT / "schemas").glob("*/*.json")}
    assert on_disk == set(generated)


def test_check_mode_exits_zero_when_in_sync():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "generate_schemas.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_one_schema_per_operation_recording_the_botocore_version():
    for service, count in (("ecs", 77), ("eks", 64), ("application-autoscaling", 14)):
        description = json.loads((ROOT / "schemas" / service / "_service.json").read_text())
        assert len(description["operations"]) == count
        assert description["x-botocore-version"] == botocore.__version__
        for operation in description["operations"]:
            schema = json.loads((ROOT / "schemas" / service / f"{operation}.json").read_text())
            assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
            assert schema["x-botocore-version"] == botocore.__version__
            assert schema["type"] == "object"


def test_schema_carries_required_types_enums_and_limits():
    run_task = json.loads((ROOT / "schemas" / "ecs" / "RunTask.json").read_text())
    assert run_task["required"] == ["taskDefinition"]
    assert run_task["properties"]["count"] == {"type": "integer"}
    assert run_task["properties"]["launchType"]["enum"] == ["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"]
    assert run_task["properties"]["enableECSManagedTags"] == {"type": "boolean"}
    tags = run_task["$defs"]["Tags"]
    assert tags["type"] == "array" and tags["maxItems"] == 50
    key = run_task["$defs"]["Tag"]["properties"]["key"]
    assert key["minLength"] == 1 and key["maxLength"] == 128
    # botocore's \p{L} pattern is not a Python regex, so it is left out
    assert "pattern" not in key
    create = json.loads((ROOT / "schemas" / "eks" / "CreateCluster.json").read_text())
    assert create["properties"]["name"]["pattern"] == "^[0-9A-Za-z][A-Za-z0-9\\-_]*"
    assert create["properties"]["name"]["maxLength"] == 100


def test_every_pattern_is_a_python_regex():
    for path in (ROOT / "schemas").glob("*/*.json"):
        text = path.read_text()
        for pattern in re.findall(r'"pattern": ("(?:[^"\\]|\\.)*")', text):
            re.compile(json.loads(pattern))


def test_eks_http_bindings():
    operations = json.loads((ROOT / "schemas" / "eks" / "_service.json").read_text())["operations"]
    untag = operations["UntagResource"]["http"]
    assert untag["method"] == "DELETE" and untag["requestUri"] == "/tags/{resourceArn}"
    assert untag["path"] == {"resourceArn": "resourceArn"}
    assert untag["querystring"] == {"tagKeys": {"member": "tagKeys", "type": "list"}}
    delete_addon = operations["DeleteAddon"]["http"]
    assert delete_addon["path"] == {"name": "clusterName", "addonName": "addonName"}
    assert delete_addon["querystring"]["preserve"] == {"member": "preserve", "type": "boolean"}
    assert operations["ListInsights"]["http"]["method"] == "POST"
    assert operations["ListInsights"]["http"]["querystring"] == {}
