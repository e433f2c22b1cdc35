"""The participant's trainings and certificates: for /me and the home page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from training.attendance.services import attendance_rate
from training.auth.models import User
from training.certificates.models import Certificate
from training.certificates.services import evaluate
from training.enrollment.models import Enrollment
from training.extensions import db
from training.labels import label
from training.sessions.models import SessionStatus, TrainingSession


@dataclass(frozen=True)
class TrainingRow:
    enrollment: Enrollment
    training_session: TrainingSession
    attendance_rate: float | None
    result: str
    certificates: list[Certificate]  # newest first, revoked ones included

    @property
    def valid_certificates(self) -> list[Certificate]:
        return [c for c in self.certificates if c.is_valid]


def _result(enrollment: Enrollment, rate: float | None) -> str:
    training_session = enrollment.training_session
    if not enrollment.is_confirmed:
        return str(label(enrollment.status))
    if training_session.status in (SessionStatus.PLANNED, SessionStatus.OPEN):
        # "Open" is the session's enrollment state, not a result of theirs.
        return _("Training to come")
    if training_session.status != SessionStatus.COMPLETED:
        return str(label(training_session.status))  # in progress, cancelled
    current = enrollment.current_certificate
    if current is not None:
        return str(label(current.kind))
    if evaluate(enrollment, rate).eligible:
        return _("Certificate to be issued")
    return _("No certificate")


def participant_trainings(user: User) -> list[TrainingRow]:
    """The user's trainings, most recent first, with attendance rate (once
    the session has started), result and certificates."""
    if user.participant_id is None:
        return []
    enrollments = db.session.scalars(
        sa.select(Enrollment)
        .join(TrainingSession, Enrollment.session_id == TrainingSession.id)
        .where(Enrollment.participant_id == user.participant_id)
        .order_by(TrainingSession.start_date.desc())
        .options(
            selectinload(Enrollment.training_session).selectinload(TrainingSession.curriculum),
            selectinload(Enrollment.certificates).selectinload(Certificate.replaces),
        )
    ).all()
    rows = []
    for enrollment in enrollments:
        started = enrollment.training_session.status in (
            SessionStatus.IN_PROGRESS,
            SessionStatus.COMPLETED,
        )
        # A participant has a handful of trainings: one count each is fine.
        rate = attendance_rate(enrollment) if started else None
        rows.append(
            TrainingRow(
                enrollment=enrollment,
                training_session=enrollment.training_session,
                attendance_rate=rate,
                result=_result(enrollment, rate),
                certificates=sorted(enrollment.certificates, key=lambda c: c.id, reverse=True),
            )
        )
    return rows


def participant_home(user: User) -> dict[str, Any]:
    rows = participant_trainings(user)
    return {
        "trainings": rows,
        "certificates": [c for row in rows for c in row.certificates],
    }
