"""What a certificate states, frozen when it is issued, and what its page
is drawn from: the statement copied from today's data, the settings printed
on every certificate (signatories, logos, public address), the claims its
signature vouches for, and the renderer's input (`certificate_data`).

Issuing (training.certificates.services) freezes, signs and renders with
these; the print PDF (training.certificates.documents) draws again from
them."""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from datetime import UTC, date
from decimal import Decimal
from typing import Any

from flask import current_app

from training.certificates import keys, signing
from training.certificates.models import (
    Certificate,
)
from training.curricula.models import localised_title
from training.enrollment.models import Enrollment
from training.formatting import country_name
from training.pdf.certificate import (
    CertificateData,
    Signatory,
)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _organisation_name(organisation: Any) -> str:
    return (organisation.acronym or organisation.name) if organisation else ""


# Countries where French is an official language or that of the
# administration (the G5 Sahel's five among them): a certificate in Arabic
# there is in Arabic and French, elsewhere in Arabic and English.
FRENCH_SPEAKING_COUNTRIES = frozenset(
    "BE BF BI BJ CA CD CF CG CH CI CM DJ DZ FR GA GN HT KM LB LU MA MC MG ML MR NE RW SC SN TD "
    "TG TN VU".split()
)


def second_language(country: str | None) -> str:
    """The language beside Arabic on a certificate of a session held in
    Arabic, from the session's country (frozen on the certificate): French
    where French is spoken in the administration (Chad, Mauritania), English
    elsewhere."""
    return "fr" if (country or "").upper() in FRENCH_SPEAKING_COUNTRIES else "en"


def freeze_statement(certificate: Certificate, enrollment: Enrollment) -> None:
    """Copy what the certificate states from today's data; later edits of
    the participant, the curriculum or the session never reach it."""
    participant = enrollment.participant
    training_session = enrollment.training_session
    curriculum = training_session.curriculum
    certificate.holder_name = participant.full_name
    certificate.holder_name_ar = participant.name_ar
    certificate.holder_family_name = participant.family_name
    certificate.holder_rank = participant.rank
    certificate.holder_organisation = (
        participant.organisation.name if participant.organisation else None
    )
    certificate.course_title_en = curriculum.title_en
    certificate.course_title_fr = curriculum.title_fr
    certificate.course_title_ar = curriculum.title_ar
    certificate.session_code = training_session.code
    certificate.start_date = training_session.start_date
    certificate.end_date = training_session.end_date
    certificate.city = training_session.city
    certificate.country = training_session.country
    certificate.language = training_session.language.value
    certificate.total_hours = curriculum.total_hours
    issuers = ["UNODC", "DPO"]
    for partner in training_session.partners:
        name = _organisation_name(partner)
        if name and name not in issuers:
            issuers.append(name)
    certificate.issuers = "; ".join(issuers)[:500]
    validity = curriculum.certificate_validity_months
    certificate.valid_until = add_months(training_session.end_date, validity) if validity else None


def certificate_settings(config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The signatories, logos and public address printed on certificates,
    from the configuration (config.py holds their defaults, and only it)."""
    if config is None:
        config = current_app.config
    public_url = (config.get("ATELIER_PUBLIC_URL") or "").rstrip("/")
    return {
        "signatories": tuple(
            Signatory(
                config[f"ATELIER_SIGNATORY_{number}_NAME"],
                config[f"ATELIER_SIGNATORY_{number}_TITLE"],
                config.get(f"ATELIER_SIGNATORY_{number}_TITLE_FR") or None,
                config.get(f"ATELIER_SIGNATORY_{number}_TITLE_AR") or None,
            )
            for number in (1, 2)
        ),
        "logo_left": config.get("ATELIER_LOGO_LEFT") or None,
        "logo_right": config.get("ATELIER_LOGO_RIGHT") or None,
        "public_url": public_url,
        # Printed for typing: the address without its scheme.
        "verify_address": re.sub(r"^[a-z]+://", "", public_url) + "/verify",
    }


def issuing_settings() -> dict[str, Any]:
    """certificate_settings() and the key that signs today's certificates
    (SigningKeyError, a DomainError, when there is none)."""
    return {**certificate_settings(), "signer": keys.certificate_signer()}


def verify_url(code: str, settings: dict[str, Any] | None = None) -> str:
    settings = settings or certificate_settings()
    return f"{settings['public_url']}/verify/{code}"


def certificate_course_title(certificate: Certificate) -> str:
    """The course's title in the certificate's language; in Arabic without
    an Arabic title, in its second language."""
    return localised_title(
        certificate.course_title_en,
        certificate.course_title_fr,
        certificate.course_title_ar,
        certificate.language,
        fallback=second_language(certificate.country),
    )


def certificate_claims(certificate: Certificate, course_code: str) -> signing.Claims:
    """What the certificate's signature vouches for, from its frozen
    statement; the course title in the certificate's language."""
    return signing.Claims(
        serial=certificate.serial,
        holder_name=certificate.holder_name,
        course_code=course_code,
        course_title=certificate_course_title(certificate),
        kind=certificate.kind.value,
        start_date=certificate.start_date,
        end_date=certificate.end_date,
        issued_on=certificate.issued_at.astimezone(UTC).date(),
        valid_until=certificate.valid_until,
        issuer=certificate.issuers,
    )


def certificate_data(
    certificate: Certificate, settings: dict[str, Any] | None = None
) -> CertificateData:
    """The renderer's input, from the frozen statement only. The QR code
    holds the signed message (the /verify address of its code on a
    certificate issued before signing)."""
    settings = settings or certificate_settings()
    if certificate.signed_payload:
        qr_text = signing.qr_text(settings["public_url"], certificate.signed_payload)
    else:
        qr_text = verify_url(certificate.verification_code, settings)
    return CertificateData(
        kind=certificate.kind.value,
        serial=certificate.serial,
        qr_text=qr_text,
        verify_address=settings["verify_address"],
        holder_name=certificate.holder_name,
        holder_name_ar=certificate.holder_name_ar,
        holder_rank=certificate.holder_rank,
        holder_organisation=certificate.holder_organisation,
        course_title_en=certificate.course_title_en,
        course_title_fr=certificate.course_title_fr,
        course_title_ar=certificate.course_title_ar,
        start_date=certificate.start_date,
        end_date=certificate.end_date,
        city=certificate.city,
        country_en=country_name(certificate.country, "en"),
        country_fr=country_name(certificate.country, "fr"),
        country_ar=country_name(certificate.country, "ar"),
        total_hours=Decimal(certificate.total_hours),
        issuers=tuple(part for part in certificate.issuers.split("; ") if part),
        issued_on=certificate.issued_at.astimezone(UTC).date(),
        language=certificate.language,
        second_language=second_language(certificate.country),
        valid_until=certificate.valid_until,
        replaces_serial=certificate.replaces.serial if certificate.replaces else None,
        signatories=settings["signatories"],
        logo_left=settings["logo_left"],
        logo_right=settings["logo_right"],
    )
