"""Importing a screening list: upload, preview every row, record all of
them or the ready ones (training.enrollment.screening_import)."""

from __future__ import annotations

from typing import NamedTuple

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from training.auth.forms import ConfirmForm
from training.domain import DomainError
from training.enrollment import screening_import, uploads
from training.enrollment.forms import ScreeningUploadForm
from training.enrollment.import_files import NomineeFile
from training.enrollment.models import StagedUpload
from training.extensions import db
from training.permissions import require
from training.web.downloads import send_download
from training.web.errors import refuse

bp = Blueprint("screening_import", __name__, url_prefix="/participants/screenings/import")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Staged(NamedTuple):
    upload: StagedUpload
    screening_file: NomineeFile
    check: screening_import.ScreeningCheck


def _staged() -> _Staged | None:
    """This coordinator's list, checked against the registry as it is now;
    None when there is none (or it is damaged)."""
    upload = uploads.stored_screening_list(current_user)
    if upload is None:
        return None
    screening_file = screening_import.load_screening_file(upload.content)
    if screening_file is None:
        return None
    return _Staged(upload, screening_file, screening_import.check_file(screening_file))


def _to_upload():
    flash(_("Upload the screening list first."), "warning")
    return redirect(url_for("screening_import.upload"))


def _staged_for_change() -> _Staged:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    staged = _staged()
    if staged is None:
        abort(_to_upload())
    return staged


def _render_preview(staged: _Staged, status: int = 200):
    return render_template(
        "enrollment/screening_import_preview.html",
        upload=staged.upload,
        file_format=staged.screening_file.format,
        check=staged.check,
        confirm_form=ConfirmForm(),
    ), status


@bp.route("", methods=["GET", "POST"])
@require("screening.manage")
def upload():
    form = ScreeningUploadForm()
    if form.validate_on_submit():
        try:
            screening_file = screening_import.read_screening_file(
                form.file.data.read(), str(get_locale())
            )
        except DomainError as error:
            refuse(error, form, "file")
        else:
            uploads.store_screening_list(
                current_user, screening_file, form.file.data.filename or ""
            )
            db.session.commit()
            return redirect(url_for("screening_import.preview"))
    status = 400 if form.is_submitted() else 200
    return render_template("enrollment/screening_import.html", form=form), status


@bp.route("/preview")
@require("screening.manage")
def preview():
    staged = _staged()
    if staged is None:
        return _to_upload()
    return _render_preview(staged)


def _record(ready_only: bool):
    staged = _staged_for_change()
    try:
        count = screening_import.record_rows(
            staged.check, actor=current_user, ready_only=ready_only
        )
    except DomainError as error:
        refuse(error)
        again = _staged()
        if again is None:
            return _to_upload()
        return _render_preview(again, 409)
    db.session.delete(staged.upload)
    db.session.commit()
    flash(
        ngettext(
            "%(num)d screening result recorded.", "%(num)d screening results recorded.", count
        ),
        "success",
    )
    if ready_only and staged.check.error_count:
        flash(
            ngettext(
                "%(num)d row with problems was left out.",
                "%(num)d rows with problems were left out.",
                staged.check.error_count,
            ),
            "warning",
        )
    return redirect(url_for("people.list_participants"))


@bp.route("/confirm", methods=["POST"])
@require("screening.manage")
def record_all():
    return _record(ready_only=False)


@bp.route("/ready", methods=["POST"])
@require("screening.manage")
def record_ready():
    return _record(ready_only=True)


@bp.route("/cancel", methods=["POST"])
@require("screening.manage")
def cancel():
    if ConfirmForm().validate_on_submit():
        uploads.discard_screening_list(current_user)
        db.session.commit()
    return redirect(url_for("screening_import.upload"))


@bp.route("/template.csv")
@require("screening.manage")
def template_csv():
    body = screening_import.template_csv(str(get_locale()))
    return send_download(body, "atelier-screening.csv", "text/csv; charset=utf-8")


@bp.route("/template.xlsx")
@require("screening.manage")
def template_xlsx():
    body = screening_import.template_xlsx(
        str(get_locale()), sheet_title=_("Screening"), lists_title=_("Lists")
    )
    return send_download(body, "atelier-screening.xlsx", XLSX_MIMETYPE)
