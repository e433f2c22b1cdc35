"""Curricula and their modules: the rules for writing, ordering, approving
and retiring them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from training.audit.models import AuditEvent
from training.audit.services import record_event
from training.curricula.models import (
    Curriculum,
    CurriculumOwner,
    CurriculumStatus,
    Module,
    Theme,
)
from training.domain import DomainError
from training.extensions import db
from training.text import fold

if TYPE_CHECKING:
    from training.auth.models import User

CURRICULUM_FIELDS = (
    "code",
    "title_en",
    "title_fr",
    "title_ar",
    "description",
    "theme",
    "owner",
    "version",
    "min_attendance_percent",
    "pass_mark_percent",
    "certificate_validity_months",
)
MODULE_FIELDS = (
    "title_en",
    "title_fr",
    "title_ar",
    "aim",
    "learning_outcomes",
    "duration_minutes",
)


class CurriculumRetired(DomainError):
    """A retired curriculum is kept as it was: its history stays intact."""


class CurriculumNotApprovable(DomainError):
    """Only a draft with at least one module can be approved."""


def search_curricula(
    *,
    query: str | None = None,
    theme: Theme | None = None,
    owner: CurriculumOwner | None = None,
    status: CurriculumStatus | None = None,
) -> sa.Select[Curriculum]:
    """The statement behind the curricula list: the search matches the code
    and both titles, case- and accent-insensitively."""
    statement = sa.select(Curriculum).order_by(Curriculum.code)
    folded = fold(query)
    if folded:
        for word in folded.split():
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            statement = statement.where(Curriculum.search_text.like(f"%{escaped}%", escape="\\"))
    if theme is not None:
        statement = statement.where(Curriculum.theme == theme)
    if owner is not None:
        statement = statement.where(Curriculum.owner == owner)
    if status is not None:
        statement = statement.where(Curriculum.status == status)
    return statement


def _check_code_free(code: str, curriculum: Curriculum | None = None) -> None:
    statement = sa.select(Curriculum.id).where(sa.func.lower(Curriculum.code) == code.lower())
    if curriculum is not None and curriculum.id is not None:
        statement = statement.where(Curriculum.id != curriculum.id)
    if db.session.scalar(statement) is not None:
        raise DomainError(
            _("The code %(code)s is already used by another curriculum.", code=code), field="code"
        )


def _ensure_not_retired(curriculum: Curriculum) -> None:
    if curriculum.status == CurriculumStatus.RETIRED:
        raise CurriculumRetired(
            _("Curriculum %(code)s is retired and can no longer be changed.", code=curriculum.code)
        )


def create_curriculum(*, actor: User, **values: Any) -> Curriculum:
    """A new curriculum starts as a draft; its code is unique (whatever the case)."""
    values = {key: values[key] for key in CURRICULUM_FIELDS if key in values}
    values["code"] = values["code"].strip()
    _check_code_free(values["code"])
    curriculum = Curriculum(status=CurriculumStatus.DRAFT, **values)
    db.session.add(curriculum)
    db.session.flush()
    record_event(
        "curriculum.created",
        actor=actor,
        entity=curriculum,
        after={"code": curriculum.code, "version": curriculum.version},
    )
    return curriculum


def update_curriculum(curriculum: Curriculum, *, actor: User, **values: Any) -> Curriculum:
    """Edit a draft or approved curriculum; a retired one is frozen. The
    audit keeps the fields that changed, before and after."""
    _ensure_not_retired(curriculum)
    values = {key: values[key] for key in CURRICULUM_FIELDS if key in values}
    if "code" in values:
        values["code"] = values["code"].strip()
        _check_code_free(values["code"], curriculum)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key, value in values.items():
        if getattr(curriculum, key) != value:
            before[key] = getattr(curriculum, key)
            after[key] = value
            setattr(curriculum, key, value)
    db.session.flush()
    if after:
        record_event(
            "curriculum.updated", actor=actor, entity=curriculum, before=before, after=after
        )
    return curriculum


def approve_curriculum(curriculum: Curriculum, *, actor: User) -> Curriculum:
    """A draft becomes schedulable once it has at least one module."""
    if curriculum.status != CurriculumStatus.DRAFT:
        raise CurriculumNotApprovable(
            _(
                "Only a draft curriculum can be approved; %(code)s is not a draft.",
                code=curriculum.code,
            )
        )
    if not curriculum.modules:
        raise CurriculumNotApprovable(_("Add at least one module before approving the curriculum."))
    curriculum.status = CurriculumStatus.APPROVED
    db.session.flush()
    record_event(
        "curriculum.approved",
        actor=actor,
        entity=curriculum,
        before={"status": CurriculumStatus.DRAFT},
        after={"status": CurriculumStatus.APPROVED},
    )
    return curriculum


def retire_curriculum(curriculum: Curriculum, *, actor: User) -> Curriculum:
    """A retired curriculum can no longer be scheduled or changed; its
    sessions, certificates and history stay as they are."""
    _ensure_not_retired(curriculum)
    before = curriculum.status
    curriculum.status = CurriculumStatus.RETIRED
    db.session.flush()
    record_event(
        "curriculum.retired",
        actor=actor,
        entity=curriculum,
        before={"status": before},
        after={"status": CurriculumStatus.RETIRED},
    )
    return curriculum


def add_module(curriculum: Curriculum, **values: Any) -> Module:
    """A new module goes to the end of the curriculum."""
    _ensure_not_retired(curriculum)
    values = {key: values[key] for key in MODULE_FIELDS if key in values}
    position = max((module.position for module in curriculum.modules), default=0) + 1
    module = Module(position=position, **values)
    curriculum.modules.append(module)
    db.session.flush()
    return module


def update_module(module: Module, **values: Any) -> Module:
    _ensure_not_retired(module.curriculum)
    for key in MODULE_FIELDS:
        if key in values:
            setattr(module, key, values[key])
    db.session.flush()
    return module


def remove_module(module: Module) -> None:
    """Remove a module and close the gap in the order. An approved
    curriculum keeps at least one module."""
    curriculum = module.curriculum
    _ensure_not_retired(curriculum)
    if curriculum.status == CurriculumStatus.APPROVED and len(curriculum.modules) <= 1:
        raise DomainError(_("An approved curriculum keeps at least one module."))
    curriculum.modules.remove(module)
    db.session.flush()
    # One row at a time: (curriculum, position) is unique at every step.
    for module_after in sorted(curriculum.modules, key=lambda item: item.position):
        if module_after.position > module.position:
            module_after.position -= 1
            db.session.flush()


def move_module(module: Module, offset: int) -> None:
    """Swap a module with its neighbour above (offset -1) or below (+1);
    at either end nothing moves."""
    curriculum = module.curriculum
    _ensure_not_retired(curriculum)
    ordered = sorted(curriculum.modules, key=lambda item: item.position)
    index = ordered.index(module)
    target = index + offset
    if offset not in (-1, 1) or not 0 <= target < len(ordered):
        return
    neighbour = ordered[target]
    own_position, neighbour_position = module.position, neighbour.position
    # Through a free position, so that the unique constraint holds at each step.
    module.position = -1
    db.session.flush()
    neighbour.position = own_position
    db.session.flush()
    module.position = neighbour_position
    db.session.flush()
    curriculum.modules.sort(key=lambda item: item.position)


def curriculum_history(curriculum: Curriculum) -> list[AuditEvent]:
    """The curriculum's audit events, newest first."""
    statement = (
        sa.select(AuditEvent)
        .where(AuditEvent.entity_type == "curriculum", AuditEvent.entity_id == curriculum.id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .options(selectinload(AuditEvent.actor))
    )
    return list(db.session.scalars(statement))
