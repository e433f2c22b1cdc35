"""What enrollment contributes to the pages of the areas below it
(training.web.panels): a participant's trainings, a session's enrollment
counts, the confirmed counts of a list of sessions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import selectinload

from training.enrollment import queries
from training.enrollment.models import Enrollment
from training.extensions import db
from training.people.models import Participant
from training.sessions.models import TrainingSession
from training.web import panels


def participant_trainings(participant: Participant) -> dict[str, Any]:
    """The participant's enrollments, latest session first."""
    enrollments = db.session.scalars(
        sa.select(Enrollment)
        .where(Enrollment.participant_id == participant.id)
        .join(Enrollment.training_session)
        .options(selectinload(Enrollment.training_session).selectinload(TrainingSession.curriculum))
        .order_by(TrainingSession.start_date.desc())
    ).all()
    return {"enrollments": enrollments}


def session_counts(training_session: TrainingSession) -> dict[str, Any]:
    return {"summary": queries.enrollment_counts(training_session)}


def listed_sessions_counts(training_sessions: Sequence[TrainingSession]) -> dict[str, Any]:
    return {"confirmed": queries.confirmed_counts(s.id for s in training_sessions)}


def init_app(app: Flask) -> None:
    panels.participant_page.connect(participant_trainings)
    panels.session_page.connect(session_counts)
    panels.sessions_list.connect(listed_sessions_counts)
