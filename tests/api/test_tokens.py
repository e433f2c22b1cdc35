"""Personal access tokens: created and revoked on the account page and by
`flask create-token`, shown once, stored hashed, narrowed to their scopes,
expiring; the API never takes the session cookie; writes are audited with
the token's id; each token is rate-limited."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import time_machine

from tests import factories
from tests.api.conftest import ApiClient, make_token
from training.audit.models import AuditEvent
from training.auth import tokens
from training.auth.models import ApiToken
from training.extensions import db

SECRET = re.compile(r'value="(atl_[A-Za-z0-9_-]+)"')


def test_the_account_page_creates_a_token_shown_once_and_stored_hashed(client, login_as):
    user = login_as("coordinator")
    page = client.get("/account")
    assert page.status_code == 200
    assert "API tokens" in page.text and 'value="sessions:write"' in page.text
    created = client.post(
        "/account/tokens",
        data={
            "name": "Field sync",
            "scopes": ["sessions:read", "attendance:write"],
            "lifetime": 30,
        },
    )
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(created.text).group(1)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (token.token_hash, token.prefix) and secret.startswith(token.prefix)
    assert token.scope_set == {"sessions:read", "attendance:write"}
    assert timedelta(days=29) < token.expires_at - datetime.now(UTC) <= timedelta(days=30)
    again = client.get("/account")
    assert secret not in again.text and "Field sync" in again.text
    assert ApiClient(client, secret).get("/me").json["token"]["name"] == "Field sync"


def test_a_role_is_offered_only_the_scopes_it_can_use(client, login_as):
    login_as("trainer")
    page = client.get("/account").text
    assert 'value="attendance:write"' in page and 'value="scores:write"' in page
    assert 'value="curricula:read"' not in page and 'value="participants:read"' not in page
    refused = client.post(
        "/account/tokens", data={"name": "More", "scopes": ["curricula:write"], "lifetime": 30}
    )
    assert refused.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_the_service_refuses_a_scope_beyond_the_role(app):
    participant = factories.make_user(role="participant")
    assert tokens.offered_scopes(participant) == ["certificates:read"]
    try:
        tokens.create_token(participant, name="x", scopes=["reports:read"], lifetime_days=7)
    except tokens.TokenRefused as error:
        assert "reports:read" in error.message
    else:
        raise AssertionError("a participant took the reports scope")


def test_a_revoked_token_authenticates_nothing(client, login_as):
    user = login_as("coordinator")
    secret = make_token(user, ["sessions:read"])
    api = ApiClient(client, secret)
    assert api.get("/sessions").status_code == 200
    token = db.session.scalar(sa.select(ApiToken))
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 303
    refused = api.get("/sessions")
    assert refused.status_code == 401 and refused.json["code"] == "invalid_token"
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    assert (
        db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "api_token.revoked")
        ).entity_id
        == token.id
    )


def test_another_users_token_is_not_even_named(client, login_as):
    other = factories.make_user(role="coordinator")
    make_token(other, ["sessions:read"])
    token = db.session.scalar(sa.select(ApiToken))
    login_as("coordinator")
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_the_command_creates_and_revokes_a_token(app, runner):
    user = factories.make_user(role="trainer")
    db.session.commit()
    email = ["--email", user.email]
    result = runner.invoke(
        args=["create-token", *email, "--name", "Phone", "--scope", "attendance:write"]
    )
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    assert tokens.find_token(secret).scope_set == {"attendance:write"}
    refused = runner.invoke(
        args=["create-token", "--email", user.email, "--name", "X", "--scope", "reports:read"]
    )
    assert refused.exit_code != 0 and "reports:read" in refused.output
    unknown = runner.invoke(
        args=["create-token", "--email", "nobody@example.org", "--name", "X", "--scope", "x:read"]
    )
    assert unknown.exit_code != 0
    token_id = tokens.find_token(secret).id
    assert runner.invoke(args=["revoke-token", str(token_id)]).exit_code == 0
    assert tokens.find_token(secret).revoked_at is not None


def test_a_cookie_alone_is_nobody_to_the_api(client, login_as):
    """The API never reads the session cookie: a signed-in browser gets 401
    from a write and a read, its sign-in untouched, and no cookie back."""
    login_as("coordinator")
    for response in (
        client.post("/api/v1/curricula", json={"code": "X"}),
        client.get("/api/v1/sessions"),
    ):
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
        assert "Set-Cookie" not in response.headers
    assert client.get("/account").status_code == 200  # still signed in to the pages


def test_a_bearer_token_needs_no_csrf_token(csrf_app, client, api_as):
    api = api_as("coordinator")
    created = api.post(
        "/curricula",
        json={"code": "CT-X", "title_en": "A", "title_fr": "B", "theme": "drugs", "owner": "dpo"},
    )
    assert created.status_code == 201, created.json


def test_an_expired_token_or_a_deactivated_account_is_refused(client, app):
    user = factories.make_user(role="coordinator")
    api = ApiClient(client, make_token(user, ["sessions:read"], days=7))
    assert api.get("/sessions").status_code == 200
    with time_machine.travel(datetime.now(UTC) + timedelta(days=8)):
        assert api.get("/sessions").json["code"] == "invalid_token"
    user.active = False
    db.session.commit()
    assert api.get("/sessions").status_code == 401


def test_a_token_does_only_what_its_scopes_say(api_as):
    reader = api_as("coordinator", scopes=["sessions:read"])
    assert reader.get("/sessions").status_code == 200
    refused = reader.post("/sessions", json={})
    assert refused.status_code == 403
    assert refused.json["code"] == "insufficient_scope"
    assert refused.json["required_scope"] == "sessions:write"
    assert reader.get("/curricula").status_code == 403
    writer = api_as("coordinator", scopes=["curricula:write"])
    assert writer.get("/curricula").status_code == 200  # write includes read


def test_every_write_is_audited_with_the_token(api_as):
    api = api_as("coordinator", scopes=["curricula:write"])
    created = api.post(
        "/curricula",
        json={"code": "CT-AUD", "title_en": "A", "title_fr": "B", "theme": "drugs", "owner": "dpo"},
    )
    assert created.status_code == 201
    token = db.session.scalar(sa.select(ApiToken))
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action.in_(["curriculum.created", "api.write"]))
    ).all()
    assert {event.action for event in events} == {"curriculum.created", "api.write"}
    assert all(event.token_id == token.id and event.actor_id == api.user.id for event in events)
    write = next(event for event in events if event.action == "api.write")
    assert write.changes["after"]["path"] == "/api/v1/curricula"
    assert write.changes["after"]["status"] == 201
    # A refused write keeps nothing but the refusal's audit.
    refused = api.patch(f"/curricula/{created.json['id']}", json={"title_en": "C"})
    assert refused.status_code == 428
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "api.write")
        )
        == 1
    )


def test_a_refusal_is_audited_with_the_token(api_as):
    api = api_as("trainer")
    assert api.get("/reports").status_code == 403
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "access.refused"))
    assert event.token_id == db.session.scalar(sa.select(ApiToken.id))


def test_each_token_is_rate_limited(app, api_as):
    usual = app.config["API_RATE_LIMIT"]
    app.config["API_RATE_LIMIT"] = "3 per minute"
    try:
        api = api_as("coordinator", scopes=["sessions:read"])
        other = api_as("coordinator", scopes=["sessions:read"])
        assert [api.get("/sessions").status_code for _ in range(3)] == [200] * 3
        limited = api.get("/sessions")
        assert limited.status_code == 429
        assert limited.mimetype == "application/problem+json"
        assert limited.json["code"] == "too_many_requests"
        assert "Retry-After" in limited.headers
        assert other.get("/sessions").status_code == 200  # its own bucket
    finally:
        app.config["API_RATE_LIMIT"] = usual


def test_last_use_is_kept_for_the_account_page(api_as):
    api = api_as("coordinator", scopes=["sessions:read"])
    assert db.session.scalar(sa.select(ApiToken)).last_used_at is None
    api.get("/sessions")
    db.session.expire_all()
    assert db.session.scalar(sa.select(ApiToken)).last_used_at is not None


def test_messages_speak_the_clients_language(api_as):
    api = api_as("coordinator", scopes=["curricula:write"])
    french = api.post("/curricula", json={}, headers={"Accept-Language": "fr"})
    assert french.status_code == 422
    assert french.headers["Content-Language"] == "fr"
    assert french.json["title"] == "Requête non valide"
    assert french.json["errors"]["json"]["code"] == ["Une valeur est requise."]
    english = api.post("/curricula", json={}, headers={"Accept-Language": "en"})
    assert english.json["errors"]["json"]["code"] == ["A value is required."]
