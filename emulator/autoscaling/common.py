"""What every Application Auto Scaling operation checks: the namespace, dimension and resource id of an
ECS service's desired count, the registered target, and pages of a Describe* listing.

Only the ``ecs`` namespace and its one dimension, ``ecs:service:DesiredCount``, are emulated; a resource id
is ``service/<cluster name>/<service name>``.
"""
from __future__ import annotations

from emulator.autoscaling.errors import InvalidNextTokenException, ObjectNotFoundException, ValidationException
from emulator.core import pagination

NAMESPACE = "ecs"
DIMENSION = "ecs:service:DesiredCount"
DEFAULT_COOLDOWN = 300        # seconds, Application Auto Scaling's default for ECS services
INVALID_NEXT_TOKEN = "Invalid NextToken"
# Application Auto Scaling's quotas
MAX_TARGETS = 3000               # scalable targets of ECS services per account and Region
MAX_POLICIES = 50                # scaling policies per scalable target
MAX_SCHEDULED_ACTIONS = 200      # scheduled actions per scalable target
MAX_STEP_ADJUSTMENTS = 20        # step adjustments per step scaling policy


def limit_exceeded(what: str, limit: int) -> str:
    return f"The maximum number of {what} ({limit}) has been reached"


def not_emulated(namespace: str) -> str:
    return (f"Only the ecs service namespace is emulated: {namespace} scalable targets are not supported by "
            f"this emulator.")


def unsupported_dimension(dimension: str) -> str:
    return f"Unsupported scalable dimension {dimension} for service namespace ecs"


def invalid_resource_id(resource_id: str) -> str:
    return (f"Invalid resource ID {resource_id} for service namespace ecs: expected "
            f"service/<cluster-name>/<service-name>")


def no_target(resource_id: str, dimension: str = DIMENSION) -> str:
    return (f"No scalable target registered for service namespace: ecs, resource ID: {resource_id}, "
            f"scalable dimension: {dimension}")


def too_many_results(value: int, maximum: int) -> str:
    return (f"1 validation error detected: Value '{value}' at 'maxResults' failed to satisfy constraint: Member "
            f"must have value less than or equal to {maximum}")


def check_namespace(params: dict) -> None:
    if params["ServiceNamespace"] != NAMESPACE:
        raise ValidationException(not_emulated(params["ServiceNamespace"]))


def check_dimension(dimension: str | None) -> None:
    if dimension is not None and dimension != DIMENSION:
        raise ValidationException(unsupported_dimension(dimension))


def ecs_service_of(resource_id: str) -> tuple[str, str]:
    """(cluster name, service name) of ``service/<cluster>/<service>``; ValidationException otherwise."""
    parts = resource_id.split("/")
    if len(parts) != 3 or parts[0] != "service" or not parts[1] or not parts[2]:
        raise ValidationException(invalid_resource_id(resource_id))
    return parts[1], parts[2]


def target_key(params: dict) -> tuple[str, str, str]:
    """The (namespace, resource id, dimension) a request names, checked."""
    check_namespace(params)
    check_dimension(params["ScalableDimension"])
    ecs_service_of(params["ResourceId"])
    return NAMESPACE, params["ResourceId"], params["ScalableDimension"]


def registered_target(ctx, params: dict):
    key = target_key(params)
    target = ctx.store.targets.get(key)
    if target is None:
        raise ObjectNotFoundException(no_target(key[1], key[2]))
    return target


def listed(ctx, params: dict, items_of, names_member: str, maximum: int, kind: str) -> tuple[list, str | None]:
    """A page of the policies or scheduled actions of the targets (``items_of(target)``, each with ``name`` and
    ``order``), oldest first, filtered by ResourceId and by the names the request lists in ``names_member``."""
    check_namespace(params)
    check_dimension(params.get("ScalableDimension"))
    names = set(params.get(names_member) or [])
    resource_id = params.get("ResourceId")
    found = {item.order: item for target in ctx.store.targets.values()
             if resource_id is None or target.resource_id == resource_id
             for item in items_of(target) if not names or item.name in names}
    keys, token = page(params, sorted(found), maximum, scope=f"{kind}|{resource_id}|{sorted(names)}")
    return [found[key] for key in keys], token


def page(params: dict, keys: list, maximum: int, scope: str, descending: bool = False) -> tuple[list, str | None]:
    """One page of sorted ``keys`` after ``NextToken``, at most ``MaxResults`` (default and limit ``maximum``)."""
    size = params.get("MaxResults", maximum)
    if size > maximum:
        raise ValidationException(too_many_results(size, maximum))
    try:
        return pagination.page(keys, params.get("NextToken"), max(size, 1), scope=scope, descending=descending)
    except pagination.InvalidToken:
        raise InvalidNextTokenException(INVALID_NEXT_TOKEN) from None
