"""Atelier: training curricula, workshop sessions, attendance and certificates."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Any

from flask import Flask, flash, g, request, session
from flask.sessions import SessionInterface
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from werkzeug.security import safe_join

from config import config_for
from training.extensions import (
    babel,
    bootstrap,
    check_limiter_storage,
    csrf,
    db,
    limiter,
    login_manager,
    migrate,
)
from training.orm import MAX_ID
from training.permissions import TOKEN_BLUEPRINTS
from training.web.offline import is_prefetch

BLUEPRINT_MODULES = (
    "training.home.views",
    "training.auth.views",
    "training.curricula.views",
    "training.sessions.views",
    "training.people.views",
    "training.organisations.views",
    "training.enrollment.views",
    "training.enrollment.merge_views",
    "training.enrollment.screening_views",
    "training.attendance.views",
    "training.certificates.views",
    "training.reports.views",
    "training.mail.views",
    "training.accounts.views",
    "training.workshop_pack.views",
    "training.jobs.views",
    "training.ops.views",
)


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in every route: an id the database's INTEGER can hold.
    A larger number is a 404 like any unknown id, instead of an error from
    PostgreSQL ("integer out of range")."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: object | str | None = None) -> Flask:
    """The application factory. `config` is a config object, the name of one
    ("development", "production", "testing"), or None for ATELIER_ENV."""
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="static",
        instance_relative_config=True,
    )
    app.config.from_object(config if not isinstance(config, str | None) else config_for(config))
    app.url_map.converters["int"] = DatabaseIdConverter
    _trust_proxies(app)

    _init_extensions(app)
    _register_blueprints(app)
    _install_transaction_intent(app)
    _install_request_guards(app)
    _install_static_urls(app)
    _install_security_headers(app)
    _install_template_helpers(app)
    from training.web import prg

    prg.init_app(app)  # a redirect after a POST is a 303: a refresh never posts again
    from training import ops

    ops.init_app(app)  # request ids, JSON request logs, request metrics

    from training.certificates.cli import register_key_commands
    from training.cli import register_commands
    from training.jobs.cli import register_job_commands
    from training.mail.cli import register_mail_commands
    from training.pdf.fonts import register_fonts
    from training.web.errors import register_error_pages

    register_error_pages(app)
    from training import api

    api.init_app(app)  # after the pages' error handlers, which it extends
    register_commands(app)
    register_mail_commands(app)
    register_key_commands(app)
    register_job_commands(app)
    register_fonts()
    _configure_logging(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind ATELIER_TRUSTED_PROXIES reverse proxies, the client's address
    and scheme are the ones the nearest proxies forwarded: each client is
    limited on its own, not as the proxy's one address. With 0 (the
    default) forwarded headers are ignored, so no one can forge them."""
    proxies = int(app.config.get("ATELIER_TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]


def _init_extensions(app: Flask) -> None:
    from training.web import i18n

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(
        app, locale_selector=i18n.select_locale, default_translation_directories="../translations"
    )
    i18n.install_request_domain(app, babel)
    bootstrap.init_app(app)
    check_limiter_storage(app)
    limiter.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    from training import models  # noqa: F401  (every model registered with the metadata)
    from training.auth.models import User
    from training.reports import projection

    projection.init_app(app)  # the reports' table follows every ORM write
    from training.attendance import services as attendance

    attendance.init_app(app)  # days with attendance stay in their session
    from training import mail

    mail.init_app(app)  # queued mail is sent after the commit that wrote it
    from training import notifications

    notifications.init_app(app)  # mail to nominees and trainers, written with the change
    from training.jobs import runner as job_runner

    job_runner.init_app(app)  # the embedded runner's thread, started at the first request
    from training.accounts import pages as accounts_pages
    from training.certificates import pages as certificates_pages
    from training.enrollment import pages as enrollment_pages
    from training.sessions import pages as sessions_pages

    # What the pages of lower areas show from the upper ones (web/panels.py).
    enrollment_pages.init_app(app)
    accounts_pages.init_app(app)
    sessions_pages.init_app(app)
    certificates_pages.init_app(app)
    from training.attendance import closing as attendance_closing
    from training.certificates import closing as certificates_closing
    from training.enrollment import closing as enrollment_closing

    # What the upper areas answer before a session is completed or reopened
    # (sessions/signals.py: the checklist, the refusal to reopen).
    attendance_closing.init_app(app)
    enrollment_closing.init_app(app)
    certificates_closing.init_app(app)

    @login_manager.user_loader
    def load_user(identifier: str) -> User | None:
        from training.auth.views import load_signed_in_user

        return load_signed_in_user(identifier)

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _tune_sqlite(app)


def _tune_sqlite(app: Flask) -> None:
    """WAL and a busy timeout so that concurrent writers wait rather than fail,
    and foreign keys enforced as on PostgreSQL."""
    from sqlalchemy import event

    from training.private_files import private_file
    from training.transactions import begin_statement

    with app.app_context():
        engine = db.engine
        if engine.url.database and engine.url.database != ":memory:":
            # SQLite gives its -wal and -shm files the database file's mode.
            private_file(Path(engine.url.database))

        @event.listens_for(engine, "connect")
        def on_connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            # Reports sort and group hundreds of thousands of rows: keep
            # temporary b-trees in memory and a 64 MB page cache.
            cursor.execute("PRAGMA temp_store=MEMORY")
            cursor.execute("PRAGMA cache_size=-65536")
            if ":memory:" not in str(engine.url) and str(engine.url) != "sqlite://":
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def on_begin(connection):
            # Writers take the write lock at BEGIN (no read snapshot to
            # upgrade, a waiting writer reads fresh data); readers take none
            # (training.transactions).
            connection.exec_driver_sql(begin_statement())


def _register_blueprints(app: Flask) -> None:
    from importlib import import_module

    for module_name in BLUEPRINT_MODULES:
        app.register_blueprint(import_module(module_name).bp)


def _install_transaction_intent(app: Flask) -> None:
    """A request with a safe method only reads: on SQLite its transactions
    take no write lock (training.transactions)."""
    from training import transactions

    @app.before_request
    def safe_requests_read():
        if request.method in transactions.SAFE_METHODS:
            g._reading_token = transactions.start_reading()

    @app.teardown_request
    def stop_reading(_error: BaseException | None = None):
        token = g.pop("_reading_token", None)
        if token is not None:
            transactions.stop_reading(token)


def _install_request_guards(app: Flask) -> None:
    from training import permissions
    from training.web.errors import json_error, wants_json

    @app.before_request
    def deny_by_default():
        """Every endpoint not listed as public needs a signed-in user. Being
        signed in means an open session on the server (training/auth):
        one that has ended or timed out leaves the request anonymous. The
        API authenticates its requests by token, without the cookie."""
        if request.blueprint in permissions.TOKEN_BLUEPRINTS:
            return None
        if current_user.is_authenticated:
            return None
        if "_user_id" in session:  # the cookie names a session that has ended
            expired = g.get("session_expired", False)
            logout_user()
            session.clear()
            if expired:
                flash(_("Your session has expired. Please sign in again."), "warning")
        if request.endpoint in permissions.PUBLIC_ENDPOINTS or request.endpoint is None:
            return None
        if wants_json():
            # A page's script (the attendance outbox) keeps what it holds and
            # asks the user to sign in again: a redirect would hand it the
            # sign-in page as if it were the answer.
            return json_error("signed_out", _("Your sign-in has ended: sign in again."), 401)
        return login_manager.unauthorized()


# The endpoints serving files that are the same for everyone: the
# application's and Bootstrap-Flask's static folders.
STATIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})
IMMUTABLE = "public, max-age=31536000, immutable"
# Public documents, the same for everyone, that shared caches may keep: the
# signed trust list, status list and root key of certificate verification.
SHARED_ENDPOINTS = STATIC_ENDPOINTS | {
    "certificates.trust_list",
    "certificates.status_list",
    "certificates.root_key",
}


def _static_folder(app: Flask, endpoint: str) -> str | None:
    if endpoint == "static":
        return app.static_folder
    blueprint = app.blueprints.get(endpoint.rpartition(".")[0])
    return blueprint.static_folder if blueprint is not None else None


class _StaticWithoutCookie(SessionInterface):
    """The session as before, except that the response of a static file or
    a public document carries no session cookie: shared caches keep them."""

    def __init__(self, inner: SessionInterface) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def open_session(self, app: Flask, request: Any) -> Any:
        return self.inner.open_session(app, request)

    def make_null_session(self, app: Flask) -> Any:
        return self.inner.make_null_session(app)

    def is_null_session(self, obj: object) -> bool:
        return self.inner.is_null_session(obj)

    def save_session(self, app: Flask, session: Any, response: Any) -> None:
        if request and request.endpoint in SHARED_ENDPOINTS:
            return None
        if request and request.blueprint in TOKEN_BLUEPRINTS:  # the API uses no cookie
            return None
        if request and is_prefetch():
            # The service worker filling its cache runs beside the person's
            # own requests and never changes the session: saved, the copy it
            # read could overwrite what a form's answer had just added (the
            # message of a give-access post lost, 1 journey in 4).
            return None
        return self.inner.save_session(app, session, response)


def _install_static_urls(app: Flask) -> None:
    """Fingerprinted static URLs: `url_for('static', filename=...)` (and
    Bootstrap-Flask's `bootstrap.static`) adds `?v=<hash of the file>`, so a
    browser keeps the file for a year and fetches it again only when it
    changes. Each file is hashed once per process (on every call in debug,
    where files are edited). Addresses without the hash still work; only
    the current hash is cached for long. Pages are compressed (gzip, br,
    zstd) for slow field connections."""
    fingerprints: dict[tuple[str, str], str | None] = {}

    def fingerprint(endpoint: str, filename: str) -> str | None:
        key = (endpoint, filename)
        if key not in fingerprints or app.debug:
            folder = _static_folder(app, endpoint)
            path = safe_join(folder, filename) if folder else None
            try:
                digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16] if path else None
            except OSError:
                digest = None
            fingerprints[key] = digest
        return fingerprints[key]

    @app.url_defaults
    def fingerprint_static_urls(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint in STATIC_ENDPOINTS and "filename" in values and "v" not in values:
            digest = fingerprint(endpoint, values["filename"])
            if digest is not None:
                values["v"] = digest

    @app.after_request
    def cache_static_files(response):
        endpoint = request.endpoint
        if endpoint in STATIC_ENDPOINTS and response.status_code in (200, 304):
            filename = (request.view_args or {}).get("filename", "")
            version = request.args.get("v")
            if version is not None and version == fingerprint(endpoint, filename):
                response.headers["Cache-Control"] = IMMUTABLE
        return response

    from flask_compress import Compress

    app.session_interface = _StaticWithoutCookie(app.session_interface)
    Compress(app)

    @app.after_request
    def read_static_text_whole(response):
        # Runs before Compress's hook: a static text file is compressed
        # whole (with its ETag) and its file closed with the response,
        # instead of being streamed through a compressor that leaves the
        # file open.
        if (
            request.endpoint in STATIC_ENDPOINTS
            and response.status_code == 200
            and response.mimetype in app.config["COMPRESS_MIMETYPES"]
        ):
            response.direct_passthrough = False
            response.make_sequence()
        return response


def _install_security_headers(app: Flask) -> None:
    csp = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    )

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        # A page may widen it for itself (the offline verifier: its camera).
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if app.config.get("HSTS"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        # Personal pages and documents are never kept by a shared browser;
        # static files and public documents are the same for everyone.
        if request.endpoint in SHARED_ENDPOINTS:
            return response
        if getattr(g, "_login_user", None) is not None or current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        return response


def _install_template_helpers(app: Flask) -> None:
    from training.labels import label
    from training.permissions import can
    from training.web import i18n
    from training.web.navigation import navigation_for
    from training.web.offline import is_prefetch

    @app.context_processor
    def template_helpers():
        # The signed-in user resolved once a page, not at each `can` of its rows.
        user = current_user._get_current_object()
        return {
            "can": lambda action, obj=None: can(user, action, obj),
            "current_locale": str(get_locale()),
            "navigation": navigation_for(current_user),
            "label": label,
            "is_prefetch": is_prefetch,
        }

    i18n.register_filters(app)


class _EscapeNewlines(logging.Filter):
    """Log injection: a newline in a logged value cannot forge a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(
                arg.replace("\n", "\\n").replace("\r", "\\r") if isinstance(arg, str) else arg
                for arg in (record.args if isinstance(record.args, tuple) else (record.args,))
            )
        return True


class RedactAccountLinks(logging.Filter):
    """A server's access log writes every request line: the token of an
    invitation or reset link (/account/link/<token>) must not end up there."""

    LINK = re.compile(r"(/account/link/)[^\s\"'?#]+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.LINK.sub(r"\1[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


# The loggers that write request lines: Werkzeug's development server, and
# gunicorn's access log.
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access")


def _configure_logging(app: Flask) -> None:
    app.logger.addFilter(_EscapeNewlines())
    for name in ACCESS_LOGGERS:
        access_logger = logging.getLogger(name)
        if not any(isinstance(f, RedactAccountLinks) for f in access_logger.filters):
            access_logger.addFilter(RedactAccountLinks())
    if not app.debug and not app.testing:
        app.logger.setLevel(logging.INFO)
