"""Sending over STARTTLS and implicit TLS to a real SMTP server (aiosmtpd)
with a certificate the test makes, verified like any other; an untrusted
certificate is refused and the message waits."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.mail.conftest import Collector, free_port
from training.extensions import db
from training.mail.models import MailStatus
from training.mail.sender import send_pending
from training.mail.services import queue_mail


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its key beside it)."""
    openssl = shutil.which("openssl")
    assert openssl, "the openssl command is needed to make the test's certificate"
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*map(str, certificate))
    return context


def _serve(handler: Collector, **options) -> tuple[Controller, int]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    return controller, port


@pytest.fixture
def trusted(certificate, monkeypatch) -> Iterator[None]:
    """The test's certificate is the one authority the sender trusts."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    yield


def _configure(mail_config, port: int, tls: str) -> None:
    mail_config.update(
        ATELIER_MAIL_HOST="127.0.0.1",
        ATELIER_MAIL_PORT=port,
        ATELIER_MAIL_TLS=tls,
        ATELIER_MAIL_USER=None,
        ATELIER_MAIL_SENDER="Atelier <atelier@example.org>",
    )


def _queue():
    message = queue_mail(
        to_address="moussa@example.org",
        to_name="Moussa",
        subject="Convocation",
        text="Bonjour Moussa.",
        locale="fr",
    )
    db.session.commit()
    return message


def test_starttls_is_negotiated_and_the_message_arrives(certificate, trusted, mail_config):
    handler = Collector()
    controller, port = _serve(
        handler, tls_context=_server_context(certificate), require_starttls=True
    )
    try:
        _configure(mail_config, port, "starttls")
        message = _queue()
        assert send_pending() == 1
    finally:
        controller.stop()
    assert message.status is MailStatus.SENT
    (received,) = handler.messages()
    assert received["Subject"] == "Convocation"


def test_implicit_tls_sends_the_message(certificate, trusted, mail_config):
    handler = Collector()
    controller, port = _serve(handler, ssl_context=_server_context(certificate))
    try:
        _configure(mail_config, port, "ssl")
        message = _queue()
        assert send_pending() == 1
    finally:
        controller.stop()
    assert message.status is MailStatus.SENT
    assert [m["To"] for m in handler.messages()] == ["Moussa <moussa@example.org>"]


def test_an_untrusted_certificate_is_refused_and_the_message_waits(certificate, mail_config):
    handler = Collector()
    controller, port = _serve(
        handler, tls_context=_server_context(certificate), require_starttls=True
    )
    try:
        _configure(mail_config, port, "starttls")
        message = _queue()
        assert send_pending() == 0
    finally:
        controller.stop()
    db.session.refresh(message)
    assert message.status is MailStatus.QUEUED and message.attempts == 1
    assert message.last_error.startswith("SSLCertVerificationError")
    assert handler.messages() == []
