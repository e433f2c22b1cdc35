"""Attendance and test scores (training.attendance.services): the changes
of the offline day grid's sync, each applied once by its id and never over
a newer value (a conflict instead), the days closed, the scores.
Trainers reach only the sessions they teach; a closed day or a completed
session changes only through a coordinator, with a reason."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user

from training.api import fields as f
from training.api.core import (
    PageArgs,
    bp,
    check_if_match,
    not_found,
    operation,
    page_of_list,
    page_response,
    page_schema,
    resource,
)
from training.api.problems import ApiProblem
from training.api.sessions import OrganisationRefSchema, load_session
from training.attendance import services
from training.attendance.forms import NOTE_LENGTH, REASON_LENGTH
from training.attendance.models import AttendanceStatus
from training.enrollment.models import Enrollment
from training.sessions.models import Period, TrainingSession

ATTENDANCE, SCORES = ["Attendance"], ["Scores"]
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class RosterParticipantSchema(f.Schema):
    """What the day grid shows of a participant: the name and unit."""

    given_name = f.Str(required=True)
    family_name = f.Str(required=True)
    organisation = f.Nested(OrganisationRefSchema, required=True, allow_none=True)


class DaySchema(f.Schema):
    date = f.Date(required=True, attribute="day")
    locked = f.Bool(required=True)
    missing = f.Function(
        lambda status: {period.value: count for period, count in status.missing.items()},
        required=True,
        metadata={
            "type": "object",
            "description": "Confirmed participants still without a record, per period (am, pm).",
        },
    )


class OverviewRowSchema(f.Schema):
    enrollment_id = f.Function(
        lambda row: row.enrollment.id, required=True, metadata={"type": "integer"}
    )
    participant = f.Function(
        lambda row: RosterParticipantSchema().dump(row.enrollment.participant),
        required=True,
        metadata={"type": "object"},
    )
    attendance_rate = f.Float(required=True)
    below_minimum = f.Bool(required=True)


class OverviewSchema(f.Schema):
    session_id = f.Int(required=True)
    minimum_rate = f.Float(required=True)
    days = f.List(f.Nested(DaySchema), required=True)
    rows = f.List(f.Nested(OverviewRowSchema), required=True)


class CellSchema(f.Schema):
    enrollment_id = f.Int(required=True)
    period = f.Enum(Period, required=True)
    status = f.Enum(AttendanceStatus, required=True)
    note = f.Str(required=True, allow_none=True)
    version = f.Int(required=True)
    recorded_at = f.DateTime(required=True, allow_none=True)


class DaySheetSchema(f.Schema):
    session_id = f.Int(required=True)
    date = f.Date(required=True)
    locked = f.Bool(required=True)
    cells = f.List(f.Nested(CellSchema), required=True)


class ChangeIn(f.Schema):
    """One cell as changed on a phone, maybe offline: its own id (made by
    the client, to send again safely), the cell, its value, and the version
    the client saw (0: it was empty)."""

    id = f.UUID(required=True)
    enrollment = f.Id(required=True)
    date = f.Date(required=True)
    period = f.Enum(Period, required=True)
    status = f.Enum(AttendanceStatus, required=True)
    note = f.Str(load_default=None, allow_none=True, validate=f.length(NOTE_LENGTH))
    base_version = f.Int(required=True, validate=f.between(0, 2**31 - 1))
    reason = f.Text(
        load_default=None,
        allow_none=True,
        validate=f.length(REASON_LENGTH),
        metadata={"description": "Required to correct a closed day or a completed session."},
    )


class SyncIn(f.Schema):
    changes = f.List(f.Nested(ChangeIn), required=True)


class CellStateSchema(f.Schema):
    status = f.Enum(AttendanceStatus, required=True)
    note = f.Str(required=True)
    version = f.Int(required=True)
    recorded_by = f.Str(required=True, allow_none=True)
    recorded_at = f.DateTime(required=True, allow_none=True)


class YoursSchema(f.Schema):
    status = f.Enum(AttendanceStatus, required=True)
    note = f.Str(required=True)


class ChangeResultSchema(f.Schema):
    id = f.UUID(required=True)
    outcome = f.Str(
        required=True,
        validate=f.one_of([outcome.value for outcome in services.ChangeOutcome]),
    )
    cell = f.Nested(CellStateSchema, metadata={"description": "The cell as it now stands."})
    yours = f.Nested(
        YoursSchema, metadata={"description": "A conflict: your value, beside theirs."}
    )
    code = f.Str(metadata={"description": "A refusal: the rule that refused it."})
    message = f.Str(metadata={"description": "A refusal: why, in the client's language."})


class SyncResultSchema(f.Schema):
    results = f.List(f.Nested(ChangeResultSchema), required=True)


class ClosedDaySchema(f.Schema):
    session_id = f.Int(required=True)
    date = f.Date(required=True)
    locked_at = f.DateTime(required=True)


def _session_day(training_session: TrainingSession, value: str) -> date:
    """The day the address names, when the session runs on it (404 else)."""
    day = None
    if _ISO_DAY.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
    if day is None or not training_session.includes(day):
        raise ApiProblem(
            404,
            "not_a_session_day",
            _(
                "This is not a day of session %(code)s, which runs from %(start)s to %(end)s.",
                code=training_session.code,
                start=training_session.start_date.isoformat(),
                end=training_session.end_date.isoformat(),
            ),
        )
    return day


DAY_PARAMETER = [
    {
        "in": "path",
        "name": "day",
        "required": True,
        "schema": {"type": "string", "format": "date", "maxLength": 10},
    }
]


@bp.route("/sessions/<int:session_id>/attendance", tags=ATTENDANCE)
@operation("attendance.view", "attendance:read", responses=(404,))
@bp.response(200, OverviewSchema)
def attendance_overview(session_id: int):
    """Each day (recorded or not, closed or not) and each confirmed
    participant's attendance rate, by the one rule (present and late
    periods / the session's periods)."""
    training_session = load_session(session_id, "attendance.view")
    overview = services.session_overview(training_session)
    return {
        "session_id": training_session.id,
        "minimum_rate": overview.minimum_rate,
        "days": overview.days,
        "rows": overview.rows,
    }


@bp.route("/sessions/<int:session_id>/attendance/<day>", tags=ATTENDANCE, parameters=DAY_PARAMETER)
@operation("attendance.view", "attendance:read", responses=(404,))
@bp.response(200, DaySheetSchema)
def attendance_day(session_id: int, day: str):
    """The recorded cells of one day, with their versions (the
    `base_version` of a change)."""
    training_session = load_session(session_id, "attendance.view")
    the_day = _session_day(training_session, day)
    records = services.day_records(training_session, the_day)
    cells = sorted(records.values(), key=lambda r: (r.enrollment_id, r.period.value))
    return {
        "session_id": training_session.id,
        "date": the_day,
        "locked": services.day_lock(training_session, the_day) is not None,
        "cells": cells,
    }


@bp.route("/sessions/<int:session_id>/attendance/sync", methods=["POST"], tags=ATTENDANCE)
@operation("attendance.record", "attendance:write", write=True, responses=(404, 413, 422))
@bp.arguments(SyncIn)
@bp.response(200, SyncResultSchema)
def attendance_sync(values: dict[str, Any], session_id: int):
    """The day grid's sync: each change applied once (the same id again is
    `already_applied`), atomically, never over a cell changed since its
    `base_version` (`conflict`, with the value found, who and when), or
    refused with the rule's `code` and why. The same service as the
    offline page's."""
    training_session = load_session(session_id, "attendance.record", for_update=True)
    items = values["changes"]
    limit = current_app.config["ATTENDANCE_SYNC_MAX_CHANGES"]
    if len(items) > limit:
        raise ApiProblem(
            413,
            "too_many_changes",
            _(
                "Too many changes at once (%(count)d; at most %(limit)d): send them in parts.",
                count=len(items),
                limit=limit,
            ),
        )
    ids = [item["id"] for item in items]
    if len(set(ids)) != len(ids):
        raise ApiProblem(422, "duplicate_change_id", _("A change's id was sent twice."))
    changes = [
        services.CellChange(
            change_id=item["id"],
            enrollment_id=item["enrollment"],
            day=item["date"],
            period=item["period"],
            status=item["status"],
            note=item["note"],
            base_version=item["base_version"],
            reason=item["reason"],
        )
        for item in items
    ]
    results = services.apply_changes(
        training_session, changes, actor=current_user._get_current_object()
    )
    answers = []
    for result, change in zip(results, changes, strict=True):
        answer: dict[str, Any] = {"id": result.change_id, "outcome": result.outcome.value}
        if result.outcome == services.ChangeOutcome.REFUSED:
            answer |= {"code": result.code or "refused", "message": result.message or ""}
        if result.cell is not None:
            answer["cell"] = {**result.cell.__dict__, "note": result.cell.note or ""}
        if result.outcome == services.ChangeOutcome.CONFLICT:
            answer["yours"] = {"status": change.status, "note": change.note or ""}
        answers.append(answer)
    return {"results": answers}


@bp.route(
    "/sessions/<int:session_id>/attendance/<day>/close",
    methods=["POST"],
    tags=ATTENDANCE,
    parameters=DAY_PARAMETER,
)
@operation("attendance.record", "attendance:write", write=True, responses=(404, 409))
@bp.response(200, ClosedDaySchema)
def close_day(session_id: int, day: str):
    """Close a day once every confirmed participant has both periods
    recorded: read-only for trainers from then on."""
    training_session = load_session(session_id, "attendance.record", for_update=True)
    the_day = _session_day(training_session, day)
    lock = services.close_day(training_session, the_day, actor=current_user)
    return {"session_id": training_session.id, "date": lock.date, "locked_at": lock.locked_at}


# Scores --------------------------------------------------------------------


class ScoreSchema(f.Schema):
    enrollment_id = f.Int(required=True, attribute="id")
    session_id = f.Int(required=True)
    participant = f.Nested(RosterParticipantSchema, required=True)
    pre_test_score = f.Int(required=True, allow_none=True)
    post_test_score = f.Int(required=True, allow_none=True)
    knowledge_gain = f.Int(required=True, allow_none=True)


class ScoreIn(f.Schema):
    pre_test_score = f.Int(allow_none=True, validate=f.between(0, 100))
    post_test_score = f.Int(allow_none=True, validate=f.between(0, 100))
    reason = f.Text(
        load_default=None,
        allow_none=True,
        validate=f.length(2000),
        metadata={"description": "Required to correct a completed session."},
    )


ScorePage = page_schema(ScoreSchema)


def _confirmed(training_session: TrainingSession, enrollment_id: int) -> Enrollment:
    enrollments = {e.id: e for e in services.confirmed_enrollments(training_session)}
    if enrollment_id not in enrollments:
        raise not_found()
    return enrollments[enrollment_id]


@bp.route("/sessions/<int:session_id>/scores", tags=SCORES)
@operation("scores.record", "scores:read", responses=(404,))
@bp.arguments(PageArgs, location="query")
@bp.response(200, ScorePage)
def list_scores(args: dict[str, Any], session_id: int):
    """Pre- and post-test scores of the confirmed participants."""
    training_session = load_session(session_id, "scores.record")
    enrollments = services.confirmed_enrollments(training_session)
    return page_response(page_of_list(enrollments, args, key=lambda e: e.id), ScorePage())


@bp.route("/sessions/<int:session_id>/scores/<int:enrollment_id>", tags=SCORES)
@operation("scores.record", "scores:read", responses=(404,))
@bp.response(200, ScoreSchema)
def get_score(session_id: int, enrollment_id: int):
    training_session = load_session(session_id, "scores.record")
    return resource(_confirmed(training_session, enrollment_id), ScoreSchema())


@bp.route("/sessions/<int:session_id>/scores/<int:enrollment_id>", methods=["PATCH"], tags=SCORES)
@operation(
    "scores.record",
    "scores:write",
    write=True,
    if_match="required",
    responses=(404, 409, 422),
)
@bp.arguments(ScoreIn)
@bp.response(200, ScoreSchema)
def update_score(values: dict[str, Any], session_id: int, enrollment_id: int):
    """Record or correct a participant's scores (0 to 100, or null: not
    taken); once the session is completed, only a coordinator, with a
    reason."""
    training_session = load_session(session_id, "scores.record", for_update=True)
    enrollment = _confirmed(training_session, enrollment_id)
    check_if_match(enrollment, ScoreSchema(), required=True)
    entry = services.ScoreEntry(
        enrollment_id=enrollment.id,
        pre_test_score=values.get("pre_test_score", enrollment.pre_test_score),
        post_test_score=values.get("post_test_score", enrollment.post_test_score),
    )
    services.save_scores(training_session, [entry], actor=current_user, reason=values["reason"])
    return resource(enrollment, ScoreSchema())
