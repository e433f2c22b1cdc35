"""First browser journeys: each demo role signs in and sees its home page; a
wrong password is refused; the language switcher turns the page French."""

import pytest

ROLES = {
    "admin@example.org": "Users",
    "coordinator@example.org": "Sessions",
    "trainer@example.org": "Sessions",
    "participant@example.org": "My trainings",
}


@pytest.mark.parametrize("email", list(ROLES))
def test_each_demo_role_signs_in_and_sees_its_home(page, sign_in, screenshot, email):
    page.goto("/login")
    page.get_by_role("button", name="English").click()
    sign_in(page, email)
    assert page.url.endswith("/")
    # The demo coordinator prefers French: read the page in English, then
    # give the preference back.
    preferred = page.locator("html").get_attribute("lang")
    if preferred != "en":
        page.get_by_role("button", name="English").click()
    assert page.locator("h1").first.inner_text().startswith("Welcome")
    nav = page.locator("nav").inner_text()
    assert ROLES[email] in nav
    if email != "admin@example.org":
        assert "Users" not in nav
    role = email.split("@")[0]
    screenshot(page, f"home-{role}", docs=role == "coordinator")
    if preferred == "fr":
        page.get_by_role("button", name="Français").click()


def test_a_wrong_password_is_refused(page, screenshot):
    page.goto("/login")
    page.get_by_role("button", name="English").click()
    page.fill("input[name=email]", "coordinator@example.org")
    page.fill("input[name=password]", "not-the-password")
    page.locator("form [type=submit]").first.click()
    assert "The email or password is not correct." in page.content()
    assert "/login" in page.url
    screenshot(page, "sign-in-refused")


def test_the_language_switcher_turns_the_page_french(page, sign_in, screenshot):
    page.goto("/login")
    page.get_by_role("button", name="English").click()
    screenshot(page, "sign-in", docs=True)
    sign_in(page, "trainer@example.org")
    page.get_by_role("button", name="Français").click()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "Bienvenue" in page.locator("h1").first.inner_text()
    assert "Se déconnecter" in page.content()
    screenshot(page, "home-trainer-fr")
    page.get_by_role("button", name="English").click()  # leave the demo user in English


def test_the_shell_reads_well_on_a_phone(phone_page, sign_in, screenshot):
    sign_in(phone_page, "coordinator@example.org")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    phone_page.locator(".navbar-toggler").click()
    phone_page.wait_for_selector("#mainNav.show")
    screenshot(phone_page, "home-coordinator-phone")
