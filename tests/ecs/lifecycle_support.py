"""Helpers the daemon, task-set, Express service, capacity-provider, account-setting and tagging tests share."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.ecs.task_support import code_and_message

# every task lifecycle step lasts one second: a task runs 3 s after it starts and is STOPPED 3 s after a stop
TASK_STEPS = {"ecs.task.provisioning": 1, "ecs.task.pending": 1, "ecs.task.activating": 1,
              "ecs.task.deactivating": 1, "ecs.task.stopping": 1, "ecs.task.deprovisioning": 1}


def error_of(call, **kwargs) -> tuple[str, str]:
    """(code, message) of the ClientError ``call(**kwargs)`` raises."""
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return code_and_message(info)
