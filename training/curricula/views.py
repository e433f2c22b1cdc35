"""Curricula pages: list, create, edit, modules, approve, retire."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from training.audit.history import history_rows
from training.auth.forms import ConfirmForm
from training.curricula import services
from training.curricula.forms import CurriculumFilterForm, CurriculumForm, ModuleForm
from training.curricula.models import Curriculum, CurriculumOwner, CurriculumStatus, Module, Theme
from training.domain import DomainError
from training.extensions import db
from training.permissions import require
from training.web import panels
from training.web.errors import refuse
from training.web.loaders import load, load_child

bp = Blueprint("curricula", __name__)

PER_PAGE = 25


@bp.route("/curricula")
@require("curricula.view")
def list_curricula():
    filters = CurriculumFilterForm(formdata=request.args)
    if not filters.validate():
        return render_template("curricula/list.html", filters=filters, page=None, args={}), 400
    statement = services.search_curricula(
        query=filters.q.data,
        theme=Theme(filters.theme.data) if filters.theme.data else None,
        owner=CurriculumOwner(filters.owner.data) if filters.owner.data else None,
        status=CurriculumStatus(filters.status.data) if filters.status.data else None,
    ).options(selectinload(Curriculum.modules))
    page = db.paginate(statement, per_page=PER_PAGE, error_out=False)
    args = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template("curricula/list.html", filters=filters, page=page, args=args)


@bp.route("/curricula/new", methods=["GET", "POST"])
@require("curricula.manage")
def create_curriculum():
    form = CurriculumForm()
    if form.validate_on_submit():
        try:
            curriculum = services.create_curriculum(actor=current_user, **form.values())
        except DomainError as error:
            refuse(error, form, "code")
        else:
            db.session.commit()
            flash(_("Curriculum %(code)s created as a draft.", code=curriculum.code), "success")
            return redirect(url_for("curricula.show_curriculum", curriculum_id=curriculum.id))
    status = 422 if form.is_submitted() else 200
    return render_template("curricula/form.html", form=form, curriculum=None), status


@bp.route("/curricula/<int:curriculum_id>")
@require("curricula.view")
def show_curriculum(curriculum_id: int):
    return _render_show(load(Curriculum, curriculum_id, "curricula.view"))


@bp.route("/curricula/<int:curriculum_id>/edit", methods=["GET", "POST"])
@require("curricula.manage")
def edit_curriculum(curriculum_id: int):
    curriculum = load(Curriculum, curriculum_id, "curricula.manage")
    form = CurriculumForm(obj=curriculum)
    if request.method == "GET":
        form.theme.data = curriculum.theme.value
        form.owner.data = curriculum.owner.value
    if form.validate_on_submit():
        try:
            services.update_curriculum(curriculum, actor=current_user, **form.values())
        except DomainError as error:
            refuse(error, form, "code")
        else:
            db.session.commit()
            flash(_("Curriculum %(code)s saved.", code=curriculum.code), "success")
            return redirect(url_for("curricula.show_curriculum", curriculum_id=curriculum.id))
    status = 422 if form.is_submitted() else 200
    return render_template("curricula/form.html", form=form, curriculum=curriculum), status


def _render_show(curriculum: Curriculum, status: int = 200):
    return render_template(
        "curricula/show.html",
        curriculum=curriculum,
        history=history_rows(services.curriculum_history(curriculum)),
    ), status


def _refused(curriculum_id: int, error: DomainError):
    """A refused action: nothing is kept, the page says why (409)."""
    refuse(error)
    return _render_show(load(Curriculum, curriculum_id), 409)


@bp.route("/curricula/<int:curriculum_id>/approve", methods=["POST"])
@require("curricula.manage")
def approve_curriculum(curriculum_id: int):
    curriculum = load(Curriculum, curriculum_id, "curricula.manage")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.approve_curriculum(curriculum, actor=current_user)
    except DomainError as error:
        return _refused(curriculum_id, error)
    db.session.commit()
    flash(
        _("Curriculum %(code)s approved: it can now be scheduled.", code=curriculum.code), "success"
    )
    return redirect(url_for("curricula.show_curriculum", curriculum_id=curriculum_id))


@bp.route("/curricula/<int:curriculum_id>/retire", methods=["GET", "POST"])
@require("curricula.manage")
def retire_curriculum(curriculum_id: int):
    """What retiring means (the sessions still under way go on), then the
    retirement."""
    curriculum = load(Curriculum, curriculum_id, "curricula.manage")
    if request.method == "GET":
        if curriculum.is_retired:
            flash(_("Curriculum %(code)s is already retired.", code=curriculum.code), "info")
            return redirect(url_for("curricula.show_curriculum", curriculum_id=curriculum_id))
        return render_template(
            "curricula/retire.html",
            curriculum=curriculum,
            **panels.contributions(panels.curriculum_retiring, curriculum),  # its sessions
        )
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.retire_curriculum(curriculum, actor=current_user)
    except DomainError as error:
        return _refused(curriculum_id, error)
    db.session.commit()
    flash(
        _("Curriculum %(code)s retired: it can no longer be scheduled.", code=curriculum.code),
        "success",
    )
    return redirect(url_for("curricula.show_curriculum", curriculum_id=curriculum_id))


@bp.route("/curricula/<int:curriculum_id>/modules/new", methods=["GET", "POST"])
@require("curricula.manage")
def add_module(curriculum_id: int):
    curriculum = load(Curriculum, curriculum_id, "curricula.manage")
    form = ModuleForm()
    if form.validate_on_submit():
        try:
            module = services.add_module(curriculum, **form.values())
        except DomainError as error:
            refuse(error, form, "title_en")
        else:
            db.session.commit()
            flash(_("Module “%(title)s” added.", title=module.title(str(get_locale()))), "success")
            return redirect(url_for("curricula.show_curriculum", curriculum_id=curriculum.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "curricula/module_form.html", form=form, curriculum=curriculum, module=None
    ), status


@bp.route("/curricula/<int:curriculum_id>/modules/<int:module_id>/edit", methods=["GET", "POST"])
@require("curricula.manage")
def edit_module(curriculum_id: int, module_id: int):
    module = load_child(Module, module_id, curriculum_id, "curriculum_id", "curricula.manage")
    form = ModuleForm(obj=module)
    if form.validate_on_submit():
        try:
            services.update_module(module, **form.values())
        except DomainError as error:
            refuse(error, form, "title_en")
        else:
            db.session.commit()
            flash(_("Module “%(title)s” saved.", title=module.title(str(get_locale()))), "success")
            return redirect(url_for("curricula.show_curriculum", curriculum_id=curriculum_id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "curricula/module_form.html", form=form, curriculum=module.curriculum, module=module
    ), status


@bp.route("/curricula/<int:curriculum_id>/modules/<int:module_id>/remove", methods=["POST"])
@require("curricula.manage")
def remove_module(curriculum_id: int, module_id: int):
    module = load_child(Module, module_id, curriculum_id, "curriculum_id", "curricula.manage")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    title = module.title(str(get_locale()))
    try:
        services.remove_module(module)
    except DomainError as error:
        return _refused(curriculum_id, error)
    db.session.commit()
    flash(_("Module “%(title)s” removed.", title=title), "success")
    return redirect(url_for("curricula.show_curriculum", curriculum_id=curriculum_id))


@bp.route(
    "/curricula/<int:curriculum_id>/modules/<int:module_id>/move/<direction>",
    methods=["POST"],
)
@require("curricula.manage")
def move_module(curriculum_id: int, module_id: int, direction: str):
    if direction not in ("up", "down"):
        abort(404)
    module = load_child(Module, module_id, curriculum_id, "curriculum_id", "curricula.manage")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.move_module(module, -1 if direction == "up" else 1)
    except DomainError as error:
        return _refused(curriculum_id, error)
    db.session.commit()
    return redirect(
        url_for("curricula.show_curriculum", curriculum_id=curriculum_id, _anchor="modules")
    )
