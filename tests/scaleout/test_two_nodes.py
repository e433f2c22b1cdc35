"""Two application nodes on one PostgreSQL and one Redis, each request of a
journey sent to the other node than the one before: nothing a journey
needs lives on one node (sign-in sessions, CSRF, rate limits, staged
imports, outgoing mail, signing keys, signed documents, jobs).

`make test-postgres` starts the PostgreSQL and Redis servers
(.ci/with-postgres.sh, .ci/with-redis.sh) and so runs this test; elsewhere it
is skipped, saying why (ATELIER_REQUIRE_TWO_NODES=1 turns the skip into a
failure, so that the lane meant to run it cannot skip it silently).
"""

from __future__ import annotations

import io
import os
import re
import secrets
import time
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.scaleout.nodes import (
    Browser,
    Node,
    fresh_database,
    start_node,
    stop_nodes,
    wait_until_serving,
)

DATABASE = os.environ.get("TEST_DATABASE_URL", "")
REDIS = os.environ.get("TEST_REDIS_URL", "")
MISSING = (
    None
    if DATABASE.startswith("postgresql") and REDIS
    else "two nodes need PostgreSQL (TEST_DATABASE_URL) and Redis (TEST_REDIS_URL): "
    "`make test-postgres` starts both"
)
if MISSING and os.environ.get("ATELIER_REQUIRE_TWO_NODES") == "1":
    raise RuntimeError(f"ATELIER_REQUIRE_TWO_NODES=1 but {MISSING}")

pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")

VERIFY_LIMIT = 6  # per minute, counted in Redis whichever node answers


def _seed(database_url: str, key_dir: Path) -> dict[str, object]:
    """Migrate the nodes' database and give it a programme: a coordinator, a
    trainer qualified for an approved curriculum, two cleared participants,
    and the signing keys (files in the key folder both nodes read)."""
    from flask_migrate import upgrade

    from config import TestConfig
    from training import create_app
    from training.certificates import keys
    from training.extensions import db

    class SeedConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        ATELIER_KEY_DIR = str(key_dir)

    app = create_app(SeedConfig())
    with app.app_context():
        upgrade()
        coordinator = factories.make_user("coordinator", locale="en")
        trainer = factories.make_user("trainer", locale="en")
        curriculum = factories.make_curriculum(code="CT-NODES-01", pass_mark_percent=None)
        factories.qualify(trainer.trainer, curriculum)
        participants = [factories.make_participant() for _ in range(2)]
        keys.create_keys()
        db.session.commit()
        seeded = {
            "coordinator": coordinator.email,
            "trainer": trainer.email,
            "trainer_id": trainer.trainer.id,
            "curriculum_id": curriculum.id,
            "theme": curriculum.theme.value,
            "participant_ids": [participant.id for participant in participants],
        }
        db.session.remove()
        db.engine.dispose()
    return seeded


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Nodes A and B on one fresh database and one Redis, stopped afterwards."""
    folder = tmp_path_factory.mktemp("nodes")
    key_dir = folder / "keys"
    key_dir.mkdir(mode=0o700)
    with fresh_database(DATABASE) as database_url:
        seeded = _seed(database_url, key_dir)
        environment = {
            "ATELIER_ENV": "development",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": database_url,
            "RATELIMIT_STORAGE_URI": REDIS,
            "ATELIER_KEY_DIR": str(key_dir),
            "ATELIER_VERIFY_RATE_LIMIT": f"{VERIFY_LIMIT} per minute",
            "ATELIER_PUBLIC_URL": "http://127.0.0.1",
        }
        environment.pop("ATELIER_REDIS_URL", None)
        nodes = [start_node(name, environment, folder) for name in ("A", "B")]
        try:
            wait_until_serving(nodes)
            engine = sa.create_engine(database_url)
            yield nodes, seeded, engine
            engine.dispose()
        finally:
            stop_nodes(nodes)


def _sign_in(browser: Browser, page_node: Node, post_node: Node, email: str) -> None:
    assert browser.get(page_node, "/login").status_code == 200
    response = browser.post(post_node, "/login", {"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 303, response.text[:500]
    home = browser.get(page_node, "/")
    assert home.status_code == 200


def _scalar(engine, statement: str, **values):
    with engine.connect() as connection:
        return connection.execute(sa.text(statement), values).scalar()


def _column(engine, statement: str, **values) -> list:
    with engine.connect() as connection:
        return list(connection.execute(sa.text(statement), values).scalars())


def test_the_coordinators_and_the_trainers_journeys_alternate_between_two_nodes(cluster):
    (a, b), seeded, engine = cluster
    today = date.today().isoformat()

    # The coordinator signs in on A and schedules a one-day session on B.
    coordinator = Browser()
    _sign_in(coordinator, a, b, seeded["coordinator"])
    assert coordinator.get(a, "/sessions/new").status_code == 200
    created = coordinator.post(
        b,
        "/sessions/new",
        {
            "theme": seeded["theme"],
            "curriculum_id": seeded["curriculum_id"],
            "code": "NE-NODES-001",
            "kind": "training",
            "start_date": today,
            "end_date": today,
            "city": "Niamey",
            "country": "NE",
            "language": "fr",
            "capacity": "10",
            "screening_required": "y",
            "send_notifications": "y",
        },
    )
    assert created.status_code == 303, created.text[:1000]
    session_path = created.headers["Location"]
    session_id = int(session_path.rstrip("/").rsplit("/", 1)[-1])
    assert "NE-NODES-001" in coordinator.get(a, session_path).text

    # The trainer assigned on A; the assignment's mail is in the shared outbox.
    assigned = coordinator.post(
        a, f"/sessions/{session_id}/trainers", {"trainer_id": seeded["trainer_id"], "role": "lead"}
    )
    assert assigned.status_code == 303
    assert _scalar(engine, "SELECT count(*) FROM outbox_message") >= 1

    # Nominated on B and on A, confirmed on A and on B.
    enrollments = f"/sessions/{session_id}/enrollments"
    for node, participant_id in zip((b, a), seeded["participant_ids"], strict=True):
        coordinator.get(node, enrollments)
        nominated = coordinator.post(
            node, f"{enrollments}/nominate", {"participant_id": participant_id}
        )
        assert nominated.status_code == 303
    enrollment_ids = _column(
        engine,
        "SELECT id FROM enrollment WHERE session_id = :sid ORDER BY id",
        sid=session_id,
    )
    for node, enrollment_id in zip((a, b), enrollment_ids, strict=True):
        confirmed = coordinator.post(node, f"{enrollments}/{enrollment_id}/confirm")
        assert confirmed.status_code == 303
    page = coordinator.get(a, enrollments).text
    assert page.count("Confirmed") >= 2

    # A staged import: the file checked on B, its preview read on A, imported on B.
    template = coordinator.get(a, f"/sessions/{session_id}/import/template.csv")
    assert template.status_code == 200
    rows = template.content + b"Salamatou,Nodes,F,Niger,,,,,\r\n"
    coordinator.get(b, f"/sessions/{session_id}/import")
    uploaded = coordinator.post(
        b,
        f"/sessions/{session_id}/import",
        files={"file": ("nominees.csv", io.BytesIO(rows), "text/csv")},
    )
    assert uploaded.status_code == 303, uploaded.text[:1000]
    preview = coordinator.get(a, f"/sessions/{session_id}/import/preview")
    assert preview.status_code == 200 and "NODES" in preview.text.upper()
    imported = coordinator.post(b, f"/sessions/{session_id}/import/confirm")
    assert imported.status_code == 303, imported.text[:1000]
    assert (
        _scalar(engine, "SELECT count(*) FROM enrollment WHERE session_id = :sid", sid=session_id)
        == 3
    )

    # Under way: open on A, in progress on B.
    for node, status in ((a, "open"), (b, "in_progress")):
        coordinator.get(node, session_path)
        changed = coordinator.post(node, f"/sessions/{session_id}/status", {"status": status})
        assert changed.status_code == 303

    # The trainer signs in on B, saves the day on A, reads it back on B.
    trainer = Browser()
    _sign_in(trainer, b, b, seeded["trainer"])
    day = f"/sessions/{session_id}/attendance/{today}"
    assert trainer.get(b, day).status_code == 200
    grid = {}
    for enrollment_id in enrollment_ids:
        for period in ("am", "pm"):
            grid[f"status-{enrollment_id}-{period}"] = "present"
            grid[f"version-{enrollment_id}-{period}"] = "0"
    saved = trainer.post(a, day, grid)
    assert saved.status_code == 303, saved.text[:1000]
    reread = trainer.get(b, day)
    assert reread.status_code == 200
    assert len(re.findall(r'value="present" autocomplete="off"\s+checked', reread.text)) == 4
    assert (
        _scalar(
            engine,
            "SELECT count(*) FROM attendance_record WHERE status = 'present' AND enrollment_id IN "
            "(SELECT id FROM enrollment WHERE session_id = :sid)",
            sid=session_id,
        )
        == 4
    )

    # Completed (the checklist read on A, answered on B), issued on A.
    checklist = coordinator.get(a, f"/sessions/{session_id}/complete")
    assert checklist.status_code == 200
    tokens = sorted(set(_tokens(checklist.text)))
    completed = coordinator.post(
        b, f"/sessions/{session_id}/complete", {"acknowledged": tokens} if tokens else {}
    )
    assert completed.status_code == 303, completed.text[:1000]
    coordinator.get(a, f"/sessions/{session_id}/certificates")
    issued = coordinator.post(a, f"/sessions/{session_id}/certificates/issue")
    assert issued.status_code == 303, issued.text[:1000]
    # Issued by a job (asked on A, its progress read on B).
    issuing = issued.headers["Location"]
    deadline = time.monotonic() + 60
    while not coordinator.get(b, f"{issuing}.json").json()["finished"]:
        assert time.monotonic() < deadline, "the issuing job did not finish"
        time.sleep(0.2)
    assert coordinator.get(b, f"{issuing}.json").json()["status"] == "done"
    serials = _column(
        engine,
        "SELECT serial FROM certificate WHERE enrollment_id IN "
        "(SELECT id FROM enrollment WHERE session_id = :sid) ORDER BY serial",
        sid=session_id,
    )
    assert len(serials) == 2

    # The certificate, signed on A, printed on B.
    document = coordinator.get(b, f"/certificates/{serials[0]}.pdf")
    assert document.status_code == 200
    assert document.headers["Content-Type"] == "application/pdf"

    # Signed documents are the same bytes from either node.
    trust_a = Browser().get(a, "/verify/trust-list.json")
    trust_b = Browser().get(b, "/verify/trust-list.json")
    assert trust_a.status_code == trust_b.status_code == 200
    assert trust_a.content == trust_b.content
    assert trust_a.headers["ETag"] == trust_b.headers["ETag"]
    status_a = Browser().get(a, "/verify/status.json")
    assert status_a.content == Browser().get(b, "/verify/status.json").content

    # The participant workbook: asked for on B, written by a job, its
    # progress read on A, its file downloaded from B; the CSV streamed by A.
    coordinator.get(b, "/reports/export-participants.xlsx")
    asked = coordinator.post(b, "/reports/export-participants.xlsx")
    assert asked.status_code == 303, asked.text[:1000]
    job_path = asked.headers["Location"]
    deadline = time.monotonic() + 30
    while not coordinator.get(a, f"{job_path}.json").json()["finished"]:
        assert time.monotonic() < deadline, "the export job did not finish"
        time.sleep(0.2)
    assert "The file is ready." in coordinator.get(a, job_path).text
    workbook = coordinator.get(b, f"{job_path}/result")
    assert workbook.status_code == 200 and workbook.content.startswith(b"PK")
    rows = coordinator.get(a, "/reports/export-participants.csv").text.splitlines()
    assert len(rows) == 1 + 2  # the header, and the two confirmed participants

    # Sign-out on A ends the session on B too, for a copy of the cookie.
    copied = coordinator.http.cookies.copy()
    coordinator.post(a, "/logout")
    replay = Browser()
    replay.http.cookies.update(copied)
    assert replay.get(b, "/").status_code == 302

    assert coordinator.nodes_used() == trainer.nodes_used() == {"A", "B"}


def _tokens(page: str) -> list[str]:
    return re.findall(r'name="acknowledged"[^>]*value="([^"]+)"', page) + re.findall(
        r'value="([^"]+)"[^>]*name="acknowledged"', page
    )


def test_a_rate_limit_is_counted_across_both_nodes(cluster):
    """The verify page's limit lives in Redis: requests spread over the two
    nodes are counted together, and the next one is refused on either."""
    (a, b), _seeded, _engine = cluster
    visitor = Browser()
    answers = [
        visitor.get((a, b)[turn % 2], "/verify").status_code for turn in range(VERIFY_LIMIT + 2)
    ]
    assert 429 not in answers[:VERIFY_LIMIT], answers
    assert answers[VERIFY_LIMIT:] == [429, 429], answers
