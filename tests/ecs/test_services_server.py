"""Services against the standalone server: the AWS CLI from create to delete, and parallel clients."""
import threading

import boto3
from botocore.exceptions import ClientError

from tests.ecs.service_support import AWSVPC, web_definition
from tests.cli.support import aws, requires_aws_cli

def client(server):
    return boto3.client("ecs", endpoint_url=server.url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def cli(server, *args) -> dict:
    return aws(server, "ecs", *args) or {}


@requires_aws_cli
def test_the_aws_cli_creates_deploys_and_deletes_a_service(emulator_server):
    ecs = client(emulator_server)
    ecs.create_cluster(clusterName="c")
    web_definition(ecs, image="nginx:1")
    revision_2 = web_definition(ecs, image="nginx:2")
    network = "awsvpcConfiguration={subnets=[subnet-0123456789abcdef0],assignPublicIp=ENABLED}"

    created = cli(emulator_server, "create-service", "--cluster", "c", "--service-name", "web",
                  "--task-definition", "web:1", "--desired-count", "3", "--launch-type", "FARGATE",
                  "--network-configuration", network)["service"]
    assert (created["status"], created["desiredCount"]) == ("ACTIVE", 3)
    cli(emulator_server, "wait", "services-stable", "--cluster", "c", "--services", "web")
    assert len(cli(emulator_server, "list-tasks", "--cluster", "c", "--service-name", "web")["taskArns"]) == 3

    cli(emulator_server, "update-service", "--cluster", "c", "--service", "web", "--task-definition", revision_2)
    cli(emulator_server, "wait", "services-stable", "--cluster", "c", "--services", "web")
    service = ecs.describe_services(cluster="c", services=["web"])["services"][0]
    deployment, = service["deployments"]
    assert (service["taskDefinition"], deployment["taskDefinition"], deployment["rolloutState"]) == (
        revision_2, revision_2, "COMPLETED")
    tasks = ecs.list_tasks(cluster="c", serviceName="web")["taskArns"]
    described = ecs.describe_tasks(cluster="c", tasks=tasks)["tasks"]
    assert {t["taskDefinitionArn"] for t in described} == {revision_2} and len(described) == 3

    deleted = cli(emulator_server, "delete-service", "--cluster", "c", "--service", "web", "--force")["service"]
    assert deleted["status"] == "DRAINING"
    cli(emulator_server, "wait", "services-inactive", "--cluster", "c", "--services", "web")
    final = ecs.describe_services(cluster="c", services=["web"])["services"][0]
    assert (final["status"], final["runningCount"]) == ("INACTIVE", 0)


def test_parallel_clients_creating_and_updating_services_lose_and_duplicate_nothing(emulator_server):
    setup = client(emulator_server)
    setup.create_cluster(clusterName="c")
    web_definition(setup, image="nginx:1")
    web_definition(setup, image="nginx:2")
    workers, per_worker, errors = 8, 3, []
    contested: list[str] = []

    def work(worker: int) -> None:
        ecs = client(emulator_server)
        try:
            try:
                ecs.create_service(cluster="c", serviceName="contested", taskDefinition="web:1", desiredCount=1,
                                   launchType="FARGATE", networkConfiguration=AWSVPC)
                contested.append(f"worker {worker}")
            except ClientError as error:
                assert error.response["Error"]["Message"] == "Creation of service was not idempotent."
            for i in range(per_worker):
                name = f"s{worker}-{i}"
                ecs.create_service(cluster="c", serviceName=name, taskDefinition="web:1", desiredCount=2,
                                   launchType="FARGATE", networkConfiguration=AWSVPC)
                ecs.update_service(cluster="c", service=name, taskDefinition="web:2")
                ecs.update_service(cluster="c", service=name, desiredCount=3)
                ecs.describe_services(cluster="c", services=[name, "contested"])
        except Exception as error:          # reported below, with the worker that met it
            errors.append((worker, repr(error)))

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and len(contested) == 1

    names = [f"s{w}-{i}" for w in range(workers) for i in range(per_worker)]
    arns = [arn for page in setup.get_paginator("list_services").paginate(cluster="c") for arn in page["serviceArns"]]
    assert sorted(a.rsplit("/", 1)[1] for a in arns) == sorted(names + ["contested"])
    for start in range(0, len(names), 10):
        setup.get_waiter("services_stable").wait(cluster="c", services=names[start:start + 10],
                                                 WaiterConfig={"Delay": 0, "MaxAttempts": 3})
    all_tasks = [arn for page in setup.get_paginator("list_tasks").paginate(cluster="c") for arn in page["taskArns"]]
    assert len(all_tasks) == len(set(all_tasks)) == 3 * len(names) + 1
    for name in names:
        service = setup.describe_services(cluster="c", services=[name])["services"][0]
        deployment, = service["deployments"]
        assert (deployment["taskDefinition"][-5:], deployment["runningCount"], service["runningCount"]) == (
            "web:2", 3, 3)
        records = setup.list_service_deployments(cluster="c", service=name)["serviceDeployments"]
        assert len(records) == 2 and {r["status"] for r in records} <= {"SUCCESSFUL", "STOPPED"}
        tasks = setup.list_tasks(cluster="c", serviceName=name)["taskArns"]
        assert len(tasks) == 3
    cluster = setup.describe_clusters(clusters=["c"])["clusters"][0]
    assert (cluster["activeServicesCount"], cluster["runningTasksCount"]) == (len(names) + 1, len(all_tasks))
