"""Locale-aware formatting shared by pages, documents and exports:
dates, durations, percentages and countries."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

import pycountry
from babel import Locale
from babel.numbers import NumberPattern
from flask_babel import get_locale, get_timezone, ngettext
from flask_babel import gettext as _

from training import dates
from training.text import fold

# The languages the access letter (training/pdf/access_letter.py) is written
# in: a reader of the Arabic interface gets it in French, the G5 Sahel's
# working language. Convocation letters, sign-in sheets, programmes,
# certificates and the donor report also write Arabic (training.pdf.arabic).
DOCUMENT_LOCALES = ("fr", "en")


def document_locale(locale_name: str | None) -> str:
    """The language a printed document is written in for a reader of
    `locale_name`."""
    return locale_name if locale_name in DOCUMENT_LOCALES else "fr"


def format_day(
    value: date | datetime, format: str = "medium", locale_name: str | None = None
) -> str:
    """A day in the reader's (or `locale_name`'s) language, as prose writes
    it: "1er décembre 2026", never "2026-12-01". A moment is first moved to
    the reader's time zone, as Flask-Babel's `format_date` does."""
    if isinstance(value, datetime):
        value = value.astimezone(get_timezone()).date() if value.tzinfo else value.date()
    return dates.format_day(value, format, locale_name or str(get_locale() or "en"))


def format_moment(value: datetime, format: str = "medium", locale_name: str | None = None) -> str:
    """A date and time in the reader's language and time zone."""
    return dates.format_moment(
        value, format, locale_name or str(get_locale() or "en"), tzinfo=get_timezone()
    )


# A teaching half-day: the printed programme's morning (9:00-12:30, one
# break) and afternoon (14:00-17:00, one break) blocks, 3 hours on average.
HALF_DAY_MINUTES = 180


def duration_text(minutes: int) -> str:
    """A length of teaching as people say it, in hours: "45 min", "2 h",
    "1 h 30" — never "90 minutes"."""
    hours, rest = divmod(max(0, minutes), 60)
    if not hours:
        return _("%(minutes)d min", minutes=rest)
    if not rest:
        return _("%(hours)d h", hours=hours)
    return _("%(hours)d h %(minutes)02d", hours=hours, minutes=rest)


def half_days_text(minutes: int) -> str:
    """How many teaching half-days `minutes` fill, rounded up: "4 half-days"."""
    count = -(-max(0, minutes) // HALF_DAY_MINUTES)
    return ngettext("%(num)d half-day", "%(num)d half-days", count)


@lru_cache(maxsize=8)
def _locale(locale_name: str) -> Locale:
    return Locale.parse(locale_name)


@lru_cache(maxsize=8)
def _territories(locale_name: str) -> Mapping[str, str]:
    return _locale(locale_name).territories


def country_name(code: str | None, locale_name: str | None = None) -> str:
    """The country's name in the given (or current) locale, from its ISO code."""
    if not code:
        return ""
    locale_name = locale_name or str(get_locale() or "en")
    name = _territories(locale_name).get(code.upper())
    if name:
        return name
    country = pycountry.countries.get(alpha_2=code.upper())
    return country.name if country else code


@lru_cache(maxsize=16)
def _percent_pattern(locale_name: str, decimals: int) -> NumberPattern:
    pattern = copy.copy(_locale(locale_name).percent_formats[None])
    pattern.frac_prec = (decimals, decimals)
    return pattern


def percent(value: float | None, decimals: int = 0, locale_name: str | None = None) -> str:
    """A share (0.255) written as the locale writes percentages, with
    `decimals` digits after the decimal sign: "25.5%" in English, "25,5 %"
    (no-break space) in French. A pattern such as "#,##0.0%" would drop the
    locale's space, so the locale's own pattern is kept and only its
    fraction digits change."""
    if value is None:
        return ""
    locale_name = locale_name or str(get_locale() or "en")
    return _percent_pattern(locale_name, decimals).apply(value, _locale(locale_name))


# The programme's own countries, first in every country list.
G5_SAHEL = frozenset({"BF", "TD", "ML", "MR", "NE"})


@lru_cache(maxsize=8)
def _sorted_countries(locale_name: str) -> tuple[tuple[str, str], ...]:
    choices = [(c.alpha_2, country_name(c.alpha_2, locale_name)) for c in pycountry.countries]
    # "Égypte" sorts with the E's, not after "Zimbabwe".
    return tuple(sorted(choices, key=lambda item: fold(item[1])))


def country_choices(locale_name: str | None = None) -> list[tuple[str, str]]:
    """(code, name) for every ISO 3166 country, sorted by name in the locale."""
    return list(_sorted_countries(locale_name or str(get_locale() or "en")))


class CountryGroups(NamedTuple):
    """A country list in two parts: the ones a user of the programme picks
    most (the reader's own country, then the G5 Sahel), then all the others;
    each (code, name), sorted by name in the reader's language."""

    first: tuple[tuple[str, str], ...]
    others: tuple[tuple[str, str], ...]


@lru_cache(maxsize=32)
def country_groups(locale_name: str, home: str | None = None) -> CountryGroups:
    """The country list of every form, built once per locale (and home
    country) and kept: translating and sorting some 250 names took half of
    a form's time when it was rebuilt on every request. `home` (the user's
    own country, if known) comes first, then the other G5 Sahel countries.
    The tuples are shared: never change them."""
    countries = _sorted_countries(locale_name)
    home = home.upper() if home else None
    first = [item for item in countries if item[0] == home]
    first += [item for item in countries if item[0] in G5_SAHEL and item[0] != home]
    chosen = {code for code, _ in first}
    return CountryGroups(tuple(first), tuple(item for item in countries if item[0] not in chosen))
