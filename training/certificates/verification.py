"""Verification of a certificate: by its code (the QR code's address or
typed), by its signed QR code (checked with the database's keys), or by its
serial with the holder's family name. What a verification page may say,
and nothing beyond it.

The rules (DESIGN.md, issues 5 and 15): verification says valid, expired or
revoked, and also when the key that signed a certificate has been reported
compromised, when a signed code does not check (forged) and when it was
signed outside its key's window. A serial with the holder's family name
(accents and case aside) verifies too; a wrong name says only that nothing
matches."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from training.certificates import offline, signing
from training.certificates.models import (
    Certificate,
    CertificateKind,
    CertificateStatus,
    KeyPurpose,
    SigningKey,
)
from training.extensions import db
from training.text import fold

# A serial as typed or read over a telephone: "atl 2026 123", "ATL2026000123".
_TYPED_SERIAL = re.compile(r"^(?:ATL)?[\s\-_./]*(\d{4})[\s\-_./]*(\d{1,6})$")
CODE_LENGTH = 32  # base32 of 20 random bytes: 160 bits
# Digits 0, 1 and 8 never occur in a base32 code (its alphabet is A-Z, 2-7):
# a reader who types them meant the letters they resemble.
_CONFUSABLES = str.maketrans({"0": "O", "1": "I", "8": "B"})


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
