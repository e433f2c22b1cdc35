"""The programme's keys, kept as a PKI keeps them.

- One root key signs the trust list and the status list
  (training.certificates.trust); verifiers carry its public key.
- Signing keys sign certificates, one active at a time. Each has a window
  (not before, not after: dates, both included); a certificate verifies
  only if its issue date lies inside the window of the key that signed it.
  Rotating makes a new key active and retires the old one, whose window
  ends that day: what it signed keeps verifying. A compromised key makes
  everything it signed show as such.

The public part, the window and the status of every key live in the
database, which every application server shares. The private part never
does: it is read from the environment (`ATELIER_KEY_<KID>`, the PEM text)
or from `<kid>.pem` in ATELIER_KEY_DIR, a file readable by its owner only
(training.private_files), and checked against the public key the database
holds before it signs anything.

Rules enforced here, for the CLI (`flask keys ...`), the demo and the
services that sign:
- keys are created once (`create_keys`); afterwards only rotated;
- a signing key signs only inside its window and while active;
- a compromised key stays compromised; the root cannot be marked
  compromised here (a new root means a new trust anchor for every verifier,
  docs/verification.md).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from flask_babel import gettext as _

from training.audit.services import record_event
from training.certificates import signing
from training.certificates.models import KeyPurpose, KeyStatus, SigningKey
from training.domain import DomainError
from training.extensions import db
from training.private_files import private_file, private_folder

ROOT_DAYS = 3650
SIGNING_DAYS = 730
ENVIRONMENT_PREFIX = "ATELIER_KEY_"

# Private keys read once per process, by key id: a key's private part never
# changes, and reading PEM on every signature would cost more than signing.
_private_keys: dict[str, ec.EllipticCurvePrivateKey] = {}
_temporary_folder: list[Path] = []


class SigningKeyError(DomainError):
    """A key rule is broken, or a key is missing."""


@dataclass(frozen=True)
class Signer:
    """A key that may sign now: its row and its private key."""

    key: SigningKey
    private_key: ec.EllipticCurvePrivateKey

    @property
    def kid(self) -> bytes:
        return bytes.fromhex(self.key.kid)


# ------------------------------------------------------------ private parts


def key_folder() -> Path:
    """ATELIER_KEY_DIR; under test without one, a temporary folder of this
    process, removed when it ends."""
    configured = current_app.config.get("ATELIER_KEY_DIR")
    if configured:
        return Path(configured)
    if not current_app.testing:
        raise SigningKeyError(_("ATELIER_KEY_DIR is not set: the signing keys have nowhere to go."))
    if not _temporary_folder:
        folder = Path(tempfile.mkdtemp(prefix="atelier-test-keys-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _temporary_folder.append(folder)
    return _temporary_folder[0]


def environment_name(kid: str) -> str:
    return f"{ENVIRONMENT_PREFIX}{kid.upper()}"


def private_key_path(kid: str) -> Path:
    return key_folder() / f"{kid}.pem"


def _write_private_key(kid: str, private_key: ec.EllipticCurvePrivateKey) -> Path:
    """The PEM file, created 0600 in a 0700 folder before a byte is written."""
    private_folder(key_folder())
    path = private_file(private_key_path(kid))
    path.write_bytes(signing.private_key_pem(private_key))
    return path


def private_key_location(kid: str) -> str | None:
    """Where the private part of `kid` is found: "environment", "file" or None."""
    if os.environ.get(environment_name(kid)):
        return "environment"
    if private_key_path(kid).is_file():
        return "file"
    return None


def private_key(key: SigningKey) -> ec.EllipticCurvePrivateKey:
    """The private part of `key`, from the environment or its file, checked
    against the public key in the database; SigningKeyError when it is missing or
    is another key's."""
    cached = _private_keys.get(key.kid)
    if cached is not None:
        return cached
    text = os.environ.get(environment_name(key.kid))
    try:
        # In one line of the environment, the PEM's line breaks may be "\\n".
        pem = text.replace("\\n", "\n").encode() if text else private_key_path(key.kid).read_bytes()
        loaded = signing.load_private_key(pem)
    except (OSError, ValueError):
        raise SigningKeyError(
            _(
                "The private part of key %(kid)s is missing: put it in %(file)s (readable by "
                "its owner only) or in the environment variable %(variable)s.",
                kid=key.kid,
                file=private_key_path(key.kid),
                variable=environment_name(key.kid),
            )
        ) from None
    if signing.public_key_bytes(loaded.public_key()) != key.public_key:
        raise SigningKeyError(
            _("The private key found for %(kid)s belongs to another key.", kid=key.kid)
        )
    _private_keys[key.kid] = loaded
    return loaded


# -------------------------------------------------------------- lifecycle


def _today() -> date:
    return datetime.now(UTC).date()


def _new_key(purpose: KeyPurpose, today: date, days: int) -> SigningKey:
    if days < 1:
        raise SigningKeyError(_("A key must be valid for at least one day."))
    secret = signing.new_private_key()
    public = secret.public_key()
    kid = signing.key_id(public).hex()
    _write_private_key(kid, secret)
    _private_keys[kid] = secret
    key = SigningKey(
        kid=kid,
        purpose=purpose,
        public_key=signing.public_key_bytes(public),
        not_before=today,
        not_after=today + timedelta(days=days - 1),
        status=KeyStatus.ACTIVE,
    )
    db.session.add(key)
    db.session.flush()
    record_event(
        "key.created",
        entity=key,
        after={
            "kid": kid,
            "purpose": purpose,
            "not_before": key.not_before,
            "not_after": key.not_after,
        },
    )
    return key


def all_keys() -> list[SigningKey]:
    """Every key, the root first, then the signing keys newest first."""
    return list(
        db.session.scalars(
            sa.select(SigningKey).order_by(
                (SigningKey.purpose == KeyPurpose.ROOT).desc(), SigningKey.id.desc()
            )
        )
    )


def root_key() -> SigningKey | None:
    return db.session.scalar(
        sa.select(SigningKey)
        .where(SigningKey.purpose == KeyPurpose.ROOT, SigningKey.status == KeyStatus.ACTIVE)
        .order_by(SigningKey.id.desc())
        .limit(1)
    )


def _active_signing_key() -> SigningKey | None:
    return db.session.scalar(
        sa.select(SigningKey)
        .where(
            SigningKey.purpose == KeyPurpose.CERTIFICATES,
            SigningKey.status == KeyStatus.ACTIVE,
        )
        .order_by(SigningKey.id.desc())
        .limit(1)
    )


def create_keys(
    today: date | None = None, signing_days: int = SIGNING_DAYS, root_days: int = ROOT_DAYS
) -> tuple[SigningKey, SigningKey]:
    """The root key and the first signing key. Refused once a root exists:
    from then on keys are rotated."""
    today = today or _today()
    if root_key() is not None:
        raise SigningKeyError(_("The keys already exist: rotate the signing key instead."))
    if root_days < signing_days:
        raise SigningKeyError(_("The root key must be valid at least as long as the signing key."))
    root = _new_key(KeyPurpose.ROOT, today, root_days)
    return root, _new_key(KeyPurpose.CERTIFICATES, today, signing_days)


def ensure_keys(today: date | None = None) -> bool:
    """Create the root and a signing key when there is no root (the demo,
    the tests); True when it did."""
    if root_key() is not None:
        return False
    create_keys(today)
    return True


def rotate_signing_key(
    today: date | None = None, days: int = SIGNING_DAYS
) -> tuple[SigningKey, SigningKey | None]:
    """A new active signing key from today; the one it replaces is retired
    and its window ends today, so what it signed keeps verifying. Returns
    (the new key, the retired one or None)."""
    today = today or _today()
    if root_key() is None:
        raise SigningKeyError(_("There is no root key yet: create the keys first."))
    old = _active_signing_key()
    if old is not None:
        old.status = KeyStatus.RETIRED
        old.status_changed_at = datetime.now(UTC)
        old.status_reason = "rotated"
        if old.not_after > today:
            old.not_after = max(today, old.not_before)
        record_event(
            "key.retired",
            entity=old,
            before={"status": KeyStatus.ACTIVE},
            after={"status": KeyStatus.RETIRED, "not_after": old.not_after},
        )
    new = _new_key(KeyPurpose.CERTIFICATES, today, days)
    return new, old


def mark_compromised(kid: str, reason: str | None = None) -> SigningKey:
    """Mark a signing key compromised: every certificate it signed shows as
    such, and it signs no more. The root is refused (see the module)."""
    key = db.session.scalar(sa.select(SigningKey).where(SigningKey.kid == kid.strip().lower()))
    if key is None:
        raise SigningKeyError(_("No key has the id %(kid)s.", kid=kid))
    if key.purpose == KeyPurpose.ROOT:
        raise SigningKeyError(
            _(
                "The root key cannot be marked compromised: create a new root and give "
                "verifiers its public key (docs/verification.md)."
            )
        )
    if key.is_compromised:
        raise SigningKeyError(_("Key %(kid)s is already marked compromised.", kid=key.kid))
    before = key.status
    key.status = KeyStatus.COMPROMISED
    key.status_changed_at = datetime.now(UTC)
    key.status_reason = (reason or "").strip() or None
    record_event(
        "key.compromised",
        entity=key,
        before={"status": before},
        after={"status": KeyStatus.COMPROMISED},
        reason=key.status_reason,
    )
    return key


# ----------------------------------------------------------------- signing


def _keys_on_demand() -> bool:
    return bool(current_app.config.get("ATELIER_KEYS_ON_DEMAND"))


def certificate_signer(today: date | None = None) -> Signer:
    """The key that signs certificates issued today: active, its window
    covering today, its private part at hand. Without one, SigningKeyError
    saying what to run (or, where ATELIER_KEYS_ON_DEMAND is on, under test,
    the keys are made first)."""
    today = today or _today()
    key = _active_signing_key()
    if key is None and _keys_on_demand() and ensure_keys(today):
        key = _active_signing_key()
    if key is None:
        raise SigningKeyError(
            _(
                "No key can sign certificates: an administrator runs `flask keys create` "
                "(or `flask keys rotate` after a key was retired or compromised)."
            )
        )
    if not key.covers(today):
        raise SigningKeyError(
            _(
                "The signing key %(kid)s is valid from %(start)s to %(end)s, not today: an "
                "administrator runs `flask keys rotate`.",
                kid=key.kid,
                start=key.not_before.isoformat(),
                end=key.not_after.isoformat(),
            )
        )
    return Signer(key, private_key(key))


def root_signer() -> Signer:
    """The root key with its private part; SigningKeyError without one
    (never made on demand: the documents it signs are read with GET)."""
    key = root_key()
    if key is None:
        raise SigningKeyError(_("There is no root key: an administrator runs `flask keys create`."))
    return Signer(key, private_key(key))
