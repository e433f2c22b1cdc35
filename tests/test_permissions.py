"""Deny by default: every route is public by an explicit list, or refused to
an anonymous visitor. Each area's test_views.py covers its routes role by
role; this walk makes sure no route escapes."""

import re

import pytest

from training.auth.models import Role
from training.permissions import PUBLIC_ENDPOINTS, ROLE_ACTIONS, can

SAMPLE_VALUES = {"int": "1", "string": "x", "path": "x", "default": "x"}


def build_url(rule) -> str:
    """A concrete URL for a rule, with sample values for its parameters."""

    def replace(match: re.Match) -> str:
        converter = match.group(1) or "default"
        name = match.group(3)
        if name == "day":
            return "2026-01-05"
        if converter == "any":  # the first of its words
            return match.group(2).split(",")[0].strip()
        return SAMPLE_VALUES.get(converter, "x")

    return re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>", replace, rule.rule)


def all_rules(app):
    return [rule for rule in app.url_map.iter_rules()]


def test_public_endpoints_exist(app):
    endpoints = {rule.endpoint for rule in all_rules(app)}
    missing = PUBLIC_ENDPOINTS - endpoints
    assert not missing, f"listed as public but not routed: {missing}"


def test_every_other_route_sends_an_anonymous_visitor_to_sign_in(app, client):
    """The one test of anonymous access: every method of every route that is
    not public redirects to the sign-in page (the API's answer 401, as a
    problem: a program has no sign-in page), and nothing is left out."""
    checked: set[str] = set()
    for rule in all_rules(app):
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = build_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            where = f"{method} {url} ({rule.endpoint})"
            if rule.endpoint.startswith("api."):
                assert response.status_code == 401, f"{where} answered {response.status_code}"
                assert response.mimetype == "application/problem+json", where
                continue
            assert response.status_code == (302 if method == "GET" else 303), (
                f"{where} answered {response.status_code}"
            )
            assert response.headers["Location"].startswith("/login"), where
        checked.add(rule.endpoint)
    api = {endpoint for endpoint in app.view_functions if endpoint.startswith("api.")}
    assert checked | PUBLIC_ENDPOINTS | api == set(app.view_functions)
    assert len(checked) >= 60


def test_every_non_public_view_names_the_action_it_requires_or_checks_sign_in(app):
    """Each view is guarded by @require(action) (role check) or is one of the
    few pages every signed-in user may open."""
    every_signed_in_user = {
        "home.index",
        "auth.logout",
        "auth.change_password",
        "auth.account",
        "auth.end_session",
        "auth.end_other_sessions",
        "auth.create_token",
        "auth.revoke_token",
    }
    unguarded = []
    for endpoint, view in app.view_functions.items():
        if endpoint in PUBLIC_ENDPOINTS or endpoint in every_signed_in_user:
            continue
        if not getattr(view, "required_action", None):
            unguarded.append(endpoint)
    assert not unguarded, f"views without @require(action): {unguarded}"


def test_roles_hold_only_their_actions(app):
    from tests import factories

    trainer = factories.make_user(role="trainer")
    participant = factories.make_user(role="participant")
    coordinator = factories.make_user(role="coordinator")
    admin = factories.make_user(role="admin")
    assert can(admin, "users.manage") and not can(coordinator, "users.manage")
    assert can(coordinator, "reports.view") and not can(trainer, "reports.view")
    assert not can(participant, "sessions.list")
    assert can(participant, "me.view") and not can(trainer, "me.view")
    assert ROLE_ACTIONS[Role.ADMIN] >= ROLE_ACTIONS[Role.COORDINATOR]


def test_a_trainer_holds_session_actions_only_for_their_own_sessions(app):
    from tests import factories

    user = factories.make_user(role="trainer")
    own = factories.make_session()
    other = factories.make_session()
    factories.assign(user.trainer, own)
    for action in ("sessions.view", "attendance.view", "attendance.record", "scores.record"):
        assert can(user, action, own)
        assert not can(user, action, other)


def test_an_inactive_user_can_do_nothing(app):
    from tests import factories

    user = factories.make_user(role="admin", active=False)
    assert not can(user, "users.manage")


@pytest.mark.parametrize("role", ["admin", "coordinator", "trainer", "participant"])
def test_every_role_reaches_its_home_and_healthz(client, login_as, role):
    login_as(role)
    assert client.get("/").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_a_refusal_leaves_an_audit_row(client, login_as):
    import sqlalchemy as sa

    from training.audit.models import AuditEvent
    from training.extensions import db

    user = login_as("trainer")
    assert client.get("/admin/users").status_code == 403
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "access.refused"))
    assert event.actor_id == user.id
    assert event.changes["after"]["path"] == "/admin/users"
    assert event.occurred_at.tzinfo is not None


@pytest.mark.parametrize("role", ["admin", "participant", None])
def test_an_unknown_action_is_an_error_under_test(app, role):
    from tests import factories

    user = factories.make_user(role=role) if role else None
    with pytest.raises(ValueError, match=r"unknown action 'enrollment\.mange'"):
        can(user, "enrollment.mange")


def test_an_unknown_action_is_only_refused_outside_tests(app, monkeypatch):
    from tests import factories

    monkeypatch.setitem(app.config, "TESTING", False)
    assert not can(factories.make_user(role="admin"), "enrollment.mange")
