from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.extensions import Model
from training.orm import UTCDateTime, utcnow

if TYPE_CHECKING:
    from training.auth.models import User


class AuditEvent(Model):
    """Who did what to which record, when (UTC), with the values before and
    after. Written by services, never by views."""

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(sa.String(60))  # e.g. "enrollment.confirmed"
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[Optional[int]]
    # Denormalised links so a session's or a participant's history is one query.
    session_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("training_session.id"), index=True
    )
    participant_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("participant.id"), index=True
    )
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # The personal access token the change was made through (the API), when
    # it was: a token revoked later still names what it did.
    token_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("api_token.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[Optional[str]] = mapped_column(sa.Text)

    actor: Mapped[Optional[User]] = relationship()
