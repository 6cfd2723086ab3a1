"""ECS account settings: ListAccountSettings, PutAccountSetting, PutAccountSettingDefault, DeleteAccountSetting.

A setting is held per principal (an IAM user, role or the root user) in
``store.account_settings[(name, principal ARN)]``. The root user's setting is the account default
(PutAccountSettingDefault is PutAccountSetting for the root user): a principal without its own
setting gets the root's, and without that AWS's default. Other modules read the outcome with
:func:`effective_setting`, e.g. the default ``containerInsights`` of a new cluster.
"""
from __future__ import annotations

from emulator.core import arns
from emulator.core.service import RequestContext
from emulator.ecs.common import paginate
from emulator.ecs.errors import InvalidParameterException
from emulator.ecs.service import ecs

# name -> (the values it accepts, AWS's default)
SETTINGS: dict[str, tuple[tuple[str, ...], str]] = {
    "serviceLongArnFormat": (("enabled", "disabled"), "enabled"),
    "taskLongArnFormat": (("enabled", "disabled"), "enabled"),
    "containerInstanceLongArnFormat": (("enabled", "disabled"), "enabled"),
    "awsvpcTrunking": (("enabled", "disabled"), "disabled"),
    "containerInsights": (("enabled", "disabled", "enhanced"), "disabled"),
    "fargateFIPSMode": (("enabled", "disabled"), "disabled"),
    "tagResourceAuthorization": (("on", "off"), "on"),
    "fargateTaskRetirementWaitPeriod": (("0", "7", "14"), "7"),
    "guardDutyActivate": (("on", "off"), "off"),
    "defaultLogDriverMode": (("blocking", "non-blocking"), "non-blocking"),
    "fargateEventWindows": (("enabled", "disabled"), "disabled"),
}
# Long ARNs are the only format since 2021-04-01.
PERMANENTLY_ENABLED = frozenset({"serviceLongArnFormat", "taskLongArnFormat", "containerInstanceLongArnFormat"})
AWS_MANAGED = frozenset({"guardDutyActivate"})       # read-only, GuardDuty sets it
ROOT_ONLY = frozenset({"fargateTaskRetirementWaitPeriod"})
PAGE_SIZE = 10

INVALID_VALUE = "Invalid setting 'value'"
CANNOT_DISABLE = "The {name} account setting can no longer be disabled."
READ_ONLY = "The {name} account setting is managed by AWS and cannot be modified."
ROOT_REQUIRED = "The {name} account setting can only be set for the root user."
INVALID_PRINCIPAL = "Invalid principalArn."


def root_arn(store) -> str:
    return f"arn:{arns.partition_for(store.region)}:iam::{store.account}:root"


def effective_setting(store, name: str, principal_arn: str | None = None) -> str:
    """The value in force for a principal (the root user when omitted)."""
    return _effective(store, name, principal_arn or root_arn(store))[0]


def _effective(store, name: str, principal: str) -> tuple[str, str]:
    """(value, the principal whose setting it is); AWS's default reads as the root's."""
    root = root_arn(store)
    for owner in (principal, root):
        value = store.account_settings.get((name, owner))
        if value is not None:
            return value, owner
    return SETTINGS[name][1], root


def _setting(name: str, value: str, principal: str) -> dict:
    return {"name": name, "value": value, "principalArn": principal,
            "type": "aws_managed" if name in AWS_MANAGED else "user"}


def _principal(ctx: RequestContext, value: str | None) -> str:
    if value is None:
        return ctx.caller_arn
    arn = arns.parse(value)
    if arn is None or arn.service != "iam" or arn.account != ctx.account \
            or not (arn.resource == "root" or arn.resource.startswith(("user/", "role/"))):
        raise InvalidParameterException(INVALID_PRINCIPAL)
    return value


def _check_value(name: str, value: str, principal: str, root: str) -> None:
    if name in AWS_MANAGED:
        raise InvalidParameterException(READ_ONLY.format(name=name))
    if value not in SETTINGS[name][0]:
        raise InvalidParameterException(INVALID_VALUE)
    if name in PERMANENTLY_ENABLED and value != "enabled":
        raise InvalidParameterException(CANNOT_DISABLE.format(name=name))
    if name in ROOT_ONLY and principal != root:
        raise InvalidParameterException(ROOT_REQUIRED.format(name=name))


def _put(ctx: RequestContext, name: str, value: str, principal: str) -> dict:
    _check_value(name, value, principal, root_arn(ctx.store))
    ctx.store.account_settings[(name, principal)] = value
    return {"setting": _setting(name, value, principal)}


@ecs.operation("PutAccountSetting")
def put_account_setting(ctx: RequestContext, params: dict) -> dict:
    return _put(ctx, params["name"], params["value"], _principal(ctx, params.get("principalArn")))


@ecs.operation("PutAccountSettingDefault")
def put_account_setting_default(ctx: RequestContext, params: dict) -> dict:
    return _put(ctx, params["name"], params["value"], root_arn(ctx.store))


@ecs.operation("DeleteAccountSetting")
def delete_account_setting(ctx: RequestContext, params: dict) -> dict:
    name, principal = params["name"], _principal(ctx, params.get("principalArn"))
    if name in AWS_MANAGED:
        raise InvalidParameterException(READ_ONLY.format(name=name))
    removed = ctx.store.account_settings.pop((name, principal), None)
    value = removed if removed is not None else _effective(ctx.store, name, principal)[0]
    return {"setting": _setting(name, value, principal)}


@ecs.operation("ListAccountSettings")
def list_account_settings(ctx: RequestContext, params: dict) -> dict:
    principal = _principal(ctx, params.get("principalArn"))
    names = [params["name"]] if "name" in params else sorted(SETTINGS)
    effective = params.get("effectiveSettings", False)
    settings = {}
    for name in names:
        if effective:
            settings[name] = _setting(name, *_effective(ctx.store, name, principal))
        elif (name, principal) in ctx.store.account_settings:
            settings[name] = _setting(name, ctx.store.account_settings[(name, principal)], principal)
    if "value" in params:
        settings = {name: s for name, s in settings.items() if s["value"] == params["value"]}
    scope = f"{principal}|{effective}|{params.get('name', '')}|{params.get('value', '')}"
    page, token = paginate(params, sorted(settings), default=PAGE_SIZE, maximum=PAGE_SIZE, scope=scope)
    return {"settings": [settings[name] for name in page], "nextToken": token}
