"""The outbox: every message Atelier sends, kept with its delivery state."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.extensions import Model
from training.orm import LabelledEnum, UTCDateTime, str_enum, utcnow


class MailStatus(LabelledEnum):
    QUEUED = "queued", _l("Queued"), "secondary"
    SENDING = "sending", _l("Sending"), "info"
    SENT = "sent", _l("Sent"), "success"
    FAILED = "failed", _l("Failed"), "danger"

    @property
    def is_failed(self) -> bool:
        return self is MailStatus.FAILED


class OutboxMessage(Model):
    """One message to one recipient. Written in the transaction of the change
    that caused it; `last_error` holds the SMTP error's class and code only,
    never an address or the message's content."""

    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    to_name: Mapped[str] = mapped_column(sa.String(200), default="")
    sender: Mapped[str] = mapped_column(sa.String(300), default="")
    subject: Mapped[str] = mapped_column(sa.String(300))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[Optional[str]] = mapped_column(sa.Text)
    locale: Mapped[str] = mapped_column(sa.String(10), default="fr")
    # What the message is about, for the notifications to come
    # ("invitation", "certificate.issued" and the row it names).
    kind: Mapped[Optional[str]] = mapped_column(sa.String(40))
    reference: Mapped[Optional[str]] = mapped_column(sa.String(80))
    status: Mapped[MailStatus] = mapped_column(str_enum(MailStatus, 10), default=MailStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[Optional[str]] = mapped_column(sa.String(300))
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        back_populates="message",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="OutboxAttachment.id",
    )


class OutboxAttachment(Model):
    """A file sent with a message (a convocation letter). Deleted with its
    message; its bytes are loaded only when sent or downloaded."""

    __tablename__ = "outbox_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    size: Mapped[int]

    message: Mapped[OutboxMessage] = relationship(back_populates="attachments")
