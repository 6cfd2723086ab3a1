"""An emulator of the Amazon ECS and Amazon EKS APIs, for tests.

Three ways in, one engine:

* ``mock_aws``: intercept boto3/botocore (and ``requests``) calls in-process;
* the pytest plugin's fixtures (``ecs_client``, ``eks_client``, ...);
* a standalone server: ``python -m emulator`` / ``EmulatorServer``.
"""
__version__ = "0.1.0"

from emulator.engine import Emulator  # noqa: E402
from emulator.mock import mock_aws  # noqa: E402

__all__ = ["Emulator", "EmulatorServer", "mock_aws", "__version__"]


def __getattr__(name):
    # The server (and Flask with it) is imported on first use: in-process tests never pay for it.
    if name == "EmulatorServer":
        from emulator.server import EmulatorServer
        return EmulatorServer
    raise AttributeError(f"module 'emulator' has no attribute {name!r}")
