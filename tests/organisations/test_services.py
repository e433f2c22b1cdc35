"""Organisations: their label, search and counts, the choices forms offer,
and merging two records of one organisation."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from tests import factories
from tests.conftest import _assert_reports_match_rebuild
from training.audit.models import AuditEvent
from training.enrollment.models import Enrollment, EnrollmentStatus
from training.extensions import db
from training.organisations.merge import SameOrganisation, merge_organisations, merge_plan
from training.people.models import Organisation, OrganisationKind, Participant, Trainer
from training.people.organisations import (
    OrganisationDetails,
    PartnershipState,
    create_organisation,
    likely_duplicates,
    offered_organisations,
    organisation_search,
    people_counts,
    update_organisation,
)
from training.reports import projection
from training.reports.models import ReportTraining
from training.sessions.models import SessionStatus, TrainingSession, session_partner


def names(statement: sa.Select) -> list[str]:
    return [organisation.label for organisation in db.session.scalars(statement)]


# --- the label ----------------------------------------------------------------------


def test_the_label_carries_the_country_in_the_readers_language(app):
    chad = factories.make_organisation(name="Gendarmerie nationale", acronym="GN", country="TD")
    regional = factories.make_organisation(
        name="Secrétariat permanent du G5 Sahel", acronym=None, country=None
    )
    with force_locale("fr"):
        assert chad.label == "GN — Gendarmerie nationale (Tchad)"
        assert chad.short_label == "GN (Tchad)"
    with force_locale("en"):
        assert chad.label == "GN — Gendarmerie nationale (Chad)"
        assert chad.name_label == "GN — Gendarmerie nationale"
    assert regional.label == "Secrétariat permanent du G5 Sahel"
    assert regional.short_label == "Secrétariat permanent du G5 Sahel"


# --- search, filters and counts ----------------------------------------------------


@pytest.fixture
def registry(app):
    today = date(2026, 6, 1)
    return {
        "niger": factories.make_organisation(
            name="Direction générale de la Sûreté nationale", acronym="DGSN", country="NE"
        ),
        "mali": factories.make_organisation(
            name="Gendarmerie nationale",
            acronym="GN",
            country="ML",
            kind=OrganisationKind.GENDARMERIE,
        ),
        "chad": factories.make_organisation(
            name="Gendarmerie nationale",
            acronym="GN",
            country="TD",
            kind=OrganisationKind.GENDARMERIE,
            active_until=date(2023, 12, 31),
        ),
        "today": today,
    }


def test_search_ignores_case_and_accents_on_name_and_acronym(registry):
    assert names(organisation_search("surete")) == [registry["niger"].label]
    assert names(organisation_search("SÛRETÉ nationale")) == [registry["niger"].label]
    assert names(organisation_search("dgsn")) == [registry["niger"].label]
    assert len(names(organisation_search("gendarmérie"))) == 2
    assert names(organisation_search("gendarmerie surete")) == []
    # LIKE's wildcards are literal characters in a search.
    assert names(organisation_search("%")) == []
    assert names(organisation_search("_")) == []


def test_filters_by_country_kind_and_partnership(registry):
    today = registry["today"]
    assert names(organisation_search(country="td")) == [registry["chad"].label]
    assert {
        o.id for o in db.session.scalars(organisation_search(kind=OrganisationKind.POLICE))
    } >= {registry["niger"].id}
    ended = organisation_search(state=PartnershipState.ENDED, today=today)
    assert names(ended) == [registry["chad"].label]
    active = list(
        db.session.scalars(organisation_search(state=PartnershipState.ACTIVE, today=today))
    )
    assert registry["chad"] not in active and registry["mali"] in active


def test_people_are_counted_per_organisation_in_one_statement(app, count_queries):
    police, customs, empty = (factories.make_organisation() for _ in range(3))
    for _ in range(3):
        factories.make_participant(organisation=police)
    factories.make_participant(organisation=customs)
    factories.make_trainer(organisation=police)
    factories.make_trainer(organisation=police)
    db.session.flush()
    with count_queries() as statements:
        counts = people_counts([police.id, customs.id, empty.id])
    assert len(statements) == 1
    assert (counts[police.id].participants, counts[police.id].trainers) == (3, 2)
    assert (counts[customs.id].participants, counts[customs.id].trainers) == (1, 0)
    assert empty.id not in counts
    assert people_counts([]) == {}


def test_a_name_is_a_duplicate_whatever_its_case_and_accents(app):
    coordinator = factories.make_user("coordinator")
    create_organisation(
        OrganisationDetails("École nationale de police", "ENP", "NE", OrganisationKind.POLICE),
        actor=coordinator,
    )
    with pytest.raises(Exception, match="already exists in this country"):
        create_organisation(
            OrganisationDetails("ECOLE  NATIONALE DE POLICE", None, "NE", OrganisationKind.POLICE),
            actor=coordinator,
        )


def test_forms_offer_current_partners_and_the_records_own(app):
    ended = factories.make_organisation(
        name="MINUSMA", acronym=None, active_until=date(2023, 12, 31)
    )
    later = factories.make_organisation(active_from=date(2099, 1, 1))
    current = factories.make_organisation(name="Zorro")
    offered = offered_organisations(on=date(2026, 1, 1))
    assert current in offered and ended not in offered and later not in offered
    assert ended in offered_organisations(on=date(2026, 1, 1), keep_id=ended.id)


def test_choices_are_sorted_by_the_label_as_read(app):
    labels = [
        factories.make_organisation(name=name, acronym=None, country="NE").label
        for name in ("Zinder police", "École nationale", "douanes")
    ]
    offered = [o.label for o in offered_organisations() if o.label in labels]
    assert offered == ["douanes (Niger)", "École nationale (Niger)", "Zinder police (Niger)"]


def test_likely_duplicates_are_records_of_the_same_country(app):
    full = factories.make_organisation(name="Police nationale du Niger", acronym="PN", country="NE")
    short = factories.make_organisation(name="Police nationale", acronym=None, country="NE")
    acronym_only = factories.make_organisation(name="PN", acronym=None, country="NE")
    burkina = factories.make_organisation(name="Police nationale", acronym="PN", country="BF")
    found = likely_duplicates(full)
    assert short in found and acronym_only in found and burkina not in found


# --- merging -------------------------------------------------------------------------


@pytest.fixture
def two_records(app):
    """One Nigerien police registered twice (with two kinds, so that the
    reports' rows visibly follow), with people, a nomination and partnerships."""
    coordinator = factories.make_user("coordinator")
    kept = factories.make_organisation(name="Police nationale du Niger", acronym="PN")
    removed = factories.make_organisation(
        name="Police nationale", acronym=None, kind=OrganisationKind.GENDARMERIE
    )
    completed = factories.make_session(status=SessionStatus.COMPLETED)
    both_partners = factories.make_session()
    only_removed = factories.make_session()
    both_partners.partners.extend([kept, removed])
    only_removed.partners.append(removed)
    moved = [factories.make_participant(organisation=removed) for _ in range(2)]
    staying = factories.make_participant(organisation=kept)
    enrollment = factories.enroll(moved[0], completed, nominating_organisation=removed)
    factories.enroll(staying, completed)
    trainer = factories.make_trainer(organisation=removed)
    update_organisation(
        removed,
        OrganisationDetails("Police nationale", "PN?", "NE", OrganisationKind.GENDARMERIE),
        actor=coordinator,
    )
    db.session.commit()
    projection.catch_up()
    return {
        "coordinator": coordinator,
        "kept": kept,
        "removed": removed,
        "moved": moved,
        "staying": staying,
        "enrollment": enrollment,
        "trainer": trainer,
        "both_partners": both_partners,
        "only_removed": only_removed,
        "completed": completed,
    }


def test_the_plan_counts_what_moves(two_records):
    plan = merge_plan(two_records["kept"], two_records["removed"])
    assert (plan.participants, plan.trainers, plan.nominations) == (2, 1, 1)
    assert (plan.partnerships, plan.shared_partnerships) == (2, 1)
    assert not plan.different_countries


def test_merging_moves_everything_and_deletes_the_other_record(two_records):
    kept, removed = two_records["kept"], two_records["removed"]
    kept_id, removed_id = kept.id, removed.id
    kinds_before = set(db.session.scalars(sa.select(ReportTraining.organisation_kind)))
    assert kinds_before == {OrganisationKind.POLICE, OrganisationKind.GENDARMERIE}

    merge_organisations(kept, removed, actor=two_records["coordinator"])
    db.session.commit()

    assert db.session.get(Organisation, removed_id) is None
    participants = db.session.scalars(sa.select(Participant.organisation_id)).all()
    assert set(participants) >= {kept_id} and removed_id not in participants
    assert db.session.get(Trainer, two_records["trainer"].id).organisation_id == kept_id
    enrollment = db.session.get(Enrollment, two_records["enrollment"].id)
    assert enrollment.nominating_organisation_id == kept_id
    partners = db.session.execute(sa.select(session_partner)).all()
    assert sorted(partners) == sorted(
        [(two_records["both_partners"].id, kept_id), (two_records["only_removed"].id, kept_id)]
    )
    # The reports' rows follow: the moved participant now counts as police.
    projection.catch_up()
    assert set(db.session.scalars(sa.select(ReportTraining.organisation_kind))) == {
        OrganisationKind.POLICE
    }
    _assert_reports_match_rebuild()


def test_one_audit_event_names_both_and_the_history_follows(two_records):
    kept, removed = two_records["kept"], two_records["removed"]
    removed_id = removed.id
    merge_organisations(kept, removed, actor=two_records["coordinator"])
    db.session.commit()
    merged = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "organisation.merged")
    ).all()
    assert len(merged) == 1
    event = merged[0]
    assert (event.entity_type, event.entity_id) == ("organisation", kept.id)
    assert event.actor_id == two_records["coordinator"].id
    assert event.changes["after"]["merged_id"] == removed_id
    assert event.changes["after"]["merged_name"] == "Police nationale"
    assert event.changes["after"]["participants"] == 2
    # The removed record's own trail now belongs to the kept record.
    assert not db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.entity_type == "organisation", AuditEvent.entity_id == removed_id
        )
    )
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(
            AuditEvent.entity_type == "organisation", AuditEvent.entity_id == kept.id
        )
    ).all()
    assert "organisation.updated" in actions


def test_a_record_cannot_be_merged_with_itself(two_records):
    kept = two_records["kept"]
    with pytest.raises(SameOrganisation, match="cannot be merged with itself"):
        merge_organisations(kept, kept, actor=two_records["coordinator"])
    with pytest.raises(SameOrganisation):
        merge_plan(kept, kept)
    db.session.rollback()
    assert db.session.get(Organisation, kept.id) is not None


def test_a_failing_merge_leaves_nothing_moved(two_records, monkeypatch):
    """All in one transaction: when the last step fails, nothing moved."""
    kept, removed = two_records["kept"], two_records["removed"]
    removed_id = removed.id

    def broken_delete(_obj):
        raise RuntimeError("disk full")

    monkeypatch.setattr(db.session, "delete", broken_delete)
    with pytest.raises(RuntimeError):
        merge_organisations(kept, removed, actor=two_records["coordinator"])
    db.session.rollback()
    monkeypatch.undo()
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Participant.id)).where(
                Participant.organisation_id == removed_id
            )
        )
        == 2
    )
    assert not db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "organisation.merged")
    )


def test_merging_in_a_session_with_unflushed_changes_keeps_them(two_records):
    """Changes made before the merge in the same transaction are written
    first, not lost to the merge's bulk statements."""
    kept, removed = two_records["kept"], two_records["removed"]
    newcomer = factories.make_participant(organisation=kept)
    newcomer.rank = "Commissaire principal"
    two_records["moved"][0].function = "Chef de brigade"
    merge_organisations(kept, removed, actor=two_records["coordinator"])
    db.session.commit()
    assert db.session.get(Participant, newcomer.id).rank == "Commissaire principal"
    moved = db.session.get(Participant, two_records["moved"][0].id)
    assert (moved.function, moved.organisation_id) == ("Chef de brigade", kept.id)


def test_confirmed_enrollments_of_completed_sessions_keep_their_report_row(two_records):
    completed: TrainingSession = two_records["completed"]
    confirmed = db.session.scalar(
        sa.select(sa.func.count(Enrollment.id)).where(
            Enrollment.session_id == completed.id, Enrollment.status == EnrollmentStatus.CONFIRMED
        )
    )
    merge_organisations(
        two_records["kept"], two_records["removed"], actor=two_records["coordinator"]
    )
    db.session.commit()
    projection.catch_up()
    rows = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ReportTraining)
        .where(ReportTraining.session_id == completed.id)
    )
    assert rows == confirmed == 2
