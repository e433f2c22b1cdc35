"""The API against its own OpenAPI description (schemathesis): requests
generated from the description, with a token of each role, on a database
holding a small programme; no answer is a server error, and every answer is
one the description allows (status, content type, headers, body).

Bounded and deterministic: a few examples per operation, derandomized, so
that the whole run stays short and gives the same answer every time."""

from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories
from tests.api.conftest import make_token
from training.enrollment.models import EnrollmentStatus
from training.extensions import db
from training.sessions.models import SessionStatus

# Examples per operation, positive and negative, for each role: the
# coordinator reaches every rule; the others are mostly refused early.
EXAMPLES = {"coordinator": (5, 3), "admin": (2, 1), "trainer": (2, 2), "participant": (2, 1)}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def seed_programme() -> dict[str, object]:
    """A small programme whose first ids the generated requests will meet:
    a curriculum, an open and a completed session, their trainer,
    participants, enrollments, attendance."""
    trainer_user = factories.make_user(role="trainer")
    participant_user = factories.make_user(role="participant")
    curriculum = factories.make_curriculum()
    open_session = factories.make_session(curriculum, start_date=date(2026, 3, 2))
    completed = factories.make_session(
        curriculum, start_date=date(2026, 4, 6), status=SessionStatus.COMPLETED
    )
    for training_session in (open_session, completed):
        factories.assign(trainer_user.trainer, training_session)
        enrollment = factories.enroll(participant_user.participant, training_session)
        factories.mark_all(enrollment)
        factories.enroll(training_session=training_session, status=EnrollmentStatus.NOMINATED)
    factories.qualify(trainer_user.trainer, curriculum)
    db.session.commit()
    return {"trainer": trainer_user, "participant": participant_user}


_LOADED: dict[int, object] = {}


def _schema(app):
    """The description, loaded once per run (the application is the run's)."""
    if id(app) not in _LOADED:
        _LOADED[id(app)] = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return _LOADED[id(app)]


def _run_every_operation(app, role: str, secret: str, only: str | None = None) -> None:
    """Each operation of the description, positive and negative examples,
    sent with the role's token; every failure is reported, operation by
    operation. (schemathesis's Python API with Hypothesis directly: its
    pytest plugin's lazy schema does not run under this pytest.)"""
    # identity: the test client does not decompress what Flask-Compress sends.
    headers = {"Authorization": f"Bearer {secret}", "Accept-Encoding": "identity"}
    failures = []
    operations = 0
    for result in _schema(app).get_all_operations():
        operation = result.ok()
        if only is not None and operation.label != only:
            continue
        operations += 1
        for mode, examples in zip(GenerationMode, EXAMPLES[role], strict=True):
            if mode == GenerationMode.NEGATIVE and not (len(operation.query) or operation.body):
                continue  # only a path to break: every text is a valid one

            @settings(
                max_examples=examples,
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate],
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                call()
            except Unsatisfiable:
                continue  # nothing invalid to send (an operation without inputs)
            except (Exception, BaseExceptionGroup) as error:  # every one tried, all reported
                failures.append(f"{role} {operation.label} ({mode.value}): {error}")
    assert operations >= (1 if only else 50)
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("role", sorted(EXAMPLES))
def test_every_answer_is_in_the_description(app, role):
    users = seed_programme()
    user = users.get(role) or factories.make_user(role=role)
    _run_every_operation(app, role, make_token(user))


def test_the_run_finds_a_server_error_when_there_is_one(app, monkeypatch):
    """The harness is not vacuous: an operation that breaks is reported."""
    from training.api import curricula

    def broken(**_filters):
        raise RuntimeError("a bug")

    monkeypatch.setattr(curricula.services, "search_curricula", broken)
    secret = make_token(factories.make_user(role="coordinator"))
    with pytest.raises(AssertionError, match="Server error"):
        _run_every_operation(app, "coordinator", secret, only="GET /api/v1/curricula")


def test_the_description_is_openapi_3_1_and_complete(client):
    description = client.get("/api/v1/openapi.json").json
    assert description["openapi"] == "3.1.0"
    paths = description["paths"]
    for path in (
        "/api/v1/curricula",
        "/api/v1/sessions/{session_id}",
        "/api/v1/sessions/{session_id}/assignments",
        "/api/v1/trainers",
        "/api/v1/participants/{participant_id}",
        "/api/v1/sessions/{session_id}/enrollments",
        "/api/v1/sessions/{session_id}/attendance/sync",
        "/api/v1/sessions/{session_id}/scores/{enrollment_id}",
        "/api/v1/certificates/{serial}/revoke",
        "/api/v1/verify/{code}",
        "/api/v1/reports",
    ):
        assert path in paths, path
    patch = paths["/api/v1/curricula/{curriculum_id}"]["patch"]
    assert {"412", "428"} <= set(patch["responses"])
    assert any(p["name"] == "If-Match" and p["required"] for p in patch["parameters"])
    assert patch["security"] == [{"bearerAuth": ["curricula:write"]}]
    problem = description["components"]["responses"]["UNAUTHORIZED"]["content"]
    assert "application/problem+json" in problem
    nullable = description["components"]["schemas"]["Curriculum"]["properties"]["description"]
    assert nullable["type"] == ["string", "null"]  # 3.1's way, not "nullable"


def test_the_documentation_page_is_served_by_atelier(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page.text
    assert "/static/js/api-docs.js" in page.text
    assert "http" not in page.text.split("<body>")[0]  # nothing from another host
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "<script>" not in page.text  # no inline script: the CSP allows none
    for asset in ("vendor/swagger-ui/swagger-ui-bundle.js", "vendor/swagger-ui/swagger-ui.css"):
        with client.get(f"/static/{asset}") as response:
            assert response.status_code == 200, asset
