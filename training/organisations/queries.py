"""What an organisation's page shows of the areas that refer to it: the
sessions it is a partner of and the nominations it made."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from training.enrollment.models import Enrollment
from training.extensions import db
from training.people.models import Organisation
from training.sessions.models import TrainingSession, session_partner

PARTNER_SESSIONS_SHOWN = 20


def partner_sessions(
    organisation: Organisation, limit: int = PARTNER_SESSIONS_SHOWN
) -> tuple[list[TrainingSession], int]:
    """The latest sessions the organisation is a partner of (with their
    curriculum), and how many there are in all."""
    partner = sa.select(session_partner.c.session_id).where(
        session_partner.c.organisation_id == organisation.id
    )
    sessions = list(
        db.session.scalars(
            sa.select(TrainingSession)
            .where(TrainingSession.id.in_(partner))
            .options(selectinload(TrainingSession.curriculum))
            .order_by(TrainingSession.start_date.desc(), TrainingSession.id.desc())
            .limit(limit)
        )
    )
    total = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(session_partner)
        .where(session_partner.c.organisation_id == organisation.id)
    )
    return sessions, total or 0


def nominations_made(organisation: Organisation) -> int:
    """How many enrollments name the organisation as their nominating one."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(Enrollment.id)).where(
                Enrollment.nominating_organisation_id == organisation.id
            )
        )
        or 0
    )
