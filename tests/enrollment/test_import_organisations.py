"""An organisation cell that names several organisations, one of another
country, or none: settled by the row's country when it can be, otherwise
asked of the coordinator, who may create the missing one from the preview.
Never a silent guess."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa

from tests import factories
from tests.enrollment.conftest import csv_bytes
from training.audit.models import AuditEvent
from training.enrollment import importer
from training.enrollment.models import Enrollment, StagedUpload
from training.extensions import db
from training.people.models import Organisation, OrganisationKind, Participant


@pytest.fixture
def police(app):
    """Three national police forces sharing the acronym "PN", and five
    gendarmeries sharing their name, as in the G5 Sahel."""
    forces = {
        country: factories.make_organisation(
            name=f"Police nationale {name}", acronym="PN", country=country
        )
        for country, name in (("BF", "du Burkina Faso"), ("ML", "du Mali"), ("NE", "du Niger"))
    }
    for country in ("BF", "ML", "NE", "TD", "MR"):
        forces[f"GN-{country}"] = factories.make_organisation(
            name="Gendarmerie nationale",
            acronym="GN",
            country=country,
            kind=OrganisationKind.GENDARMERIE,
        )
    forces["PNT"] = factories.make_organisation(
        name="Police nationale tchadienne", acronym="PNT", country="TD"
    )
    db.session.commit()
    return forces


def _row(given: str, nationality: str, organisation: str) -> list[str]:
    return [given, f"Family{given}", "M", nationality, organisation, "", "", "", ""]


def _check(rows, training_session=None, choices=None):
    training_session = training_session or factories.make_session()
    nominee_file = importer.read_file(csv_bytes(rows, delimiter=";"))
    return importer.check_file(training_session, nominee_file, choices)


def test_the_row_s_country_settles_a_shared_acronym(app, police):
    check = _check(
        [
            _row("Ousmane", "Nigérienne", "PN"),
            _row("Adama", "Malien", "P.N."),
            _row("Salif", "Burkinabè", "pn"),
            _row("Issa", "Niger", "Gendarmerie Nationale"),
            _row("Mahamat", "Tchadien", "GN"),
        ]
    )
    assert check.can_import, [row.errors for row in check.rows]
    assert [row.organisation for row in check.rows] == [
        police["NE"],
        police["ML"],
        police["BF"],
        police["GN-NE"],
        police["GN-TD"],
    ]
    assert check.questions == []


def test_a_nigerien_officer_with_pn_never_lands_in_burkina_faso_s_police(app, police):
    """The bug of issue 13: the first "PN" found was taken."""
    check = _check([_row("Ousmane", "NE", "PN")])
    assert check.rows[0].organisation == police["NE"]
    check = _check([_row("Ousmane", "", "PN")])
    assert check.rows[0].organisation is None
    assert "Which organisation is “PN”?" in check.rows[0].errors[0]


def test_what_the_country_cannot_settle_is_asked_once_per_value(app, police):
    check = _check(
        [
            _row("A", "", "PN"),  # no nationality: any of three
            _row("B", "Sénégalais", "PN"),  # no PN in Senegal
            _row("C", "Malien", "PN"),  # settled
            _row("D", "Nigérien", "PNT"),  # Chad's police for a Nigerien: asked
            _row("E", "Nigérien", "DGPN"),  # unknown
            _row("F", "NE", "dgpn"),  # the same unknown value
        ]
    )
    questions = {question.value: question for question in check.questions}
    assert set(questions) == {"PN", "PNT", "DGPN"}
    assert questions["PN"].lines == [2, 3]
    assert {o.country for o in questions["PN"].candidates} == {"BF", "ML", "NE"}
    assert questions["PN"].countries == ["SN"]
    assert questions["PNT"].candidates == [police["PNT"]]
    assert questions["DGPN"].is_unknown and questions["DGPN"].lines == [6, 7]
    assert questions["DGPN"].countries == ["NE"]
    assert check.rows[2].organisation == police["ML"] and not check.rows[2].errors
    assert "Unknown organisation “DGPN”" in check.rows[4].errors[0]
    assert check.error_count == 5 and check.can_import_valid


def test_a_choice_applies_to_every_row_that_waits_on_the_value(app, police):
    rows = [_row("A", "", "PN"), _row("B", "Sénégalais", "PN"), _row("C", "Malien", "PN")]
    check = _check(rows, choices={"pn": police["NE"].id})
    assert [row.organisation for row in check.rows] == [police["NE"], police["NE"], police["ML"]]
    assert check.can_import
    (question,) = check.questions
    assert question.chosen == police["NE"]
    # A choice naming an organisation that no longer exists is no choice.
    check = _check(rows, choices={"pn": 999_999})
    assert check.questions[0].chosen is None and check.error_count == 2


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Gendarmerie nationale (Niger)", "GN-NE"),  # the XLSX template's lists
        ("Gendarmerie nationale (Tchad)", "GN-TD"),
        ("PN — Police nationale du Mali", "ML"),  # an organisation's label
        ("PN - Police nationale du Niger", "NE"),
    ],
)
def test_a_country_or_a_name_written_with_the_organisation_settles_it(app, police, cell, expected):
    check = _check([_row("A", "", cell)])
    assert check.rows[0].organisation == police[expected], check.rows[0].errors


def test_an_ended_partnership_is_an_error(app):
    factories.make_organisation(
        name="Mission des Nations unies au Mali",
        acronym="MINUSMA",
        country="ML",
        active_from=date(2013, 7, 1),
        active_until=date(2023, 12, 31),
    )
    training_session = factories.make_session(
        start_date=date(2026, 3, 2), end_date=date(2026, 3, 4)
    )
    check = _check([_row("A", "ML", "MINUSMA")], training_session)
    assert "ended on" in check.rows[0].errors[0] and check.questions == []


@pytest.mark.parametrize(
    ("value", "countries", "name", "acronym", "kind", "security"),
    [
        ("DGPN", ["NE"], "", "DGPN", None, False),
        ("Police nationale du Sénégal", ["SN"], "Police nationale du Sénégal", "", "police", True),
        (
            "Garde de sécurité pénitentiaire",
            [],
            "Garde de sécurité pénitentiaire",
            "",
            "prison_administration",
            True,
        ),
        ("Parquet de Niamey", ["NE"], "Parquet de Niamey", "", "prosecution", False),
    ],
)
def test_what_the_create_form_suggests(value, countries, name, acronym, kind, security):
    question = importer.OrganisationQuestion(
        key=importer.organisation_key(value), value=value, candidates=[], countries=countries
    )
    suggestion = importer.suggest_organisation(question)
    assert (suggestion.name, suggestion.acronym) == (name, acronym)
    assert suggestion.country == (countries[0] if countries else "")
    assert (suggestion.kind.value if suggestion.kind else None) == kind
    assert suggestion.is_security_force is security


# --- the preview's forms ----------------------------------------------------------------


def _upload(client, session_id: int, rows) -> None:
    response = client.post(
        f"/sessions/{session_id}/import",
        data={"file": (io.BytesIO(csv_bytes(rows, delimiter=";")), "liste.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)


def test_the_coordinator_chooses_an_organisation_in_the_preview(client, login_as, police):
    training_session = factories.make_session()
    db.session.commit()
    login_as("coordinator")
    _upload(client, training_session.id, [_row("A", "", "PN"), _row("B", "", "pn")])
    base = f"/sessions/{training_session.id}/import"
    page = client.get(f"{base}/preview").get_data(as_text=True)
    assert "Organisations to settle" in page and 'data-question="PN"' in page
    assert "It may be any of 3 organisations." in page
    assert "Import all" not in page
    response = client.post(
        f"{base}/organisation", data={"key": "pn", "organisation_id": police["NE"].id}
    )
    assert response.status_code == 303
    page = client.get(f"{base}/preview").get_data(as_text=True)
    assert "Used for these rows: PN — Police nationale du Niger · Niger." in page
    assert "2 rows are ready to import." in page
    client.post(f"{base}/confirm")
    participants = db.session.scalars(sa.select(Participant).order_by(Participant.id)).all()
    assert [p.organisation for p in participants] == [police["NE"], police["NE"]]


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"key": "pn", "organisation_id": ""}, 400),
        ({"key": "pn", "organisation_id": "999999"}, 400),
        ({"key": "pn", "organisation_id": "abc"}, 400),
        ({"key": "PN <b>", "organisation_id": "{niger}"}, 400),
        ({"key": "notinthefile", "organisation_id": "{niger}"}, 409),
    ],
)
def test_a_bad_choice_is_refused_and_changes_nothing(client, login_as, police, data, status):
    training_session = factories.make_session()
    db.session.commit()
    login_as("coordinator")
    _upload(client, training_session.id, [_row("A", "", "PN")])
    data = {name: value.format(niger=police["NE"].id) for name, value in data.items()}
    response = client.post(f"/sessions/{training_session.id}/import/organisation", data=data)
    assert response.status_code == status
    assert db.session.scalar(sa.select(StagedUpload.choices)) == {}


def test_a_missing_organisation_is_created_from_the_preview(client, login_as, police):
    training_session = factories.make_session()
    db.session.commit()
    user = login_as("coordinator")
    _upload(
        client,
        training_session.id,
        [
            _row("A", "Sénégalais", "Police nationale du Sénégal"),
            _row("B", "SN", "police nationale du senegal"),
        ],
    )
    base = f"/sessions/{training_session.id}/import"
    page = client.get(f"{base}/preview").get_data(as_text=True)
    assert "No organisation of the registry has this name or acronym." in page
    assert 'value="Police nationale du Sénégal"' in page  # the suggested name
    assert '<option value="SN" selected>' in page and '<option value="police" selected>' in page
    response = client.post(
        f"{base}/organisation/new",
        data={
            "key": "policenationaledusenegal",
            "name": "Police nationale du Sénégal",
            "acronym": "PNS",
            "country": "SN",
            "kind": "police",
            "is_security_force": "y",
        },
    )
    assert response.status_code == 303
    created = db.session.scalar(sa.select(Organisation).where(Organisation.acronym == "PNS"))
    assert (created.country, created.kind, created.is_security_force) == (
        "SN",
        OrganisationKind.POLICE,
        True,
    )
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "organisation.created")
    )
    assert event.actor_id == user.id
    page = client.get(f"{base}/preview").get_data(as_text=True)
    assert "2 rows are ready to import." in page
    client.post(f"{base}/confirm")
    assert db.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 2
    assert {p.organisation_id for p in db.session.scalars(sa.select(Participant))} == {created.id}


def test_an_organisation_that_exists_in_its_country_is_not_created_twice(client, login_as, police):
    training_session = factories.make_session()
    db.session.commit()
    login_as("coordinator")
    _upload(client, training_session.id, [_row("A", "", "PN")])
    before = db.session.scalar(sa.select(sa.func.count(Organisation.id)))
    response = client.post(
        f"/sessions/{training_session.id}/import/organisation/new",
        data={"key": "pn", "name": "Police nationale du Niger", "country": "NE", "kind": "police"},
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "already exists in this country" in page
    assert 'value="Police nationale du Niger"' in page  # what was typed stays
    assert db.session.scalar(sa.select(sa.func.count(Organisation.id))) == before


@pytest.mark.parametrize(
    "data",
    [
        {"key": "pn", "name": "", "kind": "police"},
        {"key": "pn", "name": "X", "kind": "astronauts"},
        {"key": "pn", "name": "X" * 201, "kind": "police"},
        {"key": "pn", "name": "X", "kind": "police", "country": "XX"},
        {"key": "", "name": "X", "kind": "police"},
    ],
)
def test_a_bad_new_organisation_is_a_form_error(client, login_as, police, data):
    training_session = factories.make_session()
    db.session.commit()
    login_as("coordinator")
    _upload(client, training_session.id, [_row("A", "", "PN")])
    before = db.session.scalar(sa.select(sa.func.count(Organisation.id)))
    response = client.post(f"/sessions/{training_session.id}/import/organisation/new", data=data)
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Organisation.id))) == before


def test_a_dash_for_none_is_no_organisation_and_no_country(app, police):
    check = _check([_row("A", "-", "—"), _row("B", "/", "N/A"), _row("C", "", "?")])
    assert check.rows[0].errors == [] and check.rows[2].errors == []
    assert check.rows[0].organisation is None and check.rows[0].nationality is None
    assert "Unknown organisation “N/A”" in check.rows[1].errors[0]  # letters: asked about
    assert [question.value for question in check.questions] == ["N/A"]
