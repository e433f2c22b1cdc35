"""What a certificate's QR code carries, and the documents that let anyone
check it: plain data in, bytes out, no Flask, no database.

- The claims: what the certificate states, as a CBOR map with small
  integer keys and dates as days since 1970-01-01 (`encode_claims`).
- The signature: a COSE_Sign1 message (RFC 9052 §4.2), algorithm ES256
  (ECDSA on P-256 with SHA-256), the key id in the protected header
  (`sign_claims`, `parse_sign1`, `signature_matches`).
- The QR code's text: an upper-case address in QR alphanumeric mode,
  `HTTPS://HOST/V/` and the message in base32 without padding
  (`qr_text`, `message_from_code`).
- Signed JSON (the trust list, the status list): the JSON's UTF-8 bytes and
  an ES256 signature over exactly those bytes, both in base64url, as a
  browser's WebCrypto checks them (`sign_document`, `open_document`).

The cryptography is pyca/cryptography's (OpenSSL): key generation,
ECDSA signing and verification, SHA-256. The CBOR is cbor2's. What is
written here is only the framing both standards define: the COSE structure
and the Sig_structure it signs, and a signature's two integers r and s as
64 raw bytes (COSE and WebCrypto) rather than DER (OpenSSL).
docs/verification.md describes every byte for a verifier in another
language.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

COSE_SIGN1_TAG = 18
HEADER_ALGORITHM = 1
HEADER_KEY_ID = 4
ES256 = -7
CLAIMS_VERSION = 1
KEY_ID_BYTES = 8
SIGNATURE_BYTES = 64  # r and s, 32 bytes each
# The longest code accepted: a QR code of version 40 at level Q holds 2,420
# alphanumeric characters; nothing longer was ever printed.
MAX_CODE_LENGTH = 2_500
QR_PATH = "/V/"
EPOCH = date(1970, 1, 1)
_CURVE = ec.SECP256R1()
_ECDSA = ec.ECDSA(hashes.SHA256())


class InvalidCode(ValueError):
    """Not a signed certificate code: wrong characters, not CBOR, not a
    COSE_Sign1 message, or not ES256."""


# ------------------------------------------------------------------ claims

# The claims' keys. Integers keep the QR code small; the meaning of each is
# fixed by CLAIMS_VERSION (claim 0), docs/verification.md lists them.
CLAIM_VERSION = 0
CLAIM_SERIAL = 1
CLAIM_HOLDER = 2
CLAIM_COURSE_CODE = 3
CLAIM_COURSE_TITLE = 4
CLAIM_KIND = 5
CLAIM_START = 6
CLAIM_END = 7
CLAIM_ISSUED = 8
CLAIM_VALID_UNTIL = 9
CLAIM_ISSUER = 10
KIND_CODES = {"completion": 1, "participation": 2, "trainer": 3}
_KINDS_BY_CODE = {code: kind for kind, code in KIND_CODES.items()}


@dataclass(frozen=True)
class Claims:
    """What a certificate's signature vouches for: its frozen statement."""

    serial: str
    holder_name: str
    course_code: str
    course_title: str  # in the certificate's language
    kind: str  # completion, participation, trainer
    start_date: date
    end_date: date
    issued_on: date
    valid_until: date | None
    issuer: str  # "UNODC; DPO; ..." as frozen


def day_number(day: date) -> int:
    """Days since 1970-01-01: three bytes of CBOR for any date this century."""
    return (day - EPOCH).days


def from_day_number(days: int) -> date:
    return EPOCH + timedelta(days=days)


def encode_claims(claims: Claims) -> bytes:
    body: dict[int, Any] = {
        CLAIM_VERSION: CLAIMS_VERSION,
        CLAIM_SERIAL: claims.serial,
        CLAIM_HOLDER: claims.holder_name,
        CLAIM_COURSE_CODE: claims.course_code,
        CLAIM_COURSE_TITLE: claims.course_title,
        CLAIM_KIND: KIND_CODES[claims.kind],
        CLAIM_START: day_number(claims.start_date),
        CLAIM_END: day_number(claims.end_date),
        CLAIM_ISSUED: day_number(claims.issued_on),
        CLAIM_ISSUER: claims.issuer,
    }
    if claims.valid_until is not None:
        body[CLAIM_VALID_UNTIL] = day_number(claims.valid_until)
    return cbor2.dumps(body)


def decode_claims(payload: bytes) -> Claims:
    """The claims of a payload; InvalidCode when they are not claims of a
    version this code reads."""
    body = _load_cbor(payload)
    try:
        if not isinstance(body, Mapping) or body.get(CLAIM_VERSION) != CLAIMS_VERSION:
            raise InvalidCode("unknown claims version")
        valid_until = body.get(CLAIM_VALID_UNTIL)
        return Claims(
            serial=_text(body[CLAIM_SERIAL]),
            holder_name=_text(body[CLAIM_HOLDER]),
            course_code=_text(body[CLAIM_COURSE_CODE]),
            course_title=_text(body[CLAIM_COURSE_TITLE]),
            kind=_KINDS_BY_CODE[body[CLAIM_KIND]],
            start_date=from_day_number(_integer(body[CLAIM_START])),
            end_date=from_day_number(_integer(body[CLAIM_END])),
            issued_on=from_day_number(_integer(body[CLAIM_ISSUED])),
            valid_until=None if valid_until is None else from_day_number(_integer(valid_until)),
            issuer=_text(body[CLAIM_ISSUER]),
        )
    except (KeyError, TypeError, OverflowError) as error:
        raise InvalidCode(f"malformed claims: {error}") from None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("a claim is not text")
    return value


def _integer(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or abs(value) > 1_000_000:
        raise TypeError("a date claim is not a day number")
    return value


# -------------------------------------------------------------------- keys


def new_private_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(_CURVE)


def public_key_bytes(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """The public key as stored and hashed: SubjectPublicKeyInfo, DER."""
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public_key(der: bytes) -> ec.EllipticCurvePublicKey:
    key = serialization.load_der_public_key(der)
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != _CURVE.name:
        raise ValueError("not a P-256 public key")
    return key


def key_id(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """The first 8 bytes of the SHA-256 of the public key's DER, as the EU
    Digital COVID Certificate names its keys."""
    return hashlib.sha256(public_key_bytes(public_key)).digest()[:KEY_ID_BYTES]


def private_key_pem(private_key: ec.EllipticCurvePrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_private_key(pem: bytes) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != _CURVE.name:
        raise ValueError("not a P-256 private key")
    return key


def jwk(public_key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    """The public key as a JSON Web Key (RFC 7517), which WebCrypto's
    importKey("jwk", ...) reads."""
    numbers = public_key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(numbers.x.to_bytes(32, "big")),
        "y": b64url(numbers.y.to_bytes(32, "big")),
    }


def public_key_from_jwk(key: Mapping[str, Any]) -> ec.EllipticCurvePublicKey:
    if key.get("kty") != "EC" or key.get("crv") != "P-256":
        raise ValueError("not a P-256 JSON Web Key")
    x = int.from_bytes(from_b64url(str(key["x"])), "big")
    y = int.from_bytes(from_b64url(str(key["y"])), "big")
    return ec.EllipticCurvePublicNumbers(x, y, _CURVE).public_key()


def _raw_signature(der: bytes) -> bytes:
    r, s = decode_dss_signature(der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def _der_signature(raw: bytes) -> bytes:
    return encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))


def sign_bytes(private_key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """ES256 over `data`: 64 bytes, r then s."""
    return _raw_signature(private_key.sign(data, _ECDSA))


def verify_bytes(public_key: ec.EllipticCurvePublicKey, signature: bytes, data: bytes) -> bool:
    if len(signature) != SIGNATURE_BYTES:
        return False
    try:
        public_key.verify(_der_signature(signature), data, _ECDSA)
    except InvalidSignature:
        return False
    return True


# -------------------------------------------------------------- COSE_Sign1


@dataclass(frozen=True)
class Sign1:
    """A COSE_Sign1 message as read: the protected header's bytes (signed as
    they are), its algorithm and key id, the payload and the signature."""

    protected: bytes
    algorithm: int | None
    kid: bytes | None
    payload: bytes
    signature: bytes

    def to_be_signed(self) -> bytes:
        return sig_structure(self.protected, self.payload)


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    """What ES256 signs (RFC 9052 §4.4): the CBOR array ["Signature1",
    protected header bytes, external data (empty), payload]."""
    return cbor2.dumps(["Signature1", protected, b"", payload])


def sign1(payload: bytes, kid: bytes, private_key: ec.EllipticCurvePrivateKey) -> bytes:
    """A tagged COSE_Sign1 message: protected header {1: -7 (ES256), 4: kid},
    empty unprotected header, the payload, the ES256 signature."""
    protected = cbor2.dumps({HEADER_ALGORITHM: ES256, HEADER_KEY_ID: kid})
    signature = sign_bytes(private_key, sig_structure(protected, payload))
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


def sign_claims(claims: Claims, kid: bytes, private_key: ec.EllipticCurvePrivateKey) -> bytes:
    return sign1(encode_claims(claims), kid, private_key)


def _load_cbor(data: bytes) -> Any:
    """One CBOR item that is the whole of `data`, or InvalidCode."""
    stream = io.BytesIO(data)
    try:
        item = cbor2.CBORDecoder(stream).decode()
    except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError, OverflowError) as error:
        raise InvalidCode(f"not CBOR: {error}") from None
    if stream.tell() != len(data):
        raise InvalidCode("bytes after the CBOR item")
    return item


def parse_sign1(data: bytes) -> Sign1:
    """Read a COSE_Sign1 message (tagged 18, or untagged); InvalidCode
    when it is anything else."""
    item = _load_cbor(data)
    if isinstance(item, cbor2.CBORTag):
        if item.tag != COSE_SIGN1_TAG:
            raise InvalidCode(f"CBOR tag {item.tag} is not COSE_Sign1")
        item = item.value
    if not isinstance(item, Sequence) or isinstance(item, (bytes, str)) or len(item) != 4:
        raise InvalidCode("not a COSE_Sign1 array of four")
    protected, unprotected, payload, signature = item
    if not (
        isinstance(protected, bytes)
        and isinstance(unprotected, Mapping)
        and isinstance(payload, bytes)
        and isinstance(signature, bytes)
    ):
        raise InvalidCode("COSE_Sign1 members of the wrong types")
    header = _load_cbor(protected) if protected else {}
    if not isinstance(header, Mapping):
        raise InvalidCode("the protected header is not a map")
    kid = header.get(HEADER_KEY_ID, unprotected.get(HEADER_KEY_ID))
    algorithm = header.get(HEADER_ALGORITHM)
    return Sign1(
        protected=protected,
        algorithm=algorithm if isinstance(algorithm, int) else None,
        kid=kid if isinstance(kid, bytes) else None,
        payload=payload,
        signature=signature,
    )


def signature_matches(message: Sign1, public_key: ec.EllipticCurvePublicKey) -> bool:
    """The message is ES256 (in its protected header) and its signature is
    `public_key`'s over its Sig_structure."""
    return message.algorithm == ES256 and verify_bytes(
        public_key, message.signature, message.to_be_signed()
    )


# ---------------------------------------------------------------- QR text


def qr_prefix(public_url: str) -> str:
    """`HTTPS://HOST/V/` from the public address: upper case, so that the
    whole text is in QR alphanumeric mode (a phone's camera opens it: a
    scheme and a host name are case-insensitive)."""
    parts = urlsplit(public_url.strip())
    if not parts.scheme or not parts.netloc:
        raise ValueError(f"not an absolute address: {public_url!r}")
    path = parts.path.rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}{QR_PATH}".upper()


def encode_code(message: bytes) -> str:
    """The message in base32 (RFC 4648: A-Z, 2-7), without padding."""
    return base64.b32encode(message).decode("ascii").rstrip("=")


def qr_text(public_url: str, message: bytes) -> str:
    return qr_prefix(public_url) + encode_code(message)


def message_from_code(code: str) -> bytes:
    """The COSE bytes of a code as typed, scanned or taken from a /V/
    address, whatever its case; InvalidCode for anything not base32."""
    code = code.strip()
    marker = code.upper().rfind(QR_PATH)
    if marker >= 0:
        code = code[marker + len(QR_PATH) :]
    code = code.upper().rstrip("=")
    if not code or len(code) > MAX_CODE_LENGTH or len(code) % 8 in (1, 3, 6):
        raise InvalidCode("not a base32 code of a possible length")
    try:
        return base64.b32decode(code + "=" * (-len(code) % 8))
    except (binascii.Error, ValueError):
        raise InvalidCode("not base32") from None


# ------------------------------------------------------------ signed JSON


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def from_b64url(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None


def json_bytes(value: Any) -> bytes:
    """Compact, key-sorted JSON in UTF-8: the exact bytes that are signed."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def sign_document(
    body: Mapping[str, Any], kid: bytes, private_key: ec.EllipticCurvePrivateKey
) -> dict[str, str]:
    """A signed JSON document: {"alg": "ES256", "kid": hex, "payload":
    base64url(JSON bytes), "signature": base64url(r || s over those bytes)}."""
    payload = json_bytes(body)
    return {
        "alg": "ES256",
        "kid": kid.hex(),
        "payload": b64url(payload),
        "signature": b64url(sign_bytes(private_key, payload)),
    }


class InvalidDocument(ValueError):
    """A signed document whose signature does not check, or not one at all."""


def open_document(
    document: Mapping[str, Any], public_key: ec.EllipticCurvePublicKey
) -> dict[str, Any]:
    """The body of a signed JSON document whose signature is `public_key`'s;
    InvalidDocument otherwise."""
    try:
        if document.get("alg") != "ES256":
            raise InvalidDocument("not ES256")
        payload = from_b64url(str(document["payload"]))
        signature = from_b64url(str(document["signature"]))
    except (KeyError, ValueError, AttributeError) as error:
        raise InvalidDocument(f"not a signed document: {error}") from None
    if not verify_bytes(public_key, signature, payload):
        raise InvalidDocument("the signature does not match")
    body = json.loads(payload)
    if not isinstance(body, dict):
        raise InvalidDocument("the payload is not a JSON object")
    return body
