"""The workshop pack's one page: its download."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from training.attendance.sheet_data import SHEET_LANGUAGES
from training.curricula.models import Curriculum
from training.permissions import can, require
from training.sessions.models import Assignment, TrainingSession
from training.web.downloads import send_download
from training.web.loaders import load
from training.workshop_pack.pack import ZIP_MIMETYPE, PackRefused, build_pack

bp = Blueprint("workshop_pack", __name__)

PACK_LOADS = (
    joinedload(TrainingSession.curriculum).selectinload(Curriculum.modules),
    selectinload(TrainingSession.assignments).joinedload(Assignment.trainer),
    selectinload(TrainingSession.partners),
)


@bp.route("/sessions/<int:session_id>/workshop-pack.zip")
@require("workshop_pack.download")
def download(session_id: int):
    """The session's pack, for coordination and the session's own trainers;
    ?lang=fr|en|both|ar overrides the session's language. Contacts go in the
    roster only for those who may read participants' records."""
    training_session = load(
        TrainingSession, session_id, "workshop_pack.download", options=PACK_LOADS
    )
    language = request.args.get("lang")
    if language not in (None, *SHEET_LANGUAGES):
        abort(400)
    try:
        pack = build_pack(
            training_session,
            with_contacts=can(current_user, "participants.view"),
            language=language,
        )
    except PackRefused as error:
        flash(error.message, "warning")
        return redirect(url_for("sessions.show_session", session_id=session_id))
    return send_download(pack.data, pack.filename, ZIP_MIMETYPE)
