"""Who may do what: the one place.

`can(user, action, obj=None)` answers for a role (obj=None: "could this kind
of user ever do this?") and for one object ("may this user do this to this
session / certificate?"). Views use `@require(action)` for the first question
and `authorize(action, obj)` for the second; templates call the same `can`.
Nothing else checks a role.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, has_app_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from training.orm import LabelledEnum


# A user's role, stored on the account (auth.models.User.role). It lives
# here, with what each role may do, so that the rules import no model.
class Role(LabelledEnum):
    ADMIN = "admin", _l("Administrator")
    COORDINATOR = "coordinator", _l("Coordinator")
    TRAINER = "trainer", _l("Trainer")
    PARTICIPANT = "participant", _l("Participant")


# Endpoints reachable without signing in. Every other endpoint is refused to
# anonymous visitors by the before_request guard in create_app() (deny by
# default); tests/test_permissions.py walks the URL map against this list.
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "bootstrap.static",
        "auth.login",
        "accounts.forgot_password",
        "accounts.open_link",
        "accounts.choose_password",
        "home.healthz",
        # Operations (training/ops): readiness for the load balancer; the
        # metrics are guarded by their own token or network list.
        "ops.readyz",
        "ops.metrics",
        "home.set_language",
        "home.service_worker",
        "certificates.verify",
        "certificates.verify_code",
        "certificates.verify_serial",
        "certificates.verify_signed",
        "certificates.trust_list",
        "certificates.status_list",
        "certificates.root_key",
        "certificates.scan",
        "certificates.scan_worker",
        # The API's description, its documentation page and the public
        # verification of a certificate (training/api).
        "api.openapi_json",
        "api.docs",
        "api.verify_code",
        "api.verify_serial",
        "api.verify_signed",
    }
)

# Blueprints whose requests authenticate with a personal access token
# (Authorization: Bearer), never with the session cookie: the pages' guard
# leaves them to their own (training/api/core.py), and their responses set
# no cookie.
TOKEN_BLUEPRINTS = frozenset({"api"})

_COORDINATION = {
    "home",
    "calendar.view",
    "curricula.view",
    "curricula.manage",
    "sessions.list",
    "sessions.view",
    "sessions.manage",
    "enrollment.manage",
    "convocation.download",
    "participants.view",
    "participants.manage",
    "participants.merge",
    "screening.view_notes",
    "screening.manage",
    "trainers.view",
    "trainers.manage",
    # The organisations registry: list and read; create, edit, end a
    # partnership, merge two records.
    "organisations.view",
    "organisations.manage",
    # Give a trainer or a participant an account; mail or print their link.
    "accounts.invite",
    "attendance.view",
    "attendance.record",
    "attendance.correct_locked",
    "attendance.correct_completed",
    "scores.record",
    "scores.correct_completed",
    "certificates.manage",
    "certificates.download",
    # The session's workshop pack (roster, sheets, programme, letters,
    # certificates), for the local printer.
    "workshop_pack.download",
    "reports.view",
    # The whole audit trail: reasons, fingerprints, every nominee's events.
    "history.view_all",
    # Long work a user asked for (training/jobs): its page and its result,
    # for its owner alone.
    "jobs.view",
}

ROLE_ACTIONS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset(_COORDINATION | {"users.manage", "mail.view"}),
    Role.COORDINATOR: frozenset(_COORDINATION),
    Role.TRAINER: frozenset(
        {
            "home",
            "calendar.view",
            "sessions.list",
            "sessions.view",
            "attendance.view",
            "attendance.record",
            "scores.record",
            "workshop_pack.download",
            "jobs.view",
        }
    ),
    Role.PARTICIPANT: frozenset(
        {
            "home",
            "calendar.view",
            "me.view",
            "certificates.download",
            "convocation.download",
            "jobs.view",
        }
    ),
}

# Actions that a trainer holds only for the sessions they are assigned to.
_SESSION_SCOPED = {
    "sessions.list",
    "sessions.view",
    "calendar.view",
    "attendance.view",
    "attendance.record",
    "scores.record",
    "workshop_pack.download",
}


class Scope(enum.Enum):
    """Which sessions a user may list for an action."""

    ALL = "all"  # coordination
    TAUGHT = "taught"  # a trainer: the sessions they are assigned to
    CONFIRMED = "confirmed"  # a participant: the sessions they are confirmed in
    NONE = "none"


def session_scope(user: Any, action: str) -> Scope:
    """The sessions `user` may `action` as a list, by the same policy as
    can() on one session (list queries apply it: sessions.services)."""
    if not can(user, action):
        return Scope.NONE
    role = Role(user.role)
    if role in (Role.ADMIN, Role.COORDINATOR):
        return Scope.ALL
    if role == Role.TRAINER and action in _SESSION_SCOPED and user.trainer_id is not None:
        return Scope.TAUGHT
    if role == Role.PARTICIPANT and action == "calendar.view" and user.participant_id is not None:
        return Scope.CONFIRMED
    return Scope.NONE


# Every action some role holds (a list page asks `can` once a row or more).
KNOWN_ACTIONS: frozenset[str] = frozenset().union(*ROLE_ACTIONS.values())


def can(user: Any, action: str, obj: Any = None) -> bool:
    """True when `user` may perform `action` (on `obj`, when given). Under
    test, an action no role holds (a typo) raises instead of hiding a button."""
    if action not in KNOWN_ACTIONS and has_app_context() and current_app.testing:
        raise ValueError(f"unknown action {action!r}")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    role = Role(user.role)
    if action not in ROLE_ACTIONS.get(role, frozenset()):
        return False
    if action == "jobs.view" and obj is not None:  # a job: its owner's alone, whatever the role
        return bool(obj.owner_id == user.id)
    if obj is None or role in (Role.ADMIN, Role.COORDINATOR):
        return True
    if role == Role.TRAINER and action in _SESSION_SCOPED:
        return bool(obj.is_taught_by(user.trainer_id))
    if role == Role.PARTICIPANT and action == "calendar.view":
        return bool(obj.has_confirmed(user.participant_id))
    if role == Role.PARTICIPANT and action == "certificates.download":
        return obj.enrollment.participant_id == user.participant_id
    if role == Role.PARTICIPANT and action == "convocation.download":  # obj: an Enrollment
        return user.participant_id is not None and obj.participant_id == user.participant_id
    return False


def authorize(action: str, obj: Any = None) -> None:
    """Abort with 403 unless the current user may perform `action` on `obj`."""
    if not can(current_user, action, obj):
        abort(403)


F = TypeVar("F", bound=Callable[..., Any])


def require(action: str) -> Callable[[F], F]:
    """View decorator: the signed-in user's role must allow `action`.
    Anonymous visitors never get here (the deny-by-default guard sends them
    to the sign-in page first)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            authorize(action)
            return view(*args, **kwargs)

        wrapped.required_action = action  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator
