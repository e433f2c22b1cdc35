"""Accounts in Chromium: a coordinator gives a demo participant access from
their page; the invitation waits in the outbox (no SMTP: the embedded mode),
where an administrator reads it; the participant opens its link on a phone,
chooses a password and sees their certificate. A second journey resets a
forgotten password from the sign-in page."""

from __future__ import annotations

import re

import sqlalchemy as sa

from training.auth.models import Role, User
from training.auth.services import hash_password
from training.certificates.models import Certificate, CertificateStatus
from training.enrollment.models import Enrollment
from training.extensions import db
from training.people.models import Participant, Trainer

PASSWORD = "river lantern copper meadow"
LINK = re.compile(r"https?://\S+/account/link/[\w-]+")


def _new_context(browser, live_server, *, phone: bool, locale: str):
    options = {"base_url": live_server, "locale": locale}
    if phone:
        options.update(
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
        )
    else:
        options.update(viewport={"width": 1280, "height": 860})
    context = browser.new_context(**options)
    context.set_default_timeout(20_000)
    return context


def _holder_without_account(live_app) -> tuple[int, str, str, str]:
    """(id, name, email, certificate serial) of a demo participant with a
    valid certificate, an email address and no account yet."""
    with live_app.app_context():
        row = db.session.execute(
            sa.select(Participant, Certificate.serial)
            .join(Enrollment, Enrollment.participant_id == Participant.id)
            .join(Certificate, Certificate.enrollment_id == Enrollment.id)
            .outerjoin(User, User.participant_id == Participant.id)
            .where(
                Participant.email.is_not(None),
                User.id.is_(None),
                Certificate.status == CertificateStatus.VALID,
            )
            .order_by(Participant.id.desc())
            .limit(1)
        ).first()
        assert row is not None, "the demo has no certified participant without an account"
        participant, serial = row
        return participant.id, participant.full_name, participant.email, serial


def _no_horizontal_scroll(tab) -> None:
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_participant_given_access_sets_a_password_on_a_phone_and_sees_their_certificate(
    browser, live_server, live_app, sign_in, screenshot
):
    participant_id, name, email, serial = _holder_without_account(live_app)

    # The coordinator (the demo's works in French), at a desk, gives access
    # from the participant's page.
    context = _new_context(browser, live_server, phone=False, locale="en-GB")
    desk = context.new_page()
    sign_in(desk, "coordinator@example.org")
    desk.goto(f"/participants/{participant_id}")
    access = desk.locator("#access")
    assert "Pas encore de compte." in access.inner_text()
    access.get_by_role("button", name="Donner accès").click()
    desk.wait_for_load_state("load")
    assert (
        f"{name} peut désormais se connecter\u00a0: une invitation a été envoyée à {email}."
        in desk.inner_text(".alert-success")
    )
    assert "Invité, pas encore connecté" in desk.locator("#access").inner_text()
    screenshot(desk, "access-given")
    context.close()

    # Without SMTP the invitation waits in the outbox, where an admin reads it.
    context = _new_context(browser, live_server, phone=False, locale="en-GB")
    admin = context.new_page()
    sign_in(admin, "admin@example.org")
    admin.goto("/admin/mail")
    assert "mail is not configured" in admin.inner_text("main").lower()
    admin.get_by_role("link", name="Your Atelier account is ready").first.click()
    admin.wait_for_load_state("load")
    message = admin.inner_text("main")
    assert email in message
    link = LINK.search(message)
    assert link, message
    context.close()

    # The participant opens the link on a phone, in French.
    context = _new_context(browser, live_server, phone=True, locale="fr-FR")
    phone = context.new_page()
    phone.goto(link.group(0))
    assert phone.url.endswith("/account/choose-password")  # the token left the address bar
    assert "Bienvenue dans Atelier" in phone.inner_text("main")
    assert email in phone.inner_text("main")
    _no_horizontal_scroll(phone)
    screenshot(phone, "access-choose-password-phone")
    phone.fill("input[name=password]", PASSWORD)
    phone.fill("input[name=confirm]", PASSWORD)
    phone.get_by_role("button", name="Enregistrer mon mot de passe").click()
    phone.wait_for_load_state("load")
    main = phone.inner_text("main")
    assert "Votre mot de passe est enregistré et la connexion est établie" in main
    assert "Vos certificats" in main and serial in main
    _no_horizontal_scroll(phone)
    screenshot(phone, "access-participant-home-phone")
    # The link is spent: opening it again says so.
    phone.goto(link.group(0))
    assert "Ce lien ne fonctionne plus" in phone.inner_text("main")
    context.close()


def test_a_forgotten_password_is_reset_from_the_sign_in_page(
    browser, live_server, live_app, sign_in
):
    with live_app.app_context():
        trainer = db.session.scalar(
            sa.select(Trainer).outerjoin(User).where(User.id.is_(None)).limit(1)
        )
        user = User(
            email="forgetful.trainer@example.org",
            name=trainer.name,
            password_hash=hash_password("an old forgotten passphrase"),
            role=Role.TRAINER,
            trainer=trainer,
        )
        db.session.add(user)
        db.session.commit()

    context = _new_context(browser, live_server, phone=True, locale="fr-FR")
    phone = context.new_page()
    phone.goto("/login")
    phone.get_by_role("link", name="Mot de passe oublié ?").click()
    phone.fill("input[name=email]", "forgetful.trainer@example.org")
    phone.get_by_role("button", name="M’envoyer un lien").click()
    phone.wait_for_load_state("load")
    assert "Consultez votre messagerie" in phone.inner_text("main")

    with live_app.app_context():
        from training.mail.models import OutboxMessage

        message = db.session.scalar(
            sa.select(OutboxMessage)
            .where(OutboxMessage.to_address == "forgetful.trainer@example.org")
            .order_by(OutboxMessage.id.desc())
        )
        assert message.kind == "auth.password_reset" and message.locale == "fr"
        link = LINK.search(message.text_body).group(0)

    phone.goto(link)
    assert "Choisir un nouveau mot de passe" in phone.inner_text("main")
    phone.fill("input[name=password]", PASSWORD)
    phone.fill("input[name=confirm]", PASSWORD)
    phone.get_by_role("button", name="Enregistrer mon mot de passe").click()
    phone.wait_for_load_state("load")
    assert "Votre nouveau mot de passe est enregistré" in phone.inner_text("main")
    context.close()

    # The new password signs in; the old one no longer does.
    context = _new_context(browser, live_server, phone=False, locale="en-GB")
    desk = context.new_page()
    sign_in(desk, "forgetful.trainer@example.org", "an old forgotten passphrase")
    assert "The email or password is not correct." in desk.inner_text("main")
    sign_in(desk, "forgetful.trainer@example.org", PASSWORD)
    assert desk.url.rstrip("/") == live_server
    context.close()
