"""EKS cluster insights: ListInsights, DescribeInsight, StartInsightsRefresh, DescribeInsightsRefresh.

The insights of catalogue/insights.json are evaluated against the cluster as it is: its
add-ons, managed node groups and configuration. Upgrade-readiness insights look at the next
Kubernetes minor (only when EKS offers it); misconfiguration insights at the current one.

Results are refreshed automatically every ``eks.insights.period`` (first when a cluster is
read after it became ACTIVE), and on demand with StartInsightsRefresh, which completes after
``eks.insights.refresh``. Between refreshes ListInsights shows the last results, with
``lastRefreshTime`` and ``lastTransitionTime`` (when the status last changed).

:func:`upgrade_blocked` (registered with clusters.upgrade_readiness_check) tells
UpdateClusterVersion whether an upgrade-readiness check is in ERROR for the target version;
it evaluates the checks afresh rather than reading the last refresh.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from emulator.config import declare_duration
from emulator.core import ids
from emulator.core.service import RequestContext
from emulator.eks import addon_catalogue
from emulator.eks.cluster_versions import al2_available, is_offered, minor_after, minor_key
from emulator.eks.clusters import upgrade_readiness_check
from emulator.eks.common import get_cluster, list_page, require_active
from emulator.eks.errors import ResourceNotFoundException
from emulator.eks.service import eks

PERIOD = declare_duration("eks.insights.period", 86400, "interval of the automatic insights refresh")
REFRESH = declare_duration("eks.insights.refresh", 120, "StartInsightsRefresh IN_PROGRESS -> COMPLETED")

_CATALOGUE = json.loads((Path(__file__).parent / "catalogue" / "insights.json").read_text())
DEFINITIONS: list[dict] = _CATALOGUE["insights"]
REMOVED_APIS: dict[str, list[dict]] = _CATALOGUE["removedApis"]
MAX_KUBELET_SKEW = 3            # kubelet and kube-proxy may be up to three minors older than the API server

INSIGHT_NOT_FOUND = "No insight found for id: {id}"                                     # (own wording)
NO_REFRESH = "No insights refresh has been started for cluster {cluster}."               # (own wording)
REFRESH_IN_PROGRESS = "Insights refresh is in progress."                                 # (own wording)
REFRESH_COMPLETED = "Insights refresh completed successfully."                           # (own wording)


@dataclass
class Result:
    status: str
    reason: str
    resources: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)


@dataclass(eq=False)
class Insight:
    id: str
    definition: dict
    kubernetes_version: str
    target: str
    result: Result
    last_refresh: float
    last_transition: float

    def _text(self, key: str) -> str:
        return self.definition[key].replace("{target}", self.target)

    def summary(self) -> dict:
        return {"id": self.id, "name": self._text("name"), "category": self.definition["category"],
                "kubernetesVersion": self.kubernetes_version, "lastRefreshTime": self.last_refresh,
                "lastTransitionTime": self.last_transition, "description": self._text("description"),
                "insightStatus": {"status": self.result.status, "reason": self.result.reason}}

    def describe(self) -> dict:
        return {**self.summary(), "recommendation": self._text("recommendation"),
                "additionalInfo": self.definition["additionalInfo"], "resources": self.result.resources,
                "categorySpecificSummary": self.result.summary}


@dataclass
class InsightsState:
    insights: dict = field(default_factory=dict)         # (check, kubernetes version) -> Insight
    by_id: dict = field(default_factory=dict)            # id -> Insight
    last_refresh: float | None = None
    refresh: dict | None = None                          # the last StartInsightsRefresh: status, times, message


def _state(cluster) -> InsightsState:
    return cluster.insights.setdefault("state", InsightsState())


# -- the checks -----------------------------------------------------------------------------

def _minor(version: str) -> tuple[int, ...]:
    return minor_key(".".join(version.lstrip("v").split(".")[:2]))


def _nodegroups(cluster) -> list[dict]:
    """Version, ARN and AMI type of each managed node group, read from its DescribeNodegroup form."""
    out = []
    for nodegroup in cluster.nodegroups.values():
        facts = nodegroup.describe() if callable(getattr(nodegroup, "describe", None)) else {}
        out.append({"version": facts.get("version", cluster.version), "arn": facts.get("nodegroupArn"),
                    "amiType": facts.get("amiType", "")})
    return out


def _installed_addons(cluster) -> list:
    return [addon for addon in cluster.addons.values() if addon.status != "DELETING"]


def _status(status: str, reason: str) -> dict:
    return {"status": status, "reason": reason}


def kubelet_version_skew(cluster, target: str) -> Result:
    nodegroups = _nodegroups(cluster)
    too_old = [n for n in nodegroups if _minor(target)[1] - _minor(n["version"])[1] > MAX_KUBELET_SKEW]
    lagging = [n for n in nodegroups if n["version"] != cluster.version]
    if too_old:
        reason = f"Kubelet versions of some nodes would be more than {MAX_KUBELET_SKEW} minor versions older than {target}."
        return Result("ERROR", reason, [{"insightStatus": _status("ERROR", reason), "arn": n["arn"]} for n in too_old])
    if lagging:
        reason = f"Kubelet versions of some nodes are older than the control plane version {cluster.version}."
        return Result("WARNING", reason, [{"insightStatus": _status("WARNING", reason), "arn": n["arn"]}
                                          for n in lagging])
    return Result("PASSING", "Kubelet versions of all nodes match the control plane version.")


def kube_proxy_version_skew(cluster, target: str) -> Result:
    addon = cluster.addons.get("kube-proxy")
    if addon is None or addon.status == "DELETING":
        return Result("PASSING", "kube-proxy is not managed as an EKS add-on; no version skew was detected.")
    proxy_minor = _minor(addon.version)[1]
    resource = lambda status, reason: [{"insightStatus": _status(status, reason), "arn": addon.arn}]  # noqa: E731
    if _minor(target)[1] - proxy_minor > MAX_KUBELET_SKEW:
        reason = f"kube-proxy {addon.version} would be more than {MAX_KUBELET_SKEW} minor versions older than {target}."
        return Result("ERROR", reason, resource("ERROR", reason))
    if proxy_minor < _minor(cluster.version)[1]:
        reason = f"kube-proxy {addon.version} is older than the control plane version {cluster.version}."
        return Result("WARNING", reason, resource("WARNING", reason))
    return Result("PASSING", "kube-proxy matches the control plane version.")


def addon_version_compatibility(cluster, target: str) -> Result:
    details, incompatible = [], []
    for addon in _installed_addons(cluster):
        offer = addon_catalogue.offer(addon.name)
        compatible = [v.addon_version for v in offer.versions_for(target)]
        details.append({"name": addon.name, "compatibleVersions": compatible})
        if addon.version not in compatible:
            incompatible.append(addon)
    summary = {"addonCompatibilityDetails": details}
    if incompatible:
        reason = f"Some installed add-on versions are not compatible with Kubernetes {target}."
        return Result("ERROR", reason, [{"insightStatus": _status("ERROR", reason), "arn": a.arn}
                                        for a in incompatible], summary)
    return Result("PASSING", f"All installed add-on versions are compatible with Kubernetes {target}.", [], summary)


def amazon_linux_2_compatibility(cluster, target: str) -> Result:
    al2 = [n for n in _nodegroups(cluster) if n["amiType"].startswith("AL2_")]
    if al2 and not al2_available(target):
        reason = f"Amazon Linux 2 AMIs are not published for Kubernetes {target}."
        return Result("ERROR", reason, [{"insightStatus": _status("ERROR", reason), "arn": n["arn"]} for n in al2])
    return Result("PASSING", f"No node group uses an AMI that is unavailable for Kubernetes {target}.")


def cluster_health(cluster, target: str) -> Result:
    return Result("PASSING", "No cluster health issues were detected.")


def deprecated_apis(cluster, target: str) -> Result:
    details = [{**api, "clientStats": []} for api in REMOVED_APIS.get(target, [])]
    return Result("PASSING", f"No usage of APIs removed in Kubernetes v{target} was detected.", [],
                  {"deprecationDetails": details})


def hybrid_nodes_configuration(cluster, target: str) -> Result:
    if getattr(cluster, "remote_network_config", None):
        return Result("PASSING", "The remote node and pod networks are configured.")
    return Result("PASSING", "The cluster is not configured for hybrid nodes.")


CHECKS: dict[str, Callable[[object, str], Result]] = {
    fn.__name__: fn for fn in (kubelet_version_skew, kube_proxy_version_skew, addon_version_compatibility,
                               amazon_linux_2_compatibility, cluster_health, deprecated_apis,
                               hybrid_nodes_configuration)}


def _applicable(cluster) -> list[tuple[dict, str, str]]:
    """(definition, kubernetesVersion shown, version checked against) of each insight the cluster has."""
    target = minor_after(cluster.version)
    out = []
    for definition in DEFINITIONS:
        if definition["category"] == "UPGRADE_READINESS":
            if is_offered(target):
                out.append((definition, target, target))
        else:
            out.append((definition, cluster.version, cluster.version))
    return out


def evaluate(cluster, at: float) -> None:
    """Run every check and record the results as of ``at``."""
    state = _state(cluster)
    fresh = {}
    for definition, shown, target in _applicable(cluster):
        key = (definition["check"], shown)
        result = CHECKS[definition["check"]](cluster, target)
        insight = state.insights.get(key)
        if insight is None:
            insight = Insight(ids.uuid4(), definition, shown, target, result, at, at)
        elif insight.result.status != result.status:
            insight.result, insight.last_transition = result, at
        else:
            insight.result = result
        insight.last_refresh = at
        fresh[key] = insight
    state.insights = fresh
    state.by_id = {insight.id: insight for insight in fresh.values()}
    state.last_refresh = at


def current(ctx: RequestContext, cluster) -> InsightsState:
    """The cluster's insights, refreshed when the automatic refresh is due."""
    state = _state(cluster)
    if cluster.status == "CREATING" or cluster.version is None:
        return state
    period = ctx.duration(PERIOD)
    if state.last_refresh is None or period <= 0:
        evaluate(cluster, ctx.now)
    elif ctx.now >= state.last_refresh + period:
        ticks = int((ctx.now - state.last_refresh) // period)
        evaluate(cluster, state.last_refresh + ticks * period)
    return state


@upgrade_readiness_check
def upgrade_blocked(cluster, target_version: str) -> bool:
    """True when an upgrade-readiness check is in ERROR for ``target_version``."""
    return any(CHECKS[d["check"]](cluster, target_version).status == "ERROR"
               for d in DEFINITIONS if d["category"] == "UPGRADE_READINESS")


@eks.operation("ListInsights")
def list_insights(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    state = current(ctx, cluster)
    wanted = params.get("filter") or {}
    categories, versions, statuses = (set(wanted.get(k) or ()) for k in ("categories", "kubernetesVersions",
                                                                         "statuses"))
    matching = {insight.summary()["name"]: insight for insight in state.insights.values()
                if (not categories or insight.definition["category"] in categories)
                and (not versions or insight.kubernetes_version in versions)
                and (not statuses or insight.result.status in statuses)}
    scope = json.dumps([sorted(categories), sorted(versions), sorted(statuses)])
    names, token = list_page(sorted(matching), params, scope=scope, clusterName=cluster.name)
    return {"insights": [matching[n].summary() for n in names], "nextToken": token}


@eks.operation("DescribeInsight")
def describe_insight(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    insight = current(ctx, cluster).by_id.get(params["id"])
    if insight is None:
        raise ResourceNotFoundException(INSIGHT_NOT_FOUND.format(id=params["id"]), clusterName=cluster.name)
    return {"insight": insight.describe()}


@eks.operation("StartInsightsRefresh")
def start_insights_refresh(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    require_active(cluster)
    state = current(ctx, cluster)
    if state.refresh is None or state.refresh["status"] != "IN_PROGRESS":
        refresh = state.refresh = {"status": "IN_PROGRESS", "message": REFRESH_IN_PROGRESS, "startedAt": ctx.now}

        def complete(at: float) -> None:
            evaluate(cluster, at)
            refresh.update(status="COMPLETED", message=REFRESH_COMPLETED, endedAt=at)
        ctx.store.timeline.at(ctx.now + ctx.duration(REFRESH), complete)
    return {"message": state.refresh["message"], "status": state.refresh["status"]}


@eks.operation("DescribeInsightsRefresh")
def describe_insights_refresh(ctx: RequestContext, params: dict) -> dict:
    cluster = get_cluster(ctx, params["clusterName"])
    refresh = _state(cluster).refresh
    if refresh is None:
        raise ResourceNotFoundException(NO_REFRESH.format(cluster=cluster.name), clusterName=cluster.name)
    return {"message": refresh["message"], "status": refresh["status"], "startedAt": refresh["startedAt"],
            "endedAt": refresh.get("endedAt")}
