from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from training.auth import services
from training.auth.forms import (
    ConfirmForm,
    LoginForm,
    PasswordChangeForm,
    UserCreateForm,
    UserEditForm,
)
from training.auth.models import Role, User
from training.domain import DomainError
from training.extensions import db, limiter
from training.permissions import require

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


def _login_failed(response) -> bool:
    return response.status_code != 302


def _account_key() -> str:
    return "login:" + services.normalise_email(request.form.get("email", ""))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=_login_failed
)
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"],
    methods=["POST"],
    key_func=_account_key,
    deduct_when=_login_failed,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            db.session.commit()  # keep the audit of the failure
            flash(_("The email or password is not correct."), "danger")
            return render_template("auth/login.html", form=form), 200
        locale = session.get("locale")
        # A new session at sign-in: nothing set before survives (no fixation).
        session.clear()
        if locale:
            session["locale"] = locale
        login_user(user)
        now = datetime.now(UTC).timestamp()
        session["signed_in_at"] = now
        session["last_seen_at"] = now
        session.permanent = True
        db.session.commit()
        return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(
                user, current=form.current_password.data, new=form.password.data
            )
        except DomainError as error:
            getattr(form, error.field or "password").errors.append(error.message)
        else:
            db.session.commit()
            # Stay signed in here with the new nonce; every other session ends.
            login_user(user)
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
            getattr(form, error.field or "email").errors.append(error.message)
        else:
            db.session.commit()
            flash(_("User %(name)s created.", name=user.name), "success")
            return redirect(url_for("auth.users"))
    return render_template("auth/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@require("users.manage")
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserEditForm(obj=user)
    if request.method == "GET":
        form.role.data = user.role.value
        form.locale.data = user.locale or ""
    if form.validate_on_submit():
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
            getattr(form, error.field or "email").errors.append(error.message)
        else:
            db.session.commit()
            flash(_("User %(name)s saved.", name=user.name), "success")
            return redirect(url_for("auth.users"))
    return render_template("auth/user_form.html", form=form, user=user)


@bp.route("/admin/users/<int:user_id>/deactivate", methods=["POST"])
@require("users.manage")
def deactivate_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.deactivate_user(user, actor=current_user)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(_("User %(name)s deactivated.", name=user.name), "success")
    return redirect(url_for("auth.users"))
