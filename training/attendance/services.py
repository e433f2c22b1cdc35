"""Attendance: the rules for recording it and for counting it."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import Flask
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from training.attendance.models import (
    AttendanceChange,
    AttendanceDayLock,
    AttendanceRecord,
    AttendanceSource,
    AttendanceStatus,
    attended_in_session,
)
from training.audit.services import record_event
from training.auth.models import User
from training.domain import DomainError, NotAllowed
from training.enrollment.models import Enrollment
from training.extensions import db
from training.formatting import format_day
from training.orm import utcnow
from training.people.models import Participant, Sex
from training.permissions import can
from training.sessions.models import Period, SessionStatus, TrainingSession
from training.sessions.services import lock_session
from training.sessions.signals import dates_changing


def attended_periods(enrollment_ids: Iterable[int]) -> dict[int, int]:
    """Attended periods per enrollment (the rule: attended_in_session),
    counted in SQL."""
    ids = list(enrollment_ids)
    if not ids:
        return {}
    statement = (
        sa.select(AttendanceRecord.enrollment_id, sa.func.count())
        .join(Enrollment, Enrollment.id == AttendanceRecord.enrollment_id)
        .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .where(
            AttendanceRecord.enrollment_id.in_(ids),
            attended_in_session(TrainingSession.start_date, TrainingSession.end_date),
        )
        .group_by(AttendanceRecord.enrollment_id)
    )
    counts = {enrollment_id: 0 for enrollment_id in ids}
    counts.update(dict(db.session.execute(statement).all()))
    return counts


def attendance_rates(training_session: TrainingSession) -> dict[int, float]:
    """Attendance rate per enrollment of the session, from 0.0 to 1.0.

    The rule (DESIGN.md): attended periods are present and late ones, and
    the rate is attended periods / the session's periods (two per day).
    """
    enrollment_ids = db.session.scalars(
        sa.select(Enrollment.id).where(Enrollment.session_id == training_session.id)
    ).all()
    periods = training_session.period_count
    return {
        enrollment_id: attended / periods
        for enrollment_id, attended in attended_periods(enrollment_ids).items()
    }


def attendance_rate(enrollment: Enrollment) -> float:
    """The attendance rate of one enrollment (see attendance_rates)."""
    attended = attended_periods([enrollment.id])[enrollment.id]
    return attended / enrollment.training_session.period_count


def recorded_days_outside(
    training_session: TrainingSession, start_date: date, end_date: date
) -> list[date]:
    """The days with attendance recorded for the session that fall outside
    `start_date`..`end_date`, in order."""
    return list(
        db.session.scalars(
            sa.select(AttendanceRecord.date)
            .join(Enrollment, Enrollment.id == AttendanceRecord.enrollment_id)
            .where(
                Enrollment.session_id == training_session.id,
                sa.or_(AttendanceRecord.date < start_date, AttendanceRecord.date > end_date),
            )
            .distinct()
            .order_by(AttendanceRecord.date)
        )
    )


def refuse_dates_leaving_records(
    training_session: TrainingSession, *, start_date: date, end_date: date
) -> None:
    """A session's new dates keep every day on which attendance is recorded:
    a record left outside the session would count for nothing (and the
    signed sheet it came from would no longer match the session). Receives
    sessions' `dates_changing` signal (connected by create_app)."""
    outside = recorded_days_outside(training_session, start_date, end_date)
    if outside:
        raise DomainError(
            ngettext(
                "Attendance is already recorded on %(days)s, which these dates leave out. "
                "Keep that day in the session.",
                "Attendance is already recorded on %(days)s, which these dates leave out. "
                "Keep those days in the session.",
                len(outside),
                days=", ".join(format_day(day, "long") for day in outside),
            ),
            field="start_date" if outside[0] < start_date else "end_date",
        )


def init_app(app: Flask) -> None:
    """Connect attendance's rules to what sessions announce."""
    dates_changing.connect(refuse_dates_leaving_records)


# --- Recording a day ------------------------------------------------------


# The rules of recording a day, each with the code a program reads (the
# sync endpoint answers it per change beside the translated message).
class NotASessionDay(DomainError):
    code = "not_a_session_day"


class DayToCome(DomainError):
    code = "day_to_come"


class SessionCompleted(NotAllowed):
    code = "session_completed"


class DayClosed(NotAllowed):
    code = "day_closed"


class ReasonRequired(DomainError):
    code = "reason_required"


class NotConfirmed(DomainError):
    code = "not_confirmed"


class EntryNotUnderstood(DomainError):
    code = "malformed"


class NotSessionTrainer(NotAllowed):
    code = "not_allowed"


@dataclass(frozen=True)
class DayEntry:
    """One cell of the day grid as the trainer submitted it."""

    enrollment_id: int
    period: Period
    status: AttendanceStatus
    note: str | None = None


@dataclass(frozen=True)
class Conflict:
    """A cell someone else changed between the trainer's load and save: what
    was found there, its version, and who recorded it when."""

    participant_name: str
    period: Period
    found_status: AttendanceStatus
    found_note: str | None
    enrollment_id: int
    found_version: int
    found_by: str | None
    found_at: datetime | None


@dataclass
class DaySaveResult:
    created: int = 0
    changed: int = 0
    conflicts: list[Conflict] = field(default_factory=list)


CellKey = tuple[int, Period]


def confirmed_enrollments(training_session: TrainingSession) -> list[Enrollment]:
    """The session's confirmed enrollments in family-name order, with each
    participant and organisation loaded (one query)."""
    statement = (
        sa.select(Enrollment)
        .join(Enrollment.participant)
        .where(
            Enrollment.session_id == training_session.id,
            Enrollment.is_confirmed,
        )
        .order_by(
            sa.func.lower(Participant.family_name),
            sa.func.lower(Participant.given_name),
            Enrollment.id,
        )
        .options(sa.orm.contains_eager(Enrollment.participant).joinedload(Participant.organisation))
    )
    return list(db.session.scalars(statement).unique())


def day_records(training_session: TrainingSession, day: date) -> dict[CellKey, AttendanceRecord]:
    """The recorded cells of one day, by (enrollment id, period)."""
    statement = (
        sa.select(AttendanceRecord)
        .join(Enrollment)
        .where(Enrollment.session_id == training_session.id, AttendanceRecord.date == day)
    )
    return {
        (record.enrollment_id, record.period): record for record in db.session.scalars(statement)
    }


def day_lock(training_session: TrainingSession, day: date) -> AttendanceDayLock | None:
    return db.session.scalar(
        sa.select(AttendanceDayLock).where(
            AttendanceDayLock.session_id == training_session.id, AttendanceDayLock.date == day
        )
    )


def check_day(training_session: TrainingSession, day: date) -> None:
    """A day outside the session's dates has no attendance."""
    if not training_session.includes(day):
        raise NotASessionDay(
            _(
                "%(day)s is not a day of this session (%(start)s to %(end)s).",
                day=format_day(day, "long"),
                start=format_day(training_session.start_date, "long"),
                end=format_day(training_session.end_date, "long"),
            )
        )


def save_day(
    training_session: TrainingSession,
    day: date,
    entries: Iterable[DayEntry],
    *,
    actor: User,
    loaded_versions: Mapping[CellKey, int],
    reason: str | None = None,
    overwrite: bool = True,
    confirmed: Mapping[int, Enrollment] | None = None,
    source: AttendanceSource = AttendanceSource.APP,
) -> DaySaveResult:
    """Record one day of attendance in one transaction.

    Rules: the day belongs to the session; every entry names a confirmed
    enrollment of this session (anything else refuses the whole save); a
    closed day changes only through a user allowed to correct it
    ("attendance.correct_locked"), with a written reason, and so does a
    completed session ("attendance.correct_completed"); a day still to come
    (after today) has no attendance yet. Each change to an existing record
    is audited with its before and after values.

    No lost updates: `loaded_versions` holds the version of each cell when
    the form was loaded (0 for an empty cell). A cell whose stored version
    differs was changed by someone else meanwhile: the save still writes
    (last writer wins) and returns that cell as a conflict, with the value
    that was overwritten, so the trainer can check it; with
    `overwrite=False` (the page's sync) such a cell is left as found and
    returned as a conflict for the trainer to choose. Rows are read FOR
    UPDATE (PostgreSQL) and a cell created concurrently by another request
    (unique enrollment/date/period) is picked up by retrying in a SAVEPOINT.

    `confirmed` is the session's confirmed enrollments by id, when the
    caller read them in this transaction, under the session's lock
    (apply_changes, for each change of a batch); else they are read here.

    `source` is what each record written comes from (the app, or a paper
    sheet keyed back: training.attendance.paper); a cell left as it was
    keeps its source.
    """
    check_day(training_session, day)
    if day > date.today():
        raise DayToCome(
            _(
                "%(day)s is still to come: its attendance is recorded on the day.",
                day=format_day(day, "long"),
            )
        )
    entries = list(entries)
    # Saving and closing a day never interleave: a save either commits
    # before the closing looks at the day, or reads its lock.
    lock_session(training_session)
    lock = day_lock(training_session, day)
    completed = training_session.status == SessionStatus.COMPLETED
    if completed and not can(actor, "attendance.correct_completed", training_session):
        raise SessionCompleted(
            _("This session is completed: only a coordinator can correct its attendance.")
        )
    if lock is not None and not can(actor, "attendance.correct_locked", training_session):
        raise DayClosed(_("This day is closed: only a coordinator can correct it."))
    if lock is not None or completed:
        if not (reason and reason.strip()):
            message = (
                _("Write the reason for correcting a closed day.")
                if lock is not None
                else _("Write the reason for correcting a completed session.")
            )
            raise ReasonRequired(message, field="reason")
        reason = reason.strip()
    else:
        reason = None

    enrollments = (
        confirmed
        if confirmed is not None
        else {enrollment.id: enrollment for enrollment in confirmed_enrollments(training_session)}
    )
    seen: set[CellKey] = set()
    for entry in entries:
        if entry.enrollment_id not in enrollments:
            raise NotConfirmed(
                _("Attendance can only be recorded for participants confirmed in this session.")
            )
        if not isinstance(entry.status, AttendanceStatus):
            raise EntryNotUnderstood(_("Unknown attendance status."))
        key = (entry.enrollment_id, entry.period)
        if key in seen:
            raise EntryNotUnderstood(_("A participant's period was sent twice."))
        seen.add(key)

    arguments = (
        training_session,
        day,
        entries,
        enrollments,
        actor,
        loaded_versions,
        reason,
        overwrite,
        source,
    )
    for _retry in range(2):
        try:
            with db.session.begin_nested():
                return _apply_day(*arguments)
        except (IntegrityError, StaleDataError):
            # Another request wrote the same cells first: read them again
            # (now committed) and apply our values over them.
            continue
    with db.session.begin_nested():
        return _apply_day(*arguments)


def _apply_day(
    training_session: TrainingSession,
    day: date,
    entries: list[DayEntry],
    enrollments: Mapping[int, Enrollment],
    actor: User,
    loaded_versions: Mapping[CellKey, int],
    reason: str | None,
    overwrite: bool,
    source: AttendanceSource,
) -> DaySaveResult:
    statement = (
        sa.select(AttendanceRecord)
        .where(
            AttendanceRecord.enrollment_id.in_({entry.enrollment_id for entry in entries}),
            AttendanceRecord.date == day,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    existing = {
        (record.enrollment_id, record.period): record for record in db.session.scalars(statement)
    }
    result = DaySaveResult()
    now = utcnow()
    actor_id = actor.id
    session_id = training_session.id
    new_rows: list[dict[str, object]] = []
    # One flush at the end: changes are sent together, not cell by cell.
    with db.session.no_autoflush:
        for entry in entries:
            key = (entry.enrollment_id, entry.period)
            note = (entry.note or "").strip() or None
            record = existing.get(key)
            if record is None:
                new_rows.append(
                    {
                        "enrollment_id": entry.enrollment_id,
                        "date": day,
                        "period": entry.period,
                        "status": entry.status,
                        "note": note,
                        "recorded_by_id": actor_id,
                        "recorded_at": now,
                        "source": source,
                        "version": 1,
                    }
                )
                continue
            if record.status == entry.status and record.note == note:
                continue
            participant = enrollments[entry.enrollment_id].participant
            if record.version != loaded_versions.get(key, 0):
                result.conflicts.append(
                    Conflict(
                        participant.full_name,
                        entry.period,
                        record.status,
                        record.note,
                        enrollment_id=entry.enrollment_id,
                        found_version=record.version,
                        found_by=record.recorded_by.name if record.recorded_by else None,
                        found_at=record.recorded_at,
                    )
                )
                if not overwrite:
                    continue
            before = {"status": record.status, "note": record.note}
            after = {"status": entry.status, "note": note}
            if AttendanceSource.PAPER in (record.source, source):
                # Said only where paper is involved: every other mark is the app's.
                before["source"], after["source"] = record.source, source
            record.status = entry.status
            record.note = note
            record.recorded_by_id = actor_id
            record.recorded_at = now
            record.source = source
            result.changed += 1
            record_event(
                "attendance.changed",
                actor=actor,
                entity=record,
                session_id=session_id,
                participant_id=participant.id,
                before={**before, "date": day, "period": entry.period},
                after={**after, "date": day, "period": entry.period},
                reason=reason,
            )
    db.session.flush()
    if new_rows:
        # First entries are not audited, unless they correct a closed day or
        # a completed session (then with the reason); one multi-row INSERT. A
        # cell created meanwhile by another request fails it (unique
        # constraint) and the caller retries with that cell read back.
        db.session.execute(sa.insert(AttendanceRecord), new_rows)
        result.created = len(new_rows)
        if reason is not None:
            for row in new_rows:
                enrollment_id = row["enrollment_id"]
                assert isinstance(enrollment_id, int)
                record_event(
                    "attendance.changed",
                    actor=actor,
                    entity_type="attendance_record",
                    session_id=session_id,
                    participant_id=enrollments[enrollment_id].participant_id,
                    before={"status": None, "date": day, "period": row["period"]},
                    after={
                        "status": row["status"],
                        "note": row["note"],
                        **({"source": source} if source == AttendanceSource.PAPER else {}),
                        "date": day,
                        "period": row["period"],
                    },
                    reason=reason,
                )
    return result


# --- Changes sent by the day grid's page (the sync endpoint) ---------------


class ChangeOutcome(enum.StrEnum):
    """What became of one change the page sent."""

    APPLIED = "applied"
    ALREADY_APPLIED = "already_applied"
    CONFLICT = "conflict"
    REFUSED = "refused"


@dataclass(frozen=True)
class CellChange:
    """One cell as the trainer changed it on the page, maybe offline: the
    change's own id (made by the page), the cell, its new value, and the
    version of the cell the trainer saw (0: it was empty)."""

    change_id: uuid.UUID
    enrollment_id: int
    day: date
    period: Period
    status: AttendanceStatus
    note: str | None
    base_version: int
    reason: str | None = None


@dataclass(frozen=True)
class CellState:
    """A recorded cell as it stands: its value, version, who recorded it and when."""

    status: AttendanceStatus
    note: str | None
    version: int
    recorded_by: str | None
    recorded_at: datetime | None


@dataclass(frozen=True)
class ChangeResult:
    """The answer to one change: the cell as it now stands (applied, already
    applied, conflict), or the rule that refused it (`code`) and why
    (`message`, translated)."""

    change_id: uuid.UUID
    outcome: ChangeOutcome
    cell: CellState | None = None
    code: str | None = None
    message: str | None = None


def cell_state(enrollment_id: int, day: date, period: Period) -> CellState | None:
    """The recorded cell of an enrollment's period, as committed or written
    in this transaction (None when nothing is recorded)."""
    record = db.session.scalar(
        sa.select(AttendanceRecord)
        .where(
            AttendanceRecord.enrollment_id == enrollment_id,
            AttendanceRecord.date == day,
            AttendanceRecord.period == period,
        )
        .options(sa.orm.joinedload(AttendanceRecord.recorded_by))
        .execution_options(populate_existing=True)
    )
    if record is None:
        return None
    return CellState(
        record.status,
        record.note,
        record.version,
        record.recorded_by.name if record.recorded_by else None,
        record.recorded_at,
    )


def apply_changes(
    training_session: TrainingSession, changes: Sequence[CellChange], *, actor: User
) -> list[ChangeResult]:
    """Apply the changes the day grid's page sends (kept in its outbox while
    the network was gone), in order, each through save_day: the same rules
    as the form's (the day is the session's and not still to come, closed
    days and completed sessions only through a coordinator with a reason,
    confirmed participants only), and the same audit.

    - A change is applied once: its id, once applied, is kept
      (AttendanceChange), and the same change sent again is answered
      "already applied".
    - Each change is atomic (a SAVEPOINT of its own): a refused change
      leaves nothing written, the others stand.
    - A cell changed since the version the trainer saw is never overwritten:
      the answer is a conflict with the value found there, who recorded it
      and when, for the trainer to choose. A change to the value already
      there is applied (no new version).
    - A refusal names its rule (`code`) and says why.

    Raises NotSessionTrainer, with nothing applied, when the actor may not
    record this session's attendance (no longer one of its trainers)."""
    if not can(actor, "attendance.record", training_session):
        raise NotSessionTrainer(
            _("You are no longer a trainer of this session: you cannot record its attendance.")
        )
    # One sync of a session at a time: the applied ids read next are the
    # committed ones, so a change sent twice at once is applied once.
    lock_session(training_session)
    applied = _applied_changes([change.change_id for change in changes])
    # Read once for the batch: no enrollment changes while the session is locked.
    confirmed = {
        enrollment.id: enrollment for enrollment in confirmed_enrollments(training_session)
    }
    results = []
    for change in changes:
        known = applied.get(change.change_id)
        if known is not None:
            results.append(_answer_applied_again(training_session, change, known, actor))
            continue
        result = _apply_change(training_session, change, actor, confirmed)
        if result.outcome == ChangeOutcome.APPLIED:
            applied.update(_applied_changes([change.change_id]))
        results.append(result)
    return results


def _applied_changes(
    change_ids: Sequence[uuid.UUID],
) -> dict[uuid.UUID, tuple[AttendanceChange, int]]:
    """The applied changes among these ids, with their enrollment's session."""
    if not change_ids:
        return {}
    rows = db.session.execute(
        sa.select(AttendanceChange, Enrollment.session_id)
        .join(Enrollment, Enrollment.id == AttendanceChange.enrollment_id)
        .where(AttendanceChange.change_id.in_(list(change_ids)))
    ).all()
    return {change.change_id: (change, session_id) for change, session_id in rows}


def _answer_applied_again(
    training_session: TrainingSession,
    change: CellChange,
    known: tuple[AttendanceChange, int],
    actor: User,
) -> ChangeResult:
    """A change whose id is already applied: "already applied" when it is the
    same change (same user, same cell), refused otherwise (an id is never
    reused, and another's cell is not shown)."""
    row, session_id = known
    same = (
        row.user_id == actor.id
        and session_id == training_session.id
        and (row.enrollment_id, row.date, row.period)
        == (change.enrollment_id, change.day, change.period)
    )
    if not same:
        return ChangeResult(
            change.change_id,
            ChangeOutcome.REFUSED,
            code=EntryNotUnderstood.code,
            message=_("This change's id was already used for another change."),
        )
    return ChangeResult(
        change.change_id,
        ChangeOutcome.ALREADY_APPLIED,
        cell=cell_state(change.enrollment_id, change.day, change.period),
    )


def _apply_change(
    training_session: TrainingSession,
    change: CellChange,
    actor: User,
    confirmed: Mapping[int, Enrollment],
) -> ChangeResult:
    key = (change.enrollment_id, change.period)
    entry = DayEntry(change.enrollment_id, change.period, change.status, change.note)
    try:
        with db.session.begin_nested():
            saved = save_day(
                training_session,
                change.day,
                [entry],
                actor=actor,
                loaded_versions={key: change.base_version},
                reason=change.reason,
                overwrite=False,
                confirmed=confirmed,
            )
            if saved.conflicts:
                found = saved.conflicts[0]
                return ChangeResult(
                    change.change_id,
                    ChangeOutcome.CONFLICT,
                    cell=CellState(
                        found.found_status,
                        found.found_note,
                        found.found_version,
                        found.found_by,
                        found.found_at,
                    ),
                )
            cell = cell_state(change.enrollment_id, change.day, change.period)
            assert cell is not None  # save_day wrote it, or found it equal
            db.session.add(
                AttendanceChange(
                    change_id=change.change_id,
                    user_id=actor.id,
                    enrollment_id=change.enrollment_id,
                    date=change.day,
                    period=change.period,
                    version=cell.version,
                )
            )
            db.session.flush()
    except DomainError as error:
        return ChangeResult(
            change.change_id,
            ChangeOutcome.REFUSED,
            code=getattr(error, "code", None) or "refused",
            message=error.message,
        )
    except IntegrityError:
        # The same change applied meanwhile by another request (two tabs
        # sending at once): that application stands.
        known = _applied_changes([change.change_id]).get(change.change_id)
        if known is None:
            raise
        return _answer_applied_again(training_session, change, known, actor)
    return ChangeResult(change.change_id, ChangeOutcome.APPLIED, cell=cell)


def missing_cells(training_session: TrainingSession, day: date) -> int:
    """How many (confirmed participant, period) cells of the day have no record."""
    confirmed = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Enrollment)
        .where(
            Enrollment.session_id == training_session.id,
            Enrollment.is_confirmed,
        )
    )
    recorded = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AttendanceRecord)
        .join(Enrollment)
        .where(
            Enrollment.session_id == training_session.id,
            Enrollment.is_confirmed,
            AttendanceRecord.date == day,
        )
    )
    return (confirmed or 0) * len(Period) - (recorded or 0)


def close_day(training_session: TrainingSession, day: date, *, actor: User) -> AttendanceDayLock:
    """Close a day: allowed once every confirmed participant has both periods
    recorded. A closed day is read-only for trainers. Closing twice is
    harmless (the existing lock is returned)."""
    check_day(training_session, day)
    lock_session(training_session)  # waits for a save of this session in flight
    lock = day_lock(training_session, day)
    if lock is not None:
        return lock
    missing = missing_cells(training_session, day)
    if missing:
        raise DomainError(
            ngettext(
                "The day cannot be closed: %(num)d period is not recorded yet.",
                "The day cannot be closed: %(num)d periods are not recorded yet.",
                missing,
            )
        )
    lock = AttendanceDayLock(session_id=training_session.id, date=day, locked_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(lock)
            db.session.flush()
    except IntegrityError:
        # Closed at the same moment by someone else: that lock stands.
        return day_lock(training_session, day)  # type: ignore[return-value]
    record_event(
        "attendance.day_closed",
        actor=actor,
        entity=lock,
        session_id=training_session.id,
        after={"date": day},
    )
    return lock


# --- Views of a session's attendance --------------------------------------


@dataclass(frozen=True)
class DayStatus:
    """One day of a session: what is recorded and whether it is closed."""

    day: date
    missing: dict[Period, int]
    locked: bool

    @property
    def complete(self) -> bool:
        return not any(self.missing.values())


def day_statuses(training_sessions: Sequence[TrainingSession]) -> dict[int, list[DayStatus]]:
    """For each session, its days with the number of confirmed participants
    still missing a record per period, and the lock state (three queries
    whatever the number of sessions)."""
    ids = [training_session.id for training_session in training_sessions]
    if not ids:
        return {}
    confirmed = dict(
        db.session.execute(
            sa.select(Enrollment.session_id, sa.func.count())
            .where(Enrollment.session_id.in_(ids), Enrollment.is_confirmed)
            .group_by(Enrollment.session_id)
        ).all()
    )
    recorded: dict[tuple[int, date, Period], int] = {}
    rows = db.session.execute(
        sa.select(
            Enrollment.session_id, AttendanceRecord.date, AttendanceRecord.period, sa.func.count()
        )
        .join(Enrollment)
        .where(Enrollment.session_id.in_(ids), Enrollment.is_confirmed)
        .group_by(Enrollment.session_id, AttendanceRecord.date, AttendanceRecord.period)
    )
    for session_id, day, period, count in rows:
        recorded[(session_id, day, period)] = count
    locked = set(
        db.session.execute(
            sa.select(AttendanceDayLock.session_id, AttendanceDayLock.date).where(
                AttendanceDayLock.session_id.in_(ids)
            )
        )
    )
    statuses: dict[int, list[DayStatus]] = {}
    for training_session in training_sessions:
        expected = confirmed.get(training_session.id, 0)
        statuses[training_session.id] = [
            DayStatus(
                day=day,
                missing={
                    period: expected - recorded.get((training_session.id, day, period), 0)
                    for period in Period
                },
                locked=(training_session.id, day) in locked,
            )
            for day in training_session.days
        ]
    return statuses


@dataclass(frozen=True)
class OverviewRow:
    enrollment: Enrollment
    cells: dict[tuple[date, Period], AttendanceStatus]
    attendance_rate: float
    # The rate if every period not yet recorded turns out attended.
    best_possible_rate: float
    below_minimum: bool


@dataclass(frozen=True)
class Overview:
    rows: list[OverviewRow]
    days: list[DayStatus]
    minimum_rate: float
    # (sex, date, period) -> attended count, and sex -> attended periods.
    present_by_sex: dict[tuple[Sex, date, Period], int]
    totals_by_sex: dict[Sex, int]
    participants_by_sex: dict[Sex, int]
    # The cells (enrollment id, date, period) whose mark was keyed from a
    # paper sheet.
    paper_cells: frozenset[tuple[int, date, Period]] = frozenset()


def session_overview(training_session: TrainingSession) -> Overview:
    """The attendance matrix of a session: each confirmed participant's cells,
    rate (the one rule, attendance_rates) and whether it is below the
    curriculum's minimum, and attended counts by sex. A fixed number of
    queries.

    Mid-session every rate is low (future periods count as not attended),
    so a participant is flagged below the minimum when even attending every
    period not yet recorded would leave the rate under it; when every period
    is recorded, that is exactly "rate below the minimum"."""
    enrollments = confirmed_enrollments(training_session)
    rates = attendance_rates(training_session)
    records = db.session.execute(
        sa.select(
            AttendanceRecord.enrollment_id,
            AttendanceRecord.date,
            AttendanceRecord.period,
            AttendanceRecord.status,
            AttendanceRecord.source,
        )
        .join(Enrollment)
        .where(
            Enrollment.session_id == training_session.id,
            AttendanceRecord.date >= training_session.start_date,
            AttendanceRecord.date <= training_session.end_date,
        )
    )
    cells: dict[int, dict[tuple[date, Period], AttendanceStatus]] = {}
    paper_cells: set[tuple[int, date, Period]] = set()
    for enrollment_id, day, period, status, source in records:
        cells.setdefault(enrollment_id, {})[(day, period)] = status
        if source == AttendanceSource.PAPER:
            paper_cells.add((enrollment_id, day, period))
    minimum = training_session.curriculum.min_attendance_percent / 100
    rows = []
    present_by_sex: dict[tuple[Sex, date, Period], int] = {}
    totals_by_sex: dict[Sex, int] = {sex: 0 for sex in Sex}
    participants_by_sex: dict[Sex, int] = {sex: 0 for sex in Sex}
    for enrollment in enrollments:
        own = cells.get(enrollment.id, {})
        rate = rates.get(enrollment.id, 0.0)
        best = rate + (training_session.period_count - len(own)) / training_session.period_count
        # While periods remain open, only those who can no longer reach the
        # minimum are flagged; once all is recorded this is rate < minimum.
        rows.append(OverviewRow(enrollment, own, rate, best, best < minimum))
        sex = enrollment.participant.sex
        participants_by_sex[sex] += 1
        for (day, period), status in own.items():
            if status.attended:
                present_by_sex[(sex, day, period)] = present_by_sex.get((sex, day, period), 0) + 1
                totals_by_sex[sex] += 1
    return Overview(
        rows=rows,
        days=day_statuses([training_session])[training_session.id],
        minimum_rate=minimum,
        present_by_sex=present_by_sex,
        totals_by_sex=totals_by_sex,
        participants_by_sex=participants_by_sex,
        paper_cells=frozenset(paper_cells),
    )


# --- Test scores -----------------------------------------------------------


@dataclass(frozen=True)
class ScoreEntry:
    enrollment_id: int
    pre_test_score: int | None
    post_test_score: int | None


def save_scores(
    training_session: TrainingSession,
    entries: Iterable[ScoreEntry],
    *,
    actor: User,
    reason: str | None = None,
) -> int:
    """Record pre- and post-test scores for the whole session at once.

    Scores are whole numbers from 0 to 100, or blank (not taken); every
    entry must name a confirmed enrollment of this session, otherwise
    nothing is saved. Once the session is completed, only a user allowed to
    correct it ("scores.correct_completed") changes them, with a written
    reason. Each changed score is audited. Returns how many enrollments
    changed.
    """
    if training_session.status == SessionStatus.COMPLETED:
        if not can(actor, "scores.correct_completed", training_session):
            raise NotAllowed(
                _("This session is completed: only a coordinator can correct its scores.")
            )
        if not (reason and reason.strip()):
            raise DomainError(
                _("Write the reason for correcting a completed session."), field="reason"
            )
        reason = reason.strip()
    else:
        reason = None
    enrollments = {
        enrollment.id: enrollment for enrollment in confirmed_enrollments(training_session)
    }
    entries = list(entries)
    for entry in entries:
        if entry.enrollment_id not in enrollments:
            raise DomainError(
                _("Scores can only be recorded for participants confirmed in this session.")
            )
        for score in (entry.pre_test_score, entry.post_test_score):
            if score is not None and not 0 <= score <= 100:
                raise DomainError(_("A score is a number from 0 to 100."))
    changed = 0
    for entry in entries:
        enrollment = enrollments[entry.enrollment_id]
        before = {
            "pre_test_score": enrollment.pre_test_score,
            "post_test_score": enrollment.post_test_score,
        }
        after = {"pre_test_score": entry.pre_test_score, "post_test_score": entry.post_test_score}
        if before == after:
            continue
        enrollment.pre_test_score = entry.pre_test_score
        enrollment.post_test_score = entry.post_test_score
        changed += 1
        record_event(
            "scores.changed",
            actor=actor,
            entity=enrollment,
            session_id=training_session.id,
            participant_id=enrollment.participant_id,
            before=before,
            after=after,
            reason=reason,
        )
    db.session.flush()
    return changed


def average_knowledge_gain(enrollments: Iterable[Enrollment]) -> float | None:
    """Mean of post-test minus pre-test over those who took both tests."""
    gains = [e.knowledge_gain for e in enrollments if e.knowledge_gain is not None]
    return sum(gains) / len(gains) if gains else None
