"""What certificates contribute to the pages of the areas below them
(training.web.panels): a participant's certificates on their page."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask

from training.certificates.models import Certificate
from training.enrollment.models import Enrollment
from training.extensions import db
from training.people.models import Participant
from training.web import panels


def participant_certificates(participant: Participant) -> dict[str, Any]:
    """The participant's certificates, latest first, each with the address
    of its verification page to send on."""
    certificates = db.session.scalars(
        sa.select(Certificate)
        .join(Enrollment, Enrollment.id == Certificate.enrollment_id)
        .where(Enrollment.participant_id == participant.id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    ).all()
    return {"certificates": certificates}


def init_app(app: Flask) -> None:
    panels.participant_page.connect(participant_certificates)
