"""Users: creation, sign-in checks, password rules, deactivation."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from training.audit.services import record_event
from training.auth.models import Role, User, new_session_nonce
from training.domain import DomainError
from training.extensions import db

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256  # long passphrases are accepted whole, never cut

# The most common passwords of public breach lists, and this product's words.
COMMON_PASSWORDS = frozenset(
    """
    password password1 password12 password123 password1234 passw0rd motdepasse motdepasse1
    azerty azerty123 azertyuiop qwerty qwerty123 qwertyuiop 123456 1234567 12345678
    123456789 1234567890 0123456789 111111 11111111 000000 00000000 abc123 abcd1234
    iloveyou admin admin123 administrator welcome welcome1 welcome123 bienvenue letmein
    monkey dragon football baseball sunshine princess trustno1 superman 1q2w3e4r 1q2w3e4r5t
    qazwsx zaq12wsx changeme changeme123 secret secret123 atelier atelier123 unodc unodc123
    training training123 formation formation123 bamako niamey ouagadougou nouakchott
    ndjamena sahel g5sahel minusma
    """.split()
)

# A dummy hash so that an unknown email costs the same time as a wrong
# password: the response never tells whether the account exists.
_DUMMY_HASH = generate_password_hash("not-a-real-password-only-for-timing")


class WeakPassword(DomainError):
    pass


class DuplicateEmail(DomainError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_strength(password: str, *, email: str = "", name: str = "") -> None:
    """Refuse short, common and context passwords (ASVS 6.2)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            _("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH), field="password"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(
            _("Use at most %(count)d characters.", count=MAX_PASSWORD_LENGTH), field="password"
        )
    lowered = password.lower()
    squeezed = "".join(ch for ch in lowered if ch.isalnum())
    if lowered in COMMON_PASSWORDS or squeezed in COMMON_PASSWORDS or len(set(lowered)) < 4:
        raise WeakPassword(_("This password is too common; choose another."), field="password")
    context = [normalise_email(email).split("@")[0], *name.lower().split()]
    if any(len(word) >= 4 and word in lowered for word in context):
        raise WeakPassword(
            _("The password must not contain your name or email address."), field="password"
        )


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. A failure is
    audited and takes the same time whether or not the account exists."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        record_event("auth.sign_in_failed", entity_type="user_account", after={"reason": "unknown"})
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        record_event(
            "auth.sign_in_failed",
            entity=user,
            after={"reason": "inactive" if user.active is False else "password"},
        )
        return None
    user.last_login_at = datetime.now(UTC)
    return user


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    role: Role,
    locale: str | None = None,
    actor: User | None = None,
    check_strength: bool = True,
) -> User:
    """Create a user; emails are unique whatever their case."""
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise DuplicateEmail(_("A user with this email address already exists."), field="email")
    if check_strength:
        check_password_strength(password, email=email, name=name)
    user = User(
        email=email,
        name=name.strip(),
        password_hash=hash_password(password),
        role=role,
        locale=locale or None,
        active=True,
    )
    db.session.add(user)
    db.session.flush()
    record_event("user.created", actor=actor, entity=user, after={"email": email, "role": role})
    return user


def update_user(
    user: User,
    *,
    name: str,
    email: str,
    role: Role,
    active: bool,
    locale: str | None,
    actor: User,
) -> User:
    """Change a user's details; an admin cannot demote or deactivate
    themselves (the system would be left without its administrator)."""
    email = normalise_email(email)
    other = find_user_by_email(email)
    if other is not None and other.id != user.id:
        raise DuplicateEmail(_("A user with this email address already exists."), field="email")
    if user.id == actor.id and (role != Role.ADMIN or not active):
        raise DomainError(_("You cannot remove your own administrator access."), field="role")
    before = {"name": user.name, "email": user.email, "role": user.role, "active": user.active}
    user.name, user.email, user.role, user.locale = name.strip(), email, role, locale or None
    if user.active and not active:
        user.session_nonce = new_session_nonce()
    user.active = active
    after = {"name": user.name, "email": user.email, "role": user.role, "active": user.active}
    if before != after:
        record_event("user.updated", actor=actor, entity=user, before=before, after=after)
    return user


def deactivate_user(user: User, *, actor: User) -> User:
    """Deactivate an account and end its sessions; history stays intact."""
    if user.id == actor.id:
        raise DomainError(_("You cannot deactivate your own account."))
    if user.active:
        user.active = False
        user.session_nonce = new_session_nonce()
        record_event("user.deactivated", actor=actor, entity=user)
    return user


def change_password(user: User, *, current: str, new: str) -> User:
    """Change a password after checking the current one; ends every other
    signed-in session of this user."""
    if not check_password_hash(user.password_hash, current):
        raise DomainError(_("The current password is not correct."), field="current_password")
    check_password_strength(new, email=user.email, name=user.name)
    user.password_hash = hash_password(new)
    user.session_nonce = new_session_nonce()
    record_event("user.password_changed", actor=user, entity=user)
    return user


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
