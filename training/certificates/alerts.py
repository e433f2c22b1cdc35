"""The coordinator's home: completed sessions with participants who qualify
for a certificate and hold none yet."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from training.alerts import Alert, alert
from training.attendance.models import attended_count
from training.certificates.models import Certificate, CertificateStatus
from training.certificates.services import attendance_met
from training.curricula.models import Curriculum
from training.enrollment.models import Enrollment
from training.sessions.models import SessionStatus, TrainingSession


def certificates_to_issue() -> Alert:
    """Completed sessions with confirmed participants who met the
    curriculum's attendance minimum (the first rule of eligibility, by
    attendance's one counting rule) and hold no valid certificate, with how
    many (rows: session, count): those the certificates page lets one issue."""
    held = sa.exists().where(
        Certificate.current_enrollment_id == Enrollment.id,
        Certificate.status == CertificateStatus.VALID,
    )
    attended = attended_count(Enrollment.id, TrainingSession.start_date, TrainingSession.end_date)
    waiting = (
        sa.select(Enrollment.session_id, sa.func.count().label("waiting"))
        .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .join(Curriculum, Curriculum.id == TrainingSession.curriculum_id)
        .where(
            TrainingSession.status == SessionStatus.COMPLETED,
            Enrollment.is_confirmed,
            ~held,
            attendance_met(
                attended, TrainingSession.periods_expression(), Curriculum.min_attendance_percent
            ),
        )
        .group_by(Enrollment.session_id)
        .subquery("waiting")
    )
    statement = (
        sa.select(TrainingSession, waiting.c.waiting)
        .join(waiting, waiting.c.session_id == TrainingSession.id)
        .order_by(TrainingSession.end_date.desc(), TrainingSession.id)
        .options(selectinload(TrainingSession.curriculum))
    )
    return alert(statement, scalars=False)
