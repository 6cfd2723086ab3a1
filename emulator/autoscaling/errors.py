"""Application Auto Scaling error shapes (all HTTP 400 but InternalServiceException, 500), as in the model.

A test checks this list against ``schemas/application-autoscaling/_service.json``.
"""
from emulator.protocol.errors import ServiceError


class AutoscalingError(ServiceError):
    """Base of every Application Auto Scaling error."""


class ConcurrentUpdateException(AutoscalingError):
    pass


class FailedResourceAccessException(AutoscalingError):
    pass


class InternalServiceException(AutoscalingError):
    status = 500


class InvalidNextTokenException(AutoscalingError):
    pass


class LimitExceededException(AutoscalingError):
    pass


class ObjectNotFoundException(AutoscalingError):
    pass


class ResourceNotFoundException(AutoscalingError):
    fields = ('ResourceName',)


class TooManyTagsException(AutoscalingError):
    fields = ('ResourceName',)


class ValidationException(AutoscalingError):
    pass
