"""`report_training`, the reports' own table (one row per person-training),
kept up to date out of the write path.

The pattern is Warehouse's search index (warehouse/search/__init__.py):

- **collect in the flush**: a listener on the application's session factory
  (registered by `create_app`, never at import) notes what each flush
  changed that the rows copy (WATCHED, declared beside `source_rows()`);
  just before the transaction commits, its marks are written with one
  `INSERT ... ON CONFLICT DO NOTHING` into `report_stale`, in the writer's
  transaction: no lookup, no lock, one statement. ORM bulk statements
  (`session.execute(insert(Model), rows)`, `update(Model)`) are marked too
  (`do_orm_execute`), so no ORM write slips past;
- **catch up before reading**: the reports (`catch_up()`, called before every
  report page, export and the donor report) claim the stale marks, find the
  sessions they concern and rewrite those sessions' rows from the source
  tables, in a short transaction of their own. A report therefore never
  shows stale figures, and a write costs one cheap statement;
- **rebuild as the backstop**: `flask rebuild-reports` rewrites the whole
  table, after anything edited the database by hand.

The test suite checks after every test that, once caught up, the table
equals a rebuild, so a write path that escapes the marks fails loudly.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.expression import ColumnElement

from training.attendance.models import AttendanceRecord, attended_count
from training.certificates.models import Certificate, CertificateStatus
from training.curricula.models import Curriculum
from training.enrollment.models import Enrollment, EnrollmentStatus
from training.extensions import Model, db
from training.people.models import Organisation, Participant
from training.reports.models import ReportStale, report_stale, report_training
from training.sessions.models import SessionStatus, TrainingSession
from training.transactions import writing

# Ids per statement when resolving what changed: far below every engine's
# limit on bound parameters.
CHUNK = 1000
# The mark that stands for "anything may have changed": a bulk UPDATE or
# DELETE whose rows are not known. Catching it up rebuilds the whole table.
EVERYTHING = ("all", 0)
_Item = TypeVar("_Item")


def year_of(column: Any) -> ColumnElement[int]:
    """The year of a date column as an integer (strftime on SQLite, EXTRACT on
    PostgreSQL: SQLAlchemy compiles `extract` for each)."""
    return sa.cast(sa.extract("year", column), sa.Integer)


# --- what a row holds, and what it copies -----------------------------------

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
    confirmed enrollments of completed sessions, in the order of COLUMNS.
    Attended periods follow attendance's one rule (attended_in_session)."""
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
            TrainingSession.periods_expression(),
            Participant.sex,
            Participant.nationality,
            Organisation.kind,
            attended_count(Enrollment.id, TrainingSession.start_date, TrainingSession.end_date),
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


@dataclass(frozen=True)
class Watch:
    """What one model copies into rows: the attributes whose change makes
    rows stale, the kind of stale mark it leaves, and the attribute holding
    the id that mark carries (its old and new values both count)."""

    attributes: frozenset[str]
    kind: str
    id_attribute: str


# Beside source_rows(), and kept in step with it: every column a row copies
# comes from one of these attributes.
WATCHED: dict[type[Model], Watch] = {
    Enrollment: Watch(
        frozenset({"status", "session_id", "participant_id", "pre_test_score", "post_test_score"}),
        "session",
        "session_id",
    ),
    TrainingSession: Watch(
        frozenset({"status", "start_date", "end_date", "country", "curriculum_id"}), "session", "id"
    ),
    Participant: Watch(frozenset({"sex", "nationality", "organisation_id"}), "participant", "id"),
    Organisation: Watch(frozenset({"kind"}), "organisation", "id"),
    Curriculum: Watch(frozenset({"theme"}), "curriculum", "id"),
    AttendanceRecord: Watch(
        frozenset({"status", "enrollment_id", "date"}), "enrollment", "enrollment_id"
    ),
    Certificate: Watch(
        frozenset({"status", "kind", "enrollment_id", "current_enrollment_id"}),
        "enrollment",
        "enrollment_id",
    ),
}
_WATCHED_TABLES = {
    cast(sa.Table, model.__table__).name: (model, watch) for model, watch in WATCHED.items()
}


def _sessions_of(connection: Connection, marks: Iterable[tuple[str, int]]) -> set[int]:
    """The sessions whose rows these stale marks concern."""
    ids: dict[str, set[int]] = {}
    for kind, ref_id in marks:
        ids.setdefault(kind, set()).add(ref_id)
    found = set(ids.get("session", ()))
    lookups = (
        ("enrollment", sa.select(Enrollment.session_id), Enrollment.id),
        ("participant", sa.select(Enrollment.session_id), Enrollment.participant_id),
        (
            "organisation",
            sa.select(Enrollment.session_id).join(
                Participant, Participant.id == Enrollment.participant_id
            ),
            Participant.organisation_id,
        ),
        ("curriculum", sa.select(TrainingSession.id), TrainingSession.curriculum_id),
    )
    for kind, statement, column in lookups:
        for chunk in _chunks(sorted(ids.get(kind, ()))):
            found.update(connection.scalars(statement.where(column.in_(chunk)).distinct()))
    return found


# --- marking stale (the write path) ------------------------------------------


def _values(instance: Any, name: str, deleted: bool) -> set[int]:
    """The attribute's value now and, if this flush changed it, before."""
    state = sa.inspect(instance)
    values = set(state.attrs[name].history.deleted)
    if name in state.dict:
        values.add(state.dict[name])
    elif not deleted:
        values.add(getattr(instance, name))
    return {value for value in values if value is not None}


def _flushed_marks(session: Session) -> set[tuple[str, int]]:
    """The stale marks of what this flush writes (new, changed or deleted
    objects whose watched attributes moved)."""
    marks: set[tuple[str, int]] = set()
    deleted = set(session.deleted)
    for instance in (*session.new, *session.dirty, *deleted):
        watch = WATCHED.get(type(instance))
        if watch is None:
            continue
        state = sa.inspect(instance)
        if instance in session.dirty and not any(
            state.attrs[name].history.has_changes() for name in watch.attributes
        ):
            continue
        for ref_id in _values(instance, watch.id_attribute, instance in deleted):
            marks.add((watch.kind, ref_id))
    return marks


def mark_stale(connection: Connection, marks: Iterable[tuple[str, int]]) -> None:
    """Record stale marks in the caller's transaction (one statement)."""
    rows = [{"kind": kind, "ref_id": ref_id} for kind, ref_id in sorted(set(marks))]
    if not rows:
        return
    table = report_stale
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        connection.execute(postgresql.insert(table).on_conflict_do_nothing(), rows)
    else:
        from sqlalchemy.dialects import sqlite

        connection.execute(sqlite.insert(table).on_conflict_do_nothing(), rows)


# Where a transaction's marks wait until it commits.
_PENDING = "report_stale_marks"


def _pending(session: Session) -> set[tuple[str, int]]:
    pending: set[tuple[str, int]] = session.info.setdefault(_PENDING, set())
    return pending


def _after_flush(session: Session, _flush_context: Any) -> None:
    # The new, dirty and deleted objects and their attribute histories are
    # still those of before the flush here; their ids are assigned.
    _pending(session).update(_flushed_marks(session))


def _before_commit(session: Session) -> None:
    """A transaction's marks, written once, just before it commits: one
    statement whatever the number of flushes."""
    session.flush()  # the last changes' marks too
    marks = session.info.pop(_PENDING, None)
    if marks:
        mark_stale(session.connection(), marks)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _bulk_marks(state: ORMExecuteState) -> set[tuple[str, int]]:
    """Stale marks of an ORM bulk INSERT, UPDATE or DELETE on a watched table."""
    table = getattr(state.statement, "table", None)
    found = _WATCHED_TABLES.get(getattr(table, "name", ""))
    if found is None:
        return set()
    _model, watch = found
    parameters = state.parameters
    if state.is_insert and parameters:
        rows = [parameters] if isinstance(parameters, Mapping) else parameters
        if all(watch.id_attribute in row for row in rows):
            return {(watch.kind, row[watch.id_attribute]) for row in rows}
    return {EVERYTHING}


def _do_orm_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _pending(state.session).update(_bulk_marks(state))


def init_app(app: Flask) -> None:
    """Follow the application's ORM writes (once per process: Flask-SQLAlchemy's
    session factory is shared by every app built from `db`)."""
    factory = db.session.session_factory
    if not event.contains(factory, "after_flush", _after_flush):
        event.listen(factory, "after_flush", _after_flush)
        event.listen(factory, "do_orm_execute", _do_orm_execute)
        event.listen(factory, "before_commit", _before_commit)
        event.listen(factory, "after_rollback", _after_rollback)


# --- catching up (the read path) ----------------------------------------------


def is_stale(connection: Connection | None = None) -> bool:
    """Whether some rows wait to be caught up (marked, or about to be marked
    by this transaction's commit)."""
    if db.session.info.get(_PENDING):
        return True
    connection = connection or db.session.connection()
    return connection.scalar(sa.select(sa.exists().select_from(ReportStale))) or False


def catch_up() -> int:
    """Rewrite the rows of every session marked stale, so that what a report
    reads next is current; returns how many sessions were rewritten.

    A short transaction of its own: the caller's (a GET, which wrote
    nothing) is committed first, so that on SQLite the catch-up begins with
    the write lock instead of upgrading a read."""
    if not is_stale():
        return 0
    db.session.commit()
    with writing():
        try:
            rewritten = _claim_and_rewrite(db.session.connection())
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    return rewritten


def _claim_and_rewrite(connection: Connection) -> int:
    table = report_stale
    # Locks in the writers' order: first the sessions, then the marks. A
    # writer holds its session's row lock until it commits and writes its
    # marks as it commits; had this claimed the marks first (DELETE) and
    # then waited for that lock, a writer whose mark met a claimed one would
    # wait on this transaction while it waited on the writer (PostgreSQL: a
    # deadlock, one of them refused). So the marks are read, their sessions
    # locked (waiting for their writers to commit), and only then claimed by
    # DELETE ... RETURNING: a second reader at the same moment waits on the
    # sessions' locks (PostgreSQL) or on the write lock (SQLite), then finds
    # the marks gone and reads what this one wrote.
    marks = {(kind, ref_id) for kind, ref_id in connection.execute(sa.select(table))}
    if not marks:
        return 0
    if EVERYTHING in marks:
        rebuild(connection)
        return -1
    sessions = _sessions_of(connection, marks)
    _lock_sessions(connection, sessions)
    claimed = 0
    keys = sa.tuple_(table.c.kind, table.c.ref_id)
    for chunk in _chunks(sorted(marks)):
        claimed += len(
            connection.execute(table.delete().where(keys.in_(chunk)).returning(table.c.kind)).all()
        )
    if not claimed:
        return 0
    refresh_sessions(connection, sessions)
    return len(sessions)


def _lock_sessions(connection: Connection, session_ids: Iterable[int]) -> None:
    """The sessions' row locks, in id order (as every writer takes them)."""
    for chunk in _chunks(sorted(set(session_ids))):
        connection.execute(
            sa.select(TrainingSession.id)
            .where(TrainingSession.id.in_(chunk))
            .order_by(TrainingSession.id)
            .with_for_update()
        )


def _insert(rows: sa.Select) -> sa.Insert:
    return sa.insert(report_training).from_select(list(COLUMNS), rows)


def refresh_sessions(connection: Connection, session_ids: Iterable[int]) -> None:
    """Rewrite the rows of these sessions from the source tables."""
    table = report_training
    for chunk in _chunks(sorted(set(session_ids))):
        # Two transactions rewriting the same session's rows would each
        # insert them (PostgreSQL: the second's DELETE cannot see the
        # first's new rows): take the sessions' row locks first, in id
        # order, so the second waits and then reads what the first wrote.
        _lock_sessions(connection, chunk)
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


def rebuild(connection: Connection | None = None) -> int:
    """Rebuild the whole table from the source tables (and forget every stale
    mark); returns its rows."""
    connection = connection or db.session.connection()
    connection.execute(report_stale.delete())
    table = report_training
    connection.execute(table.delete())
    connection.execute(_insert(source_rows()))
    # Counted, not the driver's rowcount: psycopg reports -1 for INSERT ... SELECT.
    return connection.scalar(sa.select(sa.func.count()).select_from(table)) or 0


def differences(connection: Connection | None = None) -> int:
    """Rows of the table that a rebuild would not write, plus rows a rebuild
    would write that the table lacks: 0 when it is up to date."""
    connection = connection or db.session.connection()
    table = report_training
    stored = sa.select(*(table.c[name] for name in COLUMNS))
    expected = source_rows()
    missing = sa.except_(expected, stored).subquery()
    extra = sa.except_(stored, expected).subquery()
    return sum(
        connection.scalar(sa.select(sa.func.count()).select_from(rows)) or 0
        for rows in (missing, extra)
    )


def _chunks(ids: list[_Item]) -> Iterator[list[_Item]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]
