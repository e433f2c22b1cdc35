"""What the server does for the pages kept on the phone (issue 14): the
service worker at /sw.js, served by Atelier from its own files; the header
that says which pages it may keep, for whom; its own requests, which leave
the flash messages alone; the offline page; and JSON refusals for scripts."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests import factories
from training.extensions import db
from training.web.offline import OFFLINE_HEADER, PREFETCH_HEADER

STATIC = Path(__file__).resolve().parents[2] / "training" / "static"


def test_the_service_worker_is_served_to_anyone_from_ateliers_own_files(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "no-cache" in response.headers["Cache-Control"] or (
        response.headers["Cache-Control"] == "no-store"
    )
    script = response.text
    imported = re.findall(r'"(/static/[^"?]+)\?v=[0-9a-f]{16}"', script)
    assert "/static/vendor/workbox/workbox-sw.js" in imported
    assert "/static/vendor/idb/umd.js" in imported
    assert "/static/js/service-worker.js" in imported
    assert "/static/vendor/workbox/workbox-strategies.prod.js" in imported
    for path in imported:
        assert (STATIC / path.removeprefix("/static/")).is_file(), path
    # Nothing from the internet: Workbox's loader would fetch its modules from
    # Google's CDN unless told where they are; it is told, module by module.
    assert "https://" not in script
    worker = (STATIC / "js" / "service-worker.js").read_text()
    assert "modulePathCb: (name) => config.workboxModules[name]" in worker
    for module in ("core", "routing", "strategies", "expiration", "cacheable-response"):
        assert f'"workbox-{module}": "/static/vendor/workbox/workbox-{module}.prod.js?v=' in script


def test_the_vendored_libraries_carry_their_licences_and_versions():
    readme = (STATIC / "vendor" / "README.md").read_text()
    for folder, licence in (("workbox", "MIT"), ("idb", "ISC")):
        assert (STATIC / "vendor" / folder / "LICENSE").read_text().strip()
        assert licence in readme
    assert "7.4.1" in readme and "8.0.4" in readme


@pytest.mark.parametrize("role", ["trainer", "coordinator"])
def test_pages_for_use_without_network_say_for_whom(client, login_as, role):
    training_session = factories.make_session(start_date=date.today())
    user = login_as(role)
    if role == "trainer":
        factories.assign(user.trainer, training_session)
        db.session.commit()
    session_id = training_session.id
    kept = [
        "/",
        f"/sessions/{session_id}/attendance",
        f"/sessions/{session_id}/attendance/{date.today().isoformat()}",
        f"/sessions/{session_id}/scores",
        "/offline",
    ]
    for url in kept:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers[OFFLINE_HEADER] == str(user.id), url
    for url in (f"/sessions/{session_id}", "/account", f"/sessions/{session_id}/sign-in-sheet.pdf"):
        assert OFFLINE_HEADER not in client.get(url).headers, url


def test_a_refused_or_posted_page_is_not_kept(client, login_as):
    login_as("trainer")
    other = factories.make_session(start_date=date.today())
    db.session.commit()
    response = client.get(f"/sessions/{other.id}/attendance")
    assert response.status_code == 403 and OFFLINE_HEADER not in response.headers
    assert OFFLINE_HEADER not in client.get("/login").headers


def test_the_workers_own_requests_leave_the_flash_messages_for_the_next_page(client, login_as):
    user = login_as("trainer")
    client.post("/account/sessions/end-others")  # flashes "0 other sessions signed out."
    kept = client.get("/", headers={PREFETCH_HEADER: "1"})
    assert kept.headers[OFFLINE_HEADER] == str(user.id)
    assert "other sessions signed out" not in kept.text
    assert "other sessions signed out" in client.get("/").text


def test_the_trainers_home_lists_the_pages_of_current_and_coming_sessions(client, login_as):
    today = date.today()
    user = login_as("trainer")
    current = factories.make_session(start_date=today - timedelta(days=1))
    coming = factories.make_session(start_date=today + timedelta(days=10))
    past = factories.make_session(start_date=today - timedelta(days=30))
    for training_session in (current, coming, past):
        factories.assign(user.trainer, training_session)
    db.session.commit()
    page = client.get("/").text
    listed = json.loads(
        re.search(r'<script type="application/json" id="offline-pages">(.*?)</script>', page).group(
            1
        )
    )
    for training_session in (current, coming):
        for day in training_session.days:
            assert f"/sessions/{training_session.id}/attendance/{day.isoformat()}" in listed
        assert f"/sessions/{training_session.id}/attendance" in listed
        assert f"/sessions/{training_session.id}/scores" in listed
    assert not [url for url in listed if url.startswith(f"/sessions/{past.id}/")]


@pytest.mark.parametrize("role", ["admin", "coordinator", "trainer", "participant"])
def test_every_signed_in_user_has_the_offline_page(client, login_as, role):
    login_as(role)
    response = client.get("/offline")
    assert response.status_code == 200
    assert "No network" in response.text


def test_the_offline_page_needs_a_sign_in(client):
    response = client.get("/offline")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_outbox_runs_only_for_users_who_record_attendance(client, login_as):
    login_as("participant")
    page = client.get("/").text
    assert "js/outbox.js" not in page and 'id="outbox-strings"' not in page
    assert "js/offline.js" in page  # the worker still keeps (and forgets) their pages


def test_scripts_are_refused_in_json(client, login_as):
    """A page's script reads a refusal; a browser opening a page gets the page."""
    asked = {"Accept": "application/json"}
    anonymous = client.get("/sessions/1/attendance/sync", headers=asked)
    assert anonymous.status_code == 401 and anonymous.json["error"] == "signed_out"
    assert client.get("/sessions").status_code == 302  # a page: the sign-in page
    login_as("participant")
    refused = client.get("/sessions/1/attendance/sync", headers=asked)
    assert refused.status_code == 403 and refused.json["error"] == "forbidden"
    missing = client.get("/nothing-here", headers=asked)
    assert missing.status_code == 404 and missing.json["message"]
    assert "<html" in client.get("/nothing-here").text
