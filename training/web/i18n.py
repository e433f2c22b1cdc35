"""The web layer's language: which locale a request speaks, and the template
filters that write dates, numbers and countries in it."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_decimal
from flask_login import current_user

from training.formatting import country_name, percent
from training.permissions import TOKEN_BLUEPRINTS


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


def register_filters(app: Flask) -> None:
    @app.template_filter("day")
    def day_filter(value: date | None, format: str = "medium") -> str:
        return format_date(value, format) if value else ""

    @app.template_filter("moment")
    def moment_filter(value: datetime | None, format: str = "medium") -> str:
        return format_datetime(value, format) if value else ""

    @app.template_filter("number")
    def number_filter(value: float | int | None, format: str | None = None) -> str:
        return format_decimal(value, format) if value is not None else ""

    @app.template_filter("percent")
    def percent_filter(value: float | None, decimals: int = 0) -> str:
        return percent(value, decimals)

    @app.template_filter("country")
    def country_filter(code: str | None) -> str:
        return country_name(code)
