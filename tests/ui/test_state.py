"""GET /_emulator/ui/state: what the dashboard polls, read over HTTP from a real server."""
import pytest
import requests

from emulator.ui import snapshot
from tests.ecs.service_support import AWSVPC, web_definition
from tests.ecs.task_support import register_instance
from tests.eks.cluster_support import create_cluster, create_nodegroup, create_profile
from tests.ui.support import ACCOUNT, SCRIPT, clients, estate

ECS_TARGET = "AmazonEC2ContainerServiceV20141113."


def state(server, **query) -> dict:
    response = requests.get(server.url + "/_emulator/ui/state", params=query)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    return response.json()


def ecs_wire(server, operation: str, body: dict) -> dict:
    """The JSON an ECS operation answers on the wire (default account, us-east-1)."""
    response = requests.post(server.url, json=body, headers={
        "X-Amz-Target": ECS_TARGET + operation, "Content-Type": "application/x-amz-json-1.1"})
    assert response.status_code == 200
    return response.json()


def test_an_empty_emulator_is_empty_and_reading_it_creates_no_state(emulator_server):
    emulator_server.clock.freeze()
    answer = state(emulator_server)
    assert answer["empty"] is True and answer["scopes"] == []
    assert (answer["account"], answer["region"]) == (ACCOUNT, "us-east-1")
    assert answer["ecs"]["clusters"] == [] and answer["eks"]["clusters"] == [] and answer["timeline"] == []
    assert answer["clock"] == requests.get(emulator_server.url + "/_emulator/clock").json()
    state(emulator_server, account="111111111111", region="eu-west-1")
    assert emulator_server.engine.scopes() == []


def test_resources_carry_exactly_what_describe_answers(emulator_server):
    estate(emulator_server)
    answer = state(emulator_server)
    assert answer["empty"] is False and answer["scopes"] == [{"account": ACCOUNT, "region": "us-east-1"}]
    [cluster] = answer["ecs"]["clusters"]
    assert cluster["cluster"] == ecs_wire(emulator_server, "DescribeClusters", {"clusters": ["prod"], "include": [
        "ATTACHMENTS", "CONFIGURATIONS", "SETTINGS", "STATISTICS", "TAGS"]})["clusters"][0]
    [web] = cluster["services"]
    assert web["service"] == ecs_wire(emulator_server, "DescribeServices", {
        "cluster": "prod", "services": ["web"], "include": ["TAGS"]})["services"][0]
    arns = [task["taskArn"] for task in cluster["tasks"]]
    described = ecs_wire(emulator_server, "DescribeTasks", {"cluster": "prod", "tasks": arns, "include": ["TAGS"]})
    assert cluster["tasks"] == sorted(described["tasks"], key=lambda t: t["createdAt"], reverse=True)
    assert [t["lastStatus"] for t in cluster["tasks"]] == ["PROVISIONING"] * 3
    assert sorted(t["group"] for t in cluster["tasks"]) == ["family:web", "service:web", "service:web"]
    [definition] = answer["ecs"]["taskDefinitions"]
    assert definition["taskDefinition"]["family"] == "web" and definition["taskDefinition"]["revision"] == 1
    [dev] = answer["eks"]["clusters"]
    assert dev["cluster"]["status"] == "CREATING" and dev["cluster"]["tags"] == {"owner": SCRIPT}
    assert dev["nodegroups"] == dev["addons"] == dev["fargateProfiles"] == dev["updates"] == []


def test_container_instances_and_the_tasks_placed_on_them(emulator_server):
    emulator_server.clock.freeze(1_800_000_000)
    ecs, _ = clients(emulator_server)
    ecs.create_cluster(clusterName="ec2")
    instance = register_instance(ecs, "ec2")
    ecs.register_task_definition(family="worker", containerDefinitions=[
        {"name": "worker", "image": "busybox", "memory": 128}])
    [task] = ecs.run_task(cluster="ec2", taskDefinition="worker", launchType="EC2")["tasks"]
    [cluster] = state(emulator_server)["ecs"]["clusters"]
    assert cluster["containerInstances"] == ecs_wire(emulator_server, "DescribeContainerInstances", {
        "cluster": "ec2", "containerInstances": [instance["containerInstanceArn"]], "include": ["TAGS"]})[
        "containerInstances"]
    assert cluster["containerInstances"][0]["runningTasksCount"] == 1
    assert [(t["taskArn"], t["containerInstanceArn"], t["launchType"]) for t in cluster["tasks"]] == [
        (task["taskArn"], instance["containerInstanceArn"], "EC2")]


def test_states_move_with_the_clock(emulator_server):
    ecs, eks = estate(emulator_server)
    emulator_server.clock.advance(900)
    create_nodegroup(eks, "dev", "workers")
    answer = state(emulator_server)
    [cluster] = answer["ecs"]["clusters"]
    assert [t["lastStatus"] for t in cluster["tasks"]] == ["RUNNING"] * 3
    service = cluster["services"][0]["service"]
    assert (service["desiredCount"], service["runningCount"], service["pendingCount"]) == (2, 2, 0)
    assert service["deployments"][0]["rolloutState"] == "COMPLETED"
    [deployment] = cluster["services"][0]["serviceDeployments"]
    assert deployment["status"] == "SUCCESSFUL" and deployment["serviceDeploymentArn"] == service[
        "currentServiceDeployment"]
    [dev] = answer["eks"]["clusters"]
    assert dev["cluster"]["status"] == "ACTIVE" and dev["cluster"]["endpoint"].startswith("https://")
    assert [(n["nodegroupName"], n["status"]) for n in dev["nodegroups"]] == [("workers", "CREATING")]


def test_eks_profiles_add_ons_and_the_updates_of_clusters_nodegroups_and_add_ons_newest_first(emulator_server):
    emulator_server.clock.freeze(1_800_000_000)
    _, eks = clients(emulator_server)
    create_cluster(eks, "dev")
    create_nodegroup(eks, "dev", "workers")
    eks.create_addon(clusterName="dev", addonName="vpc-cni")
    create_profile(eks, "dev", "pods")
    emulator_server.engine.config.set_timing("realistic")
    emulator_server.clock.advance(10)
    nodegroup_update = eks.update_nodegroup_config(clusterName="dev", nodegroupName="workers",
                                                   labels={"addOrUpdateLabels": {"tier": "web"}})["update"]
    emulator_server.clock.advance(5)
    addon_update = eks.update_addon(clusterName="dev", addonName="vpc-cni",
                                    serviceAccountRoleArn=f"arn:aws:iam::{ACCOUNT}:role/cni")["update"]
    emulator_server.clock.advance(5)
    cluster_update = eks.update_cluster_config(name="dev", logging={"clusterLogging": [
        {"types": ["api"], "enabled": True}]})["update"]
    [dev] = state(emulator_server)["eks"]["clusters"]
    assert [(u["update"]["id"], u["resource"], u["update"]["status"]) for u in dev["updates"]] == [
        (cluster_update["id"], "dev", "InProgress"), (addon_update["id"], "vpc-cni", "InProgress"),
        (nodegroup_update["id"], "workers", "InProgress")]
    assert [a["addonName"] for a in dev["addons"]] == ["vpc-cni"]
    assert [(p["fargateProfileName"], p["status"]) for p in dev["fargateProfiles"]] == [("pods", "ACTIVE")]
    timeline = state(emulator_server)["timeline"]
    assert {"time": 1_800_000_010, "kind": "update", "resource": "workers",
            "text": "ConfigUpdate InProgress"} in timeline


def test_the_dashboards_reads_are_not_in_the_request_log(emulator_server):
    ecs, _ = estate(emulator_server)
    logged = requests.get(emulator_server.url + "/_emulator/requests").json()["requests"]
    for _ in range(3):
        state(emulator_server)
    assert requests.get(emulator_server.url + "/_emulator/requests").json()["requests"] == logged
    requests_in_timeline = [e["text"] for e in state(emulator_server)["timeline"] if e["kind"] == "request"]
    assert requests_in_timeline == [f"{r['operation']} → 200" for r in reversed(logged)]


def test_the_dashboards_reads_leave_fault_rules_to_the_users_code(emulator_server):
    ecs, _ = estate(emulator_server)
    rule = requests.post(emulator_server.url + "/_emulator/faults", json={
        "service": "ecs", "operation": "DescribeServices", "error": "ClusterNotFoundException", "count": 1})
    assert rule.status_code == 200
    assert state(emulator_server)["ecs"]["clusters"][0]["services"][0]["service"]["serviceName"] == "web"
    with pytest.raises(ecs.exceptions.ClusterNotFoundException):
        ecs.describe_services(cluster="prod", services=["web"])
    assert ecs.describe_services(cluster="prod", services=["web"])["services"][0]["serviceName"] == "web"


def test_the_timeline_is_newest_first_with_requests_service_events_and_task_changes(emulator_server):
    ecs, _ = estate(emulator_server)
    emulator_server.clock.advance(120)
    ecs.describe_clusters(clusters=["ghost"])                       # answered with a failure, still a 200
    ecs.stop_task(cluster="prod", task=ecs.list_tasks(cluster="prod", startedBy="nightly")["taskArns"][0],
                  reason="done for today")
    timeline = state(emulator_server)["timeline"]
    times = [e["time"] for e in timeline]
    assert times == sorted(times, reverse=True)
    kinds = {e["kind"] for e in timeline}
    assert {"request", "service", "task", "eks"} <= kinds
    texts = [e["text"] for e in timeline]
    assert texts[:4] == ["stopping: done for today", "StopTask → 200", "ListTasks → 200", "DescribeClusters → 200"]
    assert "stopping: done for today" in texts and "CreateService → 200" in texts and "RUNNING" in texts
    assert any(e["kind"] == "service" and "has started 2 tasks" in e["text"] for e in timeline)
    assert {"time": 1_800_000_000, "kind": "eks", "resource": "dev", "text": "cluster created"} in timeline


def test_an_error_answer_shows_its_type(emulator_server):
    ecs, _ = clients(emulator_server)
    with pytest.raises(ecs.exceptions.ClusterNotFoundException):
        ecs.delete_cluster(cluster="ghost")
    [entry] = state(emulator_server)["timeline"]
    assert entry["kind"] == "request" and entry["resource"] == "ecs"
    assert entry["text"] == "DeleteCluster → 400 ClusterNotFoundException"


def test_each_account_and_region_is_its_own_scope(emulator_server):
    ecs_eu, _ = clients(emulator_server, region="eu-west-1", access_key="222222222222")
    ecs_eu.create_cluster(clusterName="eu")
    default = state(emulator_server)                     # the default scope has no state: the first that has
    assert (default["account"], default["region"]) == ("222222222222", "eu-west-1")
    assert [c["cluster"]["clusterName"] for c in default["ecs"]["clusters"]] == ["eu"]
    ecs_us, _ = clients(emulator_server)
    ecs_us.create_cluster(clusterName="us")
    assert state(emulator_server)["scopes"] == [{"account": "123456789012", "region": "us-east-1"},
                                                {"account": "222222222222", "region": "eu-west-1"}]
    assert [c["cluster"]["clusterName"] for c in state(emulator_server)["ecs"]["clusters"]] == ["us"]
    chosen = state(emulator_server, account="222222222222", region="eu-west-1")
    assert [c["cluster"]["clusterName"] for c in chosen["ecs"]["clusters"]] == ["eu"]
    assert [e["text"] for e in chosen["timeline"] if e["kind"] == "request"] == ["CreateCluster → 200"]


def test_tasks_are_capped_per_cluster_those_meant_to_run_first(emulator_server, monkeypatch):
    monkeypatch.setattr(snapshot, "TASKS_PER_CLUSTER", 4)
    ecs, _ = clients(emulator_server)
    ecs.create_cluster(clusterName="batch")
    web_definition(ecs)
    stopped = ecs.run_task(cluster="batch", taskDefinition="web", launchType="FARGATE", count=3,
                           networkConfiguration=AWSVPC)["tasks"]
    for task in stopped:
        ecs.stop_task(cluster="batch", task=task["taskArn"])
    ecs.run_task(cluster="batch", taskDefinition="web", launchType="FARGATE", count=3, networkConfiguration=AWSVPC)
    [cluster] = state(emulator_server)["ecs"]["clusters"]
    assert cluster["tasksTruncated"] is True
    assert sorted(t["desiredStatus"] for t in cluster["tasks"]) == ["RUNNING"] * 3 + ["STOPPED"]
    monkeypatch.setattr(snapshot, "TASKS_PER_CLUSTER", 6)
    [cluster] = state(emulator_server)["ecs"]["clusters"]
    assert cluster["tasksTruncated"] is False and len(cluster["tasks"]) == 6


def test_the_page_and_its_files_are_served_by_the_app(emulator_server):
    page = requests.get(emulator_server.url + "/_emulator/ui")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert '<script src="/_emulator/ui/dashboard.js">' in page.text
    assert requests.get(emulator_server.url + "/_emulator/ui/").status_code == 200
    for name, kind in (("dashboard.js", "text/javascript"), ("dashboard.css", "text/css")):
        response = requests.get(f"{emulator_server.url}/_emulator/ui/{name}")
        assert response.status_code == 200 and response.headers["Content-Type"].startswith(kind)
    missing = requests.get(emulator_server.url + "/_emulator/ui/nope.js")
    assert missing.status_code == 404 and missing.json()["__type"] == "InvalidRequest"
    assert requests.get(emulator_server.url + "/_emulator/requests").json()["requests"] == []
