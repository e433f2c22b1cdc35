"""The programme's results: the reports page, its drill-downs, its exports
and the donor report. Coordinators and administrators only ("reports.view");
the pages naming participants also need "participants.view"."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from babel.numbers import get_decimal_symbol
from flask import Blueprint, render_template, request, url_for
from flask_babel import format_date, format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from training.certificates.models import CertificateKind
from training.curricula.models import Theme
from training.extensions import db
from training.formatting import percent
from training.labels import label
from training.pdf import donor_report as pdf
from training.people.models import OrganisationKind, Participant, Sex
from training.permissions import authorize, can, require
from training.reports import charts, exports, projection, queries
from training.reports.forms import DrillDownForm, ReportFilterForm
from training.reports.queries import Report
from training.sessions.models import TrainingSession
from training.web.downloads import send_download

bp = Blueprint("reports", __name__)


@bp.before_request
def catch_up_before_reading():
    """Every report page and export reads current figures: the sessions a
    write marked stale are rewritten first (training.reports.projection)."""
    projection.catch_up()


PAGE_SIZE = 50


def _locale() -> str:
    return str(get_locale() or "en")


def _pair(label: str, value: str) -> str:
    """ "label: value" in the reader's language (French spaces the colon)."""
    return _("%(label)s: %(value)s", label=label, value=value)


def _number(value: float) -> str:
    return format_decimal(value, "#,##0.#")


def filter_summary(form: ReportFilterForm) -> list[tuple[str, str]]:
    """(filter, chosen value) in words, for the page, the exports and the PDF."""
    summary = []
    for field in (
        form.date_from,
        form.date_to,
        form.country,
        form.theme,
        form.curriculum,
        form.organisation_kind,
        form.partner,
    ):
        if not field.data:
            continue
        if field.type == "DateField":
            shown = field.data.isoformat()
        else:
            shown = next(
                (str(text) for value, text in field.choices if value == field.data), str(field.data)
            )
        summary.append((str(field.label.text), shown))
    if not summary:
        summary.append((_("Filters"), _("None: the whole programme")))
    return summary


def report_charts(report: Report) -> dict[str, Markup]:
    """The three charts of the page, as inline SVG with translated labels."""
    women, men = _("Women"), _("Men")
    years = report.trained_by_year
    countries = report.by_country[:12]
    return {
        "by_year": charts.grouped_bar_chart(
            _("People trained per year, by sex"),
            [str(row.year) for row in years],
            [
                charts.Series(women, [row.women for row in years], charts.WOMEN_COLOUR),
                charts.Series(men, [row.men for row in years], charts.MEN_COLOUR),
            ],
            value_axis_label=_("People trained"),
            category_axis_label=_("Year the session started"),
            format_value=_number,
            empty_message=_("No one trained under these filters."),
            pair=_pair,
        ),
        "by_country": charts.horizontal_bar_chart(
            _("People trained by nationality"),
            [exports.nationality_label(row.key) for row in countries],
            [
                charts.Series(women, [row.women for row in countries], charts.WOMEN_COLOUR),
                charts.Series(men, [row.men for row in countries], charts.MEN_COLOUR),
            ],
            value_axis_label=_("People trained"),
            format_value=_number,
            empty_message=_("No one trained under these filters."),
            pair=_pair,
        ),
        "gain_by_theme": charts.horizontal_bar_chart(
            _("Mean knowledge gain by theme"),
            [label(Theme(row.theme)) for row in report.gain_by_theme],
            [
                charts.Series(
                    _("Mean knowledge gain"),
                    [round(row.mean_knowledge_gain, 1) for row in report.gain_by_theme],
                    charts.SINGLE_COLOUR,
                )
            ],
            value_axis_label=_("Percentage points, post-test minus pre-test"),
            format_value=_number,
            empty_message=_("No test scores under these filters."),
            pair=_pair,
        ),
    }


class Figure(NamedTuple):
    name: str
    value: str
    url: str | None
    note: str | None = None


def _share(value: float | None) -> str:
    return percent(value, 1) if value is not None else "—"


def headline_figures(report: Report, query: dict[str, str]) -> list[Figure]:
    """The headline cards, each linked to the list behind it."""
    headline = report.headline
    people = can(current_user, "participants.view")

    def people_url(**narrowing: str) -> str | None:
        return url_for("reports.participants", **query, **narrowing) if people else None

    gain = headline.mean_knowledge_gain
    trainers_url = url_for("people.list_trainers") if can(current_user, "trainers.view") else None
    return [
        Figure(
            _("Sessions held"),
            _number(headline.sessions_held),
            url_for("reports.sessions", **query),
        ),
        Figure(_("People trained"), _number(headline.people_trained), people_url()),
        Figure(_("Person-trainings"), _number(headline.person_trainings), people_url()),
        Figure(
            _("Share of women"),
            _share(headline.share_of_women),
            people_url(sex=Sex.FEMALE.value),
            ngettext(
                "%(count)s woman",
                "%(count)s women",
                headline.women,
                count=_number(headline.women),
            ),
        ),
        Figure(
            _("Completion rate"),
            _share(headline.completion_rate),
            people_url(certificate="completion"),
            ngettext(
                "%(count)s certificate of completion",
                "%(count)s certificates of completion",
                headline.completions,
                count=_number(headline.completions),
            ),
        ),
        Figure(
            _("Attendance rate"),
            _share(headline.attendance_rate),
            people_url(),
            ngettext(
                "%(attended)s of %(scheduled)s period",
                "%(attended)s of %(scheduled)s periods",
                headline.scheduled_periods,
                attended=_number(headline.attended_periods),
                scheduled=_number(headline.scheduled_periods),
            ),
        ),
        Figure(
            _("Mean knowledge gain"),
            _("%(points)s points", points=format_decimal(gain, "#,##0.0"))
            if gain is not None
            else "—",
            people_url(scored="1"),
            ngettext(
                "over %(count)s person-training with both tests",
                "over %(count)s person-trainings with both tests",
                headline.scored_trainings,
                count=_number(headline.scored_trainings),
            ),
        ),
        Figure(
            _("Trainers qualified through trainings of trainers"),
            _number(headline.trainers_qualified),
            trainers_url,
        ),
    ]


def sex_tables(report: Report) -> list[dict[str, Any]]:
    """The two "by sex" tables: (row label, drill-down arguments, row)."""
    return [
        {
            "title": _("People trained by nationality and sex"),
            "key_label": _("Nationality"),
            "rows": [
                (
                    exports.nationality_label(row.key),
                    {"nationality": row.key or queries.UNKNOWN},
                    row,
                )
                for row in report.by_country
            ],
        },
        {
            "title": _("People trained by organisation kind and sex"),
            "key_label": _("Organisation kind"),
            "rows": [
                (
                    exports.organisation_kind_label(row.key),
                    {"organisation_kind": row.key or queries.UNKNOWN},
                    row,
                )
                for row in report.by_organisation_kind
            ],
        },
    ]


def _bad_filters(template: str, form: ReportFilterForm, **context: Any) -> tuple[str, int]:
    return render_template(template, form=form, **context), 400


@bp.route("/reports")
@require("reports.view")
def index():
    form = ReportFilterForm(request.args)
    if not form.validate():
        return _bad_filters("reports/index.html", form, report=None)
    filters = form.filters()
    report = queries.build_report(filters)
    query = filters.query_args()
    return render_template(
        "reports/index.html",
        form=form,
        report=report,
        query=query,
        summary=filter_summary(form),
        figures=headline_figures(report, query),
        sex_tables=sex_tables(report),
        charts=report_charts(report),
        definitions=definitions(),
        can_see_people=can(current_user, "participants.view"),
    )


@bp.route("/reports/participants")
@require("reports.view")
def participants():
    """The participants behind a figure (the filters plus a table cell)."""
    authorize("participants.view")
    form = DrillDownForm(request.args)
    if not form.validate():
        return _bad_filters("reports/participants.html", form, pagination=None)
    statement = queries.participants_behind(form.filters(), form.slice()).options(
        selectinload(Participant.organisation)
    )
    pagination = db.paginate(statement, per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "reports/participants.html",
        form=form,
        pagination=pagination,
        summary=filter_summary(form) + _slice_summary(form),
        back=form.filters().query_args(),
        page_args=_page_args(),
    )


def _page_args() -> dict[str, str]:
    """The current query arguments without the page number, for the pager."""
    return {key: value for key, value in request.args.items() if key != "page"}


def _slice_summary(form: DrillDownForm) -> list[tuple[str, str]]:
    summary = []
    for field in (form.sex, form.nationality, form.year, form.certificate, form.scored):
        if field.data:
            shown = next(
                (str(text) for value, text in field.choices if value == field.data), str(field.data)
            )
            summary.append((str(field.label.text), shown))
    if form.organisation_kind.data == queries.UNKNOWN:
        summary.append((str(form.organisation_kind.label.text), _("No organisation")))
    return summary


@bp.route("/reports/sessions")
@require("reports.view")
def sessions():
    """The sessions behind a figure."""
    form = DrillDownForm(request.args)
    if not form.validate():
        return _bad_filters("reports/sessions.html", form, pagination=None)
    statement = queries.sessions_behind(form.filters(), form.year.data).options(
        selectinload(TrainingSession.curriculum)
    )
    pagination = db.paginate(statement, per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "reports/sessions.html",
        form=form,
        pagination=pagination,
        summary=filter_summary(form) + _slice_summary(form),
        back=form.filters().query_args(),
        page_args=_page_args(),
    )


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file_name(stem: str, extension: str) -> str:
    return f"atelier-{stem}-{date.today().isoformat()}.{extension}"


def _report_for_export() -> tuple[ReportFilterForm, Report] | tuple[str, int]:
    form = ReportFilterForm(request.args)
    if not form.validate():
        return _bad_filters("reports/index.html", form, report=None)
    return form, queries.build_report(form.filters())


@bp.route("/reports/export.csv")
@require("reports.view")
def export_csv():
    result = _report_for_export()
    if isinstance(result[1], int):
        return result
    form, report = result
    body = exports.report_csv(exports.report_tables(report), filter_summary(form))
    # A byte-order mark lets Excel read the accents of a UTF-8 CSV.
    return send_download("\ufeff" + body, _file_name("report", "csv"), "text/csv; charset=utf-8")


@bp.route("/reports/export.xlsx")
@require("reports.view")
def export_xlsx():
    result = _report_for_export()
    if isinstance(result[1], int):
        return result
    form, report = result
    body = exports.report_xlsx(exports.report_tables(report), filter_summary(form), date.today())
    return send_download(body, _file_name("report", "xlsx"), XLSX_MIMETYPE)


@bp.route("/reports/export-participants.xlsx")
@require("reports.view")
def export_participants():
    """One row per person-training, names included: coordinators only."""
    authorize("participants.view")
    form = ReportFilterForm(request.args)
    if not form.validate():
        return _bad_filters("reports/index.html", form, report=None)
    header = (
        _("Family name"),
        _("Given name"),
        _("Sex"),
        _("Nationality"),
        _("Organisation"),
        _("Organisation kind"),
        _("Rank"),
        _("Session"),
        _("Curriculum"),
        _("Theme"),
        _("Start date"),
        _("End date"),
        _("Country of the session"),
        _("Attended periods"),
        _("Scheduled periods"),
        _("Pre-test score"),
        _("Post-test score"),
        _("Certificate"),
    )
    result = db.session.execute(queries.training_rows(form.filters()))
    # Translated once per export, not once per cell.
    names: dict[Any, str] = {
        member: label(member)
        for enum_class in (Sex, OrganisationKind, Theme, CertificateKind)
        for member in enum_class
    }
    names[None] = ""
    rows = (
        (
            row.family_name,
            row.given_name,
            names[row.sex],
            row.nationality or "",
            row.organisation or "",
            names[row.organisation_kind],
            row.rank or "",
            row.session_code,
            row.curriculum_code,
            names[row.theme],
            row.start_date,
            row.end_date,
            row.country,
            row.attended_periods,
            row.scheduled_periods,
            row.pre_test_score,
            row.post_test_score,
            names[row.certificate_kind],
        )
        for row in result
    )
    body = exports.participants_xlsx(header, rows, _("Person-trainings"))
    return send_download(body, _file_name("participants", "xlsx"), XLSX_MIMETYPE)


@bp.route("/reports/donor-report.pdf")
@require("reports.view")
def donor_report():
    """The donor-ready PDF of the filtered report, in the user's language."""
    result = _report_for_export()
    if isinstance(result[1], int):
        return result
    form, report = result
    tables = exports.report_tables(report)
    women, men = _("Women"), _("Men")
    countries = report.by_country[:12]
    filters = filter_summary(form)
    document = pdf.DonorReport(
        language=_locale(),
        title=_("Programme results"),
        subtitle=_("UNODC–DPO joint training programme: G5 Sahel and MINUSMA"),
        generated_label=_("Generated on %(day)s", day=format_date_long(date.today())),
        filters_title=_("Filters used"),
        filter_label=_("Filter"),
        figure_label=_("Figure"),
        value_label=_("Value"),
        filters=tuple(filters),
        cover_filters=tuple(_pair(name, value) for name, value in filters),
        decimal_mark=get_decimal_symbol(_locale()),
        headline_title=_("Headline figures"),
        headline=tuple(
            (name, _format_figure(value, unit))
            for name, value, unit in exports.headline_rows(report)
        ),
        tables=tuple(
            pdf.TableData(
                title=table.title,
                header=tuple(str(cell) for cell in table.header),
                rows=tuple(tuple(_cell_text(cell) for cell in row) for row in table.rows),
            )
            for table in tables[1:]
        ),
        charts=(
            pdf.ChartData(
                title=_("People trained per year, by sex"),
                categories=tuple(str(row.year) for row in report.trained_by_year),
                series=(
                    (women, tuple(row.women for row in report.trained_by_year)),
                    (men, tuple(row.men for row in report.trained_by_year)),
                ),
                value_axis_label=_("People trained"),
            ),
            pdf.ChartData(
                title=_("People trained by nationality"),
                categories=tuple(exports.nationality_label(row.key) for row in countries),
                series=(
                    (women, tuple(row.women for row in countries)),
                    (men, tuple(row.men for row in countries)),
                ),
                value_axis_label=_("People trained"),
            ),
            pdf.ChartData(
                title=_("Mean knowledge gain by theme"),
                categories=tuple(label(Theme(row.theme)) for row in report.gain_by_theme),
                series=(
                    (
                        _("Mean knowledge gain"),
                        tuple(round(row.mean_knowledge_gain, 1) for row in report.gain_by_theme),
                    ),
                ),
                value_axis_label=_("Percentage points, post-test minus pre-test"),
            ),
        ),
        charts_title=_("Charts"),
        no_data=_("No data under these filters."),
        definitions_title=_("Definitions"),
        definitions=tuple(definitions()),
        page_label=_("Page"),
    )
    return send_download(
        pdf.render_donor_report(document), _file_name("donor-report", "pdf"), "application/pdf"
    )


def format_date_long(day: date) -> str:
    return format_date(day, "long")


def _format_figure(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return percent(value / 100, 1)
    text = _number(value)
    return f"{text} {unit}".strip()


def _cell_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value) if isinstance(value, int) and 1900 <= value <= 2200 else _number(value)
    return str(value)


def definitions() -> list[str]:
    """How each figure is counted: the footnote of the page and the PDF."""
    return [
        _(
            "Trainings: confirmed enrollments in completed sessions whose start date falls in "
            "the period and that match the filters. The country filter is where the session was "
            "held; the organisation kind filter is the participant's organisation."
        ),
        _(
            "Sessions held: completed sessions matching the filters (with at least one confirmed "
            "participant of the chosen organisation kind, when that filter is set)."
        ),
        _(
            "People trained: distinct participants with at least one training; a participant "
            "trained twice counts once. Person-trainings count every training."
        ),
        _("Share of women: women among the people trained."),
        _(
            "Completion rate: valid certificates of completion divided by person-trainings "
            "(revoked certificates do not count)."
        ),
        _(
            "Attendance rate: attended (present or late) periods divided by scheduled periods "
            "(two a day, morning and afternoon) over all person-trainings."
        ),
        _(
            "Mean knowledge gain: post-test score minus pre-test score, in percentage points, "
            "averaged over the person-trainings with both scores."
        ),
        _("Certificates issued: valid certificates of the person-trainings, by kind."),
        _(
            "Trainers qualified through trainings of trainers: distinct trainers holding a "
            "qualification obtained in a session matching the filters."
        ),
        _("Tables by nationality and organisation kind count people trained, by sex."),
    ]
