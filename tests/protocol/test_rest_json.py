"""The restJson1 front door (EKS): routes, raw paths, query strings, error bodies."""
import json

import pytest
import requests

from emulator.eks.service import eks


@pytest.fixture
def captured(monkeypatch):
    """Replace handlers with ones that record the parameters the protocol layer produced."""
    calls = {}

    def install(operation, result):
        def handler(ctx, params):
            calls[operation] = params
            return result
        monkeypatch.setitem(eks.handlers, operation, handler)
    return calls, install


def test_percent_encoded_arn_in_path_is_decoded_after_matching(emulator_server, captured):
    calls, install = captured
    install("ListTagsForResource", {"tags": {}})
    arn = "arn:aws:eks:us-east-1:123456789012:cluster/my-c"
    encoded = "arn%3Aaws%3Aeks%3Aus-east-1%3A123456789012%3Acluster%2Fmy-c"
    response = requests.get(f"{emulator_server.url}/tags/{encoded}")
    assert response.status_code == 200
    assert calls["ListTagsForResource"] == {"resourceArn": arn}


def test_repeated_query_keys_make_a_list(emulator_server, captured):
    calls, install = captured
    install("UntagResource", {})
    response = requests.delete(f"{emulator_server.url}/tags/arn%3Aaws%3Aeks%3Aus-east-1%3A1%3Acluster%2Fc",
                               params=[("tagKeys", "a"), ("tagKeys", "b")])
    assert response.status_code == 200
    assert calls["UntagResource"]["tagKeys"] == ["a", "b"]


def test_booleans_and_integers_in_the_query_are_typed(emulator_server, captured):
    calls, install = captured
    install("DeleteAddon", {})
    install("ListClusters", {"clusters": []})
    requests.delete(f"{emulator_server.url}/clusters/c/addons/vpc-cni?preserve=true")
    assert calls["DeleteAddon"] == {"clusterName": "c", "addonName": "vpc-cni", "preserve": True}
    requests.get(f"{emulator_server.url}/clusters?maxResults=5&include=all")
    assert calls["ListClusters"] == {"maxResults": 5, "include": ["all"]}


def test_body_members_merge_with_path_members(emulator_server, captured):
    calls, install = captured
    install("ListInsights", {"insights": []})
    requests.post(f"{emulator_server.url}/clusters/c/insights", json={"maxResults": 3})
    assert calls["ListInsights"] == {"clusterName": "c", "maxResults": 3}


def test_query_integer_that_does_not_parse_is_invalid_parameter(emulator_server):
    response = requests.get(f"{emulator_server.url}/clusters?maxResults=abc")
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "InvalidParameterException"
    assert response.json()["message"] == "Invalid type for parameter 'maxResults': expected integer, got string."


def test_unknown_route_is_a_json_404(emulator_server):
    response = requests.get(f"{emulator_server.url}/no/such/route")
    assert response.status_code == 404
    assert response.headers["x-amzn-ErrorType"] == "UnknownOperationException"
    assert response.headers["Content-Type"] == "application/json"
    assert "GET /no/such/route" in response.json()["message"]


def test_wrong_method_is_a_json_405(emulator_server):
    response = requests.put(f"{emulator_server.url}/clusters")
    assert response.status_code == 405
    assert response.headers["x-amzn-ErrorType"] == "UnknownOperationException"
    assert "PUT" in response.json()["message"]


def test_malformed_json_body_is_invalid_parameter(emulator_server):
    response = requests.post(f"{emulator_server.url}/clusters", data=b"{oops",
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "InvalidParameterException"


def test_missing_required_member_is_invalid_parameter_naming_it(emulator_server):
    response = requests.post(f"{emulator_server.url}/clusters", json={"name": "c"})
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "InvalidParameterException"
    assert response.json()["message"].startswith("Missing required parameter: '")


def test_error_body_carries_every_context_member_null_when_unset(emulator_server):
    response = requests.get(f"{emulator_server.url}/clusters/ghost")
    assert response.status_code == 404
    assert response.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    body = response.json()
    assert body == {"clusterName": "ghost", "nodegroupName": None, "fargateProfileName": None,
                    "addonName": None, "subscriptionId": None, "message": "No cluster found for name: ghost."}


def test_tag_operations_use_their_own_validation_error(emulator_server, captured):
    captured[1]("TagResource", {})
    response = requests.post(f"{emulator_server.url}/tags/arn%3Aaws%3Aeks%3Aus-east-1%3A1%3Acluster%2Fc",
                             data=json.dumps({}), headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "BadRequestException"


def test_admin_paths_do_not_shadow_aws_routes(emulator_server):
    assert requests.get(f"{emulator_server.url}/clusters").json()["clusters"] == []


def test_validation_error_names_the_cluster_of_the_request(emulator_server):
    response = requests.get(f"{emulator_server.url}/clusters/prod/node-groups?maxResults=500")
    assert response.status_code == 400
    body = response.json()
    assert body["clusterName"] == "prod" and body["nodegroupName"] is None
    assert body["message"] == "Invalid value 500 for parameter 'maxResults': must be at most 100."
