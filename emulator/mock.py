"""In-process interception: ``mock_aws`` as decorator, context manager or start()/stop().

botocore: ``Endpoint._do_get_response`` is wrapped once, at class level, so
clients created before or inside the block are covered.  For ECS, EKS and
Application Auto Scaling requests, while a mock is active, the wrapper hands the signed request to the
engine and parses the engine's bytes with botocore's own parser; nothing is
sent and no ``before-send`` handler runs, so another library's mock (moto,
say) never sees these calls, in either nesting order.  Every other service
goes through the original method untouched.

aiobotocore (and so aioboto3), when installed: its own async ``_do_get_response``
is wrapped the same way, while a mock is active (``emulator.aio``).

requests: the ``responses`` library answers calls to ``ecs.*``/``eks.*``/
``application-autoscaling.*`` amazonaws.com hosts and lets every other URL pass through.
"""
from __future__ import annotations

import functools
import inspect
import os
import re
import threading
import unittest

import responses
from botocore.awsrequest import AWSResponse
from botocore.endpoint import Endpoint, convert_to_response_dict

from emulator import aio
from emulator.protocol.messages import RawRequest, botocore_header_pairs

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
_AWS_URL = re.compile(r"^https?://(?P<service>ecs|eks|application-autoscaling)(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?(:\d+)?(/.*)?$")

_lock = threading.RLock()
_active: list["mock_aws"] = []
_original_do_get_response = Endpoint._do_get_response


class _Body:
    """The raw body botocore reads a response from."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_):
        yield self._data

    def read(self, *_):
        data, self._data = self._data, b""
        return data


def _active_engine():
    return _active[-1].engine if _active else None


def _intercepted_do_get_response(self, request, operation_model, context):
    engine = _active_engine()
    service = operation_model.service_model.service_name
    if engine is None or service not in engine.services:
        return _original_do_get_response(self, request, operation_model, context)
    answer = engine.handle(service, RawRequest.from_url(request.method, request.url,
                                                        botocore_header_pairs(request.headers), request.body))
    http_response = AWSResponse(request.url, answer.status, answer.headers, _Body(answer.body))
    response_dict = convert_to_response_dict(http_response, operation_model)
    model = operation_model.service_model
    parser = self._response_parser_factory.create_parser(getattr(model, "resolved_protocol", model.protocol))
    parsed = parser.parse(response_dict, operation_model.output_shape)
    if http_response.status_code >= 300:
        self._add_modeled_error_fields(response_dict, parsed, operation_model, parser)
    return (http_response, parsed), None


class mock_aws:
    """Answer ECS, EKS and Application Auto Scaling calls from an in-memory emulator.

    ``keep_state=True`` keeps resources across activations (by default each
    activation starts empty).  ``engine`` shares an existing ``Emulator``.
    Usable bare (``@mock_aws``) or called (``@mock_aws(keep_state=True)``).
    """

    def __new__(cls, target=None, **kwargs):
        if inspect.isfunction(target) or inspect.isclass(target):
            return cls(**kwargs)(target)
        return super().__new__(cls)

    def __init__(self, engine=None, keep_state: bool = False, config=None) -> None:
        self._engine = engine
        self._config = config
        self.keep_state = keep_state
        self._saved_env: dict[str, str | None] = {}
        self._responses: responses.RequestsMock | None = None
        self._started = False

    # -- the engine and its controls ---------------------------------------
    @property
    def engine(self):
        if self._engine is None:
            from emulator.engine import Emulator
            self._engine = Emulator(config=self._config)
        return self._engine

    @property
    def clock(self):
        return self.engine.clock

    @property
    def config(self):
        return self.engine.config

    def reset(self) -> None:
        self.engine.reset()

    def snapshot(self) -> dict:
        """A JSON-serialisable document of all state (see ``emulator.core.snapshot``)."""
        return self.engine.snapshot()

    def restore(self, doc: dict) -> None:
        """Put back a :meth:`snapshot` document exactly; a bad one raises ``SnapshotError``, changing nothing."""
        self.engine.restore(doc)

    @property
    def requests(self) -> list[dict]:
        """The latest calls answered, oldest first (see ``emulator.core.request_log``)."""
        return self.engine.request_log.entries()

    # -- activation --------------------------------------------------------
    def start(self) -> "mock_aws":
        with _lock:
            if self._started:
                return self
            if not self.keep_state:
                self.engine.reset()
            self._set_fake_credentials()
            if not _active:
                Endpoint._do_get_response = _intercepted_do_get_response
                aio.install(_active_engine)
            _active.append(self)
            self._responses = responses.RequestsMock(assert_all_requests_are_fired=False)
            for method in ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"):
                self._responses.add_callback(method, _AWS_URL, callback=self._answer_requests_call)
            self._responses.add_passthru(re.compile(r".*"))
            self._responses.start()
            self._started = True
        return self

    def stop(self) -> None:
        with _lock:
            if not self._started:
                return
            self._started = False
            self._responses.stop()
            self._responses.reset()
            _active.remove(self)
            if not _active:
                Endpoint._do_get_response = _original_do_get_response
                aio.uninstall()
            self._restore_credentials()

    def __enter__(self) -> "mock_aws":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __call__(self, target):
        if inspect.isclass(target):
            return self._decorate_class(target)
        return self._decorate_function(target)

    def _decorate_function(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return wrapper

    def _decorate_class(self, cls):
        if issubclass(cls, unittest.TestCase):
            original_setup = cls.setUp

            def setUp(test_case, *args, **kwargs):
                self.start()
                test_case.addCleanup(self.stop)
                return original_setup(test_case, *args, **kwargs)
            cls.setUp = setUp
            return cls
        for name, attr in list(vars(cls).items()):
            if name.startswith("test") and callable(attr):
                setattr(cls, name, self._decorate_function(attr))
        return cls

    # -- helpers -----------------------------------------------------------
    def _set_fake_credentials(self) -> None:
        self._saved_env = {}
        env = os.environ
        if "AWS_ACCESS_KEY_ID" not in env and "AWS_PROFILE" not in env:
            for key, value in FAKE_CREDENTIALS.items():
                self._saved_env[key] = env.get(key)
                env[key] = value
        if "AWS_DEFAULT_REGION" not in env and "AWS_REGION" not in env:
            self._saved_env["AWS_DEFAULT_REGION"] = None
            env["AWS_DEFAULT_REGION"] = "us-east-1"

    def _restore_credentials(self) -> None:
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env = {}

    def _answer_requests_call(self, request):
        service = _AWS_URL.match(request.url).group("service")
        answer = self.engine.handle(service, RawRequest.from_url(request.method, request.url,
                                                                 request.headers, request.body))
        return answer.status, answer.headers, answer.body
