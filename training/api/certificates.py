"""Certificates (training.certificates.services): who qualifies, issuing
(idempotent; despite a failed rule only with a written reason), revoking
and correcting, and the public verification, which says only what the
verification page says."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import post_dump
from sqlalchemy.orm import selectinload

from training.api import fields as f
from training.api.core import (
    PageArgs,
    bp,
    check,
    operation,
    page_of_list,
    page_of_statement,
    page_response,
    page_schema,
    resource,
)
from training.api.enrollment import ParticipantRefSchema
from training.api.problems import ApiProblem, from_domain_error
from training.api.sessions import load_session
from training.certificates import documents, services, statements, verification
from training.certificates.models import Certificate, CertificateKind, CertificateStatus
from training.domain import DomainError
from training.enrollment.models import Enrollment
from training.extensions import db, limiter
from training.permissions import can

CERTIFICATES, VERIFICATION = ["Certificates"], ["Verification"]


class CertificateSchema(f.Schema):
    """A certificate's frozen statement: what it says, whatever changed since."""

    serial = f.Str(required=True)
    kind = f.Enum(CertificateKind, required=True)
    status = f.Enum(CertificateStatus, required=True)
    enrollment_id = f.Int(required=True)
    session_id = f.Function(
        lambda c: c.enrollment.session_id, required=True, metadata={"type": "integer"}
    )
    holder_name = f.Str(required=True)
    course_title_en = f.Str(required=True)
    course_title_fr = f.Str(required=True)
    session_code = f.Str(required=True)
    start_date = f.Date(required=True)
    end_date = f.Date(required=True)
    city = f.Str(required=True)
    country = f.Str(required=True)
    total_hours = f.Float(required=True)
    issuers = f.Str(required=True)
    issued_at = f.DateTime(required=True)
    valid_until = f.Date(required=True, allow_none=True)
    revoked_at = f.DateTime(required=True, allow_none=True)
    verification_code = f.Function(
        lambda c: c.grouped_code, required=True, metadata={"type": "string"}
    )
    verification_url = f.Function(
        lambda c: statements.verify_url(c.verification_code),
        required=True,
        metadata={"type": "string"},
    )
    replaces = f.Function(
        lambda c: c.replaces.serial if c.replaces else None,
        required=True,
        metadata={"type": ["string", "null"]},
    )
    override_reason = f.Text(allow_none=True, metadata={"description": "Coordinators only."})
    revocation_reason = f.Text(allow_none=True, metadata={"description": "Coordinators only."})

    @post_dump
    def reasons_for_coordinators(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        if not can(current_user, "certificates.manage"):
            data.pop("override_reason", None)
            data.pop("revocation_reason", None)
        return data


class EligibilitySchema(f.Schema):
    enrollment_id = f.Function(
        lambda row: row.enrollment.id, required=True, metadata={"type": "integer"}
    )
    participant = f.Function(
        lambda row: ParticipantRefSchema().dump(row.enrollment.participant),
        required=True,
        metadata={"type": "object"},
    )
    attendance_rate = f.Float(required=True, allow_none=True)
    post_test_score = f.Int(required=True, allow_none=True)
    kind = f.Enum(
        CertificateKind,
        required=True,
        allow_none=True,
        metadata={"description": "What the rules give; null: no certificate."},
    )
    reason = f.Str(required=True, allow_none=True)
    overridable = f.Bool(required=True)
    certificate = f.Function(
        lambda row: row.certificate.serial if row.certificate else None,
        required=True,
        metadata={"type": ["string", "null"], "description": "The serial of the one it holds."},
    )


class IssueIn(f.Schema):
    enrollment_id = f.Id(required=True)
    kind = f.Enum(
        CertificateKind,
        load_default=None,
        allow_none=True,
        metadata={"description": "Another kind than earned only with a reason."},
    )
    override_reason = f.Text(
        load_default=None,
        allow_none=True,
        validate=f.length(2000),
        metadata={"description": "Why, to issue despite a failed rule."},
    )


class BatchSchema(f.Schema):
    issued = f.List(f.Nested(CertificateSchema), required=True)
    already = f.Int(
        required=True, metadata={"description": "Eligible enrollments already holding one."}
    )


class ReasonIn(f.Schema):
    reason = f.Text(required=True, validate=f.length(2000, 1))


class CertificateQuery(PageArgs):
    session_id = f.Id(strict=False)
    status = f.Enum(CertificateStatus)


class VerificationSchema(f.Schema):
    """All the public verification says: nothing beyond name, course, dates,
    kind, issuers and serial."""

    state = f.Str(
        required=True,
        metadata={"description": "valid, expired, revoked, compromised, outside_window or forged"},
    )
    serial = f.Str(required=True, allow_none=True)
    holder_name = f.Str(required=True, allow_none=True)
    course_title_en = f.Str(required=True, allow_none=True)
    course_title_fr = f.Str(required=True, allow_none=True)
    start_date = f.Date(required=True, allow_none=True)
    end_date = f.Date(required=True, allow_none=True)
    kind = f.Enum(CertificateKind, required=True, allow_none=True)
    issuers = f.List(f.Str(), required=True)
    issued_on = f.Date(required=True, allow_none=True)
    valid_until = f.Date(required=True, allow_none=True)
    revoked_on = f.Date(required=True, allow_none=True)
    signature_checked = f.Bool(required=True)


class SerialQuery(f.Schema):
    class Meta:
        unknown = "exclude"

    serial = f.Str(required=True, validate=f.length(40, 1))
    family_name = f.Str(required=True, validate=f.length(100, 1))


EligibilityPage = page_schema(EligibilitySchema)
CertificatePage = page_schema(CertificateSchema)


def _certificate(serial: str, action: str) -> Certificate:
    certificate = documents.get_certificate(serial)
    if certificate is None:
        raise ApiProblem(404, "not_found", _("There is no certificate with this serial."))
    check(action, certificate)  # a participant: their own only
    return certificate


def _certificate_resource(certificate: Certificate, status: int = 200) -> Response:
    location = url_for("api.get_certificate", serial=certificate.serial)
    return resource(certificate, CertificateSchema(), status, {"Location": location})


@bp.route("/sessions/<int:session_id>/certificates", tags=CERTIFICATES)
@operation("certificates.manage", "certificates:read", responses=(404,))
@bp.arguments(PageArgs, location="query")
@bp.response(200, EligibilityPage)
def session_eligibility(args: dict[str, Any], session_id: int):
    """Each confirmed enrollment with what it qualifies for and why, and the
    certificate it holds."""
    training_session = load_session(session_id, "certificates.manage")
    rows = services.session_eligibility(training_session)
    return page_response(
        page_of_list(rows, args, key=lambda row: row.enrollment.id), EligibilityPage()
    )


@bp.route("/sessions/<int:session_id>/certificates", methods=["POST"], tags=CERTIFICATES)
@operation("certificates.manage", "certificates:write", write=True, responses=(404, 409, 422))
@bp.arguments(IssueIn)
@bp.response(201, CertificateSchema)
@bp.alt_response(
    200, schema=CertificateSchema, description="The certificate it already held.", success=True
)
def issue_certificate(values: dict[str, Any], session_id: int):
    """Issue an enrollment's certificate (201), or answer the valid one it
    holds (200): only for a completed session and a confirmed enrollment;
    despite a failed attendance or test rule, or another kind than earned,
    only with `override_reason`."""
    training_session = load_session(session_id, "certificates.manage", for_update=True)
    enrollment = db.session.get(Enrollment, values["enrollment_id"])
    if enrollment is None or enrollment.session_id != training_session.id:
        message = _("There is no enrollment with this id in this session.")
        raise ApiProblem(422, "invalid", message, errors={"json": {"enrollment_id": [message]}})
    held = enrollment.current_certificate
    try:
        certificate = services.issue_certificate(
            enrollment,
            current_user._get_current_object(),
            kind=values["kind"],
            override_reason=values["override_reason"],
        )
    except DomainError as error:
        raise from_domain_error(error, rename={"reason": "override_reason"}) from None
    return _certificate_resource(certificate, 200 if held is not None else 201)


@bp.route("/sessions/<int:session_id>/certificates/batch", methods=["POST"], tags=CERTIFICATES)
@operation("certificates.manage", "certificates:write", write=True, responses=(404, 409))
@bp.response(200, BatchSchema)
def issue_all(session_id: int):
    """Issue every eligible certificate not issued yet: all or none."""
    training_session = load_session(session_id, "certificates.manage", for_update=True)
    return services.issue_all_eligible(training_session, current_user._get_current_object())


@bp.route("/certificates", tags=CERTIFICATES)
@operation("certificates.download", "certificates:read")
@bp.arguments(CertificateQuery, location="query")
@bp.response(200, CertificatePage)
def list_certificates(args: dict[str, Any]):
    """Certificates: every one for coordination, a participant's own for a
    participant."""
    statement = (
        sa.select(Certificate)
        .join(Enrollment, Certificate.enrollment_id == Enrollment.id)
        .options(selectinload(Certificate.enrollment), selectinload(Certificate.replaces))
    )
    if not can(current_user, "certificates.manage"):
        participant_id = current_user.participant_id
        statement = statement.where(
            Enrollment.participant_id == participant_id if participant_id else sa.false()
        )
    if args.get("session_id"):
        statement = statement.where(Enrollment.session_id == args["session_id"])
    if args.get("status"):
        statement = statement.where(Certificate.status == args["status"])
    return page_response(page_of_statement(statement, Certificate.id, args), CertificatePage())


SERIAL_PARAMETER = [
    {
        "in": "path",
        "name": "serial",
        "required": True,
        "schema": {"type": "string", "pattern": r"^ATL-\d{4}-\d{6}$"},
    }
]


@bp.route("/certificates/<serial>", tags=CERTIFICATES, parameters=SERIAL_PARAMETER)
@operation("certificates.download", "certificates:read", responses=(404,))
@bp.response(200, CertificateSchema)
def get_certificate(serial: str):
    return _certificate_resource(_certificate(serial, "certificates.download"))


@bp.route("/certificates/<serial>/pdf", tags=CERTIFICATES, parameters=SERIAL_PARAMETER)
@operation("certificates.download", "certificates:read", responses=(404, 410))
@bp.response(200, content_type="application/pdf", description="The PDF as issued.")
def certificate_pdf(serial: str):
    """The frozen PDF; a revoked certificate's is no longer served (410)."""
    certificate = _certificate(serial, "certificates.download")
    if certificate.status == CertificateStatus.REVOKED:
        raise ApiProblem(
            410,
            "revoked",
            _("Certificate %(serial)s was revoked: its PDF is no longer available.", serial=serial),
        )
    response = current_app.response_class(certificate.pdf or b"", mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{documents.download_name(certificate)}"'
    )
    return response


@bp.route(
    "/certificates/<serial>/revoke",
    methods=["POST"],
    tags=CERTIFICATES,
    parameters=SERIAL_PARAMETER,
)
@operation("certificates.manage", "certificates:write", write=True, responses=(404, 409, 422))
@bp.arguments(ReasonIn)
@bp.response(200, CertificateSchema)
def revoke_certificate(values: dict[str, Any], serial: str):
    """Revoke a valid certificate, with its reason: it stays revoked, and
    its verification says so."""
    certificate = _certificate(serial, "certificates.manage")
    services.revoke_certificate(certificate, current_user._get_current_object(), values["reason"])
    return _certificate_resource(certificate)


@bp.route(
    "/certificates/<serial>/reissue",
    methods=["POST"],
    tags=CERTIFICATES,
    parameters=SERIAL_PARAMETER,
)
@operation("certificates.manage", "certificates:write", write=True, responses=(404, 409, 422))
@bp.arguments(ReasonIn)
@bp.response(201, CertificateSchema)
def reissue_certificate(values: dict[str, Any], serial: str):
    """A correction: a new certificate with today's data, a new serial and
    code, replacing this one, revoked."""
    certificate = _certificate(serial, "certificates.manage")
    replacement = services.reissue_certificate(
        certificate, current_user._get_current_object(), values["reason"]
    )
    return _certificate_resource(replacement, 201)


# Public verification ------------------------------------------------------


def _verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def _verdict(result: verification.Verification) -> Any:
    if result.state == verification.UNKNOWN:
        raise ApiProblem(404, "unknown_certificate", _("No certificate carries this code."))
    if result.state == verification.NO_MATCH:
        raise ApiProblem(
            404, "no_match", _("No certificate has this serial with this family name.")
        )
    return result


@bp.route("/verify/<code>", tags=VERIFICATION)
@limiter.shared_limit(_verify_limit, scope="verify")
@operation(None, None, responses=(404,))
@bp.response(200, VerificationSchema)
def verify_code(code: str):
    """A certificate by its verification code (any case, spaces or dashes)."""
    return _verdict(verification.verify(code, datetime.now(UTC).date()))


@bp.route("/verify", tags=VERIFICATION)
@limiter.shared_limit(_verify_limit, scope="verify")
@operation(None, None, responses=(404, 422))
@bp.arguments(SerialQuery, location="query")
@bp.response(200, VerificationSchema)
def verify_serial(args: dict[str, Any]):
    """A certificate by its serial and its holder's family name; a wrong
    name and an unknown serial give the same answer."""
    return _verdict(
        verification.verify_by_serial(args["serial"], args["family_name"], datetime.now(UTC).date())
    )


@bp.route("/verify/signed/<code>", tags=VERIFICATION)
@limiter.shared_limit(_verify_limit, scope="verify")
@operation(None, None, responses=(404,))
@bp.response(200, VerificationSchema)
def verify_signed(code: str):
    """A signed QR code (what follows /V/): its signature checked, then the
    register; `state` says forged, compromised or outside its key's window
    when it is."""
    return _verdict(verification.verify_signed(code, datetime.now(UTC).date()))
