"""Country lists that start right: the G5 Sahel first (or the user's own
country, then the G5 Sahel), a separator, then every other country sorted
in the reader's language; built once per locale and kept."""

from __future__ import annotations

import re

import pytest

from tests import factories
from training.formatting import country_groups
from training.text import fold

G5 = {"BF", "TD", "ML", "MR", "NE"}


def _select(page: str, name: str) -> str:
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert match, f"no select named {name}"
    return match.group(1)


def _options(select: str) -> list[tuple[str, str]]:
    return re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', select)


def _groups(select: str) -> list[str]:
    return re.findall(r'<optgroup label="([^"]*)">', select)


def test_the_cache_keeps_one_list_per_locale(app):
    french = country_groups("fr")
    assert country_groups("fr") is french
    english = country_groups("en")
    assert english is not french
    assert [name for _, name in french.first] == [
        "Burkina Faso",
        "Mali",
        "Mauritanie",
        "Niger",
        "Tchad",
    ]
    assert [name for _, name in english.first] == [
        "Burkina Faso",
        "Chad",
        "Mali",
        "Mauritania",
        "Niger",
    ]
    assert [code for code, _ in french.first] != [code for code, _ in english.first]
    # The others, sorted by name in each language, accents aside.
    assert [code for code, _ in french.others][:2] == ["AF", "ZA"]  # Afghanistan, Afrique du Sud
    assert french.others[[c for c, _ in french.others].index("EG") + 1][1] != "Zimbabwe"
    assert not G5 & {code for code, _ in french.others}
    assert len(french.first) + len(french.others) >= 249


def test_a_home_country_comes_first_then_the_g5(app):
    senegal = country_groups("fr", "SN")
    assert senegal is country_groups("fr", "SN")
    assert senegal.first[0] == ("SN", "Sénégal")
    assert {code for code, _ in senegal.first[1:]} == G5
    assert "SN" not in {code for code, _ in senegal.others}
    mali = country_groups("fr", "ML")
    assert [code for code, _ in mali.first] == ["ML", "BF", "MR", "NE", "TD"]


@pytest.mark.parametrize(
    ("locale", "first", "group", "others"),
    [
        ("fr", ["Burkina Faso", "Mali", "Mauritanie", "Niger", "Tchad"], "G5 Sahel", "Autres pays"),
        (
            "en",
            ["Burkina Faso", "Chad", "Mali", "Mauritania", "Niger"],
            "G5 Sahel",
            "Other countries",
        ),
        (
            "ar",
            [name for _, name in country_groups("ar").first],
            "مجموعة دول الساحل الخمس",
            "البلدان الأخرى",
        ),
    ],
)
def test_the_organisation_form_starts_with_the_g5_sahel(
    client, login_as, locale, first, group, others
):
    login_as("coordinator", locale=locale)
    page = client.get("/organisations/new").get_data(as_text=True)
    select = _select(page, "country")
    options = _options(select)
    assert options[0][0] == ""  # "—": a UN entity has no country
    assert [name for _, name in options[1:6]] == first
    assert {code for code, _ in options[1:6]} == G5
    assert _groups(select) == [group, others]
    assert "Afghanistan" not in select[: select.index(f'label="{others}"')]


def test_the_arabic_list_is_sorted_in_arabic(app):
    arabic = country_groups("ar")
    assert {code for code, _ in arabic.first} == G5
    names = [name for _, name in arabic.first]
    assert names == sorted(names, key=fold) and "بوركينا فاسو" in names
    # In Arabic letters' order: Niger, with its article, before Burkina Faso.
    assert names.index("النيجر") < names.index("بوركينا فاسو")
    assert [code for code, _ in arabic.others] != [code for code, _ in country_groups("en").others]


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/sessions/new", "country"),
        ("/sessions", "country"),
        ("/participants/new", "nationality"),
        ("/participants", "country"),
        ("/organisations", "country"),
        ("/reports", "country"),
    ],
)
def test_every_country_select_starts_with_the_g5_sahel(client, login_as, url, name):
    login_as("coordinator", locale="fr")
    response = client.get(url)
    assert response.status_code == 200
    options = _options(_select(response.get_data(as_text=True), name))
    assert options[0][0] == ""
    assert {code for code, _ in options[1:6]} == G5
    assert options[1][1] == "Burkina Faso"


def test_the_session_form_asks_for_a_country(client, login_as):
    login_as("coordinator", locale="fr")
    page = client.get("/sessions/new").get_data(as_text=True)
    options = _options(_select(page, "country"))
    assert options[0] == ("", "— Choisir un pays —")
    assert "selected" not in _select(page, "country")


def test_the_users_own_country_comes_first(client, login_as):
    """A trainer's record names their organisation, and so their country."""
    senegal = factories.make_organisation(country="SN")
    trainer = factories.make_trainer(organisation=senegal)
    login_as("trainer", locale="fr", trainer=trainer)
    select = _select(client.get("/sessions").get_data(as_text=True), "country")
    options = _options(select)
    assert options[1] == ("SN", "Sénégal")
    assert {code for code, _ in options[2:7]} == G5
    assert _groups(select) == ["Votre pays et le G5 Sahel", "Autres pays"]


def test_a_chosen_country_is_kept_and_a_bad_one_refused(client, login_as):
    login_as("coordinator", locale="en")
    page = client.get("/organisations?country=NE").get_data(as_text=True)
    assert re.search(r'<option selected value="NE">|<option value="NE" selected>', page)
    response = client.get("/reports?country=XX")
    assert response.status_code == 400
