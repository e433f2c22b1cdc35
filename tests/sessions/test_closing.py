"""Closing a session safely: the completion checklist that the areas above
contribute (half-days not recorded, scores missing, nominees pending), the
rule that completion needs each item acknowledged (in the service), the
pages that ask first (complete, cancel, remove a trainer), and reopening
with a reason until a certificate is issued."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests import factories
from training.audit.models import AuditEvent
from training.certificates import services as certificates
from training.enrollment.models import EnrollmentStatus
from training.extensions import db
from training.sessions import services
from training.sessions.models import Period, SessionStatus

START = date(2026, 3, 2)  # a three-day session: 2, 3 and 4 March


def text(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(page).split())


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def in_progress(**attributes):
    return factories.make_session(status=SessionStatus.IN_PROGRESS, start_date=START, **attributes)


def all_recorded(training_session, participants: int = 2):
    """Confirmed participants with every half-day and both scores recorded."""
    enrollments = []
    for _ in range(participants):
        enrollment = factories.enroll(
            training_session=training_session, pre_test_score=40, post_test_score=80
        )
        factories.mark_all(enrollment)
        enrollments.append(enrollment)
    return enrollments


def tokens(training_session) -> list[str]:
    return [item.token for item in services.closing_checklist(training_session)]


# --- the checklist -------------------------------------------------------------


@pytest.mark.usefixtures("request_context")
class TestChecklist:
    def test_a_session_with_everything_recorded_has_an_empty_checklist(self, app):
        training_session = in_progress()
        all_recorded(training_session)
        assert services.closing_checklist(training_session) == []
        services.change_status(training_session, SessionStatus.COMPLETED, actor=None)
        assert training_session.status == SessionStatus.COMPLETED

    def test_half_days_not_recorded_are_listed_day_by_day(self, app):
        training_session = in_progress(curriculum=factories.make_curriculum(pass_mark_percent=None))
        first, second = (factories.enroll(training_session=training_session) for _ in range(2))
        recorded = {  # 3 March: 1 morning and 2 afternoons missing; 4 March: 1 morning
            first: [(date(2026, 3, 2), Period.AM), (date(2026, 3, 2), Period.PM)],
            second: [(date(2026, 3, 2), Period.AM), (date(2026, 3, 2), Period.PM)],
        }
        recorded[second].append((date(2026, 3, 3), Period.AM))
        recorded[first] += [(date(2026, 3, 4), Period.AM), (date(2026, 3, 4), Period.PM)]
        recorded[second].append((date(2026, 3, 4), Period.PM))
        for enrollment, cells in recorded.items():
            for day, period in cells:
                factories.mark(enrollment, day, period)
        (item,) = services.closing_checklist(training_session)
        assert item.key == "unrecorded_half_days"
        assert item.count == 3 and item.title == "3 half-days not recorded"
        assert len(item.details) == 2
        assert item.details[0].startswith("Tuesday, March 3, 2026")
        assert "morning: 1 participant not recorded" in item.details[0]
        assert "afternoon: 2 participants not recorded" in item.details[0]
        assert item.details[1].startswith("Wednesday, March 4, 2026")
        assert "afternoon" not in item.details[1]
        assert item.endpoint == "attendance.overview"

    def test_days_still_to_come_say_so(self, app):
        training_session = factories.make_session(
            status=SessionStatus.IN_PROGRESS, start_date=date(2099, 1, 5)
        )
        factories.enroll(training_session=training_session, pre_test_score=1, post_test_score=2)
        (item,) = services.closing_checklist(training_session)
        assert item.count == 6
        assert all(line.endswith("(still to come)") for line in item.details)

    def test_scores_missing_count_when_the_curriculum_has_a_test(self, app):
        training_session = in_progress()
        first, second, third = all_recorded(training_session, participants=3)
        first.post_test_score = None
        second.pre_test_score = None
        third.participant.given_name = "Awa"
        (item,) = services.closing_checklist(training_session)
        assert item.key == "missing_scores" and item.count == 2
        assert item.details[0].startswith("Post-test: 1 participant without a score")
        assert first.participant.full_name in item.details[0]
        assert item.details[1].startswith("Pre-test: 1 participant without a score")
        assert item.endpoint == "attendance.scores"

    def test_no_score_is_asked_for_without_a_test(self, app):
        curriculum = factories.make_curriculum(pass_mark_percent=None)
        training_session = in_progress(curriculum=curriculum)
        for enrollment in all_recorded(training_session):
            enrollment.pre_test_score = enrollment.post_test_score = None
        assert services.closing_checklist(training_session) == []

    def test_nominees_pending_are_the_nominated_and_the_waiting_line(self, app):
        training_session = in_progress()
        all_recorded(training_session)
        nominated = factories.enroll(
            training_session=training_session, status=EnrollmentStatus.NOMINATED
        )
        factories.enroll(
            training_session=training_session,
            status=EnrollmentStatus.WAITLISTED,
            waitlist_position=1,
        )
        factories.enroll(training_session=training_session, status=EnrollmentStatus.WITHDRAWN)
        (item,) = services.closing_checklist(training_session)
        assert item.key == "pending_nominees" and item.count == 2
        assert item.details[0].startswith("Nominated, not confirmed: 1")
        assert nominated.participant.full_name in item.details[0]
        assert item.details[1].startswith("On the waiting list: 1")

    def test_the_items_come_in_their_order(self, app):
        training_session = in_progress()
        factories.enroll(training_session=training_session)  # nothing recorded
        factories.enroll(training_session=training_session, status=EnrollmentStatus.NOMINATED)
        keys = [item.key for item in services.closing_checklist(training_session)]
        assert keys == ["unrecorded_half_days", "missing_scores", "pending_nominees"]


# --- completing: acknowledged, in the service -------------------------------------


@pytest.mark.usefixtures("request_context")
class TestCompletion:
    def open_items(self):
        training_session = in_progress()
        factories.enroll(training_session=training_session)
        factories.enroll(training_session=training_session, status=EnrollmentStatus.NOMINATED)
        return training_session

    def test_completion_is_refused_until_every_item_is_acknowledged(self, app):
        training_session = self.open_items()
        with pytest.raises(services.ChecklistNotAcknowledged, match="Tick each item") as refused:
            services.change_status(training_session, SessionStatus.COMPLETED, actor=None)
        assert len(refused.value.items) == 3
        half_days, _scores, _pending = tokens(training_session)
        with pytest.raises(services.ChecklistNotAcknowledged) as refused:
            services.change_status(
                training_session, SessionStatus.COMPLETED, actor=None, acknowledged=[half_days]
            )
        assert [item.key for item in refused.value.items] == ["missing_scores", "pending_nominees"]
        assert training_session.status == SessionStatus.IN_PROGRESS
        assert _events("session.status_changed") == []

    def test_a_checklist_that_changed_since_it_was_read_is_not_taken(self, app):
        training_session = self.open_items()
        read = tokens(training_session)
        factories.enroll(training_session=training_session, status=EnrollmentStatus.NOMINATED)
        with pytest.raises(services.ChecklistNotAcknowledged, match="changed since it was shown"):
            services.change_status(
                training_session, SessionStatus.COMPLETED, actor=None, acknowledged=read
            )
        assert training_session.status == SessionStatus.IN_PROGRESS

    def test_acknowledged_completion_is_audited_with_what_was_acknowledged(self, app):
        training_session = self.open_items()
        coordinator = factories.make_user("coordinator")
        services.change_status(
            training_session,
            SessionStatus.COMPLETED,
            actor=coordinator,
            acknowledged=tokens(training_session),
        )
        assert training_session.status == SessionStatus.COMPLETED
        (event,) = _events("session.status_changed")
        assert event.actor_id == coordinator.id
        assert event.changes["after"] == {
            "status": "completed",
            "unrecorded_half_days": 6,
            "missing_scores": 1,
            "pending_nominees": 1,
        }

    def test_cancelling_asks_for_no_checklist(self, app):
        training_session = self.open_items()
        services.change_status(training_session, SessionStatus.CANCELLED, actor=None)
        assert training_session.status == SessionStatus.CANCELLED


# --- reopening ---------------------------------------------------------------------


@pytest.mark.usefixtures("request_context")
class TestReopening:
    def completed(self):
        training_session = factories.make_session(status=SessionStatus.COMPLETED, start_date=START)
        (enrollment,) = all_recorded(training_session, participants=1)
        return training_session, enrollment

    def test_a_completed_session_reopens_with_a_reason_and_is_audited(self, app):
        training_session, _enrollment = self.completed()
        coordinator = factories.make_user("coordinator")
        services.reopen_session(
            training_session, actor=coordinator, reason="  Day 2 was keyed on the wrong sheet. "
        )
        assert training_session.status == SessionStatus.IN_PROGRESS
        (event,) = _events("session.reopened")
        assert event.reason == "Day 2 was keyed on the wrong sheet."
        assert event.actor_id == coordinator.id
        assert event.changes == {
            "before": {"status": "completed"},
            "after": {"status": "in_progress"},
        }

    @pytest.mark.parametrize("reason", ["", "   ", None])
    def test_a_reason_is_required(self, app, reason):
        training_session, _enrollment = self.completed()
        with pytest.raises(services.ReopenRefused, match="Write the reason"):
            services.reopen_session(training_session, actor=None, reason=reason)
        assert training_session.status == SessionStatus.COMPLETED

    def test_a_reason_has_a_limit(self, app):
        training_session, _enrollment = self.completed()
        with pytest.raises(services.ReopenRefused, match="limited to 2000 characters"):
            services.reopen_session(training_session, actor=None, reason="x" * 2001)

    @pytest.mark.parametrize(
        "status", [SessionStatus.IN_PROGRESS, SessionStatus.OPEN, SessionStatus.CANCELLED]
    )
    def test_only_a_completed_session_reopens(self, app, status):
        training_session = factories.make_session(status=status)
        assert services.reopen_refusals(training_session) == [
            "Only a completed session can be reopened."
        ]
        with pytest.raises(services.ReopenRefused):
            services.reopen_session(training_session, actor=None, reason="Why not")
        assert training_session.status == status

    @pytest.mark.parametrize("revoked", [False, True])
    def test_a_certificate_issued_ends_it_even_revoked(self, app, revoked):
        training_session, enrollment = self.completed()
        coordinator = factories.make_user("coordinator")
        certificate = certificates.issue_certificate(enrollment, coordinator)
        if revoked:
            certificates.revoke_certificate(certificate, coordinator, "Issued by mistake")
        (refusal,) = services.reopen_refusals(training_session)
        assert "1 certificate is issued for this session" in refusal
        with pytest.raises(services.ReopenRefused, match="stays completed"):
            services.reopen_session(training_session, actor=coordinator, reason="Fix attendance")
        assert training_session.status == SessionStatus.COMPLETED
        assert _events("session.reopened") == []

    def test_a_reopened_session_completes_again_through_its_checklist(self, app):
        training_session, enrollment = self.completed()
        services.reopen_session(training_session, actor=None, reason="Scores keyed wrong")
        enrollment.post_test_score = None
        with pytest.raises(services.ChecklistNotAcknowledged):
            services.change_status(training_session, SessionStatus.COMPLETED, actor=None)
        services.change_status(
            training_session,
            SessionStatus.COMPLETED,
            actor=None,
            acknowledged=tokens(training_session),
        )
        assert training_session.status == SessionStatus.COMPLETED


# --- the pages -------------------------------------------------------------------------


def test_the_status_buttons_send_completing_and_cancelling_to_their_pages(client, login_as):
    training_session = in_progress()
    db.session.commit()
    login_as("coordinator")
    sid = training_session.id
    page = client.get(f"/sessions/{sid}").get_data(as_text=True)
    assert f'href="/sessions/{sid}/complete"' in page
    assert f'href="/sessions/{sid}/cancel"' in page
    assert 'value="completed"' not in page and 'value="cancelled"' not in page
    for status, where in (("completed", "complete"), ("cancelled", "cancel")):
        response = client.post(f"/sessions/{sid}/status", data={"status": status})
        assert response.status_code == 303
        assert response.location == f"/sessions/{sid}/{where}"
    db.session.expire_all()
    assert training_session.status == SessionStatus.IN_PROGRESS
    assert _events("session.status_changed") == []


def test_the_completion_page_shows_the_checklist_and_what_follows(client, login_as):
    training_session = in_progress()
    factories.enroll(training_session=training_session)
    db.session.commit()
    login_as("coordinator")
    response = client.get(f"/sessions/{training_session.id}/complete")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('type="checkbox" name="acknowledged"') == 2
    assert "6 half-days not recorded" in text(response)
    assert "1 participant without all their test scores" in text(response)
    assert "can then be changed only by a coordinator" in text(response)
    assert f'href="/sessions/{training_session.id}/attendance"' in page
    assert f'href="/sessions/{training_session.id}"' in page  # cancel, go back
    db.session.expire_all()
    assert training_session.status == SessionStatus.IN_PROGRESS


def test_completing_without_ticking_is_refused_with_a_clear_message(client, login_as):
    training_session = in_progress()
    factories.enroll(training_session=training_session)
    db.session.commit()
    login_as("coordinator")
    url = f"/sessions/{training_session.id}/complete"
    first_token = tokens(training_session)[0]
    refused = client.post(url, data={"acknowledged": [first_token]})
    assert refused.status_code == 409
    assert "Tick the item of the checklist to complete the session anyway" in text(refused)
    assert f'value="{first_token}" id="acknowledge-unrecorded_half_days" checked' in (
        refused.get_data(as_text=True)
    )
    db.session.expire_all()
    assert training_session.status == SessionStatus.IN_PROGRESS
    done = client.post(url, data={"acknowledged": tokens(training_session)})
    assert done.status_code == 303
    db.session.expire_all()
    assert training_session.status == SessionStatus.COMPLETED


def test_a_session_with_nothing_open_completes_in_one_click(client, login_as):
    training_session = in_progress()
    all_recorded(training_session)
    db.session.commit()
    login_as("coordinator")
    page = client.get(f"/sessions/{training_session.id}/complete")
    assert "Everything is recorded" in text(page)
    assert 'name="acknowledged"' not in page.get_data(as_text=True)
    response = client.post(f"/sessions/{training_session.id}/complete", follow_redirects=True)
    assert "is now “Completed”" in text(response)


def test_a_session_that_cannot_be_completed_is_sent_back(client, login_as):
    training_session = factories.make_session(status=SessionStatus.PLANNED)
    db.session.commit()
    login_as("coordinator")
    for method in ("GET", "POST"):
        response = client.open(
            f"/sessions/{training_session.id}/complete", method=method, follow_redirects=True
        )
        assert "cannot move from “Planned” to “Completed”" in text(response)
    db.session.expire_all()
    assert training_session.status == SessionStatus.PLANNED


def test_cancelling_asks_first_then_cancels(client, login_as):
    training_session = factories.make_session(status=SessionStatus.OPEN)
    factories.enroll(training_session=training_session)
    factories.assign(factories.make_trainer(), training_session)
    db.session.commit()
    login_as("coordinator")
    page = client.get(f"/sessions/{training_session.id}/cancel")
    assert page.status_code == 200
    assert "This cannot be undone" in text(page)
    assert "1 confirmed participant loses their place" in text(page)
    assert "Its 1 trainer is free again" in text(page)
    db.session.expire_all()
    assert training_session.status == SessionStatus.OPEN
    response = client.post(f"/sessions/{training_session.id}/cancel", follow_redirects=True)
    assert "is now “Cancelled”" in text(response)
    db.session.expire_all()
    assert training_session.status == SessionStatus.CANCELLED
    again = client.get(f"/sessions/{training_session.id}/cancel", follow_redirects=True)
    assert "cannot move from “Cancelled” to “Cancelled”" in text(again)


def test_reopening_on_its_page(client, login_as):
    training_session = factories.make_session(status=SessionStatus.COMPLETED)
    db.session.commit()
    login_as("coordinator")
    sid = training_session.id
    assert f'href="/sessions/{sid}/reopen"' in client.get(f"/sessions/{sid}").get_data(as_text=True)
    page = client.get(f"/sessions/{sid}/reopen")
    assert page.status_code == 200 and "goes back to “In progress”" in text(page)
    missing = client.post(f"/sessions/{sid}/reopen", data={"reason": " "})
    assert missing.status_code == 422
    assert "Write the reason for reopening the session." in text(missing)
    response = client.post(
        f"/sessions/{sid}/reopen", data={"reason": "Attendance of day 2 keyed twice"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert training_session.status == SessionStatus.IN_PROGRESS
    history = text(client.get(f"/sessions/{sid}"))
    assert "Session reopened" in history and "Attendance of day 2 keyed twice" in history


def test_reopening_is_refused_once_a_certificate_is_issued(client, login_as, app):
    training_session = factories.make_session(status=SessionStatus.COMPLETED, start_date=START)
    (enrollment,) = all_recorded(training_session, participants=1)
    coordinator = login_as("coordinator")
    with app.test_request_context():
        certificates.issue_certificate(enrollment, coordinator)
    db.session.commit()
    sid = training_session.id
    assert f"/sessions/{sid}/reopen" not in client.get(f"/sessions/{sid}").get_data(as_text=True)
    page = client.get(f"/sessions/{sid}/reopen")
    assert "1 certificate is issued for this session" in text(page)
    assert 'name="reason"' not in page.get_data(as_text=True)
    refused = client.post(f"/sessions/{sid}/reopen", data={"reason": "Try anyway"})
    assert refused.status_code == 409
    db.session.expire_all()
    assert training_session.status == SessionStatus.COMPLETED
    assert _events("session.reopened") == []


def test_a_session_not_completed_has_no_reopening(client, login_as):
    training_session = in_progress()
    db.session.commit()
    login_as("coordinator")
    response = client.post(
        f"/sessions/{training_session.id}/reopen", data={"reason": "x"}, follow_redirects=True
    )
    assert "Only a completed session can be reopened." in text(response)


def test_removing_a_trainer_asks_first(client, login_as):
    training_session = factories.make_session()
    trainer = factories.make_trainer(name="Awa Diallo", email="awa@example.org")
    assignment = factories.assign(trainer, training_session)
    db.session.commit()
    login_as("coordinator")
    url = f"/sessions/{training_session.id}/trainers/{assignment.id}/remove"
    assert f'href="{url}"' in client.get(f"/sessions/{training_session.id}").get_data(as_text=True)
    page = client.get(url)
    assert page.status_code == 200
    assert "Remove Awa Diallo from session" in text(page)
    assert "They are told by mail (awa@example.org)." in text(page)
    assert f'action="{url}"' in page.get_data(as_text=True)
    db.session.expire_all()
    assert len(training_session.assignments) == 1
    assert client.post(url).status_code == 303
    db.session.expire_all()
    assert training_session.assignments == []


def test_without_notifications_the_page_says_no_mail_goes(client, login_as):
    training_session = factories.make_session(send_notifications=False)
    assignment = factories.assign(factories.make_trainer(), training_session)
    db.session.commit()
    login_as("coordinator")
    page = client.get(f"/sessions/{training_session.id}/trainers/{assignment.id}/remove")
    assert "They are sent no mail: tell them yourself." in text(page)


# --- who may: every role, every new route ------------------------------------------------


@pytest.fixture
def closing_world(app):
    trainer = factories.make_user("trainer")
    running = in_progress(code="NE-2026-900")
    factories.assign(trainer.trainer, running)
    assignment = factories.assign(factories.make_trainer(), running)
    completed = factories.make_session(status=SessionStatus.COMPLETED, code="NE-2026-901")
    factories.assign(trainer.trainer, completed)
    participant = factories.make_user("participant")
    factories.enroll(participant.participant, running)
    db.session.commit()
    return {
        "trainer": trainer,
        "participant": participant,
        "routes": {
            "complete page": ("GET", f"/sessions/{running.id}/complete", {}),
            "complete": ("POST", f"/sessions/{running.id}/complete", {}),
            "cancel page": ("GET", f"/sessions/{running.id}/cancel", {}),
            "cancel": ("POST", f"/sessions/{running.id}/cancel", {}),
            "reopen page": ("GET", f"/sessions/{completed.id}/reopen", {}),
            "reopen": ("POST", f"/sessions/{completed.id}/reopen", {"reason": "A reason"}),
            "remove page": (
                "GET",
                f"/sessions/{running.id}/trainers/{assignment.id}/remove",
                {},
            ),
        },
    }


ALLOWED = {  # for admin and coordinator
    "complete page": 200,
    "complete": 409,  # refused: the checklist is not acknowledged
    "cancel page": 200,
    "cancel": 303,
    "reopen page": 200,
    "reopen": 303,
    "remove page": 200,
}


def _state() -> tuple:
    return (
        tuple(
            db.session.scalars(
                sa.select(AuditEvent.action).where(AuditEvent.action != "access.refused")
            )
        ),
    )


@pytest.mark.parametrize("route", sorted(ALLOWED))
@pytest.mark.parametrize(
    "who", ["admin", "coordinator", "assigned trainer", "other trainer", "participant", "anonymous"]
)
def test_every_closing_route_for_every_role(client, login_as, closing_world, route, who):
    method, url, data = closing_world["routes"][route]
    expected = 403
    if who in ("admin", "coordinator"):
        login_as(who)
        expected = ALLOWED[route]
    elif who == "assigned trainer":
        login_as(closing_world["trainer"])
    elif who == "other trainer":
        login_as("trainer")
    elif who == "participant":
        login_as(closing_world["participant"])
    else:
        expected = 302 if method == "GET" else 303
    before = _state()
    response = client.open(url, method=method, data=data)
    assert response.status_code == expected, (who, route, response.status_code)
    if who == "anonymous":
        assert "/login" in response.location
    if method == "GET" or expected != 303 or who == "anonymous":
        assert _state() == before  # a page that asks changes nothing


def test_the_closing_posts_need_csrf(app, client, login_as, closing_world):
    login_as("coordinator")
    app.config["WTF_CSRF_ENABLED"] = True
    before = _state()
    for name in ("complete", "cancel", "reopen"):
        _method, url, data = closing_world["routes"][name]
        assert client.post(url, data=data).status_code == 400, url
    _method, url, _data = closing_world["routes"]["remove page"]
    assert client.post(url).status_code == 400
    assert _state() == before


def test_a_trainer_reads_that_the_session_was_reopened_but_not_why(client, login_as):
    training_session = factories.make_session(status=SessionStatus.COMPLETED)
    trainer = factories.make_user("trainer")
    factories.assign(trainer.trainer, training_session)
    db.session.commit()
    login_as("coordinator")
    client.post(f"/sessions/{training_session.id}/reopen", data={"reason": "Complaint from unit X"})
    client.post("/logout")
    login_as(trainer)
    page = text(client.get(f"/sessions/{training_session.id}"))
    assert "Complaint from unit X" not in page
    assert f"/sessions/{training_session.id}/reopen" not in page
