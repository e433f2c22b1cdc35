"""The outbox pages: administrators only; stored HTML is never live HTML."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from training.extensions import db
from training.mail.models import MailStatus, OutboxMessage
from training.mail.services import queue_mail
from training.permissions import can


def queued(**overrides) -> OutboxMessage:
    values = dict(to_address="awa@example.org", to_name="Awa", subject="Hello", text="Body")
    values.update(overrides)
    message = queue_mail(**values)
    db.session.commit()
    return message


def failed() -> OutboxMessage:
    message = queued()
    message.status = MailStatus.FAILED
    message.attempts = 3
    message.last_error = "SMTPDataError (451)"
    db.session.commit()
    return message


def test_only_administrators_hold_mail_view(app):
    from tests import factories

    for role in ("coordinator", "trainer", "participant"):
        assert not can(factories.make_user(role=role), "mail.view")
    assert can(factories.make_user(role="admin"), "mail.view")


@pytest.mark.parametrize("role", ["coordinator", "trainer", "participant"])
def test_other_roles_are_refused_every_mail_page(client, login_as, role):
    message = failed()
    login_as(role)
    assert client.get("/admin/mail").status_code == 403
    assert client.get(f"/admin/mail/{message.id}").status_code == 403
    assert client.post(f"/admin/mail/{message.id}/retry").status_code == 403
    db.session.refresh(message)
    assert message.status is MailStatus.FAILED


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    message = failed()
    for response, status in (
        (client.get("/admin/mail"), 302),
        (client.get(f"/admin/mail/{message.id}"), 302),
        (client.post(f"/admin/mail/{message.id}/retry"), 303),
    ):
        assert response.status_code == status
        assert response.headers["Location"].startswith("/login")
    db.session.refresh(message)
    assert message.status is MailStatus.FAILED


def test_the_admin_reads_the_outbox_and_the_navigation_offers_it(client, login_as):
    queued(subject="Votre convocation")
    login_as("admin")
    page = client.get("/admin/mail")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Votre convocation" in text and "awa@example.org" in text
    assert 'href="/admin/mail"' in client.get("/").get_data(as_text=True)


def test_others_are_not_offered_the_mail_page(client, login_as):
    login_as("coordinator")
    assert 'href="/admin/mail"' not in client.get("/").get_data(as_text=True)


def test_the_embedded_mode_says_mail_is_not_configured(client, login_as):
    queued()
    queued()
    login_as("admin")
    text = client.get("/admin/mail").get_data(as_text=True)
    assert "Mail is not configured: 2 messages kept." in text


def test_the_banner_is_gone_when_smtp_is_configured(app, client, login_as, mail_config):
    mail_config["ATELIER_MAIL_HOST"] = "smtp.example.org"
    queued()
    login_as("admin")
    assert "Mail is not configured" not in client.get("/admin/mail").get_data(as_text=True)


def test_a_message_shows_its_html_as_text_never_live(client, login_as):
    message = queued(
        text="Line one\nLine two",
        html='<p>Hi</p><script>alert("x")</script><img src="https://tracker.example/p.gif">',
    )
    login_as("admin")
    text = client.get(f"/admin/mail/{message.id}").get_data(as_text=True)
    assert "Line one\nLine two" in text
    assert "&lt;script&gt;alert" in text and "<script>alert" not in text
    assert '<img src="https://tracker.example' not in text


def test_an_unknown_message_is_a_404_and_retrying_a_queued_one_is_refused(client, login_as):
    message = queued()
    login_as("admin")
    assert client.get("/admin/mail/999999").status_code == 404
    assert client.get("/admin/mail/99999999999").status_code == 404
    response = client.post(f"/admin/mail/{message.id}/retry", follow_redirects=True)
    assert "Only a failed message can be sent again." in response.get_data(as_text=True)


def test_a_status_filter_lists_only_that_status(client, login_as):
    queued(subject="Still waiting")
    failed_message = failed()
    failed_message.subject = "Went wrong"
    db.session.commit()
    login_as("admin")
    text = client.get("/admin/mail?status=failed").get_data(as_text=True)
    assert "Went wrong" in text and "Still waiting" not in text
    assert client.get("/admin/mail?status=bogus").status_code == 200


def test_retry_needs_its_csrf_token(app, client, login_as):
    message = failed()
    login_as("admin")
    app.config["WTF_CSRF_ENABLED"] = True  # the fixture turns it off again
    assert client.post(f"/admin/mail/{message.id}/retry").status_code == 400
    db.session.refresh(message)
    assert message.status is MailStatus.FAILED
    assert db.session.scalar(sa.select(OutboxMessage.attempts)) == 3


def test_the_page_speaks_french_to_a_french_administrator(client, login_as):
    queued()
    login_as("admin", locale="fr")
    text = client.get("/admin/mail").get_data(as_text=True)
    assert "Le courriel n'est pas configuré\u00a0: 1 message conservé." in text
    assert "Destinataire" in text
