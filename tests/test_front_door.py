"""The front door: AWS calls over HTTP answered without Flask, exactly as Flask's own route answers them."""
import threading

import pytest
import requests

from emulator.app import create_app
from emulator.engine import Emulator
from emulator.front_door import FrontDoor
from emulator.http_server import WSGIServer

ECS = "AmazonEC2ContainerServiceV20141113"
JSON_11 = {"Content-Type": "application/x-amz-json-1.1"}
VARYING = {"x-amzn-requestid", "date", "server", "connection", "keep-alive"}


def _serve(app):
    server = WSGIServer("127.0.0.1", 0, app)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def both_doors():
    """(front door URL, Flask route URL), both on one engine."""
    engine = Emulator()
    app = create_app(engine)
    assert isinstance(app.wsgi_app, FrontDoor)
    front, flask_only = _serve(app), _serve(app.wsgi_app.fallback)
    yield engine, f"http://127.0.0.1:{front.server_port}", f"http://127.0.0.1:{flask_only.server_port}"
    for server in (front, flask_only):
        server.shutdown()
        server.server_close()


def _answer(response):
    headers = {k.lower(): v for k, v in response.headers.items() if k.lower() not in VARYING}
    return response.status_code, headers, response.content


def _both(urls, method, path, **kwargs):
    front, flask_only = (requests.request(method, url + path, **kwargs) for url in urls)
    return _answer(front), _answer(flask_only)


@pytest.mark.parametrize("method, path, kwargs", [
    ("POST", "/", {"data": "{}", "headers": {"X-Amz-Target": f"{ECS}.ListClusters", **JSON_11}}),
    ("POST", "/", {"data": '{"clusterName": 7}', "headers": {"X-Amz-Target": f"{ECS}.CreateCluster", **JSON_11}}),
    ("POST", "/", {"data": "not json", "headers": {"X-Amz-Target": f"{ECS}.ListClusters", **JSON_11}}),
    ("POST", "/", {"data": "{}", "headers": {"X-Amz-Target": f"{ECS}.NoSuchThing", **JSON_11}}),
    ("GET", "/clusters/ghost", {}),
    ("GET", "/clusters/a%20b", {}),
    ("HEAD", "/clusters/ghost", {}),
    ("DELETE", "/clusters", {}),
])
def test_aws_calls_are_answered_as_flask_answers_them(both_doors, method, path, kwargs):
    _, *urls = both_doors
    front, flask_only = _both(urls, method, path, **kwargs)
    assert front == flask_only
    assert front[0] >= 200 and front[1]["content-type"].startswith("application/")


def test_a_created_cluster_is_seen_through_either_door(both_doors):
    _, front, flask_only = both_doors
    created = requests.post(front + "/", data='{"clusterName": "shared"}',
                            headers={"X-Amz-Target": f"{ECS}.CreateCluster", **JSON_11})
    assert created.status_code == 200
    listed = requests.post(flask_only + "/", data="{}", headers={"X-Amz-Target": f"{ECS}.ListClusters", **JSON_11})
    assert listed.json() == {"clusterArns": [created.json()["cluster"]["clusterArn"]]}


def test_admin_paths_and_other_methods_go_to_flask(both_doors):
    _, *urls = both_doors
    front, flask_only = _both(urls, "GET", "/_emulator/nope")
    assert front == flask_only and front[0] == 404
    front, flask_only = _both(urls, "OPTIONS", "/")
    assert front == flask_only and front[0] == 200 and "POST" in front[1]["allow"]
    front, flask_only = _both(urls, "TRACE", "/")
    assert front == flask_only and front[0] == 405


def test_a_failure_before_the_engine_answers_is_flasks_internal_error(both_doors, monkeypatch):
    engine, *urls = both_doors

    def broken(request):
        raise RuntimeError("routing broke")
    monkeypatch.setattr(engine, "service_for", broken)
    front, flask_only = _both(urls, "POST", "/", data="{}", headers={"X-Amz-Target": f"{ECS}.ListClusters"})
    assert front == flask_only
    assert front[0] == 500 and b"An internal error occurred in the emulator." in front[2]
