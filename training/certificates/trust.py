"""The documents a verifier keeps to check certificates with no network,
all public (docs/verification.md gives their format):

- the root key (`root_key_document`), unsigned: the trust anchor, which the
  scan page carries;
- the trust list (`trust_list_document`): every signing key with its
  public key, window and status, signed by the root;
- the status list (`status_document`): the revoked serials, when it was
  made and when the next one is due (a day later), signed by the root.

The signed bytes are kept per process and made again only when what they
state changes (a key's status or window; a revocation: counted from an
index, not by reading the serials) or after an hour, so that a fresh
download always has most of a day before its next update.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from training.certificates import keys, signing
from training.certificates.models import Certificate, KeyPurpose, SigningKey
from training.certificates.offline import (
    FORMAT_VERSION,
    ROOT_KEY_TYPE,
    STATUS_TYPE,
    TRUST_LIST_TYPE,
)
from training.extensions import db

STATUS_VALIDITY = timedelta(days=1)
REFRESH_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class _Made:
    fingerprint: tuple[Any, ...]
    made_at: datetime
    content: bytes


_made: dict[str, _Made] = {}
_lock = threading.Lock()


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _issuer() -> str:
    return (current_app.config.get("ATELIER_PUBLIC_URL") or "").rstrip("/")


def _cached(
    name: str,
    fingerprint: tuple[Any, ...],
    now: datetime,
    make: Callable[[datetime], dict[str, Any]],
) -> bytes:
    """The document's signed bytes as last made, unless what it states
    changed (its fingerprint) or it is over an hour old."""
    made = _made.get(name)
    if made is not None and made.fingerprint == fingerprint and now - made.made_at < REFRESH_AFTER:
        return made.content
    with _lock:
        root = keys.root_signer()
        content = signing.json_bytes(signing.sign_document(make(now), root.kid, root.private_key))
        _made[name] = _Made(fingerprint, now, content)
    return content


def forget_documents() -> None:
    """Drop the documents made so far (tests that travel in time)."""
    _made.clear()


# ------------------------------------------------------------ the root key


def root_key_document() -> bytes:
    root = keys.root_signer().key
    return signing.json_bytes(
        {
            "type": ROOT_KEY_TYPE,
            "version": FORMAT_VERSION,
            "issuer": _issuer(),
            "alg": "ES256",
            "kid": root.kid,
            "jwk": signing.jwk(signing.load_public_key(root.public_key)),
            "not_before": root.not_before.isoformat(),
            "not_after": root.not_after.isoformat(),
        }
    )


# ----------------------------------------------------------- the trust list


def _signing_keys() -> list[SigningKey]:
    return list(
        db.session.scalars(
            sa.select(SigningKey)
            .where(SigningKey.purpose == KeyPurpose.CERTIFICATES)
            .order_by(SigningKey.id)
        )
    )


def trust_list_document(now: datetime | None = None) -> bytes:
    """Every key that ever signed certificates: retired ones so that what
    they signed keeps verifying, compromised ones so that it shows as such."""
    now = now or datetime.now(UTC)
    listed = _signing_keys()
    root = keys.root_key()
    fingerprint = (
        root.kid if root else None,
        tuple((key.kid, key.status.value, key.not_before, key.not_after) for key in listed),
    )

    def make(moment: datetime) -> dict[str, Any]:
        return {
            "type": TRUST_LIST_TYPE,
            "version": FORMAT_VERSION,
            "issuer": _issuer(),
            "issued_at": _timestamp(moment),
            "keys": [
                {
                    "kid": key.kid,
                    "alg": "ES256",
                    "jwk": signing.jwk(signing.load_public_key(key.public_key)),
                    "not_before": key.not_before.isoformat(),
                    "not_after": key.not_after.isoformat(),
                    "status": key.status.value,
                }
                for key in listed
            ],
        }

    return _cached("trust-list", fingerprint, now, make)


# ----------------------------------------------------------- the status list


def _revocations_fingerprint() -> tuple[Any, ...]:
    """How many certificates are revoked and the latest revocation: both
    read from the revoked_at index. A revocation is never undone, so any
    new one changes the pair."""
    count, latest = db.session.execute(
        sa.select(sa.func.count(Certificate.revoked_at), sa.func.max(Certificate.revoked_at)).where(
            Certificate.revoked_at.is_not(None)
        )
    ).one()
    return count, latest


def status_document(now: datetime | None = None) -> bytes:
    """The revoked serials, signed, with the moment it was made and the
    next update (a day later)."""
    now = now or datetime.now(UTC)

    def make(moment: datetime) -> dict[str, Any]:
        # Revoked is revoked_at set (a check constraint): read from its index,
        # not from a scan of every certificate.
        revoked = sorted(
            db.session.scalars(
                sa.select(Certificate.serial).where(Certificate.revoked_at.is_not(None))
            )
        )
        return {
            "type": STATUS_TYPE,
            "version": FORMAT_VERSION,
            "issuer": _issuer(),
            "issued_at": _timestamp(moment),
            "next_update": _timestamp(moment + STATUS_VALIDITY),
            "revoked": list(revoked),
        }

    root = keys.root_key()
    fingerprint = (root.kid if root else None, *_revocations_fingerprint())
    return _cached("status", fingerprint, now, make)
