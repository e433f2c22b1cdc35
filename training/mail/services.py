"""Writing mail: a message joins the caller's transaction, and nothing else.

`queue_mail` never commits and never sends: the message is kept with the
change that caused it (a rollback leaves none) and the sender delivers it
after the commit. Headers are built by the standard library's
`email.message.EmailMessage` from cleaned values, never by concatenating
strings, so a name or a subject holding a line break cannot add a header.
Attachments (a convocation letter) are kept beside the message, in the same
transaction, and sent as parts of a multipart/mixed message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import gettext as _

from training.domain import DomainError
from training.extensions import db
from training.mail.models import MailStatus, OutboxAttachment, OutboxMessage
from training.text import clean

# The languages mail is written in (each message's templates, through the catalogs).
MAIL_LOCALES = ("fr", "en", "ar")
MAX_SUBJECT = 300
MAX_NAME = 200
MAX_FILENAME = 200
# What one message may carry in all: far above a letter, well below what
# mail servers refuse (often 10 to 25 MB, base64 included).
MAX_ATTACHMENTS_BYTES = 7 * 1024 * 1024
_CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,40}/[a-z0-9][a-z0-9!#$&^_.+-]{0,50}$")


@dataclass(frozen=True)
class Attachment:
    """A file to send with a message: its name as the recipient sees it,
    its MIME type and its bytes."""

    filename: str
    content_type: str
    data: bytes


def _attachment(attachment: Attachment) -> OutboxAttachment:
    """The stored attachment: a one-line name, a plain `type/subtype`
    (anything else is sent as application/octet-stream)."""
    filename = clean(attachment.filename).replace("/", "-").replace("\\", "-")[:MAX_FILENAME]
    content_type = attachment.content_type.strip().lower()
    if not _CONTENT_TYPE.match(content_type):
        content_type = "application/octet-stream"
    return OutboxAttachment(
        filename=filename or "attachment",
        content_type=content_type,
        data=bytes(attachment.data),
        size=len(attachment.data),
    )


def _address(address: str) -> str:
    """A single plain address (local@domain), or a DomainError: nothing that
    could carry a second recipient or a header."""
    address = (address or "").strip()
    if (
        not address
        or len(address) > 254
        or any(ord(character) < 33 or character in ',;<>()"\\' for character in address)
        or address.count("@") != 1
    ):
        raise DomainError(_("This email address cannot receive mail."), "email")
    local, domain = address.split("@")
    if not local or not domain or "." not in domain:
        raise DomainError(_("This email address cannot receive mail."), "email")
    return address


def configured_sender() -> tuple[str, str]:
    """(name, address) of ATELIER_MAIL_SENDER ("Atelier <atelier@example.org>")."""
    value = current_app.config.get("ATELIER_MAIL_SENDER") if has_app_context() else None
    name, address = parseaddr(value or "")
    return clean(name)[:MAX_NAME], address or "atelier@localhost"


def queue_mail(
    *,
    to_address: str,
    to_name: str = "",
    subject: str,
    text: str,
    html: str | None = None,
    locale: str = "fr",
    kind: str | None = None,
    reference: str | None = None,
    attachments: Sequence[Attachment] = (),
) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction (no commit,
    no sending), with its attachments. Names and subject are cleaned to one
    line; attachments larger than MAX_ATTACHMENTS_BYTES in all are refused."""
    if sum(len(attachment.data) for attachment in attachments) > MAX_ATTACHMENTS_BYTES:
        raise DomainError(_("The attachments are too large to be sent by mail."))
    sender_name, sender_address = configured_sender()
    message = OutboxMessage(
        to_address=_address(to_address),
        to_name=clean(to_name)[:MAX_NAME],
        sender=str(Address(sender_name, addr_spec=sender_address)),
        subject=clean(subject)[:MAX_SUBJECT] or "Atelier",
        text_body=clean(text, multiline=True),
        html_body=html.replace("\x00", "") if html else None,
        locale=locale if locale in MAIL_LOCALES else "fr",
        kind=kind,
        reference=reference,
        status=MailStatus.QUEUED,
        attempts=0,
        next_attempt_at=datetime.now(UTC),
        attachments=[_attachment(attachment) for attachment in attachments],
    )
    db.session.add(message)
    db.session.info["atelier_mail_queued"] = True  # the worker wakes after commit
    return message


def build_email(message: OutboxMessage) -> EmailMessage:
    """The message as sent: plain text, and HTML as its alternative, then
    each attachment (multipart/mixed). Headers come from the stdlib's header
    registry (which refuses line breaks)."""
    email = EmailMessage()
    sender_name, sender_address = parseaddr(message.sender)
    email["From"] = Address(clean(sender_name), addr_spec=sender_address or "atelier@localhost")
    email["To"] = Address(clean(message.to_name), addr_spec=message.to_address)
    email["Subject"] = clean(message.subject)
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain=(sender_address or "localhost").rpartition("@")[2])
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.text_body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    for attachment in message.attachments:
        maintype, _slash, subtype = attachment.content_type.partition("/")
        email.add_attachment(
            attachment.data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=clean(attachment.filename) or "attachment",
        )
    # Set last: making the message multipart moves Content-* headers into
    # its first part.
    email["Content-Language"] = message.locale
    return email


def retry(message: OutboxMessage) -> None:
    """A failed message goes back to the queue, due now, with its attempts
    counted afresh (an administrator fixed what made it fail)."""
    if message.status is not MailStatus.FAILED:
        raise DomainError(_("Only a failed message can be sent again."))
    message.status = MailStatus.QUEUED
    message.attempts = 0
    message.next_attempt_at = datetime.now(UTC)
    db.session.info["atelier_mail_queued"] = True


def counts() -> dict[MailStatus, int]:
    """How many messages are in each state."""
    rows = db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
    )
    found = {status: 0 for status in MailStatus}
    found.update({status: number for status, number in rows})
    return found
