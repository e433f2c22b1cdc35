"""The outbox: a message is written with the change that caused it, with
headers nothing can inject into, and nothing is sent without SMTP."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from training.domain import DomainError
from training.extensions import db
from training.mail.models import MailStatus, OutboxMessage
from training.mail.sender import send_pending
from training.mail.services import build_email, queue_mail


def count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))


def test_a_message_joins_the_callers_transaction_and_a_rollback_leaves_none(app):
    queue_mail(to_address="awa@example.org", to_name="Awa", subject="Hello", text="Body")
    assert count() == 1
    db.session.rollback()
    assert count() == 0


def test_queueing_neither_commits_nor_sends(app, smtp):
    queue_mail(to_address="awa@example.org", to_name="Awa", subject="Hello", text="Body")
    assert db.session.new, "the message waits in the caller's session"
    assert smtp.envelopes == []
    db.session.commit()
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert message.status is MailStatus.QUEUED and message.attempts == 0


def test_a_name_or_subject_with_a_newline_gives_one_clean_header(app):
    message = queue_mail(
        to_address="eve@example.org",
        to_name="Eve\r\nBcc: victim@example.org",
        subject="Hello\nBcc: victim@example.org\x00",
        text="Body",
    )
    email = build_email(message)
    raw = email.as_string()
    assert email.get_all("To") == ['"Eve Bcc: victim@example.org" <eve@example.org>']
    assert email.get_all("Bcc") is None
    assert not any(line.lower().startswith("bcc:") for line in raw.splitlines())
    assert email["Subject"] == "Hello Bcc: victim@example.org"
    assert "\x00" not in raw


@pytest.mark.parametrize(
    "address",
    [
        "",
        "no-at-sign",
        "a@b@example.org",
        "awa@example.org\r\nBcc: x@y.org",
        "a@example.org, b@y.org",
    ],
)
def test_an_address_that_could_carry_another_is_refused(app, address):
    with pytest.raises(DomainError):
        queue_mail(to_address=address, subject="Hello", text="Body")
    assert count() == 0


def test_without_smtp_messages_stay_in_the_outbox(app):
    assert not app.config["ATELIER_MAIL_HOST"]
    queue_mail(to_address="awa@example.org", subject="Hello", text="Body")
    db.session.commit()
    assert send_pending() == 0
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert message.status is MailStatus.QUEUED and message.attempts == 0


def test_flask_mail_status_and_send_in_the_embedded_mode(app, runner):
    queue_mail(to_address="awa@example.org", subject="Hello", text="Body")
    db.session.commit()
    status = runner.invoke(args=["mail", "status"])
    assert "not configured" in status.output and "queued: 1" in status.output
    send = runner.invoke(args=["mail", "send"])
    assert send.exit_code == 0
    assert "Mail is not configured (ATELIER_MAIL_HOST): 1 messages kept." in send.output
