"""The signed payload, on its own: claims, COSE_Sign1, the QR code's text
and signed JSON (training.certificates.signing, no database)."""

from __future__ import annotations

import json
from datetime import date

import cbor2
import pytest

from training.certificates import signing
from training.certificates.offline import FORGED, OUTSIDE_WINDOW, VALID, TrustedKey, check_code
from training.certificates.signing import Claims, InvalidCode

CLAIMS = Claims(
    serial="ATL-2026-000123",
    holder_name="Aïcha Maïga-Traoré",
    course_code="CT-INV-01",
    course_title="Enquêtes et poursuites dans les affaires de terrorisme",
    kind="completion",
    start_date=date(2026, 3, 2),
    end_date=date(2026, 3, 6),
    issued_on=date(2026, 3, 6),
    valid_until=date(2029, 3, 6),
    issuer="UNODC; DPO; G5 Sahel Defence College",
)


@pytest.fixture(scope="module")
def key():
    return signing.new_private_key()


def trusted(private_key, **changes) -> dict[str, TrustedKey]:
    public = private_key.public_key()
    values = {
        "kid": signing.key_id(public).hex(),
        "public_key": public,
        "not_before": date(2026, 1, 1),
        "not_after": date(2027, 12, 31),
        "status": "active",
    }
    values.update(changes)
    entry = TrustedKey(**values)
    return {entry.kid: entry}


def signed(private_key, claims: Claims = CLAIMS) -> bytes:
    return signing.sign_claims(claims, signing.key_id(private_key.public_key()), private_key)


def test_the_claims_round_trip():
    assert signing.decode_claims(signing.encode_claims(CLAIMS)) == CLAIMS
    without_expiry = Claims(**{**CLAIMS.__dict__, "valid_until": None})
    assert signing.decode_claims(signing.encode_claims(without_expiry)) == without_expiry


def test_the_claims_are_compact_integer_keys_and_day_numbers():
    body = cbor2.loads(signing.encode_claims(CLAIMS))
    assert set(body) == set(range(11))
    assert body[signing.CLAIM_ISSUED] == (date(2026, 3, 6) - date(1970, 1, 1)).days == 20518
    assert body[signing.CLAIM_KIND] == 1
    assert len(signing.encode_claims(CLAIMS)) < 170


def test_the_signed_message_round_trips_and_checks(key):
    message = signed(key)
    parsed = signing.parse_sign1(message)
    assert parsed.algorithm == signing.ES256
    assert parsed.kid == signing.key_id(key.public_key())
    assert cbor2.loads(parsed.protected) == {1: -7, 4: parsed.kid}  # alg and kid are signed
    assert len(parsed.signature) == 64
    assert signing.signature_matches(parsed, key.public_key())
    assert signing.decode_claims(parsed.payload) == CLAIMS
    assert cbor2.loads(message).tag == 18


def test_the_qr_text_is_an_upper_case_alphanumeric_address(key):
    message = signed(key)
    text = signing.qr_text("https://atelier.example.org/", message)
    assert text.startswith("HTTPS://ATELIER.EXAMPLE.ORG/V/")
    assert set(text) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    assert "=" not in text
    assert signing.message_from_code(text) == message
    # Any case, with or without the address, reads the same message.
    code = text.rsplit("/", 1)[1]
    assert signing.message_from_code(code.lower()) == message
    assert signing.message_from_code(f"https://atelier.example.org/v/{code.lower()}") == message
    assert len(text) < 460  # about 440 characters: a version 16 symbol at level Q


def test_a_development_address_keeps_its_port():
    assert signing.qr_prefix("http://127.0.0.1:5000") == "HTTP://127.0.0.1:5000/V/"


def test_the_signature_checks_with_the_trusted_key(key):
    code = signing.encode_code(signed(key))
    checked = check_code(code, trusted(key))
    assert checked.state == VALID and checked.claims == CLAIMS


def test_an_altered_payload_is_forged(key):
    message = signing.parse_sign1(signed(key))
    altered = Claims(**{**CLAIMS.__dict__, "holder_name": "Someone Else"})
    forged = cbor2.dumps(
        cbor2.CBORTag(
            18, [message.protected, {}, signing.encode_claims(altered), message.signature]
        )
    )
    assert check_code(signing.encode_code(forged), trusted(key)).state == FORGED


@pytest.mark.parametrize("position", [0, 40, 120, -1])
def test_any_flipped_byte_is_forged(key, position):
    message = bytearray(signed(key))
    message[position] ^= 0x01
    assert check_code(signing.encode_code(bytes(message)), trusted(key)).state == FORGED


def test_a_message_signed_by_an_unlisted_key_is_forged(key):
    stranger = signing.new_private_key()
    assert check_code(signing.encode_code(signed(stranger)), trusted(key)).state == FORGED


def test_a_message_claiming_a_listed_kid_but_signed_by_another_key_is_forged(key):
    stranger = signing.new_private_key()
    kid = signing.key_id(key.public_key())
    message = signing.sign_claims(CLAIMS, kid, stranger)
    assert check_code(signing.encode_code(message), trusted(key)).state == FORGED


def test_a_key_outside_its_window_on_the_issue_date(key):
    code = signing.encode_code(signed(key))
    late = trusted(key, not_before=date(2026, 6, 1))
    early = trusted(key, not_after=date(2026, 3, 5))
    assert check_code(code, late).state == OUTSIDE_WINDOW
    assert check_code(code, early).state == OUTSIDE_WINDOW
    assert check_code(code, trusted(key, not_after=date(2026, 3, 6))).state == VALID


def test_a_message_whose_algorithm_is_not_in_the_protected_header_is_forged(key):
    payload = signing.encode_claims(CLAIMS)
    kid = signing.key_id(key.public_key())
    protected = cbor2.dumps({signing.HEADER_KEY_ID: kid})
    signature = signing.sign_bytes(key, signing.sig_structure(protected, payload))
    message = cbor2.dumps(cbor2.CBORTag(18, [protected, {1: -7}, payload, signature]))
    assert check_code(signing.encode_code(message), trusted(key)).state == FORGED


@pytest.mark.parametrize(
    "code",
    [
        "",
        "A",
        "ABC",  # not a possible base32 length
        "!!!!!!!!",
        signing.encode_code(b"\x01\x02"),  # CBOR, but trailing bytes
        signing.encode_code(cbor2.dumps(cbor2.CBORTag(98, []))),  # COSE_Sign, not Sign1
        signing.encode_code(cbor2.dumps([b"", {}, b"", b""])),  # empty everything
        signing.encode_code(b"\x81" * 600),  # deep nesting
        signing.encode_code(b"\x5b\xff\xff\xff\xff\xff\xff\xff\xff"),  # a huge declared length
        "A" * 3000,  # longer than any QR code
    ],
)
def test_anything_else_is_forged_without_an_error(key, code):
    assert check_code(code, trusted(key)).state == FORGED


def test_parse_refuses_what_is_not_cose():
    with pytest.raises(InvalidCode):
        signing.parse_sign1(cbor2.dumps({"not": "cose"}))


def test_the_cose_working_groups_example_verifies():
    """Interoperability: ECDSA-01 of the COSE Working Group's examples
    (github.com/cose-wg/Examples, ecdsa-examples/ecdsa-sig-01.json; the
    COSE_Sign1 example of RFC 9052, appendix C.2.1): the key id in the
    unprotected header, ES256 in the protected one."""
    key = signing.public_key_from_jwk(
        {
            "kty": "EC",
            "crv": "P-256",
            "x": "usWxHK2PmfnHKwXPS54m0kTcGJ90UiglWiGahtagnv8",
            "y": "IBOL-C3BttVivg-lSreASjpkttcsz-1rb7btKLv8EX4",
        }
    )
    message = bytes.fromhex(
        "D28445A201260300A10442313154546869732069732074686520636F6E74656E742E5840"
        "EAE868ECC176883766C5DC5BA5B8DCA25DAB3C2E56A551CE5705B793914348E1"
        "72727F48461FABBBA2E343492DDECAC3983686250BC68E9F1A7A07D41225B59F"
    )
    parsed = signing.parse_sign1(message)
    assert parsed.kid == b"11"
    assert parsed.payload == b"This is the content."
    assert parsed.to_be_signed() == bytes.fromhex(
        "846A5369676E61747572653145A2012603004054546869732069732074686520636F6E74656E742E"
    )
    assert signing.signature_matches(parsed, key)
    tampered = signing.Sign1(
        parsed.protected, parsed.algorithm, parsed.kid, b"This is the content!", parsed.signature
    )
    assert not signing.signature_matches(tampered, key)


def test_a_signed_document_opens_only_with_its_key(key):
    document = signing.sign_document({"type": "x", "list": ["é"]}, b"12345678", key)
    assert set(document) == {"alg", "kid", "payload", "signature"}
    assert document["kid"] == "3132333435363738"
    assert signing.open_document(document, key.public_key()) == {"type": "x", "list": ["é"]}
    # The payload is the JSON's bytes, in base64url; the signature is 64 raw
    # bytes (r then s), as WebCrypto's ECDSA verify takes them.
    assert json.loads(signing.from_b64url(document["payload"])) == {"list": ["é"], "type": "x"}
    assert len(signing.from_b64url(document["signature"])) == 64
    with pytest.raises(signing.InvalidDocument):
        signing.open_document(document, signing.new_private_key().public_key())
    altered = {**document, "payload": signing.b64url(b'{"type":"x","list":[]}')}
    with pytest.raises(signing.InvalidDocument):
        signing.open_document(altered, key.public_key())


def test_the_public_key_round_trips_as_a_json_web_key(key):
    public = key.public_key()
    assert signing.public_key_bytes(signing.public_key_from_jwk(signing.jwk(public))) == (
        signing.public_key_bytes(public)
    )
    assert len(signing.key_id(public)) == 8
