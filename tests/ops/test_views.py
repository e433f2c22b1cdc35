"""/readyz, the request id and JSON request lines, /metrics and its guard."""

from __future__ import annotations

import json
import logging

import pytest
import sqlalchemy as sa

from training.extensions import db

ROLES = ["admin", "coordinator", "trainer", "participant"]


def test_readyz_answers_when_the_database_does(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_names_what_does_not_answer_and_no_more(app, client, monkeypatch):
    app.config["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:1/0"  # nothing listens there
    app.config["ATELIER_REDIS_URL"] = "redis://127.0.0.1:1/1"
    try:
        response = client.get("/readyz")
    finally:
        app.config["RATELIMIT_STORAGE_URI"] = "memory://"
        app.config["ATELIER_REDIS_URL"] = None
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "error",
        "database": "ok",
        "redis_rate_limits": "unreachable",
        "redis_jobs": "unreachable",
    }
    assert b"127.0.0.1" not in response.data


def test_readyz_reports_a_broken_database(app, client, monkeypatch):
    def broken(*_args, **_kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("down"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
    assert b"down" not in response.data


def test_every_response_carries_a_request_id_and_keeps_a_sane_one(client):
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32
    kept = client.get("/healthz", headers={"X-Request-ID": "nginx-0123456789abcdef"})
    assert kept.headers["X-Request-ID"] == "nginx-0123456789abcdef"
    forged = client.get("/healthz", headers={"X-Request-ID": '"}, "user_id": 1, "x": "'})
    assert len(forged.headers["X-Request-ID"]) == 32  # replaced, not echoed


@pytest.fixture
def json_lines(app):
    """The request lines as ATELIER_REQUEST_LOG=json writes them."""
    from training.ops import request_log

    records: list[dict] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(json.loads(request_log.JsonLines().format(record)))

    handler = Keep()
    request_log.logger.addHandler(handler)
    request_log.logger.setLevel(logging.INFO)
    app.config["ATELIER_REQUEST_LOG"] = "json"
    yield records
    app.config["ATELIER_REQUEST_LOG"] = "off"
    request_log.logger.removeHandler(handler)


def test_a_request_line_holds_the_route_never_the_path_or_query(client, login_as, json_lines):
    user = login_as("coordinator")
    json_lines.clear()
    client.get("/participants?q=Traor%C3%A9+A%C3%AFcha", headers={"X-Request-ID": "req-00000001"})
    (line,) = json_lines
    assert set(line) == {
        "time",
        "request_id",
        "user_id",
        "route",
        "endpoint",
        "method",
        "status",
        "duration_ms",
    }
    assert line["request_id"] == "req-00000001"
    assert line["user_id"] == user.id
    assert line["route"] == "/participants" and line["method"] == "GET"
    assert line["status"] == 200 and line["duration_ms"] >= 0
    assert "Traor" not in json.dumps(line) and user.email not in json.dumps(line)


def test_request_lines_are_off_unless_asked(client, caplog):
    with caplog.at_level(logging.INFO, logger="atelier.requests"):
        client.get("/healthz")
    assert not [r for r in caplog.records if r.name == "atelier.requests"]


def test_metrics_are_a_404_until_configured(client):
    assert client.get("/metrics").status_code == 404


@pytest.fixture
def metrics_token(app):
    app.config["ATELIER_METRICS_TOKEN"] = "metrics-token-for-tests-0123456789"
    yield "metrics-token-for-tests-0123456789"
    app.config["ATELIER_METRICS_TOKEN"] = None


def test_metrics_need_their_token_whoever_is_signed_in(client, login_as, metrics_token):
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    for role in ROLES:
        login_as(role)
        assert client.get("/metrics").status_code == 403


def test_metrics_show_requests_jobs_and_the_outbox(client, metrics_token):
    client.get("/healthz")
    response = client.get("/metrics", headers={"Authorization": f"Bearer {metrics_token}"})
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert 'atelier_requests_total{endpoint="home.healthz",method="GET",status="200"}' in text
    assert "atelier_request_duration_seconds_bucket" in text
    assert "# TYPE atelier_jobs gauge" in text
    assert "# TYPE atelier_outbox_messages gauge" in text


def test_metrics_from_an_allowed_network_need_no_token(app, client):
    app.config["ATELIER_METRICS_NETWORKS"] = "10.0.0.0/8, 127.0.0.0/8"
    try:
        assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
        outside = client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"})
        assert outside.status_code == 403
    finally:
        app.config["ATELIER_METRICS_NETWORKS"] = None
