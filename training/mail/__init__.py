"""Mail: an outbox written in the caller's transaction, sent afterwards.

`services.queue_mail` adds a message to the transaction that caused it (a
rollback leaves none); `sender.send_pending` claims due messages and sends
them over SMTP, with retries and back-off; `worker` wakes a background
thread after a commit that queued mail. Without ATELIER_MAIL_HOST nothing is
sent and an administrator reads the kept messages at /admin/mail.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wake the sending thread after each commit that queued mail (once per
    process: the session factory is shared by every app built from `db`)."""
    from training.mail import worker

    worker.init_app(app)
