"""An alert's "and N more" on the home page leads to its whole list, a page
at a time."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests import factories
from training.alerts import ALERT_LIMIT
from training.extensions import db
from training.home import context
from training.models import EnrollmentStatus

ALERTS = (
    "sessions_without_lead",
    "nominees_awaiting_screening",
    "days_without_attendance",
    "certificates_to_issue",
)


@pytest.fixture
def many_without_lead(app):
    today = date.today()
    sessions = [
        factories.make_session(start_date=today + timedelta(days=10 + n), code=f"NOLEAD-{n:02d}")
        for n in range(ALERT_LIMIT + 4)
    ]
    db.session.commit()
    return sessions


def test_and_n_more_links_to_the_full_list(client, login_as, many_without_lead):
    login_as("coordinator", locale="fr")
    page = client.get("/").text
    link = re.search(r'<a href="(/alerts/sessions_without_lead)">et 4 autres</a>', page)
    assert link, "the « et 4 autres » line is a link"
    full = client.get(link.group(1))
    assert full.status_code == 200
    assert "<h1>Sessions sans formateur principal" in full.text
    for training_session in many_without_lead:
        assert training_session.code in full.text
    assert "et 4 autres" not in full.text and 'aria-label="Pages"' not in full.text


def test_no_link_when_the_home_page_shows_everything(client, login_as, work):
    login_as("coordinator")
    assert "/alerts/" not in client.get("/").text


def test_a_long_list_comes_a_page_at_a_time(client, login_as, many_without_lead, monkeypatch):
    monkeypatch.setattr(context, "ALERT_PAGE_SIZE", 5)
    login_as("coordinator")
    codes = [s.code for s in many_without_lead]
    seen: list[str] = []
    for page in (1, 2, 3):
        text = client.get(f"/alerts/sessions_without_lead?page={page}").text
        assert f"Page {page} of 3" in text
        assert ('rel="prev"' in text) == (page > 1)
        assert ('rel="next"' in text) == (page < 3)
        seen += [code for code in codes if code in text]
    assert seen == codes, "each item once, in order, over the pages"
    assert client.get("/alerts/sessions_without_lead?page=4").status_code == 404
    assert client.get("/alerts/sessions_without_lead?page=99999999999999999999").status_code == 404
    junk = client.get("/alerts/sessions_without_lead?page=abc")
    assert junk.status_code == 200 and "Page 1 of 3" in junk.text


def test_each_alert_lists_past_the_home_pages_limit(client, login_as):
    today = date.today()
    screened = factories.make_session(start_date=today + timedelta(days=15), code="SCREEN-ME")
    factories.assign(factories.make_trainer(), screened)
    nominees = [
        factories.make_participant(cleared=False, family_name=f"Nominee{n:02d}")
        for n in range(ALERT_LIMIT + 2)
    ]
    for participant in nominees:
        factories.enroll(participant, screened, status=EnrollmentStatus.NOMINATED)
    db.session.commit()
    login_as("coordinator")
    home = client.get("/").text
    assert '<a href="/alerts/nominees_awaiting_screening">and 2 more</a>' in home
    full = client.get("/alerts/nominees_awaiting_screening").text
    assert all(p.family_name in full for p in nominees)


def test_every_alert_has_its_full_list(client, login_as, work):
    login_as("coordinator")
    expected = {
        "sessions_without_lead": "UP-NO-LEAD",
        "nominees_awaiting_screening": "Unscreened",
        "days_without_attendance": "RUNNING",
        "certificates_to_issue": "1 eligible participant without a certificate",
    }
    for name in ALERTS:
        response = client.get(f"/alerts/{name}")
        assert response.status_code == 200, name
        assert expected[name] in response.text, name


def test_an_unknown_alert_is_not_found(client, login_as):
    login_as("coordinator")
    assert client.get("/alerts/nothing").status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("coordinator", 200), ("trainer", 403), ("participant", 403)],
)
@pytest.mark.parametrize("name", ALERTS)
def test_the_full_lists_are_for_coordinators(client, login_as, role, status, name):
    login_as(role)
    assert client.get(f"/alerts/{name}").status_code == status


def test_an_anonymous_visitor_signs_in_first(client):
    response = client.get("/alerts/sessions_without_lead")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
