"""The outbox, for administrators: every message, its state and its error."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from training.domain import DomainError
from training.extensions import db
from training.mail import sender, services
from training.mail.models import MailStatus, OutboxAttachment, OutboxMessage
from training.permissions import require
from training.web.downloads import send_download
from training.web.errors import refuse
from training.web.forms import CleanForm
from training.web.loaders import load, load_child

bp = Blueprint("mail", __name__)

# Attachment types served as they are; any other is served as bytes to save
# (an HTML file, say, is never opened as a page of Atelier).
SERVED_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "text/calendar"})


class RetryForm(CleanForm):
    """An empty form: the retry button protected by its CSRF token."""


@bp.route("/admin/mail")
@require("mail.view")
def outbox():
    status = request.args.get("status", "")
    statement = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in {member.value for member in MailStatus}:
        statement = statement.where(OutboxMessage.status == MailStatus(status))
    else:
        status = ""
    page = db.paginate(statement, per_page=50, error_out=False)
    return render_template(
        "mail/outbox.html",
        page=page,
        status=status,
        statuses=list(MailStatus),
        counts=services.counts(),
        configured=sender.is_configured(),
        form=RetryForm(),
    )


@bp.route("/admin/mail/<int:message_id>")
@require("mail.view")
def message(message_id: int):
    found = load(OutboxMessage, message_id, "mail.view")
    return render_template(
        "mail/message.html",
        message=found,
        configured=sender.is_configured(),
        form=RetryForm(),
    )


@bp.route("/admin/mail/<int:message_id>/retry", methods=["POST"])
@require("mail.view")
def retry(message_id: int):
    found = load(OutboxMessage, message_id, "mail.view")
    if RetryForm().validate_on_submit():
        try:
            services.retry(found)
        except DomainError as error:
            refuse(error)
        else:
            db.session.commit()
            flash(_("The message is queued to be sent again."), "success")
    return redirect(url_for("mail.message", message_id=found.id))


@bp.route("/admin/mail/<int:message_id>/attachments/<int:attachment_id>")
@require("mail.view")
def attachment(message_id: int, attachment_id: int):
    """An attachment of a message, as it was sent."""
    load(OutboxMessage, message_id, "mail.view")
    found = load_child(OutboxAttachment, attachment_id, message_id, "message_id", "mail.view")
    mimetype = (
        found.content_type if found.content_type in SERVED_TYPES else "application/octet-stream"
    )
    return send_download(found.data, found.filename, mimetype)
