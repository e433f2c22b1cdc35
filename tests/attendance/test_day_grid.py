"""The day grid's half-day view and participant search (issue 14), which
work without JavaScript (the page's script does the same in place), and the
texts the script shows, given by the page in its language."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa

from tests import factories
from tests.attendance.conftest import START
from training.attendance.models import AttendanceRecord, AttendanceStatus
from training.extensions import db
from training.sessions.models import Period

DAY = START.isoformat()


def url(workshop, **query) -> str:
    arguments = "&".join(f"{name}={value}" for name, value in query.items())
    return f"/sessions/{workshop.id}/attendance/{DAY}" + (f"?{arguments}" if arguments else "")


def status_fields(html: str) -> set[str]:
    return set(re.findall(r'name="(status-\d+-(?:am|pm))"', html))


def test_the_morning_view_shows_and_saves_only_the_morning(client, login_as, workshop):
    login_as(workshop.trainer_user)
    first = workshop.enrollments[0]
    # Someone recorded an afternoon meanwhile: a morning roll call leaves it.
    factories.mark(first, START, Period.PM, AttendanceStatus.EXCUSED)
    db.session.commit()
    page = client.get(url(workshop, half="am")).text
    fields = status_fields(page)
    assert fields == {f"status-{e.id}-am" for e in workshop.enrollments}
    assert 'data-fill="pm"' not in page and 'data-fill="am"' in page
    assert 'aria-current="page">Morning</a>' in page

    data = {f"status-{e.id}-am": "present" for e in workshop.enrollments}
    data.update({f"version-{e.id}-am": "0" for e in workshop.enrollments})
    response = client.post(url(workshop, half="am"), data=data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("?half=am")
    records = {
        (r.enrollment_id, r.period): r.status
        for r in db.session.scalars(sa.select(AttendanceRecord))
    }
    assert records[(first.id, Period.PM)] == AttendanceStatus.EXCUSED
    assert sum(period == Period.AM for _e, period in records) == 3
    followed = client.get(response.headers["Location"]).text
    assert "Someone else changed" not in followed


def test_an_unknown_half_day_shows_the_whole_grid(client, login_as, workshop):
    login_as(workshop.trainer_user)
    fields = status_fields(client.get(url(workshop, half="evening")).text)
    assert len(fields) == 2 * len(workshop.enrollments)


def test_the_search_finds_a_participant_by_name_without_accents_or_by_number(
    client, login_as, workshop
):
    login_as(workshop.trainer_user)
    traore = next(e for e in workshop.enrollments if e.participant.family_name == "Traoré")
    page = client.get(url(workshop, q="aicha TRAORE")).text
    assert status_fields(page) == {f"status-{traore.id}-am", f"status-{traore.id}-pm"}
    # The row keeps its number on the whole roster (Ba, Traoré, Zongo).
    assert '<span class="att-num">2.</span>' in page
    assert "1 of 3 participants matches “aicha TRAORE”." in page
    assert "Show everyone" in page

    page = client.get(url(workshop, q="3")).text
    zongo = workshop.enrollments[2]
    assert status_fields(page) == {f"status-{zongo.id}-am", f"status-{zongo.id}-pm"}

    page = client.get(url(workshop, q="nobody")).text
    assert status_fields(page) == set()
    assert "0 of 3 participants match “nobody”." in page


def test_a_search_saves_only_the_rows_found(client, login_as, workshop):
    login_as(workshop.trainer_user)
    zongo = workshop.enrollments[2]
    data = {f"status-{zongo.id}-am": "late", f"version-{zongo.id}-am": "0"}
    response = client.post(url(workshop, q="zongo", half="pm"), data=data)
    assert response.status_code == 303
    assert "q=zongo" in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceRecord)) == 1


def test_the_search_text_is_shown_escaped(client, login_as, workshop):
    login_as(workshop.trainer_user)
    page = client.get(url(workshop, q="<script>x</script>")).text
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page


def scripts_texts(html: str, element_id: str) -> dict:
    found = re.search(
        rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S
    )
    assert found, element_id
    return json.loads(found.group(1))


def test_the_scripts_texts_come_in_the_pages_language(client, login_as, workshop):
    login_as(workshop.trainer_user, locale="fr")
    workshop.trainer_user.locale = "fr"
    db.session.commit()
    page = client.get(url(workshop)).text
    grid = scripts_texts(page, "attendance-strings")
    assert grid["statuses"] == {
        "present": "Présent",
        "late": "En retard",
        "excused": "Excusé",
        "absent": "Absent",
    }
    assert grid["periods"] == {"am": "Matin", "pm": "Après-midi"}
    outbox = scripts_texts(page, "outbox-strings")
    assert outbox["waiting"]["one"] != outbox["waiting"]["other"]
    assert "{count}" in outbox["waiting"]["other"]
    english = {"Keep mine", "Keep theirs", "Sign in again", "Everything is saved."}
    texts = {value for value in {**grid, **outbox}.values() if isinstance(value, str)}
    assert not texts & english
    # The pages the phone keeps for this session, listed for the script.
    pages = scripts_texts(page, "offline-pages")
    assert url(workshop) in pages
    assert f"/sessions/{workshop.id}/attendance" in pages
    assert f"/sessions/{workshop.id}/scores" in pages
