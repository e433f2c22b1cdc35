"""flask mail send / status with SMTP, and the mail settings production checks."""

from __future__ import annotations

import pytest

import config
from tests.test_config import production
from training.extensions import db
from training.mail.services import queue_mail


def test_flask_mail_send_delivers_what_is_due(app, runner, smtp):
    queue_mail(to_address="awa@example.org", subject="Hello", text="Body")
    db.session.commit()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0 and "Sent: 1." in result.output
    assert len(smtp.envelopes) == 1
    status = runner.invoke(args=["mail", "status"])
    assert "Mail configured." in status.output and "sent: 1" in status.output
    assert "awa@example.org" not in status.output + result.output


def test_production_refuses_an_unknown_tls_mode():
    with pytest.raises(config.UnsafeConfiguration, match="ATELIER_MAIL_TLS must be one of"):
        production(ATELIER_MAIL_TLS="tls")()


def test_production_accepts_each_tls_mode():
    for mode in ("none", "starttls", "ssl"):
        assert mode == production(ATELIER_MAIL_TLS=mode)().ATELIER_MAIL_TLS
