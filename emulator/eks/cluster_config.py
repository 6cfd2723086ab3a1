"""The configuration blocks of an EKS cluster: validation and normal form, shared by create and update.

Each ``*_config`` function takes the request block (or None) and returns the
block as DescribeCluster reports it, raising InvalidParameterException with
AWS's message where AWS's wording is known.  Messages marked "(own wording)"
are not documented by AWS; they were chosen to say plainly what is wrong.
"""
from __future__ import annotations

import hashlib
import ipaddress
import re

from emulator.core import ids
from emulator.eks.errors import InvalidParameterException

LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
AUTHENTICATION_MODES = ("CONFIG_MAP", "API_AND_CONFIG_MAP", "API")   # the only order changes may follow
AUTO_MODE_NODE_POOLS = ("general-purpose", "system")
MAX_SECURITY_GROUPS = 4
MAX_PUBLIC_ACCESS_CIDRS = 40
DEFAULT_SERVICE_CIDR = "10.100.0.0/16"
PRIVATE_RANGES = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
# Remote (hybrid) networks may also use the shared address space of RFC 6598.
REMOTE_RANGES = PRIVATE_RANGES + (ipaddress.ip_network("100.64.0.0/10"),)

_ROLE_ARN = re.compile(r"arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::\d{12}:role/[\w+=,.@/-]{1,512}")
_KMS_KEY_ARN = re.compile(r"arn:aws(-cn|-us-gov|-iso|-iso-b)?:kms:[a-z0-9-]+:\d{12}:(key|alias)/[\w/+=,.@-]+")

SUBNETS_TWO_AZS = "Subnets specified must be in at least two different AZs"
BOOTSTRAP_REQUIRED_FOR_CONFIG_MAP = ("bootstrapClusterCreatorAdminPermissions must be true if cluster authentication "
                                     "mode is set to CONFIG_MAP")
AUTO_MODE_INCONSISTENT = ("For EKS Auto Mode, please ensure that all required configs, including computeConfig, "
                          "kubernetesNetworkConfig, and blockStorage are all either fully enabled or fully disabled.")
INVALID_ROLE_ARN = "Invalid role ARN: {arn}. It should be an IAM role ARN."                       # (own wording)
TOO_MANY_SECURITY_GROUPS = "A cluster can have at most 4 security groups."                       # (own wording)
TOO_MANY_PUBLIC_CIDRS = "publicAccessCidrs can contain at most 40 CIDR blocks."                  # (own wording)
INVALID_PUBLIC_CIDR = "The following CIDRs are invalid in publicAccessCidrs: [{cidrs}]"          # (own wording)
NO_ENDPOINT_ACCESS = ("Cluster endpoint access must have endpointPublicAccess or endpointPrivateAccess "
                      "enabled.")                                                                # (own wording)
INVALID_SERVICE_CIDR = ("serviceIpv4Cidr {cidr} is not valid. It must be within 10.0.0.0/8, 172.16.0.0/12 or "
                        "192.168.0.0/16, with a prefix between /12 and /24.")                   # (own wording)
SERVICE_CIDR_WITH_IPV6 = "serviceIpv4Cidr cannot be specified when ipFamily is ipv6."             # (own wording)
NETWORK_CONFIG_IMMUTABLE = ("serviceIpv4Cidr and ipFamily cannot be changed after the cluster is "
                            "created.")                                                          # (own wording)
LOG_TYPE_TWICE = "Log type {type} is both enabled and disabled in the same request."            # (own wording)
ENCRYPTION_RESOURCES = "Encryption is only supported for resources: [secrets]."                 # (own wording)
ENCRYPTION_KEY_REQUIRED = "encryptionConfig requires a provider with a keyArn."                 # (own wording)
INVALID_KEY_ARN = "Invalid KMS key ARN: {arn}."                                                 # (own wording)
AUTO_MODE_BOOTSTRAP = "bootstrapSelfManagedAddons must be false when EKS Auto Mode is enabled."  # (own wording)
AUTO_MODE_AUTH_MODE = ("EKS Auto Mode requires the cluster authentication mode to be API or "
                       "API_AND_CONFIG_MAP.")                                                    # (own wording)
AUTO_MODE_NODE_POOLS_UNKNOWN = "nodePools can only contain general-purpose and system."         # (own wording)
AUTO_MODE_NODE_ROLE = "nodeRoleArn is required when nodePools are specified."                   # (own wording)
AUTO_MODE_DISABLED_EXTRAS = "nodePools and nodeRoleArn cannot be specified when EKS Auto Mode is disabled."  # (own wording)
INVALID_REMOTE_CIDR = ("Remote network CIDR {cidr} is not valid. It must be an IPv4 CIDR within 10.0.0.0/8, "
                       "172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10.")                        # (own wording)
REMOTE_CIDRS_OVERLAP = "Remote network CIDRs {a} and {b} overlap."                               # (own wording)
REMOTE_PODS_WITHOUT_NODES = "remotePodNetworks can only be specified with remoteNodeNetworks."   # (own wording)


def check_role_arn(arn: str, **context) -> None:
    if not _ROLE_ARN.fullmatch(arn):
        raise InvalidParameterException(INVALID_ROLE_ARN.format(arn=arn), **context)


def vpc_id_for(subnet_ids: list[str]) -> str:
    """The VPC of the subnets: derived from the first, so clusters on the same subnets share it."""
    return "vpc-" + hashlib.sha256(subnet_ids[0].encode()).hexdigest()[:17]


def check_subnets(subnet_ids: list[str], name: str) -> list[str]:
    unique = list(dict.fromkeys(subnet_ids))
    if len(unique) < 2:
        raise InvalidParameterException(SUBNETS_TWO_AZS, clusterName=name)
    return unique


def check_security_groups(group_ids: list[str], name: str) -> list[str]:
    unique = list(dict.fromkeys(group_ids))
    if len(unique) > MAX_SECURITY_GROUPS:
        raise InvalidParameterException(TOO_MANY_SECURITY_GROUPS, clusterName=name)
    return unique


def check_public_access_cidrs(cidrs: list[str], name: str) -> list[str]:
    if len(cidrs) > MAX_PUBLIC_ACCESS_CIDRS:
        raise InvalidParameterException(TOO_MANY_PUBLIC_CIDRS, clusterName=name)
    bad = []
    for cidr in cidrs:
        try:
            network = ipaddress.ip_network(cidr, strict=True)
        except ValueError:
            bad.append(cidr)
            continue
        if network.version != 4 or any(network.subnet_of(r) for r in PRIVATE_RANGES):
            bad.append(cidr)
    if bad:
        raise InvalidParameterException(INVALID_PUBLIC_CIDR.format(cidrs=", ".join(bad)), clusterName=name)
    return list(cidrs)


def check_endpoint_access(public: bool, private: bool, name: str) -> None:
    if not public and not private:
        raise InvalidParameterException(NO_ENDPOINT_ACCESS, clusterName=name)


def vpc_config(request: dict, name: str) -> dict:
    subnets = check_subnets(request.get("subnetIds", []), name)
    public = request.get("endpointPublicAccess", True)
    private = request.get("endpointPrivateAccess", False)
    check_endpoint_access(public, private, name)
    return {
        "subnetIds": subnets,
        "securityGroupIds": check_security_groups(request.get("securityGroupIds", []), name),
        "clusterSecurityGroupId": "sg-" + ids.hex_id(17),
        "vpcId": vpc_id_for(subnets),
        "endpointPublicAccess": public,
        "endpointPrivateAccess": private,
        "publicAccessCidrs": check_public_access_cidrs(request.get("publicAccessCidrs", ["0.0.0.0/0"]), name),
    }


def _service_ipv6_cidr() -> str:
    h = ids.hex_id(10)
    return f"fd{h[:2]}:{h[2:6]}:{h[6:10]}::/108"


def kubernetes_network_config(request: dict | None, name: str) -> dict:
    request = request or {}
    family = request.get("ipFamily", "ipv4")
    cidr = request.get("serviceIpv4Cidr")
    if family == "ipv6":
        if cidr is not None:
            raise InvalidParameterException(SERVICE_CIDR_WITH_IPV6, clusterName=name)
        return {"serviceIpv6Cidr": _service_ipv6_cidr(), "ipFamily": "ipv6"}
    if cidr is not None:
        try:
            network = ipaddress.ip_network(cidr, strict=True)
        except ValueError:
            network = None
        if (network is None or network.version != 4 or not 12 <= network.prefixlen <= 24
                or not any(network.subnet_of(r) for r in PRIVATE_RANGES)):
            raise InvalidParameterException(INVALID_SERVICE_CIDR.format(cidr=cidr), clusterName=name)
    return {"serviceIpv4Cidr": cidr or DEFAULT_SERVICE_CIDR, "ipFamily": "ipv4"}


def logging_state(clusters_logging: list[dict], current: dict[str, bool], name: str) -> dict[str, bool]:
    """Log type -> enabled after applying a request's clusterLogging to ``current``."""
    requested: dict[str, bool] = {}
    for setup in clusters_logging:
        enabled = setup.get("enabled", False)
        for log_type in setup.get("types", []):
            if requested.get(log_type, enabled) != enabled:
                raise InvalidParameterException(LOG_TYPE_TWICE.format(type=log_type), clusterName=name)
            requested[log_type] = enabled
    return {**current, **requested}


def logging_out(state: dict[str, bool]) -> dict:
    """Enabled and disabled types grouped, as DescribeCluster shows them."""
    groups = []
    for enabled in (True, False):
        types = [t for t in LOG_TYPES if state.get(t, False) == enabled]
        if types:
            groups.append({"types": types, "enabled": enabled})
    return {"clusterLogging": groups}


def encryption_config(request: list[dict], name: str) -> list[dict]:
    out = []
    for entry in request:
        if entry.get("resources") != ["secrets"]:
            raise InvalidParameterException(ENCRYPTION_RESOURCES, clusterName=name)
        key_arn = (entry.get("provider") or {}).get("keyArn")
        if not key_arn:
            raise InvalidParameterException(ENCRYPTION_KEY_REQUIRED, clusterName=name)
        if not _KMS_KEY_ARN.fullmatch(key_arn):
            raise InvalidParameterException(INVALID_KEY_ARN.format(arn=key_arn), clusterName=name)
        out.append({"resources": ["secrets"], "provider": {"keyArn": key_arn}})
    return out


def access_config(request: dict | None, name: str) -> dict:
    request = request or {}
    mode = request.get("authenticationMode", "CONFIG_MAP")
    bootstrap = request.get("bootstrapClusterCreatorAdminPermissions", True)
    if mode == "CONFIG_MAP" and not bootstrap:
        raise InvalidParameterException(BOOTSTRAP_REQUIRED_FOR_CONFIG_MAP, clusterName=name)
    return {"bootstrapClusterCreatorAdminPermissions": bootstrap, "authenticationMode": mode}


def auto_mode(compute: dict | None, storage: dict | None, load_balancing: dict | None,
              name: str) -> bool | None:
    """Whether Auto Mode is on (None when not configured at all); checks the three flags agree."""
    if compute is None and storage is None and load_balancing is None:
        return None
    flags = {bool((compute or {}).get("enabled")),
             bool(((storage or {}).get("blockStorage") or {}).get("enabled")),
             bool((load_balancing or {}).get("enabled"))}
    if len(flags) > 1:
        raise InvalidParameterException(AUTO_MODE_INCONSISTENT, clusterName=name)
    enabled = flags.pop()
    compute = compute or {}
    pools = compute.get("nodePools")
    if not enabled and (pools or compute.get("nodeRoleArn")):
        raise InvalidParameterException(AUTO_MODE_DISABLED_EXTRAS, clusterName=name)
    if pools:
        if any(p not in AUTO_MODE_NODE_POOLS for p in pools):
            raise InvalidParameterException(AUTO_MODE_NODE_POOLS_UNKNOWN, clusterName=name)
        if not compute.get("nodeRoleArn"):
            raise InvalidParameterException(AUTO_MODE_NODE_ROLE, clusterName=name)
    if compute.get("nodeRoleArn"):
        check_role_arn(compute["nodeRoleArn"], clusterName=name)
    return enabled


def compute_config_out(request: dict | None, enabled: bool) -> dict:
    out = {"enabled": enabled}
    if request and request.get("nodePools") is not None:
        out["nodePools"] = list(request["nodePools"])
    if request and request.get("nodeRoleArn"):
        out["nodeRoleArn"] = request["nodeRoleArn"]
    return out


def check_auto_mode_requirements(enabled: bool | None, bootstrap_addons: bool, authentication_mode: str,
                                 name: str) -> None:
    if not enabled:
        return
    if bootstrap_addons:
        raise InvalidParameterException(AUTO_MODE_BOOTSTRAP, clusterName=name)
    if authentication_mode == "CONFIG_MAP":
        raise InvalidParameterException(AUTO_MODE_AUTH_MODE, clusterName=name)


def remote_network_config(request: dict, service_cidr: str | None, name: str) -> dict:
    nodes = request.get("remoteNodeNetworks") or []
    pods = request.get("remotePodNetworks") or []
    if pods and not nodes:
        raise InvalidParameterException(REMOTE_PODS_WITHOUT_NODES, clusterName=name)
    seen: list[ipaddress.IPv4Network] = []
    if service_cidr:
        seen.append(ipaddress.ip_network(service_cidr))
    for network in nodes + pods:
        for cidr in network.get("cidrs", []):
            try:
                parsed = ipaddress.ip_network(cidr, strict=True)
            except ValueError:
                parsed = None
            if parsed is None or parsed.version != 4 or not any(parsed.subnet_of(r) for r in REMOTE_RANGES):
                raise InvalidParameterException(INVALID_REMOTE_CIDR.format(cidr=cidr), clusterName=name)
            for other in seen:
                if parsed.overlaps(other):
                    raise InvalidParameterException(REMOTE_CIDRS_OVERLAP.format(a=str(other), b=cidr),
                                                    clusterName=name)
            seen.append(parsed)
    return {"remoteNodeNetworks": [{"cidrs": list(n.get("cidrs", []))} for n in nodes],
            "remotePodNetworks": [{"cidrs": list(p.get("cidrs", []))} for p in pods]}
