"""Time in one place: naive UTC in the database, local time only on screen and paper."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current time as naive UTC (what every DateTime column stores)."""
    return datetime.now(UTC).replace(tzinfo=None)
