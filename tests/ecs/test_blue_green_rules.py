"""The rules of the BLUE_GREEN, LINEAR and CANARY strategies (deployment configuration, lifecycle hooks, load
balancers' advancedConfiguration) and ContinueServiceDeployment's errors. Messages marked "(own wording)" in
emulator/ecs/blue_green.py and service_deployments.py are this emulator's where AWS's text is not published."""
import pytest
from botocore.exceptions import ClientError

from tests.ecs.blue_green_support import (ALB_LISTENER, BLUE_GROUP, NLB_LISTENER, PRODUCTION_RULE, SMOKE_TEST,
                                          advanced, balancers, blue_green_service, deploy, hooks_of, lambda_hook,
                                          pause, service_deployment)
from tests.ecs.service_support import describe, code_and_message, fargate_service, setup_web

SNS_TOPIC = "arn:aws:sns:us-east-1:123456789012:deployments"


def create_error(client, configuration: dict, load_balancers=None, **params) -> tuple[str, str]:
    setup_web(client)
    with pytest.raises(ClientError) as info:
        fargate_service(client, desired=1, loadBalancers=balancers() if load_balancers is None else load_balancers,
                        deploymentConfiguration=configuration, **params)
    return code_and_message(info)


@pytest.mark.parametrize("configuration, message", [
    ({"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 1441}, "bakeTimeInMinutes must be between 0 and 1440, inclusive."),
    ({"strategy": "LINEAR", "linearConfiguration": {"stepPercent": 2.9}},
     "stepPercent must be a multiple of 0.1 from 3.0 to 100.0."),
    ({"strategy": "LINEAR", "linearConfiguration": {"stepPercent": 3.05}},
     "stepPercent must be a multiple of 0.1 from 3.0 to 100.0."),
    ({"strategy": "LINEAR", "linearConfiguration": {"stepPercent": 100.1}},
     "stepPercent must be a multiple of 0.1 from 3.0 to 100.0."),
    ({"strategy": "LINEAR", "linearConfiguration": {"stepBakeTimeInMinutes": 1441}},
     "stepBakeTimeInMinutes must be between 0 and 1440, inclusive."),
    ({"strategy": "CANARY", "canaryConfiguration": {"canaryPercent": 0.05}},
     "canaryPercent must be a multiple of 0.1 from 0.1 to 100.0."),
    ({"strategy": "CANARY", "canaryConfiguration": {"canaryPercent": 100.5}},
     "canaryPercent must be a multiple of 0.1 from 0.1 to 100.0."),
    ({"strategy": "CANARY", "canaryConfiguration": {"canaryBakeTimeInMinutes": 1441}},
     "canaryBakeTimeInMinutes must be between 0 and 1440, inclusive."),
    ({"strategy": "BLUE_GREEN", "linearConfiguration": {"stepPercent": 10.0}},
     "linearConfiguration is only valid when the deployment strategy is LINEAR."),
    ({"strategy": "LINEAR", "canaryConfiguration": {"canaryPercent": 10.0}},
     "canaryConfiguration is only valid when the deployment strategy is CANARY."),
])
def test_strategy_settings_are_checked(ecs_client, configuration, message):
    assert create_error(ecs_client, configuration) == ("InvalidParameterException", message)


@pytest.mark.parametrize("hook, message", [
    ({"targetType": "PAUSE", "lifecycleStages": []}, "lifecycleStages must contain at least one lifecycle stage."),
    ({"roleArn": "arn:aws:iam::123456789012:role/hooks", "lifecycleStages": ["PRE_SCALE_UP"]},
     "hookTargetArn is required for a lifecycle hook with the AWS_LAMBDA target type."),
    ({"targetType": "AWS_LAMBDA", "hookTargetArn": SMOKE_TEST, "lifecycleStages": ["PRE_SCALE_UP"]},
     "roleArn is required for a lifecycle hook with the AWS_LAMBDA target type."),
    (lambda_hook("PRE_SCALE_UP", arn=SNS_TOPIC), f"hookTargetArn must be the ARN of a Lambda function: {SNS_TOPIC}"),
    (pause("POST_SCALE_UP", "TEST_TRAFFIC_SHIFT"),
     "PAUSE hooks cannot be configured at TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT stages. These stages are "
     "only valid for AWS_LAMBDA hooks."),
    (pause("PRODUCTION_TRAFFIC_SHIFT"),
     "PAUSE hooks cannot be configured at TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT stages. These stages are "
     "only valid for AWS_LAMBDA hooks."),
])
def test_lifecycle_hooks_are_checked(ecs_client, hook, message):
    configuration = {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 0, "lifecycleHooks": [hook]}
    assert create_error(ecs_client, configuration) == ("InvalidParameterException", message)


def test_lifecycle_hooks_need_a_traffic_shifting_strategy(ecs_client):
    assert create_error(ecs_client, {"lifecycleHooks": [pause("PRE_SCALE_UP")]}, load_balancers=[]) == (
        "InvalidParameterException",
        "Lifecycle hooks are only supported for services using the BLUE_GREEN, LINEAR or CANARY deployment strategy.")


def test_a_traffic_shifting_strategy_needs_the_ecs_deployment_controller(ecs_client):
    assert create_error(ecs_client, {"strategy": "BLUE_GREEN"}, deploymentController={"type": "CODE_DEPLOY"}) == (
        "InvalidParameterException",
        "The BLUE_GREEN deployment strategy is only supported for services using the ECS deployment controller.")


def test_a_daemon_service_cannot_use_a_traffic_shifting_strategy(ecs_client):
    from tests.ecs.task_support import ec2_task_definition
    ecs_client.create_cluster(clusterName="c")
    ec2_task_definition(ecs_client)
    with pytest.raises(ClientError) as info:
        ecs_client.create_service(cluster="c", serviceName="web", taskDefinition="batch", launchType="EC2",
                                  schedulingStrategy="DAEMON", deploymentConfiguration={"strategy": "CANARY"})
    assert code_and_message(info) == ("InvalidParameterException",
                              "The daemon scheduling strategy does not support the CANARY deployment strategy.")


@pytest.mark.parametrize("load_balancers, message", [
    ([{"targetGroupArn": BLUE_GROUP, "containerName": "app", "containerPort": 80}],
     "Each load balancer of a service using the BLUE_GREEN deployment strategy needs an advancedConfiguration."),
    (balancers(alternateTargetGroupArn=None), "advancedConfiguration.alternateTargetGroupArn is required."),
    (balancers(productionListenerRule=None), "advancedConfiguration.productionListenerRule is required."),
    (balancers(roleArn=None), "advancedConfiguration.roleArn is required."),
    (balancers(alternateTargetGroupArn=BLUE_GROUP), "The alternate target group must be different from the target "
                                                    "group."),
    (balancers(productionListenerRule=ALB_LISTENER),
     f"productionListenerRule has an invalid ARN format. Must be RuleArn for ALB or ListenerArn for NLB. Got: "
     f"{ALB_LISTENER}"),
    (balancers(testListenerRule="listener-rule"),
     "testListenerRule has an invalid ARN format. Must be RuleArn for ALB or ListenerArn for NLB. Got: listener-rule"),
    (balancers(testListenerRule=PRODUCTION_RULE),
     f"The following rules cannot be used as both production and test listener rules: {PRODUCTION_RULE}"),
])
def test_load_balancers_of_a_blue_green_service_are_checked(ecs_client, load_balancers, message):
    configuration = {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 0}
    assert create_error(ecs_client, configuration, load_balancers=load_balancers) == (
        "InvalidParameterException", message)


@pytest.mark.parametrize("strategy", ["LINEAR", "CANARY"])
def test_linear_and_canary_need_a_load_balancer_or_service_connect(ecs_client, strategy):
    assert create_error(ecs_client, {"strategy": strategy}, load_balancers=[]) == (
        "InvalidParameterException",
        f"The {strategy} deployment strategy requires a load balancer with an advancedConfiguration or Service "
        f"Connect.")


def test_a_blue_green_service_without_load_balancer_deploys_without_traffic_routes(ecs_client):
    """The developer guide: services without a load balancer or Service Connect can use blue/green deployments,
    without managed traffic shifting."""
    setup_web(ecs_client, images=("nginx:1", "nginx:2"))
    fargate_service(ecs_client, task_definition="web:1", deploymentConfiguration={"strategy": "BLUE_GREEN"})
    assert service_deployment(ecs_client, deploy(ecs_client))["status"] == "SUCCESSFUL"


def test_linear_with_service_connect_and_an_nlb_listener_are_accepted(ecs_client):
    setup_web(ecs_client)
    fargate_service(ecs_client, name="mesh", desired=0, serviceConnectConfiguration={"enabled": True},
                    deploymentConfiguration={"strategy": "LINEAR"})
    nlb = fargate_service(ecs_client, desired=0, loadBalancers=balancers(productionListenerRule=NLB_LISTENER,
                                                                         testListenerRule=None),
                          deploymentConfiguration={"strategy": "CANARY"})
    assert nlb["loadBalancers"][0]["advancedConfiguration"] == advanced(productionListenerRule=NLB_LISTENER,
                                                                        testListenerRule=None)


def test_linear_and_canary_settings_get_their_defaults(ecs_client):
    setup_web(ecs_client)
    linear = fargate_service(ecs_client, desired=0, loadBalancers=balancers(),
                             deploymentConfiguration={"strategy": "LINEAR"})["deploymentConfiguration"]
    assert linear["linearConfiguration"] == {"stepPercent": 10.0, "stepBakeTimeInMinutes": 6}
    canary = ecs_client.update_service(cluster="c", service="web", deploymentConfiguration={
        "strategy": "CANARY", "canaryConfiguration": {"canaryPercent": 20.0}})["service"]["deploymentConfiguration"]
    assert canary["canaryConfiguration"] == {"canaryPercent": 20.0, "canaryBakeTimeInMinutes": 10}
    assert "linearConfiguration" not in canary


def test_a_service_going_back_to_rolling_leaves_its_hooks_unless_it_names_them(ecs_client):
    setup_web(ecs_client)
    fargate_service(ecs_client, desired=0, loadBalancers=balancers(), deploymentConfiguration={
        "strategy": "BLUE_GREEN", "lifecycleHooks": [pause("PRE_SCALE_UP")]})
    with pytest.raises(ClientError) as info:
        ecs_client.update_service(cluster="c", service="web", deploymentConfiguration={
            "strategy": "ROLLING", "lifecycleHooks": [pause("PRE_SCALE_UP")]})
    assert code_and_message(info) == ("InvalidParameterException", "Lifecycle hooks are only supported for services using "
                                                           "the BLUE_GREEN, LINEAR or CANARY deployment strategy.")
    rolling = ecs_client.update_service(cluster="c", service="web", deploymentConfiguration={"strategy": "ROLLING"})
    assert "lifecycleHooks" not in rolling["service"]["deploymentConfiguration"]


def test_update_service_checks_the_route_of_the_new_strategy(ecs_client):
    setup_web(ecs_client)
    fargate_service(ecs_client, desired=0)
    with pytest.raises(ClientError) as info:
        ecs_client.update_service(cluster="c", service="web", deploymentConfiguration={"strategy": "LINEAR"})
    assert code_and_message(info) == ("InvalidParameterException", "The LINEAR deployment strategy requires a load balancer "
                                                           "with an advancedConfiguration or Service Connect.")


def test_a_rolling_service_deployment_has_no_lifecycle_stage(ecs_client):
    setup_web(ecs_client)
    record = service_deployment(ecs_client, fargate_service(ecs_client, desired=1)["currentServiceDeployment"])
    assert "lifecycleStage" not in record and "lifecycleHookDetails" not in record
    assert "requestedProductionTrafficWeight" not in record["targetServiceRevision"]


# -- ContinueServiceDeployment -----------------------------------------------------------------------------

def continue_error(client, arn: str, hook_id: str, **params) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        client.continue_service_deployment(serviceDeploymentArn=arn, hookId=hook_id, **params)
    return code_and_message(info)


def test_continue_service_deployment_needs_a_paused_hook_and_its_id(ecs_eks_mock, ecs_client):
    blue_green_service(ecs_client, ecs_eks_mock, hooks=[pause("POST_SCALE_UP")])
    arn = deploy(ecs_client)
    assert continue_error(ecs_client, arn, "ecs-pause-x") == (
        "InvalidParameterException", "The service deployment has no lifecycle hook waiting for an action.")
    ecs_eks_mock.clock.advance(75)
    assert continue_error(ecs_client, arn, "ecs-pause-x") == (
        "InvalidParameterException", "The service deployment has no lifecycle hook ecs-pause-x waiting for an action.")
    hook, = hooks_of(ecs_client, arn)
    ecs_client.continue_service_deployment(serviceDeploymentArn=arn, hookId=hook["hookId"], action="ROLLBACK")
    assert continue_error(ecs_client, arn, hook["hookId"]) == (
        "InvalidParameterException",
        "The service deployment is ROLLBACK_IN_PROGRESS. Only an IN_PROGRESS service deployment can be continued.")


def test_a_first_deployment_paused_by_a_hook_has_nothing_to_roll_back_to(ecs_client):
    setup_web(ecs_client)
    arn = fargate_service(ecs_client, loadBalancers=balancers(), deploymentConfiguration={
        "strategy": "BLUE_GREEN", "lifecycleHooks": [pause("PRE_SCALE_UP")]})["currentServiceDeployment"]
    hook, = hooks_of(ecs_client, arn)
    assert continue_error(ecs_client, arn, hook["hookId"], action="ROLLBACK") == (
        "InvalidParameterException", "The service has no completed service revision to roll back to.")
    ecs_client.continue_service_deployment(serviceDeploymentArn=arn, hookId=hook["hookId"])
    assert service_deployment(ecs_client, arn)["status"] == "SUCCESSFUL"
    assert describe(ecs_client)["runningCount"] == 2
