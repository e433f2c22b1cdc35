"""The signals this package listens to, and what each one sends."""

from __future__ import annotations

from typing import Any

from training.certificates.models import Certificate
from training.certificates.signals import certificate_issued
from training.enrollment.models import Enrollment
from training.enrollment.signals import enrollment_confirmed, enrollment_waitlisted
from training.notifications import messages
from training.sessions.models import Assignment
from training.sessions.signals import trainer_assigned, trainer_removed


def on_confirmed(enrollment: Enrollment, *, promoted: bool = False, **_extra: Any) -> None:
    messages.nominee_confirmed(enrollment, promoted=promoted)


def on_waitlisted(enrollment: Enrollment, **_extra: Any) -> None:
    messages.nominee_waitlisted(enrollment)


def on_certificate_issued(certificate: Certificate, **_extra: Any) -> None:
    messages.certificate_issued(certificate)


def on_trainer_assigned(assignment: Assignment, **_extra: Any) -> None:
    messages.trainer_assigned(assignment)


def on_trainer_removed(assignment: Assignment, **_extra: Any) -> None:
    messages.trainer_removed(assignment)


def connect() -> None:
    """Connect every receiver (once: blinker keeps one connection per
    receiver, however many apps are built)."""
    enrollment_confirmed.connect(on_confirmed)
    enrollment_waitlisted.connect(on_waitlisted)
    certificate_issued.connect(on_certificate_issued)
    trainer_assigned.connect(on_trainer_assigned)
    trainer_removed.connect(on_trainer_removed)
