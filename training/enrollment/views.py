"""A session's enrollments (nominate, confirm, withdraw) and the bulk import
of nominees."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

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
from flask_babel import get_locale, ngettext, pgettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from training.auth.forms import ConfirmForm
from training.domain import DomainError
from training.enrollment import importer, queries, services, uploads
from training.enrollment.convocation import PDF, convocation_filename, convocation_pdf
from training.enrollment.forms import (
    BulkEnrollmentForm,
    ConfirmEnrollmentForm,
    NewOrganisationForm,
    NominateForm,
    NominateManyForm,
    OrganisationChoiceForm,
    UploadForm,
)
from training.enrollment.models import Enrollment, EnrollmentStatus, StagedUpload
from training.extensions import db
from training.people.forms import ParticipantForm
from training.people.models import Organisation, OrganisationKind, Participant, Sex
from training.people.organisations import OrganisationDetails
from training.people.services import DuplicateParticipant, organisations, participant_search
from training.people.views import participant_details
from training.permissions import authorize, require
from training.sessions.models import TrainingSession
from training.web.downloads import ascii_name, send_download
from training.web.errors import refuse
from training.web.loaders import load, load_child

bp = Blueprint("enrollment", __name__)

SEARCH_LIMIT = 20
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- the enrollments page ------------------------------------------------------------


def _render_enrollments(
    training_session: TrainingSession,
    status: int = 200,
    *,
    clash: tuple[Enrollment, str] | None = None,
    confirm_anyway: ConfirmEnrollmentForm | None = None,
):
    enrollments = queries.session_enrollments(training_session)  # the line in order
    by_status: dict[EnrollmentStatus, list[Enrollment]] = {
        member: [] for member in EnrollmentStatus
    }
    for enrollment in enrollments:
        by_status[enrollment.status].append(enrollment)
    query = request.args.get("q", "").strip()
    today = date.today()  # ended partnerships nominate no one new
    choices = [organisation for organisation in organisations() if organisation.is_active_on(today)]
    nominating_by = request.args.get("by", "")
    if nominating_by not in {str(organisation.id) for organisation in choices}:
        nominating_by = ""  # no choice, or an unknown one: their own organisation
    candidates: list[Participant] = []
    if query:
        enrolled = {e.participant_id for e in enrollments if e.is_active}
        statement = (
            participant_search(query)
            .where(Participant.id.not_in(enrolled) if enrolled else sa.true())
            .options(selectinload(Participant.organisation), selectinload(Participant.screenings))
            .limit(SEARCH_LIMIT)
        )
        candidates = list(db.session.scalars(statement))
    confirmed = len(by_status[EnrollmentStatus.CONFIRMED])
    return render_template(
        "enrollment/enrollments.html",
        training_session=training_session,
        by_status=by_status,
        statuses=EnrollmentStatus,
        confirmed=confirmed,
        places_left=max(training_session.capacity - confirmed, 0),
        query=query,
        candidates=candidates,
        organisations=choices,
        nominating_by=nominating_by,
        nominate_form=NominateForm(),
        nominate_many_form=NominateManyForm(),
        bulk_form=BulkEnrollmentForm(),
        confirm_form=ConfirmForm(),
        clash=clash,
        confirm_anyway=confirm_anyway or ConfirmEnrollmentForm(),
    ), status


@bp.route("/sessions/<int:session_id>/enrollments")
@require("enrollment.manage")
def session_enrollments(session_id: int):
    return _render_enrollments(load(TrainingSession, session_id, "enrollment.manage"))


@bp.route("/sessions/<int:session_id>/enrollments/nominate", methods=["POST"])
@require("enrollment.manage")
def nominate(session_id: int):
    training_session = load(TrainingSession, session_id, "enrollment.manage")
    form = NominateForm()
    if not form.validate_on_submit() or form.participant_id.data is None:
        if form.participant_id.errors or form.participant_id.data is None:
            flash(_("Choose a participant to nominate."), "danger")
        else:
            flash(_("The nominating organisation no longer exists; choose another."), "danger")
        return _render_enrollments(training_session, 400)
    participant = load(Participant, int(form.participant_id.data))
    nominating_organisation = None
    if form.nominating_organisation_id.data:
        nominating_organisation = db.session.get(
            Organisation, int(form.nominating_organisation_id.data)
        )
        if nominating_organisation is None:
            flash(_("The nominating organisation no longer exists; choose another."), "danger")
            return _render_enrollments(training_session, 400)
    try:
        services.nominate(
            training_session,
            participant,
            actor=current_user,
            nominating_organisation=nominating_organisation,
        )
    except DomainError as error:
        refuse(error)
        return _render_enrollments(training_session, 409)
    db.session.commit()
    if participant.sex == Sex.FEMALE:
        flash(pgettext("a woman", "%(name)s is nominated.", name=participant.full_name), "success")
    else:
        flash(_("%(name)s is nominated.", name=participant.full_name), "success")
    return redirect(url_for("enrollment.session_enrollments", session_id=session_id))


@bp.route("/sessions/<int:session_id>/enrollments/new", methods=["GET", "POST"])
@require("enrollment.manage")
def nominate_new_participant(session_id: int):
    training_session = load(TrainingSession, session_id, "enrollment.manage")
    authorize("participants.manage")
    form = ParticipantForm()
    duplicates: list[Participant] = []
    status = 200
    if form.validate_on_submit():
        try:
            enrollment = services.nominate_new_participant(
                training_session,
                participant_details(form),
                actor=current_user,
                allow_duplicate=bool(form.create_anyway.data),
            )
        except DuplicateParticipant as error:
            refuse(error, form, "create_anyway")
            duplicates = error.matches
            status = 409
        except DomainError as error:
            refuse(error, form, "given_name")
            status = 400
        else:
            db.session.commit()
            name = enrollment.participant.full_name
            if enrollment.participant.sex == Sex.FEMALE:
                flash(
                    pgettext("a woman", "%(name)s is registered and nominated.", name=name),
                    "success",
                )
            else:
                flash(_("%(name)s is registered and nominated.", name=name), "success")
            return redirect(url_for("enrollment.session_enrollments", session_id=session_id))
    elif form.is_submitted():
        status = 400
    return render_template(
        "enrollment/new_participant.html",
        training_session=training_session,
        form=form,
        duplicates=duplicates,
        nominate_form=NominateForm(),
    ), status


@bp.route("/sessions/<int:session_id>/enrollments/<int:enrollment_id>/confirm", methods=["POST"])
@require("enrollment.manage")
def confirm(session_id: int, enrollment_id: int):
    training_session = load(TrainingSession, session_id, "enrollment.manage")
    enrollment = load_child(Enrollment, enrollment_id, session_id, "session_id")
    form = ConfirmEnrollmentForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.confirm(enrollment, actor=current_user, override_reason=form.override_reason.data)
    except services.ParticipantClash as error:
        # Shown beside the nominee with a "confirm anyway" form asking why.
        db.session.rollback()
        return _render_enrollments(
            training_session, 409, clash=(enrollment, error.message), confirm_anyway=form
        )
    except DomainError as error:
        refuse(error)
        return _render_enrollments(training_session, 409)
    db.session.commit()
    name = enrollment.participant.full_name
    if enrollment.status == EnrollmentStatus.CONFIRMED:
        if enrollment.participant.sex == Sex.FEMALE:
            flash(pgettext("a woman", "%(name)s is confirmed.", name=name), "success")
        else:
            flash(_("%(name)s is confirmed.", name=name), "success")
    else:
        flash(
            _(
                "The session is full: %(name)s waits in line, position %(position)d.",
                name=name,
                position=enrollment.waitlist_position or 0,
            ),
            "warning",
        )
    if training_session.send_notifications and not enrollment.participant.email:
        flash(
            _(
                "%(name)s has no email address: they were sent no message. Tell them in person "
                "(their convocation letter is below once they are confirmed).",
                name=name,
            ),
            "info",
        )
    return redirect(url_for("enrollment.session_enrollments", session_id=session_id))


# What the bulk form's actions do, one enrollment at a time.
BULK_SERVICES = {
    "confirm": services.confirm,
    "waitlist": services.waitlist,
    "withdraw": services.withdraw,
}


def _report(outcomes: list[services.Outcome], done_message: str) -> None:
    """One flash for what was done, one warning per refusal (who, and why)."""
    done = [outcome for outcome in outcomes if outcome.refusal is None]
    if done:
        flash(done_message, "success")
    for outcome in outcomes:
        if outcome.refusal is not None:
            flash(
                _(
                    "%(name)s: %(reason)s",
                    name=outcome.enrollment.participant.full_name,
                    reason=outcome.refusal,
                ),
                "warning",
            )


@bp.route("/sessions/<int:session_id>/enrollments/bulk", methods=["POST"])
@require("enrollment.manage")
def bulk(session_id: int):
    training_session = load(TrainingSession, session_id, "enrollment.manage")
    form = BulkEnrollmentForm()
    if not form.validate_on_submit() or not form.enrollment_id.data:
        flash(_("Tick the nominees first, then choose what to do with them."), "danger")
        return _render_enrollments(training_session, 400)
    chosen = set(form.enrollment_id.data)
    enrollments = db.session.scalars(
        sa.select(Enrollment)
        .where(Enrollment.session_id == session_id, Enrollment.id.in_(chosen))
        .order_by(Enrollment.waitlist_position, Enrollment.id)
        .options(selectinload(Enrollment.participant))
    ).all()
    if len(enrollments) != len(chosen):
        abort(404)  # an id of another session, or none
    action = form.action.data
    if action == "screen":  # one vetting answer for the ticked nominees
        return redirect(
            url_for(
                "people.record_screenings",
                participant_id=sorted({e.participant_id for e in enrollments}),
                next=url_for("enrollment.session_enrollments", session_id=session_id),
            )
        )
    if action == "withdraw" and not form.confirmed.data:  # ask first, listing who
        return _render_withdrawal(training_session, enrollments, bulk=True)
    step = BULK_SERVICES[action]
    outcomes = services.for_each(
        enrollments, lambda enrollment: step(enrollment, actor=current_user)
    )
    db.session.commit()
    done = sum(outcome.refusal is None for outcome in outcomes)
    messages = {
        "confirm": ngettext(
            "%(num)d nominee confirmed or placed on the waiting list.",
            "%(num)d nominees confirmed or placed on the waiting list.",
            done,
        ),
        "waitlist": ngettext(
            "%(num)d nominee put on the waiting list.",
            "%(num)d nominees put on the waiting list.",
            done,
        ),
        "withdraw": ngettext(
            "%(num)d enrollment withdrawn.", "%(num)d enrollments withdrawn.", done
        ),
    }
    _report(outcomes, messages[action])
    return redirect(url_for("enrollment.session_enrollments", session_id=session_id))


@bp.route("/sessions/<int:session_id>/enrollments/nominate-many", methods=["POST"])
@require("enrollment.manage")
def nominate_many(session_id: int):
    training_session = load(TrainingSession, session_id, "enrollment.manage")
    form = NominateManyForm()
    if not form.validate_on_submit() or not form.participant_id.data:
        flash(_("Tick the participants to nominate."), "danger")
        return _render_enrollments(training_session, 400)
    chosen = set(form.participant_id.data)
    participants = db.session.scalars(
        sa.select(Participant).where(Participant.id.in_(chosen)).order_by(Participant.id)
    ).all()
    if len(participants) != len(chosen):
        abort(404)
    nominating_organisation = None
    if form.nominating_organisation_id.data:
        nominating_organisation = db.session.get(
            Organisation, int(form.nominating_organisation_id.data)
        )
        if nominating_organisation is None:
            flash(_("The nominating organisation no longer exists; choose another."), "danger")
            return _render_enrollments(training_session, 400)
    results = services.nominate_several(
        training_session,
        participants,
        actor=current_user,
        nominating_organisation=nominating_organisation,
    )
    db.session.commit()
    done = sum(refusal is None for _participant, refusal in results)
    if done:
        flash(
            ngettext("%(num)d participant nominated.", "%(num)d participants nominated.", done),
            "success",
        )
    for participant, reason in results:
        if reason is not None:
            flash(_("%(name)s: %(reason)s", name=participant.full_name, reason=reason), "warning")
    return redirect(url_for("enrollment.session_enrollments", session_id=session_id))


def _render_withdrawal(
    training_session: TrainingSession, enrollments: Sequence[Enrollment], *, bulk: bool = False
):
    """The page that asks before withdrawing: who, whose place frees up and
    who is next in line."""
    return render_template(
        "enrollment/withdraw.html",
        training_session=training_session,
        enrollments=enrollments,
        bulk=bulk,
        frees_a_place=any(enrollment.is_confirmed for enrollment in enrollments),
        next_in_line=queries.next_in_line(training_session, exclude=enrollments),
    )


@bp.route(
    "/sessions/<int:session_id>/enrollments/<int:enrollment_id>/withdraw",
    methods=["GET", "POST"],
)
@require("enrollment.manage")
def withdraw(session_id: int, enrollment_id: int):
    training_session = load(TrainingSession, session_id, "enrollment.manage")
    enrollment = load_child(Enrollment, enrollment_id, session_id, "session_id")
    if request.method == "GET":
        if not enrollment.is_active:
            flash(_("This enrollment is already withdrawn."), "info")
            return redirect(url_for("enrollment.session_enrollments", session_id=session_id))
        return _render_withdrawal(training_session, [enrollment])
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        result = services.withdraw(enrollment, actor=current_user)
    except DomainError as error:
        refuse(error)
        return _render_enrollments(training_session, 409)
    db.session.commit()
    name = enrollment.participant.full_name
    if enrollment.participant.sex == Sex.FEMALE:
        flash(pgettext("a woman", "%(name)s is withdrawn.", name=name), "success")
    else:
        flash(_("%(name)s is withdrawn.", name=name), "success")
    if result.promoted is not None:
        promoted = result.promoted.participant
        if promoted.sex == Sex.FEMALE:
            moved_up = pgettext(
                "a woman",
                "%(name)s moved up from the waiting list and is now confirmed.",
                name=promoted.full_name,
            )
        else:
            moved_up = _(
                "%(name)s moved up from the waiting list and is now confirmed.",
                name=promoted.full_name,
            )
        flash(moved_up, "info")
    return redirect(url_for("enrollment.session_enrollments", session_id=session_id))


@bp.route("/sessions/<int:session_id>/enrollments/<int:enrollment_id>/convocation.pdf")
@require("convocation.download")
def convocation(session_id: int, enrollment_id: int):
    """The convocation letter of a confirmed enrollment, for coordinators
    and for the participant themself; ?language=fr|en|ar, else theirs."""
    enrollment = load_child(
        Enrollment, enrollment_id, session_id, "session_id", "convocation.download"
    )
    if not enrollment.has_convocation:
        abort(404)
    body = convocation_pdf(enrollment, request.args.get("language"))
    return send_download(body, convocation_filename(enrollment), PDF)


# --- bulk import -------------------------------------------------------------------------
#
# The file is parsed once, at upload; it waits in the database (uploads.py)
# between the preview and the import, with the coordinator's choices of
# organisation.

CHARSETS = {"utf-8": "utf-8", "cp1252": "windows-1252", "latin_1": "iso-8859-1"}


def _redirect_to_upload(session_id: int, message: str | None = None):
    flash(message or _("Upload the file of nominees first."), "warning")
    return redirect(url_for("enrollment.import_nominees", session_id=session_id))


@bp.route("/sessions/<int:session_id>/import", methods=["GET", "POST"])
@require("enrollment.manage")
def import_nominees(session_id: int):
    training_session = load(TrainingSession, session_id, "enrollment.manage")
    form = UploadForm()
    if form.validate_on_submit():
        try:
            nominee_file = importer.read_file(form.file.data.read(), str(get_locale()))
        except DomainError as error:
            refuse(error, form, "file")
        else:
            uploads.store_upload(
                training_session, current_user, nominee_file, form.file.data.filename or ""
            )
            db.session.commit()
            return redirect(url_for("enrollment.import_preview", session_id=session_id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "enrollment/import.html", training_session=training_session, form=form
    ), status


class _Staged(NamedTuple):
    upload: StagedUpload
    nominee_file: importer.NomineeFile
    check: importer.ImportCheck


def _staged(training_session: TrainingSession) -> _Staged | StagedUpload | None:
    """This coordinator's upload for the session, checked against the
    database as it is now; the upload alone once its valid rows are
    imported; None when there is none (or it is damaged)."""
    upload = uploads.stored_upload(training_session, current_user)
    if upload is None or upload.imported_at is not None:
        return upload
    nominee_file = uploads.nominee_file(upload)
    if nominee_file is None:
        return None
    check = importer.check_file(training_session, nominee_file, upload.choices)
    return _Staged(upload, nominee_file, check)


def _render_preview(
    training_session: TrainingSession,
    staged: _Staged,
    status: int = 200,
    *,
    failed_form: NewOrganisationForm | None = None,
):
    check = staged.check
    return render_template(
        "enrollment/import_preview.html",
        training_session=training_session,
        upload=staged.upload,
        file_format=staged.nominee_file.format,
        check=check,
        suggestions={q.key: importer.suggest_organisation(q) for q in check.questions},
        organisations=organisations(),
        new_form=NewOrganisationForm(),
        failed_form=failed_form,
        confirm_form=ConfirmForm(),
    ), status


@bp.route("/sessions/<int:session_id>/import/preview")
@require("enrollment.manage")
def import_preview(session_id: int):
    training_session = load(TrainingSession, session_id, "enrollment.manage")
    staged = _staged(training_session)
    if staged is None:
        return _redirect_to_upload(session_id)
    if isinstance(staged, StagedUpload):  # its valid rows are imported
        return render_template(
            "enrollment/import_result.html",
            training_session=training_session,
            upload=staged,
            confirm_form=ConfirmForm(),
        )
    return _render_preview(training_session, staged)


def _staged_for_change(training_session: TrainingSession) -> _Staged:
    """The upload a POST acts on; otherwise the answer is a redirect: to the
    result page once its valid rows are imported, else to the upload page."""
    staged = _staged(training_session)
    if isinstance(staged, StagedUpload):
        abort(redirect(url_for("enrollment.import_preview", session_id=training_session.id)))
    if staged is None:
        abort(_redirect_to_upload(training_session.id))
    return staged


@bp.route("/sessions/<int:session_id>/import/confirm", methods=["POST"])
@require("enrollment.manage")
def import_all(session_id: int):
    training_session = load(TrainingSession, session_id, "enrollment.manage")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    staged = _staged_for_change(training_session)
    try:
        count = uploads.import_all(
            training_session, staged.upload, staged.check, actor=current_user
        )
    except DomainError as error:
        refuse(error)
        return _render_preview(training_session, _staged_for_change(training_session), 409)
    db.session.commit()
    flash(ngettext("%(num)d nominee imported.", "%(num)d nominees imported.", count), "success")
    return redirect(url_for("enrollment.session_enrollments", session_id=session_id))


@bp.route("/sessions/<int:session_id>/import/valid", methods=["POST"])
@require("enrollment.manage")
def import_valid(session_id: int):
    training_session = load(TrainingSession, session_id, "enrollment.manage")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    staged = _staged_for_change(training_session)
    try:
        uploads.import_valid(
            training_session, staged.upload, staged.nominee_file, staged.check, actor=current_user
        )
    except DomainError as error:
        refuse(error)
        return _render_preview(training_session, _staged_for_change(training_session), 409)
    db.session.commit()  # the result page that follows says how many
    return redirect(url_for("enrollment.import_preview", session_id=session_id))


@bp.route("/sessions/<int:session_id>/import/rejects")
@require("enrollment.manage")
def import_rejects(session_id: int):
    """The rows with problems, in the file's own format, to send back."""
    training_session = load(TrainingSession, session_id, "enrollment.manage")
    staged = _staged(training_session)
    if staged is None:
        return _redirect_to_upload(session_id)
    if isinstance(staged, StagedUpload):
        upload, body = staged, (staged.rejects or b"") if staged.rejected_count else b""
    else:
        upload = staged.upload
        body = (
            uploads.rejects(staged.nominee_file, staged.check) if staged.check.error_count else b""
        )
    if not body:
        flash(_("No row of the file has a problem."), "info")
        return redirect(url_for("enrollment.import_preview", session_id=session_id))
    # "liste.csv" comes back as "liste-problemes.csv" (in the user's language).
    stem = ascii_name(upload.file_name.rsplit(".", 1)[0], "nominees")
    suffix = _("problems")
    name = ascii_name(f"{stem}-{suffix}")
    if upload.file_format == "xlsx":
        return send_download(body, f"{name}.xlsx", XLSX_MIMETYPE)
    charset = CHARSETS.get(upload.encoding or "utf-8")
    mimetype = f"text/csv; charset={charset}" if charset else "text/csv"
    return send_download(body, f"{name}.csv", mimetype)


@bp.route("/sessions/<int:session_id>/import/organisation", methods=["POST"])
@require("enrollment.manage")
def import_choose_organisation(session_id: int):
    training_session = load(TrainingSession, session_id, "enrollment.manage")
    staged = _staged_for_change(training_session)
    form = OrganisationChoiceForm()
    organisation = (
        db.session.get(Organisation, int(form.organisation_id.data or 0))
        if form.validate_on_submit()
        else None
    )
    if organisation is None or not form.key.data:
        flash(_("Choose an organisation from the list."), "danger")
        return _render_preview(training_session, staged, 400)
    try:
        uploads.choose_organisation(staged.upload, form.key.data, organisation)
    except DomainError as error:
        refuse(error)
        return _render_preview(training_session, _staged_for_change(training_session), 409)
    db.session.commit()
    flash(_("%(organisation)s is used for these rows.", organisation=organisation.name), "success")
    return redirect(url_for("enrollment.import_preview", session_id=session_id))


@bp.route("/sessions/<int:session_id>/import/organisation/new", methods=["POST"])
@require("enrollment.manage")
def import_create_organisation(session_id: int):
    training_session = load(TrainingSession, session_id, "enrollment.manage")
    authorize("organisations.manage")
    staged = _staged_for_change(training_session)
    form = NewOrganisationForm()
    if not form.validate_on_submit() or not form.key.data or not form.name.data:
        return _render_preview(training_session, staged, 400, failed_form=form)
    details = OrganisationDetails(
        name=form.name.data,
        acronym=form.acronym.data or None,
        country=form.country.data or None,
        kind=OrganisationKind(form.kind.data),
        is_security_force=bool(form.is_security_force.data),
    )
    try:
        organisation = uploads.create_organisation_for(
            staged.upload, form.key.data, details, actor=current_user
        )
    except DomainError as error:
        refuse(error, form, "name")
        return _render_preview(
            training_session, _staged_for_change(training_session), 409, failed_form=form
        )
    db.session.commit()
    flash(
        _("%(organisation)s is created and used for these rows.", organisation=organisation.name),
        "success",
    )
    return redirect(url_for("enrollment.import_preview", session_id=session_id))


@bp.route("/sessions/<int:session_id>/import/cancel", methods=["POST"])
@require("enrollment.manage")
def import_cancel(session_id: int):
    training_session = load(TrainingSession, session_id, "enrollment.manage")
    if ConfirmForm().validate_on_submit():
        uploads.discard_upload(training_session, current_user)
        db.session.commit()
    return redirect(url_for("enrollment.import_nominees", session_id=session_id))


@bp.route("/sessions/<int:session_id>/import/template.csv")
@require("enrollment.manage")
def import_template_csv(session_id: int):
    load(TrainingSession, session_id, "enrollment.manage")
    body = importer.template_csv(str(get_locale()))
    return send_download(body, "atelier-nominees.csv", "text/csv; charset=utf-8")


@bp.route("/sessions/<int:session_id>/import/template.xlsx")
@require("enrollment.manage")
def import_template_xlsx(session_id: int):
    load(TrainingSession, session_id, "enrollment.manage")
    language = str(get_locale())
    body = importer.template_xlsx(
        language,
        importer.template_lists(language, date.today()),
        sheet_title=_("Nominees"),
        lists_title=_("Lists"),
    )
    return send_download(body, "atelier-nominees.xlsx", XLSX_MIMETYPE)
