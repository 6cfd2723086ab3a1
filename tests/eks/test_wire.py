"""The EKS wire: every operation at its method and URI, error bodies, statuses, server-side validation.

Raw HTTP against the standalone server where the bytes matter; boto3 in ``mock_aws`` where
botocore's own serialization is the point (percent-encoded labels, query lists, bodies).
"""
import json

import boto3
import botocore.session
import pytest
import requests

from emulator.core import hooks
from emulator.eks import errors
from tests.eks.cluster_support import CLUSTER_ROLE, SUBNETS, create_cluster, create_nodegroup

MODEL = botocore.session.get_session().get_service_model("eks")
ARN_LIKE = "arn:aws:iam::123456789012:role/team/dev/x"    # ':' and '/' must survive the path


def _example(shape, member_name: str = ""):
    """A value botocore accepts for ``shape``: required members only, ARNs where ARNs go."""
    if shape.type_name == "structure":
        return {name: _example(shape.members[name], name) for name in shape.required_members}
    if shape.type_name == "list":
        return [_example(shape.member, member_name)]
    if shape.type_name == "map":
        return {}
    if shape.type_name in ("integer", "long"):
        return max(1, shape.metadata.get("min", 1))
    if shape.type_name == "boolean":
        return True
    if shape.type_name == "string" and shape.enum:
        return shape.enum[0]
    return ARN_LIKE if member_name.lower().endswith("arn") else "x1"


@pytest.mark.parametrize("operation", MODEL.operation_names)
def test_every_operation_is_routed_from_its_method_and_uri(eks_client, operation):
    """botocore's request for each of the 64 operations reaches that operation (whatever it then answers)."""
    routed = []

    def observe(service, name, status, body):
        routed.append((service, name))
    hooks.add_response_observer(observe)
    try:
        model = MODEL.operation_model(operation)
        params = _example(model.input_shape) if model.input_shape is not None else {}
        method = getattr(eks_client, botocore.xform_name(operation))
        try:
            method(**params)
        except eks_client.exceptions.ClientError:
            pass
    finally:
        hooks.remove_response_observer(observe)
    assert routed == [("eks", operation)]


def test_operations_that_break_the_usual_shapes(emulator_server):
    """POST describe with a body, POST list with paging in the body, body-less POST, GET/POST on one path."""
    url = emulator_server.url
    created = requests.post(f"{url}/clusters", json={"name": "c", "roleArn": CLUSTER_ROLE,
                                                     "resourcesVpcConfig": {"subnetIds": SUBNETS}})
    assert created.status_code == 200
    described = requests.post(f"{url}/clusters/c/identity-provider-configs/describe",
                              json={"identityProviderConfig": {"type": "oidc", "name": "none"}})
    assert described.status_code == 404 and described.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    insights = requests.post(f"{url}/clusters/c/insights", json={"maxResults": 1})
    assert insights.status_code == 200 and len(insights.json()["insights"]) == 1 and insights.json()["nextToken"]
    refresh = requests.post(f"{url}/clusters/c/insights-refresh")
    assert refresh.status_code == 200 and refresh.json()["status"] == "IN_PROGRESS"
    upgrade = requests.post(f"{url}/clusters/c/updates", json={"version": "1.36"})
    assert upgrade.status_code == 200 and upgrade.json()["update"]["type"] == "VersionUpdate"
    listed = requests.get(f"{url}/clusters/c/updates")
    assert listed.json()["updateIds"] == [upgrade.json()["update"]["id"]]
    registered = requests.post(f"{url}/cluster-registrations", json={
        "name": "r", "connectorConfig": {"roleArn": CLUSTER_ROLE, "provider": "GKE"}})
    assert registered.status_code == 200 and registered.json()["cluster"]["status"] == "PENDING"
    assert requests.delete(f"{url}/cluster-registrations/r").json()["cluster"]["status"] == "DELETING"


def test_arns_in_the_path_are_decoded_after_matching(emulator_server):
    """Role ARNs with paths and policy ARNs arrive fully escaped; each label is decoded once routed."""
    url = emulator_server.url
    requests.post(f"{url}/clusters", json={"name": "c", "roleArn": CLUSTER_ROLE,
                                           "resourcesVpcConfig": {"subnetIds": SUBNETS},
                                           "accessConfig": {"authenticationMode": "API",
                                                            "bootstrapClusterCreatorAdminPermissions": False}})
    principal = "arn:aws:iam::123456789012:role/team/dev/deployer"
    escaped = "arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fteam%2Fdev%2Fdeployer"
    policy = "arn%3Aaws%3Aeks%3A%3Aaws%3Acluster-access-policy%2FAmazonEKSViewPolicy"
    assert requests.post(f"{url}/clusters/c/access-entries", json={"principalArn": principal}).status_code == 200
    entry = requests.get(f"{url}/clusters/c/access-entries/{escaped}").json()["accessEntry"]
    assert entry["principalArn"] == principal
    associated = requests.post(f"{url}/clusters/c/access-entries/{escaped}/access-policies",
                               json={"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
                                     "accessScope": {"type": "cluster"}})
    assert associated.json()["principalArn"] == principal
    removed = requests.delete(f"{url}/clusters/c/access-entries/{escaped}/access-policies/{policy}")
    assert removed.status_code == 200 and removed.json() == {}
    listed = requests.get(f"{url}/clusters/c/access-entries/{escaped}/access-policies").json()
    assert listed["associatedAccessPolicies"] == []


# -- error bodies: message, every member of the shape (null when unset), x-amzn-ErrorType, status -----

def _body_of(error_class, **context) -> dict:
    body = {field: None for field in error_class.fields}
    body.update(context)
    return body


def _assert_wire_error(response, error_class, message, **context):
    assert response.status_code == error_class.status
    assert response.headers["x-amzn-ErrorType"] == error_class.__name__
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {**_body_of(error_class, **context), "message": message}


def test_resource_not_found_is_404_with_every_context_member(emulator_server):
    response = requests.get(f"{emulator_server.url}/clusters/ghost/node-groups/ng")
    _assert_wire_error(response, errors.ResourceNotFoundException, "No cluster found for name: ghost.",
                       clusterName="ghost")


def test_resource_in_use_is_409(emulator_server):
    request = {"name": "c", "roleArn": CLUSTER_ROLE, "resourcesVpcConfig": {"subnetIds": SUBNETS}}
    requests.post(f"{emulator_server.url}/clusters", json=request)
    response = requests.post(f"{emulator_server.url}/clusters", json=request)
    _assert_wire_error(response, errors.ResourceInUseException, "Cluster already exists with name: c",
                       clusterName="c")


def test_nodegroup_errors_name_the_nodegroup(emulator_server):
    url = emulator_server.url
    requests.post(f"{url}/clusters", json={"name": "c", "roleArn": CLUSTER_ROLE,
                                           "resourcesVpcConfig": {"subnetIds": SUBNETS}})
    response = requests.post(f"{url}/clusters/c/node-groups", json={
        "nodegroupName": "ng", "subnets": SUBNETS, "nodeRole": CLUSTER_ROLE,
        "scalingConfig": {"minSize": 3, "maxSize": 3, "desiredSize": 2}})
    _assert_wire_error(response, errors.InvalidParameterException, "minSize can't be greater than desiredSize",
                       clusterName="c", nodegroupName="ng")
    missing = requests.get(f"{url}/clusters/c/node-groups/ng")
    _assert_wire_error(missing, errors.ResourceNotFoundException, "No node group found for name: ng.",
                       clusterName="c", nodegroupName="ng")


def test_invalid_request_is_400(emulator_server):
    url = emulator_server.url
    emulator_server.engine.config.set_timing(**{"eks.cluster.create": 600})
    requests.post(f"{url}/clusters", json={"name": "c", "roleArn": CLUSTER_ROLE,
                                           "resourcesVpcConfig": {"subnetIds": SUBNETS}})
    response = requests.post(f"{url}/clusters/c/addons", json={"addonName": "vpc-cni"})
    _assert_wire_error(response, errors.InvalidRequestException, "Cluster 'c' is not in ACTIVE status",
                       clusterName="c")


def test_tag_operations_answer_with_their_own_error_types(emulator_server):
    url = emulator_server.url
    missing = requests.get(f"{url}/tags/arn%3Aaws%3Aeks%3Aus-east-1%3A123456789012%3Acluster%2Fghost")
    _assert_wire_error(missing, errors.NotFoundException,
                       "The resource arn:aws:eks:us-east-1:123456789012:cluster/ghost could not be found.")
    malformed = requests.get(f"{url}/tags/not-an-arn")
    _assert_wire_error(malformed, errors.BadRequestException, "not-an-arn is not a valid Amazon EKS resource ARN.")
    too_long = requests.post(f"{url}/tags/not-an-arn", json={"tags": {"k" * 129: "v"}})
    assert too_long.status_code == 400 and too_long.headers["x-amzn-ErrorType"] == "BadRequestException"


def test_error_members_reach_boto3(eks_client):
    create_cluster(eks_client)
    create_nodegroup(eks_client, name="workers")
    with pytest.raises(eks_client.exceptions.ResourceInUseException) as error:
        eks_client.delete_cluster(name="prod")
    response = error.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert response["clusterName"] == "prod" and response["nodegroupName"] == "workers"


# -- what botocore does not check client-side is checked by the server, naming the member -----------

def _ipe(response, message, **context):
    _assert_wire_error(response, errors.InvalidParameterException, message, **context)


@pytest.mark.parametrize("path", [
    "/clusters", "/clusters/c/node-groups", "/clusters/c/fargate-profiles", "/clusters/c/addons",
    "/clusters/c/updates", "/clusters/c/access-entries", "/access-policies", "/clusters/c/pod-identity-associations",
    "/clusters/c/identity-provider-configs", "/clusters/c/capabilities", "/eks-anywhere-subscriptions",
    "/addons/supported-versions", "/cluster-versions"])
def test_max_results_above_100_is_refused(emulator_server, path):
    response = requests.get(f"{emulator_server.url}{path}?maxResults=101")
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "InvalidParameterException"
    assert response.json()["message"] == "Invalid value 101 for parameter 'maxResults': must be at most 100."


def test_max_results_in_the_list_insights_body_is_bounded_too(emulator_server):
    response = requests.post(f"{emulator_server.url}/clusters/c/insights", json={"maxResults": 1000})
    _ipe(response, "Invalid value 1000 for parameter 'maxResults': must be at most 100.", clusterName="c")


def test_enum_values_are_checked(emulator_server):
    url = emulator_server.url
    requests.post(f"{url}/clusters", json={"name": "c", "roleArn": CLUSTER_ROLE,
                                           "resourcesVpcConfig": {"subnetIds": SUBNETS}})
    response = requests.post(f"{url}/clusters/c/node-groups", json={
        "nodegroupName": "ng", "subnets": SUBNETS, "nodeRole": CLUSTER_ROLE, "capacityType": "RESERVED"})
    _ipe(response, "Invalid value 'RESERVED' for parameter 'capacityType'. Valid values: ON_DEMAND, SPOT, "
                   "CAPACITY_BLOCK.", clusterName="c", nodegroupName="ng")
    nested = requests.post(f"{url}/clusters", json={"name": "d", "roleArn": CLUSTER_ROLE,
                                                    "resourcesVpcConfig": {"subnetIds": SUBNETS},
                                                    "upgradePolicy": {"supportType": "FOREVER"}})
    _ipe(nested, "Invalid value 'FOREVER' for parameter 'upgradePolicy.supportType'. Valid values: STANDARD, "
                 "EXTENDED.", clusterName="d")
    query = requests.get(f"{url}/cluster-versions?versionStatus=retired")
    _ipe(query, "Invalid value 'retired' for parameter 'versionStatus'. Valid values: UNSUPPORTED, STANDARD_SUPPORT, "
                "EXTENDED_SUPPORT.")


def test_max_lengths_are_checked_and_name_the_resource(emulator_server):
    name = "c" * 101
    response = requests.post(f"{emulator_server.url}/clusters", json={
        "name": name, "roleArn": CLUSTER_ROLE, "resourcesVpcConfig": {"subnetIds": SUBNETS}})
    _ipe(response, "Invalid length for parameter 'name': must be at most 100 characters.", clusterName=name)
    addon = requests.get(f"{emulator_server.url}/clusters/{name}/addons")
    _ipe(addon, "Invalid length for parameter 'clusterName': must be at most 100 characters.", clusterName=name)


def test_patterns_are_checked_with_the_eks_wording(emulator_server):
    response = requests.post(f"{emulator_server.url}/clusters", json={
        "name": "-dash-first", "roleArn": CLUSTER_ROLE, "resourcesVpcConfig": {"subnetIds": SUBNETS}})
    _ipe(response, 'The name parameter contains invalid characters. It should conform to the regular expression '
                   '"^[0-9A-Za-z][A-Za-z0-9-_]*"In other words, it should start with a number or letter, and can '
                   'contain numbers, letters, dashes, and underscores.', clusterName="-dash-first")
    subscription = requests.post(f"{emulator_server.url}/eks-anywhere-subscriptions", json={
        "name": "-sub", "term": {"duration": 12, "unit": "MONTHS"}})
    _ipe(subscription, "Invalid value '-sub' for parameter 'name': must match the pattern "
                       "^[0-9A-Za-z][A-Za-z0-9\\-_]*.")


def test_missing_required_member_and_wrong_type(emulator_server):
    url = emulator_server.url
    _ipe(requests.post(f"{url}/clusters", json={"name": "c", "resourcesVpcConfig": {"subnetIds": SUBNETS}}),
         "Missing required parameter: 'roleArn'.", clusterName="c")
    _ipe(requests.post(f"{url}/clusters", json={"name": "c", "roleArn": CLUSTER_ROLE,
                                                "resourcesVpcConfig": {"subnetIds": "subnet-1"}}),
         "Invalid type for parameter 'resourcesVpcConfig.subnetIds': expected list, got string.", clusterName="c")
    _ipe(requests.post(f"{url}/clusters", data=b"{not json", headers={"Content-Type": "application/json"}),
         "The request body could not be parsed: expected a JSON object.")


def test_client_request_token_is_echoed_on_the_wire(emulator_server):
    response = requests.post(f"{emulator_server.url}/clusters", data=json.dumps({
        "name": "c", "roleArn": CLUSTER_ROLE, "resourcesVpcConfig": {"subnetIds": SUBNETS},
        "clientRequestToken": "from-the-wire"}))
    assert response.json()["cluster"]["clientRequestToken"] == "from-the-wire"


def test_a_boto3_client_without_a_token_gets_one_filled_in_and_echoed(eks_client):
    token = create_cluster(eks_client)["clientRequestToken"]
    assert len(token) == 36 and token.count("-") == 4
    assert boto3.client("eks", region_name="us-east-1").describe_cluster(
        name="prod")["cluster"]["clientRequestToken"] == token
