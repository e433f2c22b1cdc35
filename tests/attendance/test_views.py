"""The attendance pages: permissions for every role, the day grid, the
overview, scores and the sign-in sheet."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests import factories
from tests.attendance.conftest import START
from training.attendance import services
from training.attendance.models import AttendanceDayLock, AttendanceRecord, AttendanceStatus
from training.audit.models import AuditEvent
from training.extensions import db
from training.sessions.models import Period

DAY = START.isoformat()


def grid_data(enrollments, status="present", periods=("am", "pm"), versions=None):
    data = {}
    for enrollment in enrollments:
        for period in periods:
            data[f"status-{enrollment.id}-{period}"] = status
            data[f"version-{enrollment.id}-{period}"] = str(
                (versions or {}).get((enrollment.id, Period(period)), 0)
            )
    return data


def record_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceRecord))


def complete_day(workshop, day=START):
    services.save_day(
        workshop.training_session,
        day,
        [
            services.DayEntry(e.id, p, AttendanceStatus.PRESENT)
            for e in workshop.enrollments
            for p in Period
        ],
        actor=workshop.trainer_user,
        loaded_versions={},
    )
    db.session.commit()


# --- Permissions: every route, every role, GET and POST --------------------

ROLES = ["admin", "coordinator", "own_trainer", "other_trainer", "participant", "anonymous"]
ALLOWED = {"admin", "coordinator", "own_trainer"}


def sign_in_as(role, workshop, login_as):
    if role == "anonymous":
        return None
    if role == "own_trainer":
        return login_as(workshop.trainer_user)
    if role == "other_trainer":
        return login_as("trainer")
    return login_as(role)


ROUTES = [
    ("GET", "/sessions/{id}/attendance", 200),
    ("GET", "/sessions/{id}/attendance/" + DAY, 200),
    ("POST", "/sessions/{id}/attendance/" + DAY, 303),
    ("POST", "/sessions/{id}/attendance/" + DAY + "/close", 303),
    ("GET", "/sessions/{id}/scores", 200),
    ("POST", "/sessions/{id}/scores", 303),
    ("GET", "/sessions/{id}/sign-in-sheet.pdf", 200),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "success"), ROUTES)
def test_only_the_sessions_trainers_and_coordinators_reach_attendance(
    client, login_as, workshop, role, method, path, success
):
    if path.endswith("/close"):
        complete_day(workshop)
    sign_in_as(role, workshop, login_as)
    url = path.format(id=workshop.id)
    data = grid_data(workshop.enrollments, "late") if "attendance/" in path else {}
    records_before = record_count()
    response = client.open(url, method=method, data=data if method == "POST" else None)
    if role == "anonymous":
        assert response.status_code == (302 if method == "GET" else 303)
        assert "/login" in response.headers["Location"]
    elif role in ALLOWED:
        assert response.status_code == success, response.text[:500]
    else:
        assert response.status_code == 403
    if role not in ALLOWED:
        assert record_count() == records_before
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceDayLock)) == 0


def test_a_trainer_cannot_post_another_sessions_enrollment(client, login_as, workshop):
    other_session = factories.make_session(start_date=START)
    stranger = factories.enroll(training_session=other_session)
    db.session.commit()
    login_as(workshop.trainer_user)
    data = grid_data(workshop.enrollments)
    data.update(grid_data([stranger], "absent"))
    response = client.post(f"/sessions/{workshop.id}/attendance/{DAY}", data=data)
    assert response.status_code == 400
    assert "confirmed in this session" in response.text
    assert record_count() == 0
    # Nor open that session's pages.
    assert client.get(f"/sessions/{other_session.id}/attendance/{DAY}").status_code == 403
    assert (
        client.post(
            f"/sessions/{other_session.id}/attendance/{DAY}", data=grid_data([stranger])
        ).status_code
        == 403
    )
    assert record_count() == 0


def test_posts_need_a_csrf_token(app, client, login_as, workshop):
    login_as(workshop.trainer_user)
    app.config["WTF_CSRF_ENABLED"] = True
    for url in (
        f"/sessions/{workshop.id}/attendance/{DAY}",
        f"/sessions/{workshop.id}/attendance/{DAY}/close",
        f"/sessions/{workshop.id}/scores",
    ):
        assert client.post(url, data=grid_data(workshop.enrollments)).status_code == 400
    app.config["WTF_CSRF_ENABLED"] = False
    assert record_count() == 0


# --- The day grid ----------------------------------------------------------


def test_the_grid_lists_confirmed_participants_in_family_name_order(client, login_as, workshop):
    login_as(workshop.trainer_user)
    page = client.get(f"/sessions/{workshop.id}/attendance/{DAY}").text
    positions = [page.index(name) for name in ("BA", "TRAORÉ", "ZONGO")]
    assert positions == sorted(positions)
    assert "NOMINÉ" not in page
    assert workshop.enrollments[0].participant.organisation.acronym in page
    assert 'class="btn-check"' in page and "Everyone present" in page


def test_saving_the_day_and_reporting_it(client, login_as, workshop):
    login_as(workshop.trainer_user)
    response = client.post(
        f"/sessions/{workshop.id}/attendance/{DAY}",
        data=grid_data(workshop.enrollments),
        follow_redirects=True,
    )
    assert "6 new, 0 changed" in response.text
    assert record_count() == 6


def test_everyone_present_without_javascript_prefills_and_saves_nothing(client, login_as, workshop):
    login_as(workshop.trainer_user)
    response = client.post(f"/sessions/{workshop.id}/attendance/{DAY}", data={"fill": "pm"})
    assert response.status_code == 200
    for enrollment in workshop.enrollments:
        assert checked(response.text, f"status-{enrollment.id}-pm-present")
        assert not checked(response.text, f"status-{enrollment.id}-am-present")
    assert record_count() == 0


def checked(page: str, input_id: str) -> bool:
    return re.search(rf'id="{input_id}"[^>]*\bchecked\b', page) is not None


@pytest.mark.parametrize(
    "bad",
    [{"status-{id}-am": "asleep"}, {"status-{id}-noon": "present"}, {"version-{id}-am": "x"}],
    ids=["unknown status", "unknown period", "bad version"],
)
def test_bad_cells_are_refused_and_nothing_is_saved(client, login_as, workshop, bad):
    login_as(workshop.trainer_user)
    data = grid_data(workshop.enrollments)
    first = workshop.enrollments[0].id
    data.update({key.format(id=first): value for key, value in bad.items()})
    response = client.post(f"/sessions/{workshop.id}/attendance/{DAY}", data=data)
    assert response.status_code == 400
    assert record_count() == 0


@pytest.mark.parametrize("day", ["2026-02-30", "tomorrow", "2026-3-2", "20260302"])
def test_a_malformed_date_is_not_found(client, login_as, workshop, day):
    login_as(workshop.trainer_user)
    assert client.get(f"/sessions/{workshop.id}/attendance/{day}").status_code == 404
    assert client.get(f"/sessions/{workshop.id}/sign-in-sheet.pdf?date={day}").status_code == 404


def test_a_date_outside_the_session_is_refused_with_a_message(client, login_as, workshop):
    login_as(workshop.trainer_user)
    outside = (START + timedelta(days=7)).isoformat()
    response = client.get(f"/sessions/{workshop.id}/attendance/{outside}")
    assert response.status_code == 404 and "is not a day of session" in response.text
    response = client.post(
        f"/sessions/{workshop.id}/attendance/{outside}", data=grid_data(workshop.enrollments)
    )
    assert response.status_code == 404 and record_count() == 0
    assert (
        client.get(f"/sessions/{workshop.id}/sign-in-sheet.pdf?date={outside}").status_code == 404
    )


def test_the_trainer_is_told_which_cells_changed_under_them(client, login_as, workshop):
    complete_day(workshop)
    loaded = {
        key: r.version for key, r in services.day_records(workshop.training_session, START).items()
    }
    ba = workshop.enrollments[0]
    services.save_day(
        workshop.training_session,
        START,
        [services.DayEntry(ba.id, Period.AM, AttendanceStatus.EXCUSED)],
        actor=workshop.trainer_user,
        loaded_versions=loaded,
    )
    db.session.commit()
    login_as(workshop.trainer_user)
    data = grid_data(workshop.enrollments, versions=loaded)
    data[f"status-{ba.id}-am"] = "absent"
    response = client.post(
        f"/sessions/{workshop.id}/attendance/{DAY}", data=data, follow_redirects=True
    )
    assert "Someone else changed these cells" in response.text
    assert f"{ba.participant.full_name}, Morning: was Excused" in response.text


def test_closing_a_day_makes_it_read_only_for_trainers(client, login_as, workshop):
    login_as(workshop.trainer_user)
    url = f"/sessions/{workshop.id}/attendance/{DAY}"
    assert client.post(url + "/close").status_code == 409  # nothing recorded yet
    complete_day(workshop)
    assert client.get(url).text.count("Close the day") == 1
    assert client.post(url + "/close").status_code == 303
    page = client.get(url).text
    assert "read-only" in page and "Save the day" not in page and "disabled" in page
    response = client.post(url, data=grid_data(workshop.enrollments, "absent"))
    assert response.status_code == 403 and "only a coordinator" in response.text
    db.session.expire_all()
    assert {r.status for r in db.session.scalars(sa.select(AttendanceRecord))} == {
        AttendanceStatus.PRESENT
    }


def test_a_coordinator_corrects_a_closed_day_with_a_reason(client, login_as, workshop):
    complete_day(workshop)
    services.close_day(workshop.training_session, START, actor=workshop.trainer_user)
    db.session.commit()
    loaded = {
        key: r.version for key, r in services.day_records(workshop.training_session, START).items()
    }
    coordinator = login_as("coordinator")
    url = f"/sessions/{workshop.id}/attendance/{DAY}"
    assert "Reason for the correction" in client.get(url).text
    ba = workshop.enrollments[0]
    data = grid_data([ba], "absent", periods=("am",), versions=loaded)
    assert client.post(url, data=data).status_code == 400
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "attendance.changed")
        )
        == 0
    )
    data["reason"] = "The signed sheet shows no signature"
    assert client.post(url, data=data).status_code == 303
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "attendance.changed")
    )
    assert (
        event.actor_id == coordinator.id and event.reason == "The signed sheet shows no signature"
    )


# --- Overview ----------------------------------------------------------------


def test_overview_shows_rates_the_minimum_and_counts_by_sex(client, login_as, workshop):
    for day in workshop.training_session.days:
        complete_day(workshop, day)
    login_as(workshop.trainer_user)
    page = client.get(f"/sessions/{workshop.id}/attendance").text
    assert page.count("100%") >= 3 and "below minimum" not in page.split("<tbody>")[1]
    assert "Female" in page and "Male" in page
    assert 'title="' in page and "Legend:" in page


def test_overview_runs_a_fixed_number_of_queries(client, login_as, workshop, count_queries):
    login_as(workshop.trainer_user)
    url = f"/sessions/{workshop.id}/attendance"

    def statements() -> int:
        with count_queries() as run:
            assert client.get(url).status_code == 200
        return len(run)

    complete_day(workshop)
    few = statements()
    for _ in range(6):
        enrollment = factories.enroll(factories.make_participant(), workshop.training_session)
        factories.mark_all(enrollment)
    db.session.commit()
    assert statements() == few


# --- Scores --------------------------------------------------------------------


def test_scores_are_entered_for_the_whole_session(client, login_as, workshop):
    login_as(workshop.trainer_user)
    ba, traore, zongo = workshop.enrollments
    url = f"/sessions/{workshop.id}/scores"
    data = {
        f"pre-{ba.id}": "40",
        f"post-{ba.id}": "70",
        f"pre-{traore.id}": "",
        f"post-{traore.id}": "90",
        f"pre-{zongo.id}": "55",
        f"post-{zongo.id}": "65",
    }
    assert client.post(url, data=data).status_code == 303
    page = client.get(url).text
    assert "+30" in page and "+20" in page  # ba's gain and the average of 30 and 10
    assert "Pass mark of the post-test: 60 / 100." in page
    db.session.expire_all()
    assert (traore.pre_test_score, traore.post_test_score) == (None, 90)


@pytest.mark.parametrize("value", ["101", "-1", "abc", "12.5"])
def test_bad_scores_are_refused_and_nothing_is_saved(client, login_as, workshop, value):
    login_as(workshop.trainer_user)
    ba, traore, _zongo = workshop.enrollments
    response = client.post(
        f"/sessions/{workshop.id}/scores", data={f"pre-{ba.id}": "50", f"post-{traore.id}": value}
    )
    assert response.status_code == 400
    assert "is-invalid" in response.text
    db.session.expire_all()
    assert ba.pre_test_score is None


def test_scores_of_another_sessions_enrollment_are_refused(client, login_as, workshop):
    stranger = factories.enroll(training_session=factories.make_session())
    db.session.commit()
    login_as(workshop.trainer_user)
    response = client.post(f"/sessions/{workshop.id}/scores", data={f"pre-{stranger.id}": "50"})
    assert response.status_code == 400
    db.session.expire_all()
    assert stranger.pre_test_score is None


# --- Sign-in sheet --------------------------------------------------------------


def test_the_sign_in_sheet_is_a_private_inline_pdf(client, login_as, workshop):
    login_as(workshop.trainer_user)
    response = client.get(f"/sessions/{workshop.id}/sign-in-sheet.pdf?date={DAY}")
    assert response.mimetype == "application/pdf"
    assert (
        response.headers["Content-Disposition"]
        == f'inline; filename="sign-in-NE-2026-CT-01-{DAY}.pdf"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.data)).pages)
    assert "TRAORÉ Aïcha" in text and "Lundi 2 mars 2026" in text
    assert "NE-2026-CT-01 · 2026-03-02" in text


def test_the_whole_sessions_sheet_has_a_page_per_day(client, login_as, workshop):
    login_as(workshop.trainer_user)
    response = client.get(f"/sessions/{workshop.id}/sign-in-sheet.pdf?lang=en")
    reader = PdfReader(BytesIO(response.data))
    assert len(reader.pages) == 3
    assert "Wednesday, 4 March 2026" in reader.pages[2].extract_text()
    assert client.get(f"/sessions/{workshop.id}/sign-in-sheet.pdf?lang=xx").status_code == 400


# --- Home --------------------------------------------------------------------------


def test_the_trainer_home_links_the_days_and_pages(client, login_as, workshop):
    login_as(workshop.trainer_user)
    page = client.get("/").text
    assert workshop.training_session.code in page
    assert f"/sessions/{workshop.id}/attendance/{DAY}" in page
    assert (
        f"/sessions/{workshop.id}/scores" in page
        and f"/sessions/{workshop.id}/sign-in-sheet.pdf" in page
    )


# --- The day's history under the grid ----------------------------------------


def _save_again_and_again(workshop, times: int) -> int:
    """The day saved `times` times, every cell changed each time; the
    number of history events it made."""
    statuses = [AttendanceStatus.PRESENT, AttendanceStatus.ABSENT]
    for number in range(times):
        versions = {
            key: r.version
            for key, r in services.day_records(workshop.training_session, START).items()
        }
        services.save_day(
            workshop.training_session,
            START,
            [
                services.DayEntry(e.id, p, statuses[number % 2])
                for e in workshop.enrollments
                for p in Period
            ],
            actor=workshop.trainer_user,
            loaded_versions=versions,
        )
        db.session.commit()
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "attendance.changed")
    )


@pytest.mark.parametrize("role", ["coordinator", "own_trainer"])
def test_the_day_shows_its_newest_changes_and_links_to_the_whole_history(
    client, login_as, workshop, role
):
    made = _save_again_and_again(workshop, 12)
    assert made > 30
    sign_in_as(role, workshop, login_as)
    page = client.get(f"/sessions/{workshop.id}/attendance/{DAY}").get_data(as_text=True)
    history = page[page.index('id="day-history"') :]
    assert history.count('<tr class="align-top">') == 30
    whole = f"/sessions/{workshop.id}/attendance/{DAY}?history=all#day-history"
    assert f'href="{whole}"' in history and "Show the whole history" in history

    page = client.get(f"/sessions/{workshop.id}/attendance/{DAY}?history=all")
    assert page.status_code == 200
    history = page.get_data(as_text=True)
    history = history[history.index('id="day-history"') :]
    assert history.count('<tr class="align-top">') == made
    assert "Show the whole history" not in history


def test_a_day_with_few_changes_shows_them_all_without_a_link(client, login_as, workshop):
    made = _save_again_and_again(workshop, 3)
    login_as("coordinator")
    page = client.get(f"/sessions/{workshop.id}/attendance/{DAY}").get_data(as_text=True)
    history = page[page.index('id="day-history"') :]
    assert 0 < made == history.count('<tr class="align-top">')
    assert "Show the whole history" not in history
