"""What enrollment reports before a session is completed (the sessions'
completion_checklist signal): the nominees still pending, nominated or on
the waiting list, who will not take part. Connected by create_app."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask_babel import ngettext
from sqlalchemy.orm import selectinload

from training.enrollment.models import Enrollment, EnrollmentStatus
from training.extensions import db
from training.sessions.models import TrainingSession
from training.sessions.signals import ChecklistItem, completion_checklist

PENDING = (EnrollmentStatus.NOMINATED, EnrollmentStatus.WAITLISTED)
NAMES_SHOWN = 8


def _line(status: EnrollmentStatus, enrollments: list[Enrollment]) -> str:
    names = [enrollment.participant.full_name for enrollment in enrollments]
    shown = ", ".join(names[:NAMES_SHOWN])
    if len(names) > NAMES_SHOWN:
        shown = ngettext(
            "%(names)s and %(num)d other",
            "%(names)s and %(num)d others",
            len(names) - NAMES_SHOWN,
            names=shown,
        )
    if status == EnrollmentStatus.NOMINATED:
        return ngettext(
            "Nominated, not confirmed: %(num)d (%(names)s)",
            "Nominated, not confirmed: %(num)d (%(names)s)",
            len(names),
            names=shown,
        )
    return ngettext(
        "On the waiting list: %(num)d (%(names)s)",
        "On the waiting list: %(num)d (%(names)s)",
        len(names),
        names=shown,
    )


def pending_nominees(training_session: TrainingSession) -> ChecklistItem | None:
    """Nominees neither confirmed nor withdrawn: once the session is
    completed they can no longer be confirmed, nor take part."""
    enrollments = list(
        db.session.scalars(
            sa.select(Enrollment)
            .where(Enrollment.session_id == training_session.id, Enrollment.status.in_(PENDING))
            .options(selectinload(Enrollment.participant))
            .order_by(Enrollment.waitlist_position, Enrollment.id)
        )
    )
    if not enrollments:
        return None
    by_status = {
        status: [e for e in enrollments if e.status == status]
        for status in PENDING
        if any(e.status == status for e in enrollments)
    }
    return ChecklistItem(
        key="pending_nominees",
        count=len(enrollments),
        title=ngettext(
            "%(num)d nominee still pending (nominated or on the waiting list)",
            "%(num)d nominees still pending (nominated or on the waiting list)",
            len(enrollments),
        ),
        details=tuple(_line(status, rows) for status, rows in by_status.items()),
        facts=tuple((e.id, e.status.value) for e in enrollments),
        endpoint="enrollment.session_enrollments",
        order=30,
    )


def init_app(app: Flask) -> None:
    completion_checklist.connect(pending_nominees)
