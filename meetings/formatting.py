"""Dates and times as people read them, in the language of the page or the citizen."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_date, format_time


def when(moment: datetime | None) -> str:
    """Return a date and time written out: "mandag den 3. marts 2026, 14.00"."""
    if moment is None:
        return ""
    return f"{format_date(moment, 'full')}, {format_time(moment, 'short')}"


def day(moment: date | datetime | None) -> str:
    """Return a date written out: "3. marts 2026"."""
    if moment is None:
        return ""
    return format_date(moment, "long")
