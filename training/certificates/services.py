"""Certificates: who qualifies, issuing, revoking, correcting, verifying.

The rules (DESIGN.md, issue 5), all here and nowhere else:

- Certificates are issued only for a session whose status is *completed*,
  and only to a *confirmed* enrollment. These two are hard rules.
- The attendance rate is `training.attendance.services`' (never recomputed
  here). Attendance is met at or above the curriculum's
  `min_attendance_percent`.
- The post-test passes at or above the curriculum's `pass_mark_percent`;
  a curriculum without a pass mark has no test to pass.
- Completion: attendance met and test passed (or no test). Participation:
  attendance met, test failed or not taken. Below the attendance minimum:
  no certificate.
- Trainer certificate: the graduate of a training of trainers, that is a
  participant of a session of kind *training of trainers* who meets the
  completion rule above. A participant of a training of trainers who only
  meets the participation rule receives a certificate of participation.
- A coordinator may issue despite a failed attendance or test rule, or a
  kind other than the one earned, only with a written reason; it is kept in
  `override_reason` and in the audit trail.
- Issuing is idempotent: while an enrollment holds a valid certificate,
  issuing again returns it.
- A certificate is valid until the session's end date plus the
  curriculum's `certificate_validity_months`, when it sets one; past that
  date the verification page says expired.
- A correction is a new certificate (new serial, new code, a fresh statement
  of the current data) that revokes the one it replaces and says so.
- Serials are `ATL-YYYY-NNNNNN`, sequential per year of issue, drawn from
  `CertificateSerialCounter` by a single UPDATE ... RETURNING, so two
  coordinators issuing at once never draw the same number.
- Every certificate is signed when issued: its QR code carries a COSE_Sign1
  message over what it states (training.certificates.signing), by the
  active signing key (training.certificates.keys). Without one, issuing is
  refused. The message and the key are kept with the certificate.
- Verification says valid, expired or revoked as before, and also when the
  key that signed a certificate has been reported compromised, when a
  signed code does not check (forged) and when it was signed outside its
  key's window. A serial with the holder's family name (accents and case
  aside) verifies too; a wrong name says only that nothing matches.
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import io
import re
import secrets
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload, undefer
from sqlalchemy.sql.expression import ColumnElement

from training.attendance.services import attendance_rate, attendance_rates
from training.audit.services import record_event
from training.certificates import keys, offline, signing
from training.certificates.models import (
    Certificate,
    CertificateKind,
    CertificateSerialCounter,
    CertificateStatus,
    KeyPurpose,
    SigningKey,
)
from training.certificates.signals import certificate_issued
from training.curricula.models import localised_title
from training.domain import DomainError
from training.enrollment.models import Enrollment
from training.extensions import db
from training.formatting import country_name
from training.pdf.certificate import (
    CertificateData,
    Signatory,
    render_certificate,
    render_certificates,
    render_digest,
)
from training.people.models import Participant
from training.sessions.models import SessionKind, SessionStatus, TrainingSession
from training.sessions.services import lock_session
from training.text import ascii_name as _ascii_name
from training.text import fold

if TYPE_CHECKING:
    from training.auth.models import User

SERIAL_PATTERN = re.compile(r"^ATL-(\d{4})-(\d{6})$")
# A serial as typed or read over a telephone: "atl 2026 123", "ATL2026000123".
_TYPED_SERIAL = re.compile(r"^(?:ATL)?[\s\-_./]*(\d{4})[\s\-_./]*(\d{1,6})$")
CODE_LENGTH = 32  # base32 of 20 random bytes: 160 bits
# Digits 0, 1 and 8 never occur in a base32 code (its alphabet is A-Z, 2-7):
# a reader who types them meant the letters they resemble.
_CONFUSABLES = str.maketrans({"0": "O", "1": "I", "8": "B"})
_MAX_ATTEMPTS = 3


class CertificateError(DomainError):
    """A certificate rule is broken."""


# ---------------------------------------------------------------- eligibility


@dataclass(frozen=True)
class Eligibility:
    """What one enrollment qualifies for, and why."""

    enrollment: Enrollment
    attendance_rate: float | None
    post_test_score: int | None
    kind: CertificateKind | None
    reason: str | None  # why no certificate (or why only participation)
    certificate: Certificate | None  # the current valid certificate, if any
    overridable: bool  # a coordinator may issue anyway, with a reason

    @property
    def eligible(self) -> bool:
        return self.kind is not None

    @property
    def issuable(self) -> bool:
        """Eligible and not yet holding a certificate."""
        return self.kind is not None and self.certificate is None


def evaluate(enrollment: Enrollment, rate: float | None) -> Eligibility:
    """The eligibility of one enrollment given its attendance rate (from
    attendance_rates / attendance_rate); see the module's docstring."""
    training_session = enrollment.training_session
    curriculum = training_session.curriculum
    score = enrollment.post_test_score
    current = enrollment.current_certificate

    def result(kind: CertificateKind | None, reason: str | None, overridable: bool) -> Eligibility:
        return Eligibility(enrollment, rate, score, kind, reason, current, overridable)

    if training_session.status != SessionStatus.COMPLETED:
        return result(None, _("The session is not completed."), False)
    if not enrollment.is_confirmed:
        return result(None, _("The enrollment is not confirmed."), False)
    minimum = curriculum.min_attendance_percent
    if rate is None or rate * 100 < minimum - 1e-9:
        return result(
            None,
            _(
                "Attendance %(rate)s%% is below the minimum of %(minimum)s%%.",
                rate=_whole_percent(rate or 0.0),
                minimum=minimum,
            ),
            True,
        )
    if curriculum.has_test and score is None:
        return result(CertificateKind.PARTICIPATION, _("No post-test score."), True)
    if not curriculum.passes(score):
        return result(
            CertificateKind.PARTICIPATION,
            _(
                "Post-test %(score)s%% is below the pass mark of %(mark)s%%.",
                score=score,
                mark=curriculum.pass_mark_percent,
            ),
            True,
        )
    if training_session.kind == SessionKind.TRAINING_OF_TRAINERS:
        return result(CertificateKind.TRAINER, None, True)
    return result(CertificateKind.COMPLETION, None, True)


def attendance_met(attended: Any, periods: Any, minimum_percent: Any) -> ColumnElement[bool]:
    """The attendance rule of `evaluate` as an SQL condition, for counting
    in the database: attended / periods at or above the minimum percent
    (in integers: attended x 100 >= minimum x periods)."""
    return attended * 100 >= minimum_percent * periods


def _whole_percent(rate: float) -> str:
    return f"{rate * 100:.0f}"


def session_eligibility(training_session: TrainingSession) -> list[Eligibility]:
    """Every confirmed enrollment of the session with what it qualifies for,
    sorted by family name; a fixed number of queries."""
    enrollments = db.session.scalars(
        sa.select(Enrollment)
        .where(
            Enrollment.session_id == training_session.id,
            Enrollment.is_confirmed,
        )
        .options(
            selectinload(Enrollment.participant).selectinload(Participant.organisation),
            selectinload(Enrollment.certificates),
        )
        .execution_options(populate_existing=True)
    ).all()
    rates = attendance_rates(training_session)
    rows = [evaluate(enrollment, rates.get(enrollment.id)) for enrollment in enrollments]
    return sorted(
        rows,
        key=lambda row: (
            row.enrollment.participant.family_name.casefold(),
            row.enrollment.participant.given_name.casefold(),
        ),
    )


# ------------------------------------------------------- serials and codes


def allocate_serials(year: int, count: int = 1) -> list[str]:
    """`count` consecutive serials of `year`, drawn with one UPDATE ...
    RETURNING on the year's counter row: concurrent transactions queue on
    the row and each reads the number the previous one left. The year's row
    is inserted on first use, in a SAVEPOINT so that losing the race to
    another transaction inserting it only means updating theirs."""
    increment = (
        sa.update(CertificateSerialCounter)
        .where(CertificateSerialCounter.year == year)
        .values(last_number=CertificateSerialCounter.last_number + count)
        .returning(CertificateSerialCounter.last_number)
        .execution_options(synchronize_session=False)
    )
    last = db.session.execute(increment).scalar_one_or_none()
    if last is None:
        try:
            with db.session.begin_nested():
                db.session.add(CertificateSerialCounter(year=year, last_number=0))
        except IntegrityError:
            pass  # another transaction created the row first: use it
        last = db.session.execute(increment).scalar_one()
    if last > 999_999:
        raise CertificateError(_("No serial number is left for %(year)s.", year=year))
    return [f"ATL-{year}-{number:06d}" for number in range(last - count + 1, last + 1)]


def new_verification_code() -> str:
    """160 random bits, base32: 32 characters, stored without separators."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def normalise_serial(text: str) -> str | None:
    """A typed serial in its printed form (ATL-2026-000123), or None when the
    text is not one: the prefix may be left out, the separators vary, the
    number's leading zeros may be dropped."""
    match = _TYPED_SERIAL.match(text.strip().upper())
    if match is None:
        return None
    year, number = match.groups()
    return f"ATL-{year}-{int(number):06d}"


def normalise_code(text: str) -> str:
    """A typed or scanned code in its stored form: upper case, without
    spaces, dashes or other separators, digits 0/1/8 read as O/I/B."""
    return re.sub(r"[^A-Z0-9]", "", text.upper()).translate(_CONFUSABLES)


# ----------------------------------------------------------------- statement


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


def _freeze_statement(certificate: Certificate, enrollment: Enrollment) -> None:
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


def _sign(certificate: Certificate, signer: keys.Signer, course_code: str) -> None:
    issued_on = certificate.issued_at.astimezone(UTC).date()
    if not signer.key.covers(issued_on):  # midnight passed since the key was chosen
        raise CertificateError(_("The certificate could not be issued. Please try again."))
    certificate.signed_payload = signing.sign_claims(
        certificate_claims(certificate, course_code), signer.kid, signer.private_key
    )
    certificate.signing_key = signer.key


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


# -------------------------------------------------------------------- issuing


def _statement(
    enrollment: Enrollment,
    kind: CertificateKind,
    serial: str,
    actor: User,
    settings: dict[str, Any],
    override_reason: str | None = None,
    replaces: Certificate | None = None,
) -> Certificate:
    """A new certificate of `enrollment`, its statement frozen and signed,
    not yet rendered and not in the database session (nothing links it to
    the enrollment's objects yet: `enrollment_id` only)."""
    certificate = Certificate(
        enrollment_id=enrollment.id,
        current_enrollment_id=enrollment.id,
        kind=kind,
        serial=serial,
        verification_code=new_verification_code(),
        issued_at=datetime.now(UTC),
        issued_by_id=getattr(actor, "id", None),
        status=CertificateStatus.VALID,
        override_reason=override_reason,
        replaces=replaces,
    )
    _freeze_statement(certificate, enrollment)
    _sign(certificate, settings["signer"], enrollment.training_session.curriculum.code)
    return certificate


def _rendered(certificate: Certificate, pdf: bytes) -> Certificate:
    """The certificate with its PDF (rendered from certificate_data)."""
    certificate.pdf = pdf
    certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    return certificate


def _create(
    enrollment: Enrollment,
    kind: CertificateKind,
    serial: str,
    actor: User,
    settings: dict[str, Any],
    override_reason: str | None = None,
    replaces: Certificate | None = None,
) -> Certificate:
    # No autoflush while the statement is assembled: the certificate is not
    # complete (and so not insertable) until it is rendered.
    with db.session.no_autoflush:
        certificate = _statement(
            enrollment, kind, serial, actor, settings, override_reason, replaces
        )
        certificate.enrollment = enrollment
        db.session.add(certificate)
        data = certificate_data(certificate, settings)
        certificate.render_digest = render_digest(data)
        _rendered(certificate, render_certificate(data))
    return certificate


def _audit_issue(
    certificate: Certificate,
    actor: User,
    action: str = "certificate.issued",
    reason: str | None = None,
) -> None:
    enrollment = certificate.enrollment
    record_event(
        action,
        actor=actor,
        entity=certificate,
        session_id=enrollment.session_id,
        participant_id=enrollment.participant_id,
        after={
            "serial": certificate.serial,
            "kind": certificate.kind,
            "sha256": certificate.pdf_sha256,
        },
        reason=reason,
    )
    certificate_issued.send(certificate)  # the holder is told, with the verification link


def _issue_checked(
    enrollment: Enrollment,
    kind: CertificateKind,
    actor: User,
    settings: dict[str, Any],
    override_reason: str | None,
) -> Certificate:
    """Create the certificate in a SAVEPOINT; if another transaction gave
    the enrollment its certificate meanwhile (the unique current-enrollment
    constraint fires), return that one; if a serial was taken (a counter
    reset by hand), draw another."""
    year = datetime.now(UTC).year
    for _attempt in range(_MAX_ATTEMPTS):
        try:
            with db.session.begin_nested():
                (serial,) = allocate_serials(year)
                certificate = _create(enrollment, kind, serial, actor, settings, override_reason)
                db.session.flush()
        except IntegrityError:
            existing = db.session.scalar(
                sa.select(Certificate).where(Certificate.current_enrollment_id == enrollment.id)
            )
            if existing is not None:
                return existing
            continue
        _audit_issue(certificate, actor, reason=override_reason)
        return certificate
    raise CertificateError(_("The certificate could not be issued. Please try again."))


def issue_certificate(
    enrollment: Enrollment,
    actor: User,
    kind: CertificateKind | None = None,
    override_reason: str | None = None,
) -> Certificate:
    """Issue the enrollment's certificate, or return the valid one it holds
    (idempotent). Without a reason, only the kind the rules give may be
    issued; with a written reason a coordinator may issue despite a failed
    attendance or test rule, or another kind, and the reason is kept. A
    session not completed or an enrollment not confirmed is refused."""
    override_reason = (override_reason or "").strip() or None
    existing = enrollment.current_certificate
    if existing is not None:
        return existing
    # Under the session's lock: a reopening (sessions.reopen_session) either
    # commits first, and the session is no longer completed, or waits.
    lock_session(enrollment.training_session)
    eligibility = evaluate(enrollment, attendance_rate(enrollment))
    if not eligibility.overridable and eligibility.kind is None:
        raise CertificateError(eligibility.reason or _("Not eligible."))
    wanted = kind or eligibility.kind
    if wanted is None or wanted != eligibility.kind:
        if override_reason is None:
            raise CertificateError(
                _(
                    "%(reason)s A written reason is required to issue anyway.",
                    reason=eligibility.reason or _("This kind of certificate was not earned."),
                ),
                field="reason",
            )
        if wanted is None:
            wanted = CertificateKind.PARTICIPATION
    else:
        override_reason = None  # nothing was overridden
    return _issue_checked(enrollment, wanted, actor, issuing_settings(), override_reason)


@dataclass(frozen=True)
class BatchResult:
    issued: list[Certificate]
    already: int  # eligible enrollments that already held a certificate


def issue_all_eligible(training_session: TrainingSession, actor: User) -> BatchResult:
    """Issue every eligible certificate of the session not issued yet, in
    the caller's transaction: all or none. Serials are drawn in one block.
    When another coordinator issued some of them meanwhile (the unique
    current-enrollment constraint fires), the batch is redone in its
    SAVEPOINT with what is left."""
    training_session = _completed(training_session)
    settings = issuing_settings()
    for _attempt in range(_MAX_ATTEMPTS):
        rows = [row for row in session_eligibility(training_session) if row.eligible]
        pending = [row for row in rows if row.certificate is None]
        if not pending:
            return BatchResult([], len(rows))
        try:
            with db.session.begin_nested():
                serials = allocate_serials(datetime.now(UTC).year, len(pending))
                issued = [
                    _create(row.enrollment, row.kind, serial, actor, settings)  # type: ignore[arg-type]
                    for row, serial in zip(pending, serials, strict=True)
                ]
                db.session.flush()
        except IntegrityError:
            continue
        for certificate in issued:
            _audit_issue(certificate, actor)
        return BatchResult(issued, len(rows) - len(pending))
    raise CertificateError(_("The certificates could not be issued. Please try again."))


def _completed(training_session: TrainingSession) -> TrainingSession:
    """The session, locked (as in issue_certificate), once completed."""
    training_session = lock_session(training_session)
    if training_session.status != SessionStatus.COMPLETED:
        raise CertificateError(_("Certificates are issued only once the session is completed."))
    return training_session


def pending_enrollments(training_session: TrainingSession) -> list[Eligibility]:
    """The session's eligible enrollments that hold no certificate yet: what
    "Issue all eligible" issues."""
    return [
        row
        for row in session_eligibility(training_session)
        if row.eligible and row.certificate is None
    ]


def ready_to_issue(training_session: TrainingSession) -> int:
    """How many certificates "Issue all eligible" would issue now, once the
    session is completed and a key can sign them (CertificateError or
    SigningKeyError otherwise): what the page checks before queuing the job."""
    if training_session.status != SessionStatus.COMPLETED:
        raise CertificateError(_("Certificates are issued only once the session is completed."))
    keys.certificate_signer()
    return len(pending_enrollments(training_session))


@dataclass(frozen=True)
class PreparedBatch:
    """A large batch's certificates, frozen and signed but not rendered nor
    stored: the job (training.certificates.batch) renders them in other
    processes from `data` and stores them part by part (`record_batch`)."""

    session_id: int
    certificates: list[Certificate]  # transient, in the order of `data`
    data: list[CertificateData]
    already: int  # eligible enrollments that already held a certificate


def prepare_batch(training_session: TrainingSession, actor: User) -> PreparedBatch:
    """The first step of issuing a large batch, in the caller's transaction
    (which commits it at once, so the write lock is short): the session is
    completed, the eligible enrollments without a certificate are found and
    their serials drawn in one block, and each certificate's statement is
    frozen and signed exactly as `issue_all_eligible` does. The serials stay
    drawn even if the batch stops before its end (the sequence then has a
    gap); issuing again issues what was left."""
    training_session = _completed(training_session)
    settings = issuing_settings()
    rows = [row for row in session_eligibility(training_session) if row.eligible]
    pending = [row for row in rows if row.certificate is None]
    serials = allocate_serials(datetime.now(UTC).year, len(pending)) if pending else []
    certificates = [
        _statement(row.enrollment, row.kind, serial, actor, settings)  # type: ignore[arg-type]
        for row, serial in zip(pending, serials, strict=True)
    ]
    data = [certificate_data(certificate, settings) for certificate in certificates]
    for certificate, one in zip(certificates, data, strict=True):
        certificate.render_digest = render_digest(one)
    return PreparedBatch(
        session_id=training_session.id,
        certificates=certificates,
        data=data,
        already=len(rows) - len(pending),
    )


def record_batch(
    training_session: TrainingSession,
    certificates: Sequence[Certificate],
    pdfs: Sequence[bytes],
    actor: User,
) -> list[Certificate]:
    """Store a part of a prepared batch with its rendered PDFs, in the
    caller's transaction (all or none for this part), with its audit and its
    holders' mail. The session must still be completed; an enrollment that
    received its certificate meanwhile, or is no longer confirmed, is left
    out (issuing is idempotent). Returns the certificates stored."""
    training_session = _completed(training_session)
    enrollment_ids = [certificate.enrollment_id for certificate in certificates]
    enrollments = {
        enrollment.id: enrollment
        for enrollment in db.session.scalars(
            sa.select(Enrollment)
            .where(Enrollment.id.in_(enrollment_ids))
            .options(
                selectinload(Enrollment.certificates),
                selectinload(Enrollment.participant).selectinload(Participant.user),
            )
        )
    }
    stored = []
    with db.session.no_autoflush:
        for certificate, pdf in zip(certificates, pdfs, strict=True):
            enrollment = enrollments.get(certificate.enrollment_id)
            if (
                enrollment is None
                or not enrollment.is_confirmed
                or enrollment.current_certificate is not None
            ):
                continue
            _rendered(certificate, pdf)
            certificate.enrollment = enrollment
            db.session.add(certificate)
            stored.append(certificate)
    db.session.flush()
    for certificate in stored:
        _audit_issue(certificate, actor)
    return stored


# ------------------------------------------------------ revoking, correcting


def _required_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("A reason is required."), field="reason")
    return reason


def _revoke(certificate: Certificate, reason: str) -> None:
    if certificate.status == CertificateStatus.REVOKED:
        raise CertificateError(_("This certificate is already revoked."))
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = datetime.now(UTC)
    certificate.revocation_reason = reason
    certificate.current_enrollment_id = None


def revoke_certificate(certificate: Certificate, actor: User, reason: str | None) -> Certificate:
    """Revoke a valid certificate, with a written reason (required). A
    revoked certificate stays revoked; its verification page says so."""
    reason = _required_reason(reason)
    _revoke(certificate, reason)
    enrollment = certificate.enrollment
    record_event(
        "certificate.revoked",
        actor=actor,
        entity=certificate,
        session_id=enrollment.session_id,
        participant_id=enrollment.participant_id,
        before={"status": CertificateStatus.VALID},
        after={"status": CertificateStatus.REVOKED, "serial": certificate.serial},
        reason=reason,
    )
    return certificate


def reissue_certificate(certificate: Certificate, actor: User, reason: str | None) -> Certificate:
    """A correction: a new certificate stating today's data (a corrected
    name, say), with a new serial and code, that replaces this one, which
    is revoked. The new PDF names the serial it replaces."""
    reason = _required_reason(reason)
    if certificate.status != CertificateStatus.VALID:
        raise CertificateError(_("Only a valid certificate can be corrected."))
    settings = issuing_settings()
    enrollment = certificate.enrollment
    _revoke(certificate, reason)
    db.session.flush()  # frees the enrollment's "current" slot
    (serial,) = allocate_serials(datetime.now(UTC).year)
    replacement = _create(
        enrollment,
        certificate.kind,
        serial,
        actor,
        settings,
        override_reason=certificate.override_reason,
        replaces=certificate,
    )
    db.session.flush()
    certificate.revocation_reason = _(
        "Replaced by %(serial)s: %(reason)s", serial=replacement.serial, reason=reason
    )
    record_event(
        "certificate.revoked",
        actor=actor,
        entity=certificate,
        session_id=enrollment.session_id,
        participant_id=enrollment.participant_id,
        after={"status": CertificateStatus.REVOKED, "replaced_by": replacement.serial},
        reason=reason,
    )
    _audit_issue(replacement, actor, action="certificate.reissued", reason=reason)
    return replacement


# -------------------------------------------------------------- verification


# What a verification page can say. The last four show no certificate data.
VALID, EXPIRED, REVOKED = offline.VALID, offline.EXPIRED, offline.REVOKED
COMPROMISED, OUTSIDE_WINDOW, FORGED = offline.COMPROMISED, offline.OUTSIDE_WINDOW, offline.FORGED
UNKNOWN = "unknown"  # no certificate carries this code
NO_MATCH = "no_match"  # no certificate has this serial and this family name


@dataclass(frozen=True)
class Verification:
    """What the public verification page may say: nothing beyond the name,
    course, dates, kind, issuers and serial (no email, rank or unit)."""

    state: str  # one of the states above
    serial: str | None = None
    holder_name: str | None = None
    course_title_en: str | None = None
    course_title_fr: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    kind: CertificateKind | None = None
    issuers: tuple[str, ...] = ()
    issued_on: date | None = None
    valid_until: date | None = None
    revoked_on: date | None = None
    signature_checked: bool = False  # a signed code's signature was verified
    kid: str | None = None  # the key that signed it

    @property
    def shows_certificate(self) -> bool:
        return self.state in (VALID, EXPIRED, REVOKED)


def _verdict(
    certificate: Certificate, today: date | None, signature_checked: bool = False
) -> Verification:
    today = today or datetime.now(UTC).date()
    key = certificate.signing_key
    if key is not None and key.is_compromised:
        return Verification(COMPROMISED, serial=certificate.serial, kid=key.kid)
    if certificate.status == CertificateStatus.REVOKED:
        state = REVOKED
    elif certificate.is_expired_on(today):
        state = EXPIRED
    else:
        state = VALID
    return Verification(
        state=state,
        serial=certificate.serial,
        holder_name=certificate.holder_name,
        course_title_en=certificate.course_title_en,
        course_title_fr=certificate.course_title_fr,
        start_date=certificate.start_date,
        end_date=certificate.end_date,
        kind=certificate.kind,
        issuers=tuple(part for part in certificate.issuers.split("; ") if part),
        issued_on=certificate.issued_at.date(),
        valid_until=certificate.valid_until,
        revoked_on=certificate.revoked_at.date() if certificate.revoked_at else None,
        signature_checked=signature_checked,
        kid=key.kid if key is not None else None,
    )


def verify(code: str, today: date | None = None) -> Verification:
    """Look a certificate up by its verification code, whatever the case,
    spaces or dashes typed."""
    normalised = normalise_code(code)
    if len(normalised) != CODE_LENGTH:
        return Verification(UNKNOWN)
    certificate = db.session.scalar(
        sa.select(Certificate).where(Certificate.verification_code == normalised)
    )
    if certificate is None:
        return Verification(UNKNOWN)
    return _verdict(certificate, today)


class _DatabaseKeys(Mapping[str, offline.TrustedKey]):
    """The signing keys of the database as a verifier's trusted keys, read
    one at a time by key id."""

    def __getitem__(self, kid: str) -> offline.TrustedKey:
        key = db.session.scalar(
            sa.select(SigningKey).where(
                SigningKey.kid == kid, SigningKey.purpose == KeyPurpose.CERTIFICATES
            )
        )
        if key is None:
            raise KeyError(kid)
        return offline.TrustedKey(
            kid=key.kid,
            public_key=signing.load_public_key(key.public_key),
            not_before=key.not_before,
            not_after=key.not_after,
            status=key.status.value,
        )

    def __iter__(self) -> Iterator[str]:
        return iter(db.session.scalars(sa.select(SigningKey.kid)).all())

    def __len__(self) -> int:
        return db.session.scalar(sa.select(sa.func.count(SigningKey.id))) or 0


def verify_signed(code: str, today: date | None = None) -> Verification:
    """A signed QR code (what follows /V/, any case): its signature checked
    with the key the database lists (an unknown key, or any change to the
    message, is FORGED), the key's window and status, then the certificate
    it names, which must hold this very message: then revoked, expired or
    valid as the register says."""
    checked = offline.check_code(code, _DatabaseKeys())
    if checked.state in (FORGED, OUTSIDE_WINDOW):
        return Verification(checked.state, kid=checked.kid)
    claims = checked.claims
    assert claims is not None
    if checked.state == COMPROMISED:
        return Verification(COMPROMISED, serial=claims.serial, kid=checked.kid)
    certificate = db.session.scalar(
        sa.select(Certificate)
        .where(Certificate.serial == claims.serial)
        .options(selectinload(Certificate.signing_key))
    )
    if certificate is None or certificate.signed_payload != signing.message_from_code(code):
        return Verification(UNKNOWN)
    return _verdict(certificate, today, signature_checked=True)


def _name_key(text: str) -> str:
    """A family name compared accent-, case-, space- and hyphen-blind:
    "N'Diaye-Maïga" and "ndiaye maiga" are one key."""
    return re.sub(r"[\W_]+", "", fold(text))


def verify_by_serial(serial: str, family_name: str, today: date | None = None) -> Verification:
    """A serial typed with the holder's family name. A wrong name and an
    unknown serial give the same answer, NO_MATCH, so the page never tells
    whether a serial exists."""
    normalised = normalise_serial(serial)
    typed = _name_key(family_name)
    if normalised is None or not typed:
        return Verification(NO_MATCH)
    certificate = db.session.scalar(
        sa.select(Certificate)
        .where(Certificate.serial == normalised)
        .options(selectinload(Certificate.signing_key))
    )
    if certificate is None:
        return Verification(NO_MATCH)
    frozen = certificate.holder_family_name or certificate.enrollment.participant.family_name
    if not secrets.compare_digest(_name_key(frozen), typed):
        return Verification(NO_MATCH)
    return _verdict(certificate, today)


# ------------------------------------------------------------------ documents


def get_certificate(serial: str) -> Certificate | None:
    if not SERIAL_PATTERN.match(serial):
        return None
    return db.session.scalar(
        sa.select(Certificate)
        .where(Certificate.serial == serial)
        .options(undefer(Certificate.pdf), selectinload(Certificate.enrollment))
    )


def session_certificates(
    training_session: TrainingSession, with_pdf: bool = False
) -> list[Certificate]:
    """The session's valid certificates, by holder's family name."""
    statement = (
        sa.select(Certificate)
        .join(Enrollment, Certificate.enrollment_id == Enrollment.id)
        .where(
            Enrollment.session_id == training_session.id,
            Certificate.status == CertificateStatus.VALID,
        )
        .options(
            selectinload(Certificate.enrollment).selectinload(Enrollment.participant),
            selectinload(Certificate.replaces),
        )
        .order_by(Certificate.serial)
    )
    if with_pdf:
        statement = statement.options(undefer(Certificate.pdf))
    certificates = list(db.session.scalars(statement))
    return sorted(
        certificates,
        key=lambda c: (c.enrollment.participant.family_name.casefold(), c.serial),
    )


def ascii_name(text: str) -> str:
    """A certificate file name part: ASCII capitals, digits and dashes
    ("Traoré" -> "TRAORE"; training.text.ascii_name does the folding)."""
    return _ascii_name(text, "CERTIFICATE", keep="").upper()


def download_name(certificate: Certificate) -> str:
    return f"{ascii_name(certificate.enrollment.participant.family_name)}-{certificate.serial}.pdf"


def session_zip(certificates: Sequence[Certificate]) -> bytes:
    """One stored (frozen) PDF per certificate, named FAMILY-serial.pdf."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            archive.writestr(download_name(certificate), certificate.pdf or b"")
    return buffer.getvalue()


def print_pdf(certificates: Sequence[Certificate], title: str = "") -> bytes:
    """Every certificate in one print-ready PDF, each page the page that
    was issued. A certificate whose render digest still matches what the
    renderer would draw today (its statement, the settings printed on it,
    the renderer itself) is drawn again, all of them in one document that
    shares the fonts and the artwork: hundreds a second, a few kilobytes a
    page. Any other (issued before the digest, or before a change of
    signatories, logos, address or renderer) is its stored page, copied
    unchanged; the order is kept."""
    settings = certificate_settings()
    runs: list[tuple[bool, list[Any]]] = []  # (drawn again, data or certificates)
    for certificate in certificates:
        data = certificate_data(certificate, settings)
        drawn = certificate.render_digest is not None and certificate.render_digest == (
            render_digest(data)
        )
        if not runs or runs[-1][0] != drawn:
            runs.append((drawn, []))
        runs[-1][1].append(data if drawn else certificate)
    if len(runs) == 1 and runs[0][0]:
        return render_certificates(runs[0][1], title)

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for drawn, items in runs:
        if drawn:
            writer.append(PdfReader(io.BytesIO(render_certificates(items, title))))
        else:
            for certificate in items:
                writer.append(PdfReader(io.BytesIO(certificate.pdf or b"")))
    if title:
        writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
