"""EKS error shapes with their HTTP statuses and context members, as in the model.

A test checks this list against ``schemas/eks/_service.json``.
"""
from emulator.protocol.errors import ServiceError


class EksError(ServiceError):
    """Base of every EKS error."""


class AccessDeniedException(EksError):
    status = 403


class BadRequestException(EksError):
    pass


class ClientException(EksError):
    fields = ('clusterName', 'nodegroupName', 'addonName', 'subscriptionId')


class InvalidParameterException(EksError):
    fields = ('clusterName', 'nodegroupName', 'fargateProfileName', 'addonName', 'subscriptionId')


class InvalidRequestException(EksError):
    fields = ('clusterName', 'nodegroupName', 'addonName', 'subscriptionId')


class InvalidStateException(EksError):
    fields = ('clusterName',)


class NotFoundException(EksError):
    status = 404


class ResourceInUseException(EksError):
    status = 409
    fields = ('clusterName', 'nodegroupName', 'addonName')


class ResourceLimitExceededException(EksError):
    fields = ('clusterName', 'nodegroupName', 'subscriptionId')


class ResourceNotFoundException(EksError):
    status = 404
    fields = ('clusterName', 'nodegroupName', 'fargateProfileName', 'addonName', 'subscriptionId')


class ResourcePropagationDelayException(EksError):
    status = 428


class ServerException(EksError):
    status = 500
    fields = ('clusterName', 'nodegroupName', 'addonName', 'subscriptionId')


class ServiceUnavailableException(EksError):
    status = 503


class ThrottlingException(EksError):
    status = 429
    fields = ('clusterName',)


class UnsupportedAvailabilityZoneException(EksError):
    fields = ('clusterName', 'nodegroupName', 'validZones')
