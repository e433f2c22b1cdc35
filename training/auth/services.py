"""Users: creation, sign-in checks, password rules, deactivation, and the
signed-in sessions kept on the server."""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from flask_babel import gettext as _
from limits import parse as parse_rate
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from training.audit.services import record_event
from training.auth import throttle
from training.auth.models import Role, SessionEnd, User, UserSession
from training.domain import DomainError
from training.extensions import db

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256  # long passphrases are accepted whole, never cut

# This product's and the region's words, which the breach lists that zxcvbn
# ships do not hold (they are English), and a few French favourites.
LOCAL_COMMON_WORDS = frozenset(
    """
    password passw0rd motdepasse azerty azertyuiop qwerty qwertyuiop 12345 123456 1234567
    12345678 123456789 1234567890 0123456789 111111 000000 abc abcd abc123 abcd1234 iloveyou
    jetaime admin administrator administrateur welcome bienvenue letmein monkey dragon
    football baseball soleil sunshine princess trustno1 superman 1q2w3e4r 1q2w3e4r5t qazwsx
    zaq12wsx changeme secret atelier unodc training formation bamako niamey ouagadougou
    nouakchott ndjamena sahel g5sahel minusma
    """.split()
)
# zxcvbn's scale: 0 too guessable ... 4 very unguessable; 3 resists an
# offline attack on a slow hash, what OWASP and Dropbox recommend as a floor.
MIN_PASSWORD_SCORE = 3
# zxcvbn's cost grows with length and it refuses more than 72 characters: a
# longer passphrase is judged on its start (the whole is still hashed).
_SCORED_PREFIX = 72
# Leet substitutions, the ambiguous "1" tried as both "i" and "l".
_LEET = (
    str.maketrans("@4310$5!7+", "aaeiossitt"),
    str.maketrans("@4310$5!7+", "aaelossitt"),
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
    """Refuse short, common and context passwords (ASVS 6.2): common means in
    zxcvbn's breach lists or guessable by its estimate (score below 3), or one
    of our local words once case, accents, leet, repetitions and trailing
    digits, years and symbols are stripped; context means the user's name or
    email address, however written."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            _("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH), field="password"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(
            _("Use at most %(count)d characters.", count=MAX_PASSWORD_LENGTH), field="password"
        )
    forms = _normalised_forms(password)
    context = _context_words(email=email, name=name)
    if any(word in form for word in context for form in forms):
        raise WeakPassword(
            _("The password must not contain your name or email address."), field="password"
        )
    too_common = (
        len(set(password.lower())) < 4
        or any(form in LOCAL_COMMON_WORDS for form in forms)
        or zxcvbn(password[:_SCORED_PREFIX], user_inputs=[*context, *LOCAL_COMMON_WORDS])["score"]
        < MIN_PASSWORD_SCORE
    )
    if too_common:
        raise WeakPassword(
            _(
                "This password is too common or too easy to guess; choose another, "
                "for example four or five unrelated words."
            ),
            field="password",
        )


def _fold(text: str) -> str:
    """Lower case without accents: "Cissé" and "CISSE" are the same word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _normalised_forms(password: str) -> set[str]:
    """The ways a guesser reads a password: folded, de-leeted, without
    separators, without trailing digits and symbols, a repeated unit once."""
    folded = _fold(password)
    forms = {folded, *(folded.translate(table) for table in _LEET)}
    forms |= {"".join(ch for ch in form if ch.isalnum()) for form in forms}
    # "Welcome2024!", "password12": the word before the digits and symbols.
    forms |= {re.sub(r"[\W\d_]+$", "", form) for form in forms}
    forms |= {re.sub(r"^[\W\d_]+|[\W\d_]+$", "", form) for form in forms}
    # "1234512345", "abcabcabc": a unit repeated.
    for form in list(forms):
        repeated = re.fullmatch(r"(.+?)\1+", form)
        if repeated:
            forms.add(repeated.group(1))
    forms.discard("")
    return forms


def _context_words(*, email: str, name: str) -> list[str]:
    """The pieces of the user's name and email address long enough to be
    telling (4 characters), and the name and address local part written whole."""
    local_part = _fold(normalise_email(email).split("@")[0])
    name_words = re.findall(r"\w+", _fold(name))
    email_words = re.findall(r"[^\W_]+", local_part)
    words = {*name_words, *email_words, "".join(name_words), "".join(email_words)}
    return sorted(word for word in words if len(word) >= 4)


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
    if not user.has_password:  # invited, not yet taken up: the same time as a wrong password
        check_password_hash(_DUMMY_HASH, password)
        record_event("auth.sign_in_failed", entity=user, after={"reason": "no_password"})
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
    # A linked account keeps the role of its record (the database agrees).
    if (user.trainer_id is not None and role != Role.TRAINER) or (
        user.participant_id is not None and role != Role.PARTICIPANT
    ):
        raise DomainError(
            _("This account is linked to a record; unlink it before changing its role."),
            field="role",
        )
    before = {"name": user.name, "email": user.email, "role": user.role, "active": user.active}
    user.name, user.email, user.role, user.locale = name.strip(), email, role, locale or None
    if user.active and not active:
        end_sessions(user, SessionEnd.DEACTIVATED)
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
        end_sessions(user, SessionEnd.DEACTIVATED)
        record_event("user.deactivated", actor=actor, entity=user)
    return user


def change_password(
    user: User,
    *,
    current: str,
    new: str,
    policy: throttle.Policy,
    keep: UserSession | None = None,
) -> User:
    """Change a password after checking the current one; ends every other
    signed-in session of this user. Guesses at the current password are
    limited per account like sign-ins (TooManyAttempts)."""
    subject = str(user.id)
    throttle.reserve(policy, subject)
    if not check_password_hash(user.password_hash, current):
        raise DomainError(_("The current password is not correct."), field="current_password")
    throttle.refund(policy, subject)
    check_password_strength(new, email=user.email, name=user.name)
    user.password_hash = hash_password(new)
    end_sessions(user, SessionEnd.PASSWORD_CHANGED, keep=keep)
    record_event("user.password_changed", actor=user, entity=user)
    return user


def set_locale(user: User, locale: str) -> None:
    user.locale = locale


# --- attempt limits ----------------------------------------------------------------


def sign_in_policies(rate_limit: str, max_delay: timedelta) -> tuple[throttle.Policy, ...]:
    """Per address: `rate_limit` failed attempts per window ("10 per
    minute"). Per account: as many free failures, then a doubling delay up
    to `max_delay`, forgotten after a quiet quarter of an hour."""
    rate = parse_rate(rate_limit)
    window = timedelta(seconds=rate.get_expiry())
    return (
        throttle.Policy("sign-in:address", rate.amount, window),
        throttle.Policy(
            "sign-in:account",
            rate.amount,
            timedelta(minutes=15),
            backoff=True,
            max_delay=max_delay,
        ),
    )


def password_policy(max_delay: timedelta) -> throttle.Policy:
    """Guesses at a signed-in user's current password (password change, and
    the same for a future reset code): five free, then a back-off."""
    return throttle.Policy(
        "password:account", 5, timedelta(minutes=15), backoff=True, max_delay=max_delay
    )


def sign_in(
    email: str, password: str, *, address: str, policies: tuple[throttle.Policy, ...]
) -> User | None:
    """`authenticate` behind the limits: the attempt is counted per address
    and per account before the password is checked (TooManyAttempts when a
    limit is reached), and given back when the password was right."""
    by_address, by_account = policies
    account = normalise_email(email)
    throttle.reserve(by_address, address)
    try:
        throttle.reserve(by_account, account)
    except throttle.TooManyAttempts:
        throttle.refund(by_address, address)  # nothing was checked
        db.session.commit()
        raise
    user = authenticate(email, password)
    if user is not None:
        throttle.refund(by_address, address)
        throttle.clear(by_account, account)
    return user


# --- signed-in sessions --------------------------------------------------------------

LAST_SEEN_RESOLUTION = timedelta(minutes=1)  # at most one write a minute per session


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def address_prefix(address: str | None) -> str:
    """The network an address belongs to (/24, or /48 for IPv6): enough to
    recognise a place, not to identify a person."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def open_session(user: User, *, user_agent: str, address: str | None) -> tuple[UserSession, str]:
    """Record a new signed-in session; returns it with the token the cookie
    carries (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    record = UserSession(
        token_hash=_token_hash(token),
        user=user,
        user_agent=(user_agent or "")[:300],
        address_prefix=address_prefix(address),
    )
    db.session.add(record)
    db.session.flush()
    return record, token


def find_session(
    token: str, *, now: datetime, idle: timedelta, absolute: timedelta
) -> tuple[UserSession | None, SessionEnd | None]:
    """The open session this token names, or None. A session past its idle
    or absolute time-out is ended here; the reason is returned so the page
    can say the session expired. Its last-seen time is refreshed at most
    once a minute."""
    record = db.session.scalar(
        sa.select(UserSession)
        .options(joinedload(UserSession.user))
        .where(UserSession.token_hash == _token_hash(token))
    )
    if record is None or record.ended_at is not None:
        return None, None
    if now - record.created_at >= absolute:
        return None, _end(record, SessionEnd.EXPIRED, now)
    if now - record.last_seen_at >= idle:
        return None, _end(record, SessionEnd.IDLE, now)
    if not record.user.active:
        return None, _end(record, SessionEnd.DEACTIVATED, now)
    if now - record.last_seen_at >= LAST_SEEN_RESOLUTION:
        record.last_seen_at = now
    return record, None


def _end(record: UserSession, reason: SessionEnd, now: datetime | None = None) -> SessionEnd:
    record.ended_at = now or datetime.now(UTC)
    record.end_reason = reason
    return reason


def end_session(record: UserSession, reason: SessionEnd) -> None:
    """End one signed-in session; its cookie signs no one in any more."""
    if record.ended_at is None:
        _end(record, reason)


def end_sessions(user: User, reason: SessionEnd, *, keep: UserSession | None = None) -> int:
    """End every open session of `user` (but `keep`); returns how many."""
    statement = (
        sa.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=datetime.now(UTC), end_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    if keep is not None:
        statement = statement.where(UserSession.id != keep.id)
    # An UPDATE's result is a CursorResult, which counts the rows it changed.
    return cast("sa.CursorResult[Any]", db.session.execute(statement)).rowcount


def sign_out_everywhere(user: User, *, actor: User) -> int:
    """An administrator ends every session of an account (a lost phone, a
    shared computer); audited."""
    ended = end_sessions(user, SessionEnd.ENDED_BY_ADMIN)
    record_event("user.signed_out_everywhere", actor=actor, entity=user, after={"ended": ended})
    return ended


def open_sessions(
    user: User, *, now: datetime, idle: timedelta, absolute: timedelta
) -> list[UserSession]:
    """The user's sessions that still sign someone in, most recent first."""
    return list(
        db.session.scalars(
            sa.select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.ended_at.is_(None),
                UserSession.created_at > now - absolute,
                UserSession.last_seen_at > now - idle,
            )
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


_BROWSERS = (
    ("Edge", r"Edg(e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Samsung Internet", r"SamsungBrowser/"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/|Chromium/"),
    ("Safari", r"Safari/"),
)
_SYSTEMS = (
    ("Android", r"Android"),
    ("iPhone", r"iPhone"),
    ("iPad", r"iPad"),
    ("Windows", r"Windows"),
    ("ChromeOS", r"CrOS"),
    ("macOS", r"Macintosh|Mac OS X"),
    ("Linux", r"Linux|X11"),
)


def device_summary(user_agent: str) -> tuple[str | None, str | None]:
    """(browser, system) read from a User-Agent header, each None if unknown."""

    def first(patterns):
        return next((name for name, pattern in patterns if re.search(pattern, user_agent)), None)

    return first(_BROWSERS), first(_SYSTEMS)
