"""The session form in a real browser: nothing preselected, the curricula
narrowed to the chosen theme, the partners found by typing; on a phone in
French and at a desk in English and Arabic."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from training.auth.models import User
from training.extensions import db
from training.people.models import Organisation

COORDINATOR = "coordinator@example.org"


def _set_locale(live_app, locale: str | None) -> str | None:
    """The coordinator's preferred language set to `locale`; the one before."""
    with live_app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == COORDINATOR))
        assert user is not None
        before, user.locale = user.locale, locale
        db.session.commit()
        db.session.remove()
    return before


def _a_partner(live_app) -> tuple[int, str]:
    """(id, name) of a demo organisation, picked by state, not by id."""
    with live_app.app_context():
        organisation = db.session.scalars(
            sa.select(Organisation)
            .where(Organisation.country.is_not(None))
            .order_by(Organisation.name)
        ).first()
        assert organisation is not None
        return organisation.id, organisation.name


@pytest.mark.parametrize(
    ("locale", "width", "placeholder"),
    [
        ("fr", 390, "— Choisir un thème —"),
        ("en", 1280, "— Choose a theme —"),
        ("ar", 390, "— اختر موضوعًا —"),
    ],
)
def test_the_session_form_starts_unchosen_and_narrows_as_you_go(
    browser, live_server, live_app, sign_in, screenshot, locale, width, placeholder
):
    context = browser.new_context(
        base_url=live_server,
        viewport={"width": width, "height": 844},
        locale=locale,
        is_mobile=width < 600,
        has_touch=width < 600,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    before = _set_locale(live_app, locale)
    try:
        sign_in(page, COORDINATOR)
        page.goto("/sessions/new")
        theme = page.locator("select[name=theme]")
        expect(theme).to_have_value("")
        expect(theme.locator("option:checked")).to_have_text(placeholder)
        expect(page.locator("select[name=curriculum_id]")).to_have_value("")
        # The country is asked for too, the G5 Sahel first, then the others.
        country = page.locator("select[name=country]")
        expect(country).to_have_value("")
        groups = country.locator("optgroup")
        expect(groups).to_have_count(2)
        expect(groups.first.locator("option")).to_have_count(5)
        g5 = groups.first.locator("option").evaluate_all("options => options.map(o => o.value)")
        assert sorted(g5) == ["BF", "ML", "MR", "NE", "TD"], g5

        # The theme narrows the curricula to its own.
        theme.select_option("drugs")
        offered = page.locator(
            "select[name=curriculum_id] option:not([disabled])[value]:not([value=''])"
        )
        themes = {option.get_attribute("data-theme") for option in offered.all()}
        assert themes <= {"drugs"}, themes

        # The partners' box finds one by typing part of its name.
        partner_id, name = _a_partner(live_app)
        search = page.locator("#partners-filter")
        expect(search).to_be_visible()
        search.fill(name[:6].lower())
        expect(page.locator(f"#partners-{partner_id}")).to_be_visible()
        search.fill("zzzz-nothing")
        expect(page.locator(f"#partners-{partner_id}")).to_be_hidden()
        expect(page.locator("[data-filter-empty]")).to_be_visible()
        search.fill("")
        page.locator(f"label[for=partners-{partner_id}]").click()
        expect(page.locator(f"#partners-{partner_id}")).to_be_checked()
        # The page fits the phone: no sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"session-form-{locale}-{width}")
    finally:
        context.close()
        _set_locale(live_app, before)
