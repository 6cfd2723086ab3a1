"""Account settings through boto3 in mock_aws: values, principals, effective settings, paging."""
import pytest

from emulator.ecs.account_settings import SETTINGS, effective_setting
from tests.ecs.lifecycle_support import error_of

ACCOUNT = "123456789012"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
USER = f"arn:aws:iam::{ACCOUNT}:user/dev"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/deployer"


def store_of(mock):
    return mock.engine.store("ecs", ACCOUNT, "us-east-1")


def test_put_account_setting_for_the_caller(ecs_client):
    out = ecs_client.put_account_setting(name="containerInsights", value="enhanced")["setting"]
    assert out == {"name": "containerInsights", "value": "enhanced", "principalArn": ROOT, "type": "user"}


def test_put_account_setting_for_a_principal(ecs_client):
    out = ecs_client.put_account_setting(name="awsvpcTrunking", value="enabled", principalArn=ROLE)["setting"]
    assert out["principalArn"] == ROLE
    listed = ecs_client.list_account_settings(principalArn=ROLE)["settings"]
    assert listed == [{"name": "awsvpcTrunking", "value": "enabled", "principalArn": ROLE, "type": "user"}]


def test_put_account_setting_default_is_the_root_setting(ecs_client):
    out = ecs_client.put_account_setting_default(name="tagResourceAuthorization", value="off")["setting"]
    assert out == {"name": "tagResourceAuthorization", "value": "off", "principalArn": ROOT, "type": "user"}
    assert ecs_client.list_account_settings(name="tagResourceAuthorization")["settings"] == [out]


@pytest.mark.parametrize("name, value", [
    ("taskLongArnFormat", "ENABLED"),      # values are lower case
    ("containerInsights", "on"),
    ("tagResourceAuthorization", "enabled"),
    ("fargateTaskRetirementWaitPeriod", "3"),
    ("defaultLogDriverMode", "nonblocking"),
])
def test_invalid_value(ecs_client, name, value):
    assert error_of(ecs_client.put_account_setting, name=name, value=value) == (
        "InvalidParameterException", "Invalid setting 'value'")


def test_invalid_value_for_the_default(ecs_client):
    assert error_of(ecs_client.put_account_setting_default, name="awsvpcTrunking", value="yes") == (
        "InvalidParameterException", "Invalid setting 'value'")


@pytest.mark.parametrize("name", ["serviceLongArnFormat", "taskLongArnFormat", "containerInstanceLongArnFormat"])
def test_long_arn_formats_cannot_be_disabled(ecs_client, name):
    """Long ARNs are mandatory since 2021-04-01; the wording is this emulator's choice."""
    assert error_of(ecs_client.put_account_setting_default, name=name, value="disabled") == (
        "InvalidParameterException", f"The {name} account setting can no longer be disabled.")


def test_long_arn_format_can_be_set_enabled(ecs_client):
    assert ecs_client.put_account_setting(name="taskLongArnFormat", value="enabled")["setting"]["value"] == "enabled"


def test_guard_duty_activate_is_read_only(ecs_client):
    """GuardDuty manages it; the wording is this emulator's choice."""
    assert error_of(ecs_client.put_account_setting, name="guardDutyActivate", value="on") == (
        "InvalidParameterException", "The guardDutyActivate account setting is managed by AWS and cannot be modified.")


def test_retirement_wait_period_only_for_root(ecs_client):
    """AWS: you must use the root user to set it; the wording is this emulator's choice."""
    assert error_of(ecs_client.put_account_setting, name="fargateTaskRetirementWaitPeriod", value="14",
                    principalArn=ROLE) == (
        "InvalidParameterException",
        "The fargateTaskRetirementWaitPeriod account setting can only be set for the root user.")
    assert ecs_client.put_account_setting(name="fargateTaskRetirementWaitPeriod", value="14")["setting"]["value"] == "14"


@pytest.mark.parametrize("principal", ["dev", f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/x",
                                       "arn:aws:iam::999999999999:user/dev"])
def test_invalid_principal(ecs_client, principal):
    assert error_of(ecs_client.put_account_setting, name="awsvpcTrunking", value="enabled", principalArn=principal) == (
        "InvalidParameterException", "Invalid principalArn.")


def test_list_without_effective_settings_shows_only_explicit_ones(ecs_client):
    assert ecs_client.list_account_settings()["settings"] == []
    ecs_client.put_account_setting(name="containerInsights", value="enabled")
    assert [s["name"] for s in ecs_client.list_account_settings()["settings"]] == ["containerInsights"]


def test_effective_settings_cover_every_name_with_aws_defaults(ecs_client):
    pages = ecs_client.get_paginator("list_account_settings").paginate(effectiveSettings=True)
    settings = {s["name"]: s for page in pages for s in page["settings"]}
    assert set(settings) == set(SETTINGS)
    assert {name: s["value"] for name, s in settings.items()} == {
        "serviceLongArnFormat": "enabled", "taskLongArnFormat": "enabled", "containerInstanceLongArnFormat": "enabled",
        "awsvpcTrunking": "disabled", "containerInsights": "disabled", "fargateFIPSMode": "disabled",
        "tagResourceAuthorization": "on", "fargateTaskRetirementWaitPeriod": "7", "guardDutyActivate": "off",
        "defaultLogDriverMode": "non-blocking", "fargateEventWindows": "disabled"}
    assert settings["guardDutyActivate"]["type"] == "aws_managed"
    assert settings["containerInsights"] == {"name": "containerInsights", "value": "disabled",
                                             "principalArn": ROOT, "type": "user"}


def test_effective_settings_page_by_ten_by_default(ecs_client):
    first = ecs_client.list_account_settings(effectiveSettings=True)
    assert len(first["settings"]) == 10
    second = ecs_client.list_account_settings(effectiveSettings=True, nextToken=first["nextToken"])
    assert len(second["settings"]) == 1 and "nextToken" not in second


@pytest.mark.parametrize("size", [0, 11])
def test_page_size_is_one_to_ten(ecs_client, size):
    assert error_of(ecs_client.list_account_settings, maxResults=size) == (
        "InvalidParameterException", "maxResults must be between 1 and 10, inclusive.")


def test_principal_inherits_the_root_setting(ecs_client):
    ecs_client.put_account_setting_default(name="containerInsights", value="enabled")
    inherited = ecs_client.list_account_settings(name="containerInsights", principalArn=USER,
                                                 effectiveSettings=True)["settings"]
    assert inherited == [{"name": "containerInsights", "value": "enabled", "principalArn": ROOT, "type": "user"}]
    assert ecs_client.list_account_settings(name="containerInsights", principalArn=USER)["settings"] == []


def test_principal_setting_overrides_the_root_setting(ecs_client, ecs_eks_mock):
    ecs_client.put_account_setting_default(name="containerInsights", value="enabled")
    ecs_client.put_account_setting(name="containerInsights", value="disabled", principalArn=USER)
    own = ecs_client.list_account_settings(name="containerInsights", principalArn=USER,
                                           effectiveSettings=True)["settings"]
    assert own == [{"name": "containerInsights", "value": "disabled", "principalArn": USER, "type": "user"}]
    store = store_of(ecs_eks_mock)
    assert effective_setting(store, "containerInsights", USER) == "disabled"
    assert effective_setting(store, "containerInsights") == "enabled"
    assert effective_setting(store, "containerInsights", ROLE) == "enabled"


def test_list_filters_by_value(ecs_client):
    on = ecs_client.list_account_settings(name="tagResourceAuthorization", value="on", effectiveSettings=True)
    off = ecs_client.list_account_settings(name="tagResourceAuthorization", value="off", effectiveSettings=True)
    assert [s["value"] for s in on["settings"]] == ["on"]
    assert off["settings"] == []


def test_delete_reverts_to_the_inherited_value(ecs_client, ecs_eks_mock):
    ecs_client.put_account_setting(name="awsvpcTrunking", value="enabled", principalArn=USER)
    out = ecs_client.delete_account_setting(name="awsvpcTrunking", principalArn=USER)["setting"]
    assert out == {"name": "awsvpcTrunking", "value": "enabled", "principalArn": USER, "type": "user"}
    assert effective_setting(store_of(ecs_eks_mock), "awsvpcTrunking", USER) == "disabled"
    assert ecs_client.list_account_settings(principalArn=USER)["settings"] == []


def test_delete_of_the_caller_setting(ecs_client, ecs_eks_mock):
    ecs_client.put_account_setting(name="containerInsights", value="enhanced")
    ecs_client.delete_account_setting(name="containerInsights")
    assert effective_setting(store_of(ecs_eks_mock), "containerInsights") == "disabled"


def test_delete_of_a_setting_never_set_answers_the_effective_value(ecs_client):
    out = ecs_client.delete_account_setting(name="defaultLogDriverMode")["setting"]
    assert (out["value"], out["principalArn"]) == ("non-blocking", ROOT)


def test_delete_of_an_aws_managed_setting(ecs_client):
    assert error_of(ecs_client.delete_account_setting, name="guardDutyActivate") == (
        "InvalidParameterException", "The guardDutyActivate account setting is managed by AWS and cannot be modified.")


def test_settings_are_per_region(ecs_client):
    import boto3
    ecs_client.put_account_setting(name="containerInsights", value="enabled")
    other = boto3.client("ecs", region_name="eu-west-1")
    assert other.list_account_settings()["settings"] == []
