"""Organisations pages: each as each role, the list's search, filters,
paging and counts, creating, editing, ending a partnership and merging, in
English and French; unknown or malformed input is a 4xx, never a 500."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests import factories
from training.audit.models import AuditEvent
from training.extensions import db
from training.people.models import Organisation, OrganisationKind, Participant

NBSP = "\u00a0"


@pytest.fixture
def objects(app):
    organisation = factories.make_organisation(name="Police nationale du Niger", acronym="PN")
    other = factories.make_organisation(name="Police nationale", acronym=None)
    db.session.commit()
    return {"organisation_id": organisation.id, "other_id": other.id}


GETS = [
    "/organisations",
    "/organisations/new",
    "/organisations/{organisation_id}",
    "/organisations/{organisation_id}/edit",
    "/organisations/{organisation_id}/merge",
    "/organisations/{organisation_id}/merge?duplicate={other_id}&keep=this",
]
POSTS = [
    "/organisations/new",
    "/organisations/{organisation_id}/edit",
    "/organisations/{organisation_id}/end",
    "/organisations/{organisation_id}/merge",
]


def _field(page: str, key: str) -> list[str]:
    """The text of each history line about `key`, tags stripped."""
    lines = re.findall(rf'<div[^>]*data-field="{key}"[^>]*>(.*?)</div>', page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", line)).strip() for line in lines]


def _organisations() -> int:
    return db.session.scalar(sa.select(sa.func.count(Organisation.id)))


def _changes() -> int:
    return db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action != "access.refused")
    )


@pytest.mark.parametrize("url", GETS)
@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_coordination_roles_open_every_page(client, login_as, objects, role, url):
    login_as(role)
    assert client.get(url.format(**objects)).status_code == 200


@pytest.mark.parametrize("url", GETS + POSTS)
@pytest.mark.parametrize("role", ["trainer", "participant"])
def test_trainers_and_participants_are_refused(client, login_as, objects, role, url):
    login_as(role)
    before, organisations = _changes(), _organisations()
    if url in GETS:
        assert client.get(url.format(**objects)).status_code == 403
    if url in POSTS:
        data = {"name": "x", "kind": "police", "ended_on": "2026-01-01"}
        data |= {"duplicate": objects["other_id"], "keep": "this"}
        assert client.post(url.format(**objects), data=data).status_code == 403
    assert (_changes(), _organisations()) == (before, organisations)


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_coordination_roles_post_every_form(client, login_as, objects, role):
    login_as(role)
    organisation_id, other_id = objects["organisation_id"], objects["other_id"]
    assert client.post("/organisations/new", data=_form(name="Douanes")).status_code == 303
    edit = _form(name="Police nationale du Niger", acronym="PNN")
    assert client.post(f"/organisations/{organisation_id}/edit", data=edit).status_code == 303
    end = {"ended_on": "2030-12-31"}
    assert client.post(f"/organisations/{organisation_id}/end", data=end).status_code == 303
    merge = {"duplicate": other_id, "keep": "this"}
    assert client.post(f"/organisations/{organisation_id}/merge", data=merge).status_code == 303


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_the_navigation_leads_coordinators_to_organisations(client, login_as, role):
    login_as(role)
    assert 'href="/organisations"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["trainer", "participant"])
def test_the_navigation_hides_organisations_from_others(client, login_as, role):
    login_as(role)
    assert 'href="/organisations"' not in client.get("/").get_data(as_text=True)


def test_every_post_needs_its_csrf_token(app, client, login_as, objects):
    login_as("coordinator")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for url in POSTS:
            data = _form() | {"ended_on": "2026-01-01", "duplicate": objects["other_id"]}
            assert client.post(url.format(**objects), data=data).status_code == 400, url
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert db.session.scalar(sa.select(sa.func.count(Organisation.id))) == 2
    assert _changes() == 0


# --- the list ---------------------------------------------------------------------


def _listed(page: str) -> int:
    return page.count('<tr data-organisation="')


def test_the_list_searches_ignoring_case_and_accents(client, login_as):
    factories.make_organisation(name="Direction générale de la Sûreté nationale", acronym="DGSN")
    factories.make_organisation(name="Garde nationale", acronym="GN")
    db.session.commit()
    login_as("coordinator")
    page = client.get("/organisations?q=SURETE").get_data(as_text=True)
    assert "Sûreté nationale" in page and "Garde nationale" not in page
    assert "Sûreté" in client.get("/organisations?q=dgsn").get_data(as_text=True)


def test_the_list_filters_by_country_kind_and_partnership(client, login_as):
    factories.make_organisation(
        name="Gendarmerie nationale", acronym="GN", country="TD", kind=OrganisationKind.GENDARMERIE
    )
    factories.make_organisation(
        name="Gendarmerie nationale",
        acronym="GN",
        country="ML",
        kind=OrganisationKind.GENDARMERIE,
        active_until=date(2020, 1, 1),
    )
    factories.make_organisation(name="Douanes", acronym="DGD", kind=OrganisationKind.CUSTOMS)
    db.session.commit()
    login_as("coordinator", locale="en")
    chad = client.get("/organisations?country=TD").get_data(as_text=True)
    assert _listed(chad) == 1 and "Chad" in chad
    gendarmeries = client.get("/organisations?kind=gendarmerie").get_data(as_text=True)
    assert _listed(gendarmeries) == 2 and "Douanes" not in gendarmeries
    ended = client.get("/organisations?state=ended").get_data(as_text=True)
    assert _listed(ended) == 1 and "Mali" in ended and "Ended on" in ended
    active = client.get("/organisations?state=active&kind=gendarmerie").get_data(as_text=True)
    assert _listed(active) == 1 and "Chad" in active


@pytest.mark.parametrize(
    "query",
    ["country=ZZ", "kind=navy", "state=sleeping", "q=" + "x" * 101],
)
def test_a_bad_filter_is_a_400_with_a_message(client, login_as, query):
    login_as("coordinator", locale="en")
    response = client.get(f"/organisations?{query}")
    assert response.status_code == 400
    assert "A filter value is not valid" in response.get_data(as_text=True)


def test_the_list_pages_and_shows_counts(client, login_as):
    police = factories.make_organisation(name="AAA Police", acronym=None)
    for _ in range(3):
        factories.make_participant(organisation=police)
    factories.make_trainer(organisation=police)
    for number in range(55):
        factories.make_organisation(name=f"Service {number:02d}", acronym=None)
    db.session.commit()
    login_as("coordinator", locale="en")
    first = client.get("/organisations").get_data(as_text=True)
    assert _listed(first) == 50
    row = first.split(f'<tr data-organisation="{police.id}">')[1].split("</tr>")[0]
    assert '<td class="text-end" data-count="participants">3</td>' in row
    assert 'data-count="trainers">1</td>' in row
    second = client.get("/organisations?page=2").get_data(as_text=True)
    assert _listed(second) >= 5 and "AAA Police" not in second
    assert client.get("/organisations?page=999999999999").status_code == 404


def test_the_list_runs_a_fixed_number_of_queries(client, login_as, count_queries):
    login_as("coordinator")
    counts = []
    for organisations in (3, 40):
        while db.session.scalar(sa.select(sa.func.count(Organisation.id))) < organisations:
            organisation = factories.make_organisation()
            factories.make_participant(organisation=organisation)
            factories.make_trainer(organisation=organisation)
        db.session.commit()
        with count_queries() as statements:
            assert client.get("/organisations").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


# --- create, edit, end --------------------------------------------------------------


def _form(**overrides):
    data = {
        "name": "Gendarmerie nationale",
        "acronym": "GN",
        "country": "NE",
        "kind": "gendarmerie",
        "is_security_force": "y",
        "active_from": "2018-01-01",
        "active_until": "",
    }
    data.update(overrides)
    return data


def test_create_an_organisation_then_read_its_page(client, login_as):
    login_as("coordinator", locale="en")
    response = client.post("/organisations/new", data=_form())
    assert response.status_code == 303
    organisation = db.session.scalar(sa.select(Organisation))
    assert (organisation.name, organisation.country, organisation.is_security_force) == (
        "Gendarmerie nationale",
        "NE",
        True,
    )
    assert organisation.search_text == "gn gendarmerie nationale"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "GN — Gendarmerie nationale (Niger)" in page
    assert "Organisation added" in page  # the history
    assert "0 participants" in page and "0 trainers" in page


def test_the_same_name_in_another_country_is_another_organisation(client, login_as):
    factories.make_organisation(name="Gendarmerie nationale", acronym="GN", country="ML")
    db.session.commit()
    login_as("coordinator", locale="en")
    assert client.post("/organisations/new", data=_form()).status_code == 303
    response = client.post("/organisations/new", data=_form(name="GENDARMERIE NATIONALE"))
    assert response.status_code == 400
    assert "already exists in this country" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": ""},
        {"name": "x" * 201},
        {"acronym": "x" * 31},
        {"kind": "navy"},
        {"country": "ZZ"},
        {"active_from": "yesterday"},
        {"active_from": "2024-01-01", "active_until": "2023-01-01"},
    ],
)
def test_bad_input_is_refused_on_the_form(client, login_as, overrides):
    login_as("coordinator")
    response = client.post("/organisations/new", data=_form(**overrides))
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Organisation.id))) == 0


def test_edit_keeps_history_in_french(client, login_as):
    organisation = factories.make_organisation(name="Garde nationale", acronym="GN", country="NE")
    db.session.commit()
    login_as("coordinator", locale="fr")
    page = client.get(f"/organisations/{organisation.id}/edit").get_data(as_text=True)
    assert 'value="Garde nationale"' in page and "Modifier" in page
    response = client.post(
        f"/organisations/{organisation.id}/edit",
        data=_form(name="Garde nationale du Niger", acronym="GNN", kind="national_guard"),
    )
    assert response.status_code == 303
    page = client.get(f"/organisations/{organisation.id}").get_data(as_text=True)
    assert "GNN — Garde nationale du Niger (Niger)" in page
    assert "Organisation modifiée" in page
    assert _field(page, "name") == [f"Nom{NBSP}: Garde nationale → Garde nationale du Niger"]
    assert _field(page, "kind") == [f"Type{NBSP}: Police → Garde nationale"]
    assert _field(page, "acronym") == [f"Sigle{NBSP}: GN → GNN"]
    assert _field(page, "country") == []  # unchanged, so not repeated


def test_end_a_partnership_then_it_is_no_longer_offered(client, login_as):
    organisation = factories.make_organisation(name="MINUSMA", acronym=None, country="ML")
    participant = factories.make_participant(organisation=organisation)
    db.session.commit()
    login_as("coordinator", locale="en")
    response = client.post(f"/organisations/{organisation.id}/end", data={"ended_on": "2023-12-31"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ended on Dec 31, 2023" in page and "Partnership ended" in page
    assert "1 participant" in page  # the organisation stays, with its people
    assert "MINUSMA (Mali)" not in client.get("/participants/new").get_data(as_text=True)
    # ...but a participant who belongs to it keeps it on their form.
    edit = client.get(f"/participants/{participant.id}/edit").get_data(as_text=True)
    assert f'<option selected value="{organisation.id}">MINUSMA (Mali)</option>' in edit


def test_a_partnership_cannot_end_before_it_starts(client, login_as):
    organisation = factories.make_organisation(active_from=date(2024, 1, 1))
    db.session.commit()
    login_as("coordinator", locale="en")
    response = client.post(f"/organisations/{organisation.id}/end", data={"ended_on": "2023-01-01"})
    assert response.status_code == 409
    assert "cannot end before it starts" in response.get_data(as_text=True)
    response = client.post(f"/organisations/{organisation.id}/end", data={"ended_on": "soon"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Organisation, organisation.id).active_until is None


@pytest.mark.parametrize(
    "url",
    [
        "/organisations/999999",
        "/organisations/999999/edit",
        "/organisations/999999/merge",
        "/organisations/99999999999999999999",
        "/organisations/abc",
    ],
)
def test_an_unknown_organisation_is_a_404(client, login_as, url):
    login_as("coordinator")
    assert client.get(url).status_code == 404


def test_the_organisation_page_links_its_people_and_sessions(client, login_as):
    organisation = factories.make_organisation(name="Police nationale", acronym="PN", country="NE")
    factories.make_participant(organisation=organisation)
    trainer = factories.make_trainer(name="Colonel Ibrahim Maïga", organisation=organisation)
    training_session = factories.make_session(code="NE-2026-077")
    training_session.partners.append(organisation)
    db.session.commit()
    login_as("coordinator", locale="en")
    page = client.get(f"/organisations/{organisation.id}").get_data(as_text=True)
    assert f"/participants?organisation={organisation.id}" in page
    assert f"/trainers/{trainer.id}" in page and "Colonel Ibrahim Maïga" in page
    assert f"/sessions/{training_session.id}" in page and "NE-2026-077" in page


def test_the_participant_page_links_its_organisation(client, login_as):
    organisation = factories.make_organisation(name="Police nationale", acronym="PN", country="NE")
    participant = factories.make_participant(organisation=organisation)
    db.session.commit()
    login_as("coordinator", locale="fr")
    page = client.get(f"/participants/{participant.id}").get_data(as_text=True)
    assert f'href="/organisations/{organisation.id}">PN — Police nationale (Niger)</a>' in page


# --- merging --------------------------------------------------------------------------


def test_merge_shows_what_moves_then_merges(client, login_as):
    kept = factories.make_organisation(name="Police nationale du Niger", acronym="PN")
    removed = factories.make_organisation(name="Police nationale", acronym=None)
    for _ in range(2):
        factories.make_participant(organisation=removed)
    factories.make_trainer(organisation=removed)
    db.session.commit()
    login_as("coordinator", locale="en")
    choice = client.get(f"/organisations/{kept.id}/merge").get_data(as_text=True)
    assert "Records that may be the same organisation" in choice
    assert "Police nationale (Niger)" in choice
    url = f"/organisations/{kept.id}/merge?duplicate={removed.id}&keep=this"
    confirmation = client.get(url).get_data(as_text=True)
    assert 'data-moves="participants">2 participants' in confirmation
    assert 'data-moves="trainers">1 trainer' in confirmation
    assert "Merge: keep “PN — Police nationale du Niger (Niger)”" in confirmation
    assert db.session.get(Organisation, removed.id) is not None  # showing changes nothing

    response = client.post(
        f"/organisations/{kept.id}/merge", data={"duplicate": removed.id, "keep": "this"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/organisations/{kept.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Police nationale (Niger) was merged into PN — Police nationale du Niger (Niger)" in page
    assert "2 participants" in page and "Another record merged into this one" in page
    assert "Participants moved" in page
    assert db.session.get(Organisation, removed.id) is None
    assert client.get(f"/organisations/{removed.id}").status_code == 404


def test_merge_can_keep_the_other_record(client, login_as):
    this = factories.make_organisation(name="Police", acronym=None)
    other = factories.make_organisation(name="Police nationale", acronym="PN")
    participant = factories.make_participant(organisation=this)
    db.session.commit()
    login_as("coordinator", locale="fr")
    confirmation = client.get(
        f"/organisations/{this.id}/merge?duplicate={other.id}&keep=other"
    ).get_data(as_text=True)
    assert "Fusionner" in confirmation and "1 participant" in confirmation
    response = client.post(
        f"/organisations/{this.id}/merge", data={"duplicate": other.id, "keep": "other"}
    )
    assert response.headers["Location"].endswith(f"/organisations/{other.id}")
    assert db.session.get(Organisation, this.id) is None
    assert db.session.get(Participant, participant.id).organisation_id == other.id


def test_merge_with_itself_is_refused_with_a_message(client, login_as):
    organisation = factories.make_organisation()
    db.session.commit()
    login_as("coordinator", locale="en")
    response = client.post(
        f"/organisations/{organisation.id}/merge",
        data={"duplicate": organisation.id, "keep": "this"},
    )
    assert response.status_code == 409
    assert "cannot be merged with itself" in response.get_data(as_text=True)
    response = client.get(f"/organisations/{organisation.id}/merge?duplicate={organisation.id}")
    assert response.status_code == 400
    assert db.session.get(Organisation, organisation.id) is not None


@pytest.mark.parametrize(
    "data",
    [
        {"duplicate": "abc", "keep": "this"},
        {"duplicate": "99999999999999", "keep": "this"},
        {"duplicate": "", "keep": "this"},
        {"keep": "this"},
        {"duplicate": "{other_id}", "keep": "both"},
    ],
)
def test_a_malformed_merge_is_a_400(client, login_as, objects, data):
    login_as("coordinator")
    data = {key: value.format(**objects) for key, value in data.items()}
    response = client.post(f"/organisations/{objects['organisation_id']}/merge", data=data)
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Organisation.id))) == 2


@pytest.mark.parametrize(
    "query", ["duplicate=abc", "duplicate=999999", "duplicate={other_id}&keep=both", "keep=this"]
)
def test_a_malformed_merge_choice_is_a_400(client, login_as, objects, query):
    login_as("coordinator", locale="en")
    url = f"/organisations/{objects['organisation_id']}/merge?{query.format(**objects)}"
    assert client.get(url).status_code == 400


def test_merging_an_unknown_record_is_a_404(client, login_as, objects):
    login_as("coordinator")
    response = client.post(
        f"/organisations/{objects['organisation_id']}/merge",
        data={"duplicate": "999999", "keep": "this"},
    )
    assert response.status_code == 404
