"""pytest fixtures, registered through the ``pytest11`` entry point.

``ecs_eks_mock``   an active ``mock_aws`` for the test (``.clock``, ``.reset()``, ``.engine``)
``ecs_client``     a boto3 ECS client inside it, us-east-1
``eks_client``     a boto3 EKS client inside it, us-east-1
``autoscaling_client`` a boto3 Application Auto Scaling client inside it, us-east-1
``emulator_server`` a real server for the session, reset before each test that uses it (``.url``)
"""
from __future__ import annotations

import pytest

from emulator.mock import mock_aws
from emulator.server import EmulatorServer


@pytest.fixture
def ecs_eks_mock():
    with mock_aws() as mock:
        yield mock


@pytest.fixture
def ecs_client(ecs_eks_mock):
    import boto3
    return boto3.client("ecs", region_name="us-east-1")


@pytest.fixture
def eks_client(ecs_eks_mock):
    import boto3
    return boto3.client("eks", region_name="us-east-1")


@pytest.fixture
def autoscaling_client(ecs_eks_mock):
    import boto3
    return boto3.client("application-autoscaling", region_name="us-east-1")


@pytest.fixture(scope="session")
def _emulator_server_for_session():
    server = EmulatorServer(port=0).start()
    yield server
    server.stop()


@pytest.fixture
def emulator_server(_emulator_server_for_session):
    server = _emulator_server_for_session
    server.reset()
    config = server.engine.config
    timing, durations = config.timing, dict(config.durations)
    yield server
    config.timing, config.durations = timing, durations
