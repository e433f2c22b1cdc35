"""What each audited action and field is called on the history panels, and
which enum a field's stored value belongs to: one table for every page that
shows the audit trail."""

from __future__ import annotations

import enum
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from training.orm import LabelledEnum

# "Confirmed" names an event here and a status elsewhere: French words them
# differently ("Inscription confirmée", "Confirmé"), hence the context.
ACTION_LABELS: dict[str, Any] = {
    "session.created": _l("Session scheduled"),
    "session.updated": _l("Session edited"),
    "session.status_changed": _l("Status changed"),
    "session.reopened": _l("Session reopened"),
    "assignment.created": _l("Trainer assigned"),
    "assignment.removed": _l("Trainer removed"),
    "curriculum.created": _l("Curriculum created"),
    "curriculum.updated": _l("Curriculum edited"),
    "curriculum.approved": _l("Curriculum approved"),
    "curriculum.retired": _l("Curriculum retired"),
    "participant.created": _l("Registered"),
    "participant.updated": _l("Details edited"),
    "screening.recorded": _l("Screening recorded"),
    "enrollment.nominated": lazy_pgettext("audit action", "Nominated"),
    "enrollment.confirmed": lazy_pgettext("audit action", "Confirmed"),
    "enrollment.waitlisted": _l("Put on the waiting list"),
    "enrollment.withdrawn": lazy_pgettext("audit action", "Withdrawn"),
    "attendance.changed": _l("Attendance changed"),
    "attendance.correct_locked": _l("Closed day corrected"),
    "attendance.day_closed": _l("Day closed"),
    "attendance.keyed_from_paper": _l("Keyed from the paper sheet"),
    "attendance.scan_attached": _l("Scan of the signed sheet attached"),
    "attendance.scan_downloaded": _l("Scan of the signed sheet downloaded"),
    "scores.changed": _l("Test scores changed"),
    "certificate.issued": _l("Certificate issued"),
    "certificate.reissued": _l("Certificate reissued"),
    "certificate.revoked": _l("Certificate revoked"),
    "organisation.created": _l("Organisation added"),
    "organisation.updated": _l("Organisation edited"),
    "organisation.partnership_ended": _l("Partnership ended"),
    "organisation.merged": _l("Another record merged into this one"),
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
    "api_token.created": _l("API token created"),
    "api_token.revoked": _l("API token revoked"),
    "api.write": _l("Change through the API"),
}


def action_label(action: str) -> str:
    """The translated name of an audited action (the code itself if unknown)."""
    found = ACTION_LABELS.get(action)
    return str(found) if found is not None else action


# What each audited field is called: the wording of the form that edits it.
FIELD_LABELS: dict[str, Any] = {
    "status": _l("Status"),
    "curriculum": _l("Curriculum"),
    "code": _l("Code"),
    "kind": _l("Kind"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "city": _l("City"),
    "country": _l("Country"),
    "venue": _l("Venue"),
    "language": _l("Language"),
    "capacity": _l("Capacity"),
    "partners": _l("Partners"),
    "screening_required": _l("Screening required"),
    "send_notifications": _l("Notifications"),
    "trainer": _l("Trainer"),
    "role": _l("Role"),
    "qualified": _l("Qualified for the curriculum"),
    "title_en": _l("Title in English"),
    "title_fr": _l("Title in French"),
    "description": _l("Description"),
    "theme": _l("Theme"),
    "owner": _l("Owner"),
    "version": _l("Version"),
    "min_attendance_percent": _l("Minimum attendance"),
    "pass_mark_percent": _l("Pass mark"),
    "certificate_validity_months": _l("Certificate validity"),
    "name": _l("Name"),
    "organisation_id": _l("Organisation"),
    "framework": _l("Framework"),
    "screened_on": _l("Screened on"),
    "valid_until": _l("Valid until"),
    "waitlist_position": _l("Position on the waiting list"),
    "date": _l("Day"),
    "period": _l("Half-day"),
    "note": _l("Note"),
    "pre_test_score": _l("Pre-test score"),
    "post_test_score": _l("Post-test score"),
    "serial": _l("Serial"),
    "sha256": _l("PDF fingerprint (SHA-256)"),
    "replaced_by": _l("Replaced by"),
    "email": _l("Email"),
    "active": _l("Active"),
    "languages": _l("Languages"),
    "trainer_id": _l("Trainer"),
    "curriculum_id": _l("Curriculum"),
    "qualified_on": _l("Qualified on"),
    "expires_on": _l("Expires on"),
    "acronym": _l("Acronym"),
    "is_security_force": _l("Security force"),
    "active_from": _l("Start of the partnership"),
    "active_until": _l("End of the partnership"),
    "reason": _l("Reason"),
    # What a coordinator acknowledged on completing a session (its checklist).
    "unrecorded_half_days": _l("Half-days not recorded, acknowledged"),
    "missing_scores": _l("Participants without all their scores, acknowledged"),
    "pending_nominees": _l("Nominees pending, acknowledged"),
    # A day keyed from its paper sheet, and the sheet's scans.
    "source": _l("Source"),
    "sheet": _l("Sheet code"),
    "created": _l("Half-days recorded"),
    "changed": _l("Half-days changed"),
    "content_type": _l("File type"),
    "size": _l("Size in bytes"),
    "method": _l("Request method"),
    "path": _l("Address"),
    "endpoint": _l("Page"),
}

# Where one field name means something else for one kind of record, keyed by
# the subject of the action ("screening" in "screening.recorded").
SUBJECT_FIELD_LABELS: dict[tuple[str, str], Any] = {
    ("screening", "status"): _l("Result"),
    ("attendance", "status"): lazy_pgettext("one participant's half-day", "Attendance"),
    ("attendance", "sha256"): _l("Fingerprint (SHA-256)"),
    # What "organisation.merged" says of the removed record and of what moved.
    ("organisation", "merged_id"): _l("Removed record's number"),
    ("organisation", "merged_name"): _l("Removed record's name"),
    ("organisation", "merged_acronym"): _l("Removed record's acronym"),
    ("organisation", "merged_country"): _l("Removed record's country"),
    ("organisation", "participants"): _l("Participants moved"),
    ("organisation", "trainers"): _l("Trainers moved"),
    ("organisation", "nominations"): _l("Nominations moved"),
    ("organisation", "partnerships"): _l("Session partnerships moved"),
}

# The enum a stored value belongs to, by the action's subject and the field:
# the status of a session is not the status of an enrollment. Enums are
# named, not imported: every area records events through audit.services, so
# audit cannot import them back (they are found among the LabelledEnums).
SUBJECT_FIELD_ENUMS: dict[tuple[str, str], str] = {
    ("session", "status"): "SessionStatus",
    ("session", "kind"): "SessionKind",
    ("curriculum", "status"): "CurriculumStatus",
    ("enrollment", "status"): "EnrollmentStatus",
    ("screening", "status"): "ScreeningStatus",
    ("attendance", "status"): "AttendanceStatus",
    ("attendance", "source"): "AttendanceSource",
    ("attendance", "content_type"): "ScanType",
    ("certificate", "status"): "CertificateStatus",
    ("certificate", "kind"): "CertificateKind",
    ("assignment", "role"): "AssignmentRole",
    ("user", "role"): "Role",
    ("organisation", "kind"): "OrganisationKind",
}

# Fields whose enum is the same whatever the record.
FIELD_ENUMS: dict[str, str] = {
    "language": "SessionLanguage",
    "theme": "Theme",
    "owner": "CurriculumOwner",
    "framework": "ScreeningFramework",
    "period": "Period",
}

# Why a sign-in failed, as recorded by auth.services.
SIGN_IN_FAILURES: dict[str, Any] = {
    "unknown": _l("Unknown email address"),
    "inactive": _l("Deactivated account"),
    "password": _l("Wrong password"),
}


def action_subject(action: str) -> str:
    """The kind of record an action is about: "session" for
    "session.status_changed"."""
    return action.partition(".")[0]


def field_label(action: str, key: str) -> str:
    """The translated name of an audited field (the key itself if unknown)."""
    found = SUBJECT_FIELD_LABELS.get((action_subject(action), key), FIELD_LABELS.get(key))
    return str(found) if found is not None else key


def field_enum(action: str, key: str) -> type[enum.Enum] | None:
    """The enum the field's stored values belong to, if any."""
    name = SUBJECT_FIELD_ENUMS.get((action_subject(action), key), FIELD_ENUMS.get(key))
    return _labelled_enums().get(name) if name else None


def _labelled_enums() -> dict[str, type[LabelledEnum]]:
    """Every LabelledEnum by name (each area's models are imported by
    create_app before any page is shown; a few dozen classes to walk)."""
    found: dict[str, type[LabelledEnum]] = {}
    pending = list(LabelledEnum.__subclasses__())
    while pending:
        enum_class = pending.pop()
        found[enum_class.__name__] = enum_class
        pending.extend(enum_class.__subclasses__())
    return found
