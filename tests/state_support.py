"""A rich state to snapshot, and every Describe/List answer of it, for the snapshot and persistence tests.

Built through boto3 clients of any endpoint (in-process or a server), on a frozen clock with realistic
durations: a service mid rolling deployment, tasks in every lifecycle state, EKS clusters CREATING and
ACTIVE with node groups, Fargate profiles and add-ons, a scaling target with policies, a failure rule,
and a second account and Region.
"""
from __future__ import annotations

from tests.ecs.service_support import fargate_service, web_definition
from tests.ecs.task_support import AWSVPC
from tests.eks.cluster_support import create_cluster, create_nodegroup, create_profile

START = 1_800_000_000
OTHER_ACCOUNT = "111122223333"
DURATIONS = {"ecs.task.provisioning": 10, "ecs.task.pending": 20, "ecs.task.deactivating": 30, "ecs.task.stopping": 10,
             "ecs.task.deprovisioning": 15, "ecs.service.task_healthy": 40, "eks.cluster.create": 600,
             "eks.nodegroup.create": 180, "eks.addon.create": 60, "eks.fargate.create": 120}
TARGET = {"ServiceNamespace": "ecs", "ResourceId": "service/c/web", "ScalableDimension": "ecs:service:DesiredCount"}


def build(clients, advance, fail_tasks) -> None:
    """``clients(service, region=..., account=...)`` makes a boto3 client; ``advance(seconds)`` moves the
    frozen clock; ``fail_tasks(**rule)`` declares a failure rule (in-process or over HTTP)."""
    ecs, eks, aas = clients("ecs"), clients("eks"), clients("application-autoscaling")
    ecs.create_cluster(clusterName="c")
    web_definition(ecs, image="nginx:1")
    web_definition(ecs, image="nginx:2")
    web_definition(ecs, family="batch", image="busybox:1")
    web_definition(ecs, family="broken", image="broken:1")
    fail_tasks(image="broken:1", reason="Essential container in task exited", exitCode=3, after=5)
    fargate_service(ecs, task_definition="web:1", desired=3)
    create_cluster(eks, "prod")
    advance(120)
    ecs.run_task(cluster="c", taskDefinition="batch", launchType="FARGATE", networkConfiguration=AWSVPC)
    stopping = ecs.run_task(cluster="c", taskDefinition="batch", launchType="FARGATE",
                            networkConfiguration=AWSVPC)["tasks"][0]["taskArn"]
    ecs.run_task(cluster="c", taskDefinition="broken", launchType="FARGATE", networkConfiguration=AWSVPC)
    aas.register_scalable_target(**TARGET, MinCapacity=1, MaxCapacity=6)
    aas.put_scaling_policy(PolicyName="cpu50", **TARGET, PolicyType="TargetTrackingScaling",
                           TargetTrackingScalingPolicyConfiguration={"TargetValue": 50.0, "PredefinedMetricSpecification": {
                               "PredefinedMetricType": "ECSServiceAverageCPUUtilization"}})
    advance(600)                       # prod ACTIVE; the batch tasks RUNNING, the broken one STOPPED
    ecs.stop_task(cluster="c", task=stopping, reason="done")
    ecs.update_service(cluster="c", service="web", taskDefinition="web:2")
    create_nodegroup(eks, "prod", "ng")
    create_profile(eks, "prod", "fp")
    eks.create_addon(clusterName="prod", addonName="vpc-cni")
    create_cluster(eks, "staging")
    advance(12)                        # mid deployment: new tasks PENDING, the stopped one DEACTIVATING
    ecs.run_task(cluster="c", taskDefinition="batch", launchType="FARGATE", networkConfiguration=AWSVPC)
    clients("ecs", region="eu-west-1").create_cluster(clusterName="eu")
    other = clients("ecs", account=OTHER_ACCOUNT)
    other.create_cluster(clusterName="theirs")
    web_definition(other)
    fargate_service(other, cluster="theirs", desired=1)


def answers(clients) -> dict:
    """Every Describe/List answer of the state :func:`build` made, without response metadata."""
    seen: dict = {}

    def call(client, operation, **params):
        response = getattr(client, operation)(**params)
        response.pop("ResponseMetadata", None)
        seen[f"{client.meta.service_model.service_name}.{operation}({sorted(params.items())})"] = response
        return response

    for ecs in (clients("ecs"), clients("ecs", region="eu-west-1"), clients("ecs", account=OTHER_ACCOUNT)):
        clusters = call(ecs, "list_clusters")["clusterArns"]
        call(ecs, "describe_clusters", clusters=clusters, include=["STATISTICS", "SETTINGS", "TAGS"])
        call(ecs, "list_task_definition_families")
        for arn in call(ecs, "list_task_definitions")["taskDefinitionArns"]:
            call(ecs, "describe_task_definition", taskDefinition=arn)
        for cluster in clusters:
            services = call(ecs, "list_services", cluster=cluster)["serviceArns"]
            if services:
                call(ecs, "describe_services", cluster=cluster, services=services)
                for service in services:
                    for deployment in call(ecs, "list_service_deployments", cluster=cluster,
                                           service=service)["serviceDeployments"]:
                        call(ecs, "describe_service_deployments",
                             serviceDeploymentArns=[deployment["serviceDeploymentArn"]])
            for status in ("RUNNING", "STOPPED"):
                tasks = call(ecs, "list_tasks", cluster=cluster, desiredStatus=status)["taskArns"]
                if tasks:
                    call(ecs, "describe_tasks", cluster=cluster, tasks=tasks)
    eks = clients("eks")
    for name in call(eks, "list_clusters")["clusters"]:
        call(eks, "describe_cluster", name=name)
        call(eks, "list_updates", name=name)
        for nodegroup in call(eks, "list_nodegroups", clusterName=name)["nodegroups"]:
            call(eks, "describe_nodegroup", clusterName=name, nodegroupName=nodegroup)
        for profile in call(eks, "list_fargate_profiles", clusterName=name)["fargateProfileNames"]:
            call(eks, "describe_fargate_profile", clusterName=name, fargateProfileName=profile)
        for addon in call(eks, "list_addons", clusterName=name)["addons"]:
            call(eks, "describe_addon", clusterName=name, addonName=addon)
    aas = clients("application-autoscaling")
    call(aas, "describe_scalable_targets", ServiceNamespace="ecs")
    call(aas, "describe_scaling_policies", ServiceNamespace="ecs")
    call(aas, "describe_scaling_activities", ServiceNamespace="ecs")
    return seen


def lifecycle(clients) -> dict:
    """What the lifecycles under way decide, whatever ids new tasks get: statuses and counts."""
    ecs, eks = clients("ecs"), clients("eks")
    service = ecs.describe_services(cluster="c", services=["web"])["services"][0]
    tasks = []
    for status in ("RUNNING", "STOPPED"):
        arns = ecs.list_tasks(cluster="c", desiredStatus=status)["taskArns"]
        tasks += ecs.describe_tasks(cluster="c", tasks=arns)["tasks"] if arns else []
    return {
        "service": (service["status"], service["desiredCount"], service["runningCount"], service["pendingCount"],
                    [(d["status"], d["taskDefinition"], d["rolloutState"], d["runningCount"], d["pendingCount"])
                     for d in service["deployments"]]),
        "tasks": sorted((t["taskDefinitionArn"], t["lastStatus"], t["desiredStatus"], t.get("stopCode", ""))
                        for t in tasks),
        "clusters": {name: eks.describe_cluster(name=name)["cluster"]["status"] for name in ("prod", "staging")},
        "nodegroup": eks.describe_nodegroup(clusterName="prod", nodegroupName="ng")["nodegroup"]["status"],
        "profile": eks.describe_fargate_profile(clusterName="prod", fargateProfileName="fp")["fargateProfile"]["status"],
        "addon": eks.describe_addon(clusterName="prod", addonName="vpc-cni")["addon"]["status"],
    }


def task_statuses(clients) -> set[str]:
    ecs = clients("ecs")
    statuses = set()
    for status in ("RUNNING", "STOPPED"):
        arns = ecs.list_tasks(cluster="c", desiredStatus=status)["taskArns"]
        statuses |= {t["lastStatus"] for t in ecs.describe_tasks(cluster="c", tasks=arns)["tasks"]} if arns else set()
    return statuses
