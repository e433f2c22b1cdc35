"""What each audited action is called on the history panels: one table for
every page that shows the audit trail."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

ACTION_LABELS: dict[str, Any] = {
    "session.created": _l("Session scheduled"),
    "session.updated": _l("Session edited"),
    "session.status_changed": _l("Status changed"),
    "assignment.created": _l("Trainer assigned"),
    "assignment.removed": _l("Trainer removed"),
    "curriculum.created": _l("Curriculum created"),
    "curriculum.updated": _l("Curriculum edited"),
    "curriculum.approved": _l("Curriculum approved"),
    "curriculum.retired": _l("Curriculum retired"),
    "participant.created": _l("Registered"),
    "participant.updated": _l("Details edited"),
    "screening.recorded": _l("Screening recorded"),
    "enrollment.nominated": _l("Nominated"),
    "enrollment.confirmed": _l("Confirmed"),
    "enrollment.waitlisted": _l("Put on the waiting list"),
    "enrollment.withdrawn": _l("Withdrawn"),
    "attendance.changed": _l("Attendance changed"),
    "attendance.correct_locked": _l("Closed day corrected"),
    "attendance.day_closed": _l("Day closed"),
    "scores.changed": _l("Test scores changed"),
    "certificate.issued": _l("Certificate issued"),
    "certificate.reissued": _l("Certificate reissued"),
    "certificate.revoked": _l("Certificate revoked"),
    "trainer.created": _l("Trainer registered"),
    "trainer.updated": _l("Trainer edited"),
    "trainer.qualified": _l("Qualification added"),
    "trainer.qualification_removed": _l("Qualification removed"),
    "user.created": _l("User created"),
    "user.updated": _l("User edited"),
    "user.deactivated": _l("User deactivated"),
    "user.password_changed": _l("Password changed"),
    "auth.sign_in_failed": _l("Failed sign-in"),
    "access.refused": _l("Access refused"),
}


def action_label(action: str) -> str:
    """The translated name of an audited action (the code itself if unknown)."""
    found = ACTION_LABELS.get(action)
    return str(found) if found is not None else action
