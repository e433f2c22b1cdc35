"""Keeping `report_training` (one row per person-training) up to date.

The rows are rewritten a session at a time from the source tables, inside
the transaction that changed them, so the reports never see a half-written
change and a rolled-back change leaves them as they were:

- every ORM flush that touches something a row copies (an enrollment, a
  session's status, dates, country or curriculum, a participant's sex,
  nationality or organisation, an organisation's kind, a curriculum's
  theme, an attendance record, a certificate) rewrites the rows of the
  sessions concerned, right after the flush (`after_flush_postexec`);
- writes that bypass the ORM (the attendance grid's multi-row INSERT, the
  demo programme's and the benchmark's bulk loads) call `refresh_enrollments`
  or `rebuild` themselves;
- `flask rebuild-reports` rebuilds the table after anything edited the
  database by hand.

The test suite checks after every test that the table equals a rebuild
(`tests/conftest.py`), so a write path that forgets it fails loudly.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from training.attendance.models import AttendanceRecord, AttendanceStatus
from training.certificates.models import Certificate, CertificateStatus
from training.curricula.models import Curriculum
from training.enrollment.models import Enrollment, EnrollmentStatus
from training.extensions import db
from training.people.models import Organisation, Participant
from training.reports.models import ReportTraining
from training.sessions.models import Period, SessionStatus, TrainingSession

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
# Ids per statement when resolving what changed: far below every engine's
# limit on bound parameters.
CHUNK = 1000


class day_count(FunctionElement):
    """Days from a start date to an end date, both included, on every engine."""

    type = sa.Integer()
    inherit_cache = True


@compiles(day_count)
def _day_count_default(element: day_count, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"(({compiler.process(end, **kw)}) - ({compiler.process(start, **kw)}) + 1)"


@compiles(day_count, "sqlite")
def _day_count_sqlite(element: day_count, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"(CAST(julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)}) AS INTEGER) + 1)"
    )


def year_of(column: Any) -> ColumnElement[int]:
    """The year of a date column as an integer (strftime on SQLite, EXTRACT on
    PostgreSQL: SQLAlchemy compiles `extract` for each)."""
    return sa.cast(sa.extract("year", column), sa.Integer)


COLUMNS = (
    "enrollment_id",
    "session_id",
    "participant_id",
    "start_date",
    "year",
    "country",
    "curriculum_id",
    "theme",
    "periods",
    "sex",
    "nationality",
    "organisation_kind",
    "attended_periods",
    "pre_test_score",
    "post_test_score",
    "knowledge_gain",
    "certificate_kind",
)


def source_rows() -> sa.Select:
    """What `report_training` holds, computed from the source tables: the
    confirmed enrollments of completed sessions, in the order of COLUMNS."""
    attended = (
        sa.select(sa.func.count())
        .select_from(AttendanceRecord)
        .where(
            AttendanceRecord.enrollment_id == Enrollment.id,
            AttendanceRecord.status.in_(ATTENDED),
        )
        .scalar_subquery()
    )
    certificate_kind = (
        sa.select(Certificate.kind)
        .where(
            Certificate.current_enrollment_id == Enrollment.id,
            Certificate.status == CertificateStatus.VALID,
        )
        .scalar_subquery()
    )
    return (
        sa.select(
            Enrollment.id,
            Enrollment.session_id,
            Enrollment.participant_id,
            TrainingSession.start_date,
            year_of(TrainingSession.start_date),
            TrainingSession.country,
            TrainingSession.curriculum_id,
            Curriculum.theme,
            day_count(TrainingSession.start_date, TrainingSession.end_date) * len(Period),
            Participant.sex,
            Participant.nationality,
            Organisation.kind,
            attended,
            Enrollment.pre_test_score,
            Enrollment.post_test_score,
            # NULL when either score is: SQL arithmetic on NULL.
            Enrollment.post_test_score - Enrollment.pre_test_score,
            certificate_kind,
        )
        .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .join(Curriculum, Curriculum.id == TrainingSession.curriculum_id)
        .join(Participant, Participant.id == Enrollment.participant_id)
        .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
        .where(
            Enrollment.status == EnrollmentStatus.CONFIRMED,
            TrainingSession.status == SessionStatus.COMPLETED,
        )
    )


def _insert(rows: sa.Select) -> sa.Insert:
    return sa.insert(ReportTraining.__table__).from_select(list(COLUMNS), rows)


def refresh_sessions(connection: Connection, session_ids: Iterable[int]) -> None:
    """Rewrite the rows of these sessions from the source tables."""
    table = ReportTraining.__table__
    for chunk in _chunks(sorted(set(session_ids))):
        # Two transactions rewriting the same session's rows would each
        # insert them (PostgreSQL: the second's DELETE cannot see the
        # first's new rows): take the sessions' row locks first, in id
        # order, so the second waits and then reads what the first wrote.
        connection.execute(
            sa.select(TrainingSession.id)
            .where(TrainingSession.id.in_(chunk))
            .order_by(TrainingSession.id)
            .with_for_update()
        )
        # By session and by enrollment: an enrollment moved between two
        # sessions leaves no row behind under its old session.
        connection.execute(
            table.delete().where(
                sa.or_(
                    table.c.session_id.in_(chunk),
                    table.c.enrollment_id.in_(
                        sa.select(Enrollment.id).where(Enrollment.session_id.in_(chunk))
                    ),
                )
            )
        )
        connection.execute(_insert(source_rows().where(Enrollment.session_id.in_(chunk))))


def refresh_enrollments(enrollment_ids: Iterable[int]) -> None:
    """Rewrite the rows of the sessions of these enrollments, for writes that
    bypass the ORM (a multi-row INSERT of attendance records)."""
    changes = Changes(enrollment_ids=set(enrollment_ids))
    connection = db.session.connection()
    refresh_sessions(connection, changes.sessions(connection))


def rebuild(connection: Connection | None = None) -> int:
    """Rebuild the whole table from the source tables; returns its rows."""
    connection = connection or db.session.connection()
    table = ReportTraining.__table__
    connection.execute(table.delete())
    connection.execute(_insert(source_rows()))
    # Counted, not the driver's rowcount: psycopg reports -1 for INSERT ... SELECT.
    return connection.scalar(sa.select(sa.func.count()).select_from(table)) or 0


def differences(connection: Connection | None = None) -> int:
    """Rows of the table that a rebuild would not write, plus rows a rebuild
    would write that the table lacks: 0 when it is up to date."""
    connection = connection or db.session.connection()
    table = ReportTraining.__table__
    stored = sa.select(*(table.c[name] for name in COLUMNS))
    expected = source_rows()
    missing = sa.except_(expected, stored).subquery()
    extra = sa.except_(stored, expected).subquery()
    return sum(
        connection.scalar(sa.select(sa.func.count()).select_from(rows)) or 0
        for rows in (missing, extra)
    )


# --- following the ORM's writes -------------------------------------------


@dataclass
class Changes:
    """What a flush changed that report rows copy, by the id that leads to
    the sessions concerned."""

    session_ids: set[int] = field(default_factory=set)
    enrollment_ids: set[int] = field(default_factory=set)
    participant_ids: set[int] = field(default_factory=set)
    organisation_ids: set[int] = field(default_factory=set)
    curriculum_ids: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return any(
            (
                self.session_ids,
                self.enrollment_ids,
                self.participant_ids,
                self.organisation_ids,
                self.curriculum_ids,
            )
        )

    def sessions(self, connection: Connection) -> set[int]:
        """The sessions whose rows these changes concern."""
        found = set(self.session_ids)
        lookups = (
            (self.enrollment_ids, sa.select(Enrollment.session_id), Enrollment.id),
            (self.participant_ids, sa.select(Enrollment.session_id), Enrollment.participant_id),
            (
                self.organisation_ids,
                sa.select(Enrollment.session_id).join(
                    Participant, Participant.id == Enrollment.participant_id
                ),
                Participant.organisation_id,
            ),
            (self.curriculum_ids, sa.select(TrainingSession.id), TrainingSession.curriculum_id),
        )
        for ids, statement, column in lookups:
            for chunk in _chunks(sorted(ids)):
                found.update(connection.scalars(statement.where(column.in_(chunk)).distinct()))
        return found


# The attributes each model copies into report rows; None: any column.
WATCHED: dict[type, frozenset[str]] = {
    Enrollment: frozenset(
        {"status", "session_id", "participant_id", "pre_test_score", "post_test_score"}
    ),
    TrainingSession: frozenset({"status", "start_date", "end_date", "country", "curriculum_id"}),
    Participant: frozenset({"sex", "nationality", "organisation_id"}),
    Organisation: frozenset({"kind"}),
    Curriculum: frozenset({"theme"}),
    AttendanceRecord: frozenset({"status", "enrollment_id"}),
    Certificate: frozenset({"status", "kind", "enrollment_id", "current_enrollment_id"}),
}


def _values(instance: Any, name: str, deleted: bool) -> set[int]:
    """The attribute's value now and, if this flush changed it, before."""
    state = sa.inspect(instance)
    values = set(state.attrs[name].history.deleted)
    if name in state.dict:
        values.add(state.dict[name])
    elif not deleted:
        values.add(getattr(instance, name))
    return {value for value in values if value is not None}


def _changed(instance: Any, names: frozenset[str]) -> bool:
    state = sa.inspect(instance)
    return any(state.attrs[name].history.has_changes() for name in names)


def _collect(session: Session, changes: Changes) -> None:
    deleted = set(session.deleted)
    for instance in (*session.new, *session.dirty, *deleted):
        names = WATCHED.get(type(instance))
        if names is None:
            continue
        if instance in session.dirty and not _changed(instance, names):
            continue
        gone = instance in deleted
        if isinstance(instance, Enrollment):
            changes.session_ids.update(_values(instance, "session_id", gone))
        elif isinstance(instance, TrainingSession):
            changes.session_ids.add(instance.id)
        elif isinstance(instance, Participant):
            changes.participant_ids.add(instance.id)
        elif isinstance(instance, Organisation):
            changes.organisation_ids.add(instance.id)
        elif isinstance(instance, Curriculum):
            changes.curriculum_ids.add(instance.id)
        else:  # an attendance record or a certificate
            changes.enrollment_ids.update(_values(instance, "enrollment_id", gone))


@event.listens_for(Session, "after_flush")
def _remember_changes(session: Session, _flush_context: Any) -> None:
    # The new, dirty and deleted objects and their attribute histories are
    # still those of before the flush here; their ids are assigned.
    changes = session.info.setdefault("report_changes", Changes())
    _collect(session, changes)


@event.listens_for(Session, "after_flush_postexec")
def _refresh_changed_sessions(session: Session, _flush_context: Any) -> None:
    changes = session.info.pop("report_changes", None)
    if changes:
        connection = session.connection()
        refresh_sessions(connection, changes.sessions(connection))


@event.listens_for(Session, "after_rollback")
def _forget_changes(session: Session) -> None:
    session.info.pop("report_changes", None)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]
