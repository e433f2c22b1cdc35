"""What each change sends, to whom, in which language: nominee confirmed
(with the convocation letter) or wait-listed, certificate issued (with the
verification link), trainer assigned or removed. A session's switch, a
missing address and a rollback each leave no mail."""

from __future__ import annotations

from datetime import date
from email import message_from_bytes, policy

import pytest

from tests import factories
from tests.certificates.conftest import completed_session, graduate
from tests.notifications.conftest import outbox, pdf_text
from training.certificates.services import issue_all_eligible, issue_certificate
from training.enrollment.models import EnrollmentStatus
from training.enrollment.services import confirm, withdraw
from training.extensions import db
from training.mail.services import build_email
from training.notifications import silenced
from training.sessions import services as sessions
from training.sessions.models import AssignmentRole, SessionLanguage


@pytest.fixture
def coordinator(app):
    return factories.make_user("coordinator")


def french_session(**attributes):
    values = {
        "language": SessionLanguage.FRENCH,
        "start_date": date(2026, 3, 2),
        "venue": "École nationale de police",
        "city": "Niamey",
        "country": "NE",
    }
    values.update(attributes)
    return factories.make_session(**values)


def nominee(training_session, **attributes):
    participant = factories.make_participant(**attributes)
    return factories.enroll(participant, training_session, status=EnrollmentStatus.NOMINATED)


def confirm_now(enrollment, actor):
    confirm(enrollment, actor=actor)
    db.session.commit()


# --- confirmed ---------------------------------------------------------------


def test_a_french_nominee_confirmed_gets_the_news_and_the_letter_in_french(app, coordinator):
    training_session = french_session()
    enrollment = nominee(
        training_session, given_name="Awa", family_name="Traoré", email="awa@example.org"
    )

    confirm_now(enrollment, coordinator)

    [message] = outbox()
    title = training_session.curriculum.title_fr
    assert message.to_address == "awa@example.org" and message.to_name == "Awa Traoré"
    assert message.locale == "fr"
    assert message.kind == "enrollment.confirmed"
    assert message.reference == f"enrollment:{enrollment.id}"
    assert message.subject == f"Votre place est confirmée : « {title} »"
    assert "Votre place dans la session ci-dessous est confirmée." in message.text_body
    assert "2 mars 2026 – 4 mars 2026" in message.text_body
    assert "École nationale de police, Niamey, Niger" in message.text_body
    assert training_session.code in message.text_body
    assert message.html_body is not None and '<html lang="fr">' in message.html_body
    assert "est confirmée" in message.html_body and "École nationale de police" in message.html_body
    [attachment] = message.attachments
    assert attachment.content_type == "application/pdf"
    assert attachment.filename == f"convocation-{training_session.code}-TRAORE.pdf"
    assert attachment.size == len(attachment.data)
    letter = pdf_text(attachment.data)
    assert "Awa Traoré" in letter and training_session.code in letter
    assert "LETTRE DE CONVOCATION" in letter and title in letter


def test_an_english_speaking_nominee_reads_english_whatever_the_sessions_language(app, coordinator):
    training_session = french_session()
    user = factories.make_user("participant", locale="en")
    user.participant.email = "moussa@example.org"
    enrollment = factories.enroll(
        user.participant, training_session, status=EnrollmentStatus.NOMINATED
    )

    confirm_now(enrollment, coordinator)

    [message] = outbox("enrollment.confirmed")
    title = training_session.curriculum.title_en
    assert message.locale == "en"
    assert message.subject == f"Your place is confirmed: {title}"
    assert "Your place in the session below is confirmed." in message.text_body
    assert "March 2, 2026 – March 4, 2026" in message.text_body
    assert "Working language: French" in message.text_body
    # They have an account: the link to their trainings, on the public address.
    assert f"{app.config['ATELIER_PUBLIC_URL']}/me" in message.text_body
    letter = pdf_text(message.attachments[0].data)
    assert "LETTER OF INVITATION" in letter and title in letter


def test_an_english_session_writes_to_a_nominee_without_account_in_english(app, coordinator):
    training_session = french_session(language=SessionLanguage.ENGLISH)
    enrollment = nominee(training_session)

    confirm_now(enrollment, coordinator)

    [message] = outbox()
    assert message.locale == "en" and "/me" not in message.text_body


def test_an_arabic_session_writes_in_arabic_with_the_letter_in_arabic(app, coordinator):
    """Mail speaks Arabic, right to left, and so does the printed letter."""
    training_session = french_session(language=SessionLanguage.ARABIC)
    confirm_now(nominee(training_session), coordinator)
    [message] = outbox()
    assert message.locale == "ar"
    assert message.subject.startswith("تم تأكيد مكانك: «")
    assert "تم تأكيد مكانك في الدورة أدناه." in message.text_body
    assert message.html_body is not None and '<html lang="ar" dir="rtl">' in message.html_body
    assert "border-right:3px solid" in message.html_body
    letter = pdf_text(message.attachments[0].data)
    assert "رسالة دعوة" in letter and "الموضوع:" in letter and "Objet" not in letter


def test_a_nominee_moved_up_from_the_waiting_list_is_told_and_gets_the_letter(app, coordinator):
    training_session = french_session(capacity=1)
    first = factories.enroll(training_session=training_session)
    waiting = nominee(training_session, given_name="Fatou", email="fatou@example.org")
    confirm_now(waiting, coordinator)
    assert waiting.status == EnrollmentStatus.WAITLISTED

    withdraw(first, actor=coordinator)
    db.session.commit()

    assert waiting.status == EnrollmentStatus.CONFIRMED
    [message] = outbox("enrollment.confirmed")
    assert message.to_address == "fatou@example.org"
    assert message.subject.startswith("Une place s'est libérée : votre place est confirmée")
    assert "vous quittez la liste d'attente" in message.text_body
    assert "Fatou" in pdf_text(message.attachments[0].data)


# --- wait-listed -------------------------------------------------------------


def test_a_wait_listed_nominee_is_told_their_position_without_a_letter(app, coordinator):
    training_session = french_session(capacity=1, language=SessionLanguage.ENGLISH)
    factories.enroll(training_session=training_session)
    factories.enroll(
        training_session=training_session, status=EnrollmentStatus.WAITLISTED, waitlist_position=1
    )
    enrollment = nominee(training_session, email="ibrahim@example.org")

    confirm_now(enrollment, coordinator)

    assert enrollment.waitlist_position == 2
    [message] = outbox()
    assert message.kind == "enrollment.waitlisted" and message.to_address == "ibrahim@example.org"
    assert message.subject == f"Waiting list: {training_session.curriculum.title_en}"
    assert "on its waiting list, in position 2." in message.text_body
    assert "in position 2." in (message.html_body or "")
    assert message.attachments == []


# --- certificate -------------------------------------------------------------


def test_the_holder_of_a_new_certificate_gets_its_verification_link_not_the_pdf(app, coordinator):
    training_session = completed_session()
    enrollment = graduate(
        training_session, participant=factories.make_participant(email="a@example.org")
    )

    certificate = issue_certificate(enrollment, coordinator)
    db.session.commit()

    [message] = outbox()
    assert message.kind == "certificate.issued" and message.locale == "fr"
    assert message.reference == f"certificate:{certificate.id}"
    title = training_session.curriculum.title_fr
    assert message.subject == f"Votre certificat : « {title} »"
    link = f"{app.config['ATELIER_PUBLIC_URL']}/verify/{certificate.verification_code}"
    assert link in message.text_body and f'href="{link}"' in (message.html_body or "")
    assert certificate.serial in message.text_body
    assert message.attachments == []
    assert "%PDF" not in message.text_body + (message.html_body or "")


def test_the_link_follows_the_public_address_not_the_request(app, client, monkeypatch):
    """A forged Host header never reaches a message (link poisoning)."""
    from tests.conftest import TEST_PASSWORD

    coordinator = factories.make_user("coordinator")
    training_session = completed_session()
    enrollment = graduate(training_session)
    db.session.commit()
    forged = "http://evil.example.com"
    monkeypatch.setitem(app.config, "ATELIER_PUBLIC_URL", "https://atelier.example.org")
    client.post(
        "/login", data={"email": coordinator.email, "password": TEST_PASSWORD}, base_url=forged
    )
    response = client.post(f"/sessions/{training_session.id}/certificates/issue", base_url=forged)
    assert response.status_code == 303
    assert "/jobs/" in response.headers["Location"]
    [message] = outbox("certificate.issued")
    code = enrollment.current_certificate.verification_code
    assert f"https://atelier.example.org/verify/{code}" in message.text_body
    assert "evil.example.com" not in message.text_body + (message.html_body or "")


def test_issuing_a_batch_tells_each_holder_once(app, coordinator):
    training_session = completed_session()
    for _number in range(3):
        graduate(training_session)
    result = issue_all_eligible(training_session, coordinator)
    db.session.commit()
    assert len(result.issued) == 3
    assert len(outbox("certificate.issued")) == 3
    issue_all_eligible(training_session, coordinator)  # nothing left to issue
    db.session.commit()
    assert len(outbox("certificate.issued")) == 3


# --- trainers ----------------------------------------------------------------


def test_a_trainer_assigned_and_removed_is_told_each_time(app, coordinator):
    training_session = french_session()
    user = factories.make_user("trainer", locale="en")
    trainer = user.trainer
    trainer.email = "lead@example.org"
    factories.qualify(trainer, training_session.curriculum)

    assignment = sessions.assign_trainer(
        training_session, trainer, AssignmentRole.LEAD, actor=coordinator
    )
    db.session.commit()
    assignment_id = assignment.id
    sessions.remove_assignment(assignment, actor=coordinator)
    db.session.commit()

    assigned, removed = outbox()
    assert (assigned.kind, removed.kind) == ("assignment.created", "assignment.removed")
    assert assigned.to_address == removed.to_address == "lead@example.org"
    assert assigned.locale == removed.locale == "en"
    assert assigned.reference == removed.reference == f"assignment:{assignment_id}"
    assert assigned.subject == f"You are assigned to session {training_session.code}"
    assert "as lead trainer." in assigned.text_body
    assert "March 2, 2026 – March 4, 2026" in assigned.text_body
    public = app.config["ATELIER_PUBLIC_URL"]
    assert f"{public}/sessions/{training_session.id}" in assigned.text_body
    assert removed.subject == f"You are no longer assigned to session {training_session.code}"
    assert "(you were lead trainer)" in removed.text_body


def test_a_trainer_without_account_reads_the_sessions_language(app, coordinator):
    training_session = french_session()
    trainer = factories.make_trainer(email="co@example.org")
    factories.qualify(trainer, training_session.curriculum)
    sessions.assign_trainer(training_session, trainer, AssignmentRole.CO_TRAINER, actor=coordinator)
    db.session.commit()
    [message] = outbox()
    assert message.locale == "fr"
    assert message.subject == f"Affectation à la session {training_session.code}"
    assert "co-formateur" in message.text_body.lower()
    assert "/sessions/" not in message.text_body  # no account: no link to sign in to


# --- when nothing is sent ----------------------------------------------------


def test_with_the_sessions_switch_off_nothing_is_queued(app, coordinator):
    training_session = french_session(capacity=1, send_notifications=False)
    confirmed = nominee(training_session)
    waiting = nominee(training_session)
    confirm_now(confirmed, coordinator)
    confirm_now(waiting, coordinator)
    trainer = factories.make_trainer()
    factories.qualify(trainer, training_session.curriculum)
    assignment = sessions.assign_trainer(
        training_session, trainer, AssignmentRole.LEAD, actor=coordinator
    )
    sessions.remove_assignment(assignment, actor=coordinator)
    withdraw(confirmed, actor=coordinator)  # the waiting one moves up
    done = completed_session(send_notifications=False)
    issue_certificate(graduate(done), coordinator)
    db.session.commit()

    assert waiting.status == EnrollmentStatus.CONFIRMED
    assert outbox() == []


@pytest.mark.parametrize("address", [None, "", "   ", "not-an-address", "two@example.org, x@y.org"])
def test_a_person_without_a_usable_address_gets_nothing_and_nothing_fails(
    app, coordinator, address
):
    training_session = french_session()
    enrollment = nominee(training_session, email=address)
    trainer = factories.make_trainer(email=address)
    factories.qualify(trainer, training_session.curriculum)

    confirm_now(enrollment, coordinator)
    sessions.assign_trainer(training_session, trainer, AssignmentRole.LEAD, actor=coordinator)
    db.session.commit()

    assert enrollment.status == EnrollmentStatus.CONFIRMED
    assert trainer.assignments
    assert outbox() == []


def test_a_rollback_leaves_no_message(app, coordinator):
    training_session = french_session()
    enrollment = nominee(training_session)
    db.session.commit()

    confirm(enrollment, actor=coordinator)
    assert len(outbox()) == 1  # written in the transaction...
    db.session.rollback()

    assert outbox() == []  # ...and gone with it
    assert db.session.get(type(enrollment), enrollment.id).status == EnrollmentStatus.NOMINATED


def test_nothing_is_written_while_silenced(app, coordinator):
    training_session = completed_session()
    with silenced():
        issue_certificate(graduate(training_session), coordinator)
    db.session.commit()
    assert outbox() == []


# --- safety ------------------------------------------------------------------


def test_a_name_with_a_line_break_cannot_add_a_header(app, coordinator):
    training_session = french_session()
    enrollment = nominee(
        training_session,
        given_name="Awa\r\nBcc: everyone@example.org\r\n",
        family_name="Traoré\nX-Injected: yes",
        email="awa@example.org",
    )
    confirm_now(enrollment, coordinator)

    [message] = outbox()
    assert "\n" not in message.to_name and "\r" not in message.to_name
    sent = message_from_bytes(build_email(message).as_bytes(), policy=policy.default)
    assert sent.get_all("Bcc") is None and sent.get_all("X-Injected") is None
    assert sent.get_all("To") == [
        '"Awa Bcc: everyone@example.org Traoré X-Injected: yes" <awa@example.org>'
    ]
    assert sent["To"].addresses[0].addr_spec == "awa@example.org"


def test_html_escapes_what_people_typed_and_loads_nothing_from_the_internet(app, coordinator):
    training_session = french_session(venue='<img src="https://tracker.example/p.gif">')
    enrollment = nominee(training_session, given_name="<script>alert(1)</script>")
    confirm_now(enrollment, coordinator)
    [message] = outbox()
    html = message.html_body or ""
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and "&lt;img" in html
    assert "https://" not in html.replace("https://tracker.example", "")
