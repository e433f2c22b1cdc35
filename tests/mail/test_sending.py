"""Sending through a real SMTP server (aiosmtpd on loopback), with retries,
back-off, a final failure, and nothing personal in the logs."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.mail.conftest import free_port
from training.extensions import db
from training.mail.models import MailStatus, OutboxMessage
from training.mail.sender import _claim, backoff, send_pending
from training.mail.services import queue_mail

HTML = "<p>Bonjour <strong>Awa</strong>, votre session commence lundi.</p>"


def queue(**overrides) -> OutboxMessage:
    values = dict(
        to_address="awa.traore@example.org",
        to_name="Awa Traoré",
        subject="Convocation : atelier de Niamey",
        text="Bonjour Awa,\nvotre session commence lundi.",
        html=HTML,
        locale="fr",
    )
    values.update(overrides)
    message = queue_mail(**values)
    db.session.commit()
    return message


def test_a_message_arrives_with_its_subject_recipient_and_both_parts(app, smtp):
    message = queue()
    assert send_pending() == 1

    [received] = smtp.messages()
    assert received["Subject"] == "Convocation : atelier de Niamey"
    assert received["To"] == "Awa Traoré <awa.traore@example.org>"
    assert received["From"] == "Atelier Sahel <atelier@example.org>"
    assert smtp.envelopes[0].rcpt_tos == ["awa.traore@example.org"]
    text = received.get_body(preferencelist=("plain",))
    html = received.get_body(preferencelist=("html",))
    assert text is not None and "votre session commence lundi." in text.get_content()
    assert html is not None and "<strong>Awa</strong>" in html.get_content()
    raw = smtp.envelopes[0].content.decode()
    # No tracking, nothing loaded from the internet.
    assert "http://" not in raw and "https://" not in raw and "<img" not in raw
    db.session.refresh(message)
    assert message.status is MailStatus.SENT and message.sent_at is not None
    assert message.attempts == 1


def test_a_refused_message_is_retried_with_back_off_then_delivered(app, smtp):
    message = queue()
    smtp.refusals = 2
    start = datetime.now(UTC)

    assert send_pending(now=start) == 0
    db.session.refresh(message)
    assert message.status is MailStatus.QUEUED and message.attempts == 1
    assert message.next_attempt_at == start + timedelta(minutes=1)
    assert message.last_error == "SMTPDataError (451)"
    assert send_pending(now=start + timedelta(seconds=30)) == 0, "not due yet"

    second = start + timedelta(minutes=1)
    assert send_pending(now=second) == 0
    db.session.refresh(message)
    assert message.attempts == 2 and message.next_attempt_at == second + timedelta(minutes=2)

    assert send_pending(now=second + timedelta(minutes=2)) == 1
    db.session.refresh(message)
    assert message.status is MailStatus.SENT and message.last_error is None
    assert len(smtp.envelopes) == 1


def test_back_off_doubles(app):
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]


def test_after_the_last_attempt_a_message_fails_and_the_admin_sees_why(app, smtp, login_as, client):
    message = queue()
    smtp.refuse_all = True
    when = datetime.now(UTC)
    for _attempt in range(3):  # ATELIER_MAIL_MAX_ATTEMPTS=3
        send_pending(now=when)
        when += timedelta(hours=1)
    db.session.refresh(message)
    assert message.status is MailStatus.FAILED and message.attempts == 3
    assert send_pending(now=when + timedelta(days=1)) == 0, "a failed message is not retried"

    login_as("admin")
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "Failed" in page and "SMTPDataError (451)" in page and "Retry" in page
    detail = client.get(f"/admin/mail/{message.id}").get_data(as_text=True)
    assert "SMTPDataError (451)" in detail

    smtp.refuse_all = False
    assert client.post(f"/admin/mail/{message.id}/retry").status_code == 303
    db.session.refresh(message)
    assert message.status is MailStatus.QUEUED and message.attempts == 0
    assert send_pending() == 1
    assert len(smtp.envelopes) == 1


def test_an_unreachable_server_counts_an_attempt(app, mail_config):
    mail_config.update(ATELIER_MAIL_HOST="127.0.0.1", ATELIER_MAIL_PORT=free_port())
    mail_config.update(ATELIER_MAIL_TLS="none")
    message = queue()
    assert send_pending() == 0
    db.session.refresh(message)
    assert message.status is MailStatus.QUEUED and message.attempts == 1
    assert message.last_error == "ConnectionRefusedError"


def test_a_claimed_message_is_not_claimed_again(app, smtp):
    message = queue()
    now = datetime.now(UTC)
    assert _claim(10, now) == [message.id]
    assert _claim(10, now) == [], "a second sender finds nothing to send"
    assert send_pending(now=now) == 0
    # A sender that died leaves its claim to expire with the lease.
    assert send_pending(now=now + timedelta(minutes=11)) == 1
    assert len(smtp.envelopes) == 1


def test_the_logs_name_message_ids_never_addresses_or_content(app, smtp, caplog):
    caplog.set_level(logging.INFO, logger="training.mail")
    sent = queue()
    failing = queue(to_address="moussa@example.org", subject="Réinitialisation", text="token-XYZ")
    smtp.refusals = 1
    send_pending()
    send_pending(now=datetime.now(UTC) + timedelta(minutes=5))
    assert f"mail {sent.id}" in caplog.text and f"mail {failing.id}" in caplog.text
    secrets = ("awa.traore@example.org", "moussa@example.org", "Awa", "token-XYZ", "Convocation")
    for secret in secrets:
        assert secret not in caplog.text


@pytest.mark.committed
def test_a_commit_that_queued_mail_wakes_the_sending_thread(app, smtp):
    app.config["ATELIER_MAIL_BACKGROUND"] = True
    try:
        queue()  # commits: the request would return at once
        deadline = time.monotonic() + 10
        while not smtp.envelopes and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        app.config["ATELIER_MAIL_BACKGROUND"] = False
        from training.mail import worker

        worker.stop()
    assert len(smtp.envelopes) == 1
    db.session.rollback()
    status = db.session.scalar(sa.select(OutboxMessage.status))
    assert status is MailStatus.SENT


@pytest.mark.committed
def test_two_senders_at_once_send_each_message_once(app, smtp):
    import threading

    for number in range(6):
        queue(to_address=f"nominee{number}@example.org")
    barrier = threading.Barrier(2)
    sent: list[int] = []
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            with app.app_context():
                barrier.wait()
                sent.append(send_pending(limit=10))
                db.session.remove()
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert sum(sent) == 6
    recipients = sorted(envelope.rcpt_tos[0] for envelope in smtp.envelopes)
    assert recipients == sorted(f"nominee{number}@example.org" for number in range(6))
    db.session.rollback()
    statuses = db.session.scalars(sa.select(OutboxMessage.status)).all()
    assert statuses == [MailStatus.SENT] * 6
