"""Settings: timing profiles and single durations, from the environment and from Python."""
from emulator.config import Config
from emulator.engine import all_services


def test_duration_overrides_from_the_environment_reach_names_with_underscores():
    config = Config.from_env({"EMULATOR_TIMING_ECS_SERVICE_TASK_HEALTHY": "7", "EMULATOR_TIMING_EKS_CLUSTER_CREATE": "3"})
    assert config.duration("ecs.service.task_healthy") == 7
    assert config.duration("eks.cluster.create") == 3
    config.set_timing(ecs_task_pending=5, **{"ecs.task.stopping": 2})
    assert (config.duration("ecs.task.pending"), config.duration("ecs.task.stopping")) == (5, 2)


def test_profiles():
    all_services()    # the services declare their durations when they load
    config = Config.from_env({})
    assert config.timing == "instant" and config.duration("eks.cluster.create") == 0
    config.set_timing("realistic")
    assert config.duration("eks.cluster.create") == 600
    assert Config.from_env({"EMULATOR_TIMING": "realistic"}).duration("ecs.task.pending") > 0
