"""Pages for accounts: "Forgot your password?", the link that lets a person
choose a password, giving a trainer or a participant access from their page,
and the administrator's linking of an account to its record."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from training.accounts import services
from training.accounts.forms import (
    ChoosePasswordForm,
    ForgotPasswordForm,
    InviteUserForm,
    LinkRecordForm,
)
from training.accounts.letters import letter_for
from training.accounts.models import TokenPurpose
from training.auth import services as auth
from training.auth import throttle
from training.auth.forms import ConfirmForm
from training.auth.models import Role, SessionEnd, User
from training.auth.views import (
    current_user_session,
    fresh_browser_session,
    start_session,
    too_many,
)
from training.domain import DomainError
from training.extensions import db
from training.people.models import Participant, Trainer
from training.permissions import require
from training.web.downloads import send_download
from training.web.errors import refuse
from training.web.loaders import load

bp = Blueprint("accounts", __name__)

# The link's token never stays in the address bar, the history or a Referer:
# opening it keeps only the token's row id in the signed session cookie.
LINK_KEY = "account_link"


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            services.request_reset(
                form.email.data or "",
                address=request.remote_addr or "",
                locale=str(get_locale()),
            )
        except throttle.TooManyAttempts as refused:
            db.session.commit()
            return too_many(refused.retry_after, "accounts/forgot_password.html", form=form)
        db.session.commit()
        return render_template("accounts/reset_requested.html")
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/account/link/<token>")
def open_link(token: str):
    try:
        record = services.find_link(token[:100], address=request.remote_addr or "")
    except throttle.TooManyAttempts as refused:
        db.session.commit()
        return too_many(refused.retry_after, "accounts/link_invalid.html")
    db.session.commit()
    if record is None:
        return render_template("accounts/link_invalid.html"), 404
    if current_user.is_authenticated:
        # Someone else's session on a shared phone: it ends here.
        own = current_user_session()
        if own is not None:
            auth.end_session(own, SessionEnd.SIGNED_OUT)
            db.session.commit()
        logout_user()
    fresh_browser_session()
    session[LINK_KEY] = record.id
    return redirect(url_for("accounts.choose_password"))


@bp.route("/account/choose-password", methods=["GET", "POST"])
def choose_password():
    record = services.token_by_id(session.get(LINK_KEY))
    if record is None:
        session.pop(LINK_KEY, None)
        return render_template("accounts/link_invalid.html"), 404
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            user = services.use_link(record, form.password.data or "")
        except DomainError as error:
            refuse(error, form, "password")
        else:
            start_session(user)
            db.session.commit()
            flash(
                _(
                    "Welcome, %(name)s. Your password is saved and you are signed in.",
                    name=user.name,
                )
                if record.purpose is TokenPurpose.INVITATION
                else _("Your new password is saved. Every other session has been signed out."),
                "success",
            )
            return redirect(url_for("home.index"))
    return render_template(
        "accounts/choose_password.html",
        form=form,
        account=record.user,
        invitation=record.purpose is TokenPurpose.INVITATION,
    )


# --- from a trainer's or a participant's page -----------------------------------------


def _person(kind: str, person_id: int) -> Trainer | Participant:
    if kind == "trainer":
        return load(Trainer, person_id, "accounts.invite")
    return load(Participant, person_id, "accounts.invite")


def _person_page(person: Trainer | Participant) -> str:
    if isinstance(person, Trainer):
        return url_for("people.show_trainer", trainer_id=person.id)
    return url_for("people.show_participant", participant_id=person.id)


@bp.route("/<any(trainers, participants):kind>/<int:person_id>/access", methods=["POST"])
@require("accounts.invite")
def give_access(kind: str, person_id: int):
    person = _person(kind.rstrip("s"), person_id)
    if ConfirmForm().validate_on_submit():
        try:
            access = services.give_access(person, actor=current_user)
        except DomainError as error:
            refuse(error)
        else:
            db.session.commit()
            if access.mailed:
                flash(
                    _(
                        "%(name)s can now sign in: an invitation was sent to %(email)s.",
                        name=access.user.name,
                        email=access.user.email,
                    ),
                    "success",
                )
            else:
                flash(
                    _(
                        "%(name)s's record is now linked to the account %(email)s.",
                        name=access.user.name,
                        email=access.user.email,
                    ),
                    "success",
                )
    return redirect(_person_page(person))


def _mail_link(user: User, back: str):
    if ConfirmForm().validate_on_submit():
        try:
            if user.has_password:
                services.send_reset(user, actor=current_user)
            else:
                services.send_invitation(user, actor=current_user)
        except DomainError as error:
            refuse(error)
        else:
            db.session.commit()
            flash(
                _(
                    "A new link was sent to %(email)s; earlier links no longer work.",
                    email=user.email,
                ),
                "success",
            )
    return redirect(back)


def _print_letter(user: User, back: str):
    if not ConfirmForm().validate_on_submit():
        return redirect(back)
    try:
        link = services.print_link(user, actor=current_user)
    except DomainError as error:
        refuse(error)
        return redirect(back)
    body, filename = letter_for(user, link, prepared_by=current_user)
    db.session.commit()
    return send_download(body, filename, "application/pdf", inline=True)


@bp.route("/<any(trainers, participants):kind>/<int:person_id>/access/mail", methods=["POST"])
@require("accounts.invite")
def mail_person_link(kind: str, person_id: int):
    person = _person(kind.rstrip("s"), person_id)
    user = person.user
    if user is None:
        flash(_("This record has no account yet."), "danger")
        return redirect(_person_page(person))
    return _mail_link(user, _person_page(person))


@bp.route("/<any(trainers, participants):kind>/<int:person_id>/access/letter", methods=["POST"])
@require("accounts.invite")
def print_person_letter(kind: str, person_id: int):
    person = _person(kind.rstrip("s"), person_id)
    user = person.user
    if user is None:
        flash(_("This record has no account yet."), "danger")
        return redirect(_person_page(person))
    return _print_letter(user, _person_page(person))


# --- the administrator's user form -------------------------------------------------------


def _user_page(user: User) -> str:
    return url_for("auth.edit_user", user_id=user.id)


@bp.route("/admin/users/invite", methods=["GET", "POST"])
@require("users.manage")
def invite_user():
    form = InviteUserForm()
    if form.validate_on_submit():
        try:
            user = services.invite_user(
                email=form.email.data or "",
                name=form.name.data or "",
                role=Role(form.role.data),
                locale=form.locale.data,
                actor=current_user,
            )
        except DomainError as error:
            refuse(error, form, "email")
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s's account is created: an invitation was sent to %(email)s.",
                    name=user.name,
                    email=user.email,
                ),
                "success",
            )
            return redirect(url_for("auth.edit_user", user_id=user.id))
    return render_template("accounts/invite_user.html", form=form)


@bp.route("/admin/users/<int:user_id>/access/mail", methods=["POST"])
@require("users.manage")
def mail_user_link(user_id: int):
    user = load(User, user_id, "users.manage")
    return _mail_link(user, _user_page(user))


@bp.route("/admin/users/<int:user_id>/access/letter", methods=["POST"])
@require("users.manage")
def print_user_letter(user_id: int):
    user = load(User, user_id, "users.manage")
    return _print_letter(user, _user_page(user))


@bp.route("/admin/users/<int:user_id>/link", methods=["POST"])
@require("users.manage")
def link_record(user_id: int):
    user = load(User, user_id, "users.manage")
    form = LinkRecordForm()
    if not form.validate_on_submit():
        flash(_("Choose a record to link."), "danger")
        return redirect(_user_page(user))
    person: Trainer | Participant = (
        load(Trainer, form.record_id.data or 0)
        if form.kind.data == "trainer"
        else load(Participant, form.record_id.data or 0)
    )
    try:
        services.link_record(user, person, actor=current_user)
    except DomainError as error:
        refuse(error)
    else:
        db.session.commit()
        flash(
            _("The account is now linked to %(name)s.", name=services.person_name(person)),
            "success",
        )
    return redirect(_user_page(user))


@bp.route("/admin/users/<int:user_id>/unlink", methods=["POST"])
@require("users.manage")
def unlink_record(user_id: int):
    user = load(User, user_id, "users.manage")
    if ConfirmForm().validate_on_submit():
        try:
            services.unlink_record(user, actor=current_user)
        except DomainError as error:
            refuse(error)
        else:
            db.session.commit()
            flash(_("The account is no longer linked to a record."), "success")
    return redirect(_user_page(user))
