"""Extensions are created unbound here and bound in create_app()."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask import abort, has_request_context, request
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from training.orm import Base

# Past any page a list can have, and far below the largest OFFSET a database
# accepts: ?page=999999999999999999999 is a 404, not an OverflowError.
MAX_PAGE = 100_000


class _SQLAlchemy(SQLAlchemy):
    def paginate(self, select: Any, *, page: int | None = None, **kwargs: Any) -> Any:
        """Flask-SQLAlchemy's paginate, with ?page= read safely: junk is
        page 1, a page past MAX_PAGE is a 404."""
        if page is None and has_request_context():
            page = request.args.get("page", 1, type=int)
            if page > MAX_PAGE:
                abort(404)
        return super().paginate(select, page=page, **kwargs)


db = _SQLAlchemy(model_class=Base)

# The base class of every model. At run time it is Flask-SQLAlchemy's db.Model
# (Base plus the table-name and bind mixins); a type checker cannot follow an
# attribute of an instance as a base class, so it reads Base, which declares
# the same typed columns.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def gunicorn_workers(
    argv: list[str] | None = None, environ: Mapping[str, str] | None = None
) -> int:
    """How many gunicorn workers run this application, as its command line,
    GUNICORN_CMD_ARGS or WEB_CONCURRENCY say (1 when not under gunicorn)."""
    import os
    import shlex
    import sys

    argv = sys.argv if argv is None else argv
    environ = os.environ if environ is None else environ
    under_gunicorn = bool(argv) and argv[0].endswith("gunicorn")
    if not under_gunicorn and "GUNICORN_CMD_ARGS" not in environ:
        return 1
    # gunicorn's own precedence: the command line, then GUNICORN_CMD_ARGS,
    # then WEB_CONCURRENCY.
    arguments = shlex.split(environ.get("GUNICORN_CMD_ARGS", ""))
    arguments += list(argv[1:]) if under_gunicorn else []
    workers = environ.get("WEB_CONCURRENCY")
    for index, argument in enumerate(arguments):
        if argument in {"-w", "--workers"} and index + 1 < len(arguments):
            workers = arguments[index + 1]
        elif argument.startswith("--workers="):
            workers = argument.partition("=")[2]
        elif argument.startswith("-w") and argument[2:].isdigit():
            workers = argument[2:]
    try:
        return max(1, int(workers or 1))
    except ValueError:
        return 1


def check_limiter_storage(app) -> None:
    """Flask-Limiter's memory store counts per process: with several
    workers each would count alone, and a limit of 30 would let 30 × workers
    through. Production refuses to start so; RATELIMIT_STORAGE_URI must name
    a store the workers share (redis://…)."""
    storage = app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    if not app.config.get("RATELIMIT_SHARED_STORE_REQUIRED") or not storage.startswith("memory"):
        return
    workers = gunicorn_workers()
    if workers > 1:
        raise RuntimeError(
            f"RATELIMIT_STORAGE_URI={storage} counts per worker, and {workers} workers run: "
            "set RATELIMIT_STORAGE_URI=redis://host:6379 so that they share one limit."
        )
