"""The web layer's language: which locale a request speaks, which way it
is written, and the template filters that write dates, numbers and
countries in it.

Arabic pages are written right to left, with Latin digits: Babel's "ar"
locale formats numbers in the `latn` numbering system (Babel's default,
and CLDR's for "ar"), dates with Latin digits too, as the administrations
of Chad and Mauritania write them; the pages' scripts ask `Intl` for
`latn` digits as well (js/outbox.js, js/attendance.js)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from babel import Locale
from babel import numbers as babel_numbers
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import (
    Domain,
    format_decimal,
    get_locale,
    lazy_pgettext,
)
from flask_login import current_user
from markupsafe import Markup

from training import dates
from training.formatting import (
    country_name,
    duration_text,
    format_day,
    format_moment,
    half_days_text,
    percent,
)
from training.permissions import TOKEN_BLUEPRINTS

# The languages written right to left (the page's `dir`).
RIGHT_TO_LEFT = frozenset({"ar"})


def select_locale() -> str:
    """The user's preference, then the language chosen on the sign-in page,
    then the browser's Accept-Language, then the configured default."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the CLI and background work
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.blueprint in TOKEN_BLUEPRINTS:  # a program says its language in the header
        own = getattr(current_user, "locale", None)
        return (
            request.accept_languages.best_match(languages)
            or (own if own in languages else None)
            or current_app.config["BABEL_DEFAULT_LOCALE"]
        )
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


class RequestDomain(Domain):
    """Flask-Babel's message domain, whose translations are looked up once
    per request and locale instead of at every string (issue 18): Domain's
    own lookup resolves `g`, the locale and its name again for each of the
    hundreds of labels a list or a day grid shows. The translations are
    kept on Flask-Babel's per-request namespace with the locale object they
    belong to, so `force_locale` (a letter in its reader's language) and
    `refresh` (the language just changed) get theirs: another locale object,
    another lookup."""

    def get_translations(self) -> NullTranslations | Translations:
        try:
            namespace = g._get_current_object().__dict__.get("_flask_babel")
        except RuntimeError:  # no application context: the CLI's own strings
            return NullTranslations()
        locale = getattr(namespace, "babel_locale", None)
        kept = getattr(namespace, "atelier_translations", None)
        if locale is not None and kept is not None and kept[0] is locale:
            return kept[1]
        translations = super().get_translations()
        namespace = g._flask_babel  # made by the lookup above when it was missing
        namespace.atelier_translations = (namespace.babel_locale, translations)
        return translations


def install_request_domain(app: Flask, babel: Any) -> None:
    """Every `_`, `_l`, `ngettext` and template string of `app` reads its
    translations through RequestDomain."""
    domain = babel.__dict__.get("domain_instance")
    if not isinstance(domain, RequestDomain):  # one per process: it keeps the catalogs
        domain = RequestDomain(domain=app.extensions["babel"].default_domain)
        babel.domain_instance = domain  # Babel's cached_property, set once
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda text: domain.get_translations().ugettext(text),
        ngettext=lambda one, many, count: domain.get_translations().ungettext(one, many, count),
        newstyle=True,
        pgettext=lambda context, text: domain.get_translations().upgettext(context, text),
        npgettext=lambda context, one, many, count: domain.get_translations().unpgettext(
            context, one, many, count
        ),
    )


def text_direction(locale_name: str | None = None) -> str:
    """ "rtl" for a language written right to left, else "ltr"."""
    locale_name = locale_name or str(get_locale() or "en")
    return "rtl" if locale_name.split("_")[0] in RIGHT_TO_LEFT else "ltr"


@lru_cache(maxsize=16)
def plural_samples(locale_name: str) -> tuple[tuple[str, int], ...]:
    """One number of each plural category (CLDR's, as `Intl.PluralRules`
    names them) of the locale: zero 0, one 1, two 2, few 3, many 11,
    other 100 in Arabic; one 0, many 1000000, other 2 in French."""
    rule = Locale.parse(locale_name).plural_form
    samples: dict[str, int] = {}
    for number in (*range(0, 1000), 1_000_000):
        samples.setdefault(rule(number), number)
    return tuple(samples.items())


def plural_forms(message: Callable[[int], str]) -> dict[str, str]:
    """{category: text} of `message` (a macro calling ngettext with its
    number) for every plural category of the current locale: what a script
    picks from with `Intl.PluralRules(lang).select(count)`."""
    return {
        category: str(message(number))
        for category, number in plural_samples(str(get_locale() or "en"))
    }


FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"


def in_own_direction(text: str) -> str:
    """On a right-to-left page, `text` (a date: Arabic dates carry
    right-to-left marks between their numbers) between Unicode's isolate
    marks, which keep it whole beside Latin codes and names, in attributes
    and plain text too; unchanged on other pages."""
    if text and text_direction() == "rtl":
        return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"
    return text


def isolate(value: object, direction: str = "auto") -> Markup:
    """`value` in a <bdi>: a name, email, code or number keeps its own
    direction inside text written the other way (and does not carry the
    punctuation around it along). `direction` "ltr" for what is always
    written left to right (emails, phones, codes, serials, file names)."""
    if value is None or value == "":
        return Markup("")
    if direction == "auto":
        return Markup("<bdi>%s</bdi>") % (value,)
    return Markup('<bdi dir="%s">%s</bdi>') % (direction, value)


def joined(*parts: object) -> Markup:
    """The non-empty `parts`, each in its own direction (<bdi>), separated by
    the language's comma: "Niamey, Niger"; "Niamey، النيجر" in Arabic."""
    comma = "، " if text_direction() == "rtl" else ", "
    separator = Markup(comma)  # noqa: S704  (a constant; the parts are escaped by isolate)
    return separator.join(isolate(part) for part in parts if part)


def place(training_session: Any, *, venue: bool = False) -> Markup:
    """Where a session is held: (venue,) city, country in the reader's
    language."""
    return joined(
        training_session.venue if venue else None,
        training_session.city,
        country_name(training_session.country),
    )


# A half-day in a column heading: AM, PM; ص, م in Arabic; but in French
# the words (Babel's French abbreviation is the English "AM").
_HALF_DAY_HEADINGS = {
    "am": lazy_pgettext("half-day, column heading", "AM"),
    "pm": lazy_pgettext("half-day, column heading", "PM"),
}


def day_period(period: str) -> str:
    """The heading of the half-day "am" or "pm" in the reader's language."""
    heading = _HALF_DAY_HEADINGS.get(period)
    return str(heading) if heading is not None else period


def locale_name() -> str:
    """The current locale's name ("fr", "ar"), kept beside its locale object
    on Flask-Babel's per-request namespace ("en" outside a request)."""
    locale = get_locale()
    if locale is None:
        return "en"
    namespace = g._flask_babel
    kept = getattr(namespace, "atelier_locale_name", None)
    if kept is not None and kept[0] is locale:
        return kept[1]
    name = str(locale)
    namespace.atelier_locale_name = (locale, name)
    return name


# A day or a count is written the same way by every request of a locale:
# Babel parses the pattern and walks the locale's data each time otherwise.
@lru_cache(maxsize=8192)
def _day_text(locale_name: str, value: date, format: str) -> str:
    return dates.format_day(value, format, locale_name)


@lru_cache(maxsize=8192)
def _number_text(locale_name: str, value: int, format: str | None) -> str:
    return babel_numbers.format_decimal(value, format, locale=locale_name)


def register_filters(app: Flask) -> None:
    app.add_template_global(day_period)
    app.add_template_global(duration_text, name="duration")
    app.add_template_global(half_days_text, name="half_days")
    app.add_template_global(joined)
    app.add_template_global(place)
    app.add_template_global(text_direction)
    app.add_template_global(plural_forms)

    @app.template_filter("bdi")
    def bdi_filter(value: object) -> Markup:
        return isolate(value)

    @app.template_filter("ltr")
    def ltr_filter(value: object) -> Markup:
        return isolate(value, "ltr")

    @app.template_global()
    def forward_arrow() -> str:
        """The arrow from a value to the next one, in the page's direction."""
        return "←" if text_direction() == "rtl" else "→"

    @app.template_filter("day")
    def day_filter(value: date | None, format: str = "medium") -> str:
        if not value:
            return ""
        if type(value) is date:  # a day has no time zone: the same text in every request
            return in_own_direction(_day_text(locale_name(), value, format))
        return in_own_direction(format_day(value, format))

    @app.template_filter("moment")
    def moment_filter(value: datetime | None, format: str = "medium") -> str:
        return in_own_direction(format_moment(value, format)) if value else ""

    @app.template_filter("number")
    def number_filter(value: float | int | None, format: str | None = None) -> str:
        if value is None:
            return ""
        if type(value) is int:  # counts: the report pages write hundreds of them
            return _number_text(locale_name(), value, format)
        return format_decimal(value, format)

    @app.template_filter("percent")
    def percent_filter(value: float | None, decimals: int = 0) -> str:
        return percent(value, decimals)

    @app.template_filter("country")
    def country_filter(code: str | None) -> str:
        return country_name(code)
