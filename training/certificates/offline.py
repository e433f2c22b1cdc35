"""How a verifier decides, with the trust list and the status list it
holds: the rules the offline scan page follows in the browser, written
once in Python. No Flask, no database.

`check_code` reads a QR code's message against the keys a verifier
trusts; the online pages call it with the key from the database,
`verify_offline` with the documents a verifier downloaded
(docs/verification.md, "How a verifier decides").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from training.certificates import signing
from training.certificates.signing import Claims, InvalidCode

TRUST_LIST_TYPE = "atelier-trust-list"
STATUS_TYPE = "atelier-status"
ROOT_KEY_TYPE = "atelier-root-key"
FORMAT_VERSION = 1

# What a verifier can say about a code, from best to worst.
VALID = "valid"
EXPIRED = "expired"
REVOKED = "revoked"
COMPROMISED = "compromised"  # signed by a key since reported compromised
OUTSIDE_WINDOW = "outside_window"  # signed by a key not valid on its issue date
FORGED = "forged"  # not signed by a key the verifier trusts, or altered since


@dataclass(frozen=True)
class TrustedKey:
    """A signing key as a trust list states it."""

    kid: str  # hex
    public_key: ec.EllipticCurvePublicKey
    not_before: date
    not_after: date
    status: str  # active, retired, compromised

    def covers(self, day: date) -> bool:
        return self.not_before <= day <= self.not_after


@dataclass(frozen=True)
class SignedCheck:
    """What the signature alone says: FORGED, OUTSIDE_WINDOW, COMPROMISED,
    or VALID (the claims are the issuer's); revocation and expiry are the
    caller's to add."""

    state: str
    claims: Claims | None = None
    kid: str | None = None


def check_code(code: str, trusted: Mapping[str, TrustedKey]) -> SignedCheck:
    """Read a code (the QR code's text, or what follows /V/) and check its
    signature against the `trusted` keys (by hex key id)."""
    try:
        message = signing.parse_sign1(signing.message_from_code(code))
    except InvalidCode:
        return SignedCheck(FORGED)
    kid = message.kid.hex() if message.kid is not None else None
    key = trusted.get(kid) if kid is not None else None
    if key is None or not signing.signature_matches(message, key.public_key):
        return SignedCheck(FORGED, kid=kid)
    try:
        claims = signing.decode_claims(message.payload)
    except InvalidCode:
        return SignedCheck(FORGED, kid=kid)
    if not key.covers(claims.issued_on):
        return SignedCheck(OUTSIDE_WINDOW, claims, kid)
    if key.status == "compromised":
        return SignedCheck(COMPROMISED, claims, kid)
    return SignedCheck(VALID, claims, kid)


# ---------------------------------------------------- the documents, read


class UntrustedDocument(ValueError):
    """A trust list or status list that the root key did not sign, or not
    of the kind expected."""


def _open(document: Mapping[str, Any], root: ec.EllipticCurvePublicKey, kind: str) -> dict:
    try:
        body = signing.open_document(document, root)
    except signing.InvalidDocument as error:
        raise UntrustedDocument(str(error)) from None
    # Both documents are signed by the root: a status list must never pass
    # for a trust list, nor the other way round.
    if body.get("type") != kind or body.get("version") != FORMAT_VERSION:
        raise UntrustedDocument(f"not a {kind} document of version {FORMAT_VERSION}")
    return body


def trusted_keys(
    trust_list: Mapping[str, Any], root: ec.EllipticCurvePublicKey
) -> dict[str, TrustedKey]:
    """The signing keys a trust list states, once its signature checks."""
    body = _open(trust_list, root, TRUST_LIST_TYPE)
    return {
        entry["kid"]: TrustedKey(
            kid=entry["kid"],
            public_key=signing.public_key_from_jwk(entry["jwk"]),
            not_before=date.fromisoformat(entry["not_before"]),
            not_after=date.fromisoformat(entry["not_after"]),
            status=entry["status"],
        )
        for entry in body["keys"]
    }


@dataclass(frozen=True)
class StatusList:
    issued_at: datetime
    next_update: datetime
    revoked: frozenset[str]

    def is_stale(self, now: datetime) -> bool:
        """Past its next update: the revocations may have changed since."""
        return now > self.next_update


def _timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def status_list(status: Mapping[str, Any], root: ec.EllipticCurvePublicKey) -> StatusList:
    body = _open(status, root, STATUS_TYPE)
    return StatusList(
        issued_at=_timestamp(body["issued_at"]),
        next_update=_timestamp(body["next_update"]),
        revoked=frozenset(body["revoked"]),
    )


@dataclass(frozen=True)
class OfflineResult:
    """What the offline verifier shows: the state, what the certificate
    states (when its signature checks), and how old the revocation data is."""

    state: str
    claims: Claims | None
    kid: str | None
    status_issued_at: datetime
    status_stale: bool


def verify_offline(
    code: str,
    trust_list: Mapping[str, Any],
    status: Mapping[str, Any],
    root_jwk: Mapping[str, Any],
    now: datetime,
) -> OfflineResult:
    """Decide on a scanned code with no network: the documents' signatures
    with the root key the verifier carries, then the code's signature with
    the trust list's key, its window and status, the revoked serials and
    the expiry; the status list is stale past its next update.
    UntrustedDocument when the documents themselves do not check."""
    root = signing.public_key_from_jwk(root_jwk)
    keys = trusted_keys(trust_list, root)
    revocations = status_list(status, root)
    checked = check_code(code, keys)
    state = checked.state
    claims = checked.claims
    if state == VALID and claims is not None:
        if claims.serial in revocations.revoked:
            state = REVOKED
        elif claims.valid_until is not None and claims.valid_until < now.date():
            state = EXPIRED
    return OfflineResult(
        state=state,
        claims=claims,
        kid=checked.kid,
        status_issued_at=revocations.issued_at,
        status_stale=revocations.is_stale(now),
    )
