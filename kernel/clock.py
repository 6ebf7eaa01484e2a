"""Time in one place: naive UTC in the database, Europe/Copenhagen on screen, in forms and on paper."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import has_app_context
from flask_babel import format_date, format_time, get_timezone

#: Where the people using Rundbord live (also BABEL_DEFAULT_TIMEZONE in config.py).
HOME_ZONE = "Europe/Copenhagen"


def utcnow() -> datetime:
    """Return the current time as naive UTC (what every DateTime column stores)."""
    return datetime.now(UTC).replace(tzinfo=None)


def zone() -> ZoneInfo:
    """Return the zone the people using Rundbord live in (Babel's setting, Europe/Copenhagen by default)."""
    return ZoneInfo(str(get_timezone())) if has_app_context() else ZoneInfo(HOME_ZONE)


def to_local(moment: datetime) -> datetime:
    """Turn a naive UTC time from the database into naive local time (for a form field)."""
    return moment.replace(tzinfo=UTC).astimezone(zone()).replace(tzinfo=None)


def to_utc(local: datetime) -> datetime:
    """Turn a local time as a person types it into naive UTC (for the database)."""
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone())
    return local.astimezone(UTC).replace(tzinfo=None)


def local_date(moment: datetime) -> date:
    """Return the local date of a naive UTC moment."""
    return to_local(moment).date()


def local_today(now: datetime | None = None) -> date:
    """Return today's date where the people using Rundbord live."""
    return local_date(now or utcnow())


def when(moment: datetime | None) -> str:
    """Return a date and time written out in the page's language: "mandag den 3. marts 2026, 14.00"."""
    if moment is None:
        return ""
    return f"{format_date(moment, 'full')}, {format_time(moment, 'short')}"


def day(moment: date | datetime | None) -> str:
    """Return a date written out in the page's language: "3. marts 2026"."""
    if moment is None:
        return ""
    return format_date(moment, "long")


def iso_utc(value: datetime | date | None) -> str | None:
    """Return an ISO 8601 string for the data export; datetimes are UTC and say so with "Z"."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    return value.isoformat()
