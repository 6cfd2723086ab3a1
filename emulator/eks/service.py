"""The EKS service: its store, its validation policy, its handler registry."""
from __future__ import annotations

import bisect
import re
from typing import Iterable

from emulator.core.service import Service, Store
from emulator.eks import errors
from emulator.protocol.errors import ServiceError
from emulator.protocol.validation import Violation

# The tag operations have their own error types.
TAG_OPERATIONS = frozenset({"TagResource", "UntagResource", "ListTagsForResource"})

CLUSTER_NAME_REGEX = "^[0-9A-Za-z][A-Za-z0-9-_]*"
# The model's pattern is not anchored at the end; the whole name must match.
CLUSTER_NAME = re.compile(r"[0-9A-Za-z][A-Za-z0-9\-_]*")
INVALID_NAME_MESSAGE = (
    'The {member} parameter contains invalid characters. It should conform to the regular '
    'expression "' + CLUSTER_NAME_REGEX + '"In other words, it should start with a number or '
    'letter, and can contain numbers, letters, dashes, and underscores.')


class SortedNames:
    """Names kept in order, so a list page is a slice rather than a sort of everything."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._names = sorted(names)

    def add(self, name: str) -> None:
        i = bisect.bisect_left(self._names, name)
        if i == len(self._names) or self._names[i] != name:
            self._names.insert(i, name)

    def discard(self, name: str) -> None:
        i = bisect.bisect_left(self._names, name)
        if i < len(self._names) and self._names[i] == name:
            del self._names[i]

    def __len__(self) -> int:
        return len(self._names)

    def __iter__(self):
        return iter(self._names)

    def __getitem__(self, index):
        return self._names[index]


class EksStore(Store):
    """Everything EKS holds for one (account, region)."""

    def __init__(self, account: str, region: str) -> None:
        super().__init__(account, region)
        self.clusters: dict = {}                    # name -> clusters.Cluster (EKS and registered), until gone
        self.eks_cluster_names = SortedNames()      # names of EKS clusters in `clusters` (ListClusters)
        self.all_cluster_names = SortedNames()      # names of every cluster in `clusters` (ListClusters include=all)
        self.client_tokens: dict = {}               # (operation, scope, clientRequestToken) -> idempotency.Remembered
        self.subscriptions: dict = {}               # id -> subscriptions.Subscription (EKS Anywhere), until gone
        self.subscription_order = SortedNames()     # (createdAt, id) of `subscriptions`, oldest first


# Top-level request members that name the resource an error is about, by the error member they fill.
_CONTEXT_MEMBERS = {"name": "clusterName", "clusterName": "clusterName", "nodegroupName": "nodegroupName",
                    "fargateProfileName": "fargateProfileName", "addonName": "addonName"}
# Operations whose top-level ``name`` or ``id`` is not a cluster's name.
_SUBSCRIPTION_OPERATIONS = frozenset({"CreateEksAnywhereSubscription", "DescribeEksAnywhereSubscription",
                                      "UpdateEksAnywhereSubscription", "DeleteEksAnywhereSubscription"})


def _context(operation: str, violation: Violation, params: dict) -> dict:
    """The error's context members, as EKS fills them in: the resources the request names (its
    cluster, node group, add-on...), and the (top-level, text) member at fault itself."""
    if operation in _SUBSCRIPTION_OPERATIONS:
        at_fault = violation.path == "id" and isinstance(violation.value, str)
        return {"subscriptionId": violation.value} if at_fault else {}
    context = {field: params[member] for member, field in _CONTEXT_MEMBERS.items()
               if isinstance(params.get(member), str)}
    if violation.path == violation.member and isinstance(violation.value, str) \
            and violation.member in _CONTEXT_MEMBERS:
        context[_CONTEXT_MEMBERS[violation.member]] = violation.value
    return context


def validation_error(operation: str, violation: Violation, params: dict) -> ServiceError:
    if operation in TAG_OPERATIONS:
        return errors.BadRequestException(violation.message)
    context = _context(operation, violation, params)
    if violation.kind == "pattern" and violation.member in ("name", "clusterName") and "clusterName" in context:
        return errors.InvalidParameterException(INVALID_NAME_MESSAGE.format(member=violation.member), **context)
    return errors.InvalidParameterException(violation.message, **context)


eks = Service("eks", EksStore, validation_error, errors.ServerException, handlers_package="emulator.eks",
              invalid_body_error=errors.InvalidParameterException)
