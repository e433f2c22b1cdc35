"""The coordinator's home: nominees who cannot be confirmed for want of a
clearance, by people's one clearance rule on the session's start date."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from training.alerts import ALERT_LIMIT, Alert, alert
from training.enrollment.models import Enrollment, EnrollmentStatus
from training.people.models import Participant
from training.people.screening import cleared_on
from training.sessions.models import ACTIVE_STATUSES, TrainingSession


def nominees_awaiting_screening(today: date, limit: int = ALERT_LIMIT, offset: int = 0) -> Alert:
    """Nominees of sessions that require screening, still to run, whose
    participant is not cleared on the session's start date: exactly those
    `confirm()` would refuse."""
    return alert(
        sa.select(Enrollment)
        .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .where(
            Enrollment.status == EnrollmentStatus.NOMINATED,
            TrainingSession.screening_required.is_(True),
            TrainingSession.status.in_(ACTIVE_STATUSES),
            TrainingSession.end_date >= today,
            ~cleared_on(Enrollment.participant_id, TrainingSession.start_date),
        )
        .order_by(TrainingSession.start_date, Enrollment.id)
        .options(
            selectinload(Enrollment.participant).selectinload(Participant.organisation),
            selectinload(Enrollment.participant).selectinload(Participant.screenings),
            selectinload(Enrollment.training_session),
        ),
        limit=limit,
        offset=offset,
    )
