"""Three languages: every message is translated into French and Arabic
(placeholders kept, Arabic's six plural forms), and the locale follows the
user, then the browser, then the default. Arabic pages are right to left
with Latin digits."""

import json
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
ARABIC_PO = ROOT / "translations" / "ar" / "LC_MESSAGES" / "messages.po"
ARABIC_MO = ARABIC_PO.with_suffix(".mo")
# What a translation must keep of its message: %-placeholders, {}-placeholders
# (the pages' scripts fill them), HTML tags and the escaped percent sign.
PLACEHOLDER = re.compile(r"%%|%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\}|<[^>]+>")


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


def _arabic():
    with ARABIC_PO.open("rb") as handle:
        return read_po(handle, locale="ar")


CATALOGS = {"French": (_french, FRENCH_MO), "Arabic": (_arabic, ARABIC_MO)}


@pytest.mark.parametrize("language", CATALOGS)
def test_every_message_has_a_translation(extracted, language):
    catalog = CATALOGS[language][0]()
    missing, empty = [], []
    for message in extracted:
        if not message.id:
            continue
        translated = catalog.get(message.id, message.context)
        if translated is None:
            missing.append(message.id)
        elif isinstance(translated.string, tuple | list):
            if not all(translated.string):
                empty.append(message.id)
        elif not translated.string or translated.fuzzy:
            empty.append(message.id)
    assert not missing, (
        f"{len(missing)} messages missing from the {language} catalog: {missing[:20]}"
    )
    assert not empty, f"{len(empty)} messages untranslated or fuzzy in {language}: {empty[:20]}"


@pytest.mark.parametrize("language", CATALOGS)
def test_the_compiled_catalog_is_up_to_date(language):
    def plain(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    read_catalog, compiled_path = CATALOGS[language]
    with compiled_path.open("rb") as handle:
        compiled = read_mo(handle)
    source = {(m.id, m.context): m.string for m in read_catalog() if m.id and not m.fuzzy}
    stale = [
        key
        for key, value in source.items()
        if compiled.get(*key) is None or plain(compiled.get(*key).string) != plain(value)
    ]
    assert not stale, f"run `make translations`: {len(stale)} messages differ in the .mo"


@pytest.mark.parametrize("language", CATALOGS)
def test_translations_keep_the_placeholders_and_tags_of_their_message(language):
    wrong = []
    for message in CATALOGS[language][0]():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        # A plural form keeps those of the singular or of the plural message.
        wanted = [sorted(PLACEHOLDER.findall(text)) for text in ids]
        wrong += [
            text for text in strings if text and sorted(PLACEHOLDER.findall(text)) not in wanted
        ]
    assert not wrong, wrong[:20]


def test_arabic_has_its_six_plural_forms():
    arabic = _arabic()
    assert arabic.num_plurals == 6
    plurals = [message for message in arabic if message.id and isinstance(message.id, tuple)]
    assert plurals and all(len(message.string) == 6 for message in plurals)


def test_counts_agree_with_their_number_in_arabic(app):
    message = ("%(num)d participant", "%(num)d participants")
    with app.test_request_context(), force_locale("ar"):
        forms = {count: ngettext(*message, count) for count in (0, 1, 2, 3, 11, 100)}
    assert forms == {
        0: "0 مشارك",
        1: "1 مشارك",
        2: "2 مشاركان",  # two: the dual
        3: "3 مشاركين",  # few: 3 to 10
        11: "11 مشاركًا",  # many: 11 to 99
        100: "100 مشارك",  # other
    }


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
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "fr"


def test_language_switcher_works_before_sign_in(client):
    client.post("/language", data={"locale": "fr", "next": "/login"})
    page = client.get("/login", headers={"Accept-Language": "en"})
    assert '<html lang="fr">' in page.get_data(as_text=True)


def test_unknown_language_and_foreign_next_are_ignored(client):
    response = client.post("/language", data={"locale": "xx", "next": "https://evil.example/"})
    assert response.status_code == 303
    assert "evil" not in response.headers["Location"]


def test_dates_and_numbers_follow_the_locale(app):
    day = date(2026, 11, 26)
    with app.test_request_context():
        # Arabic with Latin digits (Chad's and Mauritania's usage), never ٠١٢.
        with force_locale("ar"):
            assert format_date(day, "long") == "26 نوفمبر 2026"
            assert format_decimal(1234.5) == "1,234.5"
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
    assert country_name("TD", "ar") == "تشاد"
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
    assert percent(0.255, 1, "ar") == "25.5%"
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
    assert f"1{NBSP}min<" in page
    assert f"Objectif{NBSP}:</span> <bdi>Set the scene</bdi>" in page


# Arabic: right to left ---------------------------------------------------------------


def test_an_arabic_browser_gets_the_page_in_arabic_right_to_left(client):
    page = client.get("/login", headers={"Accept-Language": "ar-TD,ar;q=0.9,fr;q=0.5"}).text
    assert '<html lang="ar" dir="rtl">' in page
    assert "تسجيل الدخول إلى Atelier" in page
    # Bootstrap's own right-to-left build, served by Atelier, instead of the other.
    assert "/static/vendor/bootstrap/bootstrap.rtl.min.css?v=" in page
    assert "bootstrap/static/css/bootstrap.min.css" not in page
    # A left-to-right page says nothing of its direction, and loads the usual build.
    french = client.get("/login", headers={"Accept-Language": "fr"}).text
    assert '<html lang="fr">' in french and "bootstrap.rtl" not in french


def test_the_switcher_offers_arabic_and_keeps_it_as_the_preference(client, login_as):
    user = login_as("coordinator", locale="fr")
    page = client.get("/").text
    assert 'name="locale" value="ar" lang="ar" dir="rtl"' in page and "العربية" in page
    client.post("/language", data={"locale": "ar", "next": "/"})
    assert '<html lang="ar" dir="rtl">' in client.get("/", headers={"Accept-Language": "en"}).text
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "ar"


def test_arabic_can_be_chosen_for_an_account(client, login_as):
    login_as("admin")
    page = client.get("/admin/users/new").text
    assert '<option value="ar">العربية</option>' in page


def test_the_pages_scripts_get_every_plural_form_of_arabic(client, login_as):
    login_as("trainer", locale="ar")
    page = client.get("/").text
    strings = json.loads(
        page.split('<script type="application/json" id="outbox-strings">')[1].split("</script>")[0]
    )
    assert set(strings["waiting"]) == {"zero", "one", "two", "few", "many", "other"}
    assert strings["waiting"]["two"] == "{count} تغييران في انتظار الإرسال"
    assert strings["waiting"]["many"] == "{count} تغييرًا في انتظار الإرسال"


def test_plural_samples_name_a_number_of_each_category():
    from training.web.i18n import plural_samples

    assert dict(plural_samples("ar")) == {
        "zero": 0,
        "one": 1,
        "two": 2,
        "few": 3,
        "many": 11,
        "other": 100,
    }
    assert dict(plural_samples("fr")) == {"one": 0, "other": 2, "many": 1_000_000}
    assert dict(plural_samples("en")) == {"other": 0, "one": 1}


def test_names_codes_and_emails_keep_their_own_direction(app):
    from training.web.i18n import isolate, joined

    assert isolate("Aïcha <b>") == "<bdi>Aïcha &lt;b&gt;</bdi>"
    assert isolate("a.traore@example.org", "ltr") == '<bdi dir="ltr">a.traore@example.org</bdi>'
    assert isolate(None) == ""
    with app.test_request_context():
        with force_locale("ar"):
            assert joined("Niamey", "النيجر", None) == "<bdi>Niamey</bdi>، <bdi>النيجر</bdi>"
        with force_locale("fr"):
            assert joined("Niamey", "Niger") == "<bdi>Niamey</bdi>, <bdi>Niger</bdi>"


def test_a_phone_number_reads_left_to_right_in_arabic(client, login_as):
    participant = factories.make_participant(phone="+227 90 00 00 01")
    db.session.commit()
    login_as("coordinator", locale="ar")
    page = client.get(f"/participants/{participant.id}").text
    assert '<bdi dir="ltr">+227 90 00 00 01</bdi>' in page


def test_the_overview_names_the_half_days_in_the_language(client, login_as):
    training_session = factories.make_session()
    factories.enroll(training_session=training_session)
    db.session.commit()
    login_as("coordinator", locale="ar")
    page = client.get(f"/sessions/{training_session.id}/attendance").text
    assert 'title="الصباح">ص</th>' in page and 'title="بعد الظهر">م</th>' in page


def test_dates_keep_their_order_beside_latin_codes_in_arabic(app):
    """Arabic dates carry right-to-left marks between their numbers; beside a
    Latin code they are isolated (U+2068 ... U+2069), in text and attributes."""
    template = app.jinja_env.from_string("{{ day|day }}")
    with app.test_request_context():
        with force_locale("ar"):
            assert template.render(day=date(2026, 12, 1)) == "\u206801\u200f/12\u200f/2026\u2069"
        with force_locale("fr"):
            assert template.render(day=date(2026, 12, 1)) == "1er déc. 2026"
