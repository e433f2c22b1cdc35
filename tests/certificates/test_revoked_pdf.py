"""A revoked certificate's PDF is no longer served as if valid (issue 11,
item 7): its address answers 410 Gone with a page saying it was revoked,
and the frozen original stays in the database untouched."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from training.certificates import services
from training.certificates.models import Certificate
from training.extensions import db


def revoked(world) -> tuple[Certificate, bytes, str]:
    certificate = services.issue_certificate(world.enrollment, world.coordinator)
    db.session.commit()
    frozen, digest = certificate.pdf, certificate.pdf_sha256
    services.revoke_certificate(certificate, world.coordinator, "Issued to the wrong person")
    db.session.commit()
    return certificate, frozen, digest


@pytest.mark.parametrize("role", ["participant", "coordinator", "admin"])
def test_a_revoked_certificates_pdf_is_gone_with_a_page_saying_so(client, login_as, world, role):
    certificate, frozen, _digest = revoked(world)
    login_as(world.users[role])
    response = client.get(f"/certificates/{certificate.serial}.pdf")
    assert response.status_code == 410
    assert response.mimetype == "text/html"
    assert not response.data.startswith(b"%PDF")
    assert frozen not in response.data
    assert "Certificate revoked" in response.text
    assert f"Certificate {certificate.serial} was revoked on" in response.text
    # The coordinators' reason is not shown to whoever asks for the file.
    assert "wrong person" not in response.text
    assert response.headers["Cache-Control"] == "no-store"


def test_the_refusal_is_in_french_for_a_french_reader(client, login_as, world):
    certificate, _frozen, _digest = revoked(world)
    world.owner.locale = "fr"
    db.session.commit()
    login_as(world.owner)
    response = client.get(f"/certificates/{certificate.serial}.pdf")
    assert response.status_code == 410
    assert "a été révoqué le" in response.text and "plus disponible" in response.text


def test_the_frozen_original_stays_untouched(client, login_as, world):
    certificate, frozen, digest = revoked(world)
    login_as(world.owner)
    client.get(f"/certificates/{certificate.serial}.pdf")
    db.session.expire_all()
    stored = db.session.scalar(sa.select(Certificate).where(Certificate.id == certificate.id))
    assert stored.pdf == frozen
    assert stored.pdf_sha256 == digest == hashlib.sha256(stored.pdf).hexdigest()


def test_the_replacement_of_a_corrected_certificate_is_served(client, login_as, world):
    certificate = services.issue_certificate(world.enrollment, world.coordinator)
    db.session.commit()
    replacement = services.reissue_certificate(certificate, world.coordinator, "Name misspelt")
    db.session.commit()
    login_as(world.owner)
    assert client.get(f"/certificates/{certificate.serial}.pdf").status_code == 410
    response = client.get(f"/certificates/{replacement.serial}.pdf")
    assert response.status_code == 200 and response.data == replacement.pdf
