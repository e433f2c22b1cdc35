"""The donor report: a cover, the headline figures, the tables, the charts,
the filters used and the definitions, as a PDF.

Plain frozen dataclasses in, bytes out: no Flask, no database. The caller
passes every text already translated (French, English or Arabic), so this
module speaks no language of its own. Every text is escaped before it
reaches a ReportLab Paragraph, whose markup parser must never see user data.

A report in Arabic reads right to left: its paragraphs and table cells are
BidiParagraphs (training.pdf.arabic: shaped, in reading order, no markup),
its tables' columns in mirror order, its charts' words shaped where they
are drawn (`_shaped_strings`), the charts themselves left as they are.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import DirectDraw, Drawing, Group, String
from reportlab.graphics.widgetbase import Widget
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from training.pdf.arabic import BidiParagraph, draw_line, has_rtl, text_width
from training.pdf.fonts import FONT_BOLD, FONT_ITALIC, FONT_REGULAR, register_fonts

if TYPE_CHECKING:
    from reportlab.platypus.tables import _TableCommand

NAVY = colors.HexColor("#1F3A5F")
SERIES_COLOURS = (
    colors.HexColor("#E69F00"),
    colors.HexColor("#0072B2"),
    colors.HexColor("#009E73"),
)
ZEBRA = colors.HexColor("#F2F5F9")
AXIS_GREY = colors.HexColor("#333333")
NOTE_GREY = colors.HexColor("#555555")


@dataclass(frozen=True)
class TableData:
    """A table; `widths` (shares of the page's width, one a column) and
    `numeric_from` (the first column of figures) when the defaults (names
    then figures) do not fit it."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()
    numeric_from: int | None = None


@dataclass(frozen=True)
class ChartData:
    """A bar chart: one bar group per category, one bar per series, its
    axes named; a category with a note ("No session") has the note where
    its bars would stand."""

    title: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]
    value_axis_label: str
    category_axis_label: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DonorReport:
    language: str
    title: str
    subtitle: str
    generated_label: str
    filters_title: str
    filter_label: str
    figure_label: str
    value_label: str
    filters: tuple[tuple[str, str], ...]
    headline_title: str
    headline: tuple[tuple[str, str], ...]
    tables: tuple[TableData, ...]
    charts: tuple[ChartData, ...]
    charts_title: str
    no_data: str
    definitions_title: str
    definitions: tuple[str, ...]
    page_label: str
    # The cover's lines naming the filters, each "Filter: value" already in
    # the report's language (French puts a space before the colon).
    cover_filters: tuple[str, ...] = ()
    decimal_mark: str = "."
    # The period the report covers, in words, on its cover.
    period: str = ""
    # The sessions it counts, listed after the charts.
    sessions: TableData | None = None


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT_REGULAR, fontSize=10, leading=13)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=11),
        "definition": ParagraphStyle(
            "definition", parent=body, fontSize=8.5, leading=11, spaceAfter=4
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        "head": ParagraphStyle(
            "head",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=8.5,
            leading=10.5,
            textColor=colors.white,
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=26,
            leading=32,
            textColor=NAVY,
            alignment=TA_CENTER,
        ),
        "cover": ParagraphStyle("cover", parent=body, fontSize=14, leading=19, alignment=TA_CENTER),
        "period": ParagraphStyle(
            "period",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=16,
            leading=21,
            textColor=NAVY,
            alignment=TA_CENTER,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=14,
            leading=18,
            textColor=NAVY,
            spaceBefore=10,
            spaceAfter=6,
        ),
        "note": ParagraphStyle(
            "note",
            parent=body,
            fontName=FONT_ITALIC,
            fontSize=9,
            leading=12,
            alignment=TA_CENTER,
        ),
    }


def _p(text: str, style: ParagraphStyle, rtl: bool = False) -> Flowable:
    """Escaped text in a Paragraph; in an Arabic report, a BidiParagraph,
    right to left when the text holds Arabic, in its own order otherwise
    (a figure, a Latin name), aligned as the mirrored page wants it."""
    if not rtl:
        return Paragraph(escape(text), style)
    align = {TA_CENTER: "centre", TA_RIGHT: "left"}.get(int(style.alignment), "right")
    return BidiParagraph(text, style, rtl=has_rtl(text), align=align)


def _column_widths(header: Sequence[str], width: float, style: ParagraphStyle) -> tuple[float, ...]:
    """The first column (names) takes a third of the width, or a quarter
    beside many figures; the others share the rest, each at least as wide
    as the longest word of its heading, so no heading breaks mid-word
    ("Participations" in French); the names give up what that takes."""
    first = width * (0.34 if len(header) <= 4 else 0.26)
    share = (width - first) / max(len(header) - 1, 1)
    padding = 14  # the cells' left and right padding, and a little air
    others = [
        max(
            share,
            max(
                (text_width(word, style.fontName, style.fontSize) for word in heading.split()),
                default=0.0,
            )
            + padding,
        )
        for heading in header[1:]
    ]
    return (width - sum(others), *others)


def _definition(text: str, style: ParagraphStyle, rtl: bool = False) -> Flowable:
    """ "Term: explanation", the term in bold (up to the first colon)."""
    term, colon, explanation = text.partition(":")
    if not colon or len(term) > 60:
        return _p(text, style, rtl)
    if rtl:
        return BidiParagraph(((term + colon, FONT_BOLD), (explanation, FONT_REGULAR)), style, True)
    return Paragraph(
        f'<font name="{FONT_BOLD}">{escape(term)}{colon}</font>{escape(explanation)}', style
    )


def _table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    styles,
    widths=None,
    numeric_from: int | None = None,
    rtl: bool = False,
) -> Table:
    """A zebra table; columns from `numeric_from` on hold figures and are
    right-aligned, with a compact heading so words are not broken. In an
    Arabic report the columns come in mirror order (names on the right,
    figures aligned to the left)."""

    def style(column: int, name: str) -> ParagraphStyle:
        if numeric_from is None or column < numeric_from:
            return styles[name]
        return ParagraphStyle(
            f"{name}-num",
            parent=styles[name],
            alignment=TA_RIGHT,
            fontSize=styles[name].fontSize - (1 if name == "head" else 0),
        )

    data = [[_p(cell, style(column, "head"), rtl) for column, cell in enumerate(header)]]
    data += [
        [_p(cell, style(column, "cell"), rtl) for column, cell in enumerate(row)] for row in rows
    ]
    if rtl:
        data = [row[::-1] for row in data]
        widths = tuple(reversed(widths)) if widths else widths
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="RIGHT" if rtl else "LEFT")
    commands: list[_TableCommand] = [
        ("BACKGROUND", (0, 0), (-1, 0), NAVY),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#C8D0DA")),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    commands += [("BACKGROUND", (0, index), (-1, index), ZEBRA) for index in range(2, len(data), 2)]
    table.setStyle(TableStyle(commands))
    return table


def _two_lines(name: str, length: int = 40) -> str:
    """A long category name on two lines, broken at a space (then cut)."""
    if len(name) <= length:
        return name
    cut = name.rfind(" ", 0, length + 1)
    if cut <= 0:
        return name[: length - 1] + "…"
    rest = name[cut + 1 :]
    return name[:cut] + "\n" + (rest if len(rest) <= length else rest[: length - 1] + "…")


class _ShapedString(DirectDraw):
    """A chart's String holding Arabic, drawn shaped and in reading order
    where the String would have been (its anchor, font, size and colour)."""

    def __init__(self, string: String) -> None:
        self.string = string

    def copy(self) -> _ShapedString:
        return _ShapedString(self.string.copy())

    def getBounds(self) -> tuple[float, float, float, float]:
        string = self.string
        width = text_width(str(string.text), string.fontName, string.fontSize, True)
        left = string.x - {"end": width, "middle": width / 2}.get(string.textAnchor, 0)
        return (left, string.y - 0.2 * string.fontSize, left + width, string.y + string.fontSize)

    def drawDirectly(self, renderer: Any) -> None:
        string = self.string
        canvas = renderer._canvas
        canvas.saveState()
        canvas.setFillColor(string.fillColor)
        align = {"end": "right", "middle": "centre"}.get(string.textAnchor, "left")
        draw_line(
            canvas, string.x, string.y, string.text, string.fontName, string.fontSize, align, True
        )
        canvas.restoreState()


def _shaped_strings(node: Any) -> Any:
    """The chart's drawing with each String holding Arabic replaced by a
    _ShapedString; widgets (the bars, their axes, the legend) are expanded
    into their shapes first, groups keep their transforms."""
    if isinstance(node, Widget):
        node = node.draw()
    if isinstance(node, String):
        return _ShapedString(node) if has_rtl(str(node.text)) else node
    if isinstance(node, Group):
        node.contents = [_shaped_strings(child) for child in node.contents]
    return node


def _chart(
    chart: ChartData, width: float, no_data: str, decimal_mark: str = ".", rtl: bool = False
) -> Drawing:
    """A ReportLab VerticalBarChart (or horizontal one for long category
    names) with its legend and value labels; in an Arabic report, its words
    shaped (`_shaped_strings`) and its title flush right."""
    drawing = _bar_chart(chart, width, no_data, decimal_mark, rtl)
    if rtl:
        drawing.contents = [_shaped_strings(child) for child in drawing.contents]
    return drawing


def _integer_step(high: float) -> int:
    """A round whole step (1, 2, 5, 10, 20, 25, 50, 100, ...) giving at most
    five intervals up to `high`: people are counted whole, never "0.5"."""
    magnitude = 1
    while True:
        for multiple in (1, 2, 2.5, 5) if magnitude >= 10 else (1, 2, 5):
            step = int(multiple * magnitude)
            if high / step <= 5:
                return step
        magnitude *= 10


def _rotated(string: String, x: float, y: float) -> Group:
    """`string` turned a quarter left (reading upwards) around (x, y)."""
    group = Group(string)
    group.transform = (0, 1, -1, 0, x, y)
    return group


def _bar_chart(
    chart: ChartData, width: float, no_data: str, decimal_mark: str, rtl: bool
) -> Drawing:
    categories = list(chart.categories)
    long_names = any(len(name) > 14 for name in categories)
    rows = max(len(categories), 1)
    height = (50 + 26 * rows if long_names else 220) + 40
    drawing = Drawing(width, height)
    drawing.add(
        String(
            width if rtl else 0,
            height - 14,
            chart.title,
            fontName=FONT_BOLD,
            fontSize=11,
            fillColor=NAVY,
            textAnchor="end" if rtl else "start",
        )
    )
    notes = [
        chart.notes[index] if index < len(chart.notes) else "" for index in range(len(categories))
    ]
    values = [list(series_values) for _, series_values in chart.series]
    if not categories or not any(values):
        drawing.add(
            String(
                width if rtl else 0,
                height - 40,
                no_data,
                fontName=FONT_ITALIC,
                fontSize=9,
                textAnchor="end" if rtl else "start",
            )
        )
        return drawing
    bars = HorizontalBarChart() if long_names else VerticalBarChart()
    # The stubs type positions and sizes as int; ReportLab takes any number.
    if long_names:
        bars.x, bars.y = 205, 30
        bars.width, bars.height = width - 245, height - 100  # type: ignore[assignment]
        bars.categoryAxis.reverseDirection = 1
    else:
        bars.x, bars.y = 58, 50
        bars.width, bars.height = width - 80, height - 110  # type: ignore[assignment]
    # A category with a note has no bar (None), and no "0" above it.
    bars.data = [
        [None if notes[index] else value for index, value in enumerate(series_values)]
        for series_values in values
    ]
    bars.categoryAxis.categoryNames = [_two_lines(name) for name in categories]
    bars.categoryAxis.labels.fontName = FONT_REGULAR
    bars.categoryAxis.labels.fontSize = 8
    if long_names:
        bars.categoryAxis.labels.boxAnchor = "e"
        bars.categoryAxis.labels.dx = -4
        if rtl:  # shaped, the names keep their right edge by the axis
            bars.categoryAxis.labels.textAnchor = "end"
    bars.valueAxis.labels.fontName = FONT_REGULAR
    bars.valueAxis.labels.fontSize = 8
    bars.valueAxis.labelTextFormat = lambda value: f"{value:g}".replace(".", decimal_mark)
    flat = [value for series_values in values for value in series_values]
    low, high = min(0.0, *flat), max(0.0, *flat)
    bars.valueAxis.valueMin = low
    if all(float(value).is_integer() for value in flat) and low == 0:
        step = _integer_step(max(high, 1))
        bars.valueAxis.valueStep = step
        bars.valueAxis.valueMax = step * max(1, math.ceil(high / step))
    bars.barLabels.fontName = FONT_REGULAR
    bars.barLabels.fontSize = 7
    bars.barLabelFormat = lambda value: f"{value:g}".replace(".", decimal_mark)
    bars.barLabels.boxAnchor = "w" if long_names else "s"
    bars.barLabels.dx = 3 if long_names else 0
    bars.barLabels.dy = 0 if long_names else 2
    for index in range(len(values)):
        bars.bars[index].fillColor = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        bars.bars[index].strokeColor = None
    drawing.add(bars)
    if long_names:
        # Values along the bottom, the names' heading above them.
        drawing.add(
            String(
                bars.x + bars.width / 2,
                6,
                chart.value_axis_label,
                textAnchor="middle",
                fontName=FONT_REGULAR,
                fontSize=8,
                fillColor=AXIS_GREY,
            )
        )
        if chart.category_axis_label:
            drawing.add(
                String(
                    bars.x - 4,
                    bars.y + bars.height + 6,
                    chart.category_axis_label,
                    textAnchor="end",
                    fontName=FONT_REGULAR,
                    fontSize=8,
                    fillColor=AXIS_GREY,
                )
            )
    else:
        # Categories (the years) along the bottom, values up the left side.
        if chart.category_axis_label:
            drawing.add(
                String(
                    bars.x + bars.width / 2,
                    10,
                    chart.category_axis_label,
                    textAnchor="middle",
                    fontName=FONT_REGULAR,
                    fontSize=8,
                    fillColor=AXIS_GREY,
                )
            )
        if text_width(chart.value_axis_label, FONT_REGULAR, 8, rtl) <= bars.height:
            drawing.add(
                _rotated(
                    String(
                        0,
                        0,
                        chart.value_axis_label,
                        textAnchor="middle",
                        fontName=FONT_REGULAR,
                        fontSize=8,
                        fillColor=AXIS_GREY,
                    ),
                    12,
                    bars.y + bars.height / 2,
                )
            )
        else:  # too long to read upwards beside the axis: above it
            drawing.add(
                String(
                    bars.x - 8,
                    bars.y + bars.height + 22,
                    chart.value_axis_label,
                    textAnchor="start",
                    fontName=FONT_REGULAR,
                    fontSize=8,
                    fillColor=AXIS_GREY,
                )
            )
        slot = bars.width / len(categories)
        for index, note in enumerate(notes):
            if not note:
                continue
            centre = bars.x + slot * (index + 0.5)
            if text_width(note, FONT_ITALIC, 7.5, rtl) <= slot - 4:
                drawing.add(
                    String(
                        centre,
                        bars.y + 6,
                        note,
                        textAnchor="middle",
                        fontName=FONT_ITALIC,
                        fontSize=7.5,
                        fillColor=NOTE_GREY,
                    )
                )
            else:  # a narrow slot: the note reads upwards
                drawing.add(
                    _rotated(
                        String(
                            0,
                            0,
                            note,
                            textAnchor="start",
                            fontName=FONT_ITALIC,
                            fontSize=7.5,
                            fillColor=NOTE_GREY,
                        ),
                        centre + 3,
                        bars.y + 6,
                    )
                )
    if len(chart.series) > 1:
        legend = Legend()
        # The stubs type the position as int; ReportLab takes any number.
        legend.x, legend.y = width - 150, height - 22  # type: ignore[assignment]
        legend.fontName, legend.fontSize = FONT_REGULAR, 8
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.colorNamePairs = [
            (SERIES_COLOURS[index % len(SERIES_COLOURS)], name)
            for index, (name, _) in enumerate(chart.series)
        ]
        drawing.add(legend)
    return drawing


def render_donor_report(report: DonorReport) -> bytes:
    """The donor report as PDF bytes (A4)."""
    styles = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=report.title,
        author="Atelier",
        lang=report.language,
    )
    width = A4[0] - 4 * cm
    rtl = report.language == "ar"

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFillColor(colors.grey)
        left = f"{report.title} · {report.generated_label}"
        page = f"{report.page_label} {doc.page}"
        if rtl:  # the title where an Arabic line starts, on the right
            draw_line(canvas, A4[0] - 2 * cm, 1.2 * cm, left, FONT_REGULAR, 8, "right", True)
            draw_line(canvas, 2 * cm, 1.2 * cm, page, FONT_REGULAR, 8, "left", True)
        else:
            canvas.setFont(FONT_REGULAR, 8)
            canvas.drawString(2 * cm, 1.2 * cm, left)
            canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, page)
        canvas.restoreState()

    story: list = [
        Spacer(1, 6 * cm),
        _p(report.title, styles["h1"], rtl),
        Spacer(1, 0.6 * cm),
        _p(report.subtitle, styles["cover"], rtl),
        Spacer(1, 1.2 * cm),
    ]
    if report.period:
        story += [_p(report.period, styles["period"], rtl), Spacer(1, 0.4 * cm)]
    story += [_p(line, styles["cover"], rtl) for line in report.cover_filters]
    story += [Spacer(1, 1.2 * cm), _p(report.generated_label, styles["note"], rtl), PageBreak()]

    story.append(_p(report.headline_title, styles["h2"], rtl))
    story.append(
        _table(
            (report.figure_label, report.value_label),
            report.headline,
            styles,
            widths=(width * 0.7, width * 0.3),
            rtl=rtl,
        )
    )
    story.append(_p(report.filters_title, styles["h2"], rtl))
    story.append(
        _table(
            (report.filter_label, report.value_label),
            report.filters,
            styles,
            widths=(width * 0.35, width * 0.65),
            rtl=rtl,
        )
    )

    def add_table(table: TableData) -> None:
        story.append(CondPageBreak(4 * cm))
        story.append(_p(table.title, styles["h2"], rtl))
        if not table.rows:
            story.append(_p(report.no_data, styles["small"], rtl))
            return
        if table.widths:
            widths = tuple(share * width for share in table.widths)
        else:
            widths = _column_widths(table.header, width, styles["head"])
        # The theme x year table names the year in its second column.
        numeric_from = table.numeric_from
        if numeric_from is None:
            numeric_from = 2 if len(table.header) > 4 else 1
        story.append(
            _table(
                table.header, table.rows, styles, widths=widths, numeric_from=numeric_from, rtl=rtl
            )
        )

    for table in report.tables:
        add_table(table)

    drawings = [
        _chart(chart, width, report.no_data, report.decimal_mark, rtl) for chart in report.charts
    ]
    # The charts' heading stays with the first chart.
    story.append(CondPageBreak((drawings[0].height if drawings else 0) + 2 * cm))
    story.append(_p(report.charts_title, styles["h2"], rtl))
    for drawing in drawings:
        story.append(KeepTogether([drawing, Spacer(1, 0.5 * cm)]))

    if report.sessions is not None:
        add_table(report.sessions)

    story.append(CondPageBreak(5 * cm))
    story.append(_p(report.definitions_title, styles["h2"], rtl))
    story += [_definition(text, styles["definition"], rtl) for text in report.definitions]

    document.build(story, onFirstPage=lambda canvas, doc: None, onLaterPages=footer)
    return buffer.getvalue()
