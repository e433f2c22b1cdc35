"""Forms of the attendance pages.

The day grid and the score sheet have one field per participant, so they are
read from the submitted data by the functions below rather than declared as
WTForms fields; the CleanForm classes carry CSRF and the fixed fields.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from training.attendance.models import AttendanceStatus
from training.attendance.services import CellChange, CellKey, DayEntry, ScoreEntry
from training.orm import MAX_ID
from training.sessions.models import Period
from training.text import clean
from training.web.forms import CleanForm

NOTE_LENGTH = 500
REASON_LENGTH = 1000


def _not_understood() -> str:
    return _("The attendance form was not understood. Reload the page.")


class FormNotUnderstood(ValueError):
    """The grid's or score sheet's fields are malformed (a tampered or stale
    page): a validation error, not a broken rule. `message` is translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DaySheetForm(CleanForm):
    """CSRF and the correction reason; the cells are read by read_day()."""

    reason = TextAreaField(
        _l("Reason for the correction"),
        validators=[Optional(), Length(max=1000)],
        render_kw={"rows": 2},
    )


class CloseDayForm(CleanForm):
    """Only CSRF: closing a day takes no input."""


class FindSheetForm(CleanForm):
    """ "Key a paper sheet": the code printed on the sheet, typed, or typed by
    a USB scanner reading its QR code (the whole address, then Enter). Sent
    with GET: it changes nothing, and the QR code's address is this form
    filled in."""

    class Meta:
        csrf = False

    code = StringField(
        _l("Sheet code"),
        validators=[DataRequired(_l("Type the code printed on the sheet.")), Length(max=500)],
        description=_l(
            "Printed at the foot of every page of the sheet, for example NE-2026-CT-01 · "
            "2026-03-02 (type a space for the dot). A scanner reading the sheet's QR code "
            "fills it in."
        ),
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
            "autofocus": True,
            "enterkeyhint": "go",
        },
    )
    submit = SubmitField(_l("Open the sheet"))


class ScanForm(CleanForm):
    """The signed sheet's scan; its content is checked by the service."""

    scan = FileField(
        _l("Scan or photo of the signed sheet"),
        validators=[FileRequired(_l("Choose the file of the scan."))],
        render_kw={"accept": "application/pdf,image/jpeg,image/png"},
    )
    submit = SubmitField(_l("Attach the scan"))


class ScoresForm(CleanForm):
    """CSRF and the correction reason (a completed session); the scores are
    read by read_scores()."""

    reason = TextAreaField(
        _l("Reason for the correction"),
        validators=[Optional(), Length(max=1000)],
        render_kw={"rows": 2},
    )


def status_field(enrollment_id: int, period: Period) -> str:
    return f"status-{enrollment_id}-{period.value}"


def note_field(enrollment_id: int, period: Period) -> str:
    return f"note-{enrollment_id}-{period.value}"


def version_field(enrollment_id: int, period: Period) -> str:
    return f"version-{enrollment_id}-{period.value}"


def _cell(name: str, prefix: str) -> CellKey | None:
    """(enrollment id, period) from a field name like "status-12-am"."""
    parts = name.split("-")
    if len(parts) != 3 or parts[0] != prefix or not parts[1].isdigit():
        return None
    try:
        return int(parts[1]), Period(parts[2])
    except ValueError:
        return None


@dataclass
class DayInput:
    """The day grid as submitted: the chosen cells, notes and loaded versions."""

    entries: list[DayEntry] = field(default_factory=list)
    loaded_versions: dict[CellKey, int] = field(default_factory=dict)
    statuses: dict[CellKey, str] = field(default_factory=dict)
    notes: dict[CellKey, str] = field(default_factory=dict)


def read_day(data: Mapping[str, str]) -> DayInput:
    """Read the day grid's cells; an unknown status or a malformed cell name
    refuses the whole form (FormNotUnderstood)."""
    result = DayInput()
    for name, value in data.items():
        if name.startswith("version-"):
            key = _cell(name, "version")
            if key is None or not value.isdigit():
                raise FormNotUnderstood(
                    _("The attendance form was not understood. Reload the page.")
                )
            result.loaded_versions[key] = int(value)
        elif name.startswith("note-"):
            key = _cell(name, "note")
            if key is None:
                raise FormNotUnderstood(
                    _("The attendance form was not understood. Reload the page.")
                )
            if len(value) > 500:
                raise FormNotUnderstood(_("A note is at most 500 characters long."))
            result.notes[key] = value
    for name, value in data.items():
        if not name.startswith("status-"):
            continue
        key = _cell(name, "status")
        if key is None:
            raise FormNotUnderstood(_not_understood())
        if not value:
            continue
        try:
            status = AttendanceStatus(value)
        except ValueError:
            raise FormNotUnderstood(_("Unknown attendance status.")) from None
        result.statuses[key] = status.value
        result.entries.append(DayEntry(key[0], key[1], status, result.notes.get(key) or None))
    return result


@dataclass
class ScoresInput:
    entries: list[ScoreEntry] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def read_scores(data: Mapping[str, str], enrollment_ids: list[int]) -> ScoresInput:
    """Read "pre-<id>" and "post-<id>" fields: whole numbers from 0 to 100 or
    blank. Errors are returned per field so the sheet shows them in place;
    fields naming another session's enrollment refuse the form."""
    result = ScoresInput()
    known = set(enrollment_ids)
    for name in data:
        prefix, _sep, number = name.partition("-")
        if prefix in ("pre", "post") and (not number.isdigit() or int(number) not in known):
            raise FormNotUnderstood(
                _("Scores can only be recorded for participants confirmed in this session.")
            )
    for enrollment_id in enrollment_ids:
        scores: dict[str, int | None] = {}
        for prefix in ("pre", "post"):
            name = f"{prefix}-{enrollment_id}"
            raw = (data.get(name) or "").strip()
            result.values[name] = raw
            if not raw:
                scores[prefix] = None
            elif raw.isdigit() and 0 <= int(raw) <= 100:
                scores[prefix] = int(raw)
            else:
                result.errors[name] = _("A score is a whole number from 0 to 100.")
        if f"pre-{enrollment_id}" in data or f"post-{enrollment_id}" in data:
            result.entries.append(ScoreEntry(enrollment_id, scores.get("pre"), scores.get("post")))
    return result


# --- The sync endpoint's batches -------------------------------------------

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class BatchNotUnderstood(ValueError):
    """A batch of changes that is not what the page sends: refused whole,
    nothing written. `refused` names, by change id, the changes that could
    be told apart and what is wrong with each. `message` is translated."""

    def __init__(self, message: str, refused: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.refused = dict(refused or {})


class BatchTooLarge(BatchNotUnderstood):
    """More changes in one batch than the endpoint takes."""


@dataclass(frozen=True)
class SyncBatch:
    user_id: int
    changes: list[CellChange]


def _whole_number(value: Any, *, minimum: int) -> int | None:
    """An integer within minimum..MAX_ID (JSON true is not 1), else None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if minimum <= value <= MAX_ID else None


def _change_id(value: Any) -> uuid.UUID | None:
    if not isinstance(value, str) or len(value) != 36:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _text_value(data: Mapping[str, Any], name: str) -> str:
    """A field that must be text ("" when it is anything else)."""
    value = data.get(name)
    return value if isinstance(value, str) else ""


def _optional_text(value: Any, length: int, *, multiline: bool = False) -> str | None:
    """Text cleaned at the door; None for null or blank; ValueError when it
    is not text or too long."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError
    text = clean(value, multiline=multiline)
    if len(text) > length:
        raise ValueError
    return text or None


def _read_change(data: Mapping[str, Any], change_id: uuid.UUID) -> CellChange:
    """One change's fields; ValueError (with a translated message) when one
    is missing or wrong. Fields other than these are ignored."""
    enrollment_id = _whole_number(data.get("enrollment"), minimum=1)
    base_version = _whole_number(data.get("base_version"), minimum=0)
    raw_day, raw_period, raw_status = (
        _text_value(data, "date"),
        _text_value(data, "period"),
        _text_value(data, "status"),
    )
    if enrollment_id is None or base_version is None:
        raise ValueError(_not_understood())
    if not _ISO_DAY.fullmatch(raw_day):
        raise ValueError(_not_understood())
    try:
        day = date.fromisoformat(raw_day)
        period = Period(raw_period)
        status = AttendanceStatus(raw_status)
    except ValueError:
        raise ValueError(_not_understood()) from None
    try:
        note = _optional_text(data.get("note"), NOTE_LENGTH)
    except ValueError:
        raise ValueError(_("A note is at most 500 characters long.")) from None
    try:
        reason = _optional_text(data.get("reason"), REASON_LENGTH, multiline=True)
    except ValueError:
        raise ValueError(_not_understood()) from None
    return CellChange(change_id, enrollment_id, day, period, status, note, base_version, reason)


def read_changes(payload: Any, *, max_changes: int) -> SyncBatch:
    """Read a batch the page sends: `{"user": <id>, "changes": [{"id": <UUID>,
    "enrollment", "date", "period", "status", "note", "base_version",
    "reason"}]}`. Anything else refuses the whole batch (BatchNotUnderstood,
    BatchTooLarge past `max_changes`), naming the changes at fault."""
    if not isinstance(payload, dict) or not isinstance(payload.get("changes"), list):
        raise BatchNotUnderstood(_not_understood())
    user_id = _whole_number(payload.get("user"), minimum=1)
    if user_id is None:
        raise BatchNotUnderstood(_not_understood())
    items = payload["changes"]
    if len(items) > max_changes:
        raise BatchTooLarge(
            _(
                "Too many changes at once (%(count)d; at most %(limit)d): send them in parts.",
                count=len(items),
                limit=max_changes,
            )
        )
    changes: list[CellChange] = []
    refused: dict[str, str] = {}
    anonymous = False
    seen: set[uuid.UUID] = set()
    for item in items:
        change_id = _change_id(item.get("id")) if isinstance(item, dict) else None
        if change_id is None or change_id in seen:
            anonymous = True
            continue
        seen.add(change_id)
        try:
            changes.append(_read_change(item, change_id))
        except ValueError as error:
            refused[str(change_id)] = str(error)
    if anonymous or refused:
        raise BatchNotUnderstood(_not_understood(), refused)
    return SyncBatch(user_id, changes)
