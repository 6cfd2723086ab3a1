"""EKS Anywhere subscriptions through boto3: rules, term lifecycle on the clock, listing."""
import re
from datetime import datetime, timezone

import pytest

from emulator.eks import subscriptions as subs
from tests.eks.cluster_support import ACCOUNT, assert_error, error_of

IPE = "InvalidParameterException"
YEAR = {"duration": 12, "unit": "MONTHS"}


@pytest.fixture
def clock(ecs_eks_mock):
    ecs_eks_mock.clock.freeze(datetime(2026, 1, 31, 12, tzinfo=timezone.utc).timestamp())
    ecs_eks_mock.config.set_timing(**{"eks.subscription.create": 60, "eks.subscription.update": 30,
                                      "eks.subscription.delete": 30})
    return ecs_eks_mock.clock


def create(client, name="edge", **request):
    return client.create_eks_anywhere_subscription(name=name, term=request.pop("term", YEAR), **request)[
        "subscription"]


def status(client, subscription_id):
    return client.describe_eks_anywhere_subscription(id=subscription_id)["subscription"]["status"]


def test_create_returns_the_subscription(eks_client, clock):
    subscription = create(eks_client, licenseQuantity=3, tags={"site": "factory"})
    assert re.fullmatch(r"[0-9a-f-]{36}", subscription["id"])
    assert subscription["arn"] == f"arn:aws:eks:us-east-1:{ACCOUNT}:eks-anywhere-subscription/{subscription['id']}"
    assert subscription["status"] == "CREATING" and subscription["autoRenew"] is False
    assert subscription["licenseType"] == "Cluster" and subscription["licenseQuantity"] == 3
    assert subscription["term"] == YEAR and len(subscription["licenses"]) == 3
    assert all(set(lic) == {"id", "token"} for lic in subscription["licenses"])
    assert re.fullmatch(rf"arn:aws:license-manager::{ACCOUNT}:license:l-[0-9a-f]{{32}}",
                        subscription["licenseArns"][0])
    assert subscription["tags"] == {"site": "factory"}
    assert subscription["effectiveDate"] == subscription["createdAt"]
    # one calendar year later; 31 January stays 31 January
    assert subscription["expirationDate"] == datetime(2027, 1, 31, 12, tzinfo=timezone.utc)


def test_three_year_term(eks_client, clock):
    subscription = create(eks_client, term={"duration": 36, "unit": "MONTHS"})
    assert subscription["expirationDate"] == datetime(2029, 1, 31, 12, tzinfo=timezone.utc)


@pytest.mark.parametrize("term", [{"duration": 24, "unit": "MONTHS"}, {"duration": 12}])
def test_term_must_be_12_or_36_months(eks_client, term):
    assert_error(error_of(create, eks_client, term=term), IPE, subs.INVALID_TERM, 400)


@pytest.mark.parametrize("quantity", [0, 101])
def test_license_quantity_bounds(eks_client, quantity):
    assert_error(error_of(create, eks_client, licenseQuantity=quantity), IPE, subs.INVALID_LICENSE_QUANTITY, 400)


def test_name_must_start_with_a_letter(eks_client):
    assert_error(error_of(create, eks_client, name="1site"), IPE, subs.INVALID_NAME.format(name="1site"), 400)


def test_names_are_unique(eks_client):
    create(eks_client)
    assert_error(error_of(create, eks_client), IPE, subs.NAME_TAKEN.format(name="edge"), 400)


def test_client_request_token_replays(eks_client):
    first = create(eks_client, clientRequestToken="t-1")
    assert create(eks_client, clientRequestToken="t-1")["id"] == first["id"]


def test_unknown_subscription(eks_client):
    for call in (eks_client.describe_eks_anywhere_subscription, eks_client.delete_eks_anywhere_subscription):
        assert_error(error_of(call, id="nope"), "ResourceNotFoundException", subs.SUBSCRIPTION_NOT_FOUND.format(id="nope"),
                     404, subscriptionId="nope")
    assert_error(error_of(eks_client.update_eks_anywhere_subscription, id="nope", autoRenew=True),
                 "ResourceNotFoundException", subs.SUBSCRIPTION_NOT_FOUND.format(id="nope"), 404, subscriptionId="nope")


def test_creating_then_active(eks_client, clock):
    subscription = create(eks_client)
    clock.advance(59)
    assert status(eks_client, subscription["id"]) == "CREATING"
    clock.advance(1)
    assert status(eks_client, subscription["id"]) == "ACTIVE"


def test_update_auto_renew(eks_client, clock):
    subscription = create(eks_client)
    assert_error(error_of(eks_client.update_eks_anywhere_subscription, id=subscription["id"], autoRenew=True),
                 "InvalidRequestException", subs.NOT_UPDATABLE.format(id=subscription["id"], status="CREATING"), 400,
                 subscriptionId=subscription["id"])
    clock.advance(60)
    updated = eks_client.update_eks_anywhere_subscription(id=subscription["id"], autoRenew=True)["subscription"]
    assert updated["autoRenew"] is True and updated["status"] == "UPDATING"
    clock.advance(30)
    assert status(eks_client, subscription["id"]) == "ACTIVE"


def test_term_ends_in_expiry_without_auto_renew(eks_client, clock):
    subscription = create(eks_client)
    clock.advance(365 * 86400 - 1)
    assert status(eks_client, subscription["id"]) == "ACTIVE"
    clock.advance(1)
    assert status(eks_client, subscription["id"]) == "EXPIRED"


def test_auto_renew_starts_another_term(eks_client, clock):
    subscription = create(eks_client, autoRenew=True)
    clock.advance(365 * 86400 + 1)
    renewed = eks_client.describe_eks_anywhere_subscription(id=subscription["id"])["subscription"]
    assert renewed["status"] == "ACTIVE"
    assert renewed["expirationDate"] == datetime(2028, 1, 31, 12, tzinfo=timezone.utc)


def test_only_expired_subscriptions_can_be_deleted(eks_client, clock):
    subscription = create(eks_client)
    clock.advance(60)
    assert_error(error_of(eks_client.delete_eks_anywhere_subscription, id=subscription["id"]),
                 "InvalidRequestException", subs.NOT_DELETABLE.format(id=subscription["id"], status="ACTIVE"), 400,
                 subscriptionId=subscription["id"])
    clock.advance(365 * 86400)
    deleted = eks_client.delete_eks_anywhere_subscription(id=subscription["id"])["subscription"]
    assert deleted["status"] == "DELETING"
    clock.advance(30)
    assert eks_client.list_eks_anywhere_subscriptions()["subscriptions"] == []


def test_list_filters_by_status_and_pages_oldest_first(eks_client, clock):
    made = []
    for i in range(5):
        made.append(create(eks_client, f"site{i}")["id"])
        clock.advance(20)
    assert [s["id"] for s in eks_client.list_eks_anywhere_subscriptions(includeStatus=["CREATING"])[
        "subscriptions"]] == made[3:]   # created at 60 s and 80 s; now is 100 s
    pages = list(eks_client.get_paginator("list_eks_anywhere_subscriptions").paginate(
        PaginationConfig={"PageSize": 2}))
    assert [s["id"] for p in pages for s in p["subscriptions"]] == made and len(pages) == 3
    response = error_of(eks_client.list_eks_anywhere_subscriptions, maxResults=101)
    assert response["Error"]["Code"] == IPE and response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_tags_reach_the_subscription_through_its_arn(eks_client):
    subscription = create(eks_client)
    eks_client.tag_resource(resourceArn=subscription["arn"], tags={"k": "v"})
    assert eks_client.list_tags_for_resource(resourceArn=subscription["arn"])["tags"] == {"k": "v"}
