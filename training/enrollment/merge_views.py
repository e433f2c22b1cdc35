"""Merging two records of one person: choose the other record (the likely
ones first), see what moves, confirm."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload

from training.auth.forms import ConfirmForm
from training.domain import DomainError
from training.enrollment.merge import MergeRefused, merge_choices, merge_participants, plan_merge
from training.extensions import db
from training.people.models import Participant
from training.people.services import participant_search
from training.permissions import require
from training.web.errors import refuse
from training.web.loaders import load

bp = Blueprint("participant_merge", __name__)

SEARCH_LIMIT = 20
FIELD_LABELS = {
    "nationality": _l("nationality"),
    "organisation_id": _l("organisation"),
    "rank": _l("rank"),
    "function": _l("function"),
    "email": _l("email"),
    "phone": _l("phone"),
}


@bp.route("/participants/<int:participant_id>/merge")
@require("participants.merge")
def choose(participant_id: int):
    participant = load(Participant, participant_id, "participants.merge")
    query = request.args.get("q", "").strip()[:100]
    found = []
    if query:
        found = [
            other
            for other in db.session.scalars(
                participant_search(query)
                .options(selectinload(Participant.organisation))
                .limit(SEARCH_LIMIT + 1)
            )
            if other.id != participant.id
        ][:SEARCH_LIMIT]
    return render_template(
        "enrollment/merge_choose.html",
        participant=participant,
        likely=merge_choices(participant),
        query=query,
        found=found,
    )


@bp.route("/participants/<int:participant_id>/merge/<int:other_id>", methods=["GET", "POST"])
@require("participants.merge")
def confirm(participant_id: int, other_id: int):
    kept = load(Participant, participant_id, "participants.merge")
    merged = load(Participant, other_id, "participants.merge")
    form = ConfirmForm()
    try:
        plan = plan_merge(kept, merged)
    except MergeRefused as error:
        flash(error.message, "danger")
        return redirect(url_for("participant_merge.choose", participant_id=kept.id))
    if form.validate_on_submit():
        name = merged.full_name
        try:
            merge_participants(kept, merged, actor=current_user)
        except DomainError as error:
            refuse(error)
            return redirect(url_for("participant_merge.choose", participant_id=kept.id))
        db.session.commit()
        flash(
            _("%(merged)s's record is merged into %(kept)s's.", merged=name, kept=kept.full_name),
            "success",
        )
        return redirect(url_for("people.show_participant", participant_id=kept.id))
    return render_template(
        "enrollment/merge_confirm.html",
        plan=plan,
        form=form,
        filled=[str(FIELD_LABELS[name]) for name in plan.filled],
    )
