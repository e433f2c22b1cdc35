"""The coordinator's home: completed sessions with participants who qualify
for a certificate and hold none yet.

The rule is certificates' (attendance_met: the first rule of eligibility);
the figures come from the reports' table, which already counts each
person-training's attended periods by attendance's rule: counting them from
the attendance records for every completed session took half a second at
a programme's scale (BENCHMARKS.md, home page). The caller catches the
table up first (training.home)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from training.alerts import ALERT_LIMIT, Alert, alert
from training.certificates.services import attendance_met
from training.curricula.models import Curriculum
from training.reports.models import ReportTraining
from training.sessions.models import TrainingSession


def certificates_to_issue(limit: int = ALERT_LIMIT, offset: int = 0) -> Alert:
    """Completed sessions with confirmed participants who met the
    curriculum's attendance minimum and hold no valid certificate, with how
    many (rows: session, count): those the certificates page lets one issue."""
    waiting = (
        sa.select(ReportTraining.session_id, sa.func.count().label("waiting"))
        .join(Curriculum, Curriculum.id == ReportTraining.curriculum_id)
        .where(
            ReportTraining.certificate_kind.is_(None),
            attendance_met(
                ReportTraining.attended_periods,
                ReportTraining.periods,
                Curriculum.min_attendance_percent,
            ),
        )
        .group_by(ReportTraining.session_id)
        .subquery("waiting")
    )
    statement = (
        sa.select(TrainingSession, waiting.c.waiting)
        .join(waiting, waiting.c.session_id == TrainingSession.id)
        .order_by(TrainingSession.end_date.desc(), TrainingSession.id)
        .options(selectinload(TrainingSession.curriculum))
    )
    return alert(statement, scalars=False, limit=limit, offset=offset)
