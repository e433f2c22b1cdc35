"""Configuration classes. Everything that varies between deployments comes
from the environment; nothing secret lives in the code."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
DEVELOPMENT_PUBLIC_URL = "http://127.0.0.1:5000"
MIN_SECRET_KEY_BYTES = 32
MAIL_TLS_MODES = ("none", "starttls", "ssl")
# Where long work runs (training/jobs); "inline" is for the tests.
JOB_RUNNERS = ("thread", "rq")


class UnsafeConfiguration(RuntimeError):
    """Production settings that would put the deployment at risk: the
    application refuses to start, naming each variable to fix."""


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'atelier.sqlite3'}")
    # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _public_url() -> str:
    return os.environ.get("ATELIER_PUBLIC_URL", "").strip().rstrip("/")


def _development_secret_key() -> str:
    """A secret generated once per checkout and kept in instance/, so sign-ins
    survive a restart without anyone having to invent a key."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Created 0600: never readable by others, not even for an instant.
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as key_file:
            key_file.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


class Config:
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    ATELIER_ENV = "development"
    ATELIER_PUBLIC_URL = _public_url() or DEVELOPMENT_PUBLIC_URL
    BABEL_DEFAULT_LOCALE = os.environ.get("ATELIER_DEFAULT_LOCALE", "fr")
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("en", "fr", "ar")
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BTN_SIZE = "md"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("ATELIER_SECURE_COOKIES", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # A shared office computer is common in the field: sessions expire.
    SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("ATELIER_IDLE_MINUTES", "60")))
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=int(os.environ.get("ATELIER_SESSION_HOURS", "12")))
    PERMANENT_SESSION_LIFETIME = SESSION_ABSOLUTE_TIMEOUT

    WTF_CSRF_TIME_LIMIT = None  # the CSRF token lives as long as the session
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    # The day grid's page sends its outbox in batches of at most this many
    # changes (a 40-participant day is 80) and bytes.
    ATTENDANCE_SYNC_MAX_CHANGES = 200
    ATTENDANCE_SYNC_MAX_BYTES = 256 * 1024
    # The scan of a signed sign-in sheet (PDF, JPEG or PNG), kept in the database.
    ATTENDANCE_SCAN_MAX_BYTES = int(os.environ.get("ATELIER_SCAN_MAX_BYTES", str(10 * 1024 * 1024)))

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("ATELIER_LOGIN_RATE_LIMIT", "10 per minute")
    VERIFY_RATE_LIMIT = os.environ.get("ATELIER_VERIFY_RATE_LIMIT", "30 per minute")
    # Requests of one personal access token to the API (/api/v1).
    API_RATE_LIMIT = os.environ.get("ATELIER_API_RATE_LIMIT", "300 per minute")
    # Links that let a person choose their password: an invitation (or any
    # printed letter) works for days, a reset sent by mail for hours.
    ATELIER_INVITATION_DAYS = int(os.environ.get("ATELIER_INVITATION_DAYS", "14"))
    ATELIER_RESET_HOURS = int(os.environ.get("ATELIER_RESET_HOURS", "2"))
    ATELIER_RESET_RATE_LIMIT = os.environ.get("ATELIER_RESET_RATE_LIMIT", "5 per 15 minutes")
    # Past its free failures an account waits, doubling up to this many
    # seconds, before its next sign-in attempt is checked (never a lock).
    LOGIN_MAX_DELAY_SECONDS = int(os.environ.get("ATELIER_LOGIN_MAX_DELAY", "60"))
    # How many reverse proxies stand in front (nginx: 1); their forwarded
    # client address and scheme are trusted, no one else's.
    ATELIER_TRUSTED_PROXIES = int(os.environ.get("ATELIER_TRUSTED_PROXIES", "0"))
    # The memory store counts per worker: production refuses it with several.
    RATELIMIT_SHARED_STORE_REQUIRED = False

    # What every certificate prints: its two signatories and optional logos.
    ATELIER_SIGNATORY_1_NAME = os.environ.get("ATELIER_SIGNATORY_1_NAME") or "Programme Coordinator"
    ATELIER_SIGNATORY_1_TITLE = (
        os.environ.get("ATELIER_SIGNATORY_1_TITLE")
        or "UNODC Regional Office for West and Central Africa"
    )
    ATELIER_SIGNATORY_2_NAME = os.environ.get("ATELIER_SIGNATORY_2_NAME") or "Head of Training"
    ATELIER_SIGNATORY_2_TITLE = (
        os.environ.get("ATELIER_SIGNATORY_2_TITLE") or "Department of Peace Operations"
    )
    # Their titles on French certificates; unset, the English title prints
    # (unless that is the default, which has its French below).
    ATELIER_SIGNATORY_1_TITLE_FR = os.environ.get("ATELIER_SIGNATORY_1_TITLE_FR") or (
        None
        if os.environ.get("ATELIER_SIGNATORY_1_TITLE")
        else "Bureau régional de l’ONUDC pour l’Afrique de l’Ouest et du Centre"
    )
    ATELIER_SIGNATORY_2_TITLE_FR = os.environ.get("ATELIER_SIGNATORY_2_TITLE_FR") or (
        None
        if os.environ.get("ATELIER_SIGNATORY_2_TITLE")
        else "Département des opérations de paix"
    )
    # Their titles on Arabic certificates and letters; unset, the title in the
    # certificate's second language prints (unless that is the default).
    ATELIER_SIGNATORY_1_TITLE_AR = os.environ.get("ATELIER_SIGNATORY_1_TITLE_AR") or (
        None
        if os.environ.get("ATELIER_SIGNATORY_1_TITLE")
        else "المكتب الإقليمي لغرب ووسط أفريقيا، مكتب الأمم المتحدة المعني بالمخدرات والجريمة"
    )
    ATELIER_SIGNATORY_2_TITLE_AR = os.environ.get("ATELIER_SIGNATORY_2_TITLE_AR") or (
        None if os.environ.get("ATELIER_SIGNATORY_2_TITLE") else "إدارة عمليات السلام"
    )
    ATELIER_LOGO_LEFT = os.environ.get("ATELIER_LOGO_LEFT") or None
    ATELIER_LOGO_RIGHT = os.environ.get("ATELIER_LOGO_RIGHT") or None
    # Printed letters: the programme's name on their letterhead (each letter
    # has its default when unset), and the place convocation letters (signed
    # by signatory 1) are written from.
    ATELIER_PROGRAMME_NAME = os.environ.get("ATELIER_PROGRAMME_NAME", "").strip() or None
    ATELIER_LETTER_PLACE = os.environ.get("ATELIER_LETTER_PLACE", "Dakar").strip()

    # Certificate signing keys (training/certificates/keys.py): their private
    # parts are files readable by their owner only in this folder, or
    # ATELIER_KEY_<KID> variables; `flask keys create` makes the first ones.
    ATELIER_KEY_DIR: str | None = os.environ.get("ATELIER_KEY_DIR") or str(INSTANCE_DIR / "keys")
    # Make the keys when a certificate is signed and none exists (tests only).
    ATELIER_KEYS_ON_DEMAND = False

    # Mail (training/mail): without a host nothing is sent and the outbox
    # keeps every message for an administrator to read at /admin/mail.
    ATELIER_MAIL_HOST = os.environ.get("ATELIER_MAIL_HOST", "").strip() or None
    ATELIER_MAIL_PORT = int(os.environ.get("ATELIER_MAIL_PORT") or 0) or None  # 587, 465, 25
    ATELIER_MAIL_TLS = os.environ.get("ATELIER_MAIL_TLS", "starttls").strip().lower()
    ATELIER_MAIL_USER = os.environ.get("ATELIER_MAIL_USER") or None
    ATELIER_MAIL_PASSWORD = os.environ.get("ATELIER_MAIL_PASSWORD") or None
    ATELIER_MAIL_SENDER = os.environ.get("ATELIER_MAIL_SENDER") or "Atelier <atelier@localhost>"
    ATELIER_MAIL_MAX_ATTEMPTS = int(os.environ.get("ATELIER_MAIL_MAX_ATTEMPTS", "8"))
    # A thread of the app process sends after each commit that queued mail.
    ATELIER_MAIL_BACKGROUND = True

    # Long work (training/jobs): run by a thread of each app process, or by
    # `flask jobs worker` processes on Redis's queue when ATELIER_REDIS_URL
    # is set (ATELIER_JOB_RUNNER chooses otherwise: thread, rq).
    ATELIER_REDIS_URL = os.environ.get("ATELIER_REDIS_URL", "").strip() or None
    ATELIER_JOB_RUNNER = os.environ.get("ATELIER_JOB_RUNNER", "").strip().lower() or None
    # A job's result (it may name people) is deleted this long after it is made.
    ATELIER_JOB_KEEP_HOURS = int(os.environ.get("ATELIER_JOB_KEEP_HOURS", "24"))
    # A job running longer than this is stopped (RQ) or, its worker gone, marked failed.
    ATELIER_JOB_TIMEOUT_MINUTES = int(os.environ.get("ATELIER_JOB_TIMEOUT_MINUTES", "30"))
    # Processes rendering a large batch of certificates (a job): one per
    # core this process may run on when unset (0).
    ATELIER_RENDER_PROCESSES = int(os.environ.get("ATELIER_RENDER_PROCESSES") or 0)

    # Operations (training/ops): one JSON line per request on stderr
    # ("json", the default in production) or none ("off"); /metrics for a
    # bearer of the token or an address of the networks (comma-separated
    # CIDR), a 404 when neither is set.
    ATELIER_REQUEST_LOG = os.environ.get("ATELIER_REQUEST_LOG", "off").strip().lower()
    ATELIER_METRICS_TOKEN = os.environ.get("ATELIER_METRICS_TOKEN", "").strip() or None
    ATELIER_METRICS_NETWORKS = os.environ.get("ATELIER_METRICS_NETWORKS", "").strip() or None
    # Redis unreachable: the verify page's limit counts per process until it
    # answers again, instead of the page failing (sign-in limits live in the
    # database and hold whatever Redis does).
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # A Redis that stops answering costs a request one second, not a hang.
    RATELIMIT_STORAGE_OPTIONS = {"socket_timeout": 1, "socket_connect_timeout": 1}

    HSTS = False
    TESTING = False
    DEBUG = False


class DevelopmentConfig(Config):
    ATELIER_ENV = "development"
    DEBUG = False  # the debugger executes code; never on, even locally served

    def __init__(self) -> None:
        if not self.SECRET_KEY:
            self.SECRET_KEY = _development_secret_key()


class ProductionConfig(Config):
    ATELIER_ENV = "production"
    # No default: certificates freeze this address into their QR codes.
    ATELIER_PUBLIC_URL = _public_url()
    HSTS = True
    RATELIMIT_SHARED_STORE_REQUIRED = True
    ATELIER_REQUEST_LOG = os.environ.get("ATELIER_REQUEST_LOG", "json").strip().lower()
    SESSION_COOKIE_SECURE = _env_bool("ATELIER_SECURE_COOKIES", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

    def __init__(self) -> None:
        problems = production_problems(self)
        if problems:
            raise UnsafeConfiguration(
                "Atelier refuses to start in production (ATELIER_ENV=production):\n"
                + "\n".join(f"- {problem}" for problem in problems)
            )


def production_problems(config: object) -> list[str]:
    """What makes these settings unsafe for production, one line per
    variable: the secret that signs sessions, the public address that QR
    codes print, the folder of the keys that sign certificates, and the
    debugger that executes code. (Issuing without a signing key is refused
    when it is tried: the keys live in the database, which is not read here.)"""
    problems = []
    secret_key = getattr(config, "SECRET_KEY", None) or ""
    if not secret_key:
        problems.append(
            f"SECRET_KEY is not set; use at least {MIN_SECRET_KEY_BYTES} random bytes, e.g. "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'."
        )
    elif len(secret_key.encode() if isinstance(secret_key, str) else secret_key) < (
        MIN_SECRET_KEY_BYTES
    ):
        problems.append(
            f"SECRET_KEY is shorter than {MIN_SECRET_KEY_BYTES} bytes; use a long random value, "
            "e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(48))'."
        )
    public_url = getattr(config, "ATELIER_PUBLIC_URL", "") or ""
    if not public_url:
        problems.append(
            "ATELIER_PUBLIC_URL is not set; give the https address users and QR codes reach, "
            "e.g. https://atelier.example.org."
        )
    elif urlsplit(public_url).scheme != "https" or not urlsplit(public_url).hostname:
        problems.append(
            f"ATELIER_PUBLIC_URL must be an https:// address (it is {public_url!r}); "
            "certificates print it in their QR codes."
        )
    key_dir = getattr(config, "ATELIER_KEY_DIR", None)
    if key_dir and Path(key_dir).is_dir() and Path(key_dir).stat().st_mode & 0o077:
        problems.append(
            f"ATELIER_KEY_DIR ({key_dir}) can be read by other accounts; it holds the private "
            f"keys that sign certificates: chmod 700 {key_dir}."
        )
    mail_tls = getattr(config, "ATELIER_MAIL_TLS", "starttls")
    if mail_tls not in MAIL_TLS_MODES:
        problems.append(
            f"ATELIER_MAIL_TLS must be one of {', '.join(MAIL_TLS_MODES)} (it is {mail_tls!r})."
        )
    job_runner = getattr(config, "ATELIER_JOB_RUNNER", None)
    if job_runner not in (None, *JOB_RUNNERS):
        problems.append(
            f"ATELIER_JOB_RUNNER must be one of {', '.join(JOB_RUNNERS)} (it is {job_runner!r})."
        )
    elif job_runner == "rq" and not getattr(config, "ATELIER_REDIS_URL", None):
        problems.append("ATELIER_JOB_RUNNER is rq: set ATELIER_REDIS_URL=redis://host:6379/1.")
    if getattr(config, "DEBUG", False) or _flask_debug_requested():
        problems.append(
            "FLASK_DEBUG is on; the debugger executes code sent to it. Unset FLASK_DEBUG "
            "(and do not pass --debug)."
        )
    return problems


def _flask_debug_requested() -> bool:
    """Flask's own reading of FLASK_DEBUG (`flask --debug` sets it too)."""
    value = os.environ.get("FLASK_DEBUG")
    return bool(value and value.strip().lower() not in {"0", "false", "no", "off", ""})


class TestConfig(Config):
    ATELIER_ENV = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105 (tests only)
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    BABEL_DEFAULT_LOCALE = "en"
    ATELIER_MAIL_HOST = None
    ATELIER_MAIL_BACKGROUND = False  # tests call send_pending themselves
    ATELIER_KEY_DIR = None  # keys go to a temporary folder of the test run
    ATELIER_KEYS_ON_DEMAND = True
    ATELIER_REDIS_URL = None
    ATELIER_JOB_RUNNER = "inline"  # a job runs in the request that asks for it


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestConfig,
}


def config_for(name: str | None = None) -> Config:
    name = name or os.environ.get("ATELIER_ENV", "development")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise RuntimeError(f"Unknown ATELIER_ENV {name!r}; use one of {sorted(CONFIGS)}.") from None
