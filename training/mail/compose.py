"""Composing the messages Atelier sends: one template pair per message (plain
text and HTML), rendered in the recipient's language, with links whose host
comes from ATELIER_PUBLIC_URL and never from the request.

    compose_mail(
        "invitation",
        to_address=user.email, to_name=user.name, locale=user.locale,
        subject=_l("Your Atelier account"),
        kind="auth.invitation", reference=f"user:{user.id}",
        link=link,
    )

renders `templates/mail/messages/invitation.txt` and `invitation.html`
(which extends `_layout.html`: inline styles, nothing loaded from the
internet, no tracking) and queues the result in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale

from training.mail.models import OutboxMessage
from training.mail.services import MAIL_LOCALES, Attachment, queue_mail


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute link to `endpoint` on ATELIER_PUBLIC_URL. Built from the URL
    map alone, so that a forged Host header can never end up in a message
    (password-reset poisoning)."""
    base = (current_app.config.get("ATELIER_PUBLIC_URL") or "").rstrip("/")
    if not base:
        raise RuntimeError("ATELIER_PUBLIC_URL is not set: links in mail need it.")
    adapter = current_app.url_map.bind("atelier.invalid", script_name="/")
    return f"{base}{adapter.build(endpoint, values)}"


def recipient_locale(*preferences: str | None) -> str:
    """The first of `preferences` that mail is written in (the person's own
    choice, then the session's language), else the configured default."""
    for locale in preferences:
        if locale in MAIL_LOCALES:
            return locale
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")
    return default if default in MAIL_LOCALES else "fr"


def render_mail(
    template: str, *, locale: str, subject: Any, **context: Any
) -> tuple[str, str, str]:
    """(subject, text, html) of `template` in `locale`. `subject` may be a lazy
    string: it is read inside the recipient's language."""
    with force_locale(locale):
        subject_text = str(subject)
        context = {"subject": subject_text, "locale": locale, **context}
        text = render_template(f"mail/messages/{template}.txt", **context)
        html = render_template(f"mail/messages/{template}.html", **context)
    return subject_text, text, html


def compose_mail(
    template: str,
    *,
    to_address: str,
    to_name: str,
    locale: str,
    subject: Any,
    kind: str,
    reference: str | None = None,
    attachments: Sequence[Attachment] = (),
    **context: Any,
) -> OutboxMessage:
    """Render `template` for one recipient and queue it (no commit), with
    its `attachments`."""
    subject_text, text, html = render_mail(
        template, locale=locale, subject=subject, recipient_name=to_name, **context
    )
    return queue_mail(
        to_address=to_address,
        to_name=to_name,
        subject=subject_text,
        text=text,
        html=html,
        locale=locale,
        kind=kind,
        reference=reference,
        attachments=attachments,
    )
