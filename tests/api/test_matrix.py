"""Who may call what: every operation of the API, for every role, with a
token holding every scope the role may use. A role the pages refuse
(training.permissions) is refused here too (403, as a problem); a role
they allow is never refused, and nothing answers a server error. Then the
object-level checks: another session, another participant's certificate."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests import factories
from tests.api.conftest import ApiClient, make_token
from training.auth.models import Role
from training.certificates.services import issue_certificate
from training.extensions import db
from training.permissions import PUBLIC_ENDPOINTS, can
from training.sessions.models import SessionStatus

ROLES = [role.value for role in Role]


@pytest.fixture
def programme(app):
    """One session of every kind of thing, the trainer teaching it, the
    participant confirmed in it and holding its certificate."""
    trainer = factories.make_user(role="trainer")
    participant = factories.make_user(role="participant")
    curriculum = factories.make_curriculum(pass_mark_percent=None)
    training_session = factories.make_session(
        curriculum, start_date=date(2026, 3, 2), status=SessionStatus.COMPLETED
    )
    assignment = factories.assign(trainer.trainer, training_session)
    qualification = factories.qualify(trainer.trainer, curriculum)
    enrollment = factories.enroll(participant.participant, training_session)
    factories.mark_all(enrollment)
    certificate = issue_certificate(enrollment, factories.make_user(role="coordinator"))
    db.session.commit()
    values = {
        "curriculum_id": curriculum.id,
        "module_id": curriculum.modules[0].id,
        "session_id": training_session.id,
        "assignment_id": assignment.id,
        "trainer_id": trainer.trainer_id,
        "qualification_id": qualification.id,
        "participant_id": participant.participant_id,
        "enrollment_id": enrollment.id,
        "day": training_session.start_date.isoformat(),
        "serial": certificate.serial,
        "code": certificate.verification_code,
    }
    return {"values": values, "users": {"trainer": trainer, "participant": participant}}


def _url(rule, values) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values[match.group(1)]), rule.rule)


def _operations(app):
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, view.required_action


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_allows_and_refuses_as_the_pages_do(app, client, programme, role):
    user = programme["users"].get(role) or factories.make_user(role=role)
    api = ApiClient(client, make_token(user))
    checked = 0
    for rule, method, action in _operations(app):
        url = _url(rule, programme["values"])
        response = api.request(method, url, json={} if method != "GET" else None)
        where = f"{role}: {method} {url} ({action}) answered {response.status_code}"
        assert response.status_code < 500, where
        if can(user, action):
            assert response.status_code not in (401, 403), where + f" {response.json}"
        else:
            assert response.status_code == 403, where
            assert response.mimetype == "application/problem+json", where
            assert response.json["code"] in {"forbidden", "insufficient_scope"}, where
        checked += 1
    assert checked >= 50


def test_a_trainer_reaches_only_the_sessions_they_teach(client, programme):
    own = programme["values"]["session_id"]
    other = factories.make_session()
    db.session.commit()
    api = ApiClient(client, make_token(programme["users"]["trainer"]))
    assert api.get(f"/sessions/{own}").status_code == 200
    assert api.get(f"/sessions/{own}/attendance").status_code == 200
    for path in (f"/sessions/{other.id}", f"/sessions/{other.id}/attendance"):
        refused = api.get(path)
        assert refused.status_code == 403, path
    listed = [item["id"] for item in api.get("/sessions").json["items"]]
    assert listed == [own]
    sync = api.post(f"/sessions/{other.id}/attendance/sync", json={"changes": []})
    assert sync.status_code == 403


def test_a_trainer_reads_no_coordinators_reason(client, api_as, programme):
    session_id = programme["values"]["session_id"]
    trainer_api = ApiClient(client, make_token(programme["users"]["trainer"]))
    assignment = trainer_api.get(f"/sessions/{session_id}/assignments").json["items"][0]
    assert "override_reason" not in assignment
    coordinator = api_as("coordinator")
    assert (
        "override_reason" in coordinator.get(f"/sessions/{session_id}/assignments").json["items"][0]
    )


def test_a_participant_reaches_only_their_own_certificates(client, api_as, programme):
    serial = programme["values"]["serial"]
    own = ApiClient(client, make_token(programme["users"]["participant"]))
    mine = own.get(f"/certificates/{serial}")
    assert mine.status_code == 200
    assert "override_reason" not in mine.json and "revocation_reason" not in mine.json
    assert [item["serial"] for item in own.get("/certificates").json["items"]] == [serial]
    assert own.get(f"/certificates/{serial}/pdf").mimetype == "application/pdf"
    stranger = api_as("participant")
    assert stranger.get(f"/certificates/{serial}").status_code == 403
    assert stranger.get(f"/certificates/{serial}/pdf").status_code == 403
    assert stranger.get("/certificates").json["items"] == []


def test_participants_stay_with_coordination_and_notes_with_their_readers(api_as, programme):
    participant_id = programme["values"]["participant_id"]
    coordinator = api_as("coordinator")
    screenings = coordinator.get(f"/participants/{participant_id}/screenings").json["items"]
    assert "notes" in screenings[0]
    for role in ("trainer", "participant"):
        refused = api_as(role).get(f"/participants/{participant_id}")
        assert refused.status_code == 403, role


@pytest.mark.parametrize(
    "path", ["/sessions", "/participants", "/trainers", "/curricula", "/certificates"]
)
def test_a_list_runs_a_fixed_number_of_queries(api_as, count_queries, path):
    api = api_as("coordinator")

    def more():
        curriculum = factories.make_curriculum()
        training_session = factories.make_session(curriculum, status=SessionStatus.COMPLETED)
        trainer = factories.make_trainer()
        factories.assign(trainer, training_session)
        factories.qualify(trainer, curriculum)
        enrollment = factories.enroll(training_session=training_session)
        factories.mark_all(enrollment)
        issue_certificate(enrollment, api.user)
        db.session.commit()

    def statements() -> int:
        api.get(path)  # the token's "last used" written once, before counting
        with count_queries() as executed:
            response = api.get(path)
        assert response.status_code == 200
        return len(executed)

    more()
    few = statements()
    for _ in range(3):
        more()
    assert statements() == few, path
