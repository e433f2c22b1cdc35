from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.extensions import db
from training.orm import LabelledEnum, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from training.people.models import Participant, Trainer


class Role(LabelledEnum):
    ADMIN = "admin", _l("Administrator")
    COORDINATOR = "coordinator", _l("Coordinator")
    TRAINER = "trainer", _l("Trainer")
    PARTICIPANT = "participant", _l("Participant")


def new_session_nonce() -> str:
    return secrets.token_hex(16)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.PARTICIPANT)
    locale: Mapped[Optional[str]] = mapped_column(sa.String(5))
    active: Mapped[bool] = mapped_column(default=True)
    # Rotated on password change and deactivation: every signed-in browser
    # carries the nonce it signed in with, so old sessions stop working.
    session_nonce: Mapped[str] = mapped_column(sa.String(32), default=new_session_nonce)
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

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
