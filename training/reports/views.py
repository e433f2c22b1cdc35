"""The programme's results: the reports page, its drill-downs, its exports
and the donor report. Coordinators and administrators only ("reports.view");
the pages naming participants also need "participants.view".

Each view parses the filters, asks `queries` for the figures and
`presenters` (or `exports`) for their words, then renders or sends them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from datetime import date
from typing import Any, NamedTuple, TypeVar

from flask import (
    Blueprint,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import force_locale, get_locale, pgettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from training.auth.forms import ConfirmForm
from training.extensions import db
from training.jobs import services as jobs
from training.pdf import donor_report as pdf
from training.people.models import Participant
from training.permissions import authorize, can, require
from training.reports import export_jobs, exports, presenters, projection, queries
from training.reports.forms import DrillDownForm, ReportFilterForm
from training.reports.queries import Report
from training.sessions.models import TrainingSession
from training.web.downloads import send_download

DONOR_REPORT_LANGUAGES = ("fr", "en", "ar")

bp = Blueprint("reports", __name__)


@bp.before_request
def catch_up_before_reading():
    """Every report page and export reads current figures: the sessions a
    write marked stale are rewritten first (training.reports.projection)."""
    projection.catch_up()


PAGE_SIZE = 50

FormT = TypeVar("FormT", bound=ReportFilterForm)


def _validated(form: FormT, template: str, **context: Any) -> FormT:
    """The form once valid; bad filters answer 400 with `template` showing
    the form and its errors."""
    if not form.validate():
        abort(make_response(render_template(template, form=form, **context), 400))
    return form


@bp.route("/reports")
@require("reports.view")
def index():
    form = _validated(ReportFilterForm(request.args), "reports/index.html", report=None)
    filters = form.filters()
    report = queries.build_report(filters)
    query = filters.query_args()
    return render_template(
        "reports/index.html",
        form=form,
        report=report,
        query=query,
        summary=presenters.filter_summary(form),
        figures=presenters.headline_figures(report, query, current_user),
        sex_tables=presenters.sex_tables(report),
        charts=presenters.report_charts(report),
        definitions=presenters.definitions(),
        can_see_people=can(current_user, "participants.view"),
    )


@bp.route("/reports/participants")
@require("reports.view")
def participants():
    """The participants behind a figure (the filters plus a table cell)."""
    authorize("participants.view")
    form = _validated(DrillDownForm(request.args), "reports/participants.html", pagination=None)
    statement = queries.participants_behind(form.filters(), form.slice()).options(
        selectinload(Participant.organisation)
    )
    return _drill_down("reports/participants.html", form, statement)


@bp.route("/reports/sessions")
@require("reports.view")
def sessions():
    """The sessions behind a figure."""
    form = _validated(DrillDownForm(request.args), "reports/sessions.html", pagination=None)
    statement = queries.sessions_behind(form.filters(), form.year.data).options(
        selectinload(TrainingSession.curriculum)
    )
    return _drill_down("reports/sessions.html", form, statement)


def _drill_down(template: str, form: DrillDownForm, statement: Any) -> str:
    """A page of the list behind a figure, under the filters and the cell."""
    return render_template(
        template,
        form=form,
        pagination=db.paginate(statement, per_page=PAGE_SIZE, error_out=False),
        summary=presenters.filter_summary(form) + presenters.slice_summary(form),
        back=form.filters().query_args(),
        # The current query arguments without the page number, for the pager.
        page_args={key: value for key, value in request.args.items() if key != "page"},
    )


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file_name(stem: str, extension: str) -> str:
    return export_jobs.file_name(stem, extension)


def _csv_dialect() -> exports.CsvDialect:
    """The CSV dialect asked for (?dialect=international|excel-fr); any
    other answers 400."""
    dialect = exports.CSV_DIALECTS.get(request.args.get("dialect", exports.INTERNATIONAL.name))
    if dialect is None:
        abort(400)
    return dialect


class FilteredReport(NamedTuple):
    """The validated filter form and the report it selects."""

    form: ReportFilterForm
    report: Report


def _report_for_export() -> FilteredReport:
    """The report the query arguments select (bad filters answer 400 with
    the reports page and their errors)."""
    form = _validated(ReportFilterForm(request.args), "reports/index.html", report=None)
    return FilteredReport(form, queries.build_report(form.filters()))


@bp.route("/reports/export.csv")
@require("reports.view")
def export_csv():
    dialect = _csv_dialect()
    form, report = _report_for_export()
    body = exports.report_csv(
        exports.report_tables(report), presenters.filter_summary(form), dialect
    )
    # A byte-order mark lets Excel read the accents of a UTF-8 CSV.
    return send_download(
        "\ufeff" + body,
        _file_name(pgettext("file name", "report"), "csv"),
        "text/csv; charset=utf-8",
    )


@bp.route("/reports/export.xlsx")
@require("reports.view")
def export_xlsx():
    form, report = _report_for_export()
    body = exports.report_xlsx(
        exports.report_tables(report), presenters.filter_summary(form), date.today()
    )
    return send_download(body, _file_name(pgettext("file name", "report"), "xlsx"), XLSX_MIMETYPE)


@bp.route("/reports/export-participants.csv")
@require("reports.view")
def export_participants_csv():
    """One row per person-training, names included: coordinators only.
    Streamed as the rows are read, whatever their number."""
    authorize("participants.view")
    dialect = _csv_dialect()
    form = _validated(ReportFilterForm(request.args), "reports/index.html", report=None)
    filters = form.filters()

    def chunks() -> Iterator[str]:
        # The query runs when the first chunk is asked for, and its cursor
        # is closed however the download ends (a client gone midway).
        rows = export_jobs.streamed_rows(queries.training_rows(filters, dates_as_text=True))
        try:
            yield from exports.participants_csv(rows.partitions(), dialect=dialect)
        finally:
            rows.close()

    return send_download(
        stream_with_context(chunks()),
        _file_name(pgettext("file name", "participants"), "csv"),
        "text/csv; charset=utf-8",
    )


@bp.route("/reports/export-participants.xlsx", methods=["GET", "POST"])
@require("reports.view")
def export_participants():
    """The same as a workbook, written by a job: GET asks first (a link or
    a bookmark changes nothing), POST starts it and shows its page."""
    authorize("participants.view")
    form = _validated(ReportFilterForm(request.args), "reports/index.html", report=None)
    confirm = ConfirmForm()
    if request.method == "POST" and confirm.validate_on_submit():
        job = jobs.enqueue(
            export_jobs.PARTICIPANTS_XLSX,
            current_user,
            filters=form.filters().query_args(),
            locale=str(get_locale()),
        )
        db.session.commit()
        jobs.start(job.id)
        return redirect(url_for("jobs.show", job_id=job.id))
    if request.method == "POST":
        abort(400)
    return render_template(
        "reports/export_participants.html",
        form=form,
        confirm=confirm,
        query=form.filters().query_args(),
        summary=presenters.filter_summary(form),
    )


@bp.route("/reports/donor-report.pdf")
@require("reports.view")
def donor_report():
    """The donor-ready PDF of the filtered report, in the user's language or
    the one asked for (?language=fr|en|ar; Arabic reads right to left)."""
    language = request.args.get("language")
    if language is not None and language not in DONOR_REPORT_LANGUAGES:
        abort(400)
    form, report = _report_for_export()
    sessions = queries.counted_sessions(report.filters)
    with force_locale(language) if language else nullcontext():
        document = presenters.donor_document(
            report,
            presenters.filter_summary(form, dates=False, whole_programme=False),
            sessions,
            date.today(),
        )
    return send_download(
        pdf.render_donor_report(document),
        _file_name(pgettext("file name", "donor-report"), "pdf"),
        "application/pdf",
    )
