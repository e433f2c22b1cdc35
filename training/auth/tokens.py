"""Personal access tokens of the JSON API: the rules for creating, finding
and revoking them.

A token acts as its user, with the user's role as it stands at each request
(a role taken away is taken from the token too; an account deactivated
makes every token useless), narrowed to its scopes: read or write, area by
area. A token is offered only the scopes its user's role can use. Its
secret is shown once, at creation; only its SHA-256 is kept. Every token
expires, after at most a year.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from training.audit.services import record_event
from training.auth.models import ApiToken
from training.domain import DomainError
from training.extensions import db
from training.permissions import can

if TYPE_CHECKING:
    from training.auth.models import User

TOKEN_PREFIX = "atl_"  # noqa: S105 (how an Atelier token starts, so scanners recognise one)
SHOWN_PREFIX_LENGTH = 12
MAX_LIFETIME_DAYS = 365
LIFETIME_CHOICES = (7, 30, 90, 365)
NAME_MAX_LENGTH = 100
READ, WRITE = "read", "write"


@dataclass(frozen=True)
class Area:
    """A part of the API a token may be given: `read` and `write` name the
    action (training.permissions) a role needs for each; write None: the
    area is read only."""

    name: str
    title: object
    read: str
    write: str | None


# The areas of the API, in the order the account page lists them. A write
# scope includes reading the same area.
AREAS = (
    Area("curricula", _l("Curricula and modules"), "curricula.view", "curricula.manage"),
    Area("sessions", _l("Sessions and trainer assignments"), "sessions.list", "sessions.manage"),
    Area("trainers", _l("Trainers and qualifications"), "trainers.view", "trainers.manage"),
    Area(
        "participants", _l("Participants and screening"), "participants.view", "participants.manage"
    ),
    Area("enrollments", _l("Enrollments"), "enrollment.manage", "enrollment.manage"),
    Area("attendance", _l("Attendance"), "attendance.view", "attendance.record"),
    Area("scores", _l("Test scores"), "scores.record", "scores.record"),
    Area("certificates", _l("Certificates"), "certificates.download", "certificates.manage"),
    Area("reports", _l("Reports"), "reports.view", None),
)
AREAS_BY_NAME = {area.name: area for area in AREAS}
ALL_SCOPES = tuple(
    f"{area.name}:{level}" for area in AREAS for level in ((READ, WRITE) if area.write else (READ,))
)


class TokenRefused(DomainError):
    """The token cannot be created as asked."""


def offered_scopes(user: User) -> list[str]:
    """The scopes `user` may give a token: those of the areas their role
    can read or write at all."""
    offered = []
    for area in AREAS:
        if can(user, area.read):
            offered.append(f"{area.name}:{READ}")
        if area.write and can(user, area.write):
            offered.append(f"{area.name}:{WRITE}")
    return offered


def grants(scopes: frozenset[str], scope: str) -> bool:
    """Whether a token holding `scopes` may do what `scope` names; a write
    scope includes the read scope of its area."""
    if scope in scopes:
        return True
    area, _sep, level = scope.partition(":")
    return level == READ and f"{area}:{WRITE}" in scopes


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(
    user: User,
    *,
    name: str,
    scopes: list[str] | tuple[str, ...],
    lifetime_days: int,
    actor: User | None = None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for `user` and its secret, to show once. Refused without
    a name or a scope, with a scope the user's role cannot use, and with a
    lifetime outside 1 to 365 days. Audited (without the secret)."""
    name = " ".join((name or "").split())
    if not name:
        raise TokenRefused(_("Give the token a name, to recognise it later."), field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise TokenRefused(
            _("The name is limited to %(num)d characters.", num=NAME_MAX_LENGTH), field="name"
        )
    chosen = sorted(
        set(scopes), key=lambda scope: ALL_SCOPES.index(scope) if scope in ALL_SCOPES else -1
    )
    if not chosen:
        raise TokenRefused(_("Choose at least one scope."), field="scopes")
    offered = set(offered_scopes(user))
    refused = [scope for scope in chosen if scope not in offered]
    if refused:
        raise TokenRefused(
            _("Your role cannot use these scopes: %(scopes)s.", scopes=", ".join(refused)),
            field="scopes",
        )
    if not 1 <= lifetime_days <= MAX_LIFETIME_DAYS:
        raise TokenRefused(
            _("A token lasts from 1 to %(num)d days.", num=MAX_LIFETIME_DAYS), field="lifetime"
        )
    now = now or datetime.now(UTC)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        token_hash=hash_secret(secret),
        prefix=secret[:SHOWN_PREFIX_LENGTH],
        scopes=" ".join(chosen),
        created_at=now,
        expires_at=now + timedelta(days=lifetime_days),
    )
    db.session.add(token)
    db.session.flush()
    record_event(
        "api_token.created",
        actor=actor or user,
        entity=token,
        after={
            "user_id": user.id,
            "name": name,
            "prefix": token.prefix,
            "scopes": token.scopes,
            "expires_at": token.expires_at,
        },
    )
    return token, secret


def find_token(secret: str) -> ApiToken | None:
    """The token whose secret this is, whatever its state (None when none)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    return db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))


def revoke_token(token: ApiToken, *, actor: User, now: datetime | None = None) -> ApiToken:
    """Revoke a token: it authenticates nothing from now on. Revoking twice
    is harmless. Audited."""
    if token.revoked_at is not None:
        return token
    token.revoked_at = now or datetime.now(UTC)
    db.session.flush()
    record_event(
        "api_token.revoked",
        actor=actor,
        entity=token,
        before={"revoked_at": None},
        after={"user_id": token.user_id, "prefix": token.prefix, "revoked_at": token.revoked_at},
    )
    return token


def user_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, newest first."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )
