"""Organisations pages: list, create, edit, end a partnership, merge two
records of one organisation."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from training.audit.history import history_rows
from training.domain import DomainError
from training.extensions import db
from training.formatting import format_day
from training.organisations import merge, queries
from training.organisations.forms import (
    KEEP_OTHER,
    KEEP_THIS,
    EndPartnershipForm,
    MergeChoiceForm,
    MergeForm,
    OrganisationFilterForm,
    OrganisationForm,
)
from training.people import organisations as services
from training.people.models import Organisation, OrganisationKind
from training.permissions import require
from training.web.errors import refuse
from training.web.loaders import load

bp = Blueprint("organisations", __name__)

PER_PAGE = 50


def _details(form: OrganisationForm) -> services.OrganisationDetails:
    return services.OrganisationDetails(
        name=form.name.data or "",
        acronym=form.acronym.data or None,
        country=form.country.data or None,
        kind=OrganisationKind(form.kind.data),
        is_security_force=bool(form.is_security_force.data),
        active_from=form.active_from.data,
        active_until=form.active_until.data,
    )


@bp.route("/organisations")
@require("organisations.view")
def list_organisations():
    filters = OrganisationFilterForm(formdata=request.args)
    if not filters.validate():
        return render_template(
            "organisations/list.html", filters=filters, page=None, counts={}, args={}
        ), 400
    statement = services.organisation_search(
        filters.q.data,
        country=filters.country.data or None,
        kind=OrganisationKind(filters.kind.data) if filters.kind.data else None,
        state=services.PartnershipState(filters.state.data) if filters.state.data else None,
    )
    page = db.paginate(statement, per_page=PER_PAGE, error_out=False)
    args = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template(
        "organisations/list.html",
        filters=filters,
        page=page,
        counts=services.people_counts(organisation.id for organisation in page.items),
        args=args,
        today=date.today(),
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@require("organisations.manage")
def create_organisation() -> ResponseReturnValue:
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = services.create_organisation(_details(form), actor=current_user)
        except DomainError as error:
            refuse(error, form, "name")
        else:
            db.session.commit()
            flash(_("Organisation %(label)s added.", label=organisation.label), "success")
            return redirect(
                url_for("organisations.show_organisation", organisation_id=organisation.id)
            )
    return render_template("organisations/form.html", form=form, organisation=None), (
        400 if form.errors else 200
    )


def _render_show(
    organisation: Organisation, end_form: EndPartnershipForm | None = None, status: int = 200
):
    sessions, sessions_total = queries.partner_sessions(organisation)
    return render_template(
        "organisations/show.html",
        organisation=organisation,
        counts=services.people_counts([organisation.id]).get(
            organisation.id, services.PeopleCount()
        ),
        trainers=services.organisation_trainers(organisation),
        sessions=sessions,
        sessions_total=sessions_total,
        nominations=queries.nominations_made(organisation),
        end_form=end_form or EndPartnershipForm(formdata=None),
        history=history_rows(services.organisation_history(organisation)),
        today=date.today(),
    ), status


@bp.route("/organisations/<int:organisation_id>")
@require("organisations.view")
def show_organisation(organisation_id: int):
    return _render_show(load(Organisation, organisation_id, "organisations.view"))


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@require("organisations.manage")
def edit_organisation(organisation_id: int) -> ResponseReturnValue:
    organisation = load(Organisation, organisation_id, "organisations.manage")
    form = OrganisationForm(obj=organisation)
    if request.method == "GET":
        form.kind.data = organisation.kind.value
        form.country.data = organisation.country or ""
    if form.validate_on_submit():
        try:
            services.update_organisation(organisation, _details(form), actor=current_user)
        except DomainError as error:
            refuse(error, form, "name")
        else:
            db.session.commit()
            flash(_("Organisation %(label)s saved.", label=organisation.label), "success")
            return redirect(
                url_for("organisations.show_organisation", organisation_id=organisation.id)
            )
    return render_template("organisations/form.html", form=form, organisation=organisation), (
        400 if form.errors else 200
    )


@bp.route("/organisations/<int:organisation_id>/end", methods=["POST"])
@require("organisations.manage")
def end_partnership(organisation_id: int) -> ResponseReturnValue:
    organisation = load(Organisation, organisation_id, "organisations.manage")
    form = EndPartnershipForm()
    if not form.validate_on_submit() or form.ended_on.data is None:
        return _render_show(organisation, form, 400)
    try:
        services.end_partnership(organisation, form.ended_on.data, actor=current_user)
    except DomainError as error:
        refuse(error, form, "ended_on")
        return _render_show(load(Organisation, organisation_id), form, 409)
    db.session.commit()
    flash(
        _(
            "The partnership with %(label)s ends on %(day)s.",
            label=organisation.label,
            day=format_day(form.ended_on.data, "long"),
        ),
        "success",
    )
    return redirect(url_for("organisations.show_organisation", organisation_id=organisation.id))


# --- merging two records of one organisation -------------------------------------


def _others() -> list[Organisation]:
    return services.by_label(db.session.scalars(sa.select(Organisation)))


def _pair(organisation: Organisation, duplicate_id: int, keep: str) -> tuple[Organisation, ...]:
    """(kept, removed) for this page's organisation, the other record and
    which one to keep (404 when the other record does not exist)."""
    other = load(Organisation, duplicate_id, "organisations.manage")
    return (organisation, other) if keep == KEEP_THIS else (other, organisation)


@bp.route("/organisations/<int:organisation_id>/merge")
@require("organisations.manage")
def merge_choice(organisation_id: int) -> ResponseReturnValue:
    """Choose the other record and which one to keep; once chosen, the same
    page shows what the merge moves and asks for confirmation."""
    organisation = load(Organisation, organisation_id, "organisations.manage")
    form = MergeChoiceForm(organisation, _others(), formdata=request.args or None)
    if not request.args:
        return _render_merge(organisation, form)
    if not form.validate():
        return _render_merge(organisation, form, status=400)
    kept, removed = _pair(organisation, form.duplicate.data, form.keep.data)
    try:
        plan = merge.merge_plan(kept, removed)
    except DomainError as error:
        refuse(error, form, "duplicate")
        return _render_merge(organisation, form, status=409)
    return _render_merge(
        organisation,
        form,
        plan=plan,
        confirm_form=MergeForm(formdata=None, duplicate=form.duplicate.data, keep=form.keep.data),
        swap_keep=KEEP_OTHER if form.keep.data == KEEP_THIS else KEEP_THIS,
    )


def _render_merge(
    organisation: Organisation,
    form: MergeChoiceForm,
    *,
    status: int = 200,
    plan: merge.MergePlan | None = None,
    **context,
):
    return render_template(
        "organisations/merge.html",
        organisation=organisation,
        form=form,
        suggestions=services.likely_duplicates(organisation),
        plan=plan,
        **context,
    ), status


@bp.route("/organisations/<int:organisation_id>/merge", methods=["POST"])
@require("organisations.manage")
def merge_organisations(organisation_id: int) -> ResponseReturnValue:
    organisation = load(Organisation, organisation_id, "organisations.manage")
    form = MergeForm()
    if not form.validate_on_submit():
        abort(400)
    kept, removed = _pair(organisation, int(form.duplicate.data or 0), form.keep.data or "")
    kept_id, removed_label = kept.id, removed.label
    try:
        merge.merge_organisations(kept, removed, actor=current_user)
    except DomainError as error:
        refuse(error)
        return _render_merge(
            load(Organisation, organisation_id),
            MergeChoiceForm(load(Organisation, organisation_id), _others(), formdata=None),
            status=409,
        )
    db.session.commit()
    kept = load(Organisation, kept_id)
    flash(
        _(
            "%(removed)s was merged into %(kept)s.",
            removed=removed_label,
            kept=kept.label,
        ),
        "success",
    )
    return redirect(url_for("organisations.show_organisation", organisation_id=kept_id))
