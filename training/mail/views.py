"""The outbox, for administrators: every message, its state and its error."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from training.domain import DomainError
from training.extensions import db
from training.mail import sender, services
from training.mail.models import MailStatus, OutboxMessage
from training.permissions import require
from training.web.errors import refuse
from training.web.forms import CleanForm
from training.web.loaders import load

bp = Blueprint("mail", __name__)


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
