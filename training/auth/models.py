from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.extensions import Model
from training.orm import UTCDateTime, str_enum, utcnow

# Role is defined beside what each role may do; it is a column of User.
from training.permissions import Role

if TYPE_CHECKING:
    from training.people.models import Participant, Trainer


# The stored "hash" of an account that has no password yet: werkzeug cannot
# parse it, so it matches nothing (the suffix is random, so no two are equal).
UNUSABLE_PASSWORD_PREFIX = "!"  # noqa: S105 (a marker, not a password)


class User(UserMixin, Model):
    __tablename__ = "user_account"
    # An account's link agrees with its role: a trainer account may link a
    # trainer record, a participant account a participant record, and
    # coordinators and administrators link neither.
    __table_args__ = (
        sa.CheckConstraint(
            "trainer_id IS NULL OR role = 'trainer'", name="trainer_link_matches_role"
        ),
        sa.CheckConstraint(
            "participant_id IS NULL OR role = 'participant'",
            name="participant_link_matches_role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.PARTICIPANT)
    locale: Mapped[Optional[str]] = mapped_column(sa.String(5))
    active: Mapped[bool] = mapped_column(default=True)
    trainer_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("trainer.id"), unique=True)
    participant_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("participant.id"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    trainer: Mapped[Optional[Trainer]] = relationship(back_populates="user")
    participant: Mapped[Optional[Participant]] = relationship(back_populates="user")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def has_password(self) -> bool:
        """False for an account created by an invitation and not yet taken
        up: its stored hash matches no password."""
        return not self.password_hash.startswith(UNUSABLE_PASSWORD_PREFIX)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class SessionEnd(enum.StrEnum):
    """Why a signed-in session ended."""

    SIGNED_OUT = "signed_out"
    IDLE = "idle"
    EXPIRED = "expired"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (a reason, not a password)
    DEACTIVATED = "deactivated"
    ENDED_BY_USER = "ended_by_user"
    ENDED_BY_ADMIN = "ended_by_admin"


class UserSession(Model):
    """One signed-in browser, kept on the server. The cookie holds only a
    random token; its SHA-256 is stored here, so a copy of this table signs
    no one in. A session that has ended (or timed out) makes the request
    anonymous, whatever the cookie says."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    end_reason: Mapped[Optional[SessionEnd]] = mapped_column(str_enum(SessionEnd))
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")
    address_prefix: Mapped[str] = mapped_column(sa.String(50), default="")

    user: Mapped[User] = relationship()

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class Throttle(Model):
    """Attempts counted per key (an address, an account) in a store that
    every worker shares: reserved before a password is checked, refunded
    when it was right (training/auth/throttle.py)."""

    __tablename__ = "auth_throttle"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    attempts: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiToken(Model):
    """A personal access token for the JSON API (/api/v1): created on the
    account page or by `flask create-token`, shown once, stored as the
    SHA-256 of its secret (a copy of this table authenticates no one). It
    acts as its user, with their role as it is at each request, narrowed to
    its scopes ("sessions:read", "attendance:write", ...), until it expires
    or is revoked (training/auth/tokens.py)."""

    __tablename__ = "api_token"
    __table_args__ = (sa.CheckConstraint("expires_at > created_at", name="expires_after_creation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The secret's first characters, shown beside the name so that its owner
    # recognises which token a program holds (never enough to use it).
    prefix: Mapped[str] = mapped_column(sa.String(12))
    scopes: Mapped[str] = mapped_column(sa.String(500))  # space-separated
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    last_used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def is_usable_at(self, moment: datetime) -> bool:
        """Neither revoked nor expired at `moment`."""
        return self.revoked_at is None and moment < self.expires_at
