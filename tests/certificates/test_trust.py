"""What a verifier downloads (/verify/root-key.json, /verify/trust-list.json,
/verify/status.json) and how it decides with them and no network
(training.certificates.offline, the rules the scan page follows)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from tests.certificates.conftest import completed_session, graduate
from training.certificates import keys, offline, services, signing, trust
from training.extensions import db


@pytest.fixture
def issued(app):
    """A signed certificate, valid, and the documents as a verifier fetches them."""
    return services.issue_certificate(graduate(completed_session()), None)


def fetch(client, name: str):
    response = client.get(f"/verify/{name}")
    assert response.status_code == 200, response.text
    return response, json.loads(response.data)


def documents(client):
    return {name: fetch(client, f"{name}.json")[1] for name in ("root-key", "trust-list", "status")}


def scan(certificate) -> str:
    return signing.qr_text("https://atelier.example.org", certificate.signed_payload)


@pytest.mark.parametrize("name", ["root-key", "trust-list", "status"])
def test_the_documents_are_public_and_cacheable_by_anyone(client, issued, name):
    response, _body = fetch(client, f"{name}.json")
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers
    again = client.get(f"/verify/{name}.json", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_the_documents_stay_cacheable_for_a_signed_in_user(client, login_as, issued):
    login_as("participant")
    response, _body = fetch(client, "status.json")
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_the_trust_list_and_status_are_signed_by_the_root_key(client, issued):
    found = documents(client)
    root = found["root-key"]
    assert root["type"] == "atelier-root-key" and root["alg"] == "ES256"
    assert root["kid"] == keys.root_key().kid
    public = signing.public_key_from_jwk(root["jwk"])
    listed = signing.open_document(found["trust-list"], public)
    assert found["trust-list"]["kid"] == root["kid"]
    assert listed["type"] == "atelier-trust-list"
    (entry,) = listed["keys"]
    assert entry["kid"] == issued.signing_key.kid and entry["status"] == "active"
    assert entry["not_before"] == issued.signing_key.not_before.isoformat()
    assert entry["jwk"]["crv"] == "P-256"
    status = signing.open_document(found["status"], public)
    assert status["type"] == "atelier-status" and status["revoked"] == []
    made = datetime.fromisoformat(status["issued_at"].replace("Z", "+00:00"))
    due = datetime.fromisoformat(status["next_update"].replace("Z", "+00:00"))
    assert due - made == timedelta(days=1)
    # The root key is not among the keys that sign certificates.
    assert root["kid"] not in {key["kid"] for key in listed["keys"]}


def test_a_document_signed_by_another_key_is_not_trusted(client, issued):
    found = documents(client)
    impostor = signing.new_private_key()
    body = signing.open_document(
        found["status"], signing.public_key_from_jwk(found["root-key"]["jwk"])
    )
    forged = signing.sign_document(body, bytes.fromhex(found["root-key"]["kid"]), impostor)
    with pytest.raises(offline.UntrustedDocument):
        offline.verify_offline(
            scan(issued), found["trust-list"], forged, found["root-key"]["jwk"], datetime.now(UTC)
        )


def test_a_status_list_cannot_pass_for_a_trust_list(client, issued):
    found = documents(client)
    with pytest.raises(offline.UntrustedDocument):
        offline.verify_offline(
            scan(issued),
            found["status"],
            found["status"],
            found["root-key"]["jwk"],
            datetime.now(UTC),
        )


def decide(client, certificate, now: datetime | None = None):
    found = documents(client)
    return offline.verify_offline(
        scan(certificate),
        found["trust-list"],
        found["status"],
        found["root-key"]["jwk"],
        now or datetime.now(UTC),
    )


def test_offline_a_valid_certificate_shows_what_it_states(client, issued):
    result = decide(client, issued)
    assert result.state == "valid" and not result.status_stale
    assert result.claims.serial == issued.serial
    assert result.claims.holder_name == issued.holder_name
    assert result.claims.course_code == issued.enrollment.training_session.curriculum.code
    assert result.claims.issued_on == issued.issued_at.date()


def test_offline_a_revoked_serial(client, issued):
    services.revoke_certificate(issued, None, "Issued in error")
    db.session.flush()
    assert decide(client, issued).state == "revoked"


def test_offline_a_compromised_key(client, issued):
    keys.mark_compromised(issued.signing_key.kid, "Stolen")
    db.session.flush()
    assert decide(client, issued).state == "compromised"


def test_offline_a_retired_key_still_verifies_what_it_signed(client, issued):
    keys.rotate_signing_key()
    db.session.flush()
    assert decide(client, issued).state == "valid"


def test_offline_a_key_outside_its_window(client, issued):
    issued.signing_key.not_before = issued.issued_at.date() + timedelta(days=1)
    issued.signing_key.not_after = issued.issued_at.date() + timedelta(days=30)
    db.session.flush()
    assert decide(client, issued).state == "outside_window"


def test_offline_an_altered_code_is_forged(client, issued):
    text = scan(issued)
    found = documents(client)
    altered = text[:-10] + ("A" if text[-10] != "A" else "B") + text[-9:]
    result = offline.verify_offline(
        altered, found["trust-list"], found["status"], found["root-key"]["jwk"], datetime.now(UTC)
    )
    assert result.state == "forged" and result.claims is None


def test_offline_an_expired_certificate(client, app):
    training_session = completed_session()
    training_session.curriculum.certificate_validity_months = 12
    certificate = services.issue_certificate(graduate(training_session), None)
    later = datetime.now(UTC) + timedelta(days=800)
    found = documents(client)
    result = offline.verify_offline(
        scan(certificate), found["trust-list"], found["status"], found["root-key"]["jwk"], later
    )
    assert result.state == "expired"


def test_offline_a_stale_status_list_says_so(client, issued):
    found = documents(client)
    two_days_later = datetime.now(UTC) + timedelta(days=2)
    result = offline.verify_offline(
        scan(issued), found["trust-list"], found["status"], found["root-key"]["jwk"], two_days_later
    )
    assert result.state == "valid" and result.status_stale
    assert result.status_issued_at < two_days_later - timedelta(days=1)


def test_the_status_is_made_again_when_a_revocation_changes_it(app, issued):
    first = trust.status_document()
    assert trust.status_document() == first  # the same signed bytes, kept
    services.revoke_certificate(issued, None, "Issued in error")
    db.session.flush()
    second = trust.status_document()
    assert second != first
    root = signing.load_public_key(keys.root_key().public_key)
    assert signing.open_document(json.loads(second), root)["revoked"] == [issued.serial]


def test_the_status_is_made_again_after_an_hour(app, issued):
    first = trust.status_document()
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=30)):
        assert trust.status_document() == first
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=61)):
        later = trust.status_document()
    assert later != first
    root = signing.load_public_key(keys.root_key().public_key)
    body = signing.open_document(json.loads(later), root)
    due = datetime.fromisoformat(body["next_update"].replace("Z", "+00:00"))
    assert due > datetime.now(UTC) + timedelta(hours=23)


def test_the_trust_list_follows_a_key_change(app, issued):
    first = trust.trust_list_document()
    assert trust.trust_list_document() == first
    keys.rotate_signing_key()
    db.session.flush()
    root = signing.load_public_key(keys.root_key().public_key)
    listed = signing.open_document(json.loads(trust.trust_list_document()), root)["keys"]
    assert [key["status"] for key in listed] == ["retired", "active"]
    assert listed[0]["not_after"] == date.today().isoformat()


@pytest.mark.parametrize("name", ["root-key", "trust-list", "status"])
def test_without_a_root_key_the_documents_say_so(client, app, name):
    response = client.get(f"/verify/{name}.json")
    assert response.status_code == 404
    assert "flask keys create" in response.json["error"]


def test_every_server_serves_the_document_another_one_signed(client, issued):
    """The signed bytes live in the database: a server that did not sign
    them (no copy of its own) serves the stored ones, same bytes, same
    ETag; a newer document another server stored meanwhile wins."""
    from training.certificates.models import SignedDocument

    first = client.get("/verify/trust-list.json")
    stored = db.session.get(SignedDocument, "trust-list")
    assert stored.content == first.data
    # Another server made it again a moment later (its own signature).
    other = json.loads(first.data) | {"issued_at": "2099-01-01T00:00:00Z"}
    stored.content = signing.json_bytes(other)
    stored.made_at = stored.made_at + timedelta(seconds=1)
    db.session.commit()
    again = client.get("/verify/trust-list.json")
    assert again.data == stored.content
    assert again.headers["ETag"] != first.headers["ETag"]


def test_a_rotation_through_one_server_changes_the_document_every_server_serves(client, issued):
    from training.certificates.models import SignedDocument

    root = signing.load_public_key(keys.root_key().public_key)
    before = signing.open_document(fetch(client, "trust-list.json")[1], root)
    keys.rotate_signing_key()
    db.session.commit()
    response, after = fetch(client, "trust-list.json")
    assert len(signing.open_document(after, root)["keys"]) == len(before["keys"]) + 1
    assert db.session.get(SignedDocument, "trust-list").content == response.data
