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

from training.audit.history import history_rows, readable_events
from training.auth.forms import ConfirmForm
from training.curricula.models import Curriculum
from training.domain import DomainError
from training.extensions import db
from training.people.models import Organisation, Sex, Trainer
from training.permissions import can, require
from training.sessions import services
from training.sessions.calendar import calendar_bytes
from training.sessions.forms import AssignmentForm, SessionFilterForm, SessionForm, StatusForm
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
from training.web.loaders import load, load_child

bp = Blueprint("sessions", __name__)

PER_PAGE = 25
HISTORY_ROWS = 30


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
        (curriculum.id, f"{curriculum.code} — {curriculum.title(locale)}")
        for curriculum in curricula
    ]
    form.partners.choices = _organisation_choices()
    if training_session is not None and request.method == "GET":
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
    whole_history = request.args.get("history") == "all"
    limit = None if whole_history else HISTORY_ROWS
    everything = can(current_user, "history.view_all")
    # A trainer's share is chosen from the whole trail, then cut to the limit.
    events, more = services.session_history(training_session, limit=limit if everything else None)
    if not everything:
        events = readable_events(current_user, training_session, events)
        more = limit is not None and len(events) > limit
        events = events[:limit]
    more_url = (
        url_for(
            "sessions.show_session",
            session_id=training_session.id,
            history="all",
            _anchor="history",
        )
        if more
        else None
    )
    return render_template(
        "sessions/show.html",
        training_session=training_session,
        history=history_rows(events, current_user),
        more_history_url=more_url,
        moves=services.allowed_moves(training_session),
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


@bp.route("/sessions/<int:session_id>/status", methods=["POST"])
@require("sessions.manage")
def change_status(session_id: int):
    training_session = load(TrainingSession, session_id, "sessions.manage")
    form = StatusForm()
    if not form.validate_on_submit():
        flash(_("This status does not exist."), "danger")
        return _render_session(training_session, status=400)
    try:
        services.change_status(
            training_session, SessionStatus(form.status.data), actor=current_user
        )
    except DomainError as error:
        refuse(error)
        return _render_session(training_session, status=409)
    db.session.commit()
    flash(
        _(
            "Session %(code)s is now “%(status)s”.",
            code=training_session.code,
            status=training_session.status.label,
        ),
        "success",
    )
    return redirect(url_for("sessions.show_session", session_id=session_id))


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


@bp.route("/sessions/<int:session_id>/trainers/<int:assignment_id>/remove", methods=["POST"])
@require("sessions.manage")
def remove_assignment(session_id: int, assignment_id: int):
    training_session = load(TrainingSession, session_id, "sessions.manage")
    assignment = load_child(Assignment, assignment_id, training_session.id, "session_id")
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
