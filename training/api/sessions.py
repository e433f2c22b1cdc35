"""Workshop sessions, their status and their trainers
(training.sessions.services): only approved curricula are scheduled,
capacity never falls below the confirmed count, status moves follow their
order and completion its checklist, trainers are never double-booked."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import post_dump
from sqlalchemy.orm import selectinload

from training.api import fields as f
from training.api.core import (
    PageArgs,
    bp,
    check,
    check_if_match,
    get_or_404,
    not_found,
    operation,
    page_of_list,
    page_of_statement,
    page_response,
    page_schema,
    patch_of,
    resource,
)
from training.api.problems import ApiProblem
from training.curricula.models import Curriculum
from training.extensions import db
from training.people.models import Organisation, Trainer
from training.permissions import can
from training.sessions import services
from training.sessions.models import (
    Assignment,
    AssignmentRole,
    SessionKind,
    SessionLanguage,
    SessionStatus,
    TrainingSession,
)

TAG = ["Sessions"]


class OrganisationRefSchema(f.Schema):
    id = f.Int(required=True)
    name = f.Str(required=True)
    acronym = f.Str(required=True, allow_none=True)
    country = f.Str(required=True, allow_none=True)


class CurriculumRefSchema(f.Schema):
    id = f.Int(required=True)
    code = f.Str(required=True)
    title_en = f.Str(required=True)
    title_fr = f.Str(required=True)


class AssignmentSchema(f.Schema):
    id = f.Int(required=True)
    session_id = f.Int(required=True)
    trainer_id = f.Int(required=True)
    trainer_name = f.Function(lambda a: a.trainer.name, required=True, metadata={"type": "string"})
    role = f.Enum(AssignmentRole, required=True)
    override_reason = f.Text(
        allow_none=True,
        metadata={"description": "Why an unqualified trainer was assigned (coordinators only)."},
    )
    assigned_at = f.DateTime(required=True)

    @post_dump
    def reasons_for_coordinators(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        # As on the session page: a trainer reads no coordinator's reason.
        if not can(current_user, "sessions.manage"):
            data.pop("override_reason", None)
        return data


class SessionSchema(f.Schema):
    id = f.Int(required=True)
    code = f.Str(required=True)
    curriculum = f.Nested(CurriculumRefSchema, required=True)
    kind = f.Enum(SessionKind, required=True)
    start_date = f.Date(required=True)
    end_date = f.Date(required=True)
    city = f.Str(required=True)
    country = f.Str(required=True)
    venue = f.Str(required=True, allow_none=True)
    language = f.Enum(SessionLanguage, required=True)
    capacity = f.Int(required=True)
    confirmed_count = f.Function(
        lambda s: len(s.confirmed_enrollments), required=True, metadata={"type": "integer"}
    )
    screening_required = f.Bool(required=True)
    send_notifications = f.Bool(required=True)
    status = f.Enum(SessionStatus, required=True)
    partners = f.List(f.Nested(OrganisationRefSchema), required=True)
    assignments = f.List(f.Nested(AssignmentSchema), required=True)
    created_at = f.DateTime(required=True)
    updated_at = f.DateTime(required=True)


class SessionIn(f.Schema):
    """A session as the session form takes it; it starts as planned."""

    curriculum_id = f.Id(required=True, metadata={"description": "An approved curriculum."})
    code = f.Str(required=True, validate=[f.length(40, 1), f.code_pattern()])
    kind = f.Enum(SessionKind, load_default=SessionKind.TRAINING)
    start_date = f.Date(required=True)
    end_date = f.Date(required=True)
    city = f.Str(required=True, validate=f.length(100, 1))
    country = f.Str(required=True, validate=f.country())
    venue = f.Str(load_default=None, allow_none=True, validate=f.length(200))
    language = f.Enum(SessionLanguage, load_default=SessionLanguage.FRENCH)
    capacity = f.Int(required=True, validate=f.between(1, 1000))
    partner_ids = f.List(f.Id(), load_default=list, validate=f.length(100))
    screening_required = f.Bool(load_default=True)
    send_notifications = f.Bool(load_default=True)


SessionPatch = patch_of(SessionIn, "SessionPatch")


class SessionQuery(PageArgs):
    status = f.Enum(SessionStatus)
    country = f.Str(validate=f.country())
    curriculum_id = f.Id(strict=False)
    kind = f.Enum(SessionKind)
    date_from = f.Date(metadata={"description": "Sessions ending on or after this day."})
    date_to = f.Date(metadata={"description": "Sessions starting on or before this day."})


class StatusIn(f.Schema):
    status = f.Enum(SessionStatus, required=True)
    acknowledged = f.List(
        f.Str(validate=f.length(100)),
        load_default=list,
        validate=f.length(50),
        metadata={"description": "To complete: the `token` of each item of the checklist."},
    )


class ChecklistItemSchema(f.Schema):
    key = f.Str(required=True)
    token = f.Str(required=True)
    title = f.Str(required=True)
    count = f.Int(required=True)
    details = f.List(f.Str(), required=True)


class ChecklistSchema(f.Schema):
    session_id = f.Int(required=True)
    items = f.List(f.Nested(ChecklistItemSchema), required=True)


class ReopenIn(f.Schema):
    reason = f.Text(required=True, validate=f.length(services.REASON_MAX_LENGTH, 1))


class AssignmentIn(f.Schema):
    trainer_id = f.Id(required=True)
    role = f.Enum(AssignmentRole, load_default=AssignmentRole.CO_TRAINER)
    override_reason = f.Text(
        load_default=None,
        allow_none=True,
        validate=f.length(2000),
        metadata={"description": "Required only for a trainer without a current qualification."},
    )


SessionPage = page_schema(SessionSchema)
AssignmentPage = page_schema(AssignmentSchema)

SESSION_LOADS = (
    selectinload(TrainingSession.curriculum),
    selectinload(TrainingSession.partners),
    selectinload(TrainingSession.assignments).selectinload(Assignment.trainer),
    selectinload(TrainingSession.confirmed_enrollments),
)


def load_session(session_id: int, action: str, *, for_update: bool = False) -> TrainingSession:
    """The session (404), which the user may `action` (403: a trainer sees
    only the sessions they teach)."""
    training_session = get_or_404(TrainingSession, session_id, for_update=for_update)
    check(action, training_session)
    return training_session


def _invalid(field: str, message: str) -> ApiProblem:
    return ApiProblem(422, "invalid", message, errors={"json": {field: [message]}})


def _service_values(values: dict[str, Any]) -> dict[str, Any]:
    """The body's ids as the objects the service takes."""
    values = dict(values)
    if "curriculum_id" in values:
        curriculum = db.session.get(Curriculum, values.pop("curriculum_id"))
        if curriculum is None:
            raise _invalid("curriculum_id", _("There is no curriculum with this id."))
        values["curriculum"] = curriculum
    if "partner_ids" in values:
        ids = set(values.pop("partner_ids"))
        partners = (
            list(db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(ids))))
            if ids
            else []
        )
        if len(partners) != len(ids):
            raise _invalid("partner_ids", _("There is no organisation with one of these ids."))
        values["partners"] = partners
    return values


def _session_resource(training_session: TrainingSession, status: int = 200) -> Response:
    headers = None
    if status == 201:
        headers = {"Location": url_for("api.get_session", session_id=training_session.id)}
    return resource(training_session, SessionSchema(), status, headers)


@bp.route("/sessions", tags=TAG)
@operation("sessions.list", "sessions:read")
@bp.arguments(SessionQuery, location="query")
@bp.response(200, SessionPage)
def list_sessions(args: dict[str, Any]):
    """The sessions the user may see (a trainer: those they teach), filtered
    as the sessions page filters them."""
    statement = services.search_sessions(
        current_user,
        status=args.get("status"),
        country=args.get("country"),
        curriculum_id=args.get("curriculum_id"),
        kind=args.get("kind"),
        date_from=args.get("date_from"),
        date_to=args.get("date_to"),
    ).options(*SESSION_LOADS)
    return page_response(page_of_statement(statement, TrainingSession.id, args), SessionPage())


@bp.route("/sessions", methods=["POST"], tags=TAG)
@operation("sessions.manage", "sessions:write", write=True, responses=(409, 422))
@bp.arguments(SessionIn)
@bp.response(201, SessionSchema)
def create_session(values: dict[str, Any]):
    """Schedule a session of an approved curriculum."""
    training_session = services.create_session(actor=current_user, **_service_values(values))
    return _session_resource(training_session, 201)


@bp.route("/sessions/<int:session_id>", tags=TAG)
@operation("sessions.view", "sessions:read", responses=(404,))
@bp.response(200, SessionSchema)
def get_session(session_id: int):
    return _session_resource(load_session(session_id, "sessions.view"))


@bp.route("/sessions/<int:session_id>", methods=["PATCH"], tags=TAG)
@operation(
    "sessions.manage", "sessions:write", write=True, if_match="required", responses=(404, 409, 422)
)
@bp.arguments(SessionPatch)
@bp.response(200, SessionSchema)
def update_session(values: dict[str, Any], session_id: int):
    """Change a session: capacity stays at or above the confirmed count,
    new dates keep the days with attendance and never double-book a
    trainer."""
    training_session = load_session(session_id, "sessions.manage", for_update=True)
    check_if_match(training_session, SessionSchema(), required=True)
    services.update_session(training_session, actor=current_user, **_service_values(values))
    return _session_resource(training_session)


@bp.route("/sessions/<int:session_id>/checklist", tags=TAG)
@operation("sessions.manage", "sessions:read", responses=(404,))
@bp.response(200, ChecklistSchema)
def session_checklist(session_id: int):
    """What is still open before the session can be completed: send each
    item's `token` in `acknowledged` to complete it anyway."""
    training_session = load_session(session_id, "sessions.manage")
    items = services.closing_checklist(training_session)
    return {"session_id": training_session.id, "items": items}


@bp.route("/sessions/<int:session_id>/status", methods=["POST"], tags=TAG)
@operation(
    "sessions.manage",
    "sessions:write",
    write=True,
    if_match="optional",
    responses=(404, 409, 422),
)
@bp.arguments(StatusIn)
@bp.response(200, SessionSchema)
def change_status(values: dict[str, Any], session_id: int):
    """Move the session along planned → open → in progress → completed, or
    cancel it. Completing needs each item of the checklist acknowledged
    (409 `checklist_not_acknowledged` lists those that are not)."""
    training_session = load_session(session_id, "sessions.manage", for_update=True)
    check_if_match(training_session, SessionSchema(), required=False)
    try:
        training_session = services.change_status(
            training_session,
            values["status"],
            actor=current_user,
            acknowledged=values["acknowledged"],
        )
    except services.ChecklistNotAcknowledged as error:
        from training.api.problems import from_domain_error

        raise from_domain_error(
            error, checklist=ChecklistItemSchema(many=True).dump(error.items)
        ) from None
    return _session_resource(training_session)


@bp.route("/sessions/<int:session_id>/reopen", methods=["POST"], tags=TAG)
@operation(
    "sessions.manage",
    "sessions:write",
    write=True,
    if_match="optional",
    responses=(404, 409, 422),
)
@bp.arguments(ReopenIn)
@bp.response(200, SessionSchema)
def reopen_session(values: dict[str, Any], session_id: int):
    """A completed session back to in progress, with a reason, as long as no
    certificate is issued for it."""
    training_session = load_session(session_id, "sessions.manage", for_update=True)
    check_if_match(training_session, SessionSchema(), required=False)
    training_session = services.reopen_session(
        training_session, actor=current_user, reason=values["reason"]
    )
    return _session_resource(training_session)


@bp.route("/sessions/<int:session_id>/assignments", tags=TAG)
@operation("sessions.view", "sessions:read", responses=(404,))
@bp.arguments(PageArgs, location="query")
@bp.response(200, AssignmentPage)
def list_assignments(args: dict[str, Any], session_id: int):
    """The session's trainers."""
    training_session = load_session(session_id, "sessions.view")
    page = page_of_list(training_session.assignments, args, key=lambda a: a.id)
    return page_response(page, AssignmentPage())


@bp.route("/sessions/<int:session_id>/assignments", methods=["POST"], tags=TAG)
@operation("sessions.manage", "sessions:write", write=True, responses=(404, 409, 422))
@bp.arguments(AssignmentIn)
@bp.response(201, AssignmentSchema)
def assign_trainer(values: dict[str, Any], session_id: int):
    """Assign a trainer: refused when they teach an overlapping session
    (409 `trainer_clash`), and without a current qualification unless
    `override_reason` says why (422 `trainer_not_qualified`)."""
    training_session = load_session(session_id, "sessions.manage", for_update=True)
    trainer = db.session.get(Trainer, values["trainer_id"])
    if trainer is None:
        raise _invalid("trainer_id", _("There is no trainer with this id."))
    assignment = services.assign_trainer(
        training_session,
        trainer,
        values["role"],
        actor=current_user,
        override_reason=values["override_reason"],
    )
    return resource(assignment, AssignmentSchema(), 201)


@bp.route(
    "/sessions/<int:session_id>/assignments/<int:assignment_id>", methods=["DELETE"], tags=TAG
)
@operation("sessions.manage", "sessions:write", write=True, responses=(404, 409))
@bp.response(204)
def remove_assignment(session_id: int, assignment_id: int):
    """Take the trainer off the session (they are told)."""
    training_session = load_session(session_id, "sessions.manage", for_update=True)
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.session_id != training_session.id:
        raise not_found()
    services.remove_assignment(assignment, actor=current_user)
    return Response(status=204)
