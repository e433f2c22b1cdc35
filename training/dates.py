"""Dates written as prose in a language: pages, messages and documents.

Babel writes the first day of a month "1 décembre"; French writes it
"1er décembre" (the ordinal, only for the first). The helpers here are
Babel's `format_date` and `format_datetime` with that one correction; they
import neither Flask nor the database, so the PDF renderers use them too."""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_datetime

NAMED_FORMATS = ("short", "medium", "long", "full")
# A day number written before the month's name ("d MMM", "d MMMM"): the one
# French writes as an ordinal on the 1st. "dd/MM/y" stays a number.
_DAY_BEFORE_MONTH_NAME = re.compile(r"(?<![d'])d(?= MMM)")


@lru_cache(maxsize=16)
def _locale(locale_name: str) -> Locale:
    return Locale.parse(locale_name.replace("-", "_"))


def _first_of_month(pattern: str) -> str:
    return _DAY_BEFORE_MONTH_NAME.sub("d'er'", pattern)


def date_pattern(format: str, locale: Locale) -> str:
    """The CLDR pattern of a named format ("long") or `format` itself."""
    return locale.date_formats[format].pattern if format in NAMED_FORMATS else format


def _needs_ordinal(value: date, locale: Locale) -> bool:
    return value.day == 1 and locale.language == "fr"


def format_day(value: date, format: str = "medium", locale: str = "en") -> str:
    """`value` written in `locale`: "1er décembre 2026" in French, "1
    December 2026" in English."""
    babel_locale = _locale(locale)
    pattern = date_pattern(format, babel_locale)
    if _needs_ordinal(value, babel_locale):
        pattern = _first_of_month(pattern)
    return format_date(value, pattern, locale=babel_locale)


def format_moment(
    value: datetime, format: str = "medium", locale: str = "en", tzinfo: tzinfo | None = None
) -> str:
    """A date and time in `locale`, in `tzinfo`, with the French 1er."""
    babel_locale = _locale(locale)
    local = value.astimezone(tzinfo) if tzinfo is not None and value.tzinfo else value
    if not _needs_ordinal(local, babel_locale):
        return format_datetime(value, format, tzinfo=tzinfo, locale=babel_locale)
    if format in NAMED_FORMATS:
        combined = str(babel_locale.datetime_formats[format])
        pattern = combined.replace("{1}", _first_of_month(date_pattern(format, babel_locale)))
        pattern = pattern.replace("{0}", babel_locale.time_formats[format].pattern)
    else:
        pattern = _first_of_month(format)
    return format_datetime(value, pattern, tzinfo=tzinfo, locale=babel_locale)
