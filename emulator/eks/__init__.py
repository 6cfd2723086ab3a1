"""Amazon EKS: one module per resource family, one handler per operation.

Handlers register themselves with ``@eks.operation(...)`` (see service.py);
every module of this package is imported when the engine starts.
"""
