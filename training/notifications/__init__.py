"""Mail to the people a change concerns: a nominee confirmed or placed on
the waiting list (with the convocation letter), a participant whose
certificate is issued (with its verification link, never the PDF), a
trainer assigned to or removed from a session.

The areas announce their changes with blinker signals (enrollment,
certificates and sessions `signals.py`); this package, above them all,
listens and writes each message into the outbox in the same transaction as
the change (`training.mail`): a rollback leaves no mail. Nothing is written
for a session whose notifications are off, nor to someone without an email
address. Receivers are connected by create_app (`init_app`).
"""

from __future__ import annotations

from flask import Flask

from training.notifications.messages import silenced

__all__ = ["init_app", "silenced"]


def init_app(app: Flask) -> None:
    from training.notifications import receivers

    receivers.connect()
