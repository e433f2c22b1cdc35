"""Curricula and their modules (training.curricula.services)."""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from flask_login import current_user
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
from training.curricula import services
from training.curricula.models import Curriculum, CurriculumOwner, CurriculumStatus, Module, Theme

TAG = ["Curricula"]


class ModuleSchema(f.Schema):
    id = f.Int(required=True, dump_only=True)
    curriculum_id = f.Int(required=True, dump_only=True)
    position = f.Int(required=True, dump_only=True)
    title_en = f.Str(required=True)
    title_fr = f.Str(required=True)
    aim = f.Text(required=True, allow_none=True)
    learning_outcomes = f.Text(required=True, allow_none=True)
    duration_minutes = f.Int(required=True)


class ModuleIn(f.Schema):
    """A module as the module form takes it."""

    title_en = f.Str(required=True, validate=f.length(250, 1))
    title_fr = f.Str(required=True, validate=f.length(250, 1))
    aim = f.Text(load_default=None, allow_none=True, validate=f.length(5000))
    learning_outcomes = f.Text(load_default=None, allow_none=True, validate=f.length(5000))
    duration_minutes = f.Int(required=True, validate=f.between(1, 6000))


ModulePatch = patch_of(ModuleIn, "ModulePatch")


class CurriculumSchema(f.Schema):
    id = f.Int(required=True)
    code = f.Str(required=True)
    title_en = f.Str(required=True)
    title_fr = f.Str(required=True)
    description = f.Text(required=True, allow_none=True)
    theme = f.Enum(Theme, required=True)
    owner = f.Enum(CurriculumOwner, required=True)
    version = f.Str(required=True)
    status = f.Enum(CurriculumStatus, required=True)
    min_attendance_percent = f.Int(required=True)
    pass_mark_percent = f.Int(required=True, allow_none=True)
    certificate_validity_months = f.Int(required=True, allow_none=True)
    total_hours = f.Float(required=True)
    modules = f.List(f.Nested(ModuleSchema), required=True)
    created_at = f.DateTime(required=True)
    updated_at = f.DateTime(required=True)


class CurriculumIn(f.Schema):
    """A curriculum as the curriculum form takes it; it starts as a draft."""

    code = f.Str(required=True, validate=[f.length(30, 1), f.code_pattern()])
    title_en = f.Str(required=True, validate=f.length(250, 1))
    title_fr = f.Str(required=True, validate=f.length(250, 1))
    description = f.Text(load_default=None, allow_none=True, validate=f.length(5000))
    theme = f.Enum(Theme, required=True)
    owner = f.Enum(CurriculumOwner, required=True)
    version = f.Str(load_default="1.0", validate=f.length(20, 1))
    min_attendance_percent = f.Int(load_default=80, validate=f.between(0, 100))
    pass_mark_percent = f.Int(load_default=None, allow_none=True, validate=f.between(0, 100))
    certificate_validity_months = f.Int(
        load_default=None, allow_none=True, validate=f.between(1, 600)
    )


CurriculumPatch = patch_of(CurriculumIn, "CurriculumPatch")


class CurriculumQuery(PageArgs):
    q = f.Str(validate=f.length(100), metadata={"description": "Code or title, any accents"})
    theme = f.Enum(Theme)
    owner = f.Enum(CurriculumOwner)
    status = f.Enum(CurriculumStatus)


class MoveIn(f.Schema):
    direction = f.Str(required=True, validate=f.one_of(["up", "down"]))


CurriculumPage = page_schema(CurriculumSchema)
ModulePage = page_schema(ModuleSchema)


def _curriculum(curriculum_id: int, *, for_update: bool = False) -> Curriculum:
    return get_or_404(Curriculum, curriculum_id, for_update=for_update)


def _module(curriculum_id: int, module_id: int, *, for_update: bool = False) -> Module:
    module = get_or_404(Module, module_id, for_update=for_update)
    if module.curriculum_id != curriculum_id:  # an id of another curriculum names nothing here
        raise not_found()
    return module


def _curriculum_resource(curriculum: Curriculum, status: int = 200) -> Response:
    headers = {"Location": url_for("api.get_curriculum", curriculum_id=curriculum.id)}
    return resource(curriculum, CurriculumSchema(), status, headers if status == 201 else None)


@bp.route("/curricula", tags=TAG)
@operation("curricula.view", "curricula:read")
@bp.arguments(CurriculumQuery, location="query")
@bp.response(200, CurriculumPage)
def list_curricula(args: dict[str, Any]):
    """Curricula, filtered as the curricula page filters them."""
    statement = services.search_curricula(
        query=args.get("q"),
        theme=args.get("theme"),
        owner=args.get("owner"),
        status=args.get("status"),
    ).options(selectinload(Curriculum.modules))
    return page_response(page_of_statement(statement, Curriculum.id, args), CurriculumPage())


@bp.route("/curricula", methods=["POST"], tags=TAG)
@operation("curricula.manage", "curricula:write", write=True, responses=(409, 422))
@bp.arguments(CurriculumIn)
@bp.response(201, CurriculumSchema)
def create_curriculum(values: dict[str, Any]):
    """A new curriculum, as a draft (its code unique, whatever the case)."""
    curriculum = services.create_curriculum(actor=current_user, **values)
    return _curriculum_resource(curriculum, 201)


@bp.route("/curricula/<int:curriculum_id>", tags=TAG)
@operation("curricula.view", "curricula:read", responses=(404,))
@bp.response(200, CurriculumSchema)
def get_curriculum(curriculum_id: int):
    """A curriculum with its modules; its ETag is what a change names."""
    return _curriculum_resource(_curriculum(curriculum_id))


@bp.route("/curricula/<int:curriculum_id>", methods=["PATCH"], tags=TAG)
@operation(
    "curricula.manage",
    "curricula:write",
    write=True,
    if_match="required",
    responses=(404, 409, 422),
)
@bp.arguments(CurriculumPatch)
@bp.response(200, CurriculumSchema)
def update_curriculum(values: dict[str, Any], curriculum_id: int):
    """Change a draft or approved curriculum (a retired one is frozen)."""
    curriculum = _curriculum(curriculum_id, for_update=True)
    check_if_match(curriculum, CurriculumSchema(), required=True)
    services.update_curriculum(curriculum, actor=current_user, **values)
    return _curriculum_resource(curriculum)


@bp.route("/curricula/<int:curriculum_id>/approve", methods=["POST"], tags=TAG)
@operation(
    "curricula.manage", "curricula:write", write=True, if_match="optional", responses=(404, 409)
)
@bp.response(200, CurriculumSchema)
def approve_curriculum(curriculum_id: int):
    """A draft with at least one module becomes schedulable."""
    curriculum = _curriculum(curriculum_id, for_update=True)
    check_if_match(curriculum, CurriculumSchema(), required=False)
    services.approve_curriculum(curriculum, actor=current_user)
    return _curriculum_resource(curriculum)


@bp.route("/curricula/<int:curriculum_id>/retire", methods=["POST"], tags=TAG)
@operation(
    "curricula.manage", "curricula:write", write=True, if_match="optional", responses=(404, 409)
)
@bp.response(200, CurriculumSchema)
def retire_curriculum(curriculum_id: int):
    """Retire a curriculum: no longer scheduled nor changed; its sessions,
    certificates and history stay."""
    curriculum = _curriculum(curriculum_id, for_update=True)
    check_if_match(curriculum, CurriculumSchema(), required=False)
    services.retire_curriculum(curriculum, actor=current_user)
    return _curriculum_resource(curriculum)


@bp.route("/curricula/<int:curriculum_id>/modules", tags=TAG)
@operation("curricula.view", "curricula:read", responses=(404,))
@bp.arguments(PageArgs, location="query")
@bp.response(200, ModulePage)
def list_modules(args: dict[str, Any], curriculum_id: int):
    """The curriculum's modules (their `position` is their order)."""
    curriculum = _curriculum(curriculum_id)
    page = page_of_list(curriculum.modules, args, key=lambda module: module.id)
    return page_response(page, ModulePage())


@bp.route("/curricula/<int:curriculum_id>/modules", methods=["POST"], tags=TAG)
@operation("curricula.manage", "curricula:write", write=True, responses=(404, 409, 422))
@bp.arguments(ModuleIn)
@bp.response(201, ModuleSchema)
def add_module(values: dict[str, Any], curriculum_id: int):
    """A new module, at the end of the curriculum."""
    module = services.add_module(_curriculum(curriculum_id, for_update=True), **values)
    location = url_for("api.get_module", curriculum_id=curriculum_id, module_id=module.id)
    return resource(module, ModuleSchema(), 201, {"Location": location})


@bp.route("/curricula/<int:curriculum_id>/modules/<int:module_id>", tags=TAG)
@operation("curricula.view", "curricula:read", responses=(404,))
@bp.response(200, ModuleSchema)
def get_module(curriculum_id: int, module_id: int):
    return resource(_module(curriculum_id, module_id), ModuleSchema())


@bp.route("/curricula/<int:curriculum_id>/modules/<int:module_id>", methods=["PATCH"], tags=TAG)
@operation(
    "curricula.manage",
    "curricula:write",
    write=True,
    if_match="required",
    responses=(404, 409, 422),
)
@bp.arguments(ModulePatch)
@bp.response(200, ModuleSchema)
def update_module(values: dict[str, Any], curriculum_id: int, module_id: int):
    module = _module(curriculum_id, module_id, for_update=True)
    check_if_match(module, ModuleSchema(), required=True)
    services.update_module(module, **values)
    return resource(module, ModuleSchema())


@bp.route("/curricula/<int:curriculum_id>/modules/<int:module_id>", methods=["DELETE"], tags=TAG)
@operation(
    "curricula.manage", "curricula:write", write=True, if_match="optional", responses=(404, 409)
)
@bp.response(204)
def remove_module(curriculum_id: int, module_id: int):
    """Remove a module and close the gap (an approved curriculum keeps one)."""
    module = _module(curriculum_id, module_id, for_update=True)
    check_if_match(module, ModuleSchema(), required=False)
    services.remove_module(module)
    return Response(status=204)


@bp.route("/curricula/<int:curriculum_id>/modules/<int:module_id>/move", methods=["POST"], tags=TAG)
@operation("curricula.manage", "curricula:write", write=True, responses=(404, 409, 422))
@bp.arguments(MoveIn)
@bp.response(200, CurriculumSchema)
def move_module(values: dict[str, Any], curriculum_id: int, module_id: int):
    """Swap a module with its neighbour above or below."""
    module = _module(curriculum_id, module_id, for_update=True)
    services.move_module(module, -1 if values["direction"] == "up" else 1)
    return _curriculum_resource(module.curriculum)
