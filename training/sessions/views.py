"""Sessions pages: list, schedule, edit, status moves, trainer assignment
and calendar feeds."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from training.auth.forms import ConfirmForm
from training.curricula.models import Curriculum
from training.domain import DomainError
from training.extensions import db
from training.people.models import Organisation, Sex, Trainer
from training.permissions import can, require
from training.sessions import services
from training.sessions.calendar import calendar_bytes
from training.sessions.forms import (
    AssignmentForm,
    CompleteSessionForm,
    ReopenSessionForm,
    SessionFilterForm,
    SessionForm,
    StatusForm,
)
from training.sessions.models import (
    Assignment,
    AssignmentRole,
    SessionKind,
    SessionLanguage,
    SessionStatus,
    TrainingSession,
)
from training.web import panels
from training.web.downloads import send_download
from training.web.errors import refuse
from training.web.history import shown_history
from training.web.loaders import load, load_child

bp = Blueprint("sessions", __name__)

PER_PAGE = 25


# Helpers -------------------------------------------------------------------


def _locale() -> str:
    return str(get_locale() or "en")


def _organisation_choices() -> list[tuple[int, str]]:
    organisations = db.session.scalars(sa.select(Organisation).order_by(Organisation.name))
    return [(organisation.id, organisation.label) for organisation in organisations]


def _session_form(training_session: TrainingSession | None = None) -> SessionForm:
    form = SessionForm(obj=training_session)
    curricula = services.schedulable_curricula(
        training_session.curriculum if training_session else None
    )
    locale = _locale()
    form.curriculum_id.choices = [
        ("", _("— Choose a curriculum —")),
        *(
            (
                curriculum.id,
                f"{curriculum.code} — {curriculum.title(locale)}",
                {"data-theme": curriculum.theme.value},
            )
            for curriculum in curricula
        ),
    ]
    form.partners.choices = _organisation_choices()
    if training_session is not None and request.method == "GET":
        form.theme.data = training_session.curriculum.theme.value
        form.kind.data = training_session.kind.value
        form.language.data = training_session.language.value
        form.partners.data = [organisation.id for organisation in training_session.partners]
    return form


def _session_values(form: SessionForm) -> dict[str, Any]:
    """The form's values as the service takes them (objects, enums)."""
    curriculum = db.session.get(Curriculum, form.curriculum_id.data)
    if curriculum is None:
        abort(400)
    partner_ids = form.partners.data or []
    partners = (
        list(db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(partner_ids))))
        if partner_ids
        else []
    )
    return {
        "curriculum": curriculum,
        "code": form.code.data,
        "kind": SessionKind(form.kind.data),
        "start_date": form.start_date.data,
        "end_date": form.end_date.data,
        "city": form.city.data,
        "country": form.country.data,
        "venue": form.venue.data,
        "language": SessionLanguage(form.language.data),
        "capacity": form.capacity.data,
        "partners": partners,
        "screening_required": form.screening_required.data,
        "send_notifications": form.send_notifications.data,
    }


def _assignment_form() -> AssignmentForm:
    form = AssignmentForm()
    trainers = db.session.scalars(sa.select(Trainer).order_by(Trainer.name))
    form.trainer_id.choices = [(trainer.id, trainer.name) for trainer in trainers]
    return form


def _render_session(
    training_session: TrainingSession,
    *,
    assignment_form: AssignmentForm | None = None,
    status: int = 200,
):
    """The session page; coordinators also get the assignment form. The
    history shows its latest events unless the whole of it is asked for."""
    manage = can(current_user, "sessions.manage")
    if manage and assignment_form is None:
        assignment_form = _assignment_form()
    history, more_history_url = shown_history(
        current_user,
        training_session,
        lambda limit: services.session_history(training_session, limit),
        "sessions.show_session",
        "history",
        session_id=training_session.id,
    )
    return render_template(
        "sessions/show.html",
        training_session=training_session,
        history=history,
        more_history_url=more_history_url,
        moves=services.allowed_moves(training_session),
        confirmed_moves=CONFIRMED_MOVES,
        reopenable=manage
        and training_session.is_completed
        and not services.reopen_refusals(training_session),
        assignment_form=assignment_form if manage else None,
        manage=manage,
        sexes=Sex,
        **panels.contributions(panels.session_page, training_session),  # enrollment counts
    ), status


# Pages ---------------------------------------------------------------------


@bp.route("/sessions")
@require("sessions.list")
def list_sessions():
    filters = SessionFilterForm(formdata=request.args)
    locale = _locale()
    curricula = db.session.scalars(sa.select(Curriculum).order_by(Curriculum.code))
    filters.curriculum.choices = [
        ("", _("Any")),
        *((str(curriculum.id), curriculum.code) for curriculum in curricula),
    ]
    if not filters.validate():
        return render_template("sessions/list.html", filters=filters, page=None, args={}), 400
    statement = services.search_sessions(
        current_user,
        status=SessionStatus(filters.status.data) if filters.status.data else None,
        country=filters.country.data or None,
        curriculum_id=int(filters.curriculum.data) if filters.curriculum.data else None,
        kind=SessionKind(filters.kind.data) if filters.kind.data else None,
        date_from=filters.date_from.data,
        date_to=filters.date_to.data,
    )
    page = db.paginate(statement, per_page=PER_PAGE, error_out=False)
    args = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template(
        "sessions/list.html",
        filters=filters,
        page=page,
        args=args,
        locale=locale,
        **panels.contributions(panels.sessions_list, page.items),  # confirmed counts
    )


@bp.route("/sessions/new", methods=["GET", "POST"])
@require("sessions.manage")
def create_session():
    form = _session_form()
    if form.validate_on_submit():
        try:
            training_session = services.create_session(actor=current_user, **_session_values(form))
        except DomainError as error:
            refuse(error, form, "code")
        else:
            db.session.commit()
            flash(_("Session %(code)s scheduled.", code=training_session.code), "success")
            return redirect(url_for("sessions.show_session", session_id=training_session.id))
    status = 422 if form.is_submitted() else 200
    return render_template("sessions/form.html", form=form, training_session=None), status


# Everything the session page shows, loaded up front in a fixed few queries.
SESSION_PAGE_LOADS = (
    joinedload(TrainingSession.curriculum).selectinload(Curriculum.modules),
    selectinload(TrainingSession.assignments).joinedload(Assignment.trainer),
    selectinload(TrainingSession.partners),
)


@bp.route("/sessions/<int:session_id>")
@require("sessions.view")
def show_session(session_id: int):
    training_session = load(
        TrainingSession, session_id, "sessions.view", options=SESSION_PAGE_LOADS
    )
    return _render_session(training_session)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@require("sessions.manage")
def edit_session(session_id: int):
    training_session = load(TrainingSession, session_id, "sessions.manage")
    form = _session_form(training_session)
    if form.validate_on_submit():
        try:
            services.update_session(training_session, actor=current_user, **_session_values(form))
        except DomainError as error:
            refuse(error, form, "code")
        else:
            db.session.commit()
            flash(_("Session %(code)s saved.", code=training_session.code), "success")
            return redirect(url_for("sessions.show_session", session_id=training_session.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "sessions/form.html", form=form, training_session=training_session
    ), status


# The moves that ask first, on their own page.
CONFIRMED_MOVES = {
    SessionStatus.COMPLETED: "sessions.complete_session",
    SessionStatus.CANCELLED: "sessions.cancel_session",
}


@bp.route("/sessions/<int:session_id>/status", methods=["POST"])
@require("sessions.manage")
def change_status(session_id: int):
    """The light moves (open, in progress). Completing and cancelling ask
    first: a request for them is sent to their confirmation page."""
    training_session = load(TrainingSession, session_id, "sessions.manage")
    form = StatusForm()
    if not form.validate_on_submit():
        flash(_("This status does not exist."), "danger")
        return _render_session(training_session, status=400)
    new_status = SessionStatus(form.status.data)
    if new_status in CONFIRMED_MOVES and new_status in services.allowed_moves(training_session):
        return redirect(url_for(CONFIRMED_MOVES[new_status], session_id=session_id), 303)
    try:
        services.change_status(training_session, new_status, actor=current_user)
    except DomainError as error:
        refuse(error)
        return _render_session(training_session, status=409)
    db.session.commit()
    _flash_status(training_session)
    return redirect(url_for("sessions.show_session", session_id=session_id))


def _flash_status(training_session: TrainingSession) -> None:
    flash(
        _(
            "Session %(code)s is now “%(status)s”.",
            code=training_session.code,
            status=training_session.status.label,
        ),
        "success",
    )


def _move_refused(training_session: TrainingSession, new_status: SessionStatus):
    """Back to the session page, saying why the move cannot be made now."""
    flash(
        _(
            "A session cannot move from “%(current)s” to “%(new)s”.",
            current=training_session.status.label,
            new=new_status.label,
        ),
        "warning",
    )
    return redirect(url_for("sessions.show_session", session_id=training_session.id))


@bp.route("/sessions/<int:session_id>/complete", methods=["GET", "POST"])
@require("sessions.manage")
def complete_session(session_id: int):
    """The checklist, then completion once each open item is ticked."""
    training_session = load(TrainingSession, session_id, "sessions.manage")
    if SessionStatus.COMPLETED not in services.allowed_moves(training_session):
        return _move_refused(training_session, SessionStatus.COMPLETED)
    form = CompleteSessionForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.change_status(
                training_session,
                SessionStatus.COMPLETED,
                actor=current_user,
                acknowledged=form.acknowledged.data or (),
            )
        except DomainError as error:
            refuse(error)
            if SessionStatus.COMPLETED not in services.allowed_moves(training_session):
                return _move_refused(training_session, SessionStatus.COMPLETED)
            status = 409
        else:
            db.session.commit()
            _flash_status(training_session)
            return redirect(url_for("sessions.show_session", session_id=session_id))
    elif form.is_submitted():
        status = 400
    return render_template(
        "sessions/complete.html",
        training_session=training_session,
        checklist=services.closing_checklist(training_session),
        ticked=set(form.acknowledged.data or ()),
    ), status


@bp.route("/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@require("sessions.manage")
def cancel_session(session_id: int):
    """What cancelling means, then the cancellation."""
    training_session = load(TrainingSession, session_id, "sessions.manage")
    if SessionStatus.CANCELLED not in services.allowed_moves(training_session):
        return _move_refused(training_session, SessionStatus.CANCELLED)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        try:
            services.change_status(training_session, SessionStatus.CANCELLED, actor=current_user)
        except DomainError as error:
            refuse(error)
            return redirect(url_for("sessions.show_session", session_id=session_id))
        db.session.commit()
        _flash_status(training_session)
        return redirect(url_for("sessions.show_session", session_id=session_id))
    return render_template("sessions/cancel.html", training_session=training_session)


@bp.route("/sessions/<int:session_id>/reopen", methods=["GET", "POST"])
@require("sessions.manage")
def reopen_session(session_id: int):
    """A completed session back to in progress, with a written reason, as
    long as no certificate is issued for it."""
    training_session = load(TrainingSession, session_id, "sessions.manage")
    if not training_session.is_completed:
        flash(_("Only a completed session can be reopened."), "warning")
        return redirect(url_for("sessions.show_session", session_id=session_id))
    form = ReopenSessionForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.reopen_session(
                training_session, actor=current_user, reason=form.reason.data or ""
            )
        except DomainError as error:
            refuse(error, form, "reason")
            status = 409
        else:
            db.session.commit()
            flash(
                _(
                    "Session %(code)s is reopened: it is in progress again.",
                    code=training_session.code,
                ),
                "success",
            )
            return redirect(url_for("sessions.show_session", session_id=session_id))
    elif form.is_submitted():
        status = 422
    return render_template(
        "sessions/reopen.html",
        training_session=training_session,
        form=form,
        refusals=services.reopen_refusals(training_session),
    ), status


@bp.route("/sessions/<int:session_id>/trainers", methods=["POST"])
@require("sessions.manage")
def assign_trainer(session_id: int):
    training_session = load(TrainingSession, session_id, "sessions.manage")
    form = _assignment_form()
    if not form.validate_on_submit():
        return _render_session(training_session, assignment_form=form, status=422)
    trainer = db.session.get(Trainer, form.trainer_id.data)
    if trainer is None:
        abort(400)
    try:
        services.assign_trainer(
            training_session,
            trainer,
            AssignmentRole(form.role.data),
            actor=current_user,
            override_reason=form.override_reason.data,
        )
    except DomainError as error:
        refuse(error, form, "trainer_id")
        status = 409 if isinstance(error, services.TrainerClash) else 422
        return _render_session(training_session, assignment_form=form, status=status)
    db.session.commit()
    flash(
        _("%(trainer)s assigned to %(code)s.", trainer=trainer.name, code=training_session.code),
        "success",
    )
    return redirect(url_for("sessions.show_session", session_id=session_id, _anchor="trainers"))


@bp.route("/sessions/<int:session_id>/trainers/<int:assignment_id>/remove", methods=["GET", "POST"])
@require("sessions.manage")
def remove_assignment(session_id: int, assignment_id: int):
    """What taking the trainer off the session means, then the removal."""
    training_session = load(TrainingSession, session_id, "sessions.manage")
    assignment = load_child(Assignment, assignment_id, training_session.id, "session_id")
    if request.method == "GET":
        return render_template(
            "sessions/remove_trainer.html",
            training_session=training_session,
            assignment=assignment,
        )
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = assignment.trainer.name
    services.remove_assignment(assignment, actor=current_user)
    db.session.commit()
    flash(
        _("%(trainer)s removed from %(code)s.", trainer=name, code=training_session.code), "success"
    )
    return redirect(url_for("sessions.show_session", session_id=session_id, _anchor="trainers"))


# Calendars -----------------------------------------------------------------


CALENDAR_MIMETYPE = "text/calendar; charset=utf-8"


@bp.route("/sessions.ics")
@require("calendar.view")
def calendar_feed():
    sessions = services.calendar_sessions(current_user)
    payload = calendar_bytes(sessions, _locale(), _("Atelier sessions"))
    return send_download(payload, "atelier-sessions.ics", CALENDAR_MIMETYPE)


@bp.route("/sessions/<int:session_id>.ics")
@require("calendar.view")
def session_calendar(session_id: int):
    training_session = load(TrainingSession, session_id, "calendar.view")
    payload = calendar_bytes([training_session], _locale(), training_session.code)
    return send_download(payload, f"session-{training_session.id}.ics", CALENDAR_MIMETYPE)
