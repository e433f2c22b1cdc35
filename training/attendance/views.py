"""Attendance pages: the day grid, the overview, test scores and the printed
sign-in sheet. Views load, check permission, read the form, call one
service, commit and redirect; the rules live in services.py."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_pgettext, ngettext
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import RequestEntityTooLarge

from training.attendance import paper, services
from training.attendance.forms import (
    BatchNotUnderstood,
    BatchTooLarge,
    CloseDayForm,
    DayInput,
    DaySheetForm,
    FindSheetForm,
    FormNotUnderstood,
    ScanForm,
    ScoresForm,
    note_field,
    read_changes,
    read_day,
    read_scores,
    status_field,
    version_field,
)
from training.attendance.models import (
    AttendanceDayLock,
    AttendanceScan,
    AttendanceSource,
    AttendanceStatus,
)
from training.attendance.sheet_data import SHEET_LANGUAGES, sheet_for
from training.domain import DomainError, NotAllowed
from training.extensions import db
from training.formatting import format_day
from training.labels import label
from training.pdf.sign_in_sheet import render_sign_in_sheet, sheet_code
from training.permissions import authorize, can, require
from training.sessions.models import Period, SessionStatus, TrainingSession
from training.text import ascii_name, fold
from training.transactions import writing
from training.web.downloads import send_download
from training.web.errors import json_error, refuse, show_on_form
from training.web.history import shown_history
from training.web.loaders import load
from training.web.offline import offline_page, session_pages

if TYPE_CHECKING:
    from training.enrollment.models import Enrollment

bp = Blueprint("attendance", __name__)

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

# One-letter buttons of the day grid; the full label is their title.
SHORT_STATUS = {
    AttendanceStatus.PRESENT: lazy_pgettext("attendance status, one letter", "P"),
    AttendanceStatus.LATE: lazy_pgettext("attendance status, one letter", "L"),
    AttendanceStatus.EXCUSED: lazy_pgettext("attendance status, one letter", "E"),
    AttendanceStatus.ABSENT: lazy_pgettext("attendance status, one letter", "A"),
}
STATUS_STYLE = {
    AttendanceStatus.PRESENT: "success",
    AttendanceStatus.LATE: "warning",
    AttendanceStatus.EXCUSED: "info",
    AttendanceStatus.ABSENT: "danger",
}


def _parse_day(value: str) -> date:
    """A YYYY-MM-DD date, or 404: a malformed date names no page."""
    if not _ISO_DAY.fullmatch(value):
        abort(404)
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(404)


def _session_day(training_session: TrainingSession, value: str) -> date:
    """The day `value` names, when the session runs on it; else a 404 page
    that says which days it runs."""
    the_day = _parse_day(value)
    if not training_session.includes(the_day):
        abort(make_response(_not_a_session_day(training_session, the_day)))
    return the_day


def _not_a_session_day(training_session: TrainingSession, day: date) -> tuple[str, int]:
    message = _(
        "%(day)s is not a day of session %(code)s, which runs from %(start)s to %(end)s.",
        day=format_day(day, "long"),
        code=training_session.code,
        start=format_day(training_session.start_date, "long"),
        end=format_day(training_session.end_date, "long"),
    )
    return (
        render_template(
            "errors/error.html", code=404, title=_("Page not found"), explanation=message
        ),
        404,
    )


def _refusal_status(error: DomainError) -> int:
    return 403 if isinstance(error, NotAllowed) else 400


@dataclass(frozen=True)
class GridView:
    """How the day grid is looked at: one half-day or both (?half=am|pm, for
    a quick roll call), and the participants whose name or number matches
    ?q= (on a long roster). Kept through a save, as the page's address."""

    half: Period | None = None
    query: str = ""

    @classmethod
    def from_request(cls) -> GridView:
        half = request.args.get("half")
        query = " ".join(request.args.get("q", "").split())[:100]
        return cls(Period(half) if half in {p.value for p in Period} else None, query)

    @property
    def periods(self) -> list[Period]:
        return [self.half] if self.half else list(Period)

    @property
    def arguments(self) -> dict[str, Any]:
        """The page's query arguments that say so (none: the whole grid)."""
        arguments = {"half": self.half.value} if self.half else {}
        return arguments | ({"q": self.query} if self.query else {})

    def shows(self, number: int, enrollment: Enrollment) -> bool:
        """Whether the row numbered `number` matches the search: its number,
        or every word of the search in the participant's name (accents and
        case aside)."""
        if not self.query:
            return True
        if self.query.isdigit():
            return int(self.query) == number
        name = enrollment.participant.search_name
        return all(word in name for word in fold(self.query).split())


def _render_day(
    training_session: TrainingSession,
    day: date,
    form: DaySheetForm,
    submitted: DayInput | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The day grid page: the stored cells, or the submitted ones when the
    form comes back (pre-filled or refused)."""
    context = _grid_context(training_session, day, form, submitted)
    return render_template("attendance/day_sheet.html", **context), status


def _grid_context(
    training_session: TrainingSession,
    day: date,
    form: DaySheetForm,
    submitted: DayInput | None = None,
) -> dict[str, Any]:
    """What the day grid shows (see _render_day)."""
    view = GridView.from_request()
    roster = services.confirmed_enrollments(training_session)
    rows = [
        (number, enrollment)
        for number, enrollment in enumerate(roster, start=1)
        if view.shows(number, enrollment)
    ]
    enrollments = [enrollment for _number, enrollment in rows]
    records = services.day_records(training_session, day)
    lock = services.day_lock(training_session, day)
    statuses: dict[tuple[int, Period], str] = {}
    notes: dict[tuple[int, Period], str] = {}
    versions: dict[tuple[int, Period], int] = {}
    for key, record in records.items():
        statuses[key] = record.status.value
        notes[key] = record.note or ""
        versions[key] = record.version
    if submitted is not None:
        statuses = dict(submitted.statuses)
        notes = dict(submitted.notes)
        versions = dict(submitted.loaded_versions)
    day_status = services.day_statuses([training_session])[training_session.id]
    # A day saved again and again would otherwise make its own page slower.
    history, more_history_url = shown_history(
        current_user,
        training_session,
        lambda limit: paper.day_history(training_session, day, limit),
        "attendance.day_sheet",
        "day-history",
        session_id=training_session.id,
        day=day.isoformat(),
    )
    return {
        # The session's pages, kept on the phone for use without network.
        "offline_pages": session_pages([training_session]),
        "training_session": training_session,
        "day": day,
        "form": form,
        "enrollments": enrollments,
        "rows": rows,
        "roster_size": len(roster),
        "view": view,
        "statuses": statuses,
        "notes": notes,
        "versions": versions,
        "sources": {key: record.source for key, record in records.items()},
        "lock": lock,
        **_day_editing(training_session, day, lock),
        "days": day_status,
        "this_day": next(status for status in day_status if status.day == day),
        "scans": paper.day_scans(training_session, day),
        "file_size": paper.file_size,
        "paper_source": AttendanceSource.PAPER,
        "history": history,
        "more_history_url": more_history_url,
        "periods": list(Period),
        "shown_periods": view.periods,
        "attendance_statuses": list(AttendanceStatus),
        "short_status": SHORT_STATUS,
        "status_style": STATUS_STYLE,
        "status_field": status_field,
        "note_field": note_field,
        "version_field": version_field,
    }


def _day_editing(
    training_session: TrainingSession, day: date, lock: AttendanceDayLock | None
) -> dict[str, bool]:
    """Whether the signed-in user may change the day's marks here, and why
    not: a day still to come, a completed session, a closed day (the rules
    themselves are save_day's; this only spares a form bound to be refused)."""
    may_record = can(current_user, "attendance.record", training_session)
    may_correct = can(current_user, "attendance.correct_locked", training_session)
    completed = training_session.status == SessionStatus.COMPLETED
    may_correct_completed = can(current_user, "attendance.correct_completed", training_session)
    to_come = day > date.today()
    editable = (
        may_record
        and not to_come
        and (lock is None or may_correct)
        and (not completed or may_correct_completed)
    )
    return {
        "editable": editable,
        "needs_reason": (lock is not None or completed) and editable,
        "completed": completed,
        "to_come": to_come,
    }


def _conflict_message(conflicts: list[services.Conflict]) -> str:
    cells = "; ".join(
        _(
            "%(name)s, %(period)s: was %(status)s",
            name=conflict.participant_name,
            period=label(conflict.period),
            status=label(conflict.found_status),
        )
        for conflict in conflicts
    )
    return _(
        "Someone else changed these cells after you opened the page; your values replaced "
        "theirs, check them: %(cells)s.",
        cells=cells,
    )


def _submit_grid(
    training_session: TrainingSession,
    the_day: date,
    form: DaySheetForm,
    render: Callable[..., tuple[str, int]],
    save: Callable[..., services.DaySaveResult],
) -> tuple[str, int] | services.DaySaveResult:
    """A day's grid posted, in the app or keyed from its paper sheet: the
    form read, "everyone present" filled in without saving (the grid comes
    back, saved only on Save), then `save` and the commit. The page to send
    back when nothing was saved, or what the save did."""
    if not form.validate_on_submit():
        return render(training_session, the_day, form, status=400)
    try:
        submitted = read_day(request.form)
    except FormNotUnderstood as error:
        flash(error.message, "danger")
        return render(training_session, the_day, form, status=400)
    fill = request.form.get("fill")
    if fill in {period.value for period in Period}:
        for enrollment in services.confirmed_enrollments(training_session):
            submitted.statuses[(enrollment.id, Period(fill))] = AttendanceStatus.PRESENT.value
        return render(training_session, the_day, form, submitted)
    try:
        result = save(
            training_session,
            the_day,
            submitted.entries,
            actor=current_user,
            loaded_versions=submitted.loaded_versions,
            reason=form.reason.data,
        )
    except DomainError as error:
        refuse(error, form)
        return render(training_session, the_day, form, submitted, status=_refusal_status(error))
    db.session.commit()
    return result


@bp.route("/sessions/<int:session_id>/attendance/<day>", methods=["GET", "POST"])
@offline_page
@require("attendance.view")
def day_sheet(session_id: int, day: str):
    """The day grid: one row per confirmed participant, AM and PM."""
    training_session = load(TrainingSession, session_id, "attendance.view")
    the_day = _session_day(training_session, day)
    form = DaySheetForm()
    if request.method == "GET":
        return _render_day(training_session, the_day, form)

    authorize("attendance.record", training_session)
    result = _submit_grid(training_session, the_day, form, _render_day, services.save_day)
    if not isinstance(result, services.DaySaveResult):
        return result
    flash(
        _(
            "Attendance of %(day)s saved: %(created)d new, %(changed)d changed.",
            day=format_day(the_day, "full"),
            created=result.created,
            changed=result.changed,
        ),
        "success",
    )
    if result.conflicts:
        flash(_conflict_message(result.conflicts), "warning")
    return redirect(
        url_for(
            ".day_sheet",
            session_id=session_id,
            day=the_day.isoformat(),
            **GridView.from_request().arguments,
        )
    )


@bp.route("/sessions/<int:session_id>/attendance/<day>/close", methods=["GET", "POST"])
@require("attendance.record")
def close_day(session_id: int, day: str):
    """What closing the day means (read-only for trainers from then on, its
    marks, whether its signed sheet is attached), then the closing: it asks
    first, in the page, without JavaScript."""
    training_session = load(TrainingSession, session_id, "attendance.record")
    the_day = _session_day(training_session, day)
    day_url = url_for(".day_sheet", session_id=session_id, day=the_day.isoformat())
    if request.method == "GET":
        if services.day_lock(training_session, the_day) is not None:
            flash(_("This day is already closed."), "info")
            return redirect(day_url)
        return _render_close_day(training_session, the_day)
    form = CloseDayForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.close_day(training_session, the_day, actor=current_user)
    except DomainError as error:
        refuse(error)
        return _render_close_day(training_session, the_day, status=409)
    db.session.commit()
    flash(_("The day is closed. Only a coordinator can still correct it."), "success")
    return redirect(day_url)


def _render_close_day(
    training_session: TrainingSession, day: date, status: int = 200
) -> tuple[str, int]:
    this_day = next(
        day_status
        for day_status in services.day_statuses([training_session])[training_session.id]
        if day_status.day == day
    )
    records = services.day_records(training_session, day).values()
    counts = {
        attendance_status.value: sum(1 for record in records if record.status == attendance_status)
        for attendance_status in AttendanceStatus
    }
    return render_template(
        "attendance/close_day.html",
        training_session=training_session,
        day=day,
        this_day=this_day,
        counts=counts,
        paper_marks=sum(1 for record in records if record.source == AttendanceSource.PAPER),
        scans=len(paper.day_scans(training_session, day)),
        periods=list(Period),
    ), status


# --- Paper sheets keyed back -----------------------------------------------


@bp.route("/attendance/paper")
@require("attendance.record")
def find_sheet():
    """ "Key a paper sheet": the code printed on a sheet (typed, or typed by a
    USB scanner from its QR code, whose address is this page filled in)
    opens the page that keys that day back."""
    form = FindSheetForm(request.args)
    status = 200
    if "code" in request.args:
        status = 400
        if form.validate():
            try:
                found = paper.find_sheet(form.code.data or "", actor=current_user)
            except paper.SheetNotFound as error:
                show_on_form(form, error, "code")
                status = 404
            except DomainError as error:
                show_on_form(form, error, "code")
            else:
                return redirect(
                    url_for(
                        ".paper_sheet",
                        session_id=found.training_session.id,
                        day=found.day.isoformat(),
                    ),
                    303,
                )
    return render_template("attendance/find_sheet.html", form=form), status


@bp.route("/sessions/<int:session_id>/attendance/<day>/paper", methods=["GET", "POST"])
@require("attendance.record")
def paper_sheet(session_id: int, day: str):
    """The day keyed back from its signed paper sheet: a grid laid out like
    the sheet (its numbers, order and columns), each mark saved as coming
    from paper, and the sheet's scans."""
    training_session = load(TrainingSession, session_id, "attendance.record")
    the_day = _session_day(training_session, day)
    form = DaySheetForm()
    if request.method == "GET":
        return _render_paper(training_session, the_day, form)
    result = _submit_grid(training_session, the_day, form, _render_paper, paper.key_paper_day)
    if not isinstance(result, services.DaySaveResult):
        return result
    flash(
        _(
            "The paper sheet of %(day)s is keyed: %(created)d new, %(changed)d changed, "
            "each marked as from paper.",
            day=format_day(the_day, "full"),
            created=result.created,
            changed=result.changed,
        ),
        "success",
    )
    if result.conflicts:
        flash(_conflict_message(result.conflicts), "warning")
    return redirect(url_for(".paper_sheet", session_id=session_id, day=the_day.isoformat()))


def _render_paper(
    training_session: TrainingSession,
    day: date,
    form: DaySheetForm,
    submitted: DayInput | None = None,
    status: int = 200,
    scan_form: ScanForm | None = None,
) -> tuple[str, int]:
    """The keying page: the stored cells, or the submitted ones when the form
    comes back (filled, or refused)."""
    roster = services.confirmed_enrollments(training_session)
    # The rows as the printed sheet lays them out: same numbers, same order,
    # the organisation and rank as it prints them.
    sheet = sheet_for(training_session, [day], None)
    records = services.day_records(training_session, day)
    lock = services.day_lock(training_session, day)
    if submitted is not None:
        statuses, notes = dict(submitted.statuses), dict(submitted.notes)
        versions = dict(submitted.loaded_versions)
    else:
        statuses = {key: record.status.value for key, record in records.items()}
        notes = {key: record.note or "" for key, record in records.items()}
        versions = {key: record.version for key, record in records.items()}
    return render_template(
        "attendance/paper_sheet.html",
        training_session=training_session,
        day=day,
        sheet_code=sheet_code(training_session.code, day),
        form=form,
        scan_form=scan_form or ScanForm(formdata=None),
        rows=list(zip(range(1, len(roster) + 1), roster, sheet.participants, strict=True)),
        statuses=statuses,
        notes=notes,
        versions=versions,
        sources={key: record.source for key, record in records.items()},
        lock=lock,
        **_day_editing(training_session, day, lock),
        days=services.day_statuses([training_session])[training_session.id],
        scans=paper.day_scans(training_session, day),
        may_attach=paper.may_attach(current_user, training_session, day),
        file_size=paper.file_size,
        scan_limit=paper.megabytes(current_app.config["ATTENDANCE_SCAN_MAX_BYTES"]),
        scan_max_bytes=current_app.config["ATTENDANCE_SCAN_MAX_BYTES"],
        periods=list(Period),
        attendance_statuses=list(AttendanceStatus),
        short_status=SHORT_STATUS,
        status_style=STATUS_STYLE,
        status_field=status_field,
        note_field=note_field,
        version_field=version_field,
    ), status


# A multipart body holds the file and a little more (boundaries, headers,
# the CSRF token): room for that above the scan's own limit.
MULTIPART_ROOM = 64 * 1024
SCAN_ENDPOINT = "attendance.attach_scan"


@bp.url_value_preprocessor
def _room_for_a_scan(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """A scan may be larger than the application's MAX_CONTENT_LENGTH (up to
    ATTENDANCE_SCAN_MAX_BYTES): its request's limit is raised before
    anything reads the body, the app-wide CSRF check included (URL value
    preprocessors run before every before_request function)."""
    if endpoint == SCAN_ENDPOINT:
        limit = current_app.config["ATTENDANCE_SCAN_MAX_BYTES"]
        request.max_content_length = limit + MULTIPART_ROOM


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):
    """A body past its limit, refused before it is read: for a scan, with
    the scan's own limit and what to do."""
    if request.endpoint == SCAN_ENDPOINT:
        explanation = _(
            "The file is larger than the limit of %(limit)s. Scan the sheet again in black and "
            "white or at 200 dpi, or as a JPEG.",
            limit=paper.megabytes(current_app.config["ATTENDANCE_SCAN_MAX_BYTES"]),
        )
    else:
        explanation = _("The file you sent is larger than the limit of 5 MB.")
    return render_template(
        "errors/error.html", code=413, title=_("File too large"), explanation=explanation
    ), 413


@bp.route("/sessions/<int:session_id>/attendance/<day>/scans", methods=["POST"])
@require("attendance.record")
def attach_scan(session_id: int, day: str):
    """The signed sheet's scan (PDF, JPEG or PNG by its content), kept with
    the day; its size is bounded by _room_for_a_scan and the service."""
    training_session = load(TrainingSession, session_id, "attendance.record")
    the_day = _session_day(training_session, day)
    limit = current_app.config["ATTENDANCE_SCAN_MAX_BYTES"]
    form = ScanForm()
    if not form.validate_on_submit():
        return _render_paper(
            training_session, the_day, DaySheetForm(formdata=None), status=400, scan_form=form
        )
    data = form.scan.data.read(limit + 1)
    try:
        _scan, created = paper.attach_scan(
            training_session, the_day, data, actor=current_user, max_bytes=limit
        )
    except DomainError as error:
        refuse(error, form, "scan")
        status = 413 if isinstance(error, paper.ScanTooLarge) else _refusal_status(error)
        return _render_paper(
            training_session, the_day, DaySheetForm(formdata=None), status=status, scan_form=form
        )
    db.session.commit()
    day_text = format_day(the_day, "full")
    if created:
        flash(_("The scan of the signed sheet is attached to %(day)s.", day=day_text), "success")
    else:
        flash(_("This file is already attached to %(day)s.", day=day_text), "info")
    return redirect(
        url_for(".paper_sheet", session_id=session_id, day=the_day.isoformat(), _anchor="scans")
    )


@bp.route("/sessions/<int:session_id>/attendance/<day>/scans/<int:scan_id>")
@require("attendance.view")
def download_scan(session_id: int, day: str, scan_id: int):
    """A kept scan, to its session's trainers and coordinators only: as a
    download (never shown in the page), never kept by the browser; each
    download is audited."""
    training_session = load(TrainingSession, session_id, "attendance.view")
    the_day = _parse_day(day)
    scans = paper.day_scans(training_session, the_day)
    number = next((n for n, scan in enumerate(scans, start=1) if scan.id == scan_id), None)
    if number is None:
        abort(404)
    scan = scans[number - 1]
    content = db.session.scalar(
        sa.select(AttendanceScan.content).where(AttendanceScan.id == scan.id)
    )
    name = paper.scan_download_name(training_session, scan, number)
    mimetype = scan.content_type.value
    # This request only read; the audit row is a write of its own.
    db.session.rollback()
    with writing():
        paper.record_scan_download(scan, actor=current_user)
        db.session.commit()
    response = send_download(content or b"", name, mimetype)
    # Nothing in it is for a browser to run, should one open it after all.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/sessions/<int:session_id>/attendance/sync", methods=["GET", "POST"])
@require("attendance.record")
def sync(session_id: int):
    """The day grid's page sends the changes it kept (its outbox, filled
    while the network was gone, or at Save) as JSON, and reads the answer
    per change (services.apply_changes). GET tells the page who is signed
    in, with a fresh CSRF token for its header.

    Refusals of the whole batch are JSON too, with nothing written: 401 when
    the sign-in has ended (the page keeps its outbox), 409 when the changes
    were made by another user than the one signed in, 413 past the limits
    of size, 400 for a batch not understood, 403 (each change refused) for a
    user who may not record this session."""
    if request.method == "GET":
        load(TrainingSession, session_id, "attendance.view")
        return jsonify(user=current_user.id, csrf_token=generate_csrf())
    training_session = load(TrainingSession, session_id)
    config = current_app.config
    limit = config["ATTENDANCE_SYNC_MAX_BYTES"]
    too_large = _("Too much sent at once: send the changes in parts.")
    # Read no further than the limit, with or without a Content-Length (a
    # body cut at the limit is refused, not parsed).
    request.max_content_length = limit
    try:
        body = request.get_data(cache=False)
    except RequestEntityTooLarge:
        return json_error("too_large", too_large, 413)
    if len(body) >= limit:
        return json_error("too_large", too_large, 413)
    try:
        payload = json.loads(body) if request.is_json else None
    except ValueError:
        payload = None
    try:
        batch = read_changes(payload, max_changes=config["ATTENDANCE_SYNC_MAX_CHANGES"])
    except BatchTooLarge as error:
        return json_error("too_large", error.message, 413)
    except BatchNotUnderstood as error:
        refused = [
            _refused_json(change_id, "malformed", message)
            for change_id, message in error.refused.items()
        ]
        return json_error("malformed", error.message, 400, results=refused)
    if batch.user_id != current_user.id:
        message = _(
            "These changes were made by another user on this device; they are kept for "
            "that user and were not sent."
        )
        return json_error("other_user", message, 409)
    try:
        results = services.apply_changes(
            training_session, batch.changes, actor=current_user._get_current_object()
        )
    except NotAllowed as error:
        db.session.rollback()
        code = getattr(error, "code", None) or "not_allowed"
        refused = [
            _refused_json(str(change.change_id), code, error.message) for change in batch.changes
        ]
        return json_error(code, error.message, 403, results=refused)
    db.session.commit()
    return jsonify(
        results=[
            _result_json(result, change)
            for result, change in zip(results, batch.changes, strict=True)
        ]
    )


def _refused_json(change_id: str, code: str, message: str) -> dict[str, Any]:
    return {"id": change_id, "outcome": "refused", "code": code, "message": message}


def _result_json(result: services.ChangeResult, change: services.CellChange) -> dict[str, Any]:
    """One change's answer: the cell as it stands (for a conflict: theirs,
    beside yours), or why it was refused."""
    if result.outcome == services.ChangeOutcome.REFUSED:
        return _refused_json(str(result.change_id), result.code or "refused", result.message or "")
    answer: dict[str, Any] = {"id": str(result.change_id), "outcome": result.outcome.value}
    if result.cell is not None:
        cell = result.cell
        answer["cell"] = {
            "status": cell.status.value,
            "note": cell.note or "",
            "version": cell.version,
            "recorded_by": cell.recorded_by,
            "recorded_at": cell.recorded_at.isoformat() if cell.recorded_at else None,
        }
    if result.outcome == services.ChangeOutcome.CONFLICT:
        answer["yours"] = {"status": change.status.value, "note": change.note or ""}
    return answer


@bp.route("/sessions/<int:session_id>/attendance")
@offline_page
@require("attendance.view")
def overview(session_id: int):
    """All days and periods of the session, rates and counts by sex."""
    training_session = load(TrainingSession, session_id, "attendance.view")
    return render_template(
        "attendance/overview.html",
        training_session=training_session,
        overview=services.session_overview(training_session),
        scan_counts=paper.scan_counts(training_session),
        periods=list(Period),
        short_status=SHORT_STATUS,
        status_style=STATUS_STYLE,
        attendance_statuses=list(AttendanceStatus),
    )


@bp.route("/sessions/<int:session_id>/scores", methods=["GET", "POST"])
@offline_page
@require("scores.record")
def scores(session_id: int):
    """Pre- and post-test scores of every confirmed participant, on one page."""
    training_session = load(TrainingSession, session_id, "scores.record")
    form = ScoresForm()
    enrollments = services.confirmed_enrollments(training_session)
    values = {}
    for enrollment in enrollments:
        values[f"pre-{enrollment.id}"] = _score_text(enrollment.pre_test_score)
        values[f"post-{enrollment.id}"] = _score_text(enrollment.post_test_score)
    if request.method == "GET":
        return _render_scores(training_session, form, enrollments, values)
    if not form.validate_on_submit():
        abort(400)
    try:
        submitted = read_scores(request.form, [enrollment.id for enrollment in enrollments])
    except FormNotUnderstood as error:
        flash(error.message, "danger")
        return _render_scores(training_session, form, enrollments, values, status=400)
    values.update(submitted.values)
    if submitted.errors:
        flash(_("Some scores are not valid; nothing was saved."), "danger")
        return _render_scores(
            training_session, form, enrollments, values, submitted.errors, status=400
        )
    try:
        changed = services.save_scores(
            training_session, submitted.entries, actor=current_user, reason=form.reason.data
        )
    except DomainError as error:
        refuse(error, form)
        status = _refusal_status(error)
        return _render_scores(training_session, form, enrollments, values, status=status)
    db.session.commit()
    flash(
        ngettext("Scores saved (%(num)d changed).", "Scores saved (%(num)d changed).", changed),
        "success",
    )
    return redirect(url_for(".scores", session_id=session_id))


def _render_scores(
    training_session: TrainingSession,
    form: ScoresForm,
    enrollments: list[Enrollment],
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    completed = training_session.status == SessionStatus.COMPLETED
    editable = not completed or can(current_user, "scores.correct_completed", training_session)
    return render_template(
        "attendance/scores.html",
        training_session=training_session,
        form=form,
        enrollments=enrollments,
        values=values,
        errors=errors or {},
        average_gain=services.average_knowledge_gain(enrollments),
        curriculum=training_session.curriculum,
        completed=completed,
        editable=editable,
    ), status


def _score_text(score: int | None) -> str:
    return "" if score is None else str(score)


@bp.route("/sessions/<int:session_id>/sign-in-sheet.pdf")
@require("attendance.view")
def sign_in_sheet(session_id: int):
    """The printable sign-in sheet: every day, or one with ?date=YYYY-MM-DD;
    ?lang=fr|en|both|ar overrides the session's language."""
    training_session = load(TrainingSession, session_id, "attendance.view")
    days = training_session.days
    requested = request.args.get("date")
    if requested is not None:
        days = [_session_day(training_session, requested)]
    language = request.args.get("lang")
    if language not in (None, *SHEET_LANGUAGES):
        abort(400)
    sheet = sheet_for(training_session, days, language)
    suffix = days[0].isoformat() if len(days) == 1 else "all"
    filename = f"sign-in-{ascii_name(training_session.code, 'session')}-{suffix}.pdf"
    return send_download(render_sign_in_sheet(sheet), filename, "application/pdf", inline=True)
