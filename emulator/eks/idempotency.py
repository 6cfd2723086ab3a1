"""clientRequestToken replays.

Every EKS create/update operation takes a ``clientRequestToken`` (botocore
fills in a random one when the caller gives none).  A request that repeats a
token already used for the same operation on the same resource, with the same
parameters, within 24 hours, gets the original result again and changes
nothing; the same token with different parameters is refused.

Usage in a handler::

    replay = idempotency.replayed(ctx, params, scope=cluster.uid)
    if replay is not None:
        return replay
    ... do the work ...
    idempotency.remember(ctx, params, lambda: {"update": update.describe()}, scope=cluster.uid)

``scope`` is the resource the request acts on, by identity rather than name
(``cluster.uid``, a child's ARN), so a cluster or child recreated under the
same name does not replay its predecessor's answers.  ``replay`` is called
on each replay, so the answer shows the resource as it is now (as AWS's
does).  It may return None when the resource is gone; the request is then
served afresh.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

from emulator.core.service import RequestContext
from emulator.eks.errors import InvalidParameterException

TOKEN_LIFETIME = 24 * 3600.0
TOKEN_REUSED = "The client request token {token} has already been used with different parameters."


@dataclass
class Remembered:
    fingerprint: str
    expires: float
    replay: Callable[[], dict | None]


def _fingerprint(params: dict) -> str:
    return json.dumps({k: v for k, v in params.items() if k != "clientRequestToken"}, sort_keys=True)


def _key(ctx: RequestContext, params: dict, scope: str):
    token = params.get("clientRequestToken")
    return None if not token else (ctx.operation, scope, token)


def replayed(ctx: RequestContext, params: dict, scope: str = "") -> dict | None:
    """The original answer when this request repeats an earlier one, else None."""
    key = _key(ctx, params, scope)
    if key is None:
        return None
    remembered = ctx.store.client_tokens.get(key)
    if remembered is None:
        return None
    if remembered.expires <= ctx.now:
        del ctx.store.client_tokens[key]
        return None
    if remembered.fingerprint != _fingerprint(params):
        raise InvalidParameterException(TOKEN_REUSED.format(token=key[2]))
    answer = remembered.replay()
    if answer is None:
        del ctx.store.client_tokens[key]
    return answer


def remember(ctx: RequestContext, params: dict, replay: Callable[[], dict | None], scope: str = "") -> None:
    key = _key(ctx, params, scope)
    if key is None:
        return
    tokens = ctx.store.client_tokens
    remembered = tokens[key] = Remembered(_fingerprint(params), ctx.now + TOKEN_LIFETIME, replay)

    def forget(at: float) -> None:
        if tokens.get(key) is remembered:
            del tokens[key]
    ctx.store.timeline.at(remembered.expires, forget)
