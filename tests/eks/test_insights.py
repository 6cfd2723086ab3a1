"""EKS cluster insights through boto3: the checks, filters, body pagination, refreshes on the clock."""
import re

import pytest

from emulator.eks import insights
from emulator.eks.common import CLUSTER_NOT_ACTIVE
from tests.eks.cluster_support import assert_error, create_cluster, create_nodegroup, error_of

UPGRADE_NAMES = ["Amazon Linux 2 compatibility", "Cluster health issues", "Deprecated APIs removed in Kubernetes v1.35",
                 "EKS add-on version compatibility", "Kubelet version skew", "kube-proxy version skew"]


@pytest.fixture
def cluster(eks_client):
    return create_cluster(eks_client, version="1.34")


@pytest.fixture
def daily_insights(ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.insights.period": 86400, "eks.insights.refresh": 120})
    return ecs_eks_mock


def listed(client, **request):
    return client.list_insights(clusterName="prod", **request)["insights"]


def by_name(client, name):
    return next(i for i in listed(client) if i["name"] == name)


def test_insights_of_a_cluster(eks_client, cluster):
    found = listed(eks_client)
    upgrade = [i for i in found if i["category"] == "UPGRADE_READINESS"]
    assert sorted(i["name"] for i in upgrade) == UPGRADE_NAMES
    assert all(i["kubernetesVersion"] == "1.35" for i in upgrade)
    (misconfiguration,) = [i for i in found if i["category"] == "MISCONFIGURATION"]
    assert misconfiguration["kubernetesVersion"] == "1.34"
    for insight in found:
        assert re.fullmatch(r"[0-9a-f-]{36}", insight["id"])
        assert insight["insightStatus"]["status"] == "PASSING" and insight["insightStatus"]["reason"]
        assert insight["description"] and insight["lastRefreshTime"] and insight["lastTransitionTime"]


def test_newest_version_has_no_upgrade_readiness_insights(eks_client):
    create_cluster(eks_client, version="1.36")
    assert {i["category"] for i in listed(eks_client)} == {"MISCONFIGURATION"}


def test_filters(eks_client, cluster):
    eks_client.create_addon(clusterName="prod", addonName="coredns", addonVersion="v1.12.3-eksbuild.1")
    assert len(listed(eks_client, filter={"categories": ["MISCONFIGURATION"]})) == 1
    assert len(listed(eks_client, filter={"kubernetesVersions": ["1.35"]})) == 6
    (error,) = listed(eks_client, filter={"statuses": ["ERROR"]})
    assert error["name"] == "EKS add-on version compatibility"
    assert listed(eks_client, filter={"categories": ["UPGRADE_READINESS"], "statuses": ["WARNING"]}) == []


def test_pagination_travels_in_the_body(eks_client, cluster):
    first = eks_client.list_insights(clusterName="prod", maxResults=3)
    second = eks_client.list_insights(clusterName="prod", maxResults=3, nextToken=first["nextToken"])
    assert len(first["insights"]) == 3 and len(second["insights"]) == 3 and "nextToken" in second
    pages = list(eks_client.get_paginator("list_insights").paginate(clusterName="prod",
                                                                     PaginationConfig={"PageSize": 2}))
    ids = [i["id"] for p in pages for i in p["insights"]]
    assert len(pages) == 4 and len(ids) == len(set(ids)) == 7


def test_page_size_bounds(eks_client, cluster):
    response = error_of(eks_client.list_insights, clusterName="prod", maxResults=101)
    assert response["Error"]["Code"] == "InvalidParameterException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_incompatible_addon_is_an_error_with_its_compatible_versions(eks_client, cluster):
    addon = eks_client.create_addon(clusterName="prod", addonName="coredns",
                                    addonVersion="v1.12.3-eksbuild.1")["addon"]
    summary = by_name(eks_client, "EKS add-on version compatibility")
    assert summary["insightStatus"]["status"] == "ERROR"
    insight = eks_client.describe_insight(clusterName="prod", id=summary["id"])["insight"]
    assert insight["resources"][0]["arn"] == addon["addonArn"]
    assert insight["resources"][0]["insightStatus"]["status"] == "ERROR"
    assert insight["categorySpecificSummary"]["addonCompatibilityDetails"] == [
        {"name": "coredns", "compatibleVersions": ["v1.13.1-eksbuild.1", "v1.12.4-eksbuild.1"]}]
    assert "1.35" in insight["recommendation"] and insight["additionalInfo"]


def test_amazon_linux_2_node_groups_block_the_next_version(eks_client):
    create_cluster(eks_client, version="1.32")
    nodegroup = create_nodegroup(eks_client, amiType="AL2_x86_64")
    insight = by_name(eks_client, "Amazon Linux 2 compatibility")
    assert insight["insightStatus"]["status"] == "ERROR" and insight["kubernetesVersion"] == "1.33"
    described = eks_client.describe_insight(clusterName="prod", id=insight["id"])["insight"]
    assert described["resources"][0]["arn"] == nodegroup["nodegroupArn"]


def test_lagging_nodes_and_kube_proxy_are_warnings(eks_client):
    create_cluster(eks_client, version="1.33")
    create_nodegroup(eks_client)
    eks_client.create_addon(clusterName="prod", addonName="kube-proxy")
    eks_client.update_cluster_version(name="prod", version="1.34", force=True)   # kube-proxy 1.33 is incompatible
    assert by_name(eks_client, "Kubelet version skew")["insightStatus"]["status"] == "WARNING"
    assert by_name(eks_client, "kube-proxy version skew")["insightStatus"]["status"] == "WARNING"


def test_describe_unknown_insight(eks_client, cluster):
    assert_error(error_of(eks_client.describe_insight, clusterName="prod", id="00000000-0000-0000-0000-000000000000"),
                 "ResourceNotFoundException", insights.INSIGHT_NOT_FOUND.format(id="00000000-0000-0000-0000-000000000000"),
                 404, clusterName="prod")


def test_missing_cluster(eks_client):
    for call in (eks_client.list_insights, eks_client.start_insights_refresh, eks_client.describe_insights_refresh):
        assert_error(error_of(call, clusterName="ghost"), "ResourceNotFoundException",
                     "No cluster found for name: ghost.", 404, clusterName="ghost")


def test_error_insights_block_an_upgrade_unless_forced(eks_client, cluster):
    eks_client.create_addon(clusterName="prod", addonName="coredns", addonVersion="v1.12.3-eksbuild.1")
    assert_error(error_of(eks_client.update_cluster_version, name="prod", version="1.35"), "InvalidStateException",
                 "Upgrade readiness issues detected. Call the EKS ListInsights API to view upgrade blocking issues "
                 "detected by EKS. Pass the force flag to override upgrade readiness errors and proceed with upgrade.",
                 400, clusterName="prod")
    assert eks_client.update_cluster_version(name="prod", version="1.35", force=True)["update"]["type"] == \
        "VersionUpdate"


def test_compatible_addons_let_the_upgrade_through(eks_client, cluster):
    eks_client.create_addon(clusterName="prod", addonName="coredns", addonVersion="v1.12.4-eksbuild.1")
    assert eks_client.update_cluster_version(name="prod", version="1.35")["update"]["status"] in ("InProgress",
                                                                                                 "Successful")


# -- refreshes --------------------------------------------------------------------------------------

def test_no_refresh_before_one_is_started(eks_client, cluster):
    assert_error(error_of(eks_client.describe_insights_refresh, clusterName="prod"), "ResourceNotFoundException",
                 insights.NO_REFRESH.format(cluster="prod"), 404, clusterName="prod")


def test_refresh_lifecycle_on_the_clock(eks_client, cluster, daily_insights):
    started = eks_client.start_insights_refresh(clusterName="prod")
    assert started["status"] == "IN_PROGRESS" and started["message"] == insights.REFRESH_IN_PROGRESS
    again = eks_client.start_insights_refresh(clusterName="prod")
    assert again["status"] == "IN_PROGRESS"
    running = eks_client.describe_insights_refresh(clusterName="prod")
    assert running["status"] == "IN_PROGRESS" and "endedAt" not in running
    daily_insights.clock.advance(120)
    done = eks_client.describe_insights_refresh(clusterName="prod")
    assert done["status"] == "COMPLETED" and done["message"] == insights.REFRESH_COMPLETED
    assert (done["endedAt"] - done["startedAt"]).total_seconds() == 120


def test_results_change_only_when_refreshed(eks_client, cluster, daily_insights):
    before = by_name(eks_client, "EKS add-on version compatibility")
    daily_insights.clock.advance(60)
    eks_client.create_addon(clusterName="prod", addonName="coredns", addonVersion="v1.12.3-eksbuild.1")
    assert by_name(eks_client, "EKS add-on version compatibility")["insightStatus"]["status"] == "PASSING"
    eks_client.start_insights_refresh(clusterName="prod")
    daily_insights.clock.advance(120)
    after = by_name(eks_client, "EKS add-on version compatibility")
    assert after["id"] == before["id"] and after["insightStatus"]["status"] == "ERROR"
    assert (after["lastTransitionTime"] - before["lastTransitionTime"]).total_seconds() == 180
    assert after["lastRefreshTime"] == after["lastTransitionTime"]


def test_automatic_refresh_every_period(eks_client, cluster, daily_insights):
    before = by_name(eks_client, "Cluster health issues")
    daily_insights.clock.advance(86400 * 2 + 5)
    after = by_name(eks_client, "Cluster health issues")
    assert (after["lastRefreshTime"] - before["lastRefreshTime"]).total_seconds() == 86400 * 2
    assert after["lastTransitionTime"] == before["lastTransitionTime"]


def test_refresh_needs_an_active_cluster(eks_client, ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.cluster.create": 600})
    create_cluster(eks_client)
    assert listed(eks_client) == []
    assert_error(error_of(eks_client.start_insights_refresh, clusterName="prod"), "InvalidRequestException",
                 CLUSTER_NOT_ACTIVE.format(name="prod"), 400, clusterName="prod")
