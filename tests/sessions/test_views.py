"""Sessions pages: every route for every role, forms, bad input."""

from __future__ import annotations

from datetime import date

import pytest

from tests import factories
from training.audit.models import AuditEvent
from training.curricula.models import CurriculumStatus
from training.enrollment.models import EnrollmentStatus
from training.extensions import db
from training.models import Module
from training.sessions.models import Assignment, SessionStatus, TrainingSession


@pytest.fixture
def world(app):
    """A session with an assigned trainer, a free trainer and a confirmed participant."""
    training_session = factories.make_session(status=SessionStatus.PLANNED, code="NE-2026-042")
    assigned = factories.make_user("trainer")
    assignment = factories.assign(assigned.trainer, training_session)
    other_trainer = factories.make_trainer()
    participant = factories.make_user("participant")
    factories.enroll(participant.participant, training_session)
    db.session.commit()
    return {
        "session": training_session,
        "assigned": assigned,
        "assignment": assignment,
        "other_trainer": other_trainer,
        "participant": participant,
    }


def _form(curriculum_id: int, **overrides) -> dict:
    data = {
        "theme": "counter_terrorism",  # the factories' curricula's theme
        "curriculum_id": str(curriculum_id),
        "code": "BF-2026-001",
        "kind": "training",
        "start_date": "2026-04-06",
        "end_date": "2026-04-10",
        "city": "Ouagadougou",
        "country": "BF",
        "venue": "École nationale de police",
        "language": "fr",
        "capacity": "24",
        "screening_required": "y",
    }
    data.update(overrides)
    return data


def _changes() -> int:
    """Audit rows that record a change (refused requests are audited too)."""
    return db.session.scalar(
        db.select(db.func.count(AuditEvent.id)).where(AuditEvent.action != "access.refused")
    )


def _routes(world) -> dict[str, tuple[str, str, dict]]:
    sid = world["session"].id
    return {
        "list": ("GET", "/sessions", {}),
        "new": ("GET", "/sessions/new", {}),
        "show": ("GET", f"/sessions/{sid}", {}),
        "edit": ("GET", f"/sessions/{sid}/edit", {}),
        "status": ("POST", f"/sessions/{sid}/status", {"status": "open"}),
        "assign": (
            "POST",
            f"/sessions/{sid}/trainers",
            {
                "trainer_id": world["other_trainer"].id,
                "role": "co_trainer",
                "override_reason": "Cover",
            },
        ),
        "remove": ("POST", f"/sessions/{sid}/trainers/{world['assignment'].id}/remove", {}),
        "feed": ("GET", "/sessions.ics", {}),
        "ics": ("GET", f"/sessions/{sid}.ics", {}),
    }


EXPECTED = {
    # route: (admin/coordinator, trainer assigned, trainer not assigned, participant)
    "list": (200, 200, 200, 403),
    "new": (200, 403, 403, 403),
    "show": (200, 200, 403, 403),
    "edit": (200, 403, 403, 403),
    "status": (303, 403, 403, 403),
    "assign": (303, 403, 403, 403),
    "remove": (303, 403, 403, 403),
    "feed": (200, 200, 200, 200),
    "ics": (200, 200, 403, 200),
}


@pytest.mark.parametrize("route", sorted(EXPECTED))
@pytest.mark.parametrize(
    "who", ["admin", "coordinator", "assigned", "unassigned", "participant", "anonymous"]
)
def test_every_route_for_every_role(client, login_as, world, route, who):
    if who in ("admin", "coordinator"):
        login_as(who)
        expected = EXPECTED[route][0]
    elif who == "assigned":
        login_as(world["assigned"])
        expected = EXPECTED[route][1]
    elif who == "unassigned":
        login_as("trainer")
        expected = EXPECTED[route][2]
    elif who == "participant":
        login_as(world["participant"])
        expected = EXPECTED[route][3]
    method, url, data = _routes(world)[route]
    if who == "anonymous":
        expected = 302 if method == "GET" else 303
    before = _changes()
    response = client.open(url, method=method, data=data)
    assert response.status_code == expected, (who, route, response.status_code)
    if who == "anonymous":
        assert "/login" in response.location
    if who != "anonymous" and expected == 303 and method == "POST":
        assert _changes() > before
    else:
        assert _changes() == before


def test_unconfirmed_participant_gets_no_session_calendar(client, login_as, world):
    waitlisted = factories.make_user("participant")
    factories.enroll(waitlisted.participant, world["session"], status=EnrollmentStatus.WAITLISTED)
    db.session.commit()
    login_as(waitlisted)
    assert client.get(f"/sessions/{world['session'].id}.ics").status_code == 403


def test_unknown_ids_are_404(client, login_as, world):
    login_as("coordinator")
    other = factories.make_session()
    db.session.commit()
    for method, url in [
        ("GET", "/sessions/999999"),
        ("GET", "/sessions/999999/edit"),
        ("GET", "/sessions/999999.ics"),
        ("POST", "/sessions/999999/status"),
        ("POST", f"/sessions/{other.id}/trainers/{world['assignment'].id}/remove"),
    ]:
        assert client.open(url, method=method).status_code == 404, url
    assert len(world["session"].assignments) == 1


# Creating and editing


def test_coordinator_schedules_a_session(client, login_as):
    actor = login_as("coordinator")
    curriculum = factories.make_curriculum()
    partner = factories.make_organisation(acronym="EUCAP")
    db.session.commit()
    page = client.get("/sessions/new").get_data(as_text=True)
    assert curriculum.code in page and "EUCAP" in page
    response = client.post("/sessions/new", data=_form(curriculum.id, partners=[str(partner.id)]))
    assert response.status_code == 303
    training_session = db.session.scalar(db.select(TrainingSession))
    assert (
        training_session.partners == [partner] and training_session.status == SessionStatus.PLANNED
    )
    event = db.session.scalar(db.select(AuditEvent))
    assert event.action == "session.created" and event.actor_id == actor.id


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"start_date": "2026-02-30"}, "Not a valid date"),
        ({"end_date": "10/04/2026"}, "Not a valid date"),
        ({"end_date": "2026-04-01"}, "cannot be before the start"),
        ({"capacity": "0"}, "between 1 and 1000"),
        ({"capacity": "-3"}, "between 1 and 1000"),
        ({"capacity": "many"}, "Not a valid integer"),
        ({"kind": "picnic"}, "Not a valid choice"),
        ({"language": "de"}, "Not a valid choice"),
        ({"country": "XX"}, "Not a valid choice"),
        ({"partners": ["999999"]}, "not a valid choice"),
        ({"code": ""}, "This field is required"),
        ({"city": ""}, "This field is required"),
    ],
)
def test_bad_input_is_a_form_error_and_writes_nothing(client, login_as, overrides, message):
    login_as("coordinator")
    curriculum = factories.make_curriculum()
    db.session.commit()
    response = client.post("/sessions/new", data=_form(curriculum.id, **overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(TrainingSession.id))) == 0
    assert _changes() == 0


def test_draft_curriculum_cannot_be_chosen(client, login_as):
    login_as("coordinator")
    draft = factories.make_curriculum(status=CurriculumStatus.DRAFT)
    db.session.commit()
    assert draft.code not in client.get("/sessions/new").get_data(as_text=True)
    response = client.post("/sessions/new", data=_form(draft.id))
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count(TrainingSession.id))) == 0


def test_taken_code_is_a_clear_form_error(client, login_as, world):
    login_as("coordinator")
    response = client.post(
        "/sessions/new", data=_form(world["session"].curriculum_id, code="ne-2026-042")
    )
    assert response.status_code == 422
    assert "already used by another session" in response.get_data(as_text=True)


def test_edit_keeps_capacity_above_confirmed(client, login_as, world):
    login_as("coordinator")
    training_session = world["session"]
    factories.enroll(training_session=training_session)
    db.session.commit()
    page = client.get(f"/sessions/{training_session.id}/edit").get_data(as_text=True)
    assert "NE-2026-042" in page
    data = _form(training_session.curriculum_id, code="NE-2026-042", capacity="1")
    response = client.post(f"/sessions/{training_session.id}/edit", data=data)
    assert response.status_code == 422
    assert "2 participants are already confirmed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert training_session.capacity == 25
    data["capacity"] = "2"
    assert client.post(f"/sessions/{training_session.id}/edit", data=data).status_code == 303
    db.session.expire_all()
    assert training_session.capacity == 2 and training_session.city == "Ouagadougou"


# Status moves


def test_status_moves_and_refusals(client, login_as, world):
    login_as("coordinator")
    sid = world["session"].id
    page = client.get(f"/sessions/{sid}").get_data(as_text=True)
    assert 'value="open"' in page and 'value="completed"' not in page
    refused = client.post(f"/sessions/{sid}/status", data={"status": "completed"})
    assert refused.status_code == 409
    assert "cannot move from “Planned” to “Completed”" in refused.get_data(as_text=True)
    assert client.post(f"/sessions/{sid}/status", data={"status": "bogus"}).status_code == 400
    assert client.post(f"/sessions/{sid}/status", data={"status": "open"}).status_code == 303
    db.session.expire_all()
    assert world["session"].status == SessionStatus.OPEN
    history = client.get(f"/sessions/{sid}").get_data(as_text=True)
    assert "session.status_changed" in history


# Trainer assignment


def test_clash_is_refused_naming_the_other_session(client, login_as, world):
    login_as("coordinator")
    trainer = world["other_trainer"]
    busy = factories.make_session(code="TD-2026-009", start_date=date(2026, 3, 3))
    factories.assign(trainer, busy)
    factories.qualify(trainer, world["session"].curriculum)
    db.session.commit()
    response = client.post(
        f"/sessions/{world['session'].id}/trainers",
        data={"trainer_id": trainer.id, "role": "lead"},
    )
    assert response.status_code == 409
    assert "TD-2026-009" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Assignment.id))) == 2


def test_unqualified_trainer_needs_a_reason(client, login_as, world):
    login_as("coordinator")
    sid, trainer = world["session"].id, world["other_trainer"]
    response = client.post(
        f"/sessions/{sid}/trainers", data={"trainer_id": trainer.id, "role": "lead"}
    )
    assert response.status_code == 422
    assert "Write the reason" in response.get_data(as_text=True)
    response = client.post(
        f"/sessions/{sid}/trainers",
        data={"trainer_id": trainer.id, "role": "lead", "override_reason": "Expert on Sahel cases"},
    )
    assert response.status_code == 303
    page = client.get(f"/sessions/{sid}").get_data(as_text=True)
    assert "Expert on Sahel cases" in page and "assignment.created" in page


def test_assignment_bad_input(client, login_as, world):
    login_as("coordinator")
    sid = world["session"].id
    for data in (
        {"trainer_id": "999999", "role": "lead"},
        {"trainer_id": "x", "role": "lead"},
        {"trainer_id": world["other_trainer"].id, "role": "boss"},
    ):
        assert client.post(f"/sessions/{sid}/trainers", data=data).status_code == 422
    assert db.session.scalar(db.select(db.func.count(Assignment.id))) == 1


# The session page


def test_session_page_shows_everything(client, login_as, world):
    training_session = world["session"]
    db.session.add(
        Module(
            curriculum=training_session.curriculum,
            position=3,
            title_en="Evidence",
            title_fr="La preuve",
            duration_minutes=60,
        )
    )
    partner = factories.make_organisation(name="Mission de l'UE", acronym="EUCAP")
    training_session.partners.append(partner)
    user = factories.make_user("coordinator", locale="fr")
    db.session.commit()
    login_as(user)
    page = client.get(f"/sessions/{training_session.id}").get_data(as_text=True)
    assert "La preuve" in page and "Evidence" not in page
    assert world["assigned"].trainer.name in page
    assert "EUCAP" in page
    assert f"/sessions/{training_session.id}.ics" in page


def test_trainer_sees_only_own_sessions_in_the_list(client, login_as, world):
    factories.make_session(code="ML-2026-999")
    db.session.commit()
    login_as(world["assigned"])
    page = client.get("/sessions").get_data(as_text=True)
    assert "NE-2026-042" in page and "ML-2026-999" not in page
    assert "/sessions/new" not in page


def test_list_filters(client, login_as, world):
    factories.make_session(
        code="ML-2026-001", country="ML", start_date=date(2026, 6, 1), status=SessionStatus.OPEN
    )
    db.session.commit()
    login_as("coordinator")
    page = client.get("/sessions?country=ML").get_data(as_text=True)
    assert "ML-2026-001" in page and "NE-2026-042" not in page
    page = client.get("/sessions?status=planned").get_data(as_text=True)
    assert "NE-2026-042" in page and "ML-2026-001" not in page
    page = client.get("/sessions?date_from=2026-05-01&date_to=2026-06-02").get_data(as_text=True)
    assert "ML-2026-001" in page and "NE-2026-042" not in page
    page = client.get(
        f"/sessions?curriculum={world['session'].curriculum_id}&kind=training"
    ).get_data(as_text=True)
    assert "NE-2026-042" in page and "ML-2026-001" not in page


@pytest.mark.parametrize(
    "query",
    [
        "status=lost",
        "kind=party",
        "date_from=2026-13-01",
        "curriculum=abc",
        "date_from=2026-05-02&date_to=2026-05-01",
    ],
)
def test_bad_filters_are_400(client, login_as, query):
    login_as("coordinator")
    response = client.get(f"/sessions?{query}")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)


def test_post_routes_need_csrf(app, client, login_as, world):
    login_as("coordinator")
    app.config["WTF_CSRF_ENABLED"] = True
    sid = world["session"].id
    for url, data in [
        (f"/sessions/{sid}/status", {"status": "open"}),
        (f"/sessions/{sid}/trainers/{world['assignment'].id}/remove", {}),
        (
            f"/sessions/{sid}/trainers",
            {"trainer_id": world["other_trainer"].id, "role": "lead", "override_reason": "x"},
        ),
    ]:
        assert client.post(url, data=data).status_code in (400, 422), url
    db.session.expire_all()
    assert world["session"].status == SessionStatus.PLANNED
    assert _changes() == 0


def test_long_history_shows_latest_events_then_all(client, login_as, world):
    from training.audit.services import record_event

    training_session = world["session"]
    for number in range(35):
        record_event(
            "session.updated",
            entity=training_session,
            session_id=training_session.id,
            before={"city": f"City {number}"},
            after={"city": f"City {number + 1}"},
        )
    db.session.commit()
    login_as("coordinator")
    page = client.get(f"/sessions/{training_session.id}").get_data(as_text=True)
    assert "City 35" in page and "City 0 →" not in page
    assert "Show the whole history" in page
    page = client.get(f"/sessions/{training_session.id}?history=all").get_data(as_text=True)
    assert "City 0 →" in page and "Show the whole history" not in page


def test_assigned_trainer_reads_the_page_without_coordinator_controls(client, login_as, world):
    login_as(world["assigned"])
    page = client.get(f"/sessions/{world['session'].id}").get_data(as_text=True)
    assert "NE-2026-042" in page
    assert f"/sessions/{world['session'].id}/edit" not in page
    assert f"/sessions/{world['session'].id}/trainers" not in page
    assert f"/sessions/{world['session'].id}/status" not in page


def test_enrollment_counts_by_status_and_sex(client, login_as, world):
    from training.people.models import Sex

    training_session = world["session"]  # one confirmed woman already
    for sex, status in [
        (Sex.MALE, EnrollmentStatus.CONFIRMED),
        (Sex.MALE, EnrollmentStatus.WAITLISTED),
        (Sex.FEMALE, EnrollmentStatus.NOMINATED),
    ]:
        factories.enroll(factories.make_participant(sex=sex), training_session, status=status)
    training_session.capacity = 5
    db.session.commit()
    login_as("coordinator")
    page = client.get(f"/sessions/{training_session.id}").get_data(as_text=True)
    places_left = page.split("Places left")[1][:80]
    assert ">3<" in places_left.replace(" ", "")
    confirmed_row = page.split("<td>Confirmed</td>")[1].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in confirmed_row.split("</td>")[:3]] == ["1", "1", "2"]


def test_the_new_session_form_preselects_no_theme_nor_curriculum(client, login_as):
    login_as("coordinator", locale="fr")
    factories.make_curriculum()
    db.session.commit()
    page = client.get("/sessions/new").get_data(as_text=True)
    theme = page[page.index('<select class="form-select" id="theme"') :]
    theme = theme[: theme.index("</select>")]
    # The empty choice comes first and nothing is selected: the browser shows it.
    assert theme.index('<option value="">— Choisir un thème —</option>') < theme.index(
        '<option value="counter'
    )
    assert "selected" not in theme and " required" in theme
    curriculum = page[page.index('id="curriculum_id"') :]
    curriculum = curriculum[: curriculum.index("</select>")]
    assert curriculum.count("selected") == 1 and '<option selected value="">' in curriculum
    assert 'data-theme="counter_terrorism"' in curriculum
    assert "js/session-form.js" in page


def test_a_session_without_a_theme_is_a_clear_field_error(client, login_as):
    login_as("coordinator")
    curriculum = factories.make_curriculum()
    db.session.commit()
    response = client.post("/sessions/new", data=_form(curriculum.id, theme=""))
    assert response.status_code == 422
    assert "Choose the theme of the session." in response.get_data(as_text=True)
    response = client.post("/sessions/new", data=_form(curriculum.id, theme="cooking"))
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    response = client.post("/sessions/new", data=_form(""))
    assert response.status_code == 422
    assert "Choose the curriculum the session delivers." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(TrainingSession.id))) == 0


def test_the_curriculum_must_be_on_the_chosen_theme(client, login_as):
    login_as("coordinator")
    curriculum = factories.make_curriculum()  # counter-terrorism
    db.session.commit()
    response = client.post("/sessions/new", data=_form(curriculum.id, theme="drugs"))
    assert response.status_code == 422
    assert "This curriculum is not on the chosen theme" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(TrainingSession.id))) == 0


def test_partners_are_checkboxes_naming_their_country_and_two_are_saved(client, login_as):
    login_as("coordinator", locale="fr")
    curriculum = factories.make_curriculum()
    eucap = factories.make_organisation(name="EUCAP Sahel Niger", acronym="EUCAP", country="NE")
    police = factories.make_organisation(name="Police nationale", acronym="PN", country="ML")
    db.session.commit()
    page = client.get("/sessions/new").get_data(as_text=True)
    for organisation, country in ((eucap, "Niger"), (police, "Mali")):
        box = (
            '<input class="form-check-input" type="checkbox" name="partners"'
            f' value="{organisation.id}" id="partners-{organisation.id}">'
        )
        assert box in page
        label = page[
            page.index(f'<label class="form-check-label" for="partners-{organisation.id}">') :
        ]
        label = label[: label.index("</label>")]
        assert organisation.name in label and country in label
    assert 'id="partners-filter"' in page
    response = client.post(
        "/sessions/new", data=_form(curriculum.id, partners=[str(eucap.id), str(police.id)])
    )
    assert response.status_code == 303
    training_session = db.session.scalar(db.select(TrainingSession))
    assert {partner.id for partner in training_session.partners} == {eucap.id, police.id}
    edit = client.get(f"/sessions/{training_session.id}/edit").get_data(as_text=True)
    assert f'value="{eucap.id}" id="partners-{eucap.id}" checked' in edit
    assert '<option selected value="counter_terrorism">' in edit
