"""A session's print PDF: every valid certificate, each page the page that
was issued. Pages whose render digest still matches are drawn again in one
document that shares fonts and artwork; any other is its stored page,
copied unchanged, in its place."""

from __future__ import annotations

import io

import sqlalchemy as sa
from pypdf import PdfReader

from tests import factories
from tests.certificates.conftest import completed_session, graduate
from training.certificates import documents, services, statements
from training.certificates.models import Certificate
from training.extensions import db
from training.pdf.certificate_digest import render_digest


def _session_with(count: int):
    training_session = completed_session()
    for number in range(count):
        graduate(
            training_session, participant=factories.make_participant(family_name=f"Ba{number}")
        )
    coordinator = factories.make_user("coordinator")
    db.session.commit()
    services.issue_all_eligible(training_session, coordinator)
    db.session.commit()
    return training_session, coordinator


def _texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _stored_texts(certificates) -> list[str]:
    return [_texts(certificate.pdf)[0] for certificate in certificates]


def _contents(pdf: bytes) -> list[bytes]:
    return [page.get_contents().get_data() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_every_new_certificate_records_what_its_page_was_drawn_from(app):
    training_session, _ = _session_with(3)
    settings = statements.certificate_settings()
    for certificate in documents.session_certificates(training_session):
        assert certificate.render_digest == render_digest(
            statements.certificate_data(certificate, settings)
        )


def test_pages_drawn_again_say_what_the_stored_ones_say_in_one_small_file(app):
    training_session, _ = _session_with(12)
    certificates = documents.session_certificates(training_session, with_pdf=True)
    printed = documents.print_pdf(certificates)
    assert _texts(printed) == _stored_texts(certificates)  # each in its place
    # Drawn again, not merged: one document, its fonts and artwork shared.
    assert len(printed) < sum(len(c.pdf) for c in certificates) / 3
    assert _contents(printed)[0] != _contents(certificates[0].pdf)[0]  # primed subsets


def test_after_a_change_of_signatory_the_earlier_pages_are_copied_as_issued(app):
    training_session, coordinator = _session_with(2)
    app.config["ATELIER_SIGNATORY_1_NAME"] = "Nouvelle Signataire"
    later = graduate(training_session, participant=factories.make_participant(family_name="Ab"))
    db.session.commit()
    services.issue_certificate(later, coordinator)
    db.session.commit()

    certificates = documents.session_certificates(training_session, with_pdf=True)
    assert certificates[0].enrollment_id == later.id  # "Ab" first
    printed = documents.print_pdf(certificates)
    texts = _texts(printed)
    assert texts == _stored_texts(certificates)
    assert "Nouvelle Signataire" in texts[0]
    assert all("Nouvelle Signataire" not in text for text in texts[1:])
    # The two issued before are their stored pages, byte for byte.
    contents = _contents(printed)
    for index in (1, 2):
        assert contents[index] == _contents(certificates[index].pdf)[0]


def test_certificates_issued_before_the_digest_are_their_stored_pages(app):
    training_session, _ = _session_with(3)
    db.session.execute(sa.update(Certificate).values(render_digest=None))
    db.session.commit()
    certificates = documents.session_certificates(training_session, with_pdf=True)
    printed = documents.print_pdf(certificates)
    assert _contents(printed) == [_contents(c.pdf)[0] for c in certificates]
