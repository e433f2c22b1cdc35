"""The verification pages of signed certificates: the QR code's /V/ address,
typed verification with a serial and the family name, the participant's
verification link, and who may open each (everyone)."""

from __future__ import annotations

from datetime import timedelta

import cbor2
import pytest

from tests.certificates.test_views import ROLES, issued, sign_in
from training.certificates import keys, services, signing
from training.extensions import db


def qr_path(certificate) -> str:
    return "/V/" + signing.encode_code(certificate.signed_payload)


# ------------------------------------------------------------- who may open


@pytest.mark.parametrize("role", ROLES)
def test_the_new_verification_routes_are_public_to_every_role(client, auth, world, role):
    certificate = issued(world)
    sign_in(client, auth, world, role)
    assert client.get(qr_path(certificate)).status_code == 200
    assert client.get(qr_path(certificate).lower()).status_code == 200
    assert client.get("/verify", query_string={"code": certificate.serial}).status_code == 200
    answer = client.post(
        "/verify/serial", data={"serial": certificate.serial, "family_name": "Nobody"}
    )
    assert answer.status_code == 404  # no match: an answer, not a refusal
    for name in ("root-key", "trust-list", "status"):
        assert client.get(f"/verify/{name}.json").status_code == 200


def test_the_serial_form_needs_its_csrf_token(csrf_app, client, world):
    certificate = issued(world)
    response = client.post(
        "/verify/serial", data={"serial": certificate.serial, "family_name": "Traoré"}
    )
    assert response.status_code == 400


def test_the_serial_form_with_its_token_verifies(csrf_app, client, world):
    certificate = issued(world)
    page = client.get("/verify", query_string={"code": certificate.serial}).text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/verify/serial",
        data={
            "csrf_token": token,
            "serial": certificate.serial,
            "family_name": certificate.holder_family_name,
        },
    )
    assert response.status_code == 200 and 'data-verification="valid"' in response.text


# ---------------------------------------------------------- the QR address


def test_the_qr_address_verifies_its_signature_then_the_register(client, world):
    certificate = issued(world)
    response = client.get(qr_path(certificate))
    assert response.status_code == 200
    assert 'data-verification="valid"' in response.text
    assert 'data-signature="checked"' in response.text
    assert certificate.holder_name in response.text
    assert certificate.signing_key.kid in response.text


def test_the_qr_address_reads_in_any_case(client, world):
    certificate = issued(world)
    code = signing.encode_code(certificate.signed_payload)
    for path in (f"/V/{code}", f"/v/{code}", f"/v/{code.lower()}", f"/V/{code.lower()}"):
        assert 'data-verification="valid"' in client.get(path).text


def test_the_links_to_it_are_upper_case(app):
    from flask import url_for

    with app.test_request_context():
        assert url_for("certificates.verify_signed", code="ABC") == "/V/ABC"


def test_an_altered_qr_code_is_not_genuine(client, world):
    certificate = issued(world)
    message = signing.parse_sign1(certificate.signed_payload)
    claims = signing.decode_claims(message.payload)
    other = signing.Claims(**{**claims.__dict__, "holder_name": "Impostor Name"})
    forged = cbor2.dumps(
        cbor2.CBORTag(18, [message.protected, {}, signing.encode_claims(other), message.signature])
    )
    response = client.get("/V/" + signing.encode_code(forged))
    assert response.status_code == 200
    assert 'data-verification="forged"' in response.text and "Not genuine." in response.text
    assert "Impostor Name" not in response.text


def test_a_code_signed_by_a_key_not_in_the_trust_list_is_not_genuine(client, world):
    certificate = issued(world)
    stranger = signing.new_private_key()
    message = signing.parse_sign1(certificate.signed_payload)
    claims = signing.decode_claims(message.payload)
    forged = signing.sign_claims(claims, signing.key_id(stranger.public_key()), stranger)
    response = client.get("/V/" + signing.encode_code(forged))
    assert 'data-verification="forged"' in response.text


def test_a_code_outside_its_keys_window_is_not_genuine(client, world):
    certificate = issued(world)
    key = certificate.signing_key
    key.not_before = certificate.issued_at.date() + timedelta(days=1)
    key.not_after = key.not_before + timedelta(days=30)
    db.session.commit()
    response = client.get(qr_path(certificate))
    assert 'data-verification="outside_window"' in response.text
    assert "not valid on the date" in response.text


def test_a_compromised_key_says_the_certificate_cannot_be_trusted(client, world):
    certificate = issued(world)
    keys.mark_compromised(certificate.signing_key.kid, "Stolen")
    db.session.commit()
    for path in (qr_path(certificate), f"/verify/{certificate.verification_code}"):
        response = client.get(path)
        assert 'data-verification="compromised"' in response.text
        assert "Cannot be trusted." in response.text
        assert certificate.holder_name not in response.text


def test_a_revoked_certificate_shows_as_revoked_from_its_qr_code(client, world):
    certificate = issued(world)
    services.revoke_certificate(certificate, world.coordinator, "Issued in error")
    db.session.commit()
    response = client.get(qr_path(certificate))
    assert 'data-verification="revoked"' in response.text
    assert "Issued in error" not in response.text


def test_a_signed_code_the_register_does_not_hold_is_unknown(client, world):
    """Signed by a trusted key, yet not what the register holds for this
    serial: the online page believes the register."""
    certificate = issued(world)
    signer = keys.certificate_signer()
    claims = signing.decode_claims(signing.parse_sign1(certificate.signed_payload).payload)
    resigned = signing.sign_claims(claims, signer.kid, signer.private_key)
    assert client.get("/V/" + signing.encode_code(resigned)).status_code == 404


@pytest.mark.parametrize("code", ["A", "NOT-BASE32!", "AAAAAAAA", "7" * 3000])
def test_garbage_after_v_is_not_genuine_never_an_error(client, app, code):
    response = client.get(f"/V/{code}")
    assert response.status_code == 200
    assert 'data-verification="forged"' in response.text


def test_a_pasted_qr_address_leads_to_its_page(client, world):
    certificate = issued(world)
    text = signing.qr_text("https://atelier.example.org", certificate.signed_payload)
    response = client.get("/verify", query_string={"code": text})
    assert response.status_code == 302
    assert response.headers["Location"] == qr_path(certificate)


def test_existing_verification_codes_keep_verifying(client, world):
    certificate = issued(world)
    response = client.get(f"/verify/{certificate.grouped_code}")
    assert 'data-verification="valid"' in response.text


# ------------------------------------------------------ typed verification


def test_a_typed_serial_asks_for_the_family_name(client, world):
    certificate = issued(world)
    response = client.get("/verify", query_string={"code": certificate.serial.lower()})
    assert response.status_code == 200
    assert 'data-step="family-name"' in response.text
    assert f"Serial {certificate.serial}" in response.text
    assert 'name="family_name"' in response.text


def test_the_name_form_never_says_whether_the_serial_exists(client, world):
    certificate = issued(world)
    unknown = "ATL-2026-999999"
    real = client.get("/verify", query_string={"code": certificate.serial}).text
    fake = client.get("/verify", query_string={"code": unknown}).text
    assert real.replace(certificate.serial, "X") == fake.replace(unknown, "X")


@pytest.mark.parametrize("typed", ["{family}", "{upper}", "  {folded}  ", "{folded_upper}"])
def test_a_serial_and_the_right_family_name_verify(client, world, typed):
    certificate = issued(world)
    family = "N'Diaye-Maïga"
    certificate.holder_family_name = family
    db.session.commit()
    name = typed.format(
        family=family, upper=family.upper(), folded="ndiaye maiga", folded_upper="NDIAYE MAIGA"
    )
    response = client.post(
        "/verify/serial", data={"serial": certificate.serial, "family_name": name}
    )
    assert response.status_code == 200
    assert 'data-verification="valid"' in response.text
    assert certificate.holder_name in response.text


def test_a_serial_typed_as_read_over_a_telephone_verifies(client, world):
    certificate = issued(world)
    year, number = certificate.serial.split("-")[1:]
    spoken = f"atl {year} {int(number)}"
    response = client.post(
        "/verify/serial",
        data={"serial": spoken, "family_name": certificate.holder_family_name},
    )
    assert 'data-verification="valid"' in response.text


def test_a_wrong_name_and_an_unknown_serial_get_the_same_answer(client, world):
    certificate = issued(world)
    wrong = client.post(
        "/verify/serial", data={"serial": certificate.serial, "family_name": "Dupont"}
    )
    unknown = client.post(
        "/verify/serial", data={"serial": "ATL-2026-999999", "family_name": "Dupont"}
    )
    assert wrong.status_code == unknown.status_code == 404
    assert "No certificate matches this serial and family name." in wrong.text
    assert wrong.text.replace(certificate.serial, "X") == unknown.text.replace(
        "ATL-2026-999999", "X"
    )
    assert certificate.holder_name not in wrong.text


def test_a_revoked_certificate_typed_with_its_name_says_revoked(client, world):
    certificate = issued(world)
    services.revoke_certificate(certificate, world.coordinator, "Issued in error")
    db.session.commit()
    response = client.post(
        "/verify/serial",
        data={"serial": certificate.serial, "family_name": certificate.holder_family_name},
    )
    assert 'data-verification="revoked"' in response.text


def test_certificates_issued_before_keep_the_participants_family_name(client, world):
    """Issued before the family name was frozen: the migration filled it
    from the participant; a row it missed falls back to the participant."""
    certificate = issued(world)
    certificate.holder_family_name = None
    db.session.commit()
    response = client.post(
        "/verify/serial",
        data={
            "serial": certificate.serial,
            "family_name": world.enrollment.participant.family_name,
        },
    )
    assert 'data-verification="valid"' in response.text


def test_typed_verification_is_rate_limited_with_the_verify_pages(client, world, app):
    certificate = issued(world)
    app.config["VERIFY_RATE_LIMIT"] = "3 per minute"
    try:
        for name in ("Dupont", "Durand", "Martin"):
            data = {"serial": certificate.serial, "family_name": name}
            assert client.post("/verify/serial", data=data).status_code == 404
        data = {"serial": certificate.serial, "family_name": certificate.holder_family_name}
        response = client.post("/verify/serial", data=data)
        assert response.status_code == 429
        assert client.get(qr_path(certificate)).status_code == 429
    finally:
        app.config["VERIFY_RATE_LIMIT"] = "30 per minute"


def test_the_name_stays_out_of_addresses(client, world):
    certificate = issued(world)
    page = client.get("/verify", query_string={"code": certificate.serial}).text
    assert 'method="post" action="/verify/serial"' in page


def test_the_verify_page_says_where_to_find_the_serial(client, app):
    page = client.get("/verify").text
    assert "the serial is printed at the bottom right of the certificate" in page
    assert "<svg" in page and 'aria-labelledby="where-to-find-caption"' in page


def test_the_verify_page_in_french_names_the_issuers_in_french(client, world):
    certificate = issued(world)
    page = client.get(qr_path(certificate), headers={"Accept-Language": "fr"}).text
    assert "ONUDC · DOP" in page
    assert "Certificat valide" in page


# --------------------------------------------------- the participant's link


def test_the_participant_sees_the_full_link_with_a_copy_button(client, login_as, world):
    certificate = issued(world)
    login_as(world.owner)
    public_url = client.application.config["ATELIER_PUBLIC_URL"]
    link = f"{public_url}/verify/{certificate.verification_code}"
    for path in ("/me", "/"):
        page = client.get(path).text
        assert f'value="{link}" readonly' in page  # selectable without JavaScript
        assert f'data-copy="verification-link-{certificate.id}"' in page
        assert "hidden>Copy</button>" in page  # shown by the script where it can copy
        assert "js/certificates.js" in page
    with client.get("/static/js/certificates.js") as response:
        script = response.text
    assert "navigator.clipboard" in script and "data-copy" in script


def test_a_revoked_certificate_offers_no_link(client, login_as, world):
    certificate = issued(world)
    services.revoke_certificate(certificate, world.coordinator, "Issued in error")
    db.session.commit()
    login_as(world.owner)
    assert certificate.verification_code not in client.get("/me").text


def test_a_certificate_issued_before_signing_keeps_verifying(client, app):
    """No signed payload, no frozen family name: its code and its serial
    with the participant's family name still verify."""
    from datetime import date

    from tests import factories
    from training.certificates.models import Certificate

    enrollment = factories.enroll()
    db.session.add(
        Certificate(
            enrollment=enrollment,
            current_enrollment_id=enrollment.id,
            kind="completion",
            serial="ATL-2025-000007",
            verification_code="B" * 32,
            holder_name="Awa Sow",
            course_title_en="Course",
            course_title_fr="Cours",
            session_code="NE-2025-001",
            start_date=date(2025, 3, 10),
            end_date=date(2025, 3, 14),
            city="Niamey",
            country="NE",
            language="fr",
            total_hours=24,
            issuers="UNODC; DPO",
            pdf=b"%PDF-frozen",
        )
    )
    db.session.commit()
    assert 'data-verification="valid"' in client.get("/verify/" + "B" * 32).text
    response = client.post(
        "/verify/serial",
        data={"serial": "ATL-2025-000007", "family_name": enrollment.participant.family_name},
    )
    assert 'data-verification="valid"' in response.text
