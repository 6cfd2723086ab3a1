"""IAM principal ARNs as EKS reads them (access entries)."""
from __future__ import annotations

import re
from dataclasses import dataclass

# arn:<partition>:iam::<account>:<role|user>/<path/><name>
_PRINCIPAL = re.compile(r"arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):(role|user)/((?:[\w+=,.@-]+/)*)([\w+=,.@-]{1,128})")
_ROOT = re.compile(r"arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):root")


@dataclass(frozen=True)
class Principal:
    partition: str
    account: str
    kind: str          # "role", "user" or "root" (the account itself)
    path: str          # "" or "some/path/"
    name: str

    @property
    def service_linked(self) -> bool:
        return self.kind == "role" and self.path.startswith("aws-service-role/")


def parse_principal(arn: str) -> Principal | None:
    """The IAM role, user or account root an ARN names; None for anything else (STS sessions, groups, ...)."""
    match = _PRINCIPAL.fullmatch(arn)
    if match:
        return Principal(*match.groups())
    match = _ROOT.fullmatch(arn)
    return Principal(match.group(1), match.group(2), "root", "", "root") if match else None
