"""The report in words, numbers and charts, in the reader's language: what
the reports page shows and what the donor report prints.

Presenters take the `Report` the queries built (and the validated filter
form) and return display values: no query runs here and nothing reads the
request. Each chart is defined once (`chart_definitions`) and drawn twice:
as inline SVG on the page, as a ReportLab chart in the donor report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from babel.dates import format_interval
from babel.numbers import get_decimal_symbol
from flask import url_for
from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup

from training.curricula.models import Theme, localised_title
from training.formatting import country_name, format_day, percent
from training.labels import label
from training.pdf import donor_report as pdf
from training.people.models import Sex
from training.permissions import can
from training.reports import charts, exports, queries
from training.reports.forms import DrillDownForm, ReportFilterForm
from training.reports.queries import Report

if TYPE_CHECKING:
    from training.auth.models import User

COUNTRIES_CHARTED = 12
# The longest run of years the by-year chart draws bar by bar.
YEARS_CHARTED = 30


def _locale() -> str:
    return str(get_locale() or "en")


def _pair(label: str, value: str) -> str:
    """ "label: value" in the reader's language (French spaces the colon)."""
    return _("%(label)s: %(value)s", label=label, value=value)


def _number(value: float) -> str:
    return format_decimal(value, "#,##0.#")


def _share(value: float | None) -> str:
    return percent(value, 1) if value is not None else "—"


def _chosen(field: Any) -> str:
    """A select field's value as the words of its choice."""
    groups = field.choices.values() if isinstance(field.choices, dict) else (field.choices,)
    return next(
        (str(text) for group in groups for value, text in group if value == field.data),
        str(field.data),
    )


# --- the filters ------------------------------------------------------------


def filter_summary(
    form: ReportFilterForm, dates: bool = True, whole_programme: bool = True
) -> list[tuple[str, str]]:
    """(filter, chosen value) in words, for the page, the exports and the PDF
    (which says the period in words on its own, hence `dates`; and when
    nothing is chosen, "None: the whole programme" unless `whole_programme`
    is false)."""
    summary = []
    for field in (
        *((form.date_from, form.date_to) if dates else ()),
        form.country,
        form.theme,
        form.curriculum,
        form.organisation_kind,
        form.partner,
    ):
        if not field.data:
            continue
        shown = format_day(field.data, "long") if field.type == "DateField" else _chosen(field)
        summary.append((str(field.label.text), shown))
    if not summary and whole_programme:
        summary.append((_("Filters"), _("None: the whole programme")))
    return summary


def _day(value: date) -> str:
    """ "1er janvier 2024", "January 1, 2024": a day as prose writes it."""
    return format_day(value, "long")


def report_years(report: Report) -> list[int]:
    """The years the report covers, each one, with or without sessions: those
    of the period when it has bounds, those of the sessions held otherwise
    (a bound left open ends at the first or last year with a session). A
    period of over YEARS_CHARTED years is narrowed to the years with sessions."""
    held = {row.year for row in report.by_theme_year} | {row.year for row in report.trained_by_year}
    date_from, date_to = report.filters.date_from, report.filters.date_to
    first = date_from.year if date_from else min(held, default=None)
    last = date_to.year if date_to else max(held, default=None)
    if first is None or last is None:
        bound = first if first is not None else last
        return [bound] if bound is not None else []
    if last - first >= YEARS_CHARTED and held:
        first, last = max(first, min(held)), min(last, max(held))
    return list(range(first, last + 1))


def report_period(report: Report) -> str:
    """The period the report covers, in words: "1 January 2024 – 31 December
    2026", "Since 1 January 2024", "Until …", or, with no dates chosen, "All
    years: 2019–2026" (the years of its sessions)."""
    date_from, date_to = report.filters.date_from, report.filters.date_to
    if date_from and date_to:
        return _("%(start)s – %(end)s", start=_day(date_from), end=_day(date_to))
    if date_from:
        return _("Since %(day)s", day=_day(date_from))
    if date_to:
        return _("Until %(day)s", day=_day(date_to))
    years = report_years(report)
    if not years:
        return _("All years")
    if years[0] == years[-1]:
        return _("All years: %(year)s", year=years[0])
    return _("All years: %(first)s–%(last)s", first=years[0], last=years[-1])


def slice_summary(form: DrillDownForm) -> list[tuple[str, str]]:
    """(argument, chosen value) in words for the table cell of a drill-down."""
    summary = []
    for field in (form.sex, form.nationality, form.year, form.certificate, form.scored):
        if field.data:
            summary.append((str(field.label.text), _chosen(field)))
    if form.organisation_kind.data == queries.UNKNOWN:
        summary.append((str(form.organisation_kind.label.text), _("No organisation")))
    return summary


# --- the charts -------------------------------------------------------------


@dataclass(frozen=True)
class ChartDefinition:
    """What a chart shows, whatever draws it. A vertical chart has one group
    of bars per year; the others lie down on the page (the PDF stands them
    up when their names are short). `notes` say, category by category, why
    one has no bar ("No session"), or are empty."""

    title: str
    categories: tuple[str, ...]
    series: tuple[charts.Series, ...]
    value_axis_label: str
    category_axis_label: str
    empty_message: str
    vertical: bool = False
    notes: tuple[str, ...] = ()


def chart_definitions(report: Report) -> dict[str, ChartDefinition]:
    """The report's three charts, their texts translated."""
    women, men = _("Women"), _("Men")
    trained = {row.year: row for row in report.trained_by_year}
    held = {row.year for row in report.by_theme_year} | set(trained)
    years = report_years(report) if trained else []
    nobody = queries.YearSexRow(0, 0, 0)
    countries = report.by_country[:COUNTRIES_CHARTED]
    no_one = _("No one trained under these filters.")
    return {
        "by_year": ChartDefinition(
            title=_("People trained per year, by sex"),
            categories=tuple(str(year) for year in years),
            series=(
                charts.Series(
                    women,
                    tuple(trained.get(year, nobody).women for year in years),
                    charts.WOMEN_COLOUR,
                ),
                charts.Series(
                    men, tuple(trained.get(year, nobody).men for year in years), charts.MEN_COLOUR
                ),
            ),
            value_axis_label=_("People trained"),
            category_axis_label=_("Year the session started"),
            empty_message=no_one,
            vertical=True,
            notes=tuple("" if year in held else _("No session") for year in years),
        ),
        "by_country": ChartDefinition(
            title=_("People trained by nationality"),
            categories=tuple(exports.nationality_label(row.key) for row in countries),
            series=(
                charts.Series(women, tuple(row.women for row in countries), charts.WOMEN_COLOUR),
                charts.Series(men, tuple(row.men for row in countries), charts.MEN_COLOUR),
            ),
            value_axis_label=_("People trained"),
            category_axis_label=_("Nationality"),
            empty_message=no_one,
        ),
        "gain_by_theme": ChartDefinition(
            title=_("Mean knowledge gain by theme"),
            categories=tuple(label(Theme(row.theme)) for row in report.gain_by_theme),
            series=(
                charts.Series(
                    _("Mean knowledge gain"),
                    tuple(round(row.mean_knowledge_gain, 1) for row in report.gain_by_theme),
                    charts.SINGLE_COLOUR,
                ),
            ),
            value_axis_label=_("Percentage points, post-test minus pre-test"),
            category_axis_label=_("Theme"),
            empty_message=_("No test scores under these filters."),
        ),
    }


def _svg(chart: ChartDefinition) -> Markup:
    if chart.vertical:
        return charts.grouped_bar_chart(
            chart.title,
            chart.categories,
            chart.series,
            value_axis_label=chart.value_axis_label,
            category_axis_label=chart.category_axis_label,
            format_value=_number,
            empty_message=chart.empty_message,
            pair=_pair,
            notes=chart.notes,
        )
    return charts.horizontal_bar_chart(
        chart.title,
        chart.categories,
        chart.series,
        value_axis_label=chart.value_axis_label,
        format_value=_number,
        empty_message=chart.empty_message,
        pair=_pair,
    )


def report_charts(report: Report) -> dict[str, Markup]:
    """The three charts of the page, as inline SVG with translated labels."""
    return {name: _svg(chart) for name, chart in chart_definitions(report).items()}


def _pdf_chart(chart: ChartDefinition) -> pdf.ChartData:
    return pdf.ChartData(
        title=chart.title,
        categories=chart.categories,
        series=tuple((series.name, tuple(series.values)) for series in chart.series),
        value_axis_label=chart.value_axis_label,
        category_axis_label=chart.category_axis_label,
        notes=chart.notes,
    )


# --- the page's figures and tables -----------------------------------------


class Figure(NamedTuple):
    name: str
    value: str
    url: str | None
    note: str | None = None


def headline_figures(report: Report, query: dict[str, str], user: User) -> list[Figure]:
    """The headline cards, each linked to the list behind it when `user`
    may open that list."""
    headline = report.headline
    people = can(user, "participants.view")

    def report_url(endpoint: str, **narrowing: str) -> str:
        # As Any: url_for's own keywords (_external: bool) refuse a **dict[str, str].
        arguments: dict[str, Any] = {**query, **narrowing}
        return url_for(endpoint, **arguments)

    def people_url(**narrowing: str) -> str | None:
        return report_url("reports.participants", **narrowing) if people else None

    gain = headline.mean_knowledge_gain
    trainers_url = url_for("people.list_trainers") if can(user, "trainers.view") else None
    return [
        Figure(
            _("Sessions held"),
            _number(headline.sessions_held),
            report_url("reports.sessions"),
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


# --- the donor report -------------------------------------------------------


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


def _session_dates(start: date, end: date) -> str:
    """ "3–5 mars 2025", "Mar 3 – 5, 2025": the reader's way of writing a span."""
    return format_interval(start, end, "yMMMd", locale=get_locale() or "en")


def sessions_table(sessions: Sequence[queries.CountedSession], language: str) -> pdf.TableData:
    """The sessions the report counts, as the donor report lists them."""
    return pdf.TableData(
        title=_("Sessions counted (%(count)s)", count=_number(len(sessions))),
        header=(_("Code"), _("Title"), _("Dates"), _("Place"), _("Participants")),
        rows=tuple(
            (
                row.code,
                localised_title(row.title_en, row.title_fr, row.title_ar, language),
                _session_dates(row.start_date, row.end_date),
                f"{row.city}, {country_name(row.country, language)}",
                _number(row.participants),
            )
            for row in sessions
        ),
        widths=(0.16, 0.34, 0.19, 0.16, 0.15),
        numeric_from=4,
    )


def donor_document(
    report: Report,
    filters: Sequence[tuple[str, str]],
    sessions: Sequence[queries.CountedSession],
    generated_on: date,
) -> pdf.DonorReport:
    """The donor report of `report`: the period it covers, `filters` (the
    others, from filter_summary(form, dates=False, whole_programme=False)),
    its figures, tables and charts, and the `sessions` it counts, every text
    in the reader's language, ready for pdf.render_donor_report."""
    language = _locale()
    tables = exports.report_tables(report)
    period = report_period(report)
    return pdf.DonorReport(
        language=language,
        title=_("Programme results"),
        subtitle=_("UNODC–DPO joint training programme: G5 Sahel and MINUSMA"),
        generated_label=_("Generated on %(day)s", day=format_day(generated_on, "long")),
        filters_title=_("Filters used"),
        filter_label=_("Filter"),
        figure_label=_("Figure"),
        value_label=_("Value"),
        filters=((_("Period"), period), *filters),
        period=period,
        cover_filters=tuple(_pair(name, value) for name, value in filters),
        decimal_mark=get_decimal_symbol(language),
        headline_title=_("Headline figures"),
        headline=tuple(
            (name, _format_figure(value, unit))
            for name, value, unit in exports.headline_rows(report)
        ),
        # The headline table is the page above; the others follow it.
        tables=tuple(
            pdf.TableData(
                title=table.title,
                header=tuple(str(cell) for cell in table.header),
                rows=tuple(tuple(_cell_text(cell) for cell in row) for row in table.rows),
            )
            for table in tables[1:]
        ),
        charts=tuple(_pdf_chart(chart) for chart in chart_definitions(report).values()),
        sessions=sessions_table(sessions, language),
        charts_title=_("Charts"),
        no_data=_("No data under these filters."),
        definitions_title=_("Definitions"),
        definitions=tuple(definitions()),
        page_label=_("Page"),
    )
