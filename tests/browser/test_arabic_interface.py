"""The interface in Arabic (issue 16): every page of every role is written
right to left and fits a 390 px phone; a participant signs in on a phone,
reads their trainings and downloads a certificate; a trainer records a day.
The journeys' screenshots are docs/ar-*.png (ATELIER_UPDATE_DOCS=1)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests import factories
from tests.factories import TEST_PASSWORD
from training.auth.models import User
from training.certificates.models import Certificate
from training.curricula.models import Curriculum
from training.enrollment.models import Enrollment
from training.extensions import db
from training.mail.models import OutboxMessage
from training.people.models import Organisation, Participant, Trainer
from training.sessions.models import Assignment, SessionStatus, TrainingSession

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    # A phone set to Arabic: its browser asks for Arabic first.
    "locale": "ar",
}
DEMO_USERS = {
    "participant": "participant@example.org",
    "trainer": "trainer@example.org",
    "coordinator": "coordinator@example.org",
    "admin": "admin@example.org",
}
# Downloads and machine-readable answers: not pages.
NOT_PAGES = (".pdf", ".zip", ".csv", ".xlsx", ".ics", ".json", "/sync", "/sw.js", "/healthz")


def demo_pages() -> list[str]:
    """The address of every page (GET, HTML) of the demo programme, with
    its arguments taken from the demo: a session the demo trainer teaches
    today, its curriculum, people, organisations, users, a certificate."""
    from flask import current_app, url_for

    training_session = db.session.scalar(
        sa.select(TrainingSession)
        .join(Assignment)
        .join(Trainer)
        .join(User, User.trainer_id == Trainer.id)
        .where(
            User.email == DEMO_USERS["trainer"],
            TrainingSession.status == SessionStatus.IN_PROGRESS,
        )
    )
    assert training_session is not None, "the demo trainer teaches no session today"
    curriculum = db.session.get(Curriculum, training_session.curriculum_id)
    enrollment = db.session.scalars(
        sa.select(Enrollment).where(Enrollment.session_id == training_session.id)
    ).first()
    participant = db.session.scalar(
        sa.select(Participant).join(User).where(User.email == DEMO_USERS["participant"])
    )
    other_participant = db.session.scalars(
        sa.select(Participant).where(Participant.id != participant.id)
    ).first()
    certificate = db.session.scalars(sa.select(Certificate).order_by(Certificate.id)).first()
    message = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).first()
    values = {
        "session_id": training_session.id,
        "curriculum_id": curriculum.id,
        "module_id": curriculum.modules[0].id,
        "participant_id": participant.id,
        "other_id": other_participant.id,
        "trainer_id": training_session.assignments[0].trainer_id,
        "assignment_id": training_session.assignments[0].id,
        "enrollment_id": enrollment.id,
        "organisation_id": db.session.scalars(sa.select(Organisation.id)).first(),
        "user_id": db.session.scalar(
            sa.select(User.id).where(User.email == DEMO_USERS["coordinator"])
        ),
        "day": min(date.today(), training_session.end_date).isoformat(),
        "code": certificate.verification_code if certificate else "",
    }
    if message is not None:
        values["message_id"] = message.id
    urls = []
    for rule in current_app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "bootstrap.static"):
            continue
        if rule.rule.endswith(NOT_PAGES) or rule.endpoint == "certificates.verify_signed":
            continue
        if rule.endpoint == "accounts.open_link" or not set(rule.arguments) <= set(values):
            continue  # a one-time token's page; the mail's pages without mail
        urls.append(url_for(rule.endpoint, **{name: values[name] for name in rule.arguments}))
    return sorted(urls)


@pytest.fixture
def restore_locales(live_app) -> Iterator[None]:
    """The switcher keeps the chosen language as the user's preference: the
    demo users get theirs back for the other journeys."""
    with live_app.app_context():
        before = {
            email: locale
            for email, locale in db.session.execute(sa.select(User.email, User.locale))
        }
        db.session.remove()
    yield
    with live_app.app_context():
        for user in db.session.scalars(sa.select(User).where(User.email.in_(DEMO_USERS.values()))):
            user.locale = before.get(user.email)
        db.session.commit()
        db.session.remove()


def phone(browser, live_server):
    context = browser.new_context(base_url=live_server, accept_downloads=True, **PHONE)
    context.set_default_timeout(15_000)
    return context


def sign_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.locator("form [type=submit]").first.click()
    page.wait_for_load_state("load")


def choose_arabic(page) -> None:
    """The language switcher, in the phone's folded menu."""
    if page.locator("html").get_attribute("lang") == "ar":
        return
    page.locator(".navbar-toggler").click()
    page.wait_for_selector("#mainNav.show")
    page.get_by_role("button", name="العربية").click()
    page.wait_for_load_state("load")


def assert_arabic_and_fits(page, where: str) -> None:
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl"), where
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{where} is {width} px wide on a 390 px phone"


def test_every_page_of_every_role_is_right_to_left_and_fits_a_phone(
    browser, live_server, live_app, restore_locales
):
    with live_app.app_context(), live_app.test_request_context():
        urls = demo_pages()
        db.session.remove()
    assert len(urls) > 40
    visited: dict[str, list[str]] = {}
    problems = []
    for role in ("anonymous", *DEMO_USERS):
        context = phone(browser, live_server)
        page = context.new_page()
        if role != "anonymous":
            sign_in(page, DEMO_USERS[role], "atelier-demo")
            # The coordinator chose French: the switcher turns their pages Arabic.
            choose_arabic(page)
        visited[role] = []
        for url in urls:
            answer = context.request.get(url, max_redirects=0)
            if answer.status != 200 or "text/html" not in answer.headers["content-type"]:
                continue  # refused, a redirect or a file: not this role's page
            page.goto(url)
            visited[role].append(url)
            try:
                assert_arabic_and_fits(page, f"{role} {url}")
            except AssertionError as problem:
                problems.append(str(problem))
        context.close()
    assert not problems, problems
    # Each role saw its own pages (and the public ones).
    assert "/login" in visited["anonymous"] and "/verify" in visited["anonymous"]
    assert "/me" in visited["participant"]
    assert any(
        url.endswith("/attendance/" + date.today().isoformat()) for url in visited["trainer"]
    )
    assert "/reports" in visited["coordinator"] and "/admin/users" in visited["admin"]
    assert len(visited["coordinator"]) > 40


def test_a_participant_reads_their_trainings_and_downloads_a_certificate_in_arabic(
    browser, live_server, screenshot
):
    context = phone(browser, live_server)
    page = context.new_page()
    page.goto("/login")
    # The phone speaks Arabic: so does the sign-in page, right to left.
    assert_arabic_and_fits(page, "/login")
    expect(page.locator("h1")).to_have_text("تسجيل الدخول إلى Atelier")
    screenshot(page, "ar-sign-in", docs=True)
    sign_in(page, DEMO_USERS["participant"], "atelier-demo")

    page.goto("/me")
    assert_arabic_and_fits(page, "/me")
    expect(page.locator("h1").first).to_have_text("دوراتي التدريبية")
    expect(page.locator(".card-header", has_text="شهاداتي")).to_be_visible()
    screenshot(page, "ar-participant-trainings", docs=True)

    link = page.locator('a[href$=".pdf"]', has_text="تنزيل").first
    with page.expect_download() as download:
        link.click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    context.close()


def test_a_trainer_records_a_day_in_arabic(browser, live_server, live_app, screenshot):
    """A trainer whose phone speaks Arabic records the day: everyone present
    in the morning, one absence, saved; the page says so in Arabic."""
    tag = uuid.uuid4().hex[:6].upper()
    with live_app.app_context():
        training_session = factories.make_session(
            start_date=date.today() - timedelta(days=1), code=f"TD-{tag}", city="N'Djamena"
        )
        trainer = factories.make_user(
            "trainer", email=f"ar-{tag.lower()}@example.org", name="Hassan Mahamat"
        )
        factories.assign(trainer.trainer, training_session)
        for given, family in (("Achta", "Abakar"), ("Moussa", "Brahim"), ("Zara", "Oumar")):
            participant = factories.make_participant(given_name=given, family_name=family)
            factories.enroll(participant, training_session)
        db.session.commit()
        session_id, email = training_session.id, trainer.email
        db.session.remove()

    context = phone(browser, live_server)
    page = context.new_page()
    sign_in(page, email, TEST_PASSWORD)
    assert_arabic_and_fits(page, "the trainer's home")
    today = date.today().isoformat()
    page.locator(f'a[href$="/sessions/{session_id}/attendance/{today}"]').first.click()
    page.wait_for_load_state("load")
    assert_arabic_and_fits(page, "the day grid")
    expect(page.locator("h1").first).to_contain_text("حضور يوم")

    rows = page.locator(".att-row:not(.att-head)")
    assert rows.count() == 3
    page.locator('[data-fill="am"]').click()
    rows.nth(0).locator('label[for$="-am-absent"]').click()
    # The one-letter buttons read in Arabic: ح present, غ absent.
    present = rows.nth(0).locator('label[for$="-am-present"]')
    absent = rows.nth(0).locator('label[for$="-am-absent"]')
    expect(present).to_have_attribute("title", "حاضر")
    assert present.evaluate("label => label.firstChild.textContent") == "ح"
    expect(absent).to_have_attribute("title", "غائب")
    assert absent.evaluate("label => label.firstChild.textContent") == "غ"
    assert_arabic_and_fits(page, "the day grid, marked")
    with page.expect_navigation():
        page.locator('button[name="save"]').click()
    saved = page.locator(".alert-success")
    # The outbox sent the marks (js/outbox.js), then says so in Arabic.
    expect(saved).to_have_text("تم حفظ كل شيء.")
    assert page.locator('input[type=radio][value="absent"]:checked').count() == 1
    assert page.locator('input[type=radio][value="present"]:checked').count() == 2
    assert_arabic_and_fits(page, "the saved day")
    page.evaluate("window.scrollTo(0, document.querySelector('.day-pills').offsetTop - 8)")
    screenshot(page, "ar-trainer-grid", docs=True, full_page=False)
    context.close()
