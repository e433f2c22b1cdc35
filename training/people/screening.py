"""The one clearance rule, in Python and in SQL.

A participant is cleared on a day when the latest screening record valid on
that day (screened on or before it, not past its validity) clears them:
the latest one speaks, so a later "not cleared" outweighs an earlier
clearance, and a clearance that lapses before the day no longer counts.
Confirmation, the coordinator's "nominees awaiting screening" alert and the
screening badge of a session's enrollments all evaluate it on the session's
start date; pages about a participant alone evaluate it today.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.expression import ColumnElement

from training.people.models import Participant, ScreeningRecord, ScreeningStatus

CLEARANCES = tuple(status for status in ScreeningStatus if status.is_clearance)
_EARLIEST = date(1, 1, 1)


def _valid_on(record: ScreeningRecord, day: date) -> bool:
    return (record.screened_on is None or record.screened_on <= day) and (
        record.valid_until is None or day <= record.valid_until
    )


def current_screening(participant: Participant, on: date) -> ScreeningRecord | None:
    """The latest screening record valid on `on`, or None (see the module)."""
    valid = [record for record in participant.screenings if _valid_on(record, on)]
    if not valid:
        return None
    return max(valid, key=lambda record: (record.screened_on or _EARLIEST, record.id or 0))


def is_cleared(participant: Participant, on: date) -> bool:
    """Cleared or cleared with conditions by the screening current on `on`."""
    record = current_screening(participant, on)
    return record is not None and record.status.is_clearance


def screening_state(participant: Participant, on: date | None = None) -> str:
    """What the screening badge shows on `on` (today by default): the current
    record's status, else "expired" when every record has lapsed, else
    "none"."""
    on = on or date.today()
    record = current_screening(participant, on)
    if record is not None:
        return record.status.value
    if any(r.valid_until is not None and r.valid_until < on for r in participant.screenings):
        return "expired"
    return "none"


def current_status_on(participant_id: Any, day: Any) -> ColumnElement[Any]:
    """current_screening(...).status as an SQL scalar subquery, correlated
    to the given participant id and day columns (NULL: no valid record)."""
    return (
        sa.select(ScreeningRecord.status)
        .where(
            ScreeningRecord.participant_id == participant_id,
            sa.or_(ScreeningRecord.screened_on.is_(None), ScreeningRecord.screened_on <= day),
            sa.or_(ScreeningRecord.valid_until.is_(None), ScreeningRecord.valid_until >= day),
        )
        .order_by(
            sa.func.coalesce(ScreeningRecord.screened_on, _EARLIEST).desc(),
            ScreeningRecord.id.desc(),
        )
        .limit(1)
        .scalar_subquery()
    )


def cleared_on(participant_id: Any, day: Any) -> ColumnElement[bool]:
    """is_cleared(...) as an SQL condition."""
    return sa.func.coalesce(current_status_on(participant_id, day).in_(CLEARANCES), False)
