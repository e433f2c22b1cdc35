"""The coordinator's home: what needs doing, each item linking to where."""

from __future__ import annotations

from datetime import timedelta

from tests import factories
from training.certificates.services import session_eligibility
from training.extensions import db
from training.home.context import coordinator_home
from training.models import (
    AttendanceStatus,
    EnrollmentStatus,
    Period,
)
from training.reports import projection


def test_alerts_say_what_needs_doing(work):
    context = coordinator_home(work["today"])
    assert [s.code for s in context["upcoming_sessions"]] == [
        "RUNNING",
        "UP-NO-LEAD",
        "UP-LED",
        "NO-SCREEN",
    ]
    assert {s.code for s in context["sessions_without_lead"].items} == {"UP-NO-LEAD", "NO-SCREEN"}
    nominees = context["nominees_awaiting_screening"]
    assert sorted(e.participant.family_name for e in nominees.items) == [
        "Expired",
        "Refused",
        "Unscreened",
    ]
    assert nominees.total == 3
    missing = context["days_without_attendance"]
    assert [(m.training_session.code, m.day) for m in missing.items] == [
        ("RUNNING", work["today"] - timedelta(days=1)),
        ("RUNNING", work["today"]),
    ]
    certificates = context["certificates_to_issue"]
    assert [(s.code, waiting) for s, waiting in certificates.items] == [("FINISHED", 1)]


def test_certificates_ready_are_those_the_certificate_rules_allow(work):
    """Below the attendance minimum is not "ready to issue"; the count is
    the issuable participants of the session's certificates page."""
    finished = work["finished"]
    minimum = finished.curriculum.min_attendance_percent
    periods = finished.period_count
    borderline = factories.enroll(factories.make_participant(), finished)
    just_short = factories.enroll(factories.make_participant(), finished)
    # Exactly the minimum qualifies; one period fewer does not.
    needed = -(-minimum * periods // 100)
    for enrollment, attended in ((borderline, needed), (just_short, needed - 1)):
        for index, (day, period) in enumerate(
            (day, period) for day in finished.days for period in Period
        ):
            status = AttendanceStatus.PRESENT if index < attended else AttendanceStatus.ABSENT
            factories.mark(enrollment, day, period, status)
    db.session.commit()

    issuable = [row for row in session_eligibility(finished) if row.issuable]
    [(training_session, waiting)] = coordinator_home(work["today"])["certificates_to_issue"].items
    assert training_session == finished
    assert waiting == len(issuable) == 2
    assert borderline in {row.enrollment for row in issuable}


def test_home_page_links_each_alert(app, client, login_as, work):
    login_as("coordinator")
    page = client.get("/").get_data(as_text=True)
    running, finished = work["running"], work["finished"]
    links = {
        "attendance.day_sheet": f"/sessions/{running.id}/attendance/{work['today'].isoformat()}",
        "certificates.session_certificates": f"/sessions/{finished.id}/certificates",
        "enrollment.session_enrollments": f"/sessions/{work['upcoming'].id}/enrollments",
        "sessions.show_session": f"/sessions/{work['upcoming'].id}",
    }
    for endpoint, url in links.items():
        if endpoint in app.view_functions:  # the other areas' pages, once they exist
            assert f'href="{url}"' in page, endpoint
    assert "Sessions without a lead trainer" in page
    assert "Nominees waiting for screening" in page
    assert "Past days with no attendance recorded" in page
    assert "Certificates ready to issue" in page
    assert "Unscreened" in page
    assert "1 eligible participant without a certificate" in page
    assert "Programme results" in page


def test_admin_home_shows_the_same_alerts(client, login_as, work):
    login_as("admin")
    page = client.get("/").get_data(as_text=True)
    assert "Nominees waiting for screening" in page
    assert "Unscreened" in page


def test_home_runs_a_fixed_number_of_queries(client, login_as, work, count_queries):
    login_as("coordinator")
    client.get("/")
    db.session.commit()
    with count_queries() as small:
        client.get("/")
    today = work["today"]
    for number in range(5):
        training_session = factories.make_session(
            start_date=today + timedelta(days=40 + number), code=f"MORE-{number}"
        )
        for _ in range(3):
            factories.enroll(
                factories.make_participant(cleared=False),
                training_session,
                status=EnrollmentStatus.NOMINATED,
            )
    db.session.commit()
    projection.catch_up()  # the new sessions' report rows, once; then the page is measured
    with count_queries() as large:
        client.get("/")
    assert len(large) == len(small)
