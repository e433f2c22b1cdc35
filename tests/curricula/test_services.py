"""Curricula rules: unique codes, ordered modules, approving and retiring."""

from __future__ import annotations

import pytest

from tests import factories
from training.audit.models import AuditEvent
from training.curricula import services
from training.curricula.models import CurriculumOwner, CurriculumStatus, Theme
from training.domain import DomainError
from training.extensions import db

VALUES = {
    "code": "CT-PROS-01",
    "title_en": "Prosecuting terrorism",
    "title_fr": "Poursuivre le terrorisme",
    "theme": Theme.COUNTER_TERRORISM,
    "owner": CurriculumOwner.UNODC,
    "version": "1.0",
    "min_attendance_percent": 80,
    "pass_mark_percent": None,
    "certificate_validity_months": None,
}


def _module(curriculum, title: str, minutes: int = 90):
    return services.add_module(curriculum, title_en=title, title_fr=title, duration_minutes=minutes)


def test_created_curriculum_is_a_draft_and_audited(app, request_context):
    actor = factories.make_user("coordinator")
    curriculum = services.create_curriculum(actor=actor, **VALUES)
    assert curriculum.status == CurriculumStatus.DRAFT
    event = db.session.scalar(db.select(AuditEvent))
    assert event.action == "curriculum.created" and event.actor_id == actor.id


def test_code_taken_is_refused_whatever_the_case(app, request_context):
    factories.make_curriculum(code="CT-PROS-01")
    with pytest.raises(DomainError) as refused:
        services.create_curriculum(actor=None, **{**VALUES, "code": "ct-pros-01"})
    assert refused.value.field == "code"
    assert "ct-pros-01" in refused.value.message


def test_edit_keeps_own_code_and_audits_changes(app, request_context):
    curriculum = factories.make_curriculum(code="CT-PROS-01", version="1.0")
    services.update_curriculum(curriculum, actor=None, code="CT-PROS-01", version="2.0")
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "curriculum.updated")
    )
    assert event.changes == {"before": {"version": "1.0"}, "after": {"version": "2.0"}}


def test_approving_needs_a_module(app, request_context):
    curriculum = services.create_curriculum(actor=None, **VALUES)
    with pytest.raises(DomainError, match="at least one module"):
        services.approve_curriculum(curriculum, actor=None)
    _module(curriculum, "Legal framework")
    services.approve_curriculum(curriculum, actor=None)
    assert curriculum.status == CurriculumStatus.APPROVED


def test_only_a_draft_is_approved(app, request_context):
    curriculum = factories.make_curriculum(status=CurriculumStatus.APPROVED)
    with pytest.raises(DomainError):
        services.approve_curriculum(curriculum, actor=None)


def test_retired_curriculum_is_frozen(app, request_context):
    curriculum = factories.make_curriculum()
    services.retire_curriculum(curriculum, actor=None)
    assert curriculum.status == CurriculumStatus.RETIRED
    with pytest.raises(DomainError, match="retired"):
        services.update_curriculum(curriculum, actor=None, version="9")
    with pytest.raises(DomainError):
        _module(curriculum, "Late addition")
    with pytest.raises(DomainError):
        services.retire_curriculum(curriculum, actor=None)
    actions = db.session.scalars(db.select(AuditEvent.action)).all()
    assert actions == ["curriculum.retired"]
    assert [event.action for event in services.curriculum_history(curriculum)] == actions


def test_modules_are_appended_moved_and_removed_in_order(app, request_context):
    curriculum = factories.make_curriculum(modules=0, status=CurriculumStatus.DRAFT)
    first, second, third = (_module(curriculum, title) for title in ("A", "B", "C"))
    assert [m.position for m in (first, second, third)] == [1, 2, 3]
    services.move_module(third, -1)
    assert [m.title_en for m in curriculum.modules] == ["A", "C", "B"]
    services.move_module(first, -1)  # already first: nothing moves
    services.move_module(second, 1)  # already last
    assert [m.title_en for m in curriculum.modules] == ["A", "C", "B"]
    services.remove_module(first)
    db.session.expire_all()
    assert [(m.title_en, m.position) for m in curriculum.modules] == [("C", 1), ("B", 2)]


def test_total_hours_come_from_the_modules(app, request_context):
    curriculum = factories.make_curriculum(modules=0)
    _module(curriculum, "A", 90)
    _module(curriculum, "B", 60)
    assert str(curriculum.total_hours) == "2.5"


def test_approved_curriculum_keeps_one_module(app, request_context):
    curriculum = factories.make_curriculum(modules=1)
    with pytest.raises(DomainError, match="at least one module"):
        services.remove_module(curriculum.modules[0])


def test_search_is_accent_and_case_insensitive(app, request_context):
    factories.make_curriculum(
        code="TIP-01", title_en="Trafficking", title_fr="Traite des êtres humains"
    )
    factories.make_curriculum(code="CT-01", title_en="Terrorism", title_fr="Terrorisme")
    found = db.session.scalars(services.search_curricula(query="ETRES humains")).all()
    assert [c.code for c in found] == ["TIP-01"]
    found = db.session.scalars(services.search_curricula(query="ct-0")).all()
    assert [c.code for c in found] == ["CT-01"]
    assert db.session.scalars(services.search_curricula(query="100%")).all() == []


def test_search_filters(app, request_context):
    factories.make_curriculum(code="A-1", theme=Theme.DRUGS, owner=CurriculumOwner.DPO)
    factories.make_curriculum(code="A-2", status=CurriculumStatus.DRAFT)
    assert [c.code for c in db.session.scalars(services.search_curricula(theme=Theme.DRUGS))] == [
        "A-1"
    ]
    assert [
        c.code for c in db.session.scalars(services.search_curricula(owner=CurriculumOwner.DPO))
    ] == ["A-1"]
    assert [
        c.code for c in db.session.scalars(services.search_curricula(status=CurriculumStatus.DRAFT))
    ] == ["A-2"]
