"""Helpers for the notifications' tests: the outbox read back, and the local
SMTP server of tests/mail."""

from __future__ import annotations

import io

import sqlalchemy as sa
from pypdf import PdfReader

from tests.mail.conftest import mail_config, smtp, smtp_server  # noqa: F401  (fixtures)
from training.extensions import db
from training.mail.models import OutboxMessage


def outbox(kind: str | None = None) -> list[OutboxMessage]:
    statement = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        statement = statement.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(statement))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
