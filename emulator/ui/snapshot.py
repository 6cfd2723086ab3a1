"""What the dashboard shows of one (account, region): its resources and a timeline, as JSON.

Every resource is read with the API's own operations on the engine's protocol-free path
(:meth:`Emulator.execute`), so the JSON a panel opens is exactly what a Describe call answers.
These reads go neither to the request log nor to the response observers: only the calls a
client made appear in the timeline.  Nothing here takes a store lock itself.
"""
from __future__ import annotations

from emulator.core import identity, ids
from emulator.protocol.errors import ServiceError
from emulator.protocol.jsonutil import drop_nulls

TASKS_PER_CLUSTER = 200         # tasks described per ECS cluster; desired RUNNING ones first
LIST_CAP = 200                  # task definitions, container instances, services per cluster, ...
SERVICE_DEPLOYMENTS = 5         # newest service deployments described per service
REQUESTS = 200                  # newest requests of the account and Region in the timeline
TIMELINE = 400                  # timeline entries in all

LIMITS = {"tasksPerCluster": TASKS_PER_CLUSTER, "perList": LIST_CAP, "requests": REQUESTS, "timeline": TIMELINE}


class Reader:
    """Calls operations in one (account, region) as a client would, but unlogged."""

    def __init__(self, engine, account: str, region: str) -> None:
        self.engine, self.account, self.region = engine, account, region

    def has(self, service: str) -> bool:
        return self.engine.find_store(service, self.account, self.region) is not None

    def call(self, service: str, operation: str, /, **params) -> dict:
        result = self.engine.execute(service, operation, params, self.account, self.region, ids.uuid4())
        return drop_nulls(result or {})

    def maybe(self, service: str, operation: str, /, **params) -> dict | None:
        """The answer, or None when the resource went away between a List and this call."""
        try:
            return self.call(service, operation, **params)
        except ServiceError:
            return None

    def listing(self, service: str, operation: str, key: str, cap: int = LIST_CAP, /,
                **params) -> tuple[list, bool]:
        """Up to ``cap`` items of a paginated List call, and whether there were more."""
        items, token = [], None
        while True:
            page = self.maybe(service, operation, maxResults=100, **params,
                              **({"nextToken": token} if token else {})) or {}
            items.extend(page.get(key, []))
            token = page.get("nextToken")
            if not token or len(items) >= cap:
                return items[:cap], bool(token) or len(items) > cap


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


# -- ECS ------------------------------------------------------------------------------------
def _ecs_tasks(reader: Reader, cluster: str) -> tuple[list, bool]:
    arns, more = reader.listing("ecs", "ListTasks", "taskArns", TASKS_PER_CLUSTER, cluster=cluster)
    stopped, more_stopped = reader.listing("ecs", "ListTasks", "taskArns", TASKS_PER_CLUSTER - len(arns),
                                           cluster=cluster, desiredStatus="STOPPED")
    arns, more = arns + stopped, more or more_stopped
    tasks = []
    for chunk in _chunks(arns, 100):
        tasks += (reader.maybe("ecs", "DescribeTasks", cluster=cluster, tasks=chunk, include=["TAGS"])
                  or {}).get("tasks", [])
    tasks.sort(key=lambda t: t.get("createdAt", 0), reverse=True)
    return tasks, more


def _ecs_services(reader: Reader, cluster: str) -> list:
    arns, _ = reader.listing("ecs", "ListServices", "serviceArns", cluster=cluster)
    services = []
    for chunk in _chunks(arns, 10):
        for service in (reader.maybe("ecs", "DescribeServices", cluster=cluster, services=chunk, include=["TAGS"])
                        or {}).get("services", []):
            listed = (reader.maybe("ecs", "ListServiceDeployments", cluster=cluster,
                                   service=service["serviceArn"]) or {}).get("serviceDeployments", [])
            newest = sorted(listed, key=lambda d: d.get("createdAt", 0), reverse=True)[:SERVICE_DEPLOYMENTS]
            described = (reader.maybe("ecs", "DescribeServiceDeployments", serviceDeploymentArns=[
                d["serviceDeploymentArn"] for d in newest]) or {}).get("serviceDeployments", []) if newest else []
            described.sort(key=lambda d: d.get("createdAt", 0), reverse=True)
            services.append({"service": service, "serviceDeployments": described})
    return services


def _ecs_container_instances(reader: Reader, cluster: str) -> list:
    arns, _ = reader.listing("ecs", "ListContainerInstances", "containerInstanceArns", cluster=cluster)
    instances = []
    for chunk in _chunks(arns, 100):
        instances += (reader.maybe("ecs", "DescribeContainerInstances", cluster=cluster, containerInstances=chunk,
                                   include=["TAGS"]) or {}).get("containerInstances", [])
    return instances


def ecs_state(reader: Reader) -> dict:
    if not reader.has("ecs"):
        return {"clusters": [], "taskDefinitions": [], "taskDefinitionsTruncated": False}
    cluster_arns, _ = reader.listing("ecs", "ListClusters", "clusterArns")
    clusters = []
    for chunk in _chunks(cluster_arns, 100):
        clusters += (reader.maybe("ecs", "DescribeClusters", clusters=chunk, include=[
            "ATTACHMENTS", "CONFIGURATIONS", "SETTINGS", "STATISTICS", "TAGS"]) or {}).get("clusters", [])
    entries = []
    for cluster in clusters:
        arn = cluster["clusterArn"]
        tasks, more = _ecs_tasks(reader, arn)
        entries.append({"cluster": cluster, "services": _ecs_services(reader, arn), "tasks": tasks,
                        "tasksTruncated": more, "containerInstances": _ecs_container_instances(reader, arn)})
    family_arns, more = reader.listing("ecs", "ListTaskDefinitions", "taskDefinitionArns", sort="DESC")
    definitions = [d for d in (reader.maybe("ecs", "DescribeTaskDefinition", taskDefinition=arn, include=["TAGS"])
                               for arn in family_arns) if d]
    return {"clusters": entries, "taskDefinitions": definitions, "taskDefinitionsTruncated": more}


# -- EKS ------------------------------------------------------------------------------------
def _eks_updates(reader: Reader, name: str, **parent) -> list:
    """``{"update": <DescribeUpdate's update>, "resource": <the cluster's, nodegroup's or add-on's name>}``"""
    ids, _ = reader.listing("eks", "ListUpdates", "updateIds", name=name, **parent)
    updates = []
    for update_id in ids:
        answer = reader.maybe("eks", "DescribeUpdate", name=name, updateId=update_id, **parent)
        if answer:
            updates.append({"update": answer["update"], "resource": next(iter(parent.values()), name)})
    return updates


def _eks_described(reader: Reader, cluster: str, listing: str, key: str, describe: str, member: str,
                   answer_key: str) -> list:
    names, _ = reader.listing("eks", listing, key, clusterName=cluster)
    found = (reader.maybe("eks", describe, clusterName=cluster, **{member: n}) for n in names)
    return [answer[answer_key] for answer in found if answer]


def eks_state(reader: Reader) -> dict:
    if not reader.has("eks"):
        return {"clusters": []}
    names, _ = reader.listing("eks", "ListClusters", "clusters", include=["all"])
    entries = []
    for name in names:
        described = reader.maybe("eks", "DescribeCluster", name=name)
        if not described:
            continue
        nodegroups = _eks_described(reader, name, "ListNodegroups", "nodegroups", "DescribeNodegroup",
                                    "nodegroupName", "nodegroup")
        addons = _eks_described(reader, name, "ListAddons", "addons", "DescribeAddon", "addonName", "addon")
        updates = _eks_updates(reader, name)
        for nodegroup in nodegroups:
            updates += _eks_updates(reader, name, nodegroupName=nodegroup["nodegroupName"])
        for addon in addons:
            updates += _eks_updates(reader, name, addonName=addon["addonName"])
        updates.sort(key=lambda u: u["update"].get("createdAt", 0), reverse=True)
        entries.append({
            "cluster": described["cluster"], "nodegroups": nodegroups, "addons": addons, "updates": updates,
            "fargateProfiles": _eks_described(reader, name, "ListFargateProfiles", "fargateProfileNames",
                                              "DescribeFargateProfile", "fargateProfileName", "fargateProfile")})
    return {"clusters": entries}


# -- timeline -------------------------------------------------------------------------------
TASK_MOMENTS = (("createdAt", "created"), ("pullStartedAt", "image pull started"),
                ("pullStoppedAt", "image pulled"), ("startedAt", "RUNNING"),
                ("stoppingAt", "stopping"), ("stoppedAt", "STOPPED"))


def _entry(time, kind: str, resource: str, text: str) -> dict:
    return {"time": time, "kind": kind, "resource": resource, "text": text}


def timeline(engine, account: str, region: str, ecs: dict, eks: dict) -> list:
    """Requests and state changes of (account, region), newest first."""
    entries = []
    requests = [r for r in engine.request_log.entries() if r["account"] == account and r["region"] == region]
    for r in requests[-REQUESTS:]:
        outcome = str(r["status"]) + (f" {r['errorType']}" if r.get("errorType") else "")
        entries.append(_entry(r["time"], "request", r["service"], f"{r['operation'] or '(unknown)'} → {outcome}"))
    for cluster in ecs["clusters"]:
        for entry in cluster["services"]:
            service = entry["service"]
            for event in reversed(service.get("events", [])):      # the API lists them newest first
                entries.append(_entry(event["createdAt"], "service", service["serviceName"], event["message"]))
        for task in cluster["tasks"]:
            task_id = task["taskArn"].rsplit("/", 1)[-1]
            for member, text in TASK_MOMENTS:
                if member in task:
                    if member == "stoppingAt" and task.get("stoppedReason"):
                        text = f"stopping: {task['stoppedReason']}"
                    entries.append(_entry(task[member], "task", task_id, text))
    for cluster in eks["clusters"]:
        described = cluster["cluster"]
        entries.append(_entry(described.get("createdAt"), "eks", described["name"], "cluster created"))
        for entry in cluster["updates"]:
            update = entry["update"]
            entries.append(_entry(update.get("createdAt"), "update", entry["resource"],
                                  f"{update.get('type', 'update')} {update.get('status', '')}".strip()))
    # Entries were added oldest first within each source; at one instant (a frozen clock) they keep that order.
    order = {id(e): n for n, e in enumerate(entries)}
    entries = sorted((e for e in entries if e["time"] is not None), key=lambda e: (e["time"], order[id(e)]),
                     reverse=True)
    return entries[:TIMELINE]


# -- the whole -------------------------------------------------------------------------------
def scope_of(engine, account: str | None, region: str | None) -> tuple[str, str]:
    """The (account, region) asked for, else the default one if it has state or none has, else the first."""
    scopes = engine.scopes()
    default = (engine.config.default_account, identity.DEFAULT_REGION)
    chosen = (account or default[0], region or default[1])
    if account or region or default in scopes or not scopes:
        return chosen
    return scopes[0]


def state_of(engine, account: str | None = None, region: str | None = None) -> dict:
    account, region = scope_of(engine, account, region)
    reader = Reader(engine, account, region)
    ecs, eks = ecs_state(reader), eks_state(reader)
    empty = not (ecs["clusters"] or ecs["taskDefinitions"] or eks["clusters"])
    return {"clock": engine.clock.describe(), "account": account, "region": region,
            "scopes": [{"account": a, "region": r} for a, r in engine.scopes()],
            "ecs": ecs, "eks": eks, "timeline": timeline(engine, account, region, ecs, eks),
            "empty": empty, "limits": LIMITS}
