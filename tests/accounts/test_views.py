"""Accounts' pages: forgot password, the link, giving access, linking; and
who may use each."""

from __future__ import annotations

import logging
import re
from io import BytesIO

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests import factories
from tests.conftest import TEST_PASSWORD
from training.accounts.models import AccountToken
from training.auth.models import Role, User
from training.extensions import db
from training.mail.models import OutboxMessage

STRONG = "river lantern copper meadow"
LINK = re.compile(r"http://127\.0\.0\.1:5000(/account/link/[\w-]+)")


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def link_path(message: OutboxMessage) -> str:
    match = LINK.search(message.text_body)
    assert match, message.text_body
    return match.group(1)


def page_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


# --- forgot password ---------------------------------------------------------------


def test_the_sign_in_page_offers_forgot_your_password(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/forgot-password"' in page and "Forgot your password?" in page


def test_forgot_password_answers_the_same_whether_or_not_the_account_exists(client, app):
    factories.make_user(Role.TRAINER, email="known@example.org")
    db.session.commit()
    known = client.post("/forgot-password", data={"email": "known@example.org"})
    unknown = client.post("/forgot-password", data={"email": "unknown@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert page_text(known) == page_text(unknown)
    assert "If this address belongs to an Atelier account" in page_text(known)
    assert [message.to_address for message in outbox()] == ["known@example.org"]


def test_forgot_password_is_limited_per_address(client):
    for _ in range(5):
        assert client.post("/forgot-password", data={"email": "a@example.org"}).status_code == 200
    response = client.post("/forgot-password", data={"email": "a@example.org"})
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert "Too many attempts" in page_text(response)


def test_a_malformed_reset_request_is_refused_with_a_message(client):
    response = client.post("/forgot-password", data={"email": ""})
    assert response.status_code == 200 and "This field is required" in page_text(response)
    assert outbox() == []


# --- the link ----------------------------------------------------------------------


def test_a_reset_link_sets_a_new_password_signs_in_and_ends_other_sessions(app, client):
    user = factories.make_user(Role.TRAINER, email="reset.me@example.org")
    db.session.commit()
    other_browser = app.test_client()
    other_browser.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert other_browser.get("/").status_code == 200

    client.post("/forgot-password", data={"email": "reset.me@example.org"})
    (message,) = outbox()
    opened = client.get(link_path(message))
    # The token leaves the address bar at once.
    assert opened.status_code == 302 and opened.headers["Location"] == "/account/choose-password"
    form = client.get("/account/choose-password")
    assert "You will sign in as reset.me@example.org" in page_text(form)

    weak = client.post(
        "/account/choose-password", data={"password": "azertyuiop123", "confirm": "azertyuiop123"}
    )
    assert weak.status_code == 200 and "too common" in page_text(weak)
    differ = client.post("/account/choose-password", data={"password": STRONG, "confirm": "x"})
    assert "The two passwords differ" in page_text(differ)

    done = client.post("/account/choose-password", data={"password": STRONG, "confirm": STRONG})
    assert done.status_code == 303 and done.headers["Location"] == "/"
    assert client.get("/").status_code == 200  # signed in
    # The other browser's session ended with the reset.
    assert other_browser.get("/").status_code == 302
    old = other_browser.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert old.status_code == 200 and "not correct" in page_text(old)
    new = other_browser.post("/login", data={"email": user.email, "password": STRONG})
    assert new.status_code == 303
    # The link is spent.
    again = client.get(link_path(message))
    assert again.status_code == 404 and "This link no longer works" in page_text(again)


def test_an_unknown_or_malformed_link_says_so_with_a_404(client):
    for path in ("/account/link/nonsense", "/account/link/" + "x" * 500):
        response = client.get(path)
        assert response.status_code == 404
        assert "This link no longer works" in page_text(response)
    response = client.get("/account/choose-password")
    assert response.status_code == 404
    response = client.post("/account/choose-password", data={"password": STRONG, "confirm": STRONG})
    assert response.status_code == 404


def test_opening_a_link_signs_out_whoever_was_signed_in_on_that_browser(client, login_as):
    coordinator = login_as("coordinator")
    participant = factories.make_participant(email="new.one@example.org")
    db.session.commit()
    client.post(f"/participants/{participant.id}/access")
    message = outbox()[-1]
    client.get(link_path(message))
    # The coordinator is no longer signed in here.
    assert client.get("/sessions").status_code == 302
    client.post("/account/choose-password", data={"password": STRONG, "confirm": STRONG})
    home = client.get("/")
    assert home.status_code == 200 and coordinator.name not in page_text(home)


# --- giving access from a person's page --------------------------------------------


def test_a_coordinator_gives_a_participant_access_and_the_participant_sees_their_page(
    client, login_as, app
):
    login_as("coordinator")
    participant = factories.make_participant(
        given_name="Fatimata", family_name="Sawadogo", email="f.sawadogo@example.org"
    )
    db.session.commit()
    page = client.get(f"/participants/{participant.id}")
    assert "Give access" in page_text(page)
    response = client.post(f"/participants/{participant.id}/access", follow_redirects=True)
    text = page_text(response)
    assert "Fatimata Sawadogo can now sign in: an invitation was sent to" in text
    assert "Invited, not yet signed in" in text
    user = db.session.scalar(sa.select(User).where(User.email == "f.sawadogo@example.org"))
    assert user.role is Role.PARTICIPANT and user.participant_id == participant.id
    # Giving access twice is refused with a message, not a second account.
    again = client.post(f"/participants/{participant.id}/access", follow_redirects=True)
    assert "already has an account" in page_text(again)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2


def test_giving_access_without_an_email_is_explained(client, login_as):
    login_as("coordinator")
    trainer = factories.make_trainer(email=None)
    db.session.commit()
    assert "Add an email address to the record first" in page_text(
        client.get(f"/trainers/{trainer.id}")
    )
    response = client.post(f"/trainers/{trainer.id}/access", follow_redirects=True)
    assert "Add an email address" in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccountToken)) == 0


def test_a_printed_letter_opens_as_a_pdf_and_replaces_the_mailed_link(client, login_as):
    login_as("coordinator")
    trainer = factories.make_trainer(name="Ibrahim Touré", email="i.toure@example.org")
    db.session.commit()
    client.post(f"/trainers/{trainer.id}/access")
    mailed = outbox()[-1]
    response = client.post(f"/trainers/{trainer.id}/access/letter")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    text = PdfReader(BytesIO(response.data)).pages[0].extract_text()
    assert "Ibrahim Touré" in text and "i.toure@example.org" in text
    # The mailed invitation no longer works: the letter's link replaced it.
    assert client.get(link_path(mailed)).status_code == 404


def test_sending_the_link_again_mails_a_new_one(client, login_as):
    login_as("coordinator")
    user = factories.make_user(Role.PARTICIPANT)
    db.session.commit()
    response = client.post(
        f"/participants/{user.participant_id}/access/mail", follow_redirects=True
    )
    assert "A new link was sent to" in page_text(response)
    (message,) = outbox()
    assert message.kind == "auth.password_reset"  # the account already has a password


def test_a_record_without_an_account_has_no_link_to_send(client, login_as):
    login_as("coordinator")
    participant = factories.make_participant()
    db.session.commit()
    for action in ("mail", "letter"):
        response = client.post(
            f"/participants/{participant.id}/access/{action}", follow_redirects=True
        )
        assert "This record has no account yet" in page_text(response)


# --- the administrator's user form ---------------------------------------------------


def test_an_admin_finds_and_links_a_record_then_unlinks_it(client, login_as):
    login_as("admin")
    user = factories.make_user(Role.PARTICIPANT, participant=None, participant_id=None)
    participant = factories.make_participant(given_name="Zeinab", family_name="Mahamat")
    taken = factories.make_user(Role.PARTICIPANT)
    db.session.commit()
    page = client.get(f"/admin/users/{user.id}/edit")
    assert "Not linked" in page_text(page)
    found = client.get(f"/admin/users/{user.id}/edit?record=mahamat")
    assert "Zeinab Mahamat" in page_text(found)
    response = client.post(
        f"/admin/users/{user.id}/link",
        data={"kind": "participant", "record_id": participant.id},
        follow_redirects=True,
    )
    assert "The account is now linked to Zeinab Mahamat" in page_text(response)
    assert user.participant_id == participant.id
    refused = client.post(
        f"/admin/users/{user.id}/link",
        data={"kind": "participant", "record_id": taken.participant_id},
        follow_redirects=True,
    )
    assert "already linked" in page_text(refused)
    assert user.participant_id == participant.id
    unlinked = client.post(f"/admin/users/{user.id}/unlink", follow_redirects=True)
    assert "no longer linked" in page_text(unlinked)
    db.session.refresh(user)
    assert user.participant_id is None


def test_linking_a_record_of_the_wrong_kind_or_an_unknown_one_is_refused(client, login_as):
    login_as("admin")
    user = factories.make_user(Role.TRAINER, trainer=None, trainer_id=None)
    participant = factories.make_participant()
    db.session.commit()
    wrong = client.post(
        f"/admin/users/{user.id}/link",
        data={"kind": "participant", "record_id": participant.id},
        follow_redirects=True,
    )
    assert "trainer account" in page_text(wrong) and user.participant_id is None
    assert (
        client.post(
            f"/admin/users/{user.id}/link", data={"kind": "trainer", "record_id": 999999}
        ).status_code
        == 404
    )
    malformed = client.post(
        f"/admin/users/{user.id}/link", data={"kind": "ghost", "record_id": "abc"}
    )
    assert malformed.status_code == 303


def test_changing_a_linked_accounts_role_is_refused_on_the_form(client, login_as):
    login_as("admin")
    user = factories.make_user(Role.TRAINER)
    db.session.commit()
    response = client.post(
        f"/admin/users/{user.id}/edit",
        data={
            "name": user.name,
            "email": user.email,
            "role": "coordinator",
            "locale": "",
            "active": "y",
        },
    )
    assert response.status_code == 200
    assert "unlink it before changing its role" in page_text(response)
    db.session.refresh(user)
    assert user.role is Role.TRAINER


# --- who may do what ---------------------------------------------------------------


def _person_routes(trainer_id: int, participant_id: int) -> list[str]:
    return [
        f"/trainers/{trainer_id}/access",
        f"/participants/{participant_id}/access",
        f"/trainers/{trainer_id}/access/mail",
        f"/participants/{participant_id}/access/mail",
        f"/trainers/{trainer_id}/access/letter",
        f"/participants/{participant_id}/access/letter",
    ]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("admin", True), ("coordinator", True), ("trainer", False), ("participant", False)],
)
def test_who_may_give_access_and_send_links_from_a_persons_page(client, login_as, role, allowed):
    login_as(role)
    trainer_user = factories.make_user(Role.TRAINER)
    participant_user = factories.make_user(Role.PARTICIPANT)
    db.session.commit()
    for url in _person_routes(trainer_user.trainer_id, participant_user.participant_id):
        status = client.post(url).status_code
        assert (status in (200, 303)) if allowed else status == 403, (url, status)
    page = client.get(f"/participants/{participant_user.participant_id}")
    if allowed:
        assert "Access to Atelier" in page_text(page)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("admin", True), ("coordinator", False), ("trainer", False), ("participant", False)],
)
def test_only_an_admin_links_accounts_and_sends_links_from_the_user_form(
    client, login_as, role, allowed
):
    login_as(role)
    user = factories.make_user(Role.TRAINER)
    db.session.commit()
    for url, data in (
        (f"/admin/users/{user.id}/access/mail", {}),
        (f"/admin/users/{user.id}/access/letter", {}),
        (f"/admin/users/{user.id}/unlink", {}),
        (f"/admin/users/{user.id}/link", {"kind": "trainer", "record_id": user.trainer_id}),
    ):
        status = client.post(url, data=data).status_code
        assert (status in (200, 303)) if allowed else status == 403, (url, status)


@pytest.mark.parametrize("role", ["admin", "coordinator", "trainer", "participant"])
def test_the_public_account_pages_are_open_to_everyone(client, login_as, role):
    login_as(role)
    assert client.get("/forgot-password").status_code == 200
    assert client.get("/account/link/unknown").status_code == 404


def test_a_coordinator_cannot_reach_an_admin_account_through_a_person_page(client, login_as):
    """Links for coordinator and administrator accounts come only from the
    admin's user form: a person's page names only its own record's account."""
    login_as("coordinator")
    admin = factories.make_user(Role.ADMIN)
    db.session.commit()
    assert client.post(f"/admin/users/{admin.id}/access/letter").status_code == 403


# --- what stays out of the logs ------------------------------------------------------


def test_no_email_address_or_token_reaches_the_logs(client, caplog, app):
    from training.mail import sender

    factories.make_user(Role.TRAINER, email="secret.person@example.org")
    db.session.commit()
    with caplog.at_level(logging.DEBUG):
        client.post("/forgot-password", data={"email": "secret.person@example.org"})
        (message,) = outbox()
        path = link_path(message)
        client.get(path)
        sender.send_pending()
        # An access log line as Werkzeug's server writes it.
        logging.getLogger("werkzeug").info('127.0.0.1 - - "GET %s HTTP/1.1" 302 -', path)
    token = path.rsplit("/", 1)[1]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/account/link/[redacted]" in logged
    assert token not in logged and "secret.person@example.org" not in logged


# --- inviting a user from the users page ---------------------------------------------


def test_an_admin_invites_a_user_who_chooses_their_own_password(client, login_as, app):
    login_as("admin")
    response = client.post(
        "/admin/users/invite",
        data={
            "name": "Hawa Traoré",
            "email": "Hawa.Traore@example.org",
            "role": "coordinator",
            "locale": "fr",
        },
    )
    user = db.session.scalar(sa.select(User).where(User.email == "hawa.traore@example.org"))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/users/{user.id}/edit"
    assert not user.has_password and user.role is Role.COORDINATOR
    (message,) = outbox()
    assert message.locale == "fr" and message.subject == "Votre compte Atelier est prêt"
    duplicate = client.post(
        "/admin/users/invite",
        data={"name": "Hawa", "email": "hawa.traore@example.org", "role": "trainer", "locale": ""},
    )
    assert duplicate.status_code == 200 and "already exists" in page_text(duplicate)
    assert len(outbox()) == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("coordinator", 403), ("trainer", 403), ("participant", 403)],
)
def test_only_an_admin_opens_the_invitation_form(client, login_as, role, status):
    login_as(role)
    assert client.get("/admin/users/invite").status_code == status
    posted = client.post(
        "/admin/users/invite",
        data={"name": "X", "email": "x@example.org", "role": "trainer", "locale": ""},
    )
    assert posted.status_code == (303 if status == 200 else 403)
