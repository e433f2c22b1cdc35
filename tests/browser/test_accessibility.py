"""WCAG 2.2 AA, kept by tests: axe-core (from its npm package,
tests/browser/node_modules, installed by `make test-browser`) runs on every
page each role can open, at 1280 px and on a 390 px phone, in French,
English and Arabic, and finds no serious or critical violation. The pages
come from the application's url_map, filled in with the demo programme's
ids, so a new page is checked as soon as it exists. Then the keyboard: Tab
reaches the day grid's and a form's controls with a visible focus; a form's
errors are linked to their fields; each choice of the attendance grid
names the participant and the half-day."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from training.auth.models import User
from training.certificates import signing
from training.certificates.models import Certificate, CertificateStatus
from training.enrollment.models import Enrollment, EnrollmentStatus
from training.extensions import db
from training.people.models import Participant
from training.sessions.models import Assignment, SessionStatus, TrainingSession

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 390, "height": 844}}
LOCALES = {"fr": "fr-FR", "en": "en-GB", "ar": "ar"}
ROLES = {
    "admin": "admin@example.org",
    "coordinator": "coordinator@example.org",
    "trainer": "trainer@example.org",
    "participant": "participant@example.org",
}
# A job (an import, a batch) or a mail that the demo may not have made yet.
MAYBE_NOT_IN_DEMO = {"job_id", "message_id"}
BLOCKING = {"serious", "critical"}
# Files, feeds and machine documents, not pages a person reads.
NOT_PAGES = re.compile(r"\.(pdf|zip|csv|xlsx|ics|json|js)$|^/(static|bootstrap|api)/")
NOT_PAGE_ENDPOINTS = {
    "home.healthz": "a probe",
    "ops.readyz": "a probe",
    "ops.metrics": "Prometheus text",
    "attendance.download_scan": "a scanned sheet's file",
    "mail.attachment": "a mail's attached file",
    "jobs.result": "a job's file",
    "accounts.open_link": "a one-time link from a letter (its token is in no demo row)",
}


@dataclass(frozen=True)
class DemoIds:
    """The demo programme's objects that fill the url_map's parameters."""

    values: dict[str, str]
    by_endpoint: dict[tuple[str, str], str]


def demo_ids(live_app) -> DemoIds:
    today = date.today()
    with live_app.app_context():
        trainer_user = db.session.scalars(
            sa.select(User).where(User.email == ROLES["trainer"])
        ).one()
        participant_user = db.session.scalars(
            sa.select(User).where(User.email == ROLES["participant"])
        ).one()
        coordinator = db.session.scalars(
            sa.select(User).where(User.email == ROLES["coordinator"])
        ).one()
        assignment = db.session.scalars(
            sa.select(Assignment)
            .join(TrainingSession)
            .where(
                Assignment.trainer_id == trainer_user.trainer_id,
                TrainingSession.status == SessionStatus.IN_PROGRESS,
                TrainingSession.start_date <= today,
                TrainingSession.end_date >= today,
            )
            .order_by(TrainingSession.id)
            .limit(1)
        ).one()
        training_session = assignment.training_session
        enrollment = db.session.scalars(
            sa.select(Enrollment)
            .where(
                Enrollment.session_id == training_session.id,
                Enrollment.status == EnrollmentStatus.CONFIRMED,
            )
            .order_by(Enrollment.id)
            .limit(1)
        ).one()
        participant = db.session.get(Participant, participant_user.participant_id)
        other = db.session.scalars(
            sa.select(Participant)
            .where(Participant.id != participant.id)
            .order_by(Participant.id)
            .limit(1)
        ).one()
        certificate = db.session.scalars(
            sa.select(Certificate)
            .where(
                Certificate.status == CertificateStatus.VALID,
                Certificate.signed_payload.is_not(None),
            )
            .order_by(Certificate.id)
            .limit(1)
        ).one()
        module = training_session.curriculum.modules[0]
        from training.jobs.models import Job
        from training.mail.models import OutboxMessage

        job_id = db.session.scalar(sa.select(sa.func.min(Job.id)))
        message_id = db.session.scalar(sa.select(sa.func.min(OutboxMessage.id)))
        values = {
            "session_id": str(training_session.id),
            "day": today.isoformat(),
            "enrollment_id": str(enrollment.id),
            "assignment_id": str(assignment.id),
            "curriculum_id": str(training_session.curriculum_id),
            "module_id": str(module.id),
            "user_id": str(coordinator.id),
            "participant_id": str(participant.id),
            "other_id": str(other.id),
            "trainer_id": str(trainer_user.trainer_id),
            "organisation_id": str(participant.organisation_id),
        }
        if job_id is not None:
            values["job_id"] = str(job_id)
        if message_id is not None:
            values["message_id"] = str(message_id)
        signed = signing.encode_code(certificate.signed_payload)
        by_endpoint = {
            ("certificates.verify_code", "code"): certificate.verification_code,
            ("certificates.verify_signed", "code"): signed,
            ("home.alert_list", "name"): "nominees_awaiting_screening",
        }
        return DemoIds(values, by_endpoint)


def candidate_pages(live_app, ids: DemoIds) -> list[str]:
    """Every GET rule of the url_map that serves a page, with demo ids. A
    parameter the demo cannot fill fails here, so that a new page is not
    left out of the check in silence."""
    paths: set[str] = set()
    unfilled: list[str] = []
    for rule in live_app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGE_ENDPOINTS:
            continue
        if rule.endpoint.startswith("api.") or NOT_PAGES.search(rule.rule):
            continue
        path = rule.rule
        for name in sorted(rule.arguments):
            value = ids.by_endpoint.get((rule.endpoint, name), ids.values.get(name))
            if value is None:
                if name not in MAYBE_NOT_IN_DEMO:
                    unfilled.append(f"{rule.endpoint} <{name}>")
                break
            path = re.sub(rf"<(?:[^<>:]+:)?{name}>", value, path)
        else:
            paths.add(path)
    assert not unfilled, "no demo value for: " + ", ".join(unfilled)
    return sorted(paths)


def pages_for(context, paths: list[str]) -> list[str]:
    """The paths this context opens as a page of its own (200, HTML, not a
    redirect elsewhere)."""
    found = []
    for path in paths:
        response = context.request.get(path, max_redirects=0)
        if response.status == 200 and response.headers.get("content-type", "").startswith(
            "text/html"
        ):
            found.append(path)
    return found


def run_axe(tab) -> list[dict]:
    if not tab.evaluate("typeof window.axe !== 'undefined'"):
        tab.add_script_tag(path=str(AXE))
    return tab.evaluate(
        """async () => {
            // Two frames first: the page's own scripts (js/a11y.js) settle
            // what a ResizeObserver tells them, as before any key is pressed.
            await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map((n) => ({
                    target: n.target.join(" "), summary: n.failureSummary,
                    html: n.html.slice(0, 160)})),
                count: v.nodes.length}));
        }"""
    )


def legible(failures: list[tuple[str, dict]]) -> str:
    lines = [f"{len(failures)} serious or critical axe violations:"]
    for where, violation in failures:
        lines.append(
            f"- {where}: [{violation['impact']}] {violation['id']}: {violation['help']}"
            f" ({violation['count']} elements)"
        )
        for node in violation["nodes"]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}  {node['html']}\n      {summary}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def axe_ready() -> Path:
    if not AXE.exists():
        pytest.fail(
            f"{AXE} is missing: run `make test-browser` (or `npm ci --prefix tests/browser`)"
        )
    return AXE


def set_locale(live_app, email: str, locale: str | None) -> str | None:
    with live_app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == email)).one()
        before, user.locale = user.locale, locale
        db.session.commit()
        return before


# `make test` checks each page of a role in one language and one width,
# rotating through the six so that every language and width is seen on
# every kind of page across the sweep (about 2 minutes); ATELIER_A11Y_FULL=1
# (`make test-a11y`) checks every page in every language at both widths.
FULL_SWEEP = os.environ.get("ATELIER_A11Y_FULL") == "1"


def share(paths: list[str], locale: str) -> list[str]:
    """The pages checked in `locale`: all of them in the full sweep, else a third."""
    if FULL_SWEEP:
        return paths
    turn = list(LOCALES).index(locale)
    return [path for index, path in enumerate(paths) if index % len(LOCALES) == turn]


def widths(index: int) -> list[tuple[str, dict]]:
    if FULL_SWEEP:
        return list(VIEWPORTS.items())
    name = list(VIEWPORTS)[(index // len(LOCALES)) % len(VIEWPORTS)]
    return [(name, VIEWPORTS[name])]


def check_pages(tab, paths: list[str], who: str, locale: str) -> list[tuple[str, dict]]:
    failures = []
    for index, path in enumerate(paths):
        tab.set_viewport_size(VIEWPORTS["desktop"])
        tab.goto(path)
        tab.wait_for_load_state("load")
        assert tab.locator("html").get_attribute("lang") == locale, path
        for name, size in widths(index):
            tab.set_viewport_size(size)
            for violation in run_axe(tab):
                if violation["impact"] in BLOCKING:
                    failures.append((f"{who} {locale} {name} {path}", violation))
    return failures


def test_every_page_of_every_role_passes_axe_in_every_language_on_desk_and_phone(
    browser, live_app, live_server, sign_in, axe_ready
):
    paths = candidate_pages(live_app, demo_ids(live_app))
    failures: list[tuple[str, dict]] = []
    checked = 0

    # A visitor who is not signed in: the sign-in, password and verification pages.
    anonymous_pages: list[str] = []
    for locale, accept in LOCALES.items():
        context = browser.new_context(base_url=live_server, locale=accept, bypass_csp=True)
        context.set_default_timeout(15_000)
        try:
            if not anonymous_pages:
                anonymous_pages = pages_for(context, paths)
                assert {"/login", "/verify"} <= set(anonymous_pages), anonymous_pages
            tab = context.new_page()
            shared = (
                share(anonymous_pages, locale) if len(anonymous_pages) >= 6 else anonymous_pages
            )
            failures += check_pages(tab, shared, "anonymous", locale)
            checked += len(shared)
        finally:
            context.close()

    # Each role, signed in once; its language is its account's preference.
    own_paths = [path for path in paths if path not in anonymous_pages]
    for role, email in ROLES.items():
        context = browser.new_context(base_url=live_server, locale="en-GB", bypass_csp=True)
        context.set_default_timeout(15_000)
        original = set_locale(live_app, email, "en")
        try:
            tab = context.new_page()
            sign_in(tab, email)
            role_pages = pages_for(context, own_paths)
            assert "/" in role_pages, f"{role} has no home page"
            for locale in LOCALES:
                set_locale(live_app, email, locale)
                failures += check_pages(tab, share(role_pages, locale), role, locale)
                checked += len(share(role_pages, locale))
        finally:
            set_locale(live_app, email, original)
            context.close()

    assert checked > (200 if FULL_SWEEP else 40), f"only {checked} page views checked"
    assert not failures, legible(failures)


FOCUS_RING = """(element) => {
    // A radio of the day grid is drawn by its label (Bootstrap's .btn-check).
    const drawn = element.matches(".btn-check") ? element.nextElementSibling : element;
    const style = getComputedStyle(drawn);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    return outline || style.boxShadow !== "none";
}"""


def tab_to(tab, selector: str, limit: int = 80) -> None:
    """Tab until the focus is on `selector`, and its focus is visible."""
    for _ in range(limit):
        tab.keyboard.press("Tab")
        if tab.evaluate(f"document.activeElement.matches({selector!r})"):
            focused = tab.locator(":focus")
            assert focused.evaluate(FOCUS_RING), f"{selector} has no visible focus"
            return
    pytest.fail(f"{limit} presses of Tab never reached {selector}")


def test_the_day_grid_by_keyboard_and_screen_reader(browser, live_server, sign_in, axe_ready):
    context = browser.new_context(
        base_url=live_server, viewport=VIEWPORTS["desktop"], locale="en-GB"
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    try:
        sign_in(tab, ROLES["trainer"])
        today = date.today().isoformat()
        tab.locator(f'a[href$="/attendance/{today}"]').first.click()
        tab.wait_for_load_state("load")

        # Each choice names the participant and the half-day.
        first_row = tab.locator(".att-row:not(.att-head)").first
        name = " ".join(first_row.locator(".att-name strong").inner_text().split())
        choice = first_row.locator("input[type=radio]").first
        label = tab.locator(f'label[for="{choice.get_attribute("id")}"]')
        spoken = " ".join(label.inner_text().split()).upper()
        assert name.upper() in spoken
        assert re.search(r"MORNING|AFTERNOON", spoken), spoken

        # The keyboard reaches the search, "everyone present" and a choice;
        # Space picks it, with the focus in sight all the way.
        tab_to(tab, "#att-query")
        tab_to(tab, "[data-fill]")
        tab_to(tab, ".att-cell input[type=radio]")
        tab.keyboard.press("Space")
        assert tab.evaluate("document.activeElement.checked")
        tab_to(tab, "button[name=save]", limit=300)
    finally:
        context.close()


def test_a_form_error_is_announced_and_linked_to_its_field(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport=VIEWPORTS["phone"], locale="fr-FR")
    tab = context.new_page()
    try:
        tab.goto("/verify")
        tab_to(tab, "#code")
        tab.keyboard.type("???")
        tab.keyboard.press("Enter")
        tab.wait_for_load_state("load")
        field = tab.locator("#code")
        expect(field).to_have_attribute("aria-invalid", "true")  # set by js/a11y.js
        error = tab.locator(f"#{field.get_attribute('aria-describedby').split()[-1]}")
        assert error.is_visible()
        assert "numéro imprimé" in error.inner_text()  # "Saisissez le numéro imprimé ..."
        # The field in error has the focus, so a screen reader reads it with its error.
        assert tab.evaluate("document.activeElement.id") == "code"
        assert field.evaluate(FOCUS_RING)
    finally:
        context.close()
