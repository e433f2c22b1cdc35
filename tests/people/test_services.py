"""Participants, screening and trainers: every rule, both ways."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests import factories
from training.audit.models import AuditEvent
from training.domain import DomainError
from training.extensions import db
from training.people import screening, services
from training.people.models import Participant, ScreeningFramework, ScreeningStatus, Sex
from training.people.services import ParticipantDetails, TrainerDetails


def _details(**overrides) -> ParticipantDetails:
    values = {
        "given_name": "Moussa",
        "family_name": "Traoré",
        "sex": Sex.MALE,
        "nationality": "ml",
        "email": "Moussa.Traore@Example.org ",
        "phone": "+223 70 11 22 33",
        "consent": True,
    }
    values.update(overrides)
    return ParticipantDetails(**values)


def _search(query, **filters) -> list[Participant]:
    return list(db.session.scalars(services.participant_search(query, **filters)))


def test_create_participant_normalises_and_audits(app):
    coordinator = factories.make_user("coordinator")
    participant = services.create_participant(_details(), actor=coordinator)
    assert participant.search_name == "moussa traore"
    assert participant.email == "moussa.traore@example.org"
    assert participant.nationality == "ML"
    assert participant.consent_recorded_at is not None
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.participant_id == participant.id)
    )
    assert event.action == "participant.created" and event.actor_id == coordinator.id


def test_edit_keeps_search_name_up_to_date(app):
    participant = services.create_participant(_details(), actor=None)
    services.update_participant(
        participant, _details(given_name="Aminata", family_name="Diallo", consent=False), actor=None
    )
    assert participant.search_name == "aminata diallo"
    assert participant.consent_recorded_at is None
    assert _search("DIALLO") == [participant]
    assert _search("traore") == []


def test_search_is_accent_and_case_insensitive_and_word_order_free(app):
    moussa = services.create_participant(_details(), actor=None)
    services.create_participant(
        _details(given_name="Moussa", family_name="Keita", email=None, phone=None), actor=None
    )
    assert _search("TRAORE moussa") == [moussa]
    assert _search("traoré") == [moussa]
    assert len(_search("moussa")) == 2
    assert _search("100%_") == []


def test_search_filters(app):
    organisation = factories.make_organisation()
    woman = factories.make_participant(nationality="NE", organisation=organisation, sex=Sex.FEMALE)
    man = factories.make_participant(nationality="TD", sex=Sex.MALE)
    assert _search("", country="NE") == [woman]
    assert _search("", organisation_id=organisation.id) == [woman]
    assert _search("", sex="M") == [man]


@pytest.mark.parametrize(
    "overrides",
    [
        {"email": "other@example.org", "phone": None},  # same name and organisation
        {"given_name": "Someone", "family_name": "Else", "phone": None},  # same email
        {"given_name": "Someone", "family_name": "Else", "email": None, "phone": "+22370112233"},
    ],
)
def test_duplicate_is_refused_with_the_existing_record(app, overrides):
    organisation = factories.make_organisation()
    existing = services.create_participant(_details(organisation=organisation), actor=None)
    with pytest.raises(services.DuplicateParticipant) as refusal:
        services.create_participant(
            _details(
                organisation=organisation, given_name="MOUSSA", family_name="traore", **overrides
            )
            if "given_name" not in overrides
            else _details(organisation=organisation, **overrides),
            actor=None,
        )
    assert refusal.value.matches == [existing]


def test_the_same_person_is_found_across_organisations_and_spellings(app):
    organisation = factories.make_organisation()
    first = services.create_participant(_details(organisation=organisation), actor=None)
    other_organisation = factories.make_organisation()
    for spelling in (
        {"given_name": first.given_name, "family_name": first.family_name},  # another service
        {"given_name": first.family_name.upper(), "family_name": first.given_name},  # swapped
    ):
        with pytest.raises(services.DuplicateParticipant) as refusal:
            services.create_participant(
                _details(organisation=other_organisation, email=None, phone=None, **spelling),
                actor=None,
            )
        assert refusal.value.matches == [first]
    # Told it is another person, the coordinator creates them anyway.
    services.create_participant(
        _details(organisation=other_organisation, email=None, phone=None),
        actor=None,
        allow_duplicate=True,
    )
    assert db.session.scalar(sa.select(sa.func.count(Participant.id))) == 2


def test_names_that_sound_the_same_are_proposed_strong_matches_first(app):
    organisation = factories.make_organisation()
    mohamed = services.create_participant(
        _details(
            given_name="Mohamed",
            family_name="Traoré",
            organisation=organisation,
            email="m.traore@example.org",
            phone=None,
        ),
        actor=None,
    )
    mouhamadou = services.create_participant(
        _details(
            given_name="Mouhamadou", family_name="Traore", organisation=None, email=None, phone=None
        ),
        actor=None,
        allow_duplicate=True,
    )
    found = services.find_duplicates(
        given_name="Mohammed",
        family_name="TRAORE",
        organisation_id=None,
        email="m.traore@example.org",
        phone=None,
    )
    assert found == [mohamed, mouhamadou]  # the email first, then how the name sounds
    assert (
        services.find_duplicates(
            given_name="Moussa", family_name="Diarra", organisation_id=None, email=None, phone=None
        )
        == []
    )


def test_missing_name_is_refused(app):
    with pytest.raises(DomainError) as refusal:
        services.create_participant(_details(given_name="  "), actor=None)
    assert refusal.value.field == "given_name"


def _screen(participant, status, screened_on, valid_until=None, actor=None):
    return services.record_screening(
        participant,
        framework=ScreeningFramework.HRDDP_MITIGATION,
        status=status,
        screened_on=screened_on,
        valid_until=valid_until,
        reference="REF-1",
        notes="Checked against the unit's records.",
        actor=actor,
    )


def test_record_screening_is_audited(app):
    coordinator = factories.make_user("coordinator")
    participant = factories.make_participant(cleared=False)
    record = _screen(participant, ScreeningStatus.CLEARED, date(2026, 1, 1), actor=coordinator)
    assert record.recorded_by == coordinator
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "screening.recorded")
    )
    assert event.participant_id == participant.id
    assert event.changes["after"]["status"] == "cleared"


def test_current_screening_and_clearance(app):
    participant = factories.make_participant(cleared=False)
    assert screening.current_screening(participant, date(2026, 3, 1)) is None
    assert screening.screening_state(participant, date(2026, 3, 1)) == "none"
    cleared = _screen(participant, ScreeningStatus.CLEARED, date(2026, 1, 1), date(2026, 6, 30))
    assert screening.current_screening(participant, date(2026, 3, 1)) == cleared
    assert screening.is_cleared(participant, date(2026, 3, 1))
    assert not screening.is_cleared(participant, date(2025, 12, 31))  # not yet screened
    assert not screening.is_cleared(participant, date(2026, 7, 1))  # lapsed
    assert screening.screening_state(participant, date(2026, 7, 1)) == "expired"
    _screen(participant, ScreeningStatus.NOT_CLEARED, date(2026, 2, 1))
    assert not screening.is_cleared(participant, date(2026, 3, 1))  # the latest speaks
    assert screening.screening_state(participant, date(2026, 3, 1)) == "not_cleared"


def test_cleared_with_conditions_counts_pending_does_not(app):
    conditional = factories.make_participant(cleared=False)
    _screen(conditional, ScreeningStatus.CLEARED_WITH_CONDITIONS, date(2026, 1, 1))
    pending = factories.make_participant(cleared=False)
    _screen(pending, ScreeningStatus.PENDING, date(2026, 1, 1))
    assert screening.is_cleared(conditional, date(2026, 3, 1))
    assert not screening.is_cleared(pending, date(2026, 3, 1))
    assert screening.screening_state(pending, date(2026, 3, 1)) == "pending"


def test_screening_validity_before_date_is_refused(app):
    participant = factories.make_participant(cleared=False)
    with pytest.raises(DomainError):
        _screen(participant, ScreeningStatus.CLEARED, date(2026, 1, 1), date(2025, 1, 1))
    assert participant.screenings == []


def test_trainer_registry_and_qualifications(app):
    coordinator = factories.make_user("coordinator")
    curriculum = factories.make_curriculum()
    trainer = services.create_trainer(
        TrainerDetails(name=" Awa Ba ", languages=("en", "fr"), email="AWA@example.org"),
        actor=coordinator,
    )
    assert (trainer.name, trainer.languages, trainer.email) == (
        "Awa Ba",
        "fr,en",
        "awa@example.org",
    )
    services.update_trainer(trainer, TrainerDetails(name="Awa Ba", languages=("ar",)), actor=None)
    assert trainer.language_codes == ["ar"]
    with pytest.raises(DomainError):
        services.update_trainer(
            trainer, TrainerDetails(name="Awa Ba", languages=("xx",)), actor=None
        )
    qualification = services.add_qualification(
        trainer, curriculum, qualified_on=date(2025, 1, 1), expires_on=date(2027, 1, 1), actor=None
    )
    with pytest.raises(DomainError):
        services.add_qualification(
            trainer, curriculum, qualified_on=date(2025, 1, 1), expires_on=None, actor=None
        )
    with pytest.raises(DomainError):
        services.add_qualification(
            trainer,
            factories.make_curriculum(),
            qualified_on=date(2025, 1, 1),
            expires_on=date(2024, 1, 1),
            actor=None,
        )
    services.remove_qualification(qualification, actor=coordinator)
    assert trainer.qualifications == []
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"trainer.created", "trainer.qualified", "trainer.qualification_removed"} <= actions


def test_one_duplicate_rule_for_one_person_and_for_many(app):
    """find_lookalikes (the importer, all rows at once) and find_duplicates
    (the new-participant form) apply one duplicate rule; the form then adds
    the candidates: the same name in another organisation."""
    from training.people.services import PersonKeys, find_duplicates, find_lookalikes

    unit = factories.make_organisation()
    by_name = factories.make_participant(
        given_name="Moussa", family_name="Traoré", organisation=unit, email=None, phone=None
    )
    elsewhere = factories.make_participant(
        given_name="Moussa", family_name="Traoré", organisation=None, email=None, phone=None
    )
    by_email = factories.make_participant(email="awa@example.org", phone=None)
    by_phone = factories.make_participant(email=None, phone="+227 90-12.34 56")
    candidates = [
        dict(
            given_name="MOUSSA",
            family_name="traore",
            organisation_id=unit.id,
            email=None,
            phone=None,
        ),
        dict(given_name="Moussa", family_name="Traore", organisation_id=None, email="", phone=""),
        dict(
            given_name="X",
            family_name="Y",
            organisation_id=None,
            email=" AWA@example.org",
            phone=None,
        ),
        dict(
            given_name="X",
            family_name="Z",
            organisation_id=unit.id,
            email=None,
            phone="+22790123456",
        ),
        dict(
            given_name="Nobody", family_name="Known", organisation_id=None, email=None, phone=None
        ),
    ]
    many = find_lookalikes([PersonKeys.of(**candidate) for candidate in candidates])
    one_by_one = [find_duplicates(**candidate) for candidate in candidates]
    assert many == [[by_name], [elsewhere], [by_email], [by_phone], []]
    for strong, shown in zip(many, one_by_one, strict=True):
        assert shown[: len(strong)] == strong  # the rule's matches come first
    assert one_by_one[0] == [by_name, elsewhere] and one_by_one[1] == [elsewhere, by_name]
