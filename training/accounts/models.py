"""Single-use links that let a person choose their account's password."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.auth.models import User
from training.extensions import Model
from training.orm import LabelledEnum, UTCDateTime, str_enum, utcnow


class TokenPurpose(LabelledEnum):
    INVITATION = "invitation", _l("Invitation"), "info"
    PASSWORD_RESET = "password_reset", _l("Password reset"), "warning"


class AccountToken(Model):
    """A single-use link that lets its holder choose the account's password:
    an invitation or a reset. Only the SHA-256 of the token is kept, so a copy
    of this table opens no account; a token ends when it is used, when it
    expires, or when a newer one of the same purpose is made."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[TokenPurpose] = mapped_column(str_enum(TokenPurpose, 20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # Who made it (None: the holder asked for a reset themselves), and how it
    # reaches them: by mail, or on a printed letter handed over in person.
    created_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    printed: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at
