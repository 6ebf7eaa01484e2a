"""Courses, networks, meetings, phases, notes, agreements and their review."""

from meetings import routes  # noqa: F401  (views register themselves on bp)
from meetings.blueprint import bp

__all__ = ["bp"]
