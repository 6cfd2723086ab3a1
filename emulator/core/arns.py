"""Building and reading ARNs."""
from __future__ import annotations

from dataclasses import dataclass


def partition_for(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def build(service: str, region: str, account: str, resource: str) -> str:
    return f"arn:{partition_for(region)}:{service}:{region}:{account}:{resource}"


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    @property
    def resource_type(self) -> str:
        return self.resource.split("/", 1)[0].split(":", 1)[0]


def parse(value: str) -> Arn | None:
    """Split an ARN into its six parts; None when it is not an ARN."""
    if not isinstance(value, str) or not value.startswith("arn:"):
        return None
    parts = value.split(":", 5)
    if len(parts) != 6 or not parts[1] or not parts[2] or not parts[5]:
        return None
    return Arn(*parts[1:])
