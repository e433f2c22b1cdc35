"""The documents a verifier keeps to check certificates with no network,
all public (docs/verification.md gives their format):

- the root key (`root_key_document`), unsigned: the trust anchor, which the
  scan page carries;
- the trust list (`trust_list_document`): every signing key with its
  public key, window and status, signed by the root;
- the status list (`status_document`): the revoked serials, when it was
  made and when the next one is due (a day later), signed by the root.

The signed bytes are kept in the database (`SignedDocument`), so that every
application server serves the same document with the same ETag, and made
again only when what they state changes (a key's status or window; a
revocation: counted from an index, not by reading the serials) or after an
hour, so that a fresh download always has most of a day before its next
update. A change made through one server is seen by the others at their
next request: each compares the stored fingerprint with the database's
current state.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.dialects import postgresql, sqlite

from training.certificates import keys, signing
from training.certificates.models import Certificate, KeyPurpose, SignedDocument, SigningKey
from training.certificates.offline import (
    FORMAT_VERSION,
    ROOT_KEY_TYPE,
    STATUS_TYPE,
    TRUST_LIST_TYPE,
)
from training.extensions import db
from training.transactions import writing

STATUS_VALIDITY = timedelta(days=1)
REFRESH_AFTER = timedelta(hours=1)


_lock = threading.Lock()


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _issuer() -> str:
    return (current_app.config.get("ATELIER_PUBLIC_URL") or "").rstrip("/")


def _digest(fingerprint: tuple[Any, ...]) -> str:
    return hashlib.sha256(repr((_issuer(), fingerprint)).encode()).hexdigest()


def _stored(name: str) -> SignedDocument | None:
    return db.session.execute(
        sa.select(SignedDocument)
        .where(SignedDocument.name == name)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _store(name: str, digest: str, made_at: datetime, content: bytes) -> None:
    """Keep the document unless another server stored a newer one meanwhile:
    the newest wins, and everyone serves it."""
    values = {"name": name, "fingerprint": digest, "made_at": made_at, "content": content}
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(SignedDocument).values(**values)
    statement = insert.on_conflict_do_update(
        index_elements=[SignedDocument.name],
        set_={key: insert.excluded[key] for key in ("fingerprint", "made_at", "content")},
        where=sa.or_(
            SignedDocument.fingerprint != insert.excluded.fingerprint,
            SignedDocument.made_at < insert.excluded.made_at,
        ),
    )
    db.session.execute(statement)


def _cached(
    name: str,
    fingerprint: tuple[Any, ...],
    now: datetime,
    make: Callable[[datetime], dict[str, Any]],
) -> bytes:
    """The document's signed bytes as last made by any server, unless what
    it states changed (its fingerprint) or it is over an hour old."""
    digest = _digest(fingerprint)
    stored = _stored(name)
    if stored is not None and stored.fingerprint == digest and now - stored.made_at < REFRESH_AFTER:
        return stored.content
    with _lock:
        root = keys.root_signer()
        content = signing.json_bytes(signing.sign_document(make(now), root.kid, root.private_key))
    # A short transaction of its own (the caller's, a GET, only read): on
    # SQLite it begins with the write lock instead of upgrading a read.
    db.session.commit()
    with writing():
        try:
            _store(name, digest, now, content)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    stored = _stored(name)
    if stored is not None and stored.fingerprint == digest:
        return stored.content  # this server's, or a newer one of another
    return content


def forget_documents() -> None:
    """Drop the documents made so far (tests that travel in time)."""
    if has_app_context():
        db.session.execute(sa.delete(SignedDocument))


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
