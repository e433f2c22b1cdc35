"""A confirmation sent for real: through the local SMTP server (aiosmtpd),
read back as the multipart message a mail client receives."""

from __future__ import annotations

from tests import factories
from tests.notifications.conftest import outbox, pdf_text
from training.enrollment.models import EnrollmentStatus
from training.enrollment.services import confirm
from training.extensions import db
from training.mail.models import MailStatus
from training.mail.sender import send_pending


def test_the_confirmation_arrives_with_text_html_and_the_convocation_letter(app, smtp):
    coordinator = factories.make_user("coordinator")
    training_session = factories.make_session(venue="Centre de formation de la gendarmerie")
    participant = factories.make_participant(
        given_name="Mariam", family_name="Ouédraogo", email="mariam@example.org"
    )
    enrollment = factories.enroll(participant, training_session, status=EnrollmentStatus.NOMINATED)
    confirm(enrollment, actor=coordinator)
    db.session.commit()

    assert send_pending() == 1

    [received] = smtp.messages()
    assert smtp.envelopes[0].rcpt_tos == ["mariam@example.org"]
    assert received["To"] == "Mariam Ouédraogo <mariam@example.org>"
    assert received["Content-Language"] == "fr"
    assert received.get_content_type() == "multipart/mixed"
    text = received.get_body(preferencelist=("plain",))
    html = received.get_body(preferencelist=("html",))
    assert text is not None and "Votre place dans la session ci-dessous est confirmée." in (
        text.get_content()
    )
    assert html is not None and "Centre de formation de la gendarmerie" in html.get_content()
    [attachment] = list(received.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"convocation-{training_session.code}-OUEDRAOGO.pdf"
    letter = pdf_text(attachment.get_content())
    assert "Mariam Ouédraogo" in letter and training_session.code in letter
    # Nothing loaded from the internet, no tracking pixel.
    assert "<img" not in html.get_content()
    [message] = outbox()
    db.session.refresh(message)
    assert message.status is MailStatus.SENT
