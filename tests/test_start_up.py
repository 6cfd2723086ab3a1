"""Start-up: an in-process test imports only what answering its calls needs."""
import subprocess
import sys

import pytest

import emulator

_FIRST_CALL = """
import sys
import boto3
from emulator import mock_aws
with mock_aws():
    boto3.client("ecs", region_name="us-east-1").list_clusters()
    boto3.client("eks", region_name="us-east-1").list_clusters()
print(" ".join(sorted(m for m in ("flask", "jsonschema") if m in sys.modules)))
"""


def test_first_in_process_calls_import_neither_flask_nor_jsonschema():
    done = subprocess.run([sys.executable, "-c", _FIRST_CALL], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_emulator_server_is_still_importable_from_the_package():
    from emulator.server import EmulatorServer
    assert emulator.EmulatorServer is EmulatorServer
    assert "EmulatorServer" in emulator.__all__


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="NoSuchThing"):
        emulator.NoSuchThing
