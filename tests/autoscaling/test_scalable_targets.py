"""RegisterScalableTarget, DeregisterScalableTarget, DescribeScalableTargets: their rules and errors."""
import re

import pytest

from emulator.autoscaling import common, targets
from tests.autoscaling.support import RESOURCE, START, TARGET, desired, error_of, register, track_cpu, web_service

TARGET_ARN = re.compile(r"^arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/0[0-9a-f]{27}$")


def test_a_registered_target_is_described_with_its_arn_role_and_creation_time(ecs, aas):
    web_service(ecs)
    arn = register(aas, 1, 5)["ScalableTargetARN"]
    assert TARGET_ARN.match(arn)
    described, = aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    assert described == {
        **TARGET, "MinCapacity": 1, "MaxCapacity": 5, "ScalableTargetARN": arn,
        "RoleARN": "arn:aws:iam::123456789012:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
                   "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "CreationTime": described["CreationTime"],
        "SuspendedState": {"DynamicScalingInSuspended": False, "DynamicScalingOutSuspended": False,
                           "ScheduledScalingSuspended": False}}
    assert described["CreationTime"].timestamp() == START


def test_registering_again_updates_only_what_it_names_and_keeps_the_arn(ecs, aas):
    web_service(ecs)
    arn = register(aas, 1, 5)["ScalableTargetARN"]
    again = aas.register_scalable_target(**TARGET, MaxCapacity=8,
                                         SuspendedState={"DynamicScalingInSuspended": True})
    assert again["ScalableTargetARN"] == arn
    described, = aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    assert (described["MinCapacity"], described["MaxCapacity"]) == (1, 8)
    assert described["SuspendedState"]["DynamicScalingInSuspended"] is True


def test_a_new_target_needs_both_capacities(ecs, aas):
    web_service(ecs)
    assert error_of(aas.register_scalable_target, **TARGET, MinCapacity=1) == (
        "ValidationException", targets.NEW_TARGET_NEEDS_CAPACITY)


def test_min_above_max_is_refused_on_create_and_on_update(ecs, aas):
    web_service(ecs)
    assert error_of(register, aas=aas, minimum=5, maximum=2) == ("ValidationException", targets.MIN_ABOVE_MAX)
    register(aas, 1, 4)
    assert error_of(aas.register_scalable_target, **TARGET, MinCapacity=6) == (
        "ValidationException", targets.MIN_ABOVE_MAX)


def test_negative_capacity_is_refused(ecs, aas):
    web_service(ecs)
    assert error_of(register, aas=aas, minimum=-1, maximum=2) == ("ValidationException", targets.NEGATIVE_CAPACITY)


def test_an_unknown_ecs_service_is_refused(ecs, aas):
    assert error_of(register, aas=aas) == ("ValidationException", "ECS service doesn't exist: service/c/web")


def test_other_namespaces_answer_that_only_ecs_is_emulated(aas):
    code, message = error_of(aas.register_scalable_target, ServiceNamespace="dynamodb", ResourceId="table/t",
                             ScalableDimension="dynamodb:table:ReadCapacityUnits", MinCapacity=1, MaxCapacity=2)
    assert (code, message) == ("ValidationException", common.not_emulated("dynamodb"))
    assert "Only the ecs service namespace is emulated" in message
    assert error_of(aas.describe_scalable_targets, ServiceNamespace="lambda")[1] == common.not_emulated("lambda")


def test_another_dimension_of_ecs_is_refused(ecs, aas):
    assert error_of(aas.register_scalable_target, ServiceNamespace="ecs", ResourceId=RESOURCE,
                    ScalableDimension="dynamodb:table:ReadCapacityUnits", MinCapacity=1, MaxCapacity=2) == (
        "ValidationException", "Unsupported scalable dimension dynamodb:table:ReadCapacityUnits for service "
                               "namespace ecs")


@pytest.mark.parametrize("resource_id", ["web", "service/web", "cluster/c/web", "service//web", "service/c/web/x"])
def test_a_resource_id_must_be_service_cluster_name(aas, resource_id):
    assert error_of(aas.register_scalable_target, ServiceNamespace="ecs", ResourceId=resource_id,
                    ScalableDimension="ecs:service:DesiredCount", MinCapacity=1, MaxCapacity=2) == (
        "ValidationException", common.invalid_resource_id(resource_id))


def test_registering_moves_the_desired_count_into_the_range(ecs, aas, mock):
    web_service(ecs, desired=1)
    register(aas, 3, 6)
    assert desired(ecs) == 3
    aas.register_scalable_target(**TARGET, MinCapacity=0, MaxCapacity=2)
    assert desired(ecs) == 2
    causes = [(a["Description"], a["Cause"]) for a in
              aas.describe_scaling_activities(ServiceNamespace="ecs")["ScalingActivities"]]
    assert causes == [("Setting desired count to 2.", "maximum capacity was set to 2"),
                      ("Setting desired count to 3.", "minimum capacity was set to 3")]


def test_deregistering_deletes_the_policies_and_scheduled_actions(ecs, aas):
    web_service(ecs)
    register(aas)
    track_cpu(aas)
    aas.put_scheduled_action(**TARGET, ScheduledActionName="night", Schedule="cron(0 22 * * ? *)",
                             ScalableTargetAction={"MinCapacity": 0, "MaxCapacity": 1})
    aas.deregister_scalable_target(**TARGET)
    assert aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"] == []
    assert aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"] == []
    assert aas.describe_scheduled_actions(ServiceNamespace="ecs")["ScheduledActions"] == []
    register(aas)     # registering anew starts without them
    assert aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=RESOURCE)["ScalingPolicies"] == []


def test_deregistering_an_unknown_target_is_object_not_found(aas):
    assert error_of(aas.deregister_scalable_target, **TARGET) == (
        "ObjectNotFoundException", "No scalable target registered for service namespace: ecs, resource ID: "
                                   "service/c/web, scalable dimension: ecs:service:DesiredCount")


def test_a_deleted_service_leaves_its_target_registered(ecs, aas):
    web_service(ecs)
    register(aas)
    ecs.delete_service(cluster="c", service="web", force=True)
    described, = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[RESOURCE])["ScalableTargets"]
    assert described["ResourceId"] == RESOURCE
    track_cpu(aas)    # policies can still be put on it
    assert len(aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]) == 1


def test_describe_filters_by_resource_ids_and_pages_with_the_paginator(ecs, aas):
    web_service(ecs)
    for name in ("a", "b", "c"):
        web_service(ecs, name=name)
        aas.register_scalable_target(ServiceNamespace="ecs", ResourceId=f"service/c/{name}",
                                     ScalableDimension="ecs:service:DesiredCount", MinCapacity=0, MaxCapacity=3)
    only = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=["service/c/b"])["ScalableTargets"]
    assert [t["ResourceId"] for t in only] == ["service/c/b"]
    first = aas.describe_scalable_targets(ServiceNamespace="ecs", MaxResults=2)
    assert len(first["ScalableTargets"]) == 2 and first["NextToken"]
    pages = aas.get_paginator("describe_scalable_targets").paginate(ServiceNamespace="ecs",
                                                                     PaginationConfig={"PageSize": 1})
    assert [t["ResourceId"] for page in pages for t in page["ScalableTargets"]] == [
        "service/c/a", "service/c/b", "service/c/c"]


def test_a_bad_next_token_and_too_many_results_are_refused(aas):
    assert error_of(aas.describe_scalable_targets, ServiceNamespace="ecs", NextToken="nope") == (
        "InvalidNextTokenException", "Invalid NextToken")
    assert error_of(aas.describe_scalable_targets, ServiceNamespace="ecs", MaxResults=51) == (
        "ValidationException", common.too_many_results(51, 50))
