"""Certificates for the demo programme."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from training.auth.models import User
from training.certificates.keys import ensure_keys
from training.certificates.services import issue_all_eligible, session_eligibility
from training.extensions import db
from training.notifications import silenced
from training.sessions.models import SessionStatus, TrainingSession

DEMO_COORDINATOR = "coordinator@example.org"
DEMO_PARTICIPANT = "participant@example.org"


def _unissued_session(
    completed: list[TrainingSession], participant_id: int | None
) -> TrainingSession | None:
    """The completed session left without certificates, for the coordinator
    to issue in a demonstration (and in the browser journey): the most
    recent one where the demo participant is eligible, provided they are
    eligible in another one too (so they still hold a certificate);
    otherwise the most recent one without them."""
    with_participant = [
        training_session
        for training_session in completed
        if any(
            row.eligible and row.enrollment.participant_id == participant_id
            for row in session_eligibility(training_session)
        )
    ]
    if len(with_participant) >= 2:
        return with_participant[0]
    without = [s for s in completed if s not in with_participant]
    return without[0] if without else None


def issue_demo_certificates(today: date) -> int:
    """Issue, as the demo coordinator, the certificates of the demo's
    completed sessions but one (see _unissued_session); returns how many
    were issued. `today` is the demo's reference date: only sessions ended
    by then count."""
    coordinator = db.session.scalars(sa.select(User).where(User.email == DEMO_COORDINATOR)).one()
    participant_user = db.session.scalar(sa.select(User).where(User.email == DEMO_PARTICIPANT))
    completed = list(
        db.session.scalars(
            sa.select(TrainingSession)
            .where(
                TrainingSession.status == SessionStatus.COMPLETED,
                TrainingSession.end_date <= today,
            )
            .order_by(TrainingSession.end_date.desc(), TrainingSession.id.desc())
        )
    )
    left_out = _unissued_session(
        completed, participant_user.participant_id if participant_user else None
    )
    ensure_keys()  # the demo signs its certificates with keys of its own
    issued = 0
    with silenced():  # the demo's past certificates were not news to anyone
        for training_session in completed:
            if training_session is left_out:
                continue
            issued += len(issue_all_eligible(training_session, coordinator).issued)
    return issued
