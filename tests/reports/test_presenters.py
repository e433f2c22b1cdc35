"""The report's presenters and export rows, on the programme of conftest.py,
without going through a page."""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from training.extensions import db
from training.reports import exports, presenters, queries
from training.reports.forms import DrillDownForm
from training.reports.queries import ReportFilters


def test_the_donor_report_draws_the_charts_of_the_page(app, programme):
    """One definition per chart: the PDF shows the page's titles, bars and
    values, in the page's order."""
    report = queries.build_report(ReportFilters())
    page = presenters.chart_definitions(report)
    document = presenters.donor_document(report, [], [], date(2026, 12, 1))
    assert [chart.title for chart in document.charts] == [chart.title for chart in page.values()]
    for printed, shown in zip(document.charts, page.values(), strict=True):
        assert printed.categories == shown.categories
        assert printed.series == tuple((s.name, tuple(s.values)) for s in shown.series)
    by_year = document.charts[0]
    assert by_year.categories == ("2025", "2026")
    # Women and men trained per year: A and C in 2025, A in 2026; B, then D.
    assert by_year.series == (("Women", (2, 1)), ("Men", (1, 1)))
    svg = presenters.report_charts(report)
    assert "People trained per year, by sex" in svg["by_year"]
    assert "Mean knowledge gain by theme" in svg["gain_by_theme"]


def test_the_donor_document_speaks_the_readers_language(app, programme):
    report = queries.build_report(ReportFilters())
    with force_locale("fr"):
        document = presenters.donor_document(
            report, [("Pays de la session", "Niger")], [], date(2026, 12, 1)
        )
    assert document.language == "fr"
    assert document.title == "Résultats du programme"
    assert document.generated_label == "Généré le 1er décembre 2026"
    assert document.decimal_mark == ","
    assert document.cover_filters == ("Pays de la session\u00a0: Niger",)
    assert document.period == "Toutes les années\u00a0: 2025–2026"
    assert document.filters[0] == ("Période", "Toutes les années\u00a0: 2025–2026")
    assert len(document.tables) == len(exports.report_tables(report)) - 1


def test_the_participant_export_has_one_labelled_row_per_person_training(app, programme):
    table = exports.participants_table(
        db.session.execute(queries.training_rows(ReportFilters(country="NE")))
    )
    rows = list(table.rows)
    assert table.sheet_name == "Person-trainings"
    assert table.header[:3] == ("Family name", "Given name", "Sex")
    # S1 in Niger: A, B and C (E withdrew).
    assert len(rows) == 3
    assert all(len(row) == len(table.header) for row in rows)
    assert {row[2] for row in rows} == {"Female", "Male"}
    # C's certificate was revoked: it does not count.
    certificates = {row[-1] for row in rows}
    assert certificates == {"Certificate of completion", "Certificate of participation", ""}


def test_drill_down_filters_leave_the_form_as_the_user_sent_it(app, programme):
    """ "No organisation" is a slice, not an organisation kind: the filters
    ignore it, and the form still shows it chosen."""
    form = DrillDownForm(MultiDict({"organisation_kind": queries.UNKNOWN}))
    assert form.validate(), form.errors
    assert form.filters() == ReportFilters()
    assert form.organisation_kind.data == queries.UNKNOWN
    assert form.slice().no_organisation
    assert presenters.slice_summary(form) == [("Organisation kind", "No organisation")]
