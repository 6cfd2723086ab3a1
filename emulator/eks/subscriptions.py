"""EKS Anywhere subscriptions: Create/Describe/List/Update/DeleteEksAnywhereSubscription.

A subscription buys ``licenseQuantity`` (1-100) cluster licenses for a term of 12 or 36 months.
Lifecycle: CREATING -> ACTIVE after ``eks.subscription.create``; at the end of the term it
renews for another term when ``autoRenew`` is set, otherwise it becomes EXPIRED. Only
``autoRenew`` can change (UPDATING -> ACTIVE after ``eks.subscription.update``). Only an expired
subscription can be deleted (DELETING, gone after ``eks.subscription.delete``); an active one is
cancelled through AWS Support, not the API.
"""
from __future__ import annotations

import base64
import calendar
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from emulator.config import declare_duration
from emulator.core import ids
from emulator.core.service import RequestContext
from emulator.eks import idempotency
from emulator.eks.children import remember_created, settle_later
from emulator.eks.common import list_page
from emulator.eks.errors import InvalidParameterException, InvalidRequestException, ResourceNotFoundException
from emulator.eks.service import eks
from emulator.eks.tags import check_create_tags, resource_parts, taggable

CREATE = declare_duration("eks.subscription.create", 60, "EKS Anywhere subscription CREATING -> ACTIVE")
UPDATE = declare_duration("eks.subscription.update", 30, "EKS Anywhere subscription UPDATING -> ACTIVE")
DELETE = declare_duration("eks.subscription.delete", 30, "EKS Anywhere subscription DELETING -> gone")

TERM_MONTHS = (12, 36)
MAX_LICENSES = 100
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")

SUBSCRIPTION_NOT_FOUND = "No subscription found for id: {id}"                                   # (own wording)
INVALID_NAME = ("The subscription name {name} is not valid. It must start with a letter and can contain only "
                "letters, numbers, hyphens and underscores.")                                  # (own wording)
NAME_TAKEN = "A subscription with name {name} already exists."                                 # (own wording)
INVALID_TERM = "Subscription term must be 12 or 36 MONTHS."                                     # (own wording)
INVALID_LICENSE_QUANTITY = "licenseQuantity must be between 1 and 100."                         # (own wording)
NOT_UPDATABLE = "Subscription {id} cannot be updated while it is {status}."                     # (own wording)
NOT_DELETABLE = ("Subscription {id} is {status}. Only expired subscriptions can be deleted; contact AWS Support "
                 "to cancel an active subscription.")                                           # (own wording)


def add_months(epoch: float, months: int) -> float:
    moment = datetime.fromtimestamp(epoch, tz=timezone.utc)
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return round(moment.replace(year=year, month=month, day=day).timestamp(), 3)


@dataclass(eq=False)
class Subscription:
    id: str
    arn: str
    name: str
    created_at: float
    effective_date: float
    expiration_date: float
    license_quantity: int
    license_type: str
    term: dict
    auto_renew: bool
    license_arns: list[str]
    licenses: list[dict]
    status: str = "CREATING"
    tags: dict = field(default_factory=dict)

    @property
    def order_key(self) -> tuple:
        return (self.created_at, self.id)

    def describe(self) -> dict:
        return {"id": self.id, "arn": self.arn, "createdAt": self.created_at, "effectiveDate": self.effective_date,
                "expirationDate": self.expiration_date, "licenseQuantity": self.license_quantity,
                "licenseType": self.license_type, "term": self.term, "status": self.status,
                "autoRenew": self.auto_renew, "licenseArns": self.license_arns, "licenses": self.licenses,
                "tags": self.tags}


def get_subscription(ctx: RequestContext, subscription_id: str) -> Subscription:
    subscription = ctx.store.subscriptions.get(subscription_id)
    if subscription is None:
        raise ResourceNotFoundException(SUBSCRIPTION_NOT_FOUND.format(id=subscription_id),
                                        subscriptionId=subscription_id)
    return subscription


def _license(subscription_id: str, index: int) -> dict:
    claims = json.dumps({"subscriptionId": subscription_id, "license": index}, separators=(",", ":"))
    token = base64.urlsafe_b64encode(claims.encode()).decode().rstrip("=") + "." + ids.token(43)
    return {"id": ids.uuid4(), "token": token}


def _schedule_term_end(ctx: RequestContext, subscription: Subscription) -> None:
    timeline = ctx.store.timeline

    def end_of_term(at: float) -> None:
        if subscription.status in ("DELETING", "EXPIRED") or ctx.store.subscriptions.get(subscription.id) \
                is not subscription:
            return
        if subscription.auto_renew:
            subscription.expiration_date = add_months(subscription.expiration_date, subscription.term["duration"])
            timeline.at(subscription.expiration_date, end_of_term)
        else:
            subscription.status = "EXPIRED"
    timeline.at(subscription.expiration_date, end_of_term)


@eks.operation("CreateEksAnywhereSubscription")
def create_eks_anywhere_subscription(ctx: RequestContext, params: dict) -> dict:
    replay = idempotency.replayed(ctx, params)
    if replay is not None:
        return replay
    name = params["name"]
    if not NAME.fullmatch(name):
        raise InvalidParameterException(INVALID_NAME.format(name=name))
    term = params["term"]
    if term.get("unit") != "MONTHS" or term.get("duration") not in TERM_MONTHS:
        raise InvalidParameterException(INVALID_TERM)
    quantity = params.get("licenseQuantity", 1)
    if not 1 <= quantity <= MAX_LICENSES:
        raise InvalidParameterException(INVALID_LICENSE_QUANTITY)
    if any(s.name == name for s in ctx.store.subscriptions.values()):
        raise InvalidParameterException(NAME_TAKEN.format(name=name))
    tags = dict(params.get("tags") or {})
    check_create_tags(tags)
    subscription_id = ids.uuid4()
    subscription = Subscription(
        id=subscription_id, arn=ctx.arn(f"eks-anywhere-subscription/{subscription_id}"), name=name,
        created_at=ctx.now, effective_date=ctx.now, expiration_date=add_months(ctx.now, term["duration"]),
        license_quantity=quantity, license_type=params.get("licenseType", "Cluster"),
        term={"duration": term["duration"], "unit": "MONTHS"}, auto_renew=params.get("autoRenew", False),
        license_arns=[f"arn:{ctx.partition}:license-manager::{ctx.account}:license:l-{ids.hex_id(32)}"],
        licenses=[_license(subscription_id, i) for i in range(quantity)], tags=tags)
    ctx.store.subscriptions[subscription_id] = subscription
    ctx.store.subscription_order.add(subscription.order_key)

    settle_later(ctx, subscription, CREATE, "CREATING")
    _schedule_term_end(ctx, subscription)
    remember_created(ctx, params, "subscription", subscription, ctx.store.subscriptions, subscription_id)
    return {"subscription": subscription.describe()}


@eks.operation("DescribeEksAnywhereSubscription")
def describe_eks_anywhere_subscription(ctx: RequestContext, params: dict) -> dict:
    return {"subscription": get_subscription(ctx, params["id"]).describe()}


@eks.operation("ListEksAnywhereSubscriptions")
def list_eks_anywhere_subscriptions(ctx: RequestContext, params: dict) -> dict:
    statuses = set(params.get("includeStatus") or ())
    store = ctx.store
    keys = store.subscription_order
    if statuses:
        keys = [k for k in keys if store.subscriptions[k[1]].status in statuses]
    page, token = list_page(keys, params, scope=",".join(sorted(statuses)))
    return {"subscriptions": [store.subscriptions[k[1]].describe() for k in page], "nextToken": token}


@eks.operation("UpdateEksAnywhereSubscription")
def update_eks_anywhere_subscription(ctx: RequestContext, params: dict) -> dict:
    subscription = get_subscription(ctx, params["id"])
    replay = idempotency.replayed(ctx, params, scope=subscription.id)
    if replay is not None:
        return replay
    if subscription.status != "ACTIVE":
        raise InvalidRequestException(NOT_UPDATABLE.format(id=subscription.id, status=subscription.status),
                                      subscriptionId=subscription.id)
    subscription.auto_renew = params["autoRenew"]
    subscription.status = "UPDATING"
    settle_later(ctx, subscription, UPDATE, "UPDATING")
    idempotency.remember(ctx, params, lambda: {"subscription": subscription.describe()}, scope=subscription.id)
    return {"subscription": subscription.describe()}


@eks.operation("DeleteEksAnywhereSubscription")
def delete_eks_anywhere_subscription(ctx: RequestContext, params: dict) -> dict:
    subscription = get_subscription(ctx, params["id"])
    if subscription.status not in ("EXPIRED", "DELETING"):
        raise InvalidRequestException(NOT_DELETABLE.format(id=subscription.id, status=subscription.status),
                                      subscriptionId=subscription.id)
    if subscription.status == "EXPIRED":
        subscription.status = "DELETING"
        store = ctx.store

        def remove(at: float) -> None:
            if store.subscriptions.get(subscription.id) is subscription:
                del store.subscriptions[subscription.id]
                store.subscription_order.discard(subscription.order_key)
        store.timeline.at(ctx.now + ctx.duration(DELETE), remove)
    return {"subscription": subscription.describe()}


@taggable("eks-anywhere-subscription")
def subscription_for_tags(store, arn):
    (subscription_id,) = resource_parts(arn, 1)
    return store.subscriptions.get(subscription_id)
