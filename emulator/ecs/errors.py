"""ECS error shapes (all HTTP 400 but ServerException, 500), as in the model.

A test checks this list against ``schemas/ecs/_service.json``.
"""
from emulator.protocol.errors import ServiceError


class EcsError(ServiceError):
    """Base of every ECS error."""


class AccessDeniedException(EcsError):
    pass


class AttributeLimitExceededException(EcsError):
    pass


class BlockedException(EcsError):
    pass


class ClientException(EcsError):
    pass


class ClusterContainsCapacityProviderException(EcsError):
    pass


class ClusterContainsContainerInstancesException(EcsError):
    pass


class ClusterContainsServicesException(EcsError):
    pass


class ClusterContainsTasksException(EcsError):
    pass


class ClusterNotFoundException(EcsError):
    pass


class ConflictException(EcsError):
    fields = ('resourceIds',)


class DaemonNotActiveException(EcsError):
    pass


class DaemonNotFoundException(EcsError):
    pass


class InvalidParameterException(EcsError):
    pass


class LimitExceededException(EcsError):
    pass


class MissingVersionException(EcsError):
    pass


class NamespaceNotFoundException(EcsError):
    pass


class NoUpdateAvailableException(EcsError):
    pass


class PlatformTaskDefinitionIncompatibilityException(EcsError):
    pass


class PlatformUnknownException(EcsError):
    pass


class ResourceInUseException(EcsError):
    pass


class ResourceNotFoundException(EcsError):
    pass


class ServerException(EcsError):
    status = 500


class ServiceDeploymentNotFoundException(EcsError):
    pass


class ServiceNotActiveException(EcsError):
    pass


class ServiceNotFoundException(EcsError):
    pass


class TargetNotConnectedException(EcsError):
    pass


class TargetNotFoundException(EcsError):
    pass


class TaskSetNotFoundException(EcsError):
    pass


class UnsupportedFeatureException(EcsError):
    pass


class UpdateInProgressException(EcsError):
    pass
