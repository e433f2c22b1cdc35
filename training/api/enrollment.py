"""Nominations, confirmation, the waiting line and withdrawal
(training.enrollment.services): confirmed enrollments never exceed the
capacity, a session requiring screening confirms only cleared nominees, a
participant is never confirmed in two sessions at once without a reason."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from training.api import fields as f
from training.api.core import (
    PageArgs,
    bp,
    check_if_match,
    get_or_404,
    operation,
    page_of_list,
    page_response,
    page_schema,
    resource,
)
from training.api.problems import ApiProblem, from_domain_error
from training.api.sessions import OrganisationRefSchema, load_session
from training.enrollment import queries, services
from training.enrollment.models import Enrollment, EnrollmentStatus
from training.extensions import db
from training.people.models import Organisation, Participant
from training.people.screening import screening_state

TAG = ["Enrollments"]


class ParticipantRefSchema(f.Schema):
    id = f.Int(required=True)
    given_name = f.Str(required=True)
    family_name = f.Str(required=True)
    organisation = f.Nested(OrganisationRefSchema, required=True, allow_none=True)


class EnrollmentSchema(f.Schema):
    id = f.Int(required=True)
    session_id = f.Int(required=True)
    participant = f.Nested(ParticipantRefSchema, required=True)
    status = f.Enum(EnrollmentStatus, required=True)
    waitlist_position = f.Int(required=True, allow_none=True)
    nominating_organisation = f.Nested(OrganisationRefSchema, required=True, allow_none=True)
    screening = f.Function(
        lambda e: screening_state(e.participant, e.training_session.start_date),
        required=True,
        metadata={
            "type": "string",
            "description": "On the session's start date: a screening status, `expired` or `none`.",
        },
    )
    pre_test_score = f.Int(required=True, allow_none=True)
    post_test_score = f.Int(required=True, allow_none=True)
    created_at = f.DateTime(required=True)
    updated_at = f.DateTime(required=True)


class EnrollmentQuery(PageArgs):
    status = f.Enum(EnrollmentStatus)


class NominateIn(f.Schema):
    participant_id = f.Id(required=True)
    nominating_organisation_id = f.Id(
        load_default=None,
        allow_none=True,
        metadata={"description": "An organisation whose partnership is current; theirs when null."},
    )


class ConfirmIn(f.Schema):
    override_reason = f.Text(
        load_default=None,
        allow_none=True,
        validate=f.length(500),
        metadata={"description": "Why, when the participant is confirmed elsewhere at the time."},
    )


class ClashSchema(f.Schema):
    enrollment_id = f.Int(required=True, attribute="id")
    session_id = f.Int(required=True)
    session_code = f.Function(
        lambda e: e.training_session.code, required=True, metadata={"type": "string"}
    )


class WithdrawalSchema(f.Schema):
    enrollment = f.Nested(EnrollmentSchema, required=True)
    promoted = f.Nested(
        EnrollmentSchema,
        required=True,
        allow_none=True,
        metadata={"description": "Who moved up from the waiting line to the place freed."},
    )


EnrollmentPage = page_schema(EnrollmentSchema)


def _enrollment(enrollment_id: int, *, for_update: bool = False) -> Enrollment:
    return get_or_404(Enrollment, enrollment_id, for_update=for_update)


def _invalid(field: str, message: str) -> ApiProblem:
    return ApiProblem(422, "invalid", message, errors={"json": {field: [message]}})


@bp.route("/sessions/<int:session_id>/enrollments", tags=TAG)
@operation("enrollment.manage", "enrollments:read", responses=(404,))
@bp.arguments(EnrollmentQuery, location="query")
@bp.response(200, EnrollmentPage)
def list_enrollments(args: dict[str, Any], session_id: int):
    """The session's enrollments (the waiting line's order is
    `waitlist_position`)."""
    training_session = load_session(session_id, "enrollment.manage")
    enrollments = queries.session_enrollments(training_session)
    if args.get("status"):
        enrollments = [e for e in enrollments if e.status == args["status"]]
    return page_response(page_of_list(enrollments, args, key=lambda e: e.id), EnrollmentPage())


@bp.route("/sessions/<int:session_id>/enrollments", methods=["POST"], tags=TAG)
@operation("enrollment.manage", "enrollments:write", write=True, responses=(404, 409, 422))
@bp.arguments(NominateIn)
@bp.response(201, EnrollmentSchema)
def nominate(values: dict[str, Any], session_id: int):
    """Nominate a participant (once per session; one who withdrew may be
    nominated again)."""
    training_session = load_session(session_id, "enrollment.manage", for_update=True)
    participant = db.session.get(Participant, values["participant_id"])
    if participant is None:
        raise _invalid("participant_id", _("There is no participant with this id."))
    organisation = None
    if values["nominating_organisation_id"] is not None:
        organisation = db.session.get(Organisation, values["nominating_organisation_id"])
        # As the enrollments page offers them: ended partnerships nominate no one.
        if organisation is None or not organisation.is_active_on(date.today()):
            raise _invalid(
                "nominating_organisation_id",
                _("There is no organisation with this id whose partnership is current."),
            )
    enrollment = services.nominate(
        training_session, participant, actor=current_user, nominating_organisation=organisation
    )
    location = url_for("api.get_enrollment", enrollment_id=enrollment.id)
    return resource(enrollment, EnrollmentSchema(), 201, {"Location": location})


@bp.route("/enrollments/<int:enrollment_id>", tags=TAG)
@operation("enrollment.manage", "enrollments:read", responses=(404,))
@bp.response(200, EnrollmentSchema)
def get_enrollment(enrollment_id: int):
    return resource(_enrollment(enrollment_id), EnrollmentSchema())


def _changed(enrollment_id: int, change: Any) -> Any:
    enrollment = _enrollment(enrollment_id, for_update=True)
    check_if_match(enrollment, EnrollmentSchema(), required=False)
    return change(enrollment)


@bp.route("/enrollments/<int:enrollment_id>/confirm", methods=["POST"], tags=TAG)
@operation(
    "enrollment.manage",
    "enrollments:write",
    write=True,
    if_match="optional",
    responses=(404, 409, 422),
)
@bp.arguments(ConfirmIn)
@bp.response(200, EnrollmentSchema)
def confirm(values: dict[str, Any], enrollment_id: int):
    """Confirm a nominee, or put them in line when the session is full
    (`status` says which). Refused without a current clearance when the
    session requires screening (409), and when they are confirmed in a
    session at the same time (409 `participant_clash`) unless
    `override_reason` says why."""

    def change(enrollment: Enrollment) -> Enrollment:
        try:
            return services.confirm(
                enrollment, actor=current_user, override_reason=values["override_reason"]
            )
        except services.ParticipantClash as error:
            raise from_domain_error(
                error, clashes=ClashSchema(many=True).dump(error.clashes)
            ) from None

    return resource(_changed(enrollment_id, change), EnrollmentSchema())


@bp.route("/enrollments/<int:enrollment_id>/waitlist", methods=["POST"], tags=TAG)
@operation(
    "enrollment.manage", "enrollments:write", write=True, if_match="optional", responses=(404, 409)
)
@bp.response(200, EnrollmentSchema)
def waitlist(enrollment_id: int):
    """Put a nominee at the end of the waiting line without confirming them."""
    enrollment = _changed(
        enrollment_id, lambda enrollment: services.waitlist(enrollment, actor=current_user)
    )
    return resource(enrollment, EnrollmentSchema())


@bp.route("/enrollments/<int:enrollment_id>/withdraw", methods=["POST"], tags=TAG)
@operation(
    "enrollment.manage", "enrollments:write", write=True, if_match="optional", responses=(404, 409)
)
@bp.response(200, WithdrawalSchema)
def withdraw(enrollment_id: int):
    """Withdraw an enrollment; a confirmed place freed goes to the first in
    line who may be confirmed (`promoted`). Refused once the session is
    completed."""
    withdrawal = _changed(
        enrollment_id, lambda enrollment: services.withdraw(enrollment, actor=current_user)
    )
    return withdrawal
