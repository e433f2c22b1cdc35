"""The plain data of a session's sign-in sheet, read from the database for
the ReportLab renderer (which knows nothing of the database)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask import current_app

from training.attendance.paper import typed_sheet_code
from training.attendance.services import confirmed_enrollments
from training.formatting import country_name
from training.pdf.sign_in_sheet import SheetLanguage, SheetParticipant, SignInSheet
from training.sessions.models import AssignmentRole, SessionLanguage, TrainingSession

BLANK_ROWS = 5
ORGANISERS = {
    "fr": "ONUDC – DOP",
    "en": "UNODC – DPO",
    "both": "ONUDC – DOP / UNODC – DPO",
    "ar": "مكتب الأمم المتحدة المعني بالمخدرات والجريمة – إدارة عمليات السلام",
}
SHEET_LANGUAGES = ("fr", "en", "both", "ar")


def sheet_language(training_session: TrainingSession, requested: str | None) -> SheetLanguage:
    """The sheet's language: the one asked for (fr, en, both, ar), else the
    session's."""
    if requested in SHEET_LANGUAGES:
        return requested  # type: ignore[return-value]
    if training_session.language == SessionLanguage.ENGLISH:
        return "en"
    if training_session.language == SessionLanguage.ARABIC:
        return "ar"
    return "fr"


def sheet_for(
    training_session: TrainingSession, days: Sequence[date], requested_language: str | None
) -> SignInSheet:
    """The sign-in sheet of `days`: confirmed participants in family-name
    order, lead trainers first."""
    language = sheet_language(training_session, requested_language)
    assignments = sorted(
        training_session.assignments,
        key=lambda a: (a.role != AssignmentRole.LEAD, a.trainer.name.lower()),
    )
    participants = tuple(
        SheetParticipant(
            family_name=enrollment.participant.family_name,
            given_name=enrollment.participant.given_name,
            organisation=_organisation(enrollment.participant.organisation, language),
            rank=enrollment.participant.rank or "",
            name_ar=enrollment.participant.name_ar or "",
        )
        for enrollment in confirmed_enrollments(training_session)
    )
    curriculum = training_session.curriculum
    return SignInSheet(
        code=training_session.code,
        title_fr=curriculum.title_fr,
        title_en=curriculum.title_en,
        title_ar=curriculum.title_ar or "",
        language=language,
        start_date=training_session.start_date,
        end_date=training_session.end_date,
        city=training_session.city,
        country=country_name(training_session.country, _country_language(language)),
        venue=training_session.venue or "",
        trainers=tuple(assignment.trainer.name for assignment in assignments),
        days=tuple(days),
        participants=participants,
        blank_rows=BLANK_ROWS,
        organiser=ORGANISERS[language],
        links=tuple((day, keying_link(training_session.code, day)) for day in days),
    )


def keying_link(session_code: str, day: date) -> str:
    """The address a day's sheet prints as its QR code: the page that finds
    the sheet by its code ("Key a paper sheet"), on ATELIER_PUBLIC_URL, so
    that a phone's camera opens it and a USB scanner types it whole into
    that page's field. Built from the URL map alone: never from a request's
    Host header."""
    base = (current_app.config.get("ATELIER_PUBLIC_URL") or "").rstrip("/")
    adapter = current_app.url_map.bind("atelier.invalid", script_name="/")
    path = adapter.build("attendance.find_sheet", {"code": typed_sheet_code(session_code, day)})
    return f"{base}{path}"


def _organisation(organisation, language: SheetLanguage) -> str:
    """Acronym, name and country (in the sheet's language): "Gendarmerie
    nationale" exists in every country of a regional workshop."""
    if organisation is None:
        return ""
    if not organisation.country:
        return organisation.name_label
    country = country_name(organisation.country, _country_language(language))
    return f"{organisation.name_label} ({country})"


def _country_language(language: SheetLanguage) -> str:
    """Countries are named in the sheet's language; in French on a bilingual
    sheet."""
    return {"en": "en", "ar": "ar"}.get(language, "fr")
