"""Workshop sessions: scheduling, status moves and trainer assignment.

Each rule of DESIGN.md about sessions lives here once: only approved
curricula are scheduled; session codes are unique; a session ends on or
after its start; capacity never falls below the confirmed count; status moves
follow planned → open → in progress → completed (or cancelled before
completion); a trainer never teaches two overlapping sessions, and one not
qualified for the curriculum is assigned only with a written reason.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import selectinload

from training.audit.models import AuditEvent
from training.audit.services import record_event
from training.curricula.models import Curriculum, CurriculumStatus
from training.domain import DomainError
from training.extensions import db
from training.formatting import format_day
from training.people.models import Organisation, Trainer, TrainerQualification
from training.permissions import Scope, session_scope
from training.sessions.models import (
    Assignment,
    AssignmentRole,
    SessionKind,
    SessionLanguage,
    SessionStatus,
    TrainingSession,
)
from training.sessions.signals import (
    ChecklistItem,
    completion_checklist,
    dates_changing,
    reopening,
    trainer_assigned,
    trainer_removed,
)

if TYPE_CHECKING:
    from training.auth.models import User

SESSION_FIELDS = (
    "curriculum",
    "code",
    "kind",
    "start_date",
    "end_date",
    "city",
    "country",
    "venue",
    "language",
    "capacity",
    "partners",
    "screening_required",
    "send_notifications",
)


def lock_session(training_session: TrainingSession) -> TrainingSession:
    """Take the session row's write lock for the rest of the transaction and
    reload it, so what is read next is the committed state. Every write
    that must not interleave with another on the same session starts here:
    confirming against the capacity, saving or closing a day (PostgreSQL:
    FOR UPDATE; SQLite transactions already write one at a time)."""
    statement = (
        sa.select(TrainingSession)
        .where(TrainingSession.id == training_session.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.session.scalars(statement).one()


# The only status moves a session may make.
ALLOWED_MOVES: dict[SessionStatus, frozenset[SessionStatus]] = {
    SessionStatus.PLANNED: frozenset({SessionStatus.OPEN, SessionStatus.CANCELLED}),
    SessionStatus.OPEN: frozenset({SessionStatus.IN_PROGRESS, SessionStatus.CANCELLED}),
    SessionStatus.IN_PROGRESS: frozenset({SessionStatus.COMPLETED, SessionStatus.CANCELLED}),
    SessionStatus.COMPLETED: frozenset(),
    SessionStatus.CANCELLED: frozenset(),
}


class CurriculumNotSchedulable(DomainError):
    """Only an approved curriculum can be scheduled."""


class StatusMoveRefused(DomainError):
    """The session cannot move from its status to the one asked."""


class ChecklistNotAcknowledged(StatusMoveRefused):
    """A session is completed only once each item of its checklist is
    acknowledged; `items` are those that were not."""

    def __init__(self, message: str, items: Sequence[ChecklistItem]) -> None:
        super().__init__(message, field="acknowledged")
        self.items = list(items)


class ReopenRefused(DomainError):
    """The session cannot be reopened (not completed, certificates issued,
    no reason given)."""


class CapacityBelowConfirmed(DomainError):
    """Capacity cannot fall below the participants already confirmed."""


class TrainerClash(DomainError):
    """The trainer already teaches an overlapping session."""


class TrainerNotQualified(DomainError):
    """The trainer holds no current qualification for the curriculum, and no
    override reason was given."""


class AssignmentRefused(DomainError):
    """The assignment cannot be made (already assigned, session closed)."""


# Queries -------------------------------------------------------------------


def visible_sessions(user: User, action: str = "sessions.list") -> sa.Select[TrainingSession]:
    """The sessions a user may list for `action`, by permissions' policy
    (session_scope): coordination sees all, a trainer the sessions they are
    assigned to, a participant (their calendar) those they are confirmed in."""
    statement = sa.select(TrainingSession)
    scope = session_scope(user, action)
    if scope == Scope.ALL:
        return statement
    # session_scope gives TAUGHT and CONFIRMED only to a user linked to a
    # trainer or participant record.
    if scope == Scope.TAUGHT and user.trainer_id is not None:
        return statement.where(TrainingSession.taught_by(user.trainer_id))
    if scope == Scope.CONFIRMED and user.participant_id is not None:
        return statement.where(TrainingSession.confirming(user.participant_id))
    return statement.where(sa.false())


def search_sessions(
    user: User,
    *,
    status: SessionStatus | None = None,
    country: str | None = None,
    curriculum_id: int | None = None,
    kind: SessionKind | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> sa.Select[TrainingSession]:
    """The sessions list: the user's visible sessions, filtered; the date
    range keeps the sessions that overlap it. Newest first."""
    statement = visible_sessions(user)
    if status is not None:
        statement = statement.where(TrainingSession.status == status)
    if country:
        statement = statement.where(TrainingSession.country == country)
    if curriculum_id is not None:
        statement = statement.where(TrainingSession.curriculum_id == curriculum_id)
    if kind is not None:
        statement = statement.where(TrainingSession.kind == kind)
    if date_from is not None:
        statement = statement.where(TrainingSession.end_date >= date_from)
    if date_to is not None:
        statement = statement.where(TrainingSession.start_date <= date_to)
    return statement.order_by(TrainingSession.start_date.desc(), TrainingSession.code).options(
        selectinload(TrainingSession.curriculum),
        selectinload(TrainingSession.assignments).selectinload(Assignment.trainer),
    )


def calendar_sessions(user: User) -> list[TrainingSession]:
    """The sessions of a user's calendar feed, none cancelled."""
    statement = (
        visible_sessions(user, "calendar.view")
        .where(TrainingSession.status != SessionStatus.CANCELLED)
        .order_by(TrainingSession.start_date, TrainingSession.code)
        .options(selectinload(TrainingSession.curriculum))
    )
    return list(db.session.scalars(statement))


def session_history(
    training_session: TrainingSession, limit: int | None = None
) -> list[AuditEvent]:
    """The audit events linked to the session, newest first: the `limit`
    newest, or all."""
    statement = (
        sa.select(AuditEvent)
        .where(AuditEvent.session_id == training_session.id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .options(selectinload(AuditEvent.actor))
    )
    if limit is not None:
        statement = statement.limit(limit)
    return list(db.session.scalars(statement))


def schedulable_curricula(current: Curriculum | None = None) -> list[Curriculum]:
    """Approved curricula, plus the session's own curriculum when editing."""
    condition = Curriculum.status == CurriculumStatus.APPROVED
    if current is not None:
        condition = sa.or_(condition, Curriculum.id == current.id)
    return list(
        db.session.scalars(sa.select(Curriculum).where(condition).order_by(Curriculum.code))
    )


def allowed_moves(training_session: TrainingSession) -> list[SessionStatus]:
    """The statuses the session may move to, in the enum's order."""
    allowed = ALLOWED_MOVES[training_session.status]
    return [status for status in SessionStatus if status in allowed]


# Scheduling ----------------------------------------------------------------


def _check_curriculum(curriculum: Curriculum) -> None:
    if curriculum.status != CurriculumStatus.APPROVED:
        raise CurriculumNotSchedulable(
            _(
                "Curriculum %(code)s is not approved: only approved curricula can be scheduled.",
                code=curriculum.code,
            ),
            field="curriculum_id",
        )


def _check_code_free(code: str, training_session: TrainingSession | None = None) -> None:
    statement = sa.select(TrainingSession.id).where(
        sa.func.lower(TrainingSession.code) == code.lower()
    )
    if training_session is not None and training_session.id is not None:
        statement = statement.where(TrainingSession.id != training_session.id)
    if db.session.scalar(statement) is not None:
        raise DomainError(
            _("The code %(code)s is already used by another session.", code=code), field="code"
        )


def _check_dates(start_date: date, end_date: date) -> None:
    if end_date < start_date:
        raise DomainError(_("The end date cannot be before the start date."), field="end_date")


def _check_capacity(capacity: int, confirmed: int = 0) -> None:
    if capacity is None or capacity <= 0:
        raise DomainError(_("The capacity must be at least 1."), field="capacity")
    if capacity < confirmed:
        raise CapacityBelowConfirmed(
            ngettext(
                "%(num)d participant is already confirmed: the capacity cannot be lower.",
                "%(num)d participants are already confirmed: the capacity cannot be lower.",
                confirmed,
            ),
            field="capacity",
        )


def _describe(training_session: TrainingSession) -> dict[str, Any]:
    """The audited picture of a session's fields."""
    return {
        "curriculum": training_session.curriculum.code if training_session.curriculum else None,
        "code": training_session.code,
        "kind": training_session.kind,
        "start_date": training_session.start_date,
        "end_date": training_session.end_date,
        "city": training_session.city,
        "country": training_session.country,
        "venue": training_session.venue,
        "language": training_session.language,
        "capacity": training_session.capacity,
        "partners": ", ".join(sorted(p.acronym or p.name for p in training_session.partners)),
        "screening_required": training_session.screening_required,
        "send_notifications": training_session.send_notifications,
    }


def create_session(
    *,
    actor: User,
    curriculum: Curriculum,
    code: str,
    kind: SessionKind,
    start_date: date,
    end_date: date,
    city: str,
    country: str,
    venue: str | None = None,
    language: SessionLanguage = SessionLanguage.FRENCH,
    capacity: int,
    partners: Iterable[Organisation] = (),
    screening_required: bool = True,
    send_notifications: bool = True,
) -> TrainingSession:
    """Schedule a session of an approved curriculum; it starts as planned."""
    code = code.strip()
    _check_curriculum(curriculum)
    _check_code_free(code)
    _check_dates(start_date, end_date)
    _check_capacity(capacity)
    training_session = TrainingSession(
        curriculum=curriculum,
        code=code,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        city=city.strip(),
        country=country.upper(),
        venue=(venue or "").strip() or None,
        language=language,
        capacity=capacity,
        partners=list(partners),
        screening_required=screening_required,
        send_notifications=send_notifications,
        status=SessionStatus.PLANNED,
    )
    db.session.add(training_session)
    db.session.flush()
    record_event(
        "session.created",
        actor=actor,
        entity=training_session,
        session_id=training_session.id,
        after=_describe(training_session),
    )
    return training_session


def update_session(
    training_session: TrainingSession, *, actor: User, **values: Any
) -> TrainingSession:
    """Edit a session. A new curriculum must be approved (the current one may
    since have been retired); capacity stays at or above the confirmed count;
    new dates must not make an assigned trainer teach two sessions at once."""
    values = {key: values[key] for key in SESSION_FIELDS if key in values}
    if "code" in values:
        values["code"] = values["code"].strip()
        _check_code_free(values["code"], training_session)
    if "curriculum" in values and values["curriculum"].id != training_session.curriculum_id:
        _check_curriculum(values["curriculum"])
    start_date = values.get("start_date", training_session.start_date)
    end_date = values.get("end_date", training_session.end_date)
    _check_dates(start_date, end_date)
    if "capacity" in values:
        _check_capacity(values["capacity"], len(training_session.confirmed_enrollments))
    if (start_date, end_date) != (training_session.start_date, training_session.end_date):
        # Areas holding records by day (attendance) refuse dates that would
        # leave them out: a DomainError from a receiver stops the edit.
        dates_changing.send(training_session, start_date=start_date, end_date=end_date)
    if (start_date, end_date) != (training_session.start_date, training_session.end_date):
        for assignment in training_session.assignments:
            _check_clash(assignment.trainer, start_date, end_date, exclude=training_session)
    if "country" in values:
        values["country"] = values["country"].upper()
    if "venue" in values:
        values["venue"] = (values["venue"] or "").strip() or None
    if "partners" in values:
        values["partners"] = list(values["partners"])

    before = _describe(training_session)
    for key, value in values.items():
        setattr(training_session, key, value)
    db.session.flush()
    after = _describe(training_session)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        record_event(
            "session.updated",
            actor=actor,
            entity=training_session,
            session_id=training_session.id,
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
        )
    return training_session


def change_status(
    training_session: TrainingSession,
    new_status: SessionStatus,
    *,
    actor: User,
    acknowledged: Collection[str] = (),
) -> TrainingSession:
    """Move a session along planned → open → in progress → completed, or
    cancel it before it is completed; every other move is refused.

    Completing asks the areas above first (closing_checklist): each item
    still open (half-days not recorded, scores missing, nominees pending)
    must be in `acknowledged` (by its token), or the session stays as it
    is. The audit keeps how many of each were acknowledged."""
    old_status = training_session.status
    if new_status not in ALLOWED_MOVES[old_status]:
        raise StatusMoveRefused(
            _(
                "A session cannot move from “%(current)s” to “%(new)s”.",
                current=old_status.label,
                new=new_status.label,
            ),
            field="status",
        )
    after: dict[str, Any] = {"status": new_status}
    if new_status == SessionStatus.COMPLETED:
        # Attendance saves and closings of this session wait: the checklist
        # read is the one that stands when the status changes.
        training_session = lock_session(training_session)
        checklist = closing_checklist(training_session)
        _check_acknowledged(checklist, acknowledged)
        after.update({item.key: item.count for item in checklist})
    training_session.status = new_status
    db.session.flush()
    record_event(
        "session.status_changed",
        actor=actor,
        entity=training_session,
        session_id=training_session.id,
        before={"status": old_status},
        after=after,
    )
    return training_session


def closing_checklist(training_session: TrainingSession) -> list[ChecklistItem]:
    """What is still open before the session is completed, as each area
    above reports it (the completion_checklist signal), in their order:
    only the items that are not empty."""
    items = [
        item
        for _receiver, item in completion_checklist.send(training_session)
        if item is not None and item.count > 0
    ]
    return sorted(items, key=lambda item: (item.order, item.key))


def _check_acknowledged(checklist: Sequence[ChecklistItem], acknowledged: Collection[str]) -> None:
    tokens = set(acknowledged)
    missing = [item for item in checklist if item.token not in tokens]
    if not missing:
        return
    acknowledged_keys = {token.partition(":")[0] for token in tokens}
    if any(item.key in acknowledged_keys for item in missing):
        message = _(
            "The checklist changed since it was shown (%(items)s): read it again, then tick "
            "each item to complete the session.",
            items="; ".join(item.title for item in missing),
        )
    else:
        message = ngettext(
            "Tick the item of the checklist to complete the session anyway: %(items)s.",
            "Tick each item of the checklist to complete the session anyway: %(items)s.",
            len(missing),
            items="; ".join(item.title for item in missing),
        )
    raise ChecklistNotAcknowledged(message, missing)


REASON_MAX_LENGTH = 2000


def reopen_refusals(training_session: TrainingSession) -> list[str]:
    """Why the session cannot be reopened, empty when it can: it must be
    completed, and no area above may object (the reopening signal: once a
    certificate is issued for it, even one since revoked, it stays
    completed)."""
    if training_session.status != SessionStatus.COMPLETED:
        return [_("Only a completed session can be reopened.")]
    return [reason for _receiver, reason in reopening.send(training_session) if reason]


def reopen_session(
    training_session: TrainingSession, *, actor: User, reason: str
) -> TrainingSession:
    """Reopen a completed session: it goes back to in progress, so that
    attendance, scores and enrollments can be put right. Only until
    certificates are issued for it (reopen_refusals), and only with a
    written reason, which the audit keeps."""
    reason = (reason or "").strip()
    if not reason:
        raise ReopenRefused(_("Write the reason for reopening the session."), field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ReopenRefused(
            _("The reason is limited to %(num)d characters.", num=REASON_MAX_LENGTH),
            field="reason",
        )
    # Certificates are issued under the same lock: none can slip in between.
    training_session = lock_session(training_session)
    refusals = reopen_refusals(training_session)
    if refusals:
        raise ReopenRefused(" ".join(refusals))
    training_session.status = SessionStatus.IN_PROGRESS
    db.session.flush()
    record_event(
        "session.reopened",
        actor=actor,
        entity=training_session,
        session_id=training_session.id,
        before={"status": SessionStatus.COMPLETED},
        after={"status": SessionStatus.IN_PROGRESS},
        reason=reason,
    )
    return training_session


# Trainer assignment --------------------------------------------------------


def find_clash(
    trainer: Trainer, start_date: date, end_date: date, *, exclude: TrainingSession | None = None
) -> TrainingSession | None:
    """The first non-cancelled session of the trainer overlapping the dates."""
    statement = (
        sa.select(TrainingSession)
        .join(Assignment, Assignment.session_id == TrainingSession.id)
        .where(
            Assignment.trainer_id == trainer.id,
            TrainingSession.status != SessionStatus.CANCELLED,
            TrainingSession.start_date <= end_date,
            TrainingSession.end_date >= start_date,
        )
        .order_by(TrainingSession.start_date)
        .limit(1)
    )
    if exclude is not None and exclude.id is not None:
        statement = statement.where(TrainingSession.id != exclude.id)
    return db.session.scalar(statement)


def _check_clash(
    trainer: Trainer, start_date: date, end_date: date, *, exclude: TrainingSession
) -> None:
    clash = find_clash(trainer, start_date, end_date, exclude=exclude)
    if clash is not None:
        raise TrainerClash(
            _(
                "%(trainer)s already teaches session %(code)s from %(start)s to %(end)s, "
                "which overlaps these dates.",
                trainer=trainer.name,
                code=clash.code,
                start=format_day(clash.start_date, "medium"),
                end=format_day(clash.end_date, "medium"),
            ),
            field="trainer_id",
        )


def is_qualified(trainer: Trainer, curriculum: Curriculum, on: date) -> bool:
    """A qualification for the curriculum current on the day: qualified on
    or before it, and not expired before it."""
    statement = sa.select(TrainerQualification.id).where(
        TrainerQualification.trainer_id == trainer.id,
        TrainerQualification.curriculum_id == curriculum.id,
        TrainerQualification.qualified_on <= on,
        sa.or_(TrainerQualification.expires_on.is_(None), TrainerQualification.expires_on >= on),
    )
    return db.session.scalar(statement.limit(1)) is not None


def assign_trainer(
    training_session: TrainingSession,
    trainer: Trainer,
    role: AssignmentRole,
    *,
    actor: User,
    override_reason: str | None = None,
) -> Assignment:
    """Assign a trainer to a session as lead or co-trainer.

    Refused when the session is completed or cancelled, when the trainer is
    already on it, or when they teach another session on overlapping dates
    (the message names it). A trainer without a qualification for the
    curriculum current on the start date is assigned only with a written
    override reason, which the audit keeps.
    """
    if not training_session.accepts_trainers:
        raise AssignmentRefused(
            _("Trainers cannot be assigned to a completed or cancelled session."),
            field="trainer_id",
        )
    # Serialise assignments of one trainer (PostgreSQL row lock; SQLite's
    # immediate transactions already serialise writers), so that two
    # coordinators cannot double-book them at the same moment.
    db.session.execute(sa.select(Trainer.id).where(Trainer.id == trainer.id).with_for_update())
    if any(a.trainer_id == trainer.id for a in training_session.assignments):
        raise AssignmentRefused(
            _("%(trainer)s is already assigned to this session.", trainer=trainer.name),
            field="trainer_id",
        )
    _check_clash(
        trainer, training_session.start_date, training_session.end_date, exclude=training_session
    )
    qualified = is_qualified(trainer, training_session.curriculum, training_session.start_date)
    reason = (override_reason or "").strip() or None
    if not qualified and reason is None:
        raise TrainerNotQualified(
            _(
                "%(trainer)s holds no current qualification for %(code)s on %(day)s. "
                "Write the reason for assigning them anyway.",
                trainer=trainer.name,
                code=training_session.curriculum.code,
                day=format_day(training_session.start_date, "medium"),
            ),
            field="override_reason",
        )
    if qualified:
        reason = None
    assignment = Assignment(
        training_session=training_session,
        trainer=trainer,
        role=role,
        override_reason=reason,
        assigned_by_id=getattr(actor, "id", None),
    )
    db.session.add(assignment)
    db.session.flush()
    record_event(
        "assignment.created",
        actor=actor,
        entity=assignment,
        session_id=training_session.id,
        after={"trainer": trainer.name, "role": role, "qualified": qualified},
        reason=reason,
    )
    trainer_assigned.send(assignment)
    return assignment


def remove_assignment(assignment: Assignment, *, actor: User) -> None:
    """Take a trainer off a session; the audit keeps who it was, and the
    trainer is told (trainer_removed, sent while the assignment is whole)."""
    training_session = assignment.training_session
    trainer_removed.send(assignment)
    record_event(
        "assignment.removed",
        actor=actor,
        entity=assignment,
        session_id=training_session.id,
        before={"trainer": assignment.trainer.name, "role": assignment.role},
    )
    training_session.assignments.remove(assignment)
    db.session.flush()
