"""The convocation letter of a confirmed enrollment: what it states, in the
recipient's language, and its PDF (training/pdf/convocation.py).

The letter is written in the participant's language: their account's
choice when they have one, else the session's (French, English or Arabic),
else the configured default. Its reference names the session and the enrollment, so
a letter printed twice carries the same reference; its date is the day it
is produced.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from training.curricula.models import CurriculumOwner
from training.enrollment.models import Enrollment
from training.formatting import country_name
from training.mail.compose import recipient_locale
from training.mail.services import Attachment
from training.pdf.certificate import Signatory
from training.pdf.convocation import ConvocationData, render_convocation
from training.text import ascii_name

PDF = "application/pdf"


LETTER_LANGUAGES = ("fr", "en", "ar")


def letter_language(enrollment: Enrollment) -> str:
    """fr, en or ar: the participant's account's language, else the
    session's, else the default."""
    user = enrollment.participant.user
    preferences = (user.locale if user is not None else None,)
    for language in (*preferences, enrollment.training_session.language.value):
        if language in LETTER_LANGUAGES:
            return language
    return recipient_locale()


def convocation_reference(enrollment: Enrollment) -> str:
    return f"ATL/CONV/{enrollment.training_session.code}/{enrollment.id:06d}"


def _organisers(enrollment: Enrollment) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(full names, short names) of the session's organisers: the
    curriculum's owner (UNODC, DPO or both) and the session's partners.
    Called in the letter's language."""
    owner = enrollment.training_session.curriculum.owner
    names: list[str] = []
    short: list[str] = []
    if owner in (CurriculumOwner.UNODC, CurriculumOwner.JOINT):
        names.append(_("United Nations Office on Drugs and Crime (UNODC)"))
        short.append(_("UNODC"))
    if owner in (CurriculumOwner.DPO, CurriculumOwner.JOINT):
        names.append(_("United Nations Department of Peace Operations (DPO)"))
        short.append(_("DPO"))
    for partner in enrollment.training_session.partners:
        names.append(f"{partner.name} ({partner.acronym})" if partner.acronym else partner.name)
        short.append(partner.acronym or partner.name)
    return tuple(names), tuple(short)


def convocation_data(
    enrollment: Enrollment,
    language: str | None = None,
    *,
    today: date | None = None,
    config: Mapping[str, Any] | None = None,
) -> ConvocationData:
    """What the enrollment's letter states, in `language` (by default the
    participant's: letter_language)."""
    language = language if language in LETTER_LANGUAGES else letter_language(enrollment)
    config = config if config is not None else current_app.config
    participant = enrollment.participant
    training_session = enrollment.training_session
    curriculum = training_session.curriculum
    with force_locale(language):
        organisers, short_names = _organisers(enrollment)
        programme = config.get("ATELIER_PROGRAMME_NAME") or _("UNODC–DPO joint training programme")
        kind = str(training_session.kind.label)
    hours = curriculum.total_hours if curriculum.modules else None
    return ConvocationData(
        language=language,
        reference=convocation_reference(enrollment),
        letter_date=today or datetime.now(UTC).date(),
        place=config.get("ATELIER_LETTER_PLACE") or "",
        programme_name=programme,
        participant_name=participant.full_name,
        participant_name_ar=participant.name_ar,
        participant_sex=participant.sex.value if participant.sex else None,
        participant_rank=participant.rank,
        participant_function=participant.function,
        participant_organisation=participant.organisation.name
        if participant.organisation
        else None,
        participant_nationality=country_name(participant.nationality, language) or None,
        course_title=curriculum.title(language),
        session_code=training_session.code,
        session_kind=kind,
        start_date=training_session.start_date,
        end_date=training_session.end_date,
        venue=training_session.venue,
        city=training_session.city,
        country=country_name(training_session.country, language),
        session_language=training_session.language.value,
        total_hours=hours,
        half_days=training_session.period_count,
        organisers=organisers,
        organiser_short_names=short_names,
        signatory=Signatory(
            config["ATELIER_SIGNATORY_1_NAME"],
            config["ATELIER_SIGNATORY_1_TITLE"],
            title_ar=config.get("ATELIER_SIGNATORY_1_TITLE_AR") or None,
        ),
        logo_left=config.get("ATELIER_LOGO_LEFT") or None,
        logo_right=config.get("ATELIER_LOGO_RIGHT") or None,
    )


def convocation_filename(enrollment: Enrollment) -> str:
    """convocation-<session>-<FAMILY NAME>.pdf, in ASCII."""
    family = ascii_name(enrollment.participant.family_name, "participant").upper()
    return f"convocation-{ascii_name(enrollment.training_session.code)}-{family}.pdf"


def convocation_pdf(enrollment: Enrollment, language: str | None = None) -> bytes:
    return render_convocation(convocation_data(enrollment, language))


def convocation_attachment(enrollment: Enrollment, language: str | None = None) -> Attachment:
    """The letter as a mail attachment."""
    return Attachment(
        filename=convocation_filename(enrollment),
        content_type=PDF,
        data=convocation_pdf(enrollment, language),
    )
