"""Trainers and their qualifications, participants and their screening
(training.people.services), with the pages' limits on personal data:
participants are for coordination only, screening notes for those who may
read them."""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import post_dump
from sqlalchemy.orm import selectinload

from training.api import fields as f
from training.api.core import (
    PageArgs,
    bp,
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
from training.api.problems import ApiProblem, from_domain_error
from training.api.sessions import OrganisationRefSchema
from training.curricula.models import Curriculum
from training.extensions import db
from training.people import services
from training.people.models import (
    Organisation,
    Participant,
    ScreeningFramework,
    ScreeningRecord,
    ScreeningStatus,
    Sex,
    Trainer,
    TrainerQualification,
)
from training.people.organisations import offered_organisations
from training.people.screening import screening_state
from training.permissions import can

TRAINERS, PARTICIPANTS = ["Trainers"], ["Participants"]


def _invalid(field: str, message: str) -> ApiProblem:
    return ApiProblem(422, "invalid", message, errors={"json": {field: [message]}})


def _organisation(organisation_id: int | None, keep_id: int | None = None) -> Organisation | None:
    """The organisation a person may belong to, as the forms offer them:
    one whose partnership is current, or the one the record already has."""
    if organisation_id is None:
        return None
    offered = {o.id: o for o in offered_organisations(keep_id=keep_id)}
    if organisation_id not in offered:
        raise _invalid(
            "organisation_id",
            _("There is no organisation with this id whose partnership is current."),
        )
    return offered[organisation_id]


# Trainers ------------------------------------------------------------------


class QualificationSchema(f.Schema):
    id = f.Int(required=True)
    trainer_id = f.Int(required=True)
    curriculum_id = f.Int(required=True)
    curriculum_code = f.Function(
        lambda q: q.curriculum.code, required=True, metadata={"type": "string"}
    )
    qualified_on = f.Date(required=True)
    expires_on = f.Date(required=True, allow_none=True)
    source_session_id = f.Int(required=True, allow_none=True)


class TrainerSchema(f.Schema):
    id = f.Int(required=True)
    name = f.Str(required=True)
    organisation = f.Nested(OrganisationRefSchema, required=True, allow_none=True)
    languages = f.Function(
        lambda t: t.language_codes,
        required=True,
        metadata={"type": "array", "items": {"type": "string"}},
    )
    email = f.Str(required=True, allow_none=True)
    qualifications = f.List(f.Nested(QualificationSchema), required=True)
    created_at = f.DateTime(required=True)


class TrainerIn(f.Schema):
    name = f.Str(required=True, validate=f.length(200, 1))
    organisation_id = f.Id(load_default=None, allow_none=True)
    languages = f.List(
        f.Str(validate=f.one_of(services.TRAINER_LANGUAGES)),
        load_default=list,
        validate=f.length(3),
    )
    email = f.Email(load_default=None, allow_none=True)


TrainerPatch = patch_of(TrainerIn, "TrainerPatch")


class TrainerQuery(PageArgs):
    q = f.Str(validate=f.length(100), metadata={"description": "Words of the name or email"})


class QualificationIn(f.Schema):
    curriculum_id = f.Id(required=True)
    qualified_on = f.Date(required=True)
    expires_on = f.Date(load_default=None, allow_none=True)


TrainerPage = page_schema(TrainerSchema)

TRAINER_LOADS = (
    selectinload(Trainer.organisation),
    selectinload(Trainer.qualifications).selectinload(TrainerQualification.curriculum),
)


def _trainer_details(
    values: dict[str, Any], trainer: Trainer | None = None
) -> services.TrainerDetails:
    current = {
        "name": trainer.name if trainer else "",
        "organisation_id": trainer.organisation_id if trainer else None,
        "languages": trainer.language_codes if trainer else [],
        "email": trainer.email if trainer else None,
    }
    merged = {**current, **values}
    keep = trainer.organisation_id if trainer else None
    return services.TrainerDetails(
        name=merged["name"],
        organisation=_organisation(merged["organisation_id"], keep),
        languages=tuple(merged["languages"]),
        email=merged["email"],
    )


@bp.route("/trainers", tags=TRAINERS)
@operation("trainers.view", "trainers:read")
@bp.arguments(TrainerQuery, location="query")
@bp.response(200, TrainerPage)
def list_trainers(args: dict[str, Any]):
    """The trainer registry."""
    statement = services.trainer_search(args.get("q")).options(*TRAINER_LOADS)
    return page_response(page_of_statement(statement, Trainer.id, args), TrainerPage())


@bp.route("/trainers", methods=["POST"], tags=TRAINERS)
@operation("trainers.manage", "trainers:write", write=True, responses=(422,))
@bp.arguments(TrainerIn)
@bp.response(201, TrainerSchema)
def create_trainer(values: dict[str, Any]):
    trainer = services.create_trainer(_trainer_details(values), actor=current_user)
    location = url_for("api.get_trainer", trainer_id=trainer.id)
    return resource(trainer, TrainerSchema(), 201, {"Location": location})


@bp.route("/trainers/<int:trainer_id>", tags=TRAINERS)
@operation("trainers.view", "trainers:read", responses=(404,))
@bp.response(200, TrainerSchema)
def get_trainer(trainer_id: int):
    return resource(get_or_404(Trainer, trainer_id), TrainerSchema())


@bp.route("/trainers/<int:trainer_id>", methods=["PATCH"], tags=TRAINERS)
@operation(
    "trainers.manage", "trainers:write", write=True, if_match="required", responses=(404, 422)
)
@bp.arguments(TrainerPatch)
@bp.response(200, TrainerSchema)
def update_trainer(values: dict[str, Any], trainer_id: int):
    trainer = get_or_404(Trainer, trainer_id, for_update=True)
    check_if_match(trainer, TrainerSchema(), required=True)
    services.update_trainer(trainer, _trainer_details(values, trainer), actor=current_user)
    return resource(trainer, TrainerSchema())


@bp.route("/trainers/<int:trainer_id>/qualifications", methods=["POST"], tags=TRAINERS)
@operation("trainers.manage", "trainers:write", write=True, responses=(404, 422))
@bp.arguments(QualificationIn)
@bp.response(201, QualificationSchema)
def add_qualification(values: dict[str, Any], trainer_id: int):
    """Qualify the trainer for a curriculum (one qualification each; the
    expiry never before the start)."""
    trainer = get_or_404(Trainer, trainer_id, for_update=True)
    curriculum = db.session.get(Curriculum, values["curriculum_id"])
    if curriculum is None or curriculum.is_retired:  # the form offers those not retired
        raise _invalid("curriculum_id", _("There is no curriculum with this id to qualify for."))
    qualification = services.add_qualification(
        trainer,
        curriculum,
        qualified_on=values["qualified_on"],
        expires_on=values["expires_on"],
        actor=current_user,
    )
    return resource(qualification, QualificationSchema(), 201)


@bp.route(
    "/trainers/<int:trainer_id>/qualifications/<int:qualification_id>",
    methods=["DELETE"],
    tags=TRAINERS,
)
@operation("trainers.manage", "trainers:write", write=True, responses=(404,))
@bp.response(204)
def remove_qualification(trainer_id: int, qualification_id: int):
    qualification = db.session.get(TrainerQualification, qualification_id)
    if qualification is None or qualification.trainer_id != trainer_id:
        raise not_found()
    services.remove_qualification(qualification, actor=current_user)
    return Response(status=204)


# Participants --------------------------------------------------------------


class ParticipantSchema(f.Schema):
    id = f.Int(required=True)
    given_name = f.Str(required=True)
    family_name = f.Str(required=True)
    sex = f.Enum(Sex, required=True)
    nationality = f.Str(required=True, allow_none=True)
    organisation = f.Nested(OrganisationRefSchema, required=True, allow_none=True)
    rank = f.Str(required=True, allow_none=True)
    function = f.Str(required=True, allow_none=True)
    email = f.Str(required=True, allow_none=True)
    phone = f.Str(required=True, allow_none=True)
    consent_recorded_at = f.DateTime(required=True, allow_none=True)
    retention_until = f.Date(required=True, allow_none=True)
    screening = f.Function(
        lambda p: screening_state(p),
        required=True,
        metadata={
            "type": "string",
            "description": "Today: a screening status, `expired` or `none`.",
        },
    )
    created_at = f.DateTime(required=True)


class ParticipantIn(f.Schema):
    """A participant as the participant form takes them."""

    given_name = f.Str(required=True, validate=f.length(100, 1))
    family_name = f.Str(required=True, validate=f.length(100, 1))
    sex = f.Enum(Sex, required=True)
    nationality = f.Str(load_default=None, allow_none=True, validate=f.country())
    organisation_id = f.Id(load_default=None, allow_none=True)
    rank = f.Str(load_default=None, allow_none=True, validate=f.length(100))
    function = f.Str(load_default=None, allow_none=True, validate=f.length(150))
    email = f.Email(load_default=None, allow_none=True)
    phone = f.Str(load_default=None, allow_none=True, validate=f.length(40))
    consent = f.Bool(
        load_default=False,
        metadata={"description": "The participant consented to the processing of their data."},
    )


class ParticipantCreate(ParticipantIn):
    allow_duplicate = f.Bool(
        load_default=False,
        metadata={"description": "Create anyway: this is a different person (after a 409)."},
    )


ParticipantPatch = patch_of(ParticipantIn, "ParticipantPatch")


class ParticipantQuery(PageArgs):
    q = f.Str(validate=f.length(100), metadata={"description": "Words of the name, any accents"})
    country = f.Str(validate=f.country(), metadata={"description": "Nationality"})
    organisation_id = f.Id(strict=False)
    sex = f.Enum(Sex)


class DuplicateSchema(f.Schema):
    id = f.Int(required=True)
    given_name = f.Str(required=True)
    family_name = f.Str(required=True)
    organisation = f.Nested(OrganisationRefSchema, required=True, allow_none=True)


class ScreeningSchema(f.Schema):
    id = f.Int(required=True)
    participant_id = f.Int(required=True)
    framework = f.Enum(ScreeningFramework, required=True)
    status = f.Enum(ScreeningStatus, required=True)
    screened_on = f.Date(required=True, allow_none=True)
    valid_until = f.Date(required=True, allow_none=True)
    reference = f.Str(required=True, allow_none=True)
    notes = f.Text(allow_none=True, metadata={"description": "Only for those who may read them."})
    created_at = f.DateTime(required=True)

    @post_dump
    def notes_for_their_readers(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        if not can(current_user, "screening.view_notes"):
            data.pop("notes", None)
        return data


class ScreeningIn(f.Schema):
    framework = f.Enum(ScreeningFramework, required=True)
    status = f.Enum(ScreeningStatus, required=True)
    screened_on = f.Date(required=True)
    valid_until = f.Date(load_default=None, allow_none=True)
    reference = f.Str(load_default=None, allow_none=True, validate=f.length(100))
    notes = f.Text(load_default=None, allow_none=True, validate=f.length(5000))


ParticipantPage = page_schema(ParticipantSchema)
ScreeningPage = page_schema(ScreeningSchema)

PARTICIPANT_LOADS = (selectinload(Participant.organisation), selectinload(Participant.screenings))


def participant_details(
    values: dict[str, Any], participant: Participant | None = None
) -> services.ParticipantDetails:
    """The body (over the participant's current values, for a change) as
    the service's details."""
    current: dict[str, Any] = {}
    if participant is not None:
        current = {
            "given_name": participant.given_name,
            "family_name": participant.family_name,
            "sex": participant.sex,
            "nationality": participant.nationality,
            "organisation_id": participant.organisation_id,
            "rank": participant.rank,
            "function": participant.function,
            "email": participant.email,
            "phone": participant.phone,
            "consent": participant.consent_recorded_at is not None,
        }
    merged = {**current, **values}
    keep = participant.organisation_id if participant else None
    return services.ParticipantDetails(
        given_name=merged["given_name"],
        family_name=merged["family_name"],
        sex=merged["sex"],
        nationality=merged.get("nationality"),
        organisation=_organisation(merged.get("organisation_id"), keep),
        rank=merged.get("rank"),
        function=merged.get("function"),
        email=merged.get("email"),
        phone=merged.get("phone"),
        consent=bool(merged.get("consent")),
    )


def duplicate_problem(error: services.DuplicateParticipant) -> ApiProblem:
    """409 naming the look-alikes, for the coordinator to pick one or to
    create anyway (`allow_duplicate`)."""
    return from_domain_error(error, duplicates=DuplicateSchema(many=True).dump(error.matches))


@bp.route("/participants", tags=PARTICIPANTS)
@operation("participants.view", "participants:read")
@bp.arguments(ParticipantQuery, location="query")
@bp.response(200, ParticipantPage)
def list_participants(args: dict[str, Any]):
    """Participants, found as the participants page finds them."""
    statement = services.participant_search(
        args.get("q"),
        country=args.get("country"),
        organisation_id=args.get("organisation_id"),
        sex=args["sex"].value if args.get("sex") else None,
    ).options(*PARTICIPANT_LOADS)
    return page_response(page_of_statement(statement, Participant.id, args), ParticipantPage())


@bp.route("/participants", methods=["POST"], tags=PARTICIPANTS)
@operation("participants.manage", "participants:write", write=True, responses=(409, 422))
@bp.arguments(ParticipantCreate)
@bp.response(201, ParticipantSchema)
def create_participant(values: dict[str, Any]):
    """Register a participant; one who looks like a registered one (the
    same name in the same organisation, the same email or phone) is
    refused (409 `duplicate_participant`, with the look-alikes) unless
    `allow_duplicate`."""
    allow_duplicate = values.pop("allow_duplicate")
    try:
        participant = services.create_participant(
            participant_details(values), actor=current_user, allow_duplicate=allow_duplicate
        )
    except services.DuplicateParticipant as error:
        raise duplicate_problem(error) from None
    location = url_for("api.get_participant", participant_id=participant.id)
    return resource(participant, ParticipantSchema(), 201, {"Location": location})


@bp.route("/participants/<int:participant_id>", tags=PARTICIPANTS)
@operation("participants.view", "participants:read", responses=(404,))
@bp.response(200, ParticipantSchema)
def get_participant(participant_id: int):
    return resource(get_or_404(Participant, participant_id), ParticipantSchema())


@bp.route("/participants/<int:participant_id>", methods=["PATCH"], tags=PARTICIPANTS)
@operation(
    "participants.manage",
    "participants:write",
    write=True,
    if_match="required",
    responses=(404, 422),
)
@bp.arguments(ParticipantPatch)
@bp.response(200, ParticipantSchema)
def update_participant(values: dict[str, Any], participant_id: int):
    participant = get_or_404(Participant, participant_id, for_update=True)
    check_if_match(participant, ParticipantSchema(), required=True)
    services.update_participant(
        participant, participant_details(values, participant), actor=current_user
    )
    return resource(participant, ParticipantSchema())


@bp.route("/participants/<int:participant_id>/screenings", tags=PARTICIPANTS)
@operation("participants.view", "participants:read", responses=(404,))
@bp.arguments(PageArgs, location="query")
@bp.response(200, ScreeningPage)
def list_screenings(args: dict[str, Any], participant_id: int):
    """The participant's screening history (the evidence: never
    overwritten)."""
    participant = get_or_404(Participant, participant_id)
    page = page_of_list(participant.screenings, args, key=lambda record: record.id)
    return page_response(page, ScreeningPage())


@bp.route("/participants/<int:participant_id>/screenings", methods=["POST"], tags=PARTICIPANTS)
@operation("screening.manage", "participants:write", write=True, responses=(404, 422))
@bp.arguments(ScreeningIn)
@bp.response(201, ScreeningSchema)
def record_screening(values: dict[str, Any], participant_id: int):
    """Add a screening result to the participant's history."""
    participant = get_or_404(Participant, participant_id, for_update=True)
    record: ScreeningRecord = services.record_screening(participant, actor=current_user, **values)
    return resource(record, ScreeningSchema(), 201)
