"""The error hierarchy every handler raises and every protocol writes.

A service declares one subclass of :class:`ServiceError` per error shape of
its model (``emulator/ecs/errors.py``, ``emulator/eks/errors.py``); a test
checks those against ``schemas/<service>/_service.json``.  A handler raises
``ClusterNotFoundException("Cluster not found.")``; the protocol module turns
that into the status, the ``x-amzn-ErrorType`` header and the body.
"""
from __future__ import annotations


class ServiceError(Exception):
    """An error AWS would answer with.  ``code`` defaults to the class name."""

    code: str = ""
    status: int = 400
    # Members of the error shape besides ``message`` (EKS sends them, null when unset).
    fields: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            cls.code = cls.__name__

    def __init__(self, message: str = "", **context) -> None:
        super().__init__(message)
        self.message = message
        unknown = set(context) - set(self.fields)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no members {sorted(unknown)}")
        self.context = context

    def __repr__(self) -> str:
        return f"{self.code}({self.message!r})"


class SerializationException(ServiceError):
    """The body is not JSON, not an object, or a member has the wrong JSON type."""


class UnknownOperationException(ServiceError):
    """No operation of the service answers this target or route."""


class NotImplementedOperation(ServiceError):
    """The operation exists in the model but this emulator has no handler for it."""

    code = "NotImplemented"
    status = 501
