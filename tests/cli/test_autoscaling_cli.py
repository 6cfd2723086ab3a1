"""The AWS CLI's application-autoscaling commands against the standalone server."""
import requests

from tests.autoscaling.support import CPU, START, TARGET, web_service
from tests.cli.support import aws, requires_aws_cli

TARGET_ARGS = ("--service-namespace", "ecs", "--resource-id", TARGET["ResourceId"],
               "--scalable-dimension", TARGET["ScalableDimension"])


@requires_aws_cli
def test_the_aws_cli_registers_a_target_puts_a_policy_and_sees_it_scale(emulator_server):
    import boto3
    ecs = boto3.client("ecs", endpoint_url=emulator_server.url, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    requests.post(emulator_server.url + "/_emulator/clock", json={"freeze": True, "at": START})
    web_service(ecs, desired=2)
    aws(emulator_server, "application-autoscaling", "register-scalable-target", *TARGET_ARGS,
        "--min-capacity", "1", "--max-capacity", "6")
    policy = aws(emulator_server, "application-autoscaling", "put-scaling-policy", *TARGET_ARGS,
                 "--policy-name", "cpu50", "--policy-type", "TargetTrackingScaling",
                 "--target-tracking-scaling-policy-configuration",
                 '{"TargetValue": 50.0, "PredefinedMetricSpecification": {"PredefinedMetricType": "%s"}}' % CPU)
    assert len(policy["Alarms"]) == 2
    requests.post(emulator_server.url + "/_emulator/metrics",
                  json={"cluster": "c", "service": "web", "metricName": CPU, "value": 100})
    requests.post(emulator_server.url + "/_emulator/clock", json={"advance": 180})
    activities = aws(emulator_server, "application-autoscaling", "describe-scaling-activities",
                     "--service-namespace", "ecs")["ScalingActivities"]
    assert [a["Description"] for a in activities] == ["Setting desired count to 4."]
    targets = aws(emulator_server, "application-autoscaling", "describe-scalable-targets",
                  "--service-namespace", "ecs")["ScalableTargets"]
    assert [(t["ResourceId"], t["MinCapacity"], t["MaxCapacity"]) for t in targets] == [("service/c/web", 1, 6)]
    failed = aws(emulator_server, "application-autoscaling", "deregister-scalable-target", "--service-namespace",
                 "ecs", "--resource-id", "service/c/other", "--scalable-dimension", "ecs:service:DesiredCount",
                 expect_success=False)
    assert failed.returncode != 0 and "ObjectNotFoundException" in failed.stderr
