"""A real SMTP server on a free loopback port (aiosmtpd), and the app
configured to send to it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


class Collector:
    """Keeps every message it accepts; refuses the next `refusals` with a
    temporary error (451), or every one while `refuse_all` is set."""

    def __init__(self) -> None:
        self.envelopes: list = []
        self.refusals = 0
        self.refuse_all = False

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_all or self.refusals > 0:
            self.refusals = max(self.refusals - 1, 0)
            return "451 4.3.0 Try again later"
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def messages(self) -> list[EmailMessage]:
        return [
            message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[misc]
            for envelope in self.envelopes
        ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Collector, int]]:
    handler = Collector()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def mail_config(app):
    """Put the app's mail settings back after the test."""
    keys = [key for key in app.config if key.startswith("ATELIER_MAIL_")]
    saved = {key: app.config[key] for key in keys}
    yield app.config
    from training.mail import worker

    worker.stop()
    app.config.update(saved)


@pytest.fixture
def smtp(smtp_server, mail_config) -> Collector:
    """The app sends to the local server, without TLS."""
    handler, port = smtp_server
    mail_config.update(
        ATELIER_MAIL_HOST="127.0.0.1",
        ATELIER_MAIL_PORT=port,
        ATELIER_MAIL_TLS="none",
        ATELIER_MAIL_SENDER="Atelier Sahel <atelier@example.org>",
        ATELIER_MAIL_MAX_ATTEMPTS=3,
    )
    return handler
