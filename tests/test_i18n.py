"""Two languages from the first line: every message is translated into
French, and the locale follows the user, then the browser, then the default."""

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale, format_date, format_decimal, ngettext

from tests import factories
from training.auth.models import User
from training.extensions import db

ROOT = Path(__file__).resolve().parents[1]
FRENCH_PO = ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
FRENCH_MO = FRENCH_PO.with_suffix(".mo")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "translations/babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "lazy_pgettext:1c,2",
            "-k",
            "lazy_ngettext:1,2",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as handle:
        return read_po(handle)


def _french():
    with FRENCH_PO.open("rb") as handle:
        return read_po(handle, locale="fr")


def test_every_message_has_a_french_translation(extracted):
    french = _french()
    missing, empty = [], []
    for message in extracted:
        if not message.id:
            continue
        translated = french.get(message.id, message.context)
        if translated is None:
            missing.append(message.id)
        elif isinstance(translated.string, tuple | list):
            if not all(translated.string):
                empty.append(message.id)
        elif not translated.string or translated.fuzzy:
            empty.append(message.id)
    assert not missing, f"{len(missing)} messages missing from the French catalog: {missing[:20]}"
    assert not empty, f"{len(empty)} messages untranslated or fuzzy in French: {empty[:20]}"


def test_the_compiled_french_catalog_is_up_to_date():
    def plain(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    with FRENCH_MO.open("rb") as handle:
        compiled = read_mo(handle)
    source = {(m.id, m.context): m.string for m in _french() if m.id and not m.fuzzy}
    stale = [
        key
        for key, value in source.items()
        if compiled.get(*key) is None or plain(compiled.get(*key).string) != plain(value)
    ]
    assert not stale, f"run `make translations`: {len(stale)} messages differ in the .mo"


def test_browser_language_is_used_when_the_user_has_none(client):
    page = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert '<html lang="fr">' in page.get_data(as_text=True)
    assert "Se connecter" in page.get_data(as_text=True)
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Sign in to Atelier" in page.get_data(as_text=True)


def test_configured_default_when_the_browser_says_nothing_useful(app, client):
    default = app.config["BABEL_DEFAULT_LOCALE"]
    page = client.get("/login", headers={"Accept-Language": "de-DE"})
    assert f'<html lang="{default}">' in page.get_data(as_text=True)


def test_user_preference_wins_over_the_browser(client, login_as):
    login_as("coordinator", locale="fr")
    page = client.get("/", headers={"Accept-Language": "en"})
    assert '<html lang="fr">' in page.get_data(as_text=True)


def test_language_switcher_changes_the_page_and_the_preference(client, login_as):
    user = login_as("trainer", locale="en")
    response = client.post("/language", data={"locale": "fr", "next": "/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "fr"


def test_language_switcher_works_before_sign_in(client):
    client.post("/language", data={"locale": "fr", "next": "/login"})
    page = client.get("/login", headers={"Accept-Language": "en"})
    assert '<html lang="fr">' in page.get_data(as_text=True)


def test_unknown_language_and_foreign_next_are_ignored(client):
    response = client.post("/language", data={"locale": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil" not in response.headers["Location"]


def test_dates_and_numbers_follow_the_locale(app):
    day = date(2026, 11, 26)
    with app.test_request_context():
        with force_locale("fr"):
            assert format_date(day, "long") == "26 novembre 2026"
            assert format_decimal(1234.5) == "1\u202f234,5"
        with force_locale("en"):
            assert format_date(day, "long") == "November 26, 2026"
            assert format_decimal(1234.5) == "1,234.5"


def test_country_names_follow_the_locale(app):
    from training.formatting import country_name

    assert country_name("TD", "fr") == "Tchad"
    assert country_name("TD", "en") == "Chad"
    assert factories  # the factories module imports cleanly with the app


# French typography and grammar ----------------------------------------------------

NBSP = "\u00a0"


def test_french_colons_and_semicolons_have_a_no_break_space_before_them():
    wrong = []
    for message in _french():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            if message.id and re.search(rf"[^{NBSP}][:;?!](?!//)", string or ""):
                wrong.append(string)
    assert not wrong, wrong


def test_templates_keep_colons_inside_the_translated_text():
    """`{{ _("Country") }}:` would lose French's space before the colon."""
    outside = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in (ROOT / "templates").rglob("*.html")
        for match in re.finditer(r"_\([^()]*\)\s*\}\}\s*:", path.read_text(encoding="utf-8"))
    ]
    assert not outside, outside


def test_percentages_follow_the_locale(app):
    from training.formatting import percent

    assert percent(0.255, 1, "en") == "25.5%"
    assert percent(0.255, 1, "fr") == f"25,5{NBSP}%"
    assert percent(0.8, locale_name="fr") == f"80{NBSP}%"
    assert percent(None) == ""


def test_counts_agree_with_their_number_in_french(app):
    with app.test_request_context(), force_locale("fr"):
        assert ngettext("%(num)d nominee imported.", "%(num)d nominees imported.", 1) == (
            "1 candidat importé."
        )
        assert ngettext("%(num)d nominee imported.", "%(num)d nominees imported.", 3) == (
            "3 candidats importés."
        )
        assert ngettext("%(count)s woman", "%(count)s women", 0, count="0") == "0 femme"


def test_words_with_two_roles_read_right_in_french(client, login_as):
    training_session = factories.make_session(code="NE-2026-042", capacity=25)
    factories.enroll(training_session=training_session)
    db.session.commit()
    login_as("coordinator", locale="fr")
    sessions = client.get("/sessions").get_data(as_text=True)
    assert ">Filtrer</button>" in sessions  # the button, not the noun "Filtre"
    assert ">Confirmés</th>" in sessions  # a count of people, not a status
    page = client.get(f"/sessions/{training_session.id}").get_data(as_text=True)
    assert "<th>Ensemble</th>" in page  # the total row, not "Tous"
    assert "<td>Confirmé</td>" in page  # the status stays singular
    assert f"Curriculum{NBSP}:" in page
    enrollments = client.get(f"/sessions/{training_session.id}/enrollments").get_data(as_text=True)
    assert "Confirmés <span" in enrollments and "Retirés <span" in enrollments


def test_curriculum_page_writes_percentages_and_durations_in_french(client, login_as):
    from training.models import Module

    curriculum = factories.make_curriculum(modules=0, min_attendance_percent=80)
    curriculum.modules.append(
        Module(
            title_en="Opening",
            title_fr="Ouverture",
            aim="Set the scene",
            duration_minutes=1,
            position=1,
        )
    )
    db.session.commit()
    login_as("coordinator", locale="fr")
    page = client.get(f"/curricula/{curriculum.id}").get_data(as_text=True)
    assert f"80{NBSP}%" in page
    assert "1 minute<" in page
    assert f"Objectif{NBSP}:</span> Set the scene" in page
