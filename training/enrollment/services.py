"""Nomination, confirmation, the waiting line and withdrawal.

The capacity rule lives here and only here: confirmed enrollments never
exceed the session's capacity. Every function that may add a confirmed
enrollment first locks the session row (SELECT ... FOR UPDATE on PostgreSQL;
on SQLite the application begins every transaction with BEGIN IMMEDIATE,
which serialises writers), then counts inside the same transaction, so two
coordinators confirming the last place at once cannot both win.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import gettext as _

from training.audit.services import record_event
from training.domain import DomainError
from training.enrollment.models import Enrollment, EnrollmentStatus
from training.enrollment.queries import confirmed_count
from training.enrollment.signals import enrollment_confirmed, enrollment_waitlisted
from training.extensions import db
from training.formatting import format_day
from training.people.models import Organisation, Participant
from training.people.screening import is_cleared
from training.people.services import ParticipantDetails, create_participant
from training.sessions.models import SessionStatus, TrainingSession
from training.sessions.services import lock_session

if TYPE_CHECKING:
    from training.auth.models import User


@dataclass(frozen=True)
class Withdrawal:
    """What a withdrawal did: the enrollment withdrawn and, when a place
    freed, the waiting enrollment that moved up to confirmed."""

    enrollment: Enrollment
    promoted: Enrollment | None


def _next_waitlist_position(training_session: TrainingSession) -> int:
    highest = db.session.scalar(
        sa.select(sa.func.max(Enrollment.waitlist_position)).where(
            Enrollment.session_id == training_session.id
        )
    )
    return (highest or 0) + 1


def _audit_status(
    enrollment: Enrollment,
    before: EnrollmentStatus | None,
    *,
    actor: User,
    reason: str | None = None,
) -> None:
    record_event(
        f"enrollment.{enrollment.status.value}",
        actor=actor,
        entity=enrollment,
        session_id=enrollment.session_id,
        participant_id=enrollment.participant_id,
        before={"status": before} if before is not None else None,
        after={"status": enrollment.status, "waitlist_position": enrollment.waitlist_position},
        reason=reason,
    )


def _refuse_closed(training_session: TrainingSession) -> None:
    if training_session.is_closed:
        raise DomainError(
            _("Session %(code)s is closed to enrollment.", code=training_session.code)
        )


def nominate(
    training_session: TrainingSession,
    participant: Participant,
    *,
    actor: User,
    nominating_organisation: Organisation | None = None,
) -> Enrollment:
    """Put a participant forward for a session (status nominated). A
    participant is enrolled once per session; one who withdrew can be
    nominated again. The nominating organisation defaults to theirs."""
    _refuse_closed(training_session)
    existing = db.session.scalar(
        sa.select(Enrollment).where(
            Enrollment.session_id == training_session.id,
            Enrollment.participant_id == participant.id,
        )
    )
    organisation = nominating_organisation or participant.organisation
    if existing is not None and existing.is_active:
        raise DomainError(
            _(
                "%(name)s is already enrolled in this session (%(status)s).",
                name=participant.full_name,
                status=existing.status.label,
            )
        )
    before = existing.status if existing is not None else None
    enrollment = existing or Enrollment(participant=participant, training_session=training_session)
    enrollment.status = EnrollmentStatus.NOMINATED
    enrollment.waitlist_position = None
    enrollment.nominating_organisation = organisation
    db.session.add(enrollment)
    db.session.flush()
    _audit_status(enrollment, before, actor=actor)
    return enrollment


def nominate_many(
    training_session: TrainingSession, participants: list[Participant], *, actor: User
) -> list[Enrollment]:
    """nominate() for a whole list at once (the bulk import): the same rules,
    with one query and one flush for the list. Refused, before any change,
    when one of them is already enrolled."""
    _refuse_closed(training_session)
    ids = [participant.id for participant in participants]
    existing = {
        enrollment.participant_id: enrollment
        for enrollment in db.session.scalars(
            sa.select(Enrollment).where(
                Enrollment.session_id == training_session.id, Enrollment.participant_id.in_(ids)
            )
        )
    }
    for participant in participants:
        found = existing.get(participant.id)
        if found is not None and found.is_active:
            raise DomainError(
                _(
                    "%(name)s is already enrolled in this session (%(status)s).",
                    name=participant.full_name,
                    status=found.status.label,
                )
            )
    enrollments = []
    befores = []
    for participant in participants:
        enrollment = existing.get(participant.id)
        befores.append(enrollment.status if enrollment is not None else None)
        if enrollment is None:
            # Foreign keys rather than relationships: appending to each
            # participant's (unloaded) enrollments would load it, row by row.
            enrollment = Enrollment(participant_id=participant.id, session_id=training_session.id)
            db.session.add(enrollment)
        enrollment.status = EnrollmentStatus.NOMINATED
        enrollment.waitlist_position = None
        enrollment.nominating_organisation_id = participant.organisation_id
        enrollments.append(enrollment)
    db.session.flush()
    for enrollment, before in zip(enrollments, befores, strict=True):
        _audit_status(enrollment, before, actor=actor)
    return enrollments


def nominate_new_participant(
    training_session: TrainingSession,
    details: ParticipantDetails,
    *,
    actor: User,
    allow_duplicate: bool = False,
) -> Enrollment:
    """Register a new participant (with the duplicate check) and nominate
    them for the session, in one step."""
    _refuse_closed(training_session)
    participant = create_participant(details, actor=actor, allow_duplicate=allow_duplicate)
    return nominate(training_session, participant, actor=actor)


def _screening_refusal(enrollment: Enrollment, training_session: TrainingSession) -> str | None:
    if training_session.screening_required and not is_cleared(
        enrollment.participant, training_session.start_date
    ):
        return _(
            "%(name)s cannot be confirmed: this session requires screening and they have no "
            "current clearance on %(day)s.",
            name=enrollment.participant.full_name,
            day=format_day(training_session.start_date, "long"),
        )
    return None


class ParticipantClash(DomainError):
    """The participant is already confirmed in a session at the same time."""

    def __init__(self, message: str, clashes: list[Enrollment]) -> None:
        super().__init__(message, field="override_reason")
        self.clashes = clashes


def participant_clashes(enrollment: Enrollment) -> list[Enrollment]:
    """The participant's confirmed places in other sessions (not cancelled)
    whose dates overlap this one's: one person cannot attend two workshops
    at once."""
    training_session = enrollment.training_session
    return list(
        db.session.scalars(
            sa.select(Enrollment)
            .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
            .where(
                Enrollment.participant_id == enrollment.participant_id,
                Enrollment.id != enrollment.id,
                Enrollment.status == EnrollmentStatus.CONFIRMED,
                TrainingSession.status != SessionStatus.CANCELLED,
                TrainingSession.start_date <= training_session.end_date,
                TrainingSession.end_date >= training_session.start_date,
            )
            .order_by(TrainingSession.start_date)
        )
    )


def _clash_refusal(enrollment: Enrollment, clashes: list[Enrollment]) -> ParticipantClash:
    return ParticipantClash(
        _(
            "%(name)s is already confirmed in %(sessions)s, at the same time. Confirm anyway "
            "only with a reason (it is kept in the history).",
            name=enrollment.participant.full_name,
            sessions="; ".join(
                _(
                    "%(code)s, from %(start)s to %(end)s",
                    code=clash.training_session.code,
                    start=format_day(clash.training_session.start_date, "medium"),
                    end=format_day(clash.training_session.end_date, "medium"),
                )
                for clash in clashes
            ),
        ),
        clashes,
    )


def confirm(
    enrollment: Enrollment, *, actor: User, override_reason: str | None = None
) -> Enrollment:
    """Confirm a nominated (or waiting) enrollment. Refused when the session
    requires screening and the participant has no current clearance on its
    start date, and when the participant is already confirmed in a session
    that overlaps this one, unless a written reason overrides it (audited).
    When the session is full the enrollment waits in line (status
    waitlisted, at the end of the line) instead. Either way the nominee is
    told (enrollment_confirmed / enrollment_waitlisted)."""
    if enrollment.status not in (EnrollmentStatus.NOMINATED, EnrollmentStatus.WAITLISTED):
        raise DomainError(
            _(
                "Only a nominated or waiting enrollment can be confirmed; this one is %(status)s.",
                status=enrollment.status.label,
            )
        )
    training_session = lock_session(enrollment.training_session)
    _refuse_closed(training_session)
    refusal = _screening_refusal(enrollment, training_session)
    if refusal:
        raise DomainError(refusal)
    before = enrollment.status
    reason = (override_reason or "").strip() or None
    if confirmed_count(training_session) < training_session.capacity:
        clashes = participant_clashes(enrollment)
        if clashes and reason is None:
            raise _clash_refusal(enrollment, clashes)
        enrollment.status = EnrollmentStatus.CONFIRMED
        enrollment.waitlist_position = None
    elif enrollment.status == EnrollmentStatus.NOMINATED:
        enrollment.status = EnrollmentStatus.WAITLISTED
        enrollment.waitlist_position = _next_waitlist_position(training_session)
    else:
        return enrollment  # already waiting in line; its place is kept
    db.session.flush()
    overridden = enrollment.status == EnrollmentStatus.CONFIRMED and reason is not None
    _audit_status(enrollment, before, actor=actor, reason=reason if overridden else None)
    if enrollment.status == EnrollmentStatus.CONFIRMED:
        enrollment_confirmed.send(enrollment, promoted=False)
    else:
        enrollment_waitlisted.send(enrollment)
    return enrollment


def _promote_first_waiting(training_session: TrainingSession, *, actor: User) -> Enrollment | None:
    """Move the first enrollment in line who may be confirmed (cleared, when
    the session requires screening) up to confirmed, while a place is free."""
    if confirmed_count(training_session) >= training_session.capacity:
        return None
    waiting = db.session.scalars(
        sa.select(Enrollment)
        .where(
            Enrollment.session_id == training_session.id,
            Enrollment.status == EnrollmentStatus.WAITLISTED,
        )
        .order_by(Enrollment.waitlist_position, Enrollment.id)
    )
    for candidate in waiting:
        # Never moved up into a clash nobody chose, nor without clearance.
        if _screening_refusal(candidate, training_session) is None and not participant_clashes(
            candidate
        ):
            candidate.status = EnrollmentStatus.CONFIRMED
            candidate.waitlist_position = None
            db.session.flush()
            _audit_status(
                candidate,
                EnrollmentStatus.WAITLISTED,
                actor=actor,
                reason=_("A place freed up in the session."),
            )
            enrollment_confirmed.send(candidate, promoted=True)
            return candidate
    return None


def withdraw(enrollment: Enrollment, *, actor: User) -> Withdrawal:
    """Withdraw an enrollment. When it held a confirmed place, the first
    waiting enrollment who may be confirmed moves up automatically. Refused
    once the session is completed: its enrollments are its record."""
    if enrollment.status == EnrollmentStatus.WITHDRAWN:
        raise DomainError(_("This enrollment is already withdrawn."))
    training_session = lock_session(enrollment.training_session)
    if training_session.is_completed:
        # What a completed session's participants did is history: their
        # attendance, scores, certificates and the reports stand. A
        # certificate that must not stand is revoked, with its reason.
        raise DomainError(
            _(
                "Session %(code)s is completed: its enrollments are part of its record and "
                "cannot be withdrawn. Revoke the certificate instead if it must no longer stand.",
                code=training_session.code,
            )
        )
    before = enrollment.status
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.waitlist_position = None
    db.session.flush()
    _audit_status(enrollment, before, actor=actor)
    promoted = None
    if before == EnrollmentStatus.CONFIRMED and not training_session.is_closed:
        promoted = _promote_first_waiting(training_session, actor=actor)
    return Withdrawal(enrollment=enrollment, promoted=promoted)


def waitlist(enrollment: Enrollment, *, actor: User) -> Enrollment:
    """Put a nominee on the waiting list (at the end of the line) without
    confirming them, even while places remain: the coordinator keeps the
    places for others first."""
    if enrollment.status is not EnrollmentStatus.NOMINATED:
        raise DomainError(
            _(
                "Only a nominated enrollment can be put on the waiting list; this one is "
                "%(status)s.",
                status=enrollment.status.label,
            )
        )
    training_session = lock_session(enrollment.training_session)
    _refuse_closed(training_session)
    enrollment.status = EnrollmentStatus.WAITLISTED
    enrollment.waitlist_position = _next_waitlist_position(training_session)
    db.session.flush()
    _audit_status(enrollment, EnrollmentStatus.NOMINATED, actor=actor)
    enrollment_waitlisted.send(enrollment)
    return enrollment


@dataclass(frozen=True)
class Outcome:
    """What one step of a bulk action did to one enrollment: `refusal` says
    why it was not done (None when it was)."""

    enrollment: Enrollment
    refusal: str | None = None


def _one_by_one(items: Iterable[Any], action: Callable[[Any], Any]) -> list[str | None]:
    """Apply `action` to each item on its own savepoint: a refusal (a
    DomainError) undoes that one step and is reported with its reason (None
    when the step stood); the others stand."""
    refusals: list[str | None] = []
    for item in items:
        try:
            with db.session.begin_nested():
                action(item)
        except DomainError as error:
            refusals.append(error.message)
        else:
            refusals.append(None)
    return refusals


def for_each(
    enrollments: Iterable[Enrollment], action: Callable[[Enrollment], Any]
) -> list[Outcome]:
    """A bulk step on enrollments, one savepoint each (see _one_by_one)."""
    enrollments = list(enrollments)
    outcomes = []
    for enrollment, refusal in zip(enrollments, _one_by_one(enrollments, action), strict=True):
        if refusal is not None:
            db.session.expire(enrollment)
        outcomes.append(Outcome(enrollment, refusal))
    return outcomes


def nominate_several(
    training_session: TrainingSession,
    participants: Sequence[Participant],
    *,
    actor: User,
    nominating_organisation: Organisation | None = None,
) -> list[tuple[Participant, str | None]]:
    """Nominate each participant (the same rules as one nomination), each on
    its own savepoint: (participant, refusal or None) for each."""
    refusals = _one_by_one(
        participants,
        lambda participant: nominate(
            training_session,
            participant,
            actor=actor,
            nominating_organisation=nominating_organisation,
        ),
    )
    return list(zip(participants, refusals, strict=True))
