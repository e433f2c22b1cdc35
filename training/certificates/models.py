from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from training.extensions import Model
from training.orm import LabelledEnum, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from training.auth.models import User
    from training.enrollment.models import Enrollment


class CertificateKind(LabelledEnum):
    COMPLETION = "completion", _l("Certificate of completion")
    PARTICIPATION = "participation", _l("Certificate of participation")
    TRAINER = "trainer", _l("Trainer certificate")


class CertificateStatus(LabelledEnum):
    VALID = "valid", _l("Valid"), "success"
    REVOKED = "revoked", _l("Revoked"), "danger"


class KeyPurpose(LabelledEnum):
    # The root signs the trust list and the status list; verifiers carry
    # its public key. Signing keys sign certificates.
    ROOT = "root", _l("Root")
    CERTIFICATES = "certificates", _l("Certificates")


class KeyStatus(LabelledEnum):
    # Active: signs. Retired: signs no more, what it signed in its window
    # still verifies. Compromised: nothing it signed is trusted.
    ACTIVE = "active", _l("Active"), "success"
    RETIRED = "retired", _l("Retired"), "secondary"
    COMPROMISED = "compromised", _l("Compromised"), "danger"


class SigningKey(Model):
    """A key of the programme's small PKI: its public part, its window and
    its status, shared by every application server through the database.
    The private part never enters the database (training.certificates.keys:
    a file readable by its owner only, or the environment)."""

    __table_args__ = (
        sa.UniqueConstraint("kid"),
        sa.CheckConstraint("not_before <= not_after", name="window_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(sa.String(16))  # hex of the COSE key id (8 bytes)
    purpose: Mapped[KeyPurpose] = mapped_column(str_enum(KeyPurpose, 20))
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary)  # SubjectPublicKeyInfo, DER
    not_before: Mapped[date]
    not_after: Mapped[date]
    status: Mapped[KeyStatus] = mapped_column(str_enum(KeyStatus, 20), default=KeyStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status_changed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    status_reason: Mapped[Optional[str]] = mapped_column(sa.Text)

    def covers(self, day: date) -> bool:
        """`day` lies inside the key's window (both ends included)."""
        return self.not_before <= day <= self.not_after

    @property
    def is_compromised(self) -> bool:
        return self.status == KeyStatus.COMPROMISED


class SignedDocument(Model):
    """A signed public document (the trust list, the status list) as last
    made, shared through the database: every application server serves the
    same bytes, hence the same ETag, whichever of them signed it
    (training.certificates.trust)."""

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    # SHA-256 of what the document states (keys, revocations, issuer).
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime())
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)


def group_code(code: str) -> str:
    """A verification code as printed for reading: groups of four."""
    return "-".join(code[index : index + 4] for index in range(0, len(code), 4))


class Certificate(Model):
    """An issued certificate. What it states is frozen at issue, and so are
    the bytes of its PDF: later edits never change an issued certificate."""

    __table_args__ = (
        sa.UniqueConstraint("serial"),
        sa.UniqueConstraint("verification_code"),
        # One current certificate per enrollment: `current_enrollment_id`
        # holds the enrollment while the certificate is valid and is cleared
        # on revocation, so a correction can be issued beside the old one.
        sa.UniqueConstraint("current_enrollment_id"),
        sa.CheckConstraint(
            "(status = 'revoked') = (revoked_at IS NOT NULL)", name="revoked_has_date"
        ),
        # The status list: its fingerprint (how many revoked, the latest) and
        # the revoked serials, read from this index alone.
        sa.Index("ix_certificate_revoked_at_serial", "revoked_at", "serial"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrollment.id"), index=True)
    current_enrollment_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("enrollment.id"))
    kind: Mapped[CertificateKind] = mapped_column(str_enum(CertificateKind, 20))
    serial: Mapped[str] = mapped_column(sa.String(20))  # ATL-YYYY-NNNNNN
    verification_code: Mapped[str] = mapped_column(sa.String(40))  # normalised, no dashes
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id"))
    valid_until: Mapped[Optional[date]]
    status: Mapped[CertificateStatus] = mapped_column(
        str_enum(CertificateStatus, 10), default=CertificateStatus.VALID
    )
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    revocation_reason: Mapped[Optional[str]] = mapped_column(sa.Text)
    # Written when a coordinator issued despite a failed rule.
    override_reason: Mapped[Optional[str]] = mapped_column(sa.Text)
    replaces_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("certificate.id"))

    # The frozen statement.
    holder_name: Mapped[str] = mapped_column(sa.String(210))
    # The holder's name in Arabic script, printed beside the Latin one (none
    # on certificates issued before Arabic names, nor for holders without).
    holder_name_ar: Mapped[Optional[str]] = mapped_column(sa.String(200))
    # What typed verification compares with (serial and family name); filled
    # from the participant for certificates issued before it was frozen.
    holder_family_name: Mapped[Optional[str]] = mapped_column(sa.String(100))
    holder_rank: Mapped[Optional[str]] = mapped_column(sa.String(100))
    holder_organisation: Mapped[Optional[str]] = mapped_column(sa.String(200))
    course_title_en: Mapped[str] = mapped_column(sa.String(250))
    course_title_fr: Mapped[str] = mapped_column(sa.String(250))
    course_title_ar: Mapped[Optional[str]] = mapped_column(sa.String(250))
    session_code: Mapped[str] = mapped_column(sa.String(40))
    start_date: Mapped[date]
    end_date: Mapped[date]
    city: Mapped[str] = mapped_column(sa.String(100))
    country: Mapped[str] = mapped_column(sa.String(2))
    language: Mapped[str] = mapped_column(sa.String(5))
    total_hours: Mapped[Decimal] = mapped_column(sa.Numeric(6, 1))
    issuers: Mapped[str] = mapped_column(sa.String(500))  # "UNODC; DPO; ..."

    pdf: Mapped[Optional[bytes]] = deferred(mapped_column(sa.LargeBinary))
    pdf_sha256: Mapped[Optional[str]] = mapped_column(sa.String(64))
    # What the stored PDF was drawn from: a digest of the renderer's inputs
    # and of the renderer itself (training.pdf.certificate_digest.render_digest).
    # A session's print PDF draws again every certificate whose digest still
    # matches and copies the stored page of any other (none: issued before).
    render_digest: Mapped[Optional[str]] = mapped_column(sa.String(64))
    # What the QR code carries: the COSE_Sign1 message as signed, and the key
    # that signed it (none on certificates issued before signing began).
    signed_payload: Mapped[Optional[bytes]] = mapped_column(sa.LargeBinary)
    signing_key_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("signing_key.id"), index=True
    )

    enrollment: Mapped[Enrollment] = relationship(
        back_populates="certificates", foreign_keys=[enrollment_id]
    )
    issued_by: Mapped[Optional[User]] = relationship()
    replaces: Mapped[Optional[Certificate]] = relationship(remote_side=[id])
    signing_key: Mapped[Optional[SigningKey]] = relationship()

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.VALID

    @property
    def qualifies_a_trainer(self) -> bool:
        """A valid trainer certificate: its holder may be qualified as a trainer."""
        return self.is_valid and self.kind == CertificateKind.TRAINER

    @property
    def is_revoked(self) -> bool:
        return self.status == CertificateStatus.REVOKED

    def is_expired_on(self, day: date) -> bool:
        """Past its validity (a revoked certificate is revoked, not expired)."""
        return (
            self.status == CertificateStatus.VALID
            and self.valid_until is not None
            and self.valid_until < day
        )

    @property
    def is_expired(self) -> bool:
        return self.is_expired_on(utcnow().date())

    @property
    def grouped_code(self) -> str:
        return group_code(self.verification_code)


class CertificateSerialCounter(Model):
    """The last serial number used per year; incremented by a single UPDATE so
    concurrent issuers never draw the same number."""

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)
