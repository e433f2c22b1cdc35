from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from training.auth.forms import ConfirmForm
from training.auth.views import safe_next
from training.extensions import MAX_PAGE, db
from training.home.context import FULL_ALERTS, alert_page, home_page
from training.permissions import require
from training.web import offline

bp = Blueprint("home", __name__)


@bp.route("/")
@offline.offline_page
def index():
    template, context = home_page(current_user)
    if "current_sessions" in context:
        # A trainer's home: the pages of the sessions running and to come
        # are kept on the phone for use without network (js/offline.js).
        taught = context["current_sessions"] + context["upcoming_sessions"]
        context["offline_pages"] = offline.session_pages(item.training_session for item in taught)
    return render_template(template, **context)


@bp.route("/alerts/<name>")
@require("sessions.manage")
def alert_list(name: str):
    """The whole list behind a home-page alert's "and N more", a page at a time."""
    if name not in FULL_ALERTS:
        abort(404)
    page = max(request.args.get("page", 1, type=int), 1)
    if page > MAX_PAGE:
        abort(404)
    listed = alert_page(name, page)
    if page > listed.pages:
        abort(404)
    return render_template("home/alert_list.html", name=name, listed=listed)


@bp.route("/offline")
@offline.offline_page
@require("home")
def offline_fallback():
    """What the service worker shows, without network, in place of a page it
    did not keep."""
    return render_template("home/offline.html")


@bp.route("/sw.js")
def service_worker():
    """The service worker (static/js/service-worker.js), served from the root
    because a worker keeps only the pages under its own address. Public: the
    browser fetches it again to update it, signed in or not, and it holds no
    one's data."""
    script = render_template(
        "home/service-worker.js",
        offline_header=offline.OFFLINE_HEADER,
        prefetch_header=offline.PREFETCH_HEADER,
    )
    response = make_response(script)
    response.mimetype = "text/javascript"
    response.headers["Cache-Control"] = "no-cache"
    return response


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
