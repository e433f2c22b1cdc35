"""Translated labels for every enum value shown to a user: one place, so a
status reads the same on every page, in every language."""

from __future__ import annotations

import enum
from typing import Any

from flask_babel import lazy_gettext as _l

from training.models import (
    AssignmentRole,
    AttendanceStatus,
    CertificateKind,
    CertificateStatus,
    CurriculumOwner,
    CurriculumStatus,
    EnrollmentStatus,
    OrganisationKind,
    Period,
    Role,
    ScreeningFramework,
    ScreeningStatus,
    SessionKind,
    SessionLanguage,
    SessionStatus,
    Sex,
    Theme,
)

LABELS: dict[enum.Enum, Any] = {
    Role.ADMIN: _l("Administrator"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.TRAINER: _l("Trainer"),
    Role.PARTICIPANT: _l("Participant"),
    OrganisationKind.POLICE: _l("Police"),
    OrganisationKind.GENDARMERIE: _l("Gendarmerie"),
    OrganisationKind.NATIONAL_GUARD: _l("National guard"),
    OrganisationKind.CUSTOMS: _l("Customs"),
    OrganisationKind.JUDICIARY: _l("Judiciary"),
    OrganisationKind.PROSECUTION: _l("Prosecution"),
    OrganisationKind.ARMED_FORCES: _l("Armed forces"),
    OrganisationKind.INTELLIGENCE: _l("Intelligence"),
    OrganisationKind.PRISON_ADMINISTRATION: _l("Prison administration"),
    OrganisationKind.FINANCIAL_INTELLIGENCE_UNIT: _l("Financial intelligence unit"),
    OrganisationKind.TRAINING_INSTITUTE: _l("Training institute"),
    OrganisationKind.MINISTRY: _l("Ministry"),
    OrganisationKind.UN_ENTITY: _l("UN entity"),
    OrganisationKind.REGIONAL_ORGANISATION: _l("Regional organisation"),
    OrganisationKind.DONOR: _l("Donor"),
    Sex.FEMALE: _l("Female"),
    Sex.MALE: _l("Male"),
    ScreeningFramework.HRDDP_MITIGATION: _l("HRDDP mitigation"),
    ScreeningFramework.G5_COMPLIANCE_FRAMEWORK: _l("G5 Sahel compliance framework"),
    ScreeningFramework.DONOR_VETTING: _l("Donor vetting"),
    ScreeningStatus.PENDING: _l("Screening pending"),
    ScreeningStatus.CLEARED: _l("Cleared"),
    ScreeningStatus.CLEARED_WITH_CONDITIONS: _l("Cleared with conditions"),
    ScreeningStatus.NOT_CLEARED: _l("Not cleared"),
    Theme.COUNTER_TERRORISM: _l("Counter-terrorism"),
    Theme.ORGANIZED_CRIME: _l("Organized crime"),
    Theme.TRAFFICKING_AND_SMUGGLING: _l("Trafficking in persons and smuggling of migrants"),
    Theme.FIREARMS: _l("Firearms"),
    Theme.DRUGS: _l("Drugs"),
    Theme.CORRUPTION_AND_MONEY_LAUNDERING: _l("Corruption and money laundering"),
    Theme.HUMAN_RIGHTS_COMPLIANCE: _l("Human rights compliance"),
    Theme.PEACEKEEPING: _l("Peacekeeping"),
    CurriculumOwner.UNODC: _l("UNODC"),
    CurriculumOwner.DPO: _l("DPO"),
    CurriculumOwner.JOINT: _l("UNODC–DPO joint"),
    CurriculumStatus.DRAFT: _l("Draft"),
    CurriculumStatus.APPROVED: _l("Approved"),
    CurriculumStatus.RETIRED: _l("Retired"),
    SessionKind.TRAINING: _l("Training"),
    SessionKind.TRAINING_OF_TRAINERS: _l("Training of trainers"),
    SessionKind.WORKSHOP: _l("Workshop"),
    SessionKind.SEMINAR: _l("Seminar"),
    SessionStatus.PLANNED: _l("Planned"),
    SessionStatus.OPEN: _l("Open"),
    SessionStatus.IN_PROGRESS: _l("In progress"),
    SessionStatus.COMPLETED: _l("Completed"),
    SessionStatus.CANCELLED: _l("Cancelled"),
    SessionLanguage.FRENCH: _l("French"),
    SessionLanguage.ENGLISH: _l("English"),
    SessionLanguage.ARABIC: _l("Arabic"),
    Period.AM: _l("Morning"),
    Period.PM: _l("Afternoon"),
    AssignmentRole.LEAD: _l("Lead trainer"),
    AssignmentRole.CO_TRAINER: _l("Co-trainer"),
    EnrollmentStatus.NOMINATED: _l("Nominated"),
    EnrollmentStatus.CONFIRMED: _l("Confirmed"),
    EnrollmentStatus.WAITLISTED: _l("Waitlisted"),
    EnrollmentStatus.WITHDRAWN: _l("Withdrawn"),
    AttendanceStatus.PRESENT: _l("Present"),
    AttendanceStatus.LATE: _l("Late"),
    AttendanceStatus.EXCUSED: _l("Excused"),
    AttendanceStatus.ABSENT: _l("Absent"),
    CertificateKind.COMPLETION: _l("Certificate of completion"),
    CertificateKind.PARTICIPATION: _l("Certificate of participation"),
    CertificateKind.TRAINER: _l("Trainer certificate"),
    CertificateStatus.VALID: _l("Valid"),
    CertificateStatus.REVOKED: _l("Revoked"),
}


def label(value: Any) -> str:
    """The translated label of an enum member (or the value itself)."""
    if value is None:
        return ""
    found = LABELS.get(value)
    return str(found) if found is not None else str(value)


def choices(enum_class: type[enum.Enum]) -> list[tuple[str, Any]]:
    """(value, label) pairs for a SelectField, in the enum's order."""
    return [(member.value, LABELS.get(member, member.value)) for member in enum_class]
