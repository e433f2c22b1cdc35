"""The web layer's side of errors: the application's error pages, and the
one way a view refuses a broken rule (`refuse`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Flask, flash, g, has_request_context, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from training.domain import DomainError
from training.extensions import db
from training.text import clean
from training.transactions import writing


def show_on_form(form, error: DomainError, default_field: str) -> None:
    """Put a broken rule's message next to the field it concerns (the
    error's own field when the form has it, else `default_field`), and in
    the summary at the top of the page."""
    name = error.field if error.field in _field_names(form) else default_field
    field = getattr(form, name)
    field.errors = [*field.errors, error.message]
    note_form_errors(form)


def note_form_errors(form) -> None:
    """Remember a posted form that came back wrong (invalid, or refused by a
    rule): the page that shows it again opens with the list of its errors,
    each linked to its field (templates/macros/_error_summary.html), so a
    refusal is seen however far down the page its form is."""
    if not has_request_context() or request.method in ("GET", "HEAD"):
        return
    noted = g.setdefault("forms_with_errors", [])
    if not any(form is other for other in noted):
        noted.append(form)


def form_error_summary() -> list[tuple[str | None, str, str]]:
    """(the field's id to link to, or None for a hidden one; its label; the
    message) of each error of the forms noted in this request."""
    summary: list[tuple[str | None, str, str]] = []
    for form in g.get("forms_with_errors", []):
        for field in form:
            messages = [error for error in field.errors if isinstance(error, str)]
            hidden = field.type in ("CSRFTokenField", "HiddenField")
            for message in messages:
                summary.append((None if hidden else field.id, str(field.label.text), message))
    return summary


def refuse(error: DomainError, form=None, field: str | None = None) -> None:
    """A service refused: nothing of the request is kept (rollback), and the
    user reads why, next to the form field it concerns (the error's own
    field when the form has it, else `field`), else in a flash."""
    db.session.rollback()
    target = error.field if form is not None and error.field in _field_names(form) else field
    if form is not None and target is not None:
        show_on_form(form, error, target)
    else:
        flash(error.message, "danger")


def _field_names(form) -> set[str]:
    return set(getattr(form, "_fields", {}))


def wants_json() -> bool:
    """The request comes from a page's script that reads JSON (the attendance
    sync), not from a browser opening a page: it sends JSON, or asks for JSON
    before HTML."""
    if request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def json_error(error: str, message: str, status: int, **extra: object):
    """A refusal a script reads: `{"error": <what>, "message": <why,
    translated>, ...}` with its status; a 403 leaves an audit row as the
    refused pages do."""
    if status == 403:
        _audit_refusal()
    return jsonify(error=error, message=message, **extra), status


REFUSAL_AUDIT_WINDOW = timedelta(minutes=1)


def _audit_refusal() -> None:
    """A refused request leaves an audit row: who tried to open what. One
    row per user (or address) and path per minute, counting the refusals,
    so hammering a refused page cannot grow the table at request rate."""
    from flask_login import current_user

    from training.audit.models import AuditEvent
    from training.audit.services import record_event

    db.session.rollback()
    with writing():  # a transaction of its own, with the write lock (SQLite)
        actor = current_user if current_user.is_authenticated else None
        path, address = clean(request.path)[:200], (request.remote_addr or "")[:45]
        now = datetime.now(UTC)
        after = AuditEvent.changes["after"]
        same = db.session.scalars(
            sa.select(AuditEvent)
            .where(
                AuditEvent.action == "access.refused",
                AuditEvent.occurred_at > now - REFUSAL_AUDIT_WINDOW,
                AuditEvent.actor_id == actor.id if actor else AuditEvent.actor_id.is_(None),
                after["path"].as_string() == path,
                after["address"].as_string() == address,
            )
            .order_by(AuditEvent.id.desc())
            .limit(1)
        ).first()
        if same is not None:
            previous = same.changes.get("after", {})
            same.changes = {
                **same.changes,
                "after": {
                    **previous,
                    "count": previous.get("count", 1) + 1,
                    "last": now.isoformat(),
                },
            }
        else:
            record_event(
                "access.refused",
                actor=actor,
                entity_type="route",
                after={
                    "method": request.method,
                    "path": path,
                    "endpoint": request.endpoint,
                    "address": address,
                    "count": 1,
                },
            )
        db.session.commit()


def register_error_pages(app: Flask) -> None:
    app.add_template_global(form_error_summary)
    titles = {
        400: lambda: _("Bad request"),
        403: lambda: _("Access refused"),
        404: lambda: _("Page not found"),
        405: lambda: _("Method not allowed"),
        413: lambda: _("File too large"),
        429: lambda: _("Too many attempts"),
        500: lambda: _("Something went wrong"),
        503: lambda: _("Atelier is briefly unavailable"),
    }
    explanations = {
        400: lambda: _(
            "The request could not be understood. Check what you entered and try again."
        ),
        403: lambda: _("You do not have permission to open this page."),
        404: lambda: _("This page does not exist, or it has been moved."),
        405: lambda: _("This address does not accept that kind of request."),
        413: lambda: _("The file you sent is larger than the limit of 5 MB."),
        429: lambda: _("Too many attempts in a short time. Wait a minute, then try again."),
        500: lambda: _("The error has been recorded. Please try again in a moment."),
        503: lambda: _(
            "Atelier cannot reach its database just now. Nothing you sent in this request "
            "was saved: try again in a minute."
        ),
    }

    def render_error(code: int, detail: str | None = None):
        title = titles.get(code, titles[500])()
        explanation = detail or explanations.get(code, explanations[500])()
        return render_template(
            "errors/error.html", code=code, title=title, explanation=explanation
        ), code

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        # A CSRF failure carries its own, clearer description.
        detail = None
        if error.code == 400 and "CSRF" in (error.description or ""):
            detail = _(
                "Your form expired or was sent from elsewhere. Reload the page and try again."
            )
        if request.path.startswith("/static/"):
            return error
        if wants_json():
            name = "csrf" if detail else error.name.lower().replace(" ", "_")
            explain = explanations.get(error.code)
            message = detail or (explain() if explain else error.description or error.name)
            return json_error(name, message, error.code)
        if error.code == 403:
            _audit_refusal()
        return render_error(error.code, detail)

    @app.errorhandler(DataError)
    def value_refused(error: DataError):
        # A value the database cannot hold (a number past INTEGER, a date out
        # of range) that slipped past the forms: the request's fault, not a
        # crash. Nothing of the request is kept.
        db.session.rollback()
        app.logger.warning(
            "Value refused by the database on %s: %s",
            request.path.replace("\n", "\\n"),
            type(error.orig).__name__,
        )
        return render_error(400)

    @app.errorhandler(DBAPIError)
    def database_unavailable(error: DBAPIError):
        # The database is restarting, unreachable or busy: nothing of this
        # request was committed. Say so with a 503 (a proxy may retry, the
        # user is told to), and render without asking the database who the
        # user is. The pool checks each connection before use
        # (pool_pre_ping), so the next request reconnects by itself.
        if not isinstance(error, OperationalError) and not error.connection_invalidated:
            return unhandled_error(error)
        try:
            db.session.rollback()
        except DBAPIError:
            db.session.remove()
        app.logger.error(
            "Database unavailable on %s: %s",
            request.path.replace("\n", "\\n"),
            type(error.orig).__name__,
        )
        from training.extensions import login_manager

        g._login_user = login_manager.anonymous_user()
        if wants_json():
            response = json_error("database_unavailable", explanations[503](), 503)
        else:
            response = render_error(503)
        body, status = response
        result = app.make_response((body, status))
        result.headers["Retry-After"] = "30"
        return result

    @app.errorhandler(500)
    def internal_error(error: Exception):
        db.session.rollback()
        return render_error(500)

    @app.errorhandler(Exception)
    def unhandled_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("Unhandled error on %s", request.path.replace("\n", "\\n"))
        db.session.rollback()
        return render_error(500)
