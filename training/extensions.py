"""Extensions are created unbound here and bound in create_app()."""

from typing import Any

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
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
