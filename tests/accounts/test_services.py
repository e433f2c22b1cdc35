"""Accounts linked to people, invitations and resets: the rules."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests import factories
from training.accounts import services
from training.accounts.letters import letter_for
from training.accounts.models import AccountToken, TokenPurpose
from training.auth import services as auth
from training.auth import throttle
from training.auth.models import Role, SessionEnd, User, UserSession
from training.domain import DomainError
from training.extensions import db
from training.mail.models import OutboxMessage

STRONG = "river lantern copper meadow"


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def link_in(message: OutboxMessage) -> str:
    match = re.search(r"http://127\.0\.0\.1:5000/account/link/([\w-]+)", message.text_body)
    assert match, message.text_body
    return match.group(1)


@pytest.fixture
def coordinator(app):
    return factories.make_user(Role.COORDINATOR)


def test_giving_a_participant_access_creates_a_linked_account_and_mails_an_invitation(
    app, coordinator
):
    participant = factories.make_participant(email="Awa.Diallo@Example.org")
    access = services.give_access(participant, actor=coordinator)
    assert access.created and access.mailed
    user = access.user
    assert user.email == "awa.diallo@example.org"
    assert user.role is Role.PARTICIPANT and user.participant is participant
    assert not user.has_password
    # No password opens it before the invitation is taken up.
    assert auth.authenticate(user.email, "") is None
    (message,) = outbox()
    assert message.to_address == "awa.diallo@example.org"
    assert message.kind == "auth.invitation"
    assert message.subject == "Your Atelier account is ready"
    raw = link_in(message)
    assert raw in message.html_body
    # Only the token's hash is kept.
    token = db.session.scalar(sa.select(AccountToken))
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in token.token_hash
    assert token.purpose is TokenPurpose.INVITATION
    assert timedelta(days=13) < token.expires_at - datetime.now(UTC) <= timedelta(days=14)


def test_the_invitation_is_in_the_trainers_language(app, coordinator):
    trainer = factories.make_trainer(email="sidibe@example.org", languages="fr,en")
    services.give_access(trainer, actor=coordinator)
    (message,) = outbox()
    assert message.locale == "fr"
    assert message.subject == "Votre compte Atelier est prêt"
    assert "choisissez votre mot de passe" in message.text_body


def test_an_existing_account_with_the_same_email_is_linked_not_duplicated(app, coordinator):
    trainer = factories.make_trainer(email="k.ouedraogo@example.org")
    existing = factories.make_user(
        Role.TRAINER, email="k.ouedraogo@example.org", trainer=None, trainer_id=None
    )
    access = services.give_access(trainer, actor=coordinator)
    assert access.user is existing and not access.created
    assert existing.trainer is trainer
    assert not access.mailed and outbox() == []  # they already have a password
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2


def test_access_is_refused_without_an_email_or_when_the_email_is_another_kind_of_account(
    app, coordinator
):
    with pytest.raises(DomainError, match="Add an email address"):
        services.give_access(factories.make_participant(email=None), actor=coordinator)
    factories.make_user(Role.COORDINATOR, email="chef@example.org")
    with pytest.raises(DomainError, match="coordinator account"):
        services.give_access(factories.make_trainer(email="chef@example.org"), actor=coordinator)
    assert outbox() == []


def test_a_record_linked_to_one_account_cannot_be_linked_to_another(app, coordinator):
    first = factories.make_user(Role.PARTICIPANT)
    second = factories.make_user(Role.PARTICIPANT, participant=None, participant_id=None)
    with pytest.raises(DomainError, match="already linked to the account"):
        services.link_record(second, first.participant, actor=coordinator)
    with pytest.raises(DomainError, match="already has an account"):
        services.give_access(first.participant, actor=coordinator)


def test_an_accounts_link_agrees_with_its_role(app, coordinator):
    coordinator_account = factories.make_user(Role.COORDINATOR)
    with pytest.raises(DomainError, match="coordinator account"):
        services.link_record(coordinator_account, factories.make_trainer(), actor=coordinator)
    trainer_account = factories.make_user(Role.TRAINER)
    with pytest.raises(DomainError, match="trainer account"):
        services.link_record(trainer_account, factories.make_participant(), actor=coordinator)
    admin = factories.make_user(Role.ADMIN)
    with pytest.raises(DomainError, match="unlink it before changing its role"):
        auth.update_user(
            trainer_account,
            name=trainer_account.name,
            email=trainer_account.email,
            role=Role.COORDINATOR,
            active=True,
            locale=None,
            actor=admin,
        )


def test_the_database_refuses_a_link_that_disagrees_with_the_role(app):
    trainer = factories.make_trainer()
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(
            User(
                email="wrong@example.org",
                name="Wrong",
                password_hash="x",
                role=Role.COORDINATOR,
                trainer=trainer,
            )
        )
        db.session.flush()


def test_unlinking_keeps_the_account_and_the_record_and_is_audited(app, coordinator):
    from training.audit.models import AuditEvent

    user = factories.make_user(Role.TRAINER)
    trainer = user.trainer
    services.unlink_record(user, actor=coordinator)
    assert user.trainer is None and db.session.get(type(trainer), trainer.id) is not None
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert "user.unlinked" in actions
    services.link_record(user, trainer, actor=coordinator)
    assert user.trainer is trainer
    with pytest.raises(DomainError):
        services.unlink_record(factories.make_user(Role.COORDINATOR), actor=coordinator)


def test_a_reset_is_mailed_only_to_an_existing_active_account(app):
    user = factories.make_user(Role.PARTICIPANT, email="mariam@example.org")
    services.request_reset("nobody@example.org", address="10.0.0.1")
    assert outbox() == []
    services.request_reset("  MARIAM@example.org ", address="10.0.0.1")
    (message,) = outbox()
    assert message.to_address == "mariam@example.org" and message.kind == "auth.password_reset"
    token = db.session.scalar(sa.select(AccountToken))
    assert token.purpose is TokenPurpose.PASSWORD_RESET and token.created_by_id is None
    assert timedelta(hours=1) < token.expires_at - datetime.now(UTC) <= timedelta(hours=2)
    user.active = False
    services.request_reset("mariam@example.org", address="10.0.0.2")
    assert len(outbox()) == 1


def test_reset_requests_are_limited_per_account_and_per_address(app):
    factories.make_user(Role.PARTICIPANT, email="moussa@example.org")
    for number in range(5):
        services.request_reset("moussa@example.org", address=f"10.0.1.{number}")
    # Three a hour reach the account's mailbox; the others get the same answer.
    assert len(outbox()) == 3
    for _ in range(5):
        services.request_reset("someone@example.org", address="10.0.2.1")
    with pytest.raises(throttle.TooManyAttempts):
        services.request_reset("someone@example.org", address="10.0.2.1")


def test_a_link_works_once_and_ends_every_session_of_the_account(app):
    user = factories.make_user(Role.TRAINER)
    session_record, _cookie = auth.open_session(user, user_agent="phone", address="10.0.0.9")
    link = services.issue_link(user, TokenPurpose.PASSWORD_RESET, actor=None)
    raw = link.url.rsplit("/", 1)[1]
    token = services.find_link(raw, address="10.0.0.9")
    assert token is link.token
    services.use_link(token, STRONG)
    assert auth.authenticate(user.email, STRONG) is user
    db.session.refresh(session_record)
    assert session_record.end_reason is SessionEnd.PASSWORD_CHANGED
    assert services.find_link(raw, address="10.0.0.9") is None
    with pytest.raises(DomainError, match="expired or has already been used"):
        services.use_link(token, "another long passphrase here")


def test_a_weak_password_is_refused_and_the_link_still_works(app):
    user = factories.make_user(Role.PARTICIPANT)
    link = services.issue_link(user, TokenPurpose.INVITATION, actor=None)
    with pytest.raises(DomainError):
        services.use_link(link.token, "password123")
    assert link.token.used_at is None


def test_a_newer_link_ends_the_older_ones_and_an_expired_link_opens_nothing(app):
    user = factories.make_user(Role.PARTICIPANT)
    first = services.issue_link(user, TokenPurpose.PASSWORD_RESET, actor=None)
    second = services.issue_link(user, TokenPurpose.PASSWORD_RESET, actor=None)
    assert services.find_link(first.url.rsplit("/", 1)[1], address="x") is None
    raw = second.url.rsplit("/", 1)[1]
    assert services.find_link(raw, address="x") is second.token
    second.token.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert services.find_link(raw, address="x") is None


def test_guessing_links_from_one_address_is_limited(app):
    for number in range(20):
        assert services.find_link(f"guess-{number}", address="10.9.9.9") is None
    with pytest.raises(throttle.TooManyAttempts):
        services.find_link("guess-21", address="10.9.9.9")


def test_links_use_the_public_address_never_the_requests_host(app):
    app.config["ATELIER_PUBLIC_URL"] = "https://atelier.example.org"
    try:
        user = factories.make_user(Role.PARTICIPANT)
        with app.test_request_context("/", base_url="http://evil.example.com"):
            link = services.issue_link(user, TokenPurpose.INVITATION, actor=None)
        assert link.url.startswith("https://atelier.example.org/account/link/")
    finally:
        app.config["ATELIER_PUBLIC_URL"] = "http://127.0.0.1:5000"


def test_a_printed_letter_carries_the_link_the_sign_in_name_and_the_expiry(app, coordinator):
    participant = factories.make_participant(
        given_name="Aïssata", family_name="Maïga", email="a.maiga@example.org", rank="Lieutenant"
    )
    user = services.give_access(participant, actor=coordinator).user
    user.locale = "fr"
    link = services.print_link(user, actor=coordinator)
    assert link.token.printed and link.token.purpose is TokenPurpose.INVITATION
    assert timedelta(days=13) < link.token.expires_at - datetime.now(UTC)
    pdf, filename = letter_for(user, link, prepared_by=coordinator)
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Aïssata Maïga" in text and "Lieutenant" in text
    assert "Votre compte Atelier" in text
    assert "a.maiga@example.org" in text
    assert link.url.rsplit("/", 1)[1][:20] in text.replace(" ", "")
    expires = link.token.expires_at
    assert f"{expires.day} " in text and str(expires.year) in text and "UTC" in text
    assert coordinator.name in text
    assert filename == f"invitation-{user.id}.pdf"
    # A printed letter for an account with a password is a reset letter.
    services.use_link(link.token, STRONG)
    reset = services.print_link(user, actor=coordinator)
    assert reset.token.purpose is TokenPurpose.PASSWORD_RESET
    text = PdfReader(BytesIO(letter_for(user, reset, prepared_by=coordinator)[0])).pages[0]
    assert "nouveau mot de passe" in text.extract_text()


def test_a_deactivated_account_gets_no_link(app, coordinator):
    user = factories.make_user(Role.TRAINER, active=False)
    for action in (services.send_invitation, services.send_reset, services.print_link):
        with pytest.raises(DomainError, match="deactivated"):
            action(user, actor=coordinator)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccountToken)) == 0


def test_sessions_of_other_users_survive_a_reset(app):
    user = factories.make_user(Role.TRAINER)
    other = factories.make_user(Role.TRAINER)
    other_session, _ = auth.open_session(other, user_agent="", address=None)
    link = services.issue_link(user, TokenPurpose.PASSWORD_RESET, actor=None)
    services.use_link(link.token, STRONG)
    assert db.session.get(UserSession, other_session.id).ended_at is None
