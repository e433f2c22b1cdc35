"""Charts drawn on the server as inline SVG: no JavaScript, nothing fetched
from the internet, readable on a phone and in a printout.

The functions take plain, already translated strings and numbers and return
markup; every text is escaped. Colours are the Okabe–Ito palette, which
colour-blind readers can tell apart, and every bar carries its value in
text, so no figure depends on colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape

WOMEN_COLOUR = "#E69F00"
MEN_COLOUR = "#0072B2"
SINGLE_COLOUR = "#009E73"
TEXT_COLOUR = "#212529"
GRID_COLOUR = "#dee2e6"
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\""

_chart_numbers = count(1)


def _markup(parts: list[str]) -> Markup:
    """The finished SVG: every text in `parts` went through escape()."""
    return Markup("".join([*parts, "</svg>"]))  # noqa: S704  (texts escaped above)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]
    colour: str


def nice_step(span: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) dividing `span`
    into about `ticks` intervals."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude


def _axis(low: float, high: float, whole: bool = False) -> tuple[float, float, list[float]]:
    """Axis bounds rounded outwards to the step, and the tick values; with
    `whole` (counts of people), whole steps only, never "0.5"."""
    step = nice_step(high - low)
    if whole:
        step = float(max(1, math.ceil(step)))
    start = math.floor(low / step) * step
    end = math.ceil(high / step) * step
    if end == start:
        end = start + step
    ticks = []
    value = start
    while value <= end + step / 1000:
        ticks.append(round(value, 6))
        value += step
    return start, end, ticks


def _open(title: str, description: str, width: int, height: int) -> tuple[list[str], str]:
    identifier = f"chart-{next(_chart_numbers)}"
    parts = [
        f'<svg class="report-chart" role="img" aria-labelledby="{identifier}-title '
        f'{identifier}-desc" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" {FONT} '
        f'font-size="13" style="max-width: {width}px; height: auto;">',
        f'<title id="{identifier}-title">{escape(title)}</title>',
        f'<desc id="{identifier}-desc">{escape(description)}</desc>',
        f'<text x="0" y="16" font-weight="600" font-size="15" fill="{TEXT_COLOUR}">'
        f"{escape(title)}</text>",
    ]
    return parts, identifier


def _legend(series: Sequence[Series], y: int) -> list[str]:
    parts, x = [], 0
    for item in series:
        parts.append(f'<rect x="{x}" y="{y - 11}" width="12" height="12" fill="{item.colour}"/>')
        parts.append(f'<text x="{x + 17}" y="{y}" fill="{TEXT_COLOUR}">{escape(item.name)}</text>')
        x += 34 + 8 * len(item.name)
    return parts


def grouped_bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    value_axis_label: str,
    category_axis_label: str,
    format_value: Callable[[float], str],
    empty_message: str,
    pair: Callable[[str, str], str] = lambda label, value: f"{label}: {value}",
    notes: Sequence[str] = (),
) -> Markup:
    """Vertical bars, one group per category (e.g. a year), one bar per
    series (e.g. women, men), each labelled with its value. A category
    with a note ("No session") shows the note instead of its bars."""
    width, height = 640, 340
    left, right, top, bottom = 64, 12, 58, 52
    description = _describe(categories, series, format_value, pair, notes)
    parts, _identifier = _open(title, description, width, height)
    parts += _legend(series, 38)
    plot_width, plot_height = width - left - right, height - top - bottom
    values = [value for item in series for value in item.values]
    if not categories or not values:
        parts.append(
            f'<text x="{left}" y="{top + 40}" fill="#6c757d">{escape(empty_message)}</text>'
        )
        return _markup(parts)
    whole = all(float(value).is_integer() for value in values)
    low, high, ticks = _axis(min(0.0, *values), max(0.0, *values), whole)

    def y_of(value: float) -> float:
        return top + plot_height * (high - value) / (high - low)

    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{TEXT_COLOUR}">'
            f"{escape(format_value(tick))}</text>"
        )
    group_width = plot_width / len(categories)
    bar_width = min(48.0, group_width * 0.8 / len(series))
    for index, category in enumerate(categories):
        group_left = left + index * group_width + (group_width - bar_width * len(series)) / 2
        note = notes[index] if index < len(notes) else ""
        if note:
            parts.append(
                f'<text x="{left + (index + 0.5) * group_width:.1f}" y="{y_of(0) - 8:.1f}" '
                f'text-anchor="middle" font-size="11" font-style="italic" fill="#6c757d">'
                f"{escape(note)}</text>"
            )
        for position, item in enumerate(series if not note else ()):
            value = item.values[index]
            x = group_left + position * bar_width
            y_top, y_bottom = sorted((y_of(value), y_of(0)))
            parts.append(
                f'<rect x="{x:.1f}" y="{y_top:.1f}" width="{bar_width - 2:.1f}" '
                f'height="{max(y_bottom - y_top, 0.5):.1f}" fill="{item.colour}">'
                f"<title>{escape(pair(f'{category} · {item.name}', format_value(value)))}"
                "</title></rect>"
            )
            if bar_width >= 18:
                parts.append(
                    f'<text x="{x + bar_width / 2 - 1:.1f}" y="{y_top - 4:.1f}" '
                    f'text-anchor="middle" font-size="11" fill="{TEXT_COLOUR}">'
                    f"{escape(format_value(value))}</text>"
                )
        parts.append(
            f'<text x="{left + (index + 0.5) * group_width:.1f}" y="{top + plot_height + 18}" '
            f'text-anchor="middle" fill="{TEXT_COLOUR}">{escape(category)}</text>'
        )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{y_of(0):.1f}" y2="{y_of(0):.1f}" '
        f'stroke="{TEXT_COLOUR}"/>'
    )
    parts.append(
        f'<text x="{left + plot_width / 2:.1f}" y="{height - 6}" text-anchor="middle" '
        f'fill="{TEXT_COLOUR}">{escape(category_axis_label)}</text>'
    )
    parts.append(
        f'<text transform="translate(14 {top + plot_height / 2:.1f}) rotate(-90)" '
        f'text-anchor="middle" fill="{TEXT_COLOUR}">{escape(value_axis_label)}</text>'
    )
    return _markup(parts)


def horizontal_bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    value_axis_label: str,
    format_value: Callable[[float], str],
    empty_message: str,
    pair: Callable[[str, str], str] = lambda label, value: f"{label}: {value}",
) -> Markup:
    """Horizontal bars, one row per category with its name written above
    the bar (long names stay readable on a phone); several series stack."""
    width, row_height = 640, 44
    left, right, top = 8, 64, 58 if len(series) > 1 else 36
    plot_width = width - left - right
    height = top + row_height * max(len(categories), 1) + 40
    description = _describe(categories, series, format_value, pair)
    parts, _identifier = _open(title, description, width, height)
    if len(series) > 1:
        parts += _legend(series, 38)
    totals = [sum(item.values[index] for item in series) for index in range(len(categories))]
    if not categories:
        parts.append(
            f'<text x="{left}" y="{top + 24}" fill="#6c757d">{escape(empty_message)}</text>'
        )
        return _markup(parts)
    negatives = [value for item in series for value in item.values if value < 0]
    whole = all(float(value).is_integer() for item in series for value in item.values)
    low, high, ticks = _axis(min(0.0, *negatives, *totals), max(0.0, *totals), whole)

    def x_of(value: float) -> float:
        return left + plot_width * (value - low) / (high - low)

    plot_bottom = top + row_height * len(categories)
    for tick in ticks:
        x = x_of(tick)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{plot_bottom}" '
            f'stroke="{GRID_COLOUR}"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{plot_bottom + 16}" text-anchor="middle" font-size="11" '
            f'fill="{TEXT_COLOUR}">{escape(format_value(tick))}</text>'
        )
    for index, category in enumerate(categories):
        y = top + index * row_height
        parts.append(
            f'<text x="{left}" y="{y + 14}" fill="{TEXT_COLOUR}">{escape(category)}</text>'
        )
        start = 0.0
        for item in series:
            value = item.values[index]
            x_start, x_end = sorted((x_of(start), x_of(start + value)))
            parts.append(
                f'<rect x="{x_start:.1f}" y="{y + 20}" width="{max(x_end - x_start, 0.5):.1f}" '
                f'height="18" fill="{item.colour}"><title>'
                f"{escape(pair(f'{category} · {item.name}', format_value(value)))}</title></rect>"
            )
            start += value
        end_x = max(x_of(totals[index]), x_of(0))
        parts.append(
            f'<text x="{end_x + 4:.1f}" y="{y + 34}" font-size="12" fill="{TEXT_COLOUR}">'
            f"{escape(format_value(totals[index]))}</text>"
        )
    parts.append(
        f'<line x1="{x_of(0):.1f}" x2="{x_of(0):.1f}" y1="{top}" y2="{plot_bottom}" '
        f'stroke="{TEXT_COLOUR}"/>'
    )
    parts.append(
        f'<text x="{left + plot_width / 2:.1f}" y="{height - 4}" text-anchor="middle" '
        f'fill="{TEXT_COLOUR}">{escape(value_axis_label)}</text>'
    )
    return _markup(parts)


def _describe(
    categories: Sequence[str],
    series: Sequence[Series],
    format_value: Callable[[float], str],
    pair: Callable[[str, str], str],
    notes: Sequence[str] = (),
) -> str:
    """The chart's data as sentences, for screen readers. `pair` writes
    "label: value" in the reader's language (French spaces its colon); a
    category's note stands for its values."""
    return ". ".join(
        pair(
            category,
            (notes[index] if index < len(notes) else "")
            or ", ".join(f"{item.name} {format_value(item.values[index])}" for item in series),
        )
        for index, category in enumerate(categories)
    )
