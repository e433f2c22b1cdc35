"""Curricula pages: who may open them, what they show, bad input."""

from __future__ import annotations

import pytest

from tests import factories
from training.curricula.models import Curriculum, CurriculumStatus, Module
from training.extensions import db

FORM = {
    "code": "OC-01",
    "title_en": "Organized crime investigations",
    "title_fr": "Enquêtes sur la criminalité organisée",
    "description": "",
    "theme": "organized_crime",
    "owner": "unodc",
    "version": "1.0",
    "min_attendance_percent": "80",
    "pass_mark_percent": "",
    "certificate_validity_months": "",
}
MODULE = {
    "title_en": "Intro",
    "title_fr": "Introduction",
    "aim": "",
    "learning_outcomes": "",
    "duration_minutes": "90",
}


def _routes(curriculum: Curriculum) -> list[tuple[str, str]]:
    base = f"/curricula/{curriculum.id}"
    module = curriculum.modules[0].id
    return [
        ("GET", "/curricula"),
        ("GET", "/curricula/new"),
        ("GET", base),
        ("GET", f"{base}/edit"),
        ("GET", f"{base}/modules/new"),
        ("GET", f"{base}/modules/{module}/edit"),
        ("POST", f"{base}/modules/{module}/move/down"),
        ("POST", f"{base}/modules/{module}/remove"),
        ("POST", f"{base}/approve"),
        ("GET", f"{base}/retire"),
        ("POST", f"{base}/retire"),
    ]


@pytest.mark.parametrize("role", ["trainer", "participant"])
def test_trainers_and_participants_are_refused(client, login_as, role):
    curriculum = factories.make_curriculum(status=CurriculumStatus.DRAFT)
    db.session.commit()
    login_as(role)
    for method, url in _routes(curriculum):
        response = client.open(url, method=method)
        assert response.status_code == 403, (method, url)
    db.session.expire_all()
    assert curriculum.status == CurriculumStatus.DRAFT


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_coordination_opens_every_page(client, login_as, role):
    """Each page opens (200) and each action is done and redirects back to
    the curriculum (302), never to the sign-in page or elsewhere."""
    curriculum = factories.make_curriculum(status=CurriculumStatus.DRAFT, modules=2)
    db.session.commit()
    login_as(role)
    base = f"/curricula/{curriculum.id}"
    for method, url in _routes(curriculum):
        response = client.open(url, method=method)
        if method == "GET":
            assert response.status_code == 200, (method, url, response.status_code)
        else:
            assert response.status_code == 303, (method, url, response.status_code)
            assert response.location in (base, f"{base}#modules"), (url, response.location)


def test_create_approve_and_list(client, login_as):
    login_as("coordinator")
    response = client.post("/curricula/new", data=FORM)
    assert response.status_code == 303
    curriculum = db.session.scalar(db.select(Curriculum))
    assert curriculum.status == CurriculumStatus.DRAFT and curriculum.pass_mark_percent is None
    refused = client.post(f"/curricula/{curriculum.id}/approve")
    assert refused.status_code == 409
    assert "at least one module" in refused.get_data(as_text=True)
    assert client.post(f"/curricula/{curriculum.id}/modules/new", data=MODULE).status_code == 303
    assert client.post(f"/curricula/{curriculum.id}/approve").status_code == 303
    db.session.expire_all()
    assert curriculum.status == CurriculumStatus.APPROVED
    page = client.get("/curricula?q=criminalite").get_data(as_text=True)
    assert "OC-01" in page and "1.5" in page
    shown = client.get(f"/curricula/{curriculum.id}").get_data(as_text=True)
    assert "curriculum.approved" in shown and "Intro" in shown


def test_module_titles_follow_the_ui_language(client, login_as):
    curriculum = factories.make_curriculum(modules=0)
    db.session.add(
        Module(
            curriculum=curriculum,
            position=1,
            title_en="Evidence",
            title_fr="La preuve",
            duration_minutes=60,
        )
    )
    user = factories.make_user("coordinator", locale="fr")
    db.session.commit()
    login_as(user)
    page = client.get(f"/curricula/{curriculum.id}").get_data(as_text=True)
    assert "La preuve" in page and "Evidence" not in page


def test_taken_code_is_a_form_error(client, login_as):
    factories.make_curriculum(code="OC-01")
    db.session.commit()
    login_as("coordinator")
    response = client.post("/curricula/new", data=FORM)
    assert response.status_code == 422
    assert "already used" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Curriculum.id))) == 1


@pytest.mark.parametrize(
    "field, value",
    [
        ("theme", "astrology"),
        ("min_attendance_percent", "120"),
        ("pass_mark_percent", "x"),
        ("certificate_validity_months", "0"),
        ("title_en", ""),
    ],
)
def test_bad_input_changes_nothing(client, login_as, field, value):
    login_as("coordinator")
    response = client.post("/curricula/new", data={**FORM, field: value})
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count(Curriculum.id))) == 0


def test_bad_filter_is_a_400(client, login_as):
    login_as("coordinator")
    assert client.get("/curricula?status=lost").status_code == 400
    assert client.get("/curricula?status=approved&theme=drugs").status_code == 200


def test_unknown_ids_are_404(client, login_as):
    other = factories.make_curriculum()
    curriculum = factories.make_curriculum()
    db.session.commit()
    login_as("coordinator")
    assert client.get("/curricula/999999").status_code == 404
    assert client.get("/curricula/999999/edit").status_code == 404
    foreign_module = other.modules[0].id
    assert (
        client.get(f"/curricula/{curriculum.id}/modules/{foreign_module}/edit").status_code == 404
    )
    assert (
        client.post(f"/curricula/{curriculum.id}/modules/{foreign_module}/remove").status_code
        == 404
    )


def test_move_and_edit_module(client, login_as):
    curriculum = factories.make_curriculum(modules=2, status=CurriculumStatus.DRAFT)
    first = curriculum.modules[0]
    db.session.commit()
    login_as("coordinator")
    assert (
        client.post(f"/curricula/{curriculum.id}/modules/{first.id}/move/down").status_code == 303
    )
    db.session.expire_all()
    assert first.position == 2
    data = {**MODULE, "title_en": "Renamed"}
    assert (
        client.post(f"/curricula/{curriculum.id}/modules/{first.id}/edit", data=data).status_code
        == 303
    )
    db.session.expire_all()
    assert first.title_en == "Renamed"


def test_retired_curriculum_stays_visible_without_actions(client, login_as):
    curriculum = factories.make_curriculum()
    db.session.commit()
    login_as("coordinator")
    client.post(f"/curricula/{curriculum.id}/retire")
    page = client.get(f"/curricula/{curriculum.id}").get_data(as_text=True)
    assert "retired" in page and f"/curricula/{curriculum.id}/edit" not in page
    assert client.post(f"/curricula/{curriculum.id}/edit", data=FORM).status_code == 422
    assert curriculum.code in client.get("/curricula?status=retired").get_data(as_text=True)


def test_retiring_asks_first_naming_the_sessions_that_go_on(client, login_as):
    from training.sessions.models import SessionStatus

    curriculum = factories.make_curriculum()
    running = factories.make_session(curriculum=curriculum, status=SessionStatus.IN_PROGRESS)
    done = factories.make_session(curriculum=curriculum, status=SessionStatus.COMPLETED)
    db.session.commit()
    login_as("coordinator")
    show = client.get(f"/curricula/{curriculum.id}").get_data(as_text=True)
    assert f'href="/curricula/{curriculum.id}/retire"' in show
    page = client.get(f"/curricula/{curriculum.id}/retire")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "This cannot be undone" in body
    assert "1 session still planned, open or in progress goes on with it" in body
    assert running.code in body and done.code not in body
    assert f'action="/curricula/{curriculum.id}/retire"' in body
    db.session.expire_all()
    assert curriculum.status == CurriculumStatus.APPROVED  # the page changes nothing
    client.post(f"/curricula/{curriculum.id}/retire")
    db.session.expire_all()
    assert curriculum.status == CurriculumStatus.RETIRED
    again = client.get(f"/curricula/{curriculum.id}/retire", follow_redirects=True)
    assert "is already retired" in again.get_data(as_text=True)


def test_post_actions_need_csrf(app, client, login_as):
    curriculum = factories.make_curriculum(status=CurriculumStatus.DRAFT)
    db.session.commit()
    login_as("coordinator")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/curricula/{curriculum.id}/approve").status_code == 400
    assert client.post(f"/curricula/{curriculum.id}/retire").status_code == 400
    db.session.expire_all()
    assert curriculum.status == CurriculumStatus.DRAFT
    app.config["WTF_CSRF_ENABLED"] = False
