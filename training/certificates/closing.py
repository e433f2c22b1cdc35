"""What certificates answer when a completed session is to be reopened (the
sessions' reopening signal): once a certificate is issued for it, even one
revoked since, the session stays completed, so that what a certificate
states never ceases to match its session. Connected by create_app."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask_babel import ngettext

from training.certificates.models import Certificate
from training.enrollment.models import Enrollment
from training.extensions import db
from training.sessions.models import TrainingSession
from training.sessions.signals import reopening


def issued_count(training_session: TrainingSession) -> int:
    """Every certificate ever issued for the session, revoked ones included."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(Certificate.id))
            .join(Enrollment, Certificate.enrollment_id == Enrollment.id)
            .where(Enrollment.session_id == training_session.id)
        )
        or 0
    )


def certificates_issued(training_session: TrainingSession) -> str | None:
    count = issued_count(training_session)
    if not count:
        return None
    return ngettext(
        "%(num)d certificate is issued for this session (revoked ones count): it stays "
        "completed. Correct a certificate by reissuing it.",
        "%(num)d certificates are issued for this session (revoked ones count): it stays "
        "completed. Correct a certificate by reissuing it.",
        count,
    )


def init_app(app: Flask) -> None:
    reopening.connect(certificates_issued)
