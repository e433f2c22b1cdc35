"""Translations, days and counts kept per request and locale (issue 18):
the same text as Flask-Babel's own lookups, in every language, and the
language changed inside a request (a letter in its reader's language, a
new preference) is honoured at once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import render_template_string
from flask_babel import Domain, force_locale, format_date, format_decimal, gettext, refresh

from training.enrollment.models import EnrollmentStatus
from training.web.i18n import locale_name

EXPECTED = {"fr": "Confirmé", "ar": "مؤكَّد", "en": "Confirmed"}


@pytest.mark.parametrize("locale", ["fr", "ar", "en"])
def test_strings_read_as_flask_babel_translates_them(app, locale):
    with app.test_request_context(headers={"Accept-Language": locale}):
        assert gettext("Confirmed") == EXPECTED[locale]
        assert EnrollmentStatus.CONFIRMED.label == EXPECTED[locale]  # a lazy label
        assert render_template_string("{{ _('Confirmed') }}") == EXPECTED[locale]
        assert gettext("Confirmed") == Domain().gettext("Confirmed")  # Flask-Babel's own


def test_a_forced_locale_and_a_refresh_change_the_language_at_once(app):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert gettext("Confirmed") == "Confirmé"
        with force_locale("ar"):
            assert gettext("Confirmed") == "مؤكَّد"
            assert render_template_string("{{ _('Confirmed') }}") == "مؤكَّد"
            assert locale_name() == "ar"
        assert gettext("Confirmed") == "Confirmé"
        assert locale_name() == "fr"
        with force_locale("en"):
            refresh()  # what the language form does after saving a preference
            assert gettext("Confirmed") == "Confirmed"
        assert gettext("Confirmed") == "Confirmé"


def test_outside_a_request_strings_stay_in_the_source_language(app):
    assert gettext("Confirmed") == "Confirmed"


@pytest.mark.parametrize("locale", ["fr", "ar", "en"])
@pytest.mark.parametrize("format", ["medium", "short", "full", "d MMMM y"])
def test_days_read_as_babel_writes_them(app, locale, format):
    days = [date(2026, 3, 2), date(2025, 12, 31)]
    with app.test_request_context(headers={"Accept-Language": locale}):
        template = "{% for day in days %}{{ day|day(format) }}|{% endfor %}"
        for _ in range(2):  # the second time from the cache
            written = render_template_string(template, days=days, format=format)
            assert written.split("|")[:-1] == [
                render_template_string("{{ text }}", text=_isolated(format_date(d, format), locale))
                for d in days
            ]
        # a datetime keeps its time zone's day
        moment = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
        assert render_template_string("{{ m|day }}", m=moment).endswith(
            render_template_string("{{ t }}", t=_isolated(format_date(moment), locale))
        )


@pytest.mark.parametrize("locale", ["fr", "ar", "en"])
def test_counts_read_as_babel_writes_them(app, locale):
    with app.test_request_context(headers={"Accept-Language": locale}):
        for value in (0, 7, 1234, 1234567, -5000):
            for _ in range(2):
                assert render_template_string("{{ v|number }}", v=value) == format_decimal(value)
        assert render_template_string("{{ v|number }}", v=1234.5) == format_decimal(1234.5)
        assert render_template_string("{{ v|number }}", v=None) == ""
        if locale == "fr":
            assert render_template_string("{{ v|number }}", v=1234567) == "1\u202f234\u202f567"


def _isolated(text: str, locale: str) -> str:
    return f"\u2068{text}\u2069" if locale == "ar" else text
