"""The Application Auto Scaling tests' fixtures: an active mock on a clock frozen at START, and its clients."""
import pytest

from tests.autoscaling.support import START


@pytest.fixture
def mock(ecs_eks_mock):
    ecs_eks_mock.clock.freeze(START)
    return ecs_eks_mock


@pytest.fixture
def ecs(mock, ecs_client):
    return ecs_client


@pytest.fixture
def aas(mock, autoscaling_client):
    return autoscaling_client
