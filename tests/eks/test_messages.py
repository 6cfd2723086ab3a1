"""AWS's verbatim EKS error messages, as observed, against the constants the handlers raise.

The behaviour tests assert through the constants; this table pins each constant to the text
AWS answers (filled in with the values of a real example), so a typo in a constant cannot hide.
"""
import pytest

from emulator.eks import (access, addons, cluster_config, cluster_updates, clusters, common, fargate_profiles,
                          identity_providers, nodegroups, pod_identity, updates)
from emulator.eks.service import INVALID_NAME_MESSAGE

VERBATIM = [
    (common.CLUSTER_NOT_FOUND.format(name="prod"), "No cluster found for name: prod."),
    (identity_providers.CLUSTER_NOT_FOUND.format(name="prod"), "cluster prod not found"),
    (clusters.CLUSTER_EXISTS.format(name="prod"), "Cluster already exists with name: prod"),
    (INVALID_NAME_MESSAGE.format(member="clusterName"),
     'The clusterName parameter contains invalid characters. It should conform to the regular expression '
     '"^[0-9A-Za-z][A-Za-z0-9-_]*"In other words, it should start with a number or letter, and can contain '
     'numbers, letters, dashes, and underscores.'),
    (cluster_config.SUBNETS_TWO_AZS, "Subnets specified must be in at least two different AZs"),
    (clusters.UNSUPPORTED_VERSION, "unsupported Kubernetes version"),
    (cluster_updates.MINOR_VERSION_STEP.format(current="1.22", requested="1.25"),
     "Unsupported Kubernetes minor version update from 1.22 to 1.25"),
    (cluster_updates.LAGGING_NODEGROUPS.format(names="ng-1,ng-2", version="1.18"),
     "Nodegroups ng-1,ng-2 must be updated to match cluster version 1.18 before updating cluster version"),
    (cluster_updates.UPGRADE_READINESS,
     "Upgrade readiness issues detected. Call the EKS ListInsights API to view upgrade blocking issues detected by "
     "EKS. Pass the force flag to override upgrade readiness errors and proceed with upgrade."),
    (cluster_updates.ONE_KIND_ONLY, "Only one type of update can be allowed."),
    (cluster_updates.ENDPOINT_NO_CHANGE.format(private="true", public="true", cidrs="0.0.0.0/0"),
     "Cluster is already at the desired configuration with endpointPrivateAccess: true , endpointPublicAccess: "
     "true, and Public Endpoint Restrictions: [0.0.0.0/0]"),
    (cluster_updates.AUTH_MODE_CHANGE.format(old="CONFIG_MAP", new="API"),
     "Unsupported authentication mode update from CONFIG_MAP to API"),
    (updates.CLUSTER_UPDATE_IN_PROGRESS.format(update_type="EndpointAccessUpdate", cluster="prod",
                                               update_id="0585fedb-0fa2-3ad0-9916-344273c73c9a"),
     "Cannot EndpointAccessUpdate because cluster prod currently has update 0585fedb-0fa2-3ad0-9916-344273c73c9a "
     "in progress"),
    (cluster_config.BOOTSTRAP_REQUIRED_FOR_CONFIG_MAP,
     "bootstrapClusterCreatorAdminPermissions must be true if cluster authentication mode is set to CONFIG_MAP"),
    (cluster_config.AUTO_MODE_INCONSISTENT,
     "For EKS Auto Mode, please ensure that all required configs, including computeConfig, kubernetesNetworkConfig, "
     "and blockStorage are all either fully enabled or fully disabled."),
    (clusters.HAS_NODEGROUPS, "Cluster has nodegroups attached"),
    (clusters.HAS_FARGATE_PROFILES, "Cluster has Fargate Profiles in ACTIVE/CREATING state"),
    (common.CLUSTER_NOT_ACTIVE.format(name="prod"), "Cluster 'prod' is not in ACTIVE status"),
    (updates.UPDATE_NOT_FOUND.format(update_id="u-1"), "No update found for ID: u-1"),
    (nodegroups.NODEGROUP_EXISTS.format(name="ng", cluster="prod"),
     "NodeGroup already exists with name ng and cluster name prod"),
    (nodegroups.NODEGROUP_NOT_FOUND.format(name="ng"), "No node group found for name: ng."),
    (nodegroups.INVALID_NAME,
     "The nodegroup name parameter contains invalid characters. It should begin with letter or digit and can have "
     "any of the following characters: the set of Unicode letters, digits, hyphens and underscores."),
    (nodegroups.MIN_OVER_DESIRED, "minSize can't be greater than desiredSize"),
    (nodegroups.DESIRED_OVER_MAX, "desiredSize can't be greater than maxSize"),
    (nodegroups.MIN_OVER_CURRENT_DESIRED.format(min=3, desired=2),
     "Minimum capacity 3 can't be greater than desired size 2"),
    (nodegroups.MAX_UNAVAILABLE_RANGE, "max-unavailable must be within the range 1 and max size of the node group"),
    (nodegroups.DISK_SIZE_WITH_LAUNCH_TEMPLATE, "Disk size must be specified within the launch template."),
    (nodegroups.REMOTE_ACCESS_WITH_LAUNCH_TEMPLATE,
     "Remote access configuration cannot be specified with a launch template."),
    (nodegroups.VERSION_MISMATCH.format(cluster_version="1.35", nodegroup_version="1.34"),
     "Nodegroup Kubernetes version should be equal to Cluster kubernetes version 1.35 or NodeGroup kubernetes "
     "version 1.34"),
    (nodegroups.INVALID_RELEASE_VERSION.format(release="1.31.3-20250103", version="1.30"),
     "Requested release version 1.31.3-20250103 is not valid for kubernetes version 1.30."),
    (nodegroups.NOT_ACTIVE, "Nodegroup cannot be updated as it is currently not in Active State"),
    (fargate_profiles.PROFILE_EXISTS, "A Fargate Profile already exists with this name in this cluster."),
    (fargate_profiles.BUSY_CREATE.format(name="b", cluster="prod", other="a", status="CREATING"),
     "Cannot create Fargate Profile b because cluster prod currently has Fargate profile a in status CREATING"),
    (fargate_profiles.BUSY_DELETE.format(name="b", cluster="prod", other="a", status="DELETING"),
     "Cannot Delete Fargate Profile b because cluster prod currently has Fargate profile a in status DELETING"),
    (fargate_profiles.DELETE_DURING_UPDATE.format(name="fp", cluster="prod"),
     "Cannot Delete Fargate Profile fp because cluster prod currently has an update in progress"),
    (fargate_profiles.RESERVED_NAME, "The fargate profile name starts with the reserved prefix: 'eks-'."),
    (fargate_profiles.PROFILE_NOT_FOUND.format(name="fp"), "No Fargate Profile found with name: fp."),
    (fargate_profiles.NO_SELECTOR, "Fargate Profile requires at least one selector."),
    (fargate_profiles.SELECTOR_WITHOUT_NAMESPACE,
     "Fargate Profile must have at least one selector with at least one namespace value."),
    (fargate_profiles.TOO_MANY_LABELS, "Request contains Selector with more than 5 Label pairs"),
    (addons.ADDON_EXISTS, "Addon already exists."),
    (addons.ADDON_NOT_FOUND.format(addon="vpc-cni", cluster="prod"), "No addon: vpc-cni found in cluster: prod"),
    (addons.VERSION_NOT_SUPPORTED, "Addon version specified is not supported"),
    (addons.ADDON_NOT_SUPPORTED, "Addon specified is not supported"),
    (addons.SCHEMA_FAILURE.format(errors="$: null found, object expected"),
     "ConfigurationValue provided in request is not supported: Json schema validation failed with error: "
     "[$: null found, object expected]"),
    (access.AUTHENTICATION_MODE_REQUIRED,
     "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation."),
    (access.ENTRY_EXISTS, "The specified access entry resource is already in use on this cluster."),
    (access.ENTRY_NOT_FOUND,
     "The specified principalArn could not be found. You can view your available access entries with "
     "'list-access-entries'."),
    (access.STANDARD_ONLY, 'This operation can only be performed on Access Entries with a type of "STANDARD".'),
    (pod_identity.ASSOCIATION_EXISTS.format(association_id="a-8mvwvh57cu74mgcst"),
     "Association already exists: a-8mvwvh57cu74mgcst"),
    (identity_providers.SAME_AS_CLUSTER_ISSUER,
     "Incorrect Identity Provider URL configuration. The Identity Provider URL cannot be same as OpenID Connect "
     "(OIDC) issuer URL"),
]


@pytest.mark.parametrize("ours, aws", VERBATIM, ids=[aws[:40] for _, aws in VERBATIM])
def test_message_is_aws_verbatim(ours, aws):
    assert ours == aws
