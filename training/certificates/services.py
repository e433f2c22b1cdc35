"""Certificates: who qualifies, issuing, revoking, correcting. What a
certificate states is training.certificates.statements; verifying one,
training.certificates.verification; its files, training.certificates.documents.

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
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.expression import ColumnElement

from training.attendance.services import attendance_rate, attendance_rates
from training.audit.services import record_event
from training.certificates import keys, signing
from training.certificates.models import (
    Certificate,
    CertificateKind,
    CertificateSerialCounter,
    CertificateStatus,
)
from training.certificates.signals import certificate_issued
from training.certificates.statements import (
    certificate_claims,
    certificate_data,
    freeze_statement,
    issuing_settings,
)
from training.domain import DomainError
from training.enrollment.models import Enrollment
from training.extensions import db
from training.pdf.certificate import CertificateData, render_certificate
from training.pdf.certificate_digest import render_digest
from training.people.models import Participant
from training.sessions.models import SessionKind, SessionStatus, TrainingSession
from training.sessions.services import lock_session

if TYPE_CHECKING:
    from training.auth.models import User

SERIAL_PATTERN = re.compile(r"^ATL-(\d{4})-(\d{6})$")
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


# -------------------------------------------------------------------- issuing


def _sign(certificate: Certificate, signer: keys.Signer, course_code: str) -> None:
    issued_on = certificate.issued_at.astimezone(UTC).date()
    if not signer.key.covers(issued_on):  # midnight passed since the key was chosen
        raise CertificateError(_("The certificate could not be issued. Please try again."))
    certificate.signed_payload = signing.sign_claims(
        certificate_claims(certificate, course_code), signer.kid, signer.private_key
    )
    certificate.signing_key = signer.key


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
    freeze_statement(certificate, enrollment)
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
