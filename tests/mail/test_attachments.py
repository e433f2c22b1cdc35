"""Attachments: kept beside their message in the same transaction, sent as
parts of a multipart/mixed message, listed on the message's page and
downloaded by administrators only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from training.domain import DomainError
from training.extensions import db
from training.mail.models import OutboxAttachment, OutboxMessage
from training.mail.sender import send_pending
from training.mail.services import MAX_ATTACHMENTS_BYTES, Attachment, build_email, queue_mail

PDF = b"%PDF-1.4 a small letter %%EOF"


def queued(*attachments: Attachment, **overrides) -> OutboxMessage:
    values = dict(to_address="awa@example.org", to_name="Awa", subject="Convocation", text="Body")
    values.update(overrides)
    message = queue_mail(**values, attachments=attachments)
    db.session.commit()
    return message


def letter(**overrides) -> Attachment:
    values = dict(
        filename="convocation-NE-2026-001-TRAORE.pdf", content_type="application/pdf", data=PDF
    )
    values.update(overrides)
    return Attachment(**values)


def attachment_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxAttachment))


def test_an_attachment_is_kept_with_its_message_and_a_rollback_leaves_neither(app):
    queue_mail(to_address="awa@example.org", subject="Hello", text="Body", attachments=[letter()])
    assert attachment_count() == 1
    db.session.rollback()
    assert attachment_count() == 0


def test_an_attachment_keeps_its_name_type_size_and_bytes(app):
    message = queued(letter())
    [stored] = message.attachments
    assert stored.filename == "convocation-NE-2026-001-TRAORE.pdf"
    assert stored.content_type == "application/pdf"
    assert stored.size == len(PDF) and stored.data == PDF


def test_a_name_with_a_line_break_or_a_path_and_an_odd_type_are_cleaned(app):
    message = queued(
        letter(
            filename="../../etc/passwd\r\nContent-Type: text/html", content_type="text/html\r\nX: y"
        )
    )
    [stored] = message.attachments
    assert "\n" not in stored.filename and "/" not in stored.filename
    assert stored.content_type == "application/octet-stream"


def test_attachments_too_large_for_mail_are_refused(app):
    with pytest.raises(DomainError):
        queue_mail(
            to_address="awa@example.org",
            subject="Hello",
            text="Body",
            attachments=[letter(data=b"x" * (MAX_ATTACHMENTS_BYTES + 1))],
        )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_the_message_as_sent_is_mixed_text_html_and_attachment(app):
    message = queued(letter(), html="<p>Bonjour</p>", locale="fr")
    email = build_email(message)
    assert email.get_content_type() == "multipart/mixed"
    assert email["Content-Language"] == "fr"
    assert email.get_body(preferencelist=("plain",)).get_content().strip() == "Body"
    assert "<p>Bonjour</p>" in email.get_body(preferencelist=("html",)).get_content()
    [part] = list(email.iter_attachments())
    assert part.get_content_type() == "application/pdf"
    assert part.get_filename() == "convocation-NE-2026-001-TRAORE.pdf"
    assert part.get_content() == PDF


def test_an_accented_file_name_travels_encoded(app):
    message = queued(letter(filename="convocation-Ouédraogo.pdf"))
    [part] = list(build_email(message).iter_attachments())
    assert part.get_filename() == "convocation-Ouédraogo.pdf"


def test_the_local_server_receives_the_attachment(app, smtp):
    queued(letter(), html="<p>Bonjour</p>")
    assert send_pending() == 1
    [received] = smtp.messages()
    [part] = list(received.iter_attachments())
    assert part.get_content() == PDF


def test_deleting_a_message_deletes_its_attachments_in_the_database(app):
    message = queued(letter(), letter(filename="second.pdf"))
    assert attachment_count() == 2
    db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.id == message.id))
    db.session.commit()
    assert attachment_count() == 0


# --- the message's page ------------------------------------------------------


def test_the_message_page_lists_its_attachments_with_a_download_link(client, login_as):
    message = queued(letter())
    [stored] = message.attachments
    login_as("admin")
    page = client.get(f"/admin/mail/{message.id}").get_data(as_text=True)
    assert "Attachments" in page and "convocation-NE-2026-001-TRAORE.pdf" in page
    url = f"/admin/mail/{message.id}/attachments/{stored.id}"
    assert f'href="{url}"' in page

    response = client.get(url)
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "convocation-NE-2026-001-TRAORE.pdf" in response.headers["Content-Disposition"]


def test_a_message_without_attachments_lists_none(client, login_as):
    message = queued()
    login_as("admin")
    assert 'id="attachments"' not in client.get(f"/admin/mail/{message.id}").get_data(as_text=True)


def test_an_html_attachment_is_downloaded_as_bytes_never_opened_as_a_page(client, login_as):
    message = queued(
        letter(filename="page.html", content_type="text/html", data=b"<script>1</script>")
    )
    login_as("admin")
    response = client.get(f"/admin/mail/{message.id}/attachments/{message.attachments[0].id}")
    assert response.mimetype == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("role", ["coordinator", "trainer", "participant"])
def test_other_roles_cannot_download_an_attachment(client, login_as, role):
    message = queued(letter())
    login_as(role)
    response = client.get(f"/admin/mail/{message.id}/attachments/{message.attachments[0].id}")
    assert response.status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in_for_an_attachment(client):
    message = queued(letter())
    response = client.get(f"/admin/mail/{message.id}/attachments/{message.attachments[0].id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_an_attachment_of_another_message_is_a_404(client, login_as):
    first = queued(letter())
    second = queued(letter())
    login_as("admin")
    response = client.get(f"/admin/mail/{second.id}/attachments/{first.attachments[0].id}")
    assert response.status_code == 404
    assert client.get(f"/admin/mail/{first.id}/attachments/999999").status_code == 404
