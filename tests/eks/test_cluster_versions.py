"""DescribeClusterVersions from the version catalogue (as of 2026-11-27)."""
import datetime

import boto3
import pytest
from botocore.config import Config

from tests.eks.cluster_support import error_of

OFFERED = ["1.36", "1.35", "1.34", "1.33", "1.32"]


def versions(client, **params):
    return [v["clusterVersion"] for v in client.describe_cluster_versions(**params)["clusterVersions"]]


def test_offered_versions_newest_first(eks_client):
    assert versions(eks_client) == OFFERED


def test_entries_carry_dates_and_both_status_fields(eks_client):
    entry = {v["clusterVersion"]: v for v in eks_client.describe_cluster_versions()["clusterVersions"]}
    v134 = entry["1.34"]
    assert v134["clusterType"] == "eks"
    assert v134["status"] == "standard-support" and v134["versionStatus"] == "STANDARD_SUPPORT"
    assert v134["releaseDate"] == datetime.datetime(2025, 10, 2, tzinfo=datetime.timezone.utc)
    assert v134["endOfStandardSupportDate"] == datetime.datetime(2026, 12, 2, tzinfo=datetime.timezone.utc)
    assert v134["endOfExtendedSupportDate"] == datetime.datetime(2027, 12, 2, tzinfo=datetime.timezone.utc)
    assert v134["kubernetesPatchVersion"].startswith("1.34.")
    assert v134["defaultPlatformVersion"].startswith("eks.")
    assert entry["1.33"]["versionStatus"] == "EXTENDED_SUPPORT" and entry["1.33"]["status"] == "extended-support"
    assert [v for v, e in entry.items() if e["defaultVersion"]] == ["1.35"]


def test_default_only(eks_client):
    assert versions(eks_client, defaultOnly=True) == ["1.35"]


def test_include_all_adds_retired_versions(eks_client):
    everything = eks_client.describe_cluster_versions(includeAll=True)["clusterVersions"]
    names = [v["clusterVersion"] for v in everything]
    assert names[:5] == OFFERED and "1.31" in names and "1.23" in names
    assert {v["versionStatus"] for v in everything if v["clusterVersion"] == "1.31"} == {"UNSUPPORTED"}


def test_filter_by_versions(eks_client):
    assert versions(eks_client, clusterVersions=["1.33", "1.36", "1.99"]) == ["1.36", "1.33"]
    assert versions(eks_client, clusterVersions=["1.30"]) == []
    assert versions(eks_client, clusterVersions=["1.30"], includeAll=True) == ["1.30"]


def test_filter_by_version_status(eks_client):
    assert versions(eks_client, versionStatus="EXTENDED_SUPPORT") == ["1.33", "1.32"]
    assert versions(eks_client, versionStatus="STANDARD_SUPPORT") == ["1.36", "1.35", "1.34"]
    assert "1.31" in versions(eks_client, versionStatus="UNSUPPORTED")


def test_filter_by_deprecated_status(eks_client):
    assert versions(eks_client, status="extended-support") == ["1.33", "1.32"]
    assert versions(eks_client, status="standard-support", versionStatus="EXTENDED_SUPPORT") == []


def test_cluster_type_filter(eks_client):
    assert versions(eks_client, clusterType="eks") == OFFERED
    assert versions(eks_client, clusterType="eks-local-outposts") == []


def test_pagination_returns_each_version_once(eks_client):
    pages = eks_client.get_paginator("describe_cluster_versions").paginate(
        includeAll=True, PaginationConfig={"PageSize": 4})
    seen = [v["clusterVersion"] for page in pages for v in page["clusterVersions"]]
    assert seen == versions(eks_client, includeAll=True) and len(seen) == len(set(seen))


def test_token_of_other_filters_is_refused(eks_client):
    token = eks_client.describe_cluster_versions(maxResults=1)["nextToken"]
    response = error_of(eks_client.describe_cluster_versions, includeAll=True, nextToken=token)
    assert response["Error"]["Code"] == "InvalidParameterException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize("max_results", [0, 101])
def test_max_results_bounds(eks_client, max_results):
    client = boto3.client("eks", region_name="us-east-1", config=Config(parameter_validation=False))
    response = error_of(client.describe_cluster_versions, maxResults=max_results)
    assert response["Error"]["Code"] == "InvalidParameterException"
