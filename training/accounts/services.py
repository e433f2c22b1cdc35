"""Accounts for the people Atelier holds: giving a trainer or a participant
access, linking and unlinking records, invitations and password resets.

A link that lets its holder choose a password is a random 256-bit token, sent
once (by mail, or printed on a letter) and kept only as its SHA-256. It works
once, until it expires, and a newer link of the same purpose ends the older
ones. Asking for a reset answers the same whether or not the address has an
account, and is limited per address and per account; a reset ends every
signed-in session of the account.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from limits import parse as parse_rate

from training.accounts.models import AccountToken, TokenPurpose
from training.audit.services import record_event
from training.auth import services as auth
from training.auth import throttle
from training.auth.models import UNUSABLE_PASSWORD_PREFIX, Role, SessionEnd, User
from training.domain import DomainError
from training.extensions import db
from training.mail.compose import compose_mail, public_url, recipient_locale
from training.mail.services import MAIL_LOCALES
from training.people.models import Participant, Trainer
from training.text import fold

Person = Trainer | Participant


class AccessRefused(DomainError):
    pass


@dataclass(frozen=True)
class Access:
    """What `give_access` did: the account, whether it is new, and whether
    an invitation went out by mail."""

    user: User
    created: bool
    mailed: bool


@dataclass(frozen=True)
class IssuedLink:
    """A link made for its holder: the full address (shown or printed once,
    never stored) and the token row that records it."""

    token: AccountToken
    url: str


# --- the person behind an account --------------------------------------------------


def role_for(person: Person) -> Role:
    return Role.TRAINER if isinstance(person, Trainer) else Role.PARTICIPANT


def person_name(person: Person) -> str:
    return person.name if isinstance(person, Trainer) else person.full_name


def linked_person(user: User) -> Person | None:
    return user.trainer or user.participant


def person_locale(person: Person | None) -> str | None:
    """The language a trainer works in first, when Atelier speaks it."""
    if isinstance(person, Trainer):
        return next((code for code in person.language_codes if code in MAIL_LOCALES), None)
    return None


def _check_link(user: User, person: Person) -> None:
    """Refuse a link the role does not allow, or a record that already has
    another account."""
    if user.role != role_for(person):
        raise AccessRefused(
            _(
                "The account %(email)s is a %(role)s account; it can only be linked to a "
                "record of its own kind.",
                email=user.email,
                role=user.role.label.lower(),
            )
        )
    if person.user is not None and person.user.id != user.id:
        raise AccessRefused(
            _(
                "%(name)s is already linked to the account %(email)s.",
                name=person_name(person),
                email=person.user.email,
            )
        )
    if linked_person(user) not in (None, person):
        raise AccessRefused(
            _(
                "The account %(email)s is already linked to %(name)s; unlink it first.",
                email=user.email,
                name=person_name(linked_person(user)),  # type: ignore[arg-type]
            )
        )


def _attach(user: User, person: Person) -> None:
    if isinstance(person, Trainer):
        user.trainer = person
    else:
        user.participant = person


def link_record(user: User, person: Person, *, actor: User) -> None:
    """Link `user` to a trainer or participant record (audited)."""
    _check_link(user, person)
    if linked_person(user) is person:
        return
    _attach(user, person)
    db.session.flush()
    record_event(
        "user.linked",
        actor=actor,
        entity=user,
        participant_id=person.id if isinstance(person, Participant) else None,
        after={"record": _describe(person)},
    )


def unlink_record(user: User, *, actor: User) -> None:
    """Remove the account's link; the record and the account both stay."""
    person = linked_person(user)
    if person is None:
        raise AccessRefused(_("This account is not linked to any record."))
    user.trainer = None
    user.participant = None
    db.session.flush()
    record_event(
        "user.unlinked",
        actor=actor,
        entity=user,
        participant_id=person.id if isinstance(person, Participant) else None,
        before={"record": _describe(person)},
    )


def _describe(person: Person) -> str:
    kind = "trainer" if isinstance(person, Trainer) else "participant"
    return f"{kind}:{person.id}"


def give_access(person: Person, *, actor: User) -> Access:
    """Give a trainer or a participant access in one step: the account with
    the record's email is linked (or created, with no password yet, with the
    role of the record), and an invitation is mailed to it."""
    if person.user is not None:
        raise AccessRefused(
            _(
                "%(name)s already has an account: %(email)s.",
                name=person_name(person),
                email=person.user.email,
            )
        )
    email = auth.normalise_email(person.email or "")
    if not email:
        raise AccessRefused(
            _(
                "Add an email address to %(name)s's record first: "
                "it is the name they sign in with.",
                name=person_name(person),
            ),
            field="email",
        )
    user = auth.find_user_by_email(email)
    created = user is None
    if user is None:
        user = User(
            email=email,
            name=person_name(person)[:200],
            password_hash=UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(16),
            role=role_for(person),
            locale=person_locale(person),
            active=True,
        )
        db.session.add(user)
        _attach(user, person)
        db.session.flush()
        record_event(
            "user.created",
            actor=actor,
            entity=user,
            after={"email": email, "role": user.role, "record": _describe(person)},
        )
    else:
        if not user.active:
            raise AccessRefused(
                _(
                    "The account %(email)s is deactivated; an administrator can reactivate it.",
                    email=email,
                )
            )
        link_record(user, person, actor=actor)
    mailed = False
    if not user.has_password:
        send_invitation(user, actor=actor)
        mailed = True
    return Access(user=user, created=created, mailed=mailed)


def invite_user(*, email: str, name: str, role: Role, locale: str | None, actor: User) -> User:
    """A new account with no password yet, and its invitation by mail: the
    person chooses their own password (an administrator never knows it)."""
    email = auth.normalise_email(email)
    if auth.find_user_by_email(email) is not None:
        raise auth.DuplicateEmail(
            _("A user with this email address already exists."), field="email"
        )
    user = User(
        email=email,
        name=name.strip()[:200],
        password_hash=UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(16),
        role=role,
        locale=locale or None,
        active=True,
    )
    db.session.add(user)
    db.session.flush()
    record_event("user.created", actor=actor, entity=user, after={"email": email, "role": role})
    send_invitation(user, actor=actor)
    return user


# --- links -------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def lifetime(purpose: TokenPurpose, *, printed: bool) -> timedelta:
    """How long a link works: an invitation, or any printed letter (handed
    over in person, days later), for ATELIER_INVITATION_DAYS; a reset sent by
    mail for ATELIER_RESET_HOURS."""
    config = current_app.config
    if purpose is TokenPurpose.INVITATION or printed:
        return timedelta(days=config["ATELIER_INVITATION_DAYS"])
    return timedelta(hours=config["ATELIER_RESET_HOURS"])


def issue_link(
    user: User, purpose: TokenPurpose, *, actor: User | None, printed: bool = False
) -> IssuedLink:
    """A new single-use link for `user`; earlier unused links of the same
    purpose stop working."""
    now = datetime.now(UTC)
    db.session.execute(
        sa.update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > now,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session="fetch")
    )
    raw = secrets.token_urlsafe(32)
    token = AccountToken(
        token_hash=_hash(raw),
        user=user,
        purpose=purpose,
        created_at=now,
        expires_at=now + lifetime(purpose, printed=printed),
        created_by_id=actor.id if actor is not None else None,
        printed=printed,
    )
    db.session.add(token)
    db.session.flush()
    record_event(
        "user.invited" if purpose is TokenPurpose.INVITATION else "user.reset_link_made",
        actor=actor,
        entity=user,
        after={"printed": printed, "expires_at": token.expires_at.isoformat(timespec="minutes")},
    )
    return IssuedLink(token=token, url=public_url("accounts.open_link", token=raw))


_SUBJECTS = {
    TokenPurpose.INVITATION: _l("Your Atelier account is ready"),
    TokenPurpose.PASSWORD_RESET: _l("Choose a new Atelier password"),
}


def mail_locale(user: User, fallback: str | None = None) -> str:
    """The account's own language, else its record's, else `fallback` (the
    language the request was made in)."""
    return recipient_locale(user.locale, person_locale(linked_person(user)), fallback)


def _mail_link(user: User, link: IssuedLink, *, fallback_locale: str | None = None) -> None:
    purpose = link.token.purpose
    compose_mail(
        purpose.value,
        to_address=user.email,
        to_name=user.name,
        locale=mail_locale(user, fallback_locale),
        subject=_SUBJECTS[purpose],
        kind=f"auth.{purpose.value}",
        reference=f"user:{user.id}",
        link=link.url,
        expires_at=link.token.expires_at,
        email=user.email,
    )


def send_invitation(user: User, *, actor: User) -> IssuedLink:
    """Mail `user` a new invitation (the previous one stops working)."""
    if not user.active:
        raise AccessRefused(_("This account is deactivated."))
    link = issue_link(user, TokenPurpose.INVITATION, actor=actor)
    _mail_link(user, link)
    return link


def send_reset(user: User, *, actor: User) -> IssuedLink:
    """A coordinator or an administrator mails `user` a reset link."""
    if not user.active:
        raise AccessRefused(_("This account is deactivated."))
    link = issue_link(user, TokenPurpose.PASSWORD_RESET, actor=actor)
    _mail_link(user, link)
    return link


def print_link(user: User, *, actor: User) -> IssuedLink:
    """A link for a letter handed over in person: an invitation while the
    account has no password, a reset after. Nothing is mailed."""
    if not user.active:
        raise AccessRefused(_("This account is deactivated."))
    purpose = TokenPurpose.PASSWORD_RESET if user.has_password else TokenPurpose.INVITATION
    return issue_link(user, purpose, actor=actor, printed=True)


def reset_policies() -> tuple[throttle.Policy, throttle.Policy]:
    """Requests for a reset link: per address, ATELIER_RESET_RATE_LIMIT
    ("5 per 15 minutes"); per account, 3 an hour (further requests are
    answered the same and send nothing)."""
    rate = parse_rate(current_app.config["ATELIER_RESET_RATE_LIMIT"])
    return (
        throttle.Policy("reset:address", rate.amount, timedelta(seconds=rate.get_expiry())),
        throttle.Policy("reset:account", 3, timedelta(hours=1)),
    )


def request_reset(email: str, *, address: str, locale: str | None = None) -> None:
    """Someone asks for a reset link for `email`. The answer never says
    whether the account exists: the same page follows, and mail goes only to
    an active account's own address. TooManyAttempts when this address asked
    too often. The mail is in the account's language, else `locale` (the
    page's)."""
    by_address, by_account = reset_policies()
    throttle.reserve(by_address, address)  # raises TooManyAttempts
    account = auth.normalise_email(email)
    user = auth.find_user_by_email(account) if account else None
    if user is None or not user.active:
        record_event("auth.reset_requested", entity_type="user_account", after={"known": False})
        return
    try:
        throttle.reserve(by_account, str(user.id))
    except throttle.TooManyAttempts:
        return  # the same answer; the account's mailbox is not flooded
    link = issue_link(user, TokenPurpose.PASSWORD_RESET, actor=None)
    _mail_link(user, link, fallback_locale=locale)


def link_policy() -> throttle.Policy:
    """Wrong or spent links opened from one address: 20 per 15 minutes."""
    return throttle.Policy("account-link:address", 20, timedelta(minutes=15))


def find_link(raw: str, *, address: str) -> AccountToken | None:
    """The token a link names, if it still works (its account active); a
    miss counts against the address (TooManyAttempts when too many)."""
    policy = link_policy()
    throttle.reserve(policy, address)
    token = db.session.scalar(sa.select(AccountToken).where(AccountToken.token_hash == _hash(raw)))
    if token is None or not token.is_usable(datetime.now(UTC)) or not token.user.active:
        return None
    throttle.refund(policy, address)
    return token


def token_by_id(token_id: Any) -> AccountToken | None:
    """The token kept in the browser's session between opening the link and
    choosing the password, if it still works."""
    if not isinstance(token_id, int):
        return None
    token = db.session.get(AccountToken, token_id)
    if token is None or not token.is_usable(datetime.now(UTC)) or not token.user.active:
        return None
    return token


def use_link(token: AccountToken, password: str) -> User:
    """Set the account's password from a link: the link is spent, and every
    signed-in session of the account ends (a reset locks out whoever held
    it). The caller opens a new session."""
    if not token.is_usable(datetime.now(UTC)):
        raise AccessRefused(_("This link has expired or has already been used."))
    user = token.user
    auth.check_password_strength(password, email=user.email, name=user.name)
    user.password_hash = auth.hash_password(password)
    token.used_at = datetime.now(UTC)
    # Every other link of the account stops working too.
    db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
        .values(used_at=token.used_at)
        .execution_options(synchronize_session="fetch")
    )
    auth.end_sessions(user, SessionEnd.PASSWORD_CHANGED)
    record_event(
        "user.invitation_accepted"
        if token.purpose is TokenPurpose.INVITATION
        else "user.password_reset",
        actor=user,
        entity=user,
    )
    return user


def pending_link(user: User) -> AccountToken | None:
    """The account's newest link that still works, for its page."""
    return db.session.scalar(
        sa.select(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > datetime.now(UTC),
        )
        .order_by(AccountToken.created_at.desc(), AccountToken.id.desc())
        .limit(1)
    )


def search_records(role: Role, query: str, *, limit: int = 20) -> list[Person]:
    """Trainer or participant records an account of `role` may link, found
    by name or email (accent- and case-insensitive)."""
    query = query.strip()
    if not query or role not in (Role.TRAINER, Role.PARTICIPANT):
        return []
    pattern = f"%{fold(query)}%"
    email_pattern = f"%{query.lower()}%"
    if role is Role.TRAINER:
        return list(
            db.session.scalars(
                sa.select(Trainer)
                .where(
                    sa.or_(
                        sa.func.lower(Trainer.name).like(f"%{query.lower()}%"),
                        sa.func.lower(Trainer.email).like(email_pattern),
                    )
                )
                .order_by(Trainer.name)
                .limit(limit)
            )
        )
    return list(
        db.session.scalars(
            sa.select(Participant)
            .where(
                sa.or_(
                    Participant.search_name.like(pattern),
                    sa.func.lower(Participant.email).like(email_pattern),
                )
            )
            .order_by(Participant.family_name, Participant.given_name)
            .limit(limit)
        )
    )
