from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from training.auth.forms import ConfirmForm
from training.auth.views import safe_next
from training.extensions import db
from training.home.context import home_page

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    template, context = home_page(current_user)
    return render_template(template, **context)


@bp.route("/healthz")
def healthz():
    """Liveness: the application answers and its database does too."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:  # any database failure means "not healthy"
        current_app.logger.exception("Health check failed")
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/language", methods=["POST"])
def set_language():
    """The language switcher: remembered in the session, and as the user's
    preference when signed in."""
    form = ConfirmForm()
    locale = request.form.get("locale", "")
    if form.validate_on_submit() and locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("home.index"))
