"""EKS access entries and access policies through boto3."""
import re

import pytest

from emulator.eks import access
from emulator.eks.common import CLUSTER_NOT_ACTIVE
from tests.eks.cluster_support import ACCOUNT, assert_error, create_cluster, error_of

IPE = "InvalidParameterException"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/devs/developer"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
NODE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/nodes"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
VIEW = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
EDIT = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"
NOT_FOUND = ("The specified principalArn could not be found. You can view your available access entries with "
             "'list-access-entries'.")


@pytest.fixture
def cluster(eks_client):
    return create_cluster(eks_client, accessConfig={"authenticationMode": "API_AND_CONFIG_MAP",
                                                    "bootstrapClusterCreatorAdminPermissions": False})


def create(client, principal=ROLE, **request):
    return client.create_access_entry(clusterName="prod", principalArn=principal, **request)["accessEntry"]


def associate(client, principal=ROLE, policy=VIEW, scope=None):
    return client.associate_access_policy(clusterName="prod", principalArn=principal, policyArn=policy,
                                          accessScope=scope or {"type": "cluster"})


def invalid(response, message):
    assert_error(response, IPE, message, 400, clusterName="prod")


# -- the authentication-mode gate ------------------------------------------------------------------

def test_config_map_clusters_refuse_every_access_operation(eks_client):
    create_cluster(eks_client)       # CONFIG_MAP is the default of the API
    calls = [
        (eks_client.create_access_entry, {"principalArn": ROLE}),
        (eks_client.describe_access_entry, {"principalArn": ROLE}),
        (eks_client.list_access_entries, {}),
        (eks_client.update_access_entry, {"principalArn": ROLE}),
        (eks_client.delete_access_entry, {"principalArn": ROLE}),
        (eks_client.associate_access_policy, {"principalArn": ROLE, "policyArn": VIEW,
                                              "accessScope": {"type": "cluster"}}),
        (eks_client.disassociate_access_policy, {"principalArn": ROLE, "policyArn": VIEW}),
        (eks_client.list_associated_access_policies, {"principalArn": ROLE}),
    ]
    for call, request in calls:
        assert_error(error_of(call, clusterName="prod", **request), "InvalidRequestException",
                     "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform "
                     "this operation.", 400, clusterName="prod")


def test_access_policies_are_listed_whatever_the_clusters(eks_client):
    create_cluster(eks_client)
    policies = eks_client.list_access_policies()["accessPolicies"]
    assert {"name": "AmazonEKSClusterAdminPolicy", "arn": ADMIN} in policies
    assert [p["name"] for p in policies] == sorted(p["name"] for p in policies) and len(policies) == 19
    assert all(p["arn"] == f"arn:aws:eks::aws:cluster-access-policy/{p['name']}" for p in policies)


def test_list_access_policies_pages(eks_client):
    pages = list(eks_client.get_paginator("list_access_policies").paginate(PaginationConfig={"PageSize": 5}))
    names = [p["name"] for page in pages for p in page["accessPolicies"]]
    assert len(pages) == 4 and len(names) == len(set(names)) == 19


# -- the cluster creator -----------------------------------------------------------------------------

def test_creator_gets_a_cluster_admin_entry_with_api_modes(eks_client):
    create_cluster(eks_client, accessConfig={"authenticationMode": "API"})
    assert eks_client.list_access_entries(clusterName="prod")["accessEntries"] == [ROOT]
    (policy,) = eks_client.list_associated_access_policies(clusterName="prod", principalArn=ROOT)[
        "associatedAccessPolicies"]
    assert policy["policyArn"] == ADMIN and policy["accessScope"] == {"type": "cluster", "namespaces": []}
    entry = eks_client.describe_access_entry(clusterName="prod", principalArn=ROOT)["accessEntry"]
    assert entry["type"] == "STANDARD" and entry["username"] == ROOT


def test_no_creator_entry_without_bootstrap(eks_client, cluster):
    assert eks_client.list_access_entries(clusterName="prod")["accessEntries"] == []


# -- CreateAccessEntry -------------------------------------------------------------------------------

def test_role_entry_defaults(eks_client, cluster):
    entry = create(eks_client, tags={"team": "dev"})
    assert entry["principalArn"] == ROLE and entry["clusterName"] == "prod" and entry["type"] == "STANDARD"
    assert entry["username"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/developer/{{{{SessionName}}}}"
    assert entry["kubernetesGroups"] == [] and entry["tags"] == {"team": "dev"}
    assert re.fullmatch(rf"arn:aws:eks:us-east-1:{ACCOUNT}:access-entry/prod/role/{ACCOUNT}/developer/[0-9a-f-]{{36}}",
                        entry["accessEntryArn"])
    assert entry["createdAt"] == entry["modifiedAt"]


def test_user_entry_defaults(eks_client, cluster):
    entry = create(eks_client, USER)
    assert entry["username"] == USER
    assert re.fullmatch(rf"arn:aws:eks:us-east-1:{ACCOUNT}:access-entry/prod/user/{ACCOUNT}/alice/[0-9a-f-]{{36}}",
                        entry["accessEntryArn"])


@pytest.mark.parametrize("entry_type, username, groups", [
    ("EC2_LINUX", "system:node:{{EC2PrivateDNSName}}", ["system:nodes"]),
    ("EC2_WINDOWS", "system:node:{{EC2PrivateDNSName}}", ["system:nodes"]),
    ("FARGATE_LINUX", "system:node:{{SessionName}}", ["system:nodes"]),
    ("HYBRID_LINUX", "system:node:{{SessionName}}", ["system:nodes"]),
    ("EC2", "system:node:{{EC2PrivateDNSName}}", []),
])
def test_node_entry_defaults(eks_client, cluster, entry_type, username, groups):
    entry = create(eks_client, NODE_ROLE, type=entry_type)
    assert entry["type"] == entry_type and entry["username"] == username and entry["kubernetesGroups"] == groups


def test_explicit_username_and_groups(eks_client, cluster):
    entry = create(eks_client, kubernetesGroups=["developers"], username="dev:{{SessionName}}")
    assert entry["kubernetesGroups"] == ["developers"] and entry["username"] == "dev:{{SessionName}}"


def test_principal_must_be_an_iam_role_or_user(eks_client, cluster):
    for principal in (f"arn:aws:sts::{ACCOUNT}:assumed-role/developer/session", f"arn:aws:iam::{ACCOUNT}:group/g",
                      f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS",
                      "developer"):
        invalid(error_of(create, eks_client, principal), "The specified principalArn is invalid: invalid principal.")


def test_unknown_type(eks_client, cluster):
    invalid(error_of(create, eks_client, type="LAMBDA"), access.INVALID_TYPE.format(type="LAMBDA"))


def test_node_types_need_a_role_of_the_clusters_account(eks_client, cluster):
    invalid(error_of(create, eks_client, USER, type="EC2_LINUX"), access.NODE_TYPE_NEEDS_ROLE.format(type="EC2_LINUX"))
    invalid(error_of(create, eks_client, "arn:aws:iam::210987654321:role/nodes", type="FARGATE_LINUX"),
            access.NODE_TYPE_NEEDS_ROLE.format(type="FARGATE_LINUX"))


def test_node_types_take_no_groups_or_username(eks_client, cluster):
    standard_only = 'This operation can only be performed on Access Entries with a type of "STANDARD".'
    invalid(error_of(create, eks_client, NODE_ROLE, type="EC2_LINUX", kubernetesGroups=["ops"]), standard_only)
    invalid(error_of(create, eks_client, NODE_ROLE, type="EC2_LINUX", username="node"), standard_only)


def test_groups_may_not_start_with_system(eks_client, cluster):
    invalid(error_of(create, eks_client, kubernetesGroups=["system:masters"]),
            "The kubernetes group name system:masters is invalid, it cannot start with system:")


@pytest.mark.parametrize("prefix", ["system:", "eks:", "aws:", "amazon:", "iam:"])
def test_username_reserved_prefixes(eks_client, cluster, prefix):
    invalid(error_of(create, eks_client, username=f"{prefix}admin"), f"The username must not begin with {prefix}")


def test_session_name_needs_a_colon_before_it(eks_client, cluster):
    invalid(error_of(create, eks_client, username="dev-{{SessionName}}"),
            access.SESSION_NAME_NEEDS_COLON.format(placeholder="{{SessionName}}"))


def test_duplicate_entry(eks_client, cluster):
    create(eks_client)
    assert_error(error_of(create, eks_client), "ResourceInUseException",
                 "The specified access entry resource is already in use on this cluster.", 409, clusterName="prod")


def test_create_needs_an_active_cluster(eks_client, ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    ecs_eks_mock.config.set_timing(**{"eks.cluster.create": 600})
    create_cluster(eks_client, accessConfig={"authenticationMode": "API"})
    assert_error(error_of(create, eks_client), "InvalidRequestException", CLUSTER_NOT_ACTIVE.format(name="prod"),
                 400, clusterName="prod")


def test_missing_cluster(eks_client):
    assert_error(error_of(create, eks_client), "ResourceNotFoundException", "No cluster found for name: prod.", 404,
                 clusterName="prod")


# -- Describe / List / Update / Delete ------------------------------------------------------------

def test_missing_entry(eks_client, cluster):
    calls = [(eks_client.describe_access_entry, {}), (eks_client.update_access_entry, {}),
             (eks_client.delete_access_entry, {}), (eks_client.list_associated_access_policies, {}),
             (eks_client.associate_access_policy, {"policyArn": VIEW, "accessScope": {"type": "cluster"}}),
             (eks_client.disassociate_access_policy, {"policyArn": VIEW})]
    for call, request in calls:
        assert_error(error_of(call, clusterName="prod", principalArn=ROLE, **request), "ResourceNotFoundException",
                     NOT_FOUND, 404, clusterName="prod")


def test_describe_returns_the_entry(eks_client, cluster):
    entry = create(eks_client)
    assert eks_client.describe_access_entry(clusterName="prod", principalArn=ROLE)["accessEntry"] == entry


def test_list_pages_through_every_entry_once(eks_client, cluster):
    principals = [f"arn:aws:iam::{ACCOUNT}:role/r{i}" for i in range(7)]
    for principal in principals:
        create(eks_client, principal)
    pages = list(eks_client.get_paginator("list_access_entries").paginate(clusterName="prod",
                                                                            PaginationConfig={"PageSize": 3}))
    assert [p for page in pages for p in page["accessEntries"]] == sorted(principals) and len(pages) == 3


def test_list_filters_by_associated_policy(eks_client, cluster):
    create(eks_client)
    create(eks_client, USER)
    associate(eks_client, USER, EDIT)
    assert eks_client.list_access_entries(clusterName="prod", associatedPolicyArn=EDIT)["accessEntries"] == [USER]
    assert eks_client.list_access_entries(clusterName="prod", associatedPolicyArn=VIEW)["accessEntries"] == []


def test_list_page_size_bounds(eks_client, cluster):
    response = error_of(eks_client.list_access_entries, clusterName="prod", maxResults=101)
    assert response["Error"]["Code"] == IPE and response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_update_replaces_groups_and_username(eks_client, cluster, ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    create(eks_client, kubernetesGroups=["a"])
    ecs_eks_mock.clock.advance(3)
    entry = eks_client.update_access_entry(clusterName="prod", principalArn=ROLE, kubernetesGroups=["b", "c"],
                                           username="dev:{{SessionName}}")["accessEntry"]
    assert entry["kubernetesGroups"] == ["b", "c"] and entry["username"] == "dev:{{SessionName}}"
    assert (entry["modifiedAt"] - entry["createdAt"]).total_seconds() == 3


def test_update_rules_for_node_entries(eks_client, cluster):
    """A reserved username is reported before the type restriction, as AWS answers Terraform's re-apply."""
    create(eks_client, NODE_ROLE, type="EC2_LINUX")
    invalid(error_of(eks_client.update_access_entry, clusterName="prod", principalArn=NODE_ROLE,
                     username="system:node:{{EC2PrivateDNSName}}"), "The username must not begin with system:")
    invalid(error_of(eks_client.update_access_entry, clusterName="prod", principalArn=NODE_ROLE,
                     kubernetesGroups=[]), 'This operation can only be performed on Access Entries with a type of '
                                           '"STANDARD".')


def test_delete_drops_the_entry_and_its_policies(eks_client, cluster):
    create(eks_client)
    associate(eks_client)
    assert eks_client.delete_access_entry(clusterName="prod", principalArn=ROLE)["ResponseMetadata"][
        "HTTPStatusCode"] == 200
    assert eks_client.list_access_entries(clusterName="prod")["accessEntries"] == []
    create(eks_client)
    assert eks_client.list_associated_access_policies(clusterName="prod", principalArn=ROLE)[
        "associatedAccessPolicies"] == []


def test_tags_reach_the_entry_through_its_arn(eks_client, cluster):
    arn = create(eks_client, tags={"a": "1"})["accessEntryArn"]
    eks_client.tag_resource(resourceArn=arn, tags={"b": "2"})
    assert eks_client.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "1", "b": "2"}


# -- access policies -----------------------------------------------------------------------------

def test_associate_with_cluster_scope(eks_client, cluster, ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    create(eks_client)
    answer = associate(eks_client)
    assert answer["clusterName"] == "prod" and answer["principalArn"] == ROLE
    policy = answer["associatedAccessPolicy"]
    assert policy["policyArn"] == VIEW and policy["accessScope"] == {"type": "cluster", "namespaces": []}
    assert policy["associatedAt"] == policy["modifiedAt"]


def test_associate_with_namespace_scope(eks_client, cluster):
    create(eks_client)
    scope = {"type": "namespace", "namespaces": ["dev", "team-*"]}
    assert associate(eks_client, scope=scope)["associatedAccessPolicy"]["accessScope"] == scope


def test_reassociating_replaces_the_scope(eks_client, cluster, ecs_eks_mock):
    ecs_eks_mock.clock.freeze()
    create(eks_client)
    first = associate(eks_client)["associatedAccessPolicy"]
    ecs_eks_mock.clock.advance(7)
    second = associate(eks_client, scope={"type": "namespace", "namespaces": ["dev"]})["associatedAccessPolicy"]
    assert second["associatedAt"] == first["associatedAt"]
    assert (second["modifiedAt"] - first["modifiedAt"]).total_seconds() == 7
    (listed,) = eks_client.list_associated_access_policies(clusterName="prod", principalArn=ROLE)[
        "associatedAccessPolicies"]
    assert listed["accessScope"] == {"type": "namespace", "namespaces": ["dev"]}


@pytest.mark.parametrize("scope, message", [
    ({"type": "cluster", "namespaces": ["dev"]}, access.CLUSTER_SCOPE_NAMESPACES),
    ({"type": "namespace"}, access.NAMESPACE_SCOPE_EMPTY),
    ({"type": "namespace", "namespaces": []}, access.NAMESPACE_SCOPE_EMPTY),
    ({"type": "namespace", "namespaces": ["Dev_Team"]}, access.INVALID_NAMESPACE.format(namespace="Dev_Team")),
    ({"namespaces": ["dev"]}, access.SCOPE_TYPE_REQUIRED),
])
def test_access_scope_rules(eks_client, cluster, scope, message):
    create(eks_client)
    invalid(error_of(associate, eks_client, scope=scope), message)


def test_unknown_policy(eks_client, cluster):
    create(eks_client)
    arn = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEverythingPolicy"
    invalid(error_of(associate, eks_client, policy=arn), access.INVALID_POLICY.format(policy_arn=arn))


def test_policies_are_for_standard_entries(eks_client, cluster):
    create(eks_client, NODE_ROLE, type="EC2_LINUX")
    invalid(error_of(associate, eks_client, NODE_ROLE),
            'This operation can only be performed on Access Entries with a type of "STANDARD".')


def test_auto_mode_node_entries_take_only_the_auto_node_policy(eks_client, cluster):
    create(eks_client, NODE_ROLE, type="EC2")
    auto_node = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAutoNodePolicy"
    assert associate(eks_client, NODE_ROLE, auto_node)["associatedAccessPolicy"]["policyArn"] == auto_node
    invalid(error_of(associate, eks_client, NODE_ROLE, VIEW),
            access.POLICY_NOT_FOR_TYPE.format(policy_arn=VIEW, type="EC2"))


def test_disassociate(eks_client, cluster):
    create(eks_client)
    associate(eks_client)
    eks_client.disassociate_access_policy(clusterName="prod", principalArn=ROLE, policyArn=VIEW)
    assert eks_client.list_associated_access_policies(clusterName="prod", principalArn=ROLE)[
        "associatedAccessPolicies"] == []
    assert_error(error_of(eks_client.disassociate_access_policy, clusterName="prod", principalArn=ROLE,
                          policyArn=VIEW), "ResourceNotFoundException", access.POLICY_NOT_ASSOCIATED, 404,
                 clusterName="prod")


def test_associated_policies_page_through_every_policy_once(eks_client, cluster):
    create(eks_client)
    names = ["AmazonEKSViewPolicy", "AmazonEKSEditPolicy", "AmazonEKSAdminPolicy", "AmazonEKSAdminViewPolicy",
             "AmazonEKSSecretReaderPolicy"]
    for name in names:
        associate(eks_client, policy=f"arn:aws:eks::aws:cluster-access-policy/{name}")
    pages = list(eks_client.get_paginator("list_associated_access_policies").paginate(
        clusterName="prod", principalArn=ROLE, PaginationConfig={"PageSize": 2}))
    listed = [p["policyArn"].rsplit("/", 1)[1] for page in pages for p in page["associatedAccessPolicies"]]
    assert listed == sorted(names) and len(pages) == 3
    assert all(page["clusterName"] == "prod" and page["principalArn"] == ROLE for page in pages)


def test_a_node_role_gets_one_entry_however_many_node_groups_use_it(eks_client):
    """EKS adds the node role's entry once, and leaves an entry the role already has alone."""
    create_cluster(eks_client, accessConfig={"authenticationMode": "API",
                                             "bootstrapClusterCreatorAdminPermissions": False})
    create(eks_client, principal=ROLE)
    subnets = ["subnet-0a1b2c3d4e5f60718", "subnet-0f9e8d7c6b5a40312"]
    for name in ("a", "b"):
        eks_client.create_nodegroup(clusterName="prod", nodegroupName=name, nodeRole=NODE_ROLE, subnets=subnets)
    eks_client.create_nodegroup(clusterName="prod", nodegroupName="c", nodeRole=ROLE, subnets=subnets)
    assert sorted(eks_client.list_access_entries(clusterName="prod")["accessEntries"]) == [ROLE, NODE_ROLE]
    assert eks_client.describe_access_entry(clusterName="prod", principalArn=NODE_ROLE)["accessEntry"]["type"] == \
        "EC2_LINUX"
    assert eks_client.describe_access_entry(clusterName="prod", principalArn=ROLE)["accessEntry"]["type"] == \
        "STANDARD"


def test_nodegroup_and_fargate_profile_roles_get_their_access_entries_in_api_clusters(eks_client):
    """EKS creates the EC2_LINUX / FARGATE_LINUX entries for node and pod roles in API* clusters."""
    subnets = ["subnet-0a1b2c3d4e5f60718", "subnet-0f9e8d7c6b5a40312"]
    eks_client.create_cluster(name="api", roleArn="arn:aws:iam::123456789012:role/eks",
                              resourcesVpcConfig={"subnetIds": subnets},
                              accessConfig={"authenticationMode": "API"})
    node_role, pod_role = "arn:aws:iam::123456789012:role/nodes", "arn:aws:iam::123456789012:role/pods"
    eks_client.create_nodegroup(clusterName="api", nodegroupName="ng", nodeRole=node_role, subnets=subnets)
    eks_client.create_fargate_profile(clusterName="api", fargateProfileName="fp", podExecutionRoleArn=pod_role,
                                      selectors=[{"namespace": "jobs"}])
    node = eks_client.describe_access_entry(clusterName="api", principalArn=node_role)["accessEntry"]
    assert node["type"] == "EC2_LINUX" and node["kubernetesGroups"] == ["system:nodes"]
    pods = eks_client.describe_access_entry(clusterName="api", principalArn=pod_role)["accessEntry"]
    assert pods["type"] == "FARGATE_LINUX"

