"""The Fargate task-size table, exercised through RegisterTaskDefinition."""
import pytest
from botocore.exceptions import ClientError

from emulator.ecs import fargate

LINUX_PAIRS = (
    [(256, m) for m in (512, 1024, 2048)]
    + [(512, m) for m in range(1024, 4097, 1024)]
    + [(1024, m) for m in range(2048, 8193, 1024)]
    + [(2048, m) for m in range(4096, 16385, 1024)]
    + [(4096, m) for m in range(8192, 30721, 1024)]
    + [(8192, m) for m in range(16384, 61441, 4096)]
    + [(16384, m) for m in range(32768, 122881, 8192)]
)
WINDOWS = {"operatingSystemFamily": "WINDOWS_SERVER_2022_CORE", "cpuArchitecture": "X86_64"}


def register_fargate(client, cpu, memory, **params):
    return client.register_task_definition(
        family="sized", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu=str(cpu), memory=str(memory),
        containerDefinitions=[{"name": "app", "image": "nginx"}], **params)["taskDefinition"]


def no_configuration(cpu, memory):
    return (f"No Fargate configuration exists for given values: {cpu} CPU, {memory} memory. "
            "See the Amazon ECS documentation for the valid values.")


def test_the_table_has_74_linux_pairs():
    assert len(LINUX_PAIRS) == 74
    assert fargate.linux_pairs() == LINUX_PAIRS


@pytest.mark.parametrize("cpu, memory", LINUX_PAIRS)
def test_every_linux_pair_is_accepted(ecs_client, cpu, memory):
    td = register_fargate(ecs_client, cpu, memory)
    assert (td["cpu"], td["memory"], td["compatibilities"]) == (str(cpu), str(memory), ["EC2", "FARGATE"])


@pytest.mark.parametrize("cpu, memory", [
    (256, 256),        # below the row
    (256, 3072),       # above the row
    (256, 1536),       # between the .25 vCPU sizes
    (512, 512),
    (512, 5120),
    (1024, 1024),
    (1024, 2560),      # off the 1 GB step
    (1024, 9216),
    (2048, 3072),
    (2048, 17408),
    (4096, 4096),
    (4096, 31744),
    (8192, 17408),     # 8 vCPU steps by 4 GB
    (8192, 65536),
    (16384, 36864),    # 16 vCPU steps by 8 GB
    (16384, 131072),
    (32768, 65536),    # there is no 32 vCPU size
    (128, 512),
    (3072, 8192),
])
def test_pairs_off_the_table_are_rejected(ecs_client, cpu, memory):
    with pytest.raises(ClientError) as info:
        register_fargate(ecs_client, cpu, memory)
    assert info.value.response["Error"] == {"Code": "ClientException", "Message": no_configuration(cpu, memory)}


def test_off_table_pair_without_required_fargate_is_ec2_only(ecs_client):
    td = ecs_client.register_task_definition(family="sized", networkMode="awsvpc", cpu="1024", memory="2560",
                                             containerDefinitions=[{"name": "app", "image": "nginx"}])["taskDefinition"]
    assert td["compatibilities"] == ["EC2"]


@pytest.mark.parametrize("cpu, memory", [(c, m) for c, m in LINUX_PAIRS if c in (1024, 2048, 4096)])
def test_windows_rows_are_accepted(ecs_client, cpu, memory):
    td = register_fargate(ecs_client, cpu, memory, runtimePlatform=WINDOWS)
    assert td["runtimePlatform"] == WINDOWS


@pytest.mark.parametrize("cpu, memory", [(256, 512), (512, 1024), (8192, 16384), (16384, 32768)])
def test_windows_needs_one_to_four_vcpu(ecs_client, cpu, memory):
    with pytest.raises(ClientError) as info:
        register_fargate(ecs_client, cpu, memory, runtimePlatform=WINDOWS)
    assert info.value.response["Error"]["Message"] == no_configuration(cpu, memory)


@pytest.mark.parametrize("family", sorted(fargate.WINDOWS_FAMILIES))
def test_windows_families_fargate_runs(ecs_client, family):
    td = register_fargate(ecs_client, 1024, 2048, runtimePlatform={"operatingSystemFamily": family})
    assert td["compatibilities"] == ["EC2", "FARGATE"]


@pytest.mark.parametrize("cpu, memory", [("0.25 vCPU", "0.5 GB"), ("16 vCPU", "120 GB"), ("4 vcpu", "30GB")])
def test_unit_strings_are_checked_after_normalization(ecs_client, cpu, memory):
    assert register_fargate(ecs_client, cpu, memory)["compatibilities"] == ["EC2", "FARGATE"]


def test_platform_versions():
    assert fargate.resolve_platform_version(None) == "1.4.0"
    assert fargate.resolve_platform_version("LATEST", "WINDOWS_SERVER_2019_CORE") == "1.0.0"
    assert fargate.resolve_platform_version("1.3.0") == "1.3.0"
    assert fargate.resolve_platform_version("9.9.9") is None
    assert not fargate.platform_supports_cpu("1.3.0", 8192)
    assert fargate.platform_supports_cpu("1.4.0", 16384)
    assert fargate.platform_supports_cpu("1.3.0", 4096)
