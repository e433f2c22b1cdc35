"""Participants (with their screening) and the trainer registry."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from training.audit.history import history_rows
from training.audit.models import AuditEvent
from training.auth.forms import ConfirmForm
from training.auth.views import safe_next
from training.curricula.models import Curriculum, CurriculumStatus
from training.domain import DomainError
from training.extensions import db
from training.people import screening, services
from training.people.forms import (
    BulkScreeningForm,
    ParticipantForm,
    QualificationForm,
    ScreeningForm,
    TrainerForm,
)
from training.people.models import (
    Organisation,
    Participant,
    ScreeningFramework,
    ScreeningStatus,
    Sex,
    Trainer,
    TrainerQualification,
)
from training.permissions import require
from training.web import panels
from training.web.errors import refuse
from training.web.forms import country_select_choices
from training.web.loaders import load, load_child

bp = Blueprint("people", __name__)

PER_PAGE = 50


@bp.app_template_global()
def screening_state(participant: Participant, on: date | None = None) -> str:
    """The participant's screening badge state (see screening.screening_state);
    a template global so that `people/_macros.html` works when imported."""
    return screening.screening_state(participant, on)


def _organisation(organisation_id: int | None) -> Organisation | None:
    return db.session.get(Organisation, organisation_id) if organisation_id else None


def participant_details(form: ParticipantForm) -> services.ParticipantDetails:
    """The form's fields as the service's plain values (used by enrollment's
    nominate-a-new-participant page too)."""
    return services.ParticipantDetails(
        given_name=form.given_name.data or "",
        family_name=form.family_name.data or "",
        name_ar=form.name_ar.data,
        sex=Sex(form.sex.data),
        nationality=form.nationality.data or None,
        organisation=_organisation(form.organisation_id.data),
        rank=form.rank.data,
        function=form.function.data,
        email=form.email.data,
        phone=form.phone.data,
        consent=bool(form.consent.data),
    )


# --- participants ---------------------------------------------------------------


@bp.route("/participants")
@require("participants.view")
def list_participants():
    query = request.args.get("q", "").strip()
    country = request.args.get("country", "").strip().upper()
    organisation_id = request.args.get("organisation", type=int)
    sex = request.args.get("sex", "")
    sex = sex if sex in {member.value for member in Sex} else ""
    statement = services.participant_search(
        query, country=country or None, organisation_id=organisation_id, sex=sex or None
    ).options(selectinload(Participant.organisation), selectinload(Participant.screenings))
    page = db.paginate(statement, per_page=PER_PAGE, error_out=False)
    return render_template(
        "people/participants.html",
        page=page,
        query=query,
        country=country,
        organisation_id=organisation_id,
        sex=sex,
        organisations=services.organisations(),
        countries=country_select_choices(("", _("All nationalities"))),
        sexes=list(Sex),
    )


@bp.route("/participants/new", methods=["GET", "POST"])
@require("participants.manage")
def create_participant() -> ResponseReturnValue:
    form = ParticipantForm()
    duplicates: list[Participant] = []
    if form.validate_on_submit():
        try:
            participant = services.create_participant(
                participant_details(form),
                actor=current_user,
                allow_duplicate=bool(form.create_anyway.data),
            )
        except services.DuplicateParticipant as error:
            refuse(error, form, "create_anyway")
            duplicates = error.matches
        except DomainError as error:
            refuse(error, form, "given_name")
        else:
            db.session.commit()
            flash(_("Participant %(name)s registered.", name=participant.full_name), "success")
            return redirect(url_for("people.show_participant", participant_id=participant.id))
    status = 409 if duplicates else (400 if form.errors else 200)
    return render_template(
        "people/participant_form.html", form=form, participant=None, duplicates=duplicates
    ), status


def _render_participant(participant: Participant, screening_form: ScreeningForm, status: int = 200):
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.participant_id == participant.id)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(200)
    ).all()
    screenings = sorted(
        participant.screenings,
        key=lambda record: (record.screened_on or date.min, record.id),
        reverse=True,
    )
    return render_template(
        "people/participant.html",
        participant=participant,
        history=history_rows(events),
        screenings=screenings,
        screening_form=screening_form,
        **panels.contributions(panels.participant_page, participant),  # its trainings
    ), status


@bp.route("/participants/<int:participant_id>")
@require("participants.view")
def show_participant(participant_id: int):
    participant = load(Participant, participant_id, "participants.view")
    return _render_participant(participant, ScreeningForm(formdata=None, screened_on=date.today()))


@bp.route("/participants/<int:participant_id>/edit", methods=["GET", "POST"])
@require("participants.manage")
def edit_participant(participant_id: int):
    participant = load(Participant, participant_id, "participants.manage")
    form = ParticipantForm(obj=participant)
    if request.method == "GET":
        form.organisation_id.data = participant.organisation_id or 0
        form.nationality.data = participant.nationality or ""
        form.consent.data = participant.consent_recorded_at is not None
    duplicates: list[Participant] = []
    if form.validate_on_submit():
        try:
            services.update_participant(participant, participant_details(form), actor=current_user)
        except DomainError as error:
            refuse(error, form, "given_name")
        else:
            db.session.commit()
            flash(_("Participant %(name)s saved.", name=participant.full_name), "success")
            return redirect(url_for("people.show_participant", participant_id=participant.id))
    return render_template(
        "people/participant_form.html", form=form, participant=participant, duplicates=duplicates
    ), (400 if form.errors else 200)


@bp.route("/participants/<int:participant_id>/screenings", methods=["POST"])
@require("screening.manage")
def record_screening(participant_id: int):
    participant = load(Participant, participant_id, "screening.manage")
    form = ScreeningForm()
    if form.validate_on_submit():
        try:
            services.record_screening(
                participant,
                framework=ScreeningFramework(form.framework.data),
                status=ScreeningStatus(form.status.data),
                screened_on=form.screened_on.data,
                valid_until=form.valid_until.data,
                reference=form.reference.data,
                notes=form.notes.data,
                actor=current_user,
            )
        except DomainError as error:
            refuse(error, form, "status")
        else:
            db.session.commit()
            flash(_("Screening result recorded."), "success")
            return redirect(url_for("people.show_participant", participant_id=participant.id))
    return _render_participant(participant, form, 400)


MAX_BULK_SCREENING = 500


@bp.route("/participants/screenings/new", methods=["GET", "POST"])
@require("screening.manage")
def record_screenings():
    """One screening result for several participants (a vetting list's
    answer): the participants come ticked from a list, by id."""
    form = BulkScreeningForm(formdata=request.form if request.method == "POST" else request.args)
    ids = sorted(set(form.participant_id.data or []))
    if form.participant_id.errors or not ids:
        flash(_("Tick the participants whose screening result you are recording."), "danger")
        back = safe_next(request.values.get("next")) or url_for("people.list_participants")
        return redirect(back)
    if len(ids) > MAX_BULK_SCREENING:
        abort(400)
    participants = db.session.scalars(
        sa.select(Participant)
        .where(Participant.id.in_(ids))
        .options(selectinload(Participant.organisation), selectinload(Participant.screenings))
        .order_by(Participant.family_name, Participant.given_name)
    ).all()
    if len(participants) != len(ids):
        abort(404)
    back = safe_next(request.values.get("next")) or url_for("people.list_participants")
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.record_screenings(
                participants,
                framework=ScreeningFramework(form.framework.data),
                status=ScreeningStatus(form.status.data),
                screened_on=form.screened_on.data,
                valid_until=form.valid_until.data,
                reference=form.reference.data,
                notes=form.notes.data,
                actor=current_user,
            )
        except DomainError as error:
            refuse(error, form, "status")
        else:
            db.session.commit()
            flash(
                ngettext(
                    "Screening result recorded for %(num)d participant.",
                    "Screening result recorded for %(num)d participants.",
                    len(participants),
                ),
                "success",
            )
            return redirect(back)
    elif request.method == "GET":
        form = BulkScreeningForm(formdata=None, participant_id=ids, screened_on=date.today())
    return render_template(
        "people/screenings_new.html", form=form, participants=participants, back=back
    ), (400 if form.errors else 200)


# --- trainers -----------------------------------------------------------------------


@bp.route("/trainers")
@require("trainers.view")
def list_trainers():
    query = request.args.get("q", "").strip()
    statement = services.trainer_search(query).options(
        selectinload(Trainer.organisation),
        selectinload(Trainer.qualifications).selectinload(TrainerQualification.curriculum),
    )
    page = db.paginate(statement, per_page=PER_PAGE, error_out=False)
    return render_template("people/trainers.html", page=page, query=query, today=date.today())


def _trainer_details(form: TrainerForm) -> services.TrainerDetails:
    return services.TrainerDetails(
        name=form.name.data or "",
        organisation=_organisation(form.organisation_id.data),
        languages=tuple(form.languages.data or ()),
        email=form.email.data,
    )


@bp.route("/trainers/new", methods=["GET", "POST"])
@require("trainers.manage")
def create_trainer():
    form = TrainerForm()
    if form.validate_on_submit():
        try:
            trainer = services.create_trainer(_trainer_details(form), actor=current_user)
        except DomainError as error:
            refuse(error, form, "name")
        else:
            db.session.commit()
            flash(_("Trainer %(name)s added.", name=trainer.name), "success")
            return redirect(url_for("people.show_trainer", trainer_id=trainer.id))
    return render_template("people/trainer_form.html", form=form, trainer=None), (
        400 if form.errors else 200
    )


@bp.route("/trainers/<int:trainer_id>/edit", methods=["GET", "POST"])
@require("trainers.manage")
def edit_trainer(trainer_id: int):
    trainer = load(Trainer, trainer_id, "trainers.manage")
    form = TrainerForm(obj=trainer)
    if request.method == "GET":
        form.organisation_id.data = trainer.organisation_id or 0
        form.languages.data = trainer.language_codes
    if form.validate_on_submit():
        try:
            services.update_trainer(trainer, _trainer_details(form), actor=current_user)
        except DomainError as error:
            refuse(error, form, "name")
        else:
            db.session.commit()
            flash(_("Trainer %(name)s saved.", name=trainer.name), "success")
            return redirect(url_for("people.show_trainer", trainer_id=trainer.id))
    return render_template("people/trainer_form.html", form=form, trainer=trainer), (
        400 if form.errors else 200
    )


def _qualification_form() -> QualificationForm:
    form = QualificationForm()
    curricula = db.session.scalars(
        sa.select(Curriculum)
        .where(Curriculum.status != CurriculumStatus.RETIRED)
        .order_by(Curriculum.code)
    )
    form.curriculum_id.choices = [
        (c.id, f"{c.code} — {c.title(str(get_locale()))}") for c in curricula
    ]
    return form


def _render_trainer(trainer: Trainer, form: QualificationForm, status: int = 200):
    return render_template(
        "people/trainer.html",
        trainer=trainer,
        form=form,
        confirm_form=ConfirmForm(),
        today=date.today(),
        **panels.contributions(panels.trainer_page, trainer),  # its sessions
    ), status


@bp.route("/trainers/<int:trainer_id>")
@require("trainers.view")
def show_trainer(trainer_id: int):
    trainer = load(Trainer, trainer_id, "trainers.view")
    return _render_trainer(trainer, _qualification_form())


@bp.route("/trainers/<int:trainer_id>/qualifications", methods=["POST"])
@require("trainers.manage")
def add_qualification(trainer_id: int):
    trainer = load(Trainer, trainer_id, "trainers.manage")
    form = _qualification_form()
    if form.validate_on_submit() and form.qualified_on.data is not None:
        curriculum = load(Curriculum, form.curriculum_id.data)
        try:
            services.add_qualification(
                trainer,
                curriculum,
                qualified_on=form.qualified_on.data,
                expires_on=form.expires_on.data,
                actor=current_user,
            )
        except DomainError as error:
            refuse(error, form, "curriculum_id")
        else:
            db.session.commit()
            flash(_("Qualification added."), "success")
            return redirect(url_for("people.show_trainer", trainer_id=trainer.id))
    return _render_trainer(trainer, form, 400)


@bp.route(
    "/trainers/<int:trainer_id>/qualifications/<int:qualification_id>/remove", methods=["POST"]
)
@require("trainers.manage")
def remove_qualification(trainer_id: int, qualification_id: int):
    trainer = load(Trainer, trainer_id, "trainers.manage")
    qualification = load_child(TrainerQualification, qualification_id, trainer.id, "trainer_id")
    form = ConfirmForm()
    if form.validate_on_submit():
        services.remove_qualification(qualification, actor=current_user)
        db.session.commit()
        flash(_("Qualification removed."), "success")
    return redirect(url_for("people.show_trainer", trainer_id=trainer.id))
