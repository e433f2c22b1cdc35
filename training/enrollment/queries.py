"""What a session's enrollments add up to: the confirmed count, places left
and the counts by status and sex. The confirmed rule itself is
Enrollment.is_confirmed; capacity is enforced by services.confirm."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from training.enrollment.models import Enrollment, EnrollmentStatus
from training.extensions import db
from training.people.models import Participant, Sex

if TYPE_CHECKING:
    from training.sessions.models import TrainingSession


def confirmed_count(training_session: TrainingSession) -> int:
    """Confirmed enrollments of the session, counted in the database."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(Enrollment.id)).where(
                Enrollment.session_id == training_session.id, Enrollment.is_confirmed
            )
        )
        or 0
    )


def places_left(training_session: TrainingSession) -> int:
    return max(training_session.capacity - confirmed_count(training_session), 0)


def confirmed_counts(session_ids: Iterable[int]) -> dict[int, int]:
    """Confirmed enrollments per session, in one grouped query."""
    ids = list(session_ids)
    if not ids:
        return {}
    statement = (
        sa.select(Enrollment.session_id, sa.func.count(Enrollment.id))
        .where(Enrollment.session_id.in_(ids), Enrollment.is_confirmed)
        .group_by(Enrollment.session_id)
    )
    counts = dict.fromkeys(ids, 0)
    counts.update({session_id: count for session_id, count in db.session.execute(statement)})
    return counts


@dataclass
class EnrollmentCounts:
    """Enrollment counts of one session, by status and by sex."""

    by_status_and_sex: dict[EnrollmentStatus, dict[Sex, int]] = field(default_factory=dict)
    capacity: int = 0

    def count(self, status: EnrollmentStatus, sex: Sex | None = None) -> int:
        row = self.by_status_and_sex.get(status, {})
        return row.get(sex, 0) if sex is not None else sum(row.values())

    def sex_total(self, sex: Sex) -> int:
        return sum(row.get(sex, 0) for row in self.by_status_and_sex.values())

    @property
    def total(self) -> int:
        return sum(sum(row.values()) for row in self.by_status_and_sex.values())

    @property
    def confirmed(self) -> int:
        return self.count(EnrollmentStatus.CONFIRMED)

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.confirmed, 0)


def enrollment_counts(training_session: TrainingSession) -> EnrollmentCounts:
    """Counts by status and sex, aggregated in SQL (one query)."""
    statement = (
        sa.select(Enrollment.status, Participant.sex, sa.func.count(Enrollment.id))
        .join(Participant, Participant.id == Enrollment.participant_id)
        .where(Enrollment.session_id == training_session.id)
        .group_by(Enrollment.status, Participant.sex)
    )
    counts = EnrollmentCounts(
        by_status_and_sex={status: {} for status in EnrollmentStatus},
        capacity=training_session.capacity,
    )
    for status, sex, count in db.session.execute(statement):
        counts.by_status_and_sex[EnrollmentStatus(status)][Sex(sex)] = count
    return counts


def session_enrollments(training_session: TrainingSession) -> list[Enrollment]:
    """The session's enrollments with participant, organisation and
    screenings loaded (a fixed number of queries), the waiting line in
    order."""
    return list(
        db.session.scalars(
            sa.select(Enrollment)
            .where(Enrollment.session_id == training_session.id)
            .options(
                selectinload(Enrollment.participant).selectinload(Participant.organisation),
                selectinload(Enrollment.participant).selectinload(Participant.screenings),
                selectinload(Enrollment.nominating_organisation),
            )
            .order_by(Enrollment.waitlist_position, Enrollment.id)
        )
    )


def enrolled_participant_ids(training_session: TrainingSession) -> set[int]:
    """Participants with an active (not withdrawn) enrollment in the session."""
    return set(
        db.session.scalars(
            sa.select(Enrollment.participant_id).where(
                Enrollment.session_id == training_session.id, Enrollment.is_active
            )
        )
    )


def next_in_line(
    training_session: TrainingSession, exclude: Iterable[Enrollment] = ()
) -> Enrollment | None:
    """The first enrollment on the session's waiting list (leaving out
    `exclude`), with its participant: the one a freed place goes to first
    (enrollment.services moves up the first who may be confirmed)."""
    excluded = [enrollment.id for enrollment in exclude]
    statement = (
        sa.select(Enrollment)
        .where(
            Enrollment.session_id == training_session.id,
            Enrollment.status == EnrollmentStatus.WAITLISTED,
        )
        .options(selectinload(Enrollment.participant))
        .order_by(Enrollment.waitlist_position, Enrollment.id)
        .limit(1)
    )
    if excluded:
        statement = statement.where(Enrollment.id.not_in(excluded))
    return db.session.scalars(statement).first()
