"""Time in one place: naive UTC in the database, local time only on screen and paper."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current time as naive UTC (what every DateTime column stores)."""
    return datetime.now(UTC).replace(tzinfo=None)


def local_to_utc(local: datetime, zone: str = "Europe/Copenhagen") -> datetime:
    """Turn a wall-clock time in Denmark (as a person types it) into naive UTC."""
    from zoneinfo import ZoneInfo

    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC).replace(tzinfo=None)


def utc_to_local(moment: datetime, zone: str = "Europe/Copenhagen") -> datetime:
    """Turn naive UTC into naive wall-clock time in Denmark (for form fields)."""
    from zoneinfo import ZoneInfo

    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
