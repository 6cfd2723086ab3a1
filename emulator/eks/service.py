"""The EKS service: its store, its validation policy, its handler registry."""
from __future__ import annotations

from emulator.core.service import Service, Store
from emulator.eks import errors
from emulator.protocol.errors import ServiceError
from emulator.protocol.validation import Violation

# The tag operations have their own error types.
TAG_OPERATIONS = frozenset({"TagResource", "UntagResource", "ListTagsForResource"})

CLUSTER_NAME_REGEX = "^[0-9A-Za-z][A-Za-z0-9-_]*"
INVALID_NAME_MESSAGE = (
    'The {member} parameter contains invalid characters. It should conform to the regular '
    'expression "' + CLUSTER_NAME_REGEX + '"In other words, it should start with a number or '
    'letter, and can contain numbers, letters, dashes, and underscores.')


class EksStore(Store):
    """Everything EKS holds for one (account, region)."""

    def __init__(self, account: str, region: str) -> None:
        super().__init__(account, region)
        self.clusters: dict = {}            # name -> clusters.Cluster


def validation_error(operation: str, violation: Violation) -> ServiceError:
    if operation in TAG_OPERATIONS:
        return errors.BadRequestException(violation.message)
    if violation.kind == "pattern" and violation.member in ("name", "clusterName"):
        return errors.InvalidParameterException(INVALID_NAME_MESSAGE.format(member=violation.member))
    return errors.InvalidParameterException(violation.message)


eks = Service("eks", EksStore, validation_error, errors.ServerException, handlers_package="emulator.eks",
              invalid_body_error=errors.InvalidParameterException)
