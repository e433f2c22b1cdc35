"""The application shell: health, errors, headers, CSRF, logging."""

import logging

import pytest
import sqlalchemy as sa
from flask import Blueprint

from tests import factories
from tests.test_permissions import build_url
from training.extensions import db
from training.reports import projection


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_a_broken_database(app, client, monkeypatch):
    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("down"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_unknown_page_gives_the_404_page_in_the_users_language(client):
    english = client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert english.status_code == 404
    assert "Page not found" in english.get_data(as_text=True)
    french = client.get("/no-such-page", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert french.status_code == 404
    assert "Page introuvable" in french.get_data(as_text=True)


def test_an_error_gives_the_500_page_without_a_traceback(monkeypatch):
    """A fresh application with one route that raises (public, so no sign-in)."""
    from config import TestConfig
    from training import create_app, permissions

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    failing = create_app(Config())
    blueprint = Blueprint("boom", __name__)

    @blueprint.route("/boom")
    def fail():
        raise RuntimeError("secret internals <script>")

    failing.register_blueprint(blueprint)
    monkeypatch.setattr(
        permissions, "PUBLIC_ENDPOINTS", permissions.PUBLIC_ENDPOINTS | {"boom.fail"}
    )
    with failing.app_context():
        response = failing.test_client().get("/boom")
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in text
    assert "Traceback" not in text and "secret internals" not in text
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_a_value_the_database_refuses_is_a_400_not_a_500(monkeypatch):
    """A value past what a column holds (PostgreSQL: "integer out of range")
    that slipped past a form is the request's fault: 400, nothing kept."""
    from sqlalchemy.exc import DataError

    from config import TestConfig
    from training import create_app, permissions

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    refusing = create_app(Config())
    blueprint = Blueprint("out_of_range", __name__)

    @blueprint.route("/out-of-range")
    def refuse():
        raise DataError("SELECT …", {"id": 99999999999}, ValueError("integer out of range"))

    refusing.register_blueprint(blueprint)
    monkeypatch.setattr(
        permissions, "PUBLIC_ENDPOINTS", permissions.PUBLIC_ENDPOINTS | {"out_of_range.refuse"}
    )
    with refusing.app_context():
        response = refusing.test_client().get("/out-of-range")
    assert response.status_code == 400
    assert "Check what you entered" in response.get_data(as_text=True)


def test_an_id_past_the_databases_integer_is_an_unknown_page(client, login_as):
    login_as("coordinator")
    assert client.get("/sessions/99999999999").status_code == 404
    assert client.get("/sessions/2147483647").status_code == 404


@pytest.mark.parametrize("url", ["/login", "/healthz", "/no-such-page"])
def test_security_headers_on_every_response(client, url):
    response = client.get(url)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # HTTPS only in production


def test_hsts_in_production(app, client):
    app.config["HSTS"] = True
    try:
        assert "max-age=" in client.get("/login").headers["Strict-Transport-Security"]
    finally:
        app.config["HSTS"] = False


def test_signed_in_pages_are_not_cached(client, login_as):
    login_as("coordinator")
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_samesite_lax(client):
    factories.make_user(email="c@example.org")
    db.session.commit()
    response = client.post(
        "/login", data={"email": "c@example.org", "password": factories.TEST_PASSWORD}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_bootstrap_is_served_by_the_app_itself(client):
    page = client.get("/login").get_data(as_text=True)
    assert "cdn." not in page and "jsdelivr" not in page
    assert "/bootstrap/static/css/bootstrap.min.css" in page
    for asset in ("css/bootstrap.min.css", "js/bootstrap.min.js", "umd/popper.min.js"):
        with client.get(f"/bootstrap/static/{asset}") as response:
            assert response.status_code == 200, asset


def test_every_post_route_refuses_a_missing_csrf_token(csrf_app, client):
    checked = 0
    for rule in csrf_app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        response = client.post(build_url(rule), data={})
        if rule.endpoint.startswith("api."):
            # The API takes no cookie, so no CSRF token: without a bearer
            # token it is a 401 (tests/api/test_tokens.py).
            assert response.status_code == 401, f"POST {rule.rule} answered {response.status_code}"
            continue
        assert response.status_code == 400, f"POST {rule.rule} answered {response.status_code}"
        checked += 1
    assert checked >= 4


def test_get_routes_change_nothing(app, client, login_as):
    """GET never changes state: walking every parameterless GET page as an
    administrator leaves every table's row count as it was."""
    login_as("admin")
    factories.enroll()
    db.session.commit()
    # The reports catch their derived rows up before reading; what the last
    # write marked stale is caught up now, so that only a real change counts.
    projection.catch_up()

    def counts():
        # audit_event is left out: a refused GET is audited, by design.
        return {
            table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables
            if table.name != "audit_event"
        }

    before = counts()
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and "static" not in rule.endpoint:
            client.get(rule.rule)
    db.session.expire_all()
    assert counts() == before


def test_logged_values_cannot_forge_log_lines(app, caplog):
    with caplog.at_level(logging.INFO):
        app.logger.info("looked up %s", "x\nFAKE ENTRY admin signed in")
    assert "\nFAKE ENTRY" not in caplog.text
    assert "\\nFAKE ENTRY" in caplog.text


def test_sign_in_failure_logs_no_password(client, caplog):
    with caplog.at_level(logging.DEBUG):
        client.post("/login", data={"email": "x@example.org", "password": "Secret-Value-123"})
    assert "Secret-Value-123" not in caplog.text


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    from config import ProductionConfig

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig()


def test_development_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    import config

    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    monkeypatch.setattr(config.DevelopmentConfig, "SECRET_KEY", None)
    first = config.DevelopmentConfig().SECRET_KEY
    second = config.DevelopmentConfig().SECRET_KEY
    assert first == second and len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_database_url_accepts_postgres_scheme(monkeypatch):
    import config

    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/atelier")
    assert config._database_url() == "postgresql+psycopg://u:p@db:5432/atelier"


def test_hammering_a_refused_page_adds_one_audit_row_a_minute(app, client, login_as):
    """Refusals are audited, but one row per user and path per minute, with
    a count: a script cannot grow audit_event at request rate."""
    from datetime import UTC, datetime, timedelta

    import time_machine

    from training.audit.models import AuditEvent

    def refusals():
        db.session.expire_all()
        return db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action == "access.refused")
            .order_by(AuditEvent.id)
        ).all()

    with time_machine.travel(datetime(2026, 5, 1, 8, 0, tzinfo=UTC), tick=False) as traveller:
        trainer = login_as("trainer")
        for _ in range(50):
            assert client.get("/admin/users").status_code == 403
        assert client.get("/admin/users/new").status_code == 403
        [first, other_path] = refusals()
        assert first.actor_id == trainer.id and first.changes["after"]["count"] == 50
        assert first.changes["after"]["path"] == "/admin/users"
        assert other_path.changes["after"]["path"] == "/admin/users/new"

        traveller.shift(timedelta(seconds=61))
        assert client.get("/admin/users").status_code == 403
        assert len(refusals()) == 3
        assert refusals()[-1].changes["after"]["count"] == 1
