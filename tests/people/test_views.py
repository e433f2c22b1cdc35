"""Participant and trainer pages: each as each role, and what a coordinator sees."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests import factories
from training.audit.models import AuditEvent
from training.extensions import db
from training.people.models import Participant, ScreeningRecord, ScreeningStatus, Trainer


@pytest.fixture
def objects(app):
    participant = factories.make_participant()
    trainer = factories.make_trainer()
    curriculum = factories.make_curriculum()
    qualification = factories.qualify(trainer, curriculum)
    db.session.commit()
    return {
        "participant_id": participant.id,
        "trainer_id": trainer.id,
        "curriculum_id": curriculum.id,
        "qualification_id": qualification.id,
    }


GETS = [
    "/participants",
    "/participants/new",
    "/participants/{participant_id}",
    "/participants/{participant_id}/edit",
    "/trainers",
    "/trainers/new",
    "/trainers/{trainer_id}",
    "/trainers/{trainer_id}/edit",
]
POSTS = [
    "/participants/new",
    "/participants/{participant_id}/edit",
    "/participants/{participant_id}/screenings",
    "/trainers/new",
    "/trainers/{trainer_id}/edit",
    "/trainers/{trainer_id}/qualifications",
    "/trainers/{trainer_id}/qualifications/{qualification_id}/remove",
]


@pytest.mark.parametrize("url", GETS)
@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_coordination_roles_open_every_page(client, login_as, objects, role, url):
    login_as(role)
    assert client.get(url.format(**objects)).status_code == 200


@pytest.mark.parametrize("url", GETS + POSTS)
@pytest.mark.parametrize("role", ["trainer", "participant"])
def test_trainers_and_participants_are_refused(client, login_as, objects, role, url):
    login_as(role)
    changes = sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action != "access.refused")
    before = db.session.scalar(changes)
    method = client.post if url in POSTS and url not in GETS else client.get
    assert method(url.format(**objects)).status_code == 403
    if url in POSTS:
        assert client.post(url.format(**objects), data={"name": "x"}).status_code == 403
    assert db.session.scalar(changes) == before


def test_search_finds_folded_names(client, login_as):
    factories.make_participant(given_name="Moussa", family_name="Traoré")
    factories.make_participant(given_name="Awa", family_name="Diallo")
    db.session.commit()
    login_as("coordinator")
    page = client.get("/participants?q=TRAORE+moussa").get_data(as_text=True)
    assert "TRAORÉ, Moussa" in page and "DIALLO" not in page


def test_list_filters_by_country_organisation_and_sex(client, login_as):
    organisation = factories.make_organisation(name="Gendarmerie nationale", acronym="GN")
    factories.make_participant(
        given_name="Fatou", family_name="Ndiaye", nationality="NE", organisation=organisation
    )
    factories.make_participant(
        given_name="Idriss", family_name="Mahamat", nationality="TD", sex="M"
    )
    db.session.commit()
    login_as("coordinator")
    by_country = client.get("/participants?country=TD").get_data(as_text=True)
    assert "MAHAMAT" in by_country and "NDIAYE" not in by_country
    by_organisation = client.get(f"/participants?organisation={organisation.id}").get_data(
        as_text=True
    )
    assert "NDIAYE" in by_organisation and "MAHAMAT" not in by_organisation
    by_sex = client.get("/participants?sex=M").get_data(as_text=True)
    assert "MAHAMAT" in by_sex and "NDIAYE" not in by_sex


def test_participant_list_runs_a_fixed_number_of_queries(client, login_as, count_queries):
    login_as("coordinator")
    counts = []
    for rows in (10, 200):
        while _participant_count() < rows:
            participant = factories.make_participant(cleared=_participant_count() % 2 == 0)
            factories.screen(participant, ScreeningStatus.PENDING)
        db.session.commit()
        with count_queries() as statements:
            assert client.get("/participants").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def _participant_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Participant.id)))


def _participant_form(**overrides):
    data = {
        "given_name": "Moussa",
        "family_name": "Traoré",
        "sex": "M",
        "nationality": "ML",
        "organisation_id": "0",
        "rank": "Lieutenant",
        "function": "Investigator",
        "email": "moussa@example.org",
        "phone": "+223 70 11 22 33",
        "consent": "y",
    }
    data.update(overrides)
    return data


def test_create_participant(client, login_as):
    login_as("coordinator")
    response = client.post("/participants/new", data=_participant_form())
    assert response.status_code == 303
    participant = db.session.scalar(sa.select(Participant))
    assert participant.search_name == "moussa traore"
    assert response.headers["Location"].endswith(f"/participants/{participant.id}")


def test_duplicate_warns_with_a_link_then_create_anyway(client, login_as):
    existing = factories.make_participant(email="moussa@example.org")
    db.session.commit()
    login_as("coordinator")
    response = client.post("/participants/new", data=_participant_form(phone=""))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert f"/participants/{existing.id}" in page and "Create anyway" in page
    assert db.session.scalar(sa.select(sa.func.count(Participant.id))) == 1
    response = client.post("/participants/new", data=_participant_form(phone="", create_anyway="y"))
    assert response.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Participant.id))) == 2


@pytest.mark.parametrize(
    "overrides",
    [{"given_name": ""}, {"sex": "X"}, {"email": "not-an-email"}, {"nationality": "ZZ"}],
)
def test_bad_participant_input_is_refused(client, login_as, overrides):
    login_as("coordinator")
    response = client.post("/participants/new", data=_participant_form(**overrides))
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Participant.id))) == 0


def test_edit_participant_updates_search(client, login_as):
    participant = factories.make_participant(given_name="Awa", family_name="Diallo")
    db.session.commit()
    login_as("coordinator")
    form = _participant_form(given_name="Awa", family_name="Sissoko")
    response = client.post(f"/participants/{participant.id}/edit", data=form)
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Participant, participant.id).search_name == "awa sissoko"


def test_participant_page_shows_history_and_notes_to_coordinators(client, login_as):
    participant = factories.make_participant(cleared=False, given_name="Awa", family_name="Diallo")
    training_session = factories.make_session(code="NE-2026-042")
    factories.enroll(participant, training_session)
    db.session.commit()
    coordinator = login_as("coordinator")
    response = client.post(
        f"/participants/{participant.id}/screenings",
        data={
            "framework": "hrddp_mitigation",
            "status": "cleared_with_conditions",
            "screened_on": "2026-01-10",
            "valid_until": "2027-01-10",
            "reference": "HRDDP-2026-7",
            "notes": "Unit reviewed <b>by OHCHR</b>",
        },
    )
    assert response.status_code == 303
    record = db.session.scalar(sa.select(ScreeningRecord))
    assert record.recorded_by_id == coordinator.id
    page = client.get(f"/participants/{participant.id}").get_data(as_text=True)
    assert "NE-2026-042" in page
    assert "HRDDP-2026-7" in page
    assert "Unit reviewed &lt;b&gt;by OHCHR&lt;/b&gt;" in page
    assert 'data-screening="cleared_with_conditions"' in page
    assert 'data-action="screening.recorded"' in page  # the audit history
    assert "Screening recorded" in page


def test_bad_screening_is_refused_and_nothing_recorded(client, login_as):
    participant = factories.make_participant(cleared=False)
    db.session.commit()
    login_as("coordinator")
    response = client.post(
        f"/participants/{participant.id}/screenings",
        data={
            "framework": "hrddp_mitigation",
            "status": "cleared",
            "screened_on": "2026-05-01",
            "valid_until": "2026-01-01",
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(ScreeningRecord.id))) == 0


def test_trainer_create_edit_and_qualifications(client, login_as):
    curriculum = factories.make_curriculum(code="CT-INV-99")
    db.session.commit()
    login_as("coordinator")
    response = client.post(
        "/trainers/new",
        data={
            "name": "Awa Ba",
            "organisation_id": "0",
            "languages": ["fr", "ar"],
            "email": "awa@example.org",
        },
    )
    assert response.status_code == 303
    trainer = db.session.scalar(sa.select(Trainer))
    assert trainer.languages == "fr,ar"
    response = client.post(
        f"/trainers/{trainer.id}/edit",
        data={"name": "Awa Ba", "organisation_id": "0", "languages": ["en"]},
    )
    assert response.status_code == 303
    response = client.post(
        f"/trainers/{trainer.id}/qualifications",
        data={
            "curriculum_id": curriculum.id,
            "qualified_on": "2025-01-01",
            "expires_on": "2027-12-31",
        },
    )
    assert response.status_code == 303
    page = client.get(f"/trainers/{trainer.id}").get_data(as_text=True)
    assert "CT-INV-99" in page
    bad = client.post(
        f"/trainers/{trainer.id}/qualifications",
        data={"curriculum_id": curriculum.id, "qualified_on": "2025-01-01"},
    )
    assert bad.status_code == 400  # already qualified
    db.session.expire_all()
    qualification = db.session.get(Trainer, trainer.id).qualifications[0]
    response = client.post(f"/trainers/{trainer.id}/qualifications/{qualification.id}/remove")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Trainer, trainer.id).qualifications == []


def test_trainer_page_lists_assignments(client, login_as):
    trainer = factories.make_trainer(name="Awa Ba")
    factories.assign(trainer, factories.make_session(code="TD-2026-007"))
    db.session.commit()
    login_as("coordinator")
    assert "TD-2026-007" in client.get(f"/trainers/{trainer.id}").get_data(as_text=True)
    assert "Awa Ba" in client.get("/trainers?q=awa").get_data(as_text=True)


def test_removing_another_trainers_qualification_is_404(client, login_as, objects):
    other = factories.make_trainer()
    db.session.commit()
    login_as("coordinator")
    url = f"/trainers/{other.id}/qualifications/{objects['qualification_id']}/remove"
    assert client.post(url).status_code == 404


def test_today_screening_badge_expired(client, login_as):
    participant = factories.make_participant(cleared=False, given_name="Lapsed")
    factories.screen(participant, screened_on=date(2020, 1, 1), valid_until=date(2021, 1, 1))
    db.session.commit()
    login_as("coordinator")
    assert 'data-screening="expired"' in client.get("/participants").get_data(as_text=True)


def test_every_post_needs_csrf(app, client, login_as, objects):
    login_as("coordinator")
    counts = (
        sa.select(sa.func.count(Participant.id)),
        sa.select(sa.func.count(ScreeningRecord.id)),
        sa.select(sa.func.count(Trainer.id)),
    )
    before = [db.session.scalar(count) for count in counts]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for url in POSTS:
            assert client.post(url.format(**objects), data={"name": "x"}).status_code == 400, url
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert [db.session.scalar(count) for count in counts] == before


def test_names_are_escaped(client, login_as):
    participant = factories.make_participant(
        given_name='<script>alert("x")</script>', family_name='<font color="red">Red</font>'
    )
    db.session.commit()
    login_as("coordinator")
    for url in ("/participants", f"/participants/{participant.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_trainer_list_runs_a_fixed_number_of_queries(client, login_as, count_queries):
    login_as("coordinator")
    curriculum = factories.make_curriculum()
    counts = []
    for rows in (10, 200):
        while db.session.scalar(sa.select(sa.func.count(Trainer.id))) < rows:
            factories.qualify(
                factories.make_trainer(organisation=factories.make_organisation()), curriculum
            )
        db.session.commit()
        with count_queries() as statements:
            assert client.get("/trainers").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_text_is_cleaned_at_the_door(client, login_as):
    """Word's Shift+Enter (a vertical tab) and other control characters never
    reach the database; a field of spaces is an empty field."""
    login_as("coordinator")
    response = client.post(
        "/participants/new",
        data=_participant_form(
            given_name="Moussa\x0bIbrahim", family_name=" Traoré\x00 ", rank="   ", function="\t"
        ),
    )
    assert response.status_code == 303
    participant = db.session.scalar(sa.select(Participant))
    assert (participant.given_name, participant.family_name) == ("Moussa Ibrahim", "Traoré")
    assert participant.rank is None and participant.function is None


def test_a_name_of_control_characters_only_is_refused(client, login_as):
    login_as("coordinator")
    response = client.post("/participants/new", data=_participant_form(given_name="\x0b\x0c "))
    assert response.status_code == 400
    assert _participant_count() == 0
