"""Attendance without network (issue 14), on a phone in Chromium: the marks
entered offline are kept on the phone through a reload, a closed tab and a
restarted browser and reach the server when the network returns; a cell
changed meanwhile by a coordinator is the trainer's to choose; a day closed
meanwhile refuses the marks and says why; a lapsed sign-in loses nothing;
another user signing in on the same phone neither sees nor sends them.

Each test runs on a workshop of its own, added to the live database, so the
other journeys' demo sessions are left as they were."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from playwright.sync_api import Error as PlaywrightError

from tests import factories
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD
from tests.factories import TEST_PASSWORD
from training.attendance import services
from training.attendance.models import AttendanceChange, AttendanceStatus
from training.auth.models import SessionEnd, User
from training.auth.services import end_sessions
from training.extensions import db
from training.sessions.models import Period, TrainingSession

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "fr-FR",
}
COORDINATOR = "coordinator@example.org"
# In the grid's order (family names).
PEOPLE = [
    ("François", "Ba"),
    ("Mariam", "Coulibaly"),
    ("Awa", "Diallo"),
    ("Mahamadou", "Issoufou"),
    ("Fatimata", "Ouédraogo"),
]


@dataclass
class Workshop:
    session_id: int
    trainer_email: str
    trainer_id: int
    names: list[str]  # family names, in the grid's order

    @property
    def day_url(self) -> str:
        return f"/sessions/{self.session_id}/attendance/{date.today().isoformat()}"


@pytest.fixture
def workshop(live_app) -> Workshop:
    """A session running today (yesterday to tomorrow), its trainer and five
    confirmed participants."""
    tag = uuid.uuid4().hex[:6].upper()
    with live_app.app_context():
        training_session = factories.make_session(
            start_date=date.today() - timedelta(days=1), code=f"OFF-{tag}"
        )
        trainer = factories.make_user(
            "trainer", email=f"offline-{tag.lower()}@example.org", name=f"Formatrice {tag}"
        )
        factories.assign(trainer.trainer, training_session)
        for given, family in PEOPLE:
            participant = factories.make_participant(given_name=given, family_name=family)
            factories.enroll(participant, training_session)
        db.session.commit()
        names = [family for _given, family in PEOPLE]
        found = Workshop(training_session.id, trainer.email, trainer.id, names)
        db.session.remove()
    return found


def phone_context(browser, live_server, profile=None):
    """A phone; with `profile`, one whose storage survives closing it (a
    browser restarted on the same phone)."""
    if profile is None:
        context = browser.new_context(base_url=live_server, **PHONE)
    else:
        context = browser.browser_type.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            base_url=live_server,
            **PHONE,
        )
    context.set_default_timeout(15_000)
    return context


def sign_in(page, email, password=TEST_PASSWORD):
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.locator("form [type=submit]").first.click()
    page.wait_for_load_state("load")


def wait_until(page, script, arg=None, timeout=15.0):
    """Poll a script in the page until it answers true (the pages' CSP
    refuses the eval that page.wait_for_function uses)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if page.evaluate(script, arg):
                return
        except PlaywrightError:  # the page is being replaced (a reload after Save)
            pass
        assert time.monotonic() < deadline, f"still false after {timeout} s: {script}"
        page.wait_for_timeout(100)


def open_and_keep(page, url):
    """Open a day online and wait until the service worker has kept it, with
    the other pages of its session the page lists."""
    page.goto(url)
    wait_until(page, "() => navigator.serviceWorker.controller !== null")
    pages = json.loads(page.locator("#offline-pages").text_content())
    assert url in pages
    for kept in pages:
        wait_until(page, "url => caches.match(url).then(Boolean)", kept)


def outbox_text(page, name, count=None):
    """A message of the outbox as the page writes it in its language."""
    strings = json.loads(page.locator("#outbox-strings").text_content())
    message = strings[name]
    if count is not None:
        message = message["one" if count == 1 else "other"].replace("{count}", str(count))
    return message


def waiting_line(page, count):
    return outbox_text(page, "waiting", count)


def expect_status(page, text):
    """Wait until the grid's outbox line says `text`."""
    script = "text => document.getElementById('att-outbox').textContent.includes(text)"
    wait_until(page, script, text)


def rows(page):
    return page.locator(".att-row:not(.att-head)")


def mark(page, row, period, status):
    rows(page).nth(row).locator(f'label[for$="-{period}-{status}"]').click()


def assert_marks(page, present, absent):
    assert page.locator('input[type=radio][value="present"]:checked').count() == present
    assert page.locator('input[type=radio][value="absent"]:checked').count() == absent


def stored(live_app, session_id):
    """The session's recorded cells: {(family name, period): status}."""
    with live_app.app_context():
        training_session = db.session.get(TrainingSession, session_id)
        cells = {
            (record.enrollment.participant.family_name, record.period.value): record.status.value
            for record in services.day_records(training_session, date.today()).values()
        }
        db.session.remove()
    return cells


def assert_no_horizontal_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"


def test_marks_kept_offline_survive_reload_tab_and_browser_restart_then_reach_the_server(
    browser, live_server, live_app, workshop, tmp_path, screenshot
):
    profile = tmp_path / "phone-profile"
    context = phone_context(browser, live_server, profile)
    page = context.pages[0]
    sign_in(page, workshop.trainer_email)
    open_and_keep(page, workshop.day_url)
    assert rows(page).count() == 5

    # The network goes: the trainer marks the morning and one absence.
    context.set_offline(True)
    page.locator('[data-fill="am"]').click()
    mark(page, 0, "pm", "absent")
    expected = waiting_line(page, 6)
    expect_status(page, expected)
    assert page.locator(".att-cell.att-waiting").count() == 6
    page.locator('button[name="save"]').click()
    notice = page.locator("#att-notices [role=status]")
    notice.wait_for()
    assert outbox_text(page, "offline") in notice.inner_text()
    expect_status(page, expected)
    assert_no_horizontal_scroll(page)
    page.evaluate("window.scrollTo(0, document.getElementById('att-halves').offsetTop - 8)")
    screenshot(page, "attendance-offline-waiting", docs=True, full_page=False)

    # Reload, then close the tab and open the page again: all still there.
    page.reload()
    expect_status(page, expected)
    assert_marks(page, present=5, absent=1)
    page.close()
    page = context.new_page()
    page.goto(workshop.day_url)
    expect_status(page, expected)
    assert_marks(page, present=5, absent=1)

    # The browser itself is closed and started again, still without network.
    context.close()
    context = phone_context(browser, live_server, profile)
    context.set_offline(True)
    page = context.pages[0]
    page.goto(workshop.day_url)
    expect_status(page, expected)
    assert_marks(page, present=5, absent=1)
    # The other pages kept for the trainer open too.
    page.goto("/")
    assert page.locator(f'a[href="{workshop.day_url}"]').count() >= 1
    page.goto(f"/sessions/{workshop.session_id}/attendance")
    assert page.locator("table.att-matrix tbody tr").count() >= 5
    page.goto(workshop.day_url)
    assert stored(live_app, workshop.session_id) == {}

    # The network comes back: the page sends the marks by itself.
    context.set_offline(False)
    expect_status(page, outbox_text(page, "saved"))
    assert page.locator(".att-cell.att-waiting").count() == 0
    context.close()

    cells = stored(live_app, workshop.session_id)
    assert len(cells) == 6
    assert cells[(workshop.names[0], "pm")] == "absent"
    assert {cells[(name, "am")] for name in workshop.names} == {"present"}

    # A coordinator reads them on the overview.
    desk = browser.new_context(base_url=live_server, locale="en-GB")
    coordinator = desk.new_page()
    sign_in(coordinator, COORDINATOR, DEMO_PASSWORD)
    coordinator.goto(f"/sessions/{workshop.session_id}/attendance")
    today = coordinator.locator("table.att-matrix").first
    assert today.locator(".att-symbol.att-present").count() == 5
    assert today.locator(".att-symbol.att-absent").count() == 1
    desk.close()


def test_a_cell_changed_by_a_coordinator_meanwhile_is_the_trainers_to_choose(
    browser, live_server, live_app, workshop
):
    context = phone_context(browser, live_server)
    page = context.new_page()
    sign_in(page, workshop.trainer_email)
    open_and_keep(page, workshop.day_url)
    context.set_offline(True)
    mark(page, 0, "am", "present")
    mark(page, 1, "am", "present")
    mark(page, 2, "am", "present")
    expect_status(page, waiting_line(page, 3))

    # Meanwhile a coordinator records two of those cells from the office.
    desk = browser.new_context(base_url=live_server, locale="en-GB")
    office = desk.new_page()
    sign_in(office, COORDINATOR, DEMO_PASSWORD)
    office.goto(workshop.day_url)
    mark(office, 0, "am", "absent")
    mark(office, 1, "am", "excused")
    # Save is disabled while sending, and shows its progress (the answer is
    # held back here to look at it).
    held = []
    desk.route("**/attendance/sync", lambda route: held.append(route))
    office.locator('button[name="save"]').click()
    wait_until(office, "() => document.querySelector('button[name=save]').disabled")
    assert office.locator("#att-outbox progress").count() == 1
    sending = office.locator("#att-outbox").inner_text()
    assert outbox_text(office, "sending").split("{")[0].strip() in sending
    assert held, "the page sent nothing"
    with office.expect_navigation():  # all on the server: the page shows the day again
        held[0].continue_()
    desk.unroute("**/attendance/sync")
    expect_status(office, outbox_text(office, "saved"))
    assert office.locator('button[name="save"]').is_enabled()
    with live_app.app_context():
        coordinator_name = db.session.scalar(sa.select(User.name).where(User.email == COORDINATOR))
        db.session.remove()
    desk.close()

    context.set_offline(False)
    notice = page.locator("#att-notices .alert-warning")
    notice.wait_for()
    assert notice.locator("li").count() == 2
    assert coordinator_name in notice.inner_text()
    assert page.locator(".att-cell.att-conflict").count() == 2
    # Nothing was overwritten: the coordinator's values stand until chosen.
    cells = stored(live_app, workshop.session_id)
    assert cells[(workshop.names[0], "am")] == "absent"
    assert cells[(workshop.names[1], "am")] == "excused"
    assert cells[(workshop.names[2], "am")] == "present"

    # Keep mine for the first, theirs for the second.
    first = notice.locator("li").filter(has_text="BA François")
    first.locator("button.btn-primary").click()
    wait_until(page, "() => document.querySelectorAll('.att-cell.att-conflict').length === 1")
    wait_until(page, "() => !document.querySelector('.att-cell.att-waiting')")
    second = page.locator("#att-notices li").filter(has_text="COULIBALY Mariam")
    second.locator("button.btn-outline-secondary").click()
    wait_until(page, "() => !document.querySelector('#att-notices .alert-warning')")
    expect_status(page, outbox_text(page, "saved"))
    assert page.locator(".att-cell.att-conflict").count() == 0
    excused = rows(page).nth(1).locator('input[value="excused"][name$="-am"]')
    assert excused.is_checked()
    cells = stored(live_app, workshop.session_id)
    assert cells[(workshop.names[0], "am")] == "present"
    assert cells[(workshop.names[1], "am")] == "excused"
    context.close()


def test_a_day_closed_on_the_server_meanwhile_refuses_the_marks_and_says_why(
    browser, live_server, live_app, workshop
):
    context = phone_context(browser, live_server)
    page = context.new_page()
    sign_in(page, workshop.trainer_email)
    open_and_keep(page, workshop.day_url)
    context.set_offline(True)
    # A quick roll call of the afternoon, and a participant found by name,
    # all in the page without network.
    page.locator('#att-halves a[data-half="pm"]').click()
    assert page.url.endswith("?half=pm")
    assert not rows(page).nth(0).locator('fieldset[data-period="am"]').is_visible()
    assert rows(page).nth(0).locator('fieldset[data-period="pm"]').is_visible()
    page.fill("#att-query", "issou")
    assert [rows(page).nth(i).is_visible() for i in range(5)] == [False, False, False, True, False]
    mark(page, 3, "pm", "late")
    page.fill("#att-query", "5")
    assert [rows(page).nth(i).is_visible() for i in range(5)] == [False, False, False, False, True]
    mark(page, 4, "pm", "absent")
    page.fill("#att-query", "")
    assert rows(page).nth(0).is_visible()
    expect_status(page, waiting_line(page, 2))
    # Opened again at that address without network, the page keeps the view.
    page.reload()
    assert not rows(page).nth(0).locator('fieldset[data-period="am"]').is_visible()
    page.locator('#att-halves a[data-half=""]').click()
    assert rows(page).nth(0).locator('fieldset[data-period="am"]').is_visible()

    # The coordinator records the whole day from the paper sheet and closes it.
    with live_app.app_context():
        training_session = db.session.get(TrainingSession, workshop.session_id)
        coordinator = db.session.scalar(sa.select(User).where(User.email == COORDINATOR))
        entries = [
            services.DayEntry(enrollment.id, period, AttendanceStatus.PRESENT)
            for enrollment in services.confirmed_enrollments(training_session)
            for period in Period
        ]
        services.save_day(
            training_session, date.today(), entries, actor=coordinator, loaded_versions={}
        )
        services.close_day(training_session, date.today(), actor=coordinator)
        db.session.commit()
        with live_app.test_request_context(), force_locale("fr"):
            why = _("This day is closed: only a coordinator can correct it.")
        db.session.remove()

    context.set_offline(False)
    refusal = page.locator("#att-notices .alert-danger")
    refusal.wait_for()
    assert why in refusal.inner_text()
    assert refusal.locator("li").count() == 2
    assert page.locator(".att-cell.att-refused").count() == 2
    # The grid shows what the server holds, not the refused marks.
    assert not rows(page).nth(3).locator('input[value="late"][name$="-pm"]').is_checked()
    assert set(stored(live_app, workshop.session_id).values()) == {"present"}
    refusal.locator("button").click()
    wait_until(page, "() => !document.querySelector('#att-notices .alert-danger')")
    assert page.locator(".att-cell.att-refused").count() == 0
    context.close()


def test_a_lapsed_sign_in_loses_nothing_and_sends_after_signing_in_again(
    browser, live_server, live_app, workshop
):
    context = phone_context(browser, live_server)
    page = context.new_page()
    sign_in(page, workshop.trainer_email)
    open_and_keep(page, workshop.day_url)
    context.set_offline(True)
    page.locator('[data-fill="pm"]').click()
    expect_status(page, waiting_line(page, 5))

    # The sign-in ends on the server while the phone is offline.
    with live_app.app_context():
        end_sessions(db.session.get(User, workshop.trainer_id), SessionEnd.IDLE)
        db.session.commit()
        db.session.remove()

    context.set_offline(False)
    prompt = page.locator("#att-notices .alert-warning a.btn")
    prompt.wait_for()
    expect_status(page, waiting_line(page, 5))
    assert stored(live_app, workshop.session_id) == {}

    prompt.click()
    page.wait_for_load_state("load")
    assert "/login" in page.url
    page.fill("input[name=email]", workshop.trainer_email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.locator("form [type=submit]").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(workshop.day_url)
    expect_status(page, outbox_text(page, "saved"))
    cells = stored(live_app, workshop.session_id)
    assert cells == {(name, "pm"): "present" for name in workshop.names}
    context.close()


def test_another_user_on_the_same_phone_neither_sees_nor_sends_the_first_users_marks(
    browser, live_server, live_app, workshop
):
    context = phone_context(browser, live_server)
    page = context.new_page()
    sign_in(page, workshop.trainer_email)
    open_and_keep(page, workshop.day_url)
    context.set_offline(True)
    mark(page, 0, "am", "absent")
    mark(page, 1, "am", "late")
    expect_status(page, waiting_line(page, 2))
    with live_app.app_context():
        end_sessions(db.session.get(User, workshop.trainer_id), SessionEnd.IDLE)
        db.session.commit()
        db.session.remove()
    context.set_offline(False)
    page.locator("#att-notices .alert-warning a.btn").wait_for()

    # A coordinator signs in on the same phone and opens the same day: the
    # trainer's kept pages are gone, their marks are neither shown nor sent.
    sign_in(page, COORDINATOR, DEMO_PASSWORD)
    trainer_cache = f"atelier-pages-{workshop.trainer_id}"
    wait_until(page, "name => caches.keys().then(names => !names.includes(name))", trainer_cache)
    page.goto(workshop.day_url)
    page.wait_for_timeout(1500)  # the outbox would have sent by now
    assert page.locator(".att-cell.att-waiting").count() == 0
    assert_marks(page, present=0, absent=0)
    assert page.locator("#att-outbox").text_content().strip() == ""
    assert page.locator("#att-notices").text_content().strip() == ""
    assert stored(live_app, workshop.session_id) == {}
    with live_app.app_context():
        changes = db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceChange))
        db.session.remove()

    # The coordinator signs out; the trainer signs in again: theirs are sent.
    page.locator(".navbar-toggler").click()
    page.wait_for_selector("#mainNav.show")  # opened: the button has stopped moving
    with page.expect_navigation(url="**/login"):
        page.locator("form[data-sign-out] button").click()
    assert not [name for name in page.evaluate("caches.keys()") if name.startswith("atelier-pages")]
    sign_in(page, workshop.trainer_email)  # their home page sends what waited
    theirs = {(workshop.names[0], "am"): "absent", (workshop.names[1], "am"): "late"}
    deadline = time.monotonic() + 15
    while stored(live_app, workshop.session_id) != theirs:
        assert time.monotonic() < deadline, stored(live_app, workshop.session_id)
        page.wait_for_timeout(200)
    page.goto(workshop.day_url)
    assert rows(page).nth(0).locator('input[value="absent"][name$="-am"]').is_checked()
    assert rows(page).nth(1).locator('input[value="late"][name$="-am"]').is_checked()
    assert page.locator(".att-cell.att-waiting").count() == 0
    with live_app.app_context():
        after = db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceChange))
        db.session.remove()
    assert after == changes + 2
    context.close()
