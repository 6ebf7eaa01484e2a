"""Server-rendered SVG charts that print well, each with a table that says the same in text.

The drawing functions (`line_chart`, `bar_chart`, `data_table`) are pure: data in, markup out,
every piece of text escaped. Meaning never rests on colour alone: points carry markers and
their value written beside them, series differ by fill pattern and are named in a legend,
and every chart comes with an HTML table of the same numbers for screen readers (the SVG
points to it in its description). Only presentation attributes are used, no `style`, so a
strict Content-Security-Policy leaves the charts alone.

The functions at the end (`inspire_total_chart`, `inspire_item_charts`, `ratings_chart`, `inspire_chart`) read a course's data and need an app context.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask_babel import force_locale, format_date, format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape

from extensions import db
from meetings.feedback import inspire, ratings
from meetings.models import Course

INK = "#1d232b"
LINE = "#1f5f8b"
GRID = "#b9c1ca"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
#: Estimated width of one character of tick-label text, in px, for the left margin.
CHAR_PX = 7.2


def plain_number(value: float) -> str:
    """Write a number the simple way: 62.5, 60 (no trailing .0)."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Chart:
    """A chart and its text alternative, ready to put into a page."""

    id: str
    title: str
    svg: Markup
    table: Markup


def _check_id(chart_id: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9-]*", chart_id):
        raise ValueError(f"a chart id is lower-case letters, digits and dashes, not {chart_id!r}")
    return chart_id


def _attrs(**attrs) -> str:
    return " ".join(f'{k.rstrip("_").replace("_", "-")}="{escape(v)}"' for k, v in attrs.items() if v is not None)


def _text(x: float, y: float, content: str, **attrs) -> str:
    return f'<text {_attrs(x=f"{x:.1f}", y=f"{y:.1f}", **attrs)}>{escape(content)}</text>'


def _open_svg(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" id="{escape(chart_id)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'font-family="{escape(FONT)}" font-size="13" fill="{INK}">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
    ]


def _left_margin(y_ticks: Sequence[tuple[float, str]]) -> float:
    longest = max((len(label) for _v, label in y_ticks), default=2)
    return 14 + longest * CHAR_PX


def _y_axis(parts: list[str], y_ticks, y_of: Callable[[float], float], left: float, right: float) -> None:
    for value, label in y_ticks:
        y = y_of(value)
        parts.append(f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1" stroke-dasharray="3 3"/>')
        parts.append(_text(left - 8, y + 4, label, text_anchor="end", class_="tick"))


def _x_labels(parts: list[str], labels: Sequence[str], xs: Sequence[float], y: float, width: float) -> None:
    # Only every n-th label when they would run into each other; the table has them all.
    room = width / max(len(labels), 1)
    longest = max((len(label) for label in labels), default=1) * CHAR_PX + 8
    step = max(1, math.ceil(longest / max(room, 1)))
    for i, (label, x) in enumerate(zip(labels, xs)):
        if i % step == 0:
            parts.append(_text(x, y, label, text_anchor="middle", class_="x-label"))


def line_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    y_min: float = 0,
    y_max: float,
    y_ticks: Sequence[tuple[float, str]],
    desc: str = "",
    fmt: Callable[[float], str] = plain_number,
    width: int = 640,
    height: int = 240,
    skipped_mark: str = "–",
) -> Markup:
    """Draw values over time as a line with a marker and its number at every point.

    Points are evenly spaced, one per label (one per time something was answered), oldest
    left. A None value is a gap in the line with a dash on the axis.
    """
    if len(labels) != len(values):
        raise ValueError("one label per value")
    chart_id = _check_id(chart_id)
    left, right, top, bottom = _left_margin(y_ticks), width - 16, 22, height - 34
    pad = 40 if len(values) > 1 else 0
    span = right - left - 2 * pad

    def x_of(i: int) -> float:
        return (left + right) / 2 if len(values) == 1 else left + pad + i * span / (len(values) - 1)

    def y_of(v: float) -> float:
        return bottom - (v - y_min) / (y_max - y_min) * (bottom - top)

    parts = _open_svg(chart_id, title, desc, width, height)
    _y_axis(parts, y_ticks, y_of, left, right)
    parts.append(f'<line x1="{left:.1f}" y1="{bottom:.1f}" x2="{right:.1f}" y2="{bottom:.1f}" stroke="{INK}" stroke-width="1.5"/>')
    xs = [x_of(i) for i in range(len(values))]
    run: list[str] = []
    runs: list[list[str]] = []
    for x, v in zip(xs, values):
        if v is None:
            if run:
                runs.append(run)
            run = []
        else:
            run.append(f"{x:.1f},{y_of(v):.1f}")
    if run:
        runs.append(run)
    for points in runs:
        if len(points) > 1:
            parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{LINE}" stroke-width="2.5" stroke-linejoin="round"/>')
    for x, v in zip(xs, values):
        if v is None:
            parts.append(_text(x, bottom - 6, skipped_mark, text_anchor="middle", class_="skipped"))
            continue
        y = y_of(v)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#ffffff" stroke="{LINE}" stroke-width="2.5"/>')
        parts.append(_text(x, y - 10, fmt(v), text_anchor="middle", font_weight="700", class_="value"))
    _x_labels(parts, labels, xs, height - 12, right - left)
    parts.append("</svg>")
    return Markup("\n".join(parts))  # nosec B704 -- every text went through escape(); the rest is fixed markup and numbers


#: How the series of a bar chart differ without colour: fill, and a pattern for the second.
_BAR_STYLES = ("solid", "hatch", "dots")


def _bar_fill(chart_id: str, style: str) -> str:
    return LINE if style == "solid" else f"url(#{chart_id}-{style})"


def _patterns(chart_id: str) -> str:
    return (
        "<defs>"
        f'<pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="{INK}" stroke-width="2.5"/></pattern>'
        f'<pattern id="{chart_id}-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="#ffffff"/><circle cx="3" cy="3" r="1.4" fill="{INK}"/></pattern>'
        "</defs>"
    )


def bar_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    y_max: float,
    y_ticks: Sequence[tuple[float, str]],
    desc: str = "",
    fmt: Callable[[float], str] = plain_number,
    width: int = 640,
    height: int = 260,
    missing_mark: str = "–",
) -> Markup:
    """Draw grouped bars: one group per label, one bar per series, its number above it.

    Series differ by fill (solid, hatched, dotted) and are named in a legend, so the chart
    reads the same on a black-and-white print. A None value is a dash on the axis.
    """
    if not 1 <= len(series) <= len(_BAR_STYLES):
        raise ValueError(f"1 to {len(_BAR_STYLES)} series")
    if any(len(values) != len(labels) for _name, values in series):
        raise ValueError("one value per label in every series")
    chart_id = _check_id(chart_id)
    left, right, top, bottom = _left_margin(y_ticks), width - 16, 44, height - 34

    def y_of(v: float) -> float:
        return bottom - v / y_max * (bottom - top)

    parts = _open_svg(chart_id, title, desc, width, height)
    parts.append(_patterns(chart_id))
    # The legend, top left: a swatch in the series' fill and its name.
    lx = left
    for (name, _values), style in zip(series, _BAR_STYLES):
        parts.append(f'<rect x="{lx:.1f}" y="6" width="16" height="16" fill="{_bar_fill(chart_id, style)}" stroke="{INK}" stroke-width="1"/>')
        parts.append(_text(lx + 22, 19, name, class_="legend"))
        lx += 22 + len(name) * CHAR_PX + 24
    _y_axis(parts, y_ticks, y_of, left, right)
    group_w = (right - left) / max(len(labels), 1)
    bar_w = min(40.0, group_w * 0.8 / len(series))
    xs = []
    for g, _label in enumerate(labels):
        centre = left + group_w * (g + 0.5)
        xs.append(centre)
        first = centre - bar_w * len(series) / 2
        for s, ((_name, values), style) in enumerate(zip(series, _BAR_STYLES)):
            x = first + s * bar_w
            v = values[g]
            if v is None:
                parts.append(_text(x + bar_w / 2, bottom - 6, missing_mark, text_anchor="middle", class_="missing"))
                continue
            y = y_of(v)
            parts.append(
                f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{bar_w - 4:.1f}" height="{bottom - y:.1f}" '
                f'fill="{_bar_fill(chart_id, style)}" stroke="{INK}" stroke-width="1"/>'
            )
            parts.append(_text(x + bar_w / 2, y - 6, fmt(v), text_anchor="middle", font_weight="700", class_="value"))
    parts.append(f'<line x1="{left:.1f}" y1="{bottom:.1f}" x2="{right:.1f}" y2="{bottom:.1f}" stroke="{INK}" stroke-width="1.5"/>')
    _x_labels(parts, labels, xs, height - 12, right - left)
    parts.append("</svg>")
    return Markup("\n".join(parts))  # nosec B704 -- every text went through escape(); the rest is fixed markup and numbers


def data_table(chart_id: str, caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]], css_class: str = "chart-table") -> Markup:
    """Write the numbers of a chart as an HTML table; the first cell of a row names the row."""
    chart_id = _check_id(chart_id)
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(
            f'<th scope="row">{escape(cell)}</th>' if i == 0 else f"<td>{escape(cell)}</td>" for i, cell in enumerate(row)
        ) + "</tr>"
        for row in rows
    )
    return Markup(  # nosec B704 -- caption, headers and cells went through escape(); the id is checked by _check_id
        f'<table class="{escape(css_class)}" id="{chart_id}-table"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


# --- the course's charts (need an app context) ------------------------------------


def number(value: float) -> str:
    """Write a number in the page's language: 62,5 in Danish, 62.5 in English."""
    return format_decimal(value, format="#,##0.#")


def _chart_date(moment) -> str:
    return format_date(moment, "medium")


def _see_table() -> str:
    return _("The same numbers are in the table below the chart.")


def inspire_total_chart(
    course_id: int, *, small: bool = False, chart_id: str = "inspire-total", history: list[inspire.InspireResult] | None = None
) -> Chart | None:
    """Return the Brief INSPIRE total (0–100) over time with its table; None before the first answer.

    `history` may be given when the caller already has `inspire.inspire_history(course_id)`.
    """
    history = inspire.inspire_history(course_id) if history is None else history
    if not history:
        return None
    title = _("Brief INSPIRE, total score (0–100)")
    labels = [_chart_date(r.answered_at) for r in history]
    values = [r.score for r in history]
    ticks = [(v, number(v)) for v in (0, 25, 50, 75, 100)]
    svg = line_chart(
        chart_id, title, labels, values, y_max=100, y_ticks=ticks, desc=_see_table(), fmt=number,
        width=420 if small else 640, height=180 if small else 240,
    )
    rows = [
        [
            inspire_day(r.answered_at),
            number(r.score) if r.score is not None else _("All questions skipped"),
            _("%(answered)s of %(total)s", answered=r.answered, total=len(inspire.InspireItem)),
        ]
        for r in history
    ]
    table = data_table(chart_id, title, [_("Answered on"), _("Score (0–100)"), _("Questions answered")], rows)
    return Chart(chart_id, title, svg, table)


def inspire_day(moment) -> str:
    """Return the date an answer was given, written out (for tables)."""
    return format_date(moment, "long")


def inspire_item_charts(course_id: int) -> tuple[list[Chart], Markup] | None:
    """Return one small chart per CHIME question (0–4 over time) and one table for all five.

    None before the first answer.
    """
    history = inspire.inspire_history(course_id)
    if not history:
        return None
    labels = [_chart_date(r.answered_at) for r in history]
    ticks = [(value, str(words)) for value, words in inspire.INSPIRE_ANSWERS]
    charts = []
    for item in inspire.InspireItem:
        chart_id = f"inspire-{item.value}"
        title = str(item.title)
        svg = line_chart(
            chart_id, title, labels, [r.answers[item] for r in history], y_max=inspire.INSPIRE_MAX, y_ticks=ticks,
            desc=_see_table(), fmt=number, width=440, height=210,
        )
        charts.append(Chart(chart_id, title, svg, Markup("")))
    headers = [_("Answered on"), *[str(item.title) for item in inspire.InspireItem]]
    rows = [
        [inspire_day(r.answered_at)]
        + [
            f"{number(v)} – {inspire.answer_label(v)}" if (v := r.answers[item]) is not None else _("Skipped")
            for item in inspire.InspireItem
        ]
        for r in history
    ]
    table = data_table("inspire-items", _("Brief INSPIRE, each question (0 = not at all, 4 = very much)"), headers, rows)
    return charts, table


def ratings_chart(course_id: int, *, small: bool = False, chart_id: str = "ratings") -> Chart | None:
    """Return the session ratings per meeting (the citizen's, the others' average) with its table; None without ratings."""
    per_meeting = ratings.ratings_by_meeting(course_id)
    if not per_meeting:
        return None
    title = _("How was the meeting? (1 = bad, 5 = very good)")
    labels = [_chart_date(m.planned_at) for m in per_meeting]
    citizen_name, others_name = _("The citizen"), _("Others (average)")
    series = [(citizen_name, [m.citizen for m in per_meeting]), (others_name, [m.others_mean for m in per_meeting])]
    if small:
        ticks = [(v, str(v)) for v in range(1, 6)]
    else:
        ticks = [(v, f"{v} {ratings.RATING_LABELS[v]}") for v in range(1, 6)]
    svg = bar_chart(
        chart_id, title, labels, series, y_max=ratings.RATING_MAX, y_ticks=ticks, desc=_see_table(), fmt=number,
        width=420 if small else 640, height=200 if small else 260,
    )
    rows = [
        [
            inspire_day(m.planned_at),
            number(m.citizen) if m.citizen is not None else _("Not rated"),
            number(m.others_mean) if m.others_mean is not None else _("Not rated"),
            str(len(m.others)),
        ]
        for m in per_meeting
    ]
    table = data_table(chart_id, title, [_("Meeting"), citizen_name, others_name, _("Others who rated")], rows)
    return Chart(chart_id, title, svg, table)


def inspire_chart(course_id: int, locale: str | None = None, history: list[inspire.InspireResult] | None = None) -> Chart | None:
    """Return the INSPIRE total chart and table in the citizen's language (or `locale`); None without a score.

    `history` may be given when the caller already has `inspire.inspire_history(course_id)`.
    """
    history = inspire.inspire_history(course_id) if history is None else history
    if not any(r.score is not None for r in history):
        return None
    if locale is None:
        course = db.session.get(Course, course_id)
        locale = course.citizen.language.value if course is not None else "da"
    with force_locale(locale):
        return inspire_total_chart(course_id, chart_id="inspire-summary", history=history)
