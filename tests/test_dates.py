"""Dates written as prose: French writes the first of a month "1er"."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from training.dates import format_day, format_moment
from training.formatting import format_day as reader_day


@pytest.mark.parametrize(
    ("format", "expected"),
    [
        ("long", "1er décembre 2026"),
        ("full", "mardi 1er décembre 2026"),
        ("medium", "1er déc. 2026"),
        ("d MMMM y", "1er décembre 2026"),
        ("short", "01/12/2026"),
    ],
)
def test_the_first_of_the_month_is_1er_in_french(format, expected):
    assert format_day(date(2026, 12, 1), format, "fr_FR") == expected


def test_other_days_and_other_languages_keep_the_number():
    assert format_day(date(2026, 12, 2), "long", "fr") == "2 décembre 2026"
    assert format_day(date(2026, 12, 1), "d MMMM y", "en_GB") == "1 December 2026"
    assert format_day(date(2026, 12, 1), "long", "en") == "December 1, 2026"


def test_a_moment_on_the_first_is_1er_too():
    moment = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    assert format_moment(moment, "medium", "fr", tzinfo=UTC).startswith("1er déc. 2026")
    assert (
        format_moment(datetime(2026, 12, 2, 9, 30, tzinfo=UTC), "medium", "fr", tzinfo=UTC)[:1]
        == "2"
    )


def test_pages_write_the_readers_first_of_the_month(app):
    template = app.jinja_env.from_string("{{ day|day('long') }} · {{ moment|moment('long') }}")
    with app.test_request_context(), force_locale("fr"):
        text = template.render(day=date(2026, 12, 1), moment=datetime(2026, 12, 1, 8, tzinfo=UTC))
        assert reader_day(date(2026, 12, 1), "long") == "1er décembre 2026"
    assert text.startswith("1er décembre 2026 · 1er décembre 2026")
