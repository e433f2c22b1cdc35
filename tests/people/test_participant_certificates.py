"""A participant's page lists their certificates with the full address of
each one's verification page, ready to copy and send."""

from __future__ import annotations

import pytest

from tests import factories
from tests.reports.conftest import make_certificate
from training.extensions import db


@pytest.fixture
def certified(app):
    enrollment = factories.enroll()
    certificate = make_certificate(enrollment)
    db.session.commit()
    return enrollment.participant, certificate


def test_the_participant_page_gives_the_absolute_verification_address(
    app, client, login_as, certified, monkeypatch
):
    participant, certificate = certified
    monkeypatch.setitem(app.config, "ATELIER_PUBLIC_URL", "https://atelier.example.org")
    login_as("coordinator")
    page = client.get(f"/participants/{participant.id}").text
    address = f"https://atelier.example.org/verify/{certificate.verification_code}"
    assert f'value="{address}" readonly' in page
    assert certificate.serial in page
    assert 'data-copy="verification-link-' in page and "js/certificates.js" in page


def test_a_participant_without_certificates_says_so(client, login_as):
    participant = factories.make_participant()
    db.session.commit()
    login_as("coordinator", locale="fr")
    page = client.get(f"/participants/{participant.id}").text
    assert "/verify/" not in page
    assert 'id="certificates"' in page
