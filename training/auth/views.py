from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import OperationalError

from training.auth import services, throttle, tokens
from training.auth.forms import (
    ConfirmForm,
    LoginForm,
    PasswordChangeForm,
    TokenForm,
    UserCreateForm,
    UserEditForm,
)
from training.auth.models import ApiToken, Role, SessionEnd, User, UserSession
from training.domain import DomainError
from training.extensions import db
from training.permissions import require
from training.web import panels
from training.web.errors import refuse
from training.web.loaders import load, load_child

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """Only a local path may follow sign-in: never another host or scheme."""
    if not target:
        return None
    target = target.replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


SESSION_TOKEN = "session_token"  # noqa: S105 (the cookie key of the server-side session token)


def _timeouts() -> dict[str, timedelta]:
    return {
        "idle": current_app.config["SESSION_IDLE_TIMEOUT"],
        "absolute": current_app.config["SESSION_ABSOLUTE_TIMEOUT"],
    }


def _max_delay() -> timedelta:
    return timedelta(seconds=current_app.config["LOGIN_MAX_DELAY_SECONDS"])


def load_signed_in_user(identifier: str) -> User | None:
    """Flask-Login's user loader: the user of the open server-side session
    the cookie names, or None (anonymous). A cookie is only a pointer: once
    its session has ended on the server (sign-out, time-out, password
    change, deactivation, "sign out everywhere"), it signs no one in, from
    any browser."""
    token = session.get(SESSION_TOKEN)
    if not identifier.isdigit() or not isinstance(token, str):
        return None
    record, ended = services.find_session(token, now=datetime.now(UTC), **_timeouts())
    if record is not None and record.user_id != int(identifier):
        record = None
    if ended in (SessionEnd.IDLE, SessionEnd.EXPIRED):
        g.session_expired = True
    if db.session.dirty:  # an ended session, or last seen refreshed (once a minute)
        try:
            db.session.commit()
        except OperationalError:
            # SQLite: this request began as a read and another writer came
            # first; both writes are idempotent and the next request redoes
            # them (an ended session stays anonymous here all the same).
            db.session.rollback()
    if record is None:
        return None
    g.user_session = record
    return record.user


def current_user_session() -> UserSession | None:
    return g.get("user_session")


def too_many(retry_after: int, template: str, **context):
    """429 with Retry-After: `template` again, saying when to try again."""
    flash(
        _(
            "Too many attempts in a short time. Try again in %(seconds)d seconds.",
            seconds=retry_after,
        ),
        "danger",
    )
    response = current_app.make_response((render_template(template, **context), 429))
    response.headers["Retry-After"] = str(retry_after)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        policies = services.sign_in_policies(current_app.config["LOGIN_RATE_LIMIT"], _max_delay())
        try:
            user = services.sign_in(
                form.email.data,
                form.password.data,
                address=request.remote_addr or "",
                policies=policies,
            )
        except throttle.TooManyAttempts as refused:
            return too_many(refused.retry_after, "auth/login.html", form=form)
        if user is None:
            db.session.commit()  # keep the audit of the failure
            flash(_("The email or password is not correct."), "danger")
            return render_template("auth/login.html", form=form), 200
        start_session(user)
        db.session.commit()
        return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
    return render_template("auth/login.html", form=form)


def fresh_browser_session() -> None:
    """Forget everything this browser's session held but its language: a
    sign-in, or a link that signs someone in, starts clean (no fixation)."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def start_session(user: User) -> None:
    """Sign `user` in on this browser: a new server-side session, whose token
    the cookie carries (the caller commits)."""
    fresh_browser_session()
    _record, token = services.open_session(
        user, user_agent=request.headers.get("User-Agent", ""), address=request.remote_addr
    )
    login_user(user)
    session[SESSION_TOKEN] = token
    session.permanent = True


def _forget_this_browser() -> None:
    logout_user()
    session.clear()


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        record = current_user_session()
        if record is not None:
            services.end_session(record, SessionEnd.SIGNED_OUT)
            db.session.commit()
        _forget_this_browser()
        flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


def _token_form(user: User, *, fresh: bool = False) -> TokenForm:
    """The new-token form, offering the scopes the user's role can use
    (`fresh`: empty, even on the page answering a POST)."""
    form = TokenForm(formdata=None) if fresh else TokenForm()
    titles = {area.name: area.title for area in tokens.AREAS}
    levels = {"read": _("read"), "write": _("read and write")}
    form.scopes.choices = [
        (scope, f"{titles[scope.split(':')[0]]} ({levels[scope.split(':')[1]]})")
        for scope in tokens.offered_scopes(user)
    ]
    return form


def _render_account(
    token_form: TokenForm | None = None, new_secret: str | None = None, status: int = 200
):
    """The account page: where the user is signed in, and their API tokens
    (a new token's secret shown once, in this response only)."""
    user = current_user._get_current_object()
    sessions = services.open_sessions(user, now=datetime.now(UTC), **_timeouts())
    return render_template(
        "auth/account.html",
        sessions=sessions,
        this_session=current_user_session(),
        device_summary=services.device_summary,
        form=ConfirmForm(),
        api_tokens=tokens.user_tokens(user),
        token_form=token_form or _token_form(user, fresh=True),
        new_secret=new_secret,
        now=datetime.now(UTC),
    ), status


@bp.route("/account")
@login_required
def account():
    return _render_account()


@bp.route("/account/tokens", methods=["POST"])
@login_required
def create_token():
    """A new personal access token; its secret is on the page that answers,
    and never again."""
    user = current_user._get_current_object()
    form = _token_form(user)
    if not form.validate_on_submit():
        return _render_account(form, status=422)
    try:
        _token, secret = tokens.create_token(
            user,
            name=form.name.data or "",
            scopes=form.scopes.data or [],
            lifetime_days=form.lifetime.data,
        )
    except DomainError as error:
        refuse(error, form, "name")
        return _render_account(form, status=422)
    db.session.commit()
    flash(_("Token created. Copy it now: it is shown only once."), "success")
    return _render_account(new_secret=secret)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    # Another user's token is not even named.
    token = load_child(ApiToken, token_id, current_user.id, "user_id")
    if ConfirmForm().validate_on_submit():
        tokens.revoke_token(token, actor=current_user._get_current_object())
        db.session.commit()
        flash(_("Token “%(name)s” revoked.", name=token.name), "success")
    return redirect(url_for("auth.account", _anchor="tokens"))


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id: int):
    # Another user's session is not even named.
    record = load_child(UserSession, session_id, current_user.id, "user_id")
    form = ConfirmForm()
    if form.validate_on_submit():
        services.end_session(record, SessionEnd.ENDED_BY_USER)
        db.session.commit()
        if record == current_user_session():
            _forget_this_browser()
            flash(_("You have signed out."), "info")
            return redirect(url_for("auth.login"))
        flash(_("That session has been signed out."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    form = ConfirmForm()
    if form.validate_on_submit():
        ended = services.end_sessions(
            current_user._get_current_object(),
            SessionEnd.ENDED_BY_USER,
            keep=current_user_session(),
        )
        db.session.commit()
        flash(
            ngettext(
                "%(num)d other session signed out.", "%(num)d other sessions signed out.", ended
            ),
            "success",
        )
    return redirect(url_for("auth.account"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(
                user,
                current=form.current_password.data,
                new=form.password.data,
                policy=services.password_policy(_max_delay()),
                keep=current_user_session(),
            )
        except throttle.TooManyAttempts as refused:
            return too_many(refused.retry_after, "auth/password.html", form=form)
        except DomainError as error:
            refuse(error, form, "password")
        else:
            db.session.commit()
            flash(
                _("Your password has been changed. Other sessions have been signed out."), "success"
            )
            return redirect(url_for("home.index"))
    return render_template("auth/password.html", form=form)


@bp.route("/admin/users")
@require("users.manage")
def users():
    query = request.args.get("q", "").strip()
    statement = sa.select(User).order_by(User.name)
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(
            sa.or_(sa.func.lower(User.name).like(pattern), User.email.like(pattern))
        )
    page = db.paginate(statement, per_page=50, error_out=False)
    return render_template("auth/users.html", page=page, query=query, form=ConfirmForm())


@bp.route("/admin/users/new", methods=["GET", "POST"])
@require("users.manage")
def create_user():
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                role=Role(form.role.data),
                locale=form.locale.data,
                actor=current_user,
            )
        except DomainError as error:
            refuse(error, form, "email")
        else:
            db.session.commit()
            flash(_("User %(name)s created.", name=user.name), "success")
            return redirect(url_for("auth.users"))
    return render_template("auth/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@require("users.manage")
def edit_user(user_id: int):
    user = load(User, user_id, "users.manage")
    form = UserEditForm(obj=user)
    if request.method == "GET":
        form.role.data = user.role.value
        form.locale.data = user.locale or ""
    if form.validate_on_submit() and form.name.data is not None and form.email.data is not None:
        try:
            services.update_user(
                user,
                name=form.name.data,
                email=form.email.data,
                role=Role(form.role.data),
                active=form.active.data,
                locale=form.locale.data,
                actor=current_user,
            )
        except DomainError as error:
            refuse(error, form, "email")
        else:
            db.session.commit()
            flash(_("User %(name)s saved.", name=user.name), "success")
            return redirect(url_for("auth.users"))
    open_sessions = services.open_sessions(user, now=datetime.now(UTC), **_timeouts())
    return render_template(
        "auth/user_form.html",
        form=form,
        user=user,
        open_sessions=open_sessions,
        confirm_form=ConfirmForm(),
        **panels.contributions(panels.user_page, user),  # its linked record
    )


@bp.route("/admin/users/<int:user_id>/deactivate", methods=["POST"])
@require("users.manage")
def deactivate_user(user_id: int):
    user = load(User, user_id, "users.manage")
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.deactivate_user(user, actor=current_user)
        except DomainError as error:
            refuse(error)
        else:
            db.session.commit()
            flash(_("User %(name)s deactivated.", name=user.name), "success")
    return redirect(url_for("auth.users"))


@bp.route("/admin/users/<int:user_id>/sign-out-everywhere", methods=["POST"])
@require("users.manage")
def sign_out_everywhere(user_id: int):
    user = load(User, user_id, "users.manage")
    form = ConfirmForm()
    if form.validate_on_submit():
        ended = services.sign_out_everywhere(user, actor=current_user)
        db.session.commit()
        if user.id == current_user.id:
            _forget_this_browser()
            return redirect(url_for("auth.login"))
        flash(
            ngettext(
                "%(name)s: %(num)d session signed out.",
                "%(name)s: %(num)d sessions signed out.",
                ended,
                name=user.name,
            ),
            "success",
        )
    return redirect(url_for("auth.edit_user", user_id=user.id))
