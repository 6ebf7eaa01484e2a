"""Courses, networks, meetings, phases, notes, agreements and their review."""

from meetings import followup_routes, inspire_routes, meeting_routes, routes  # noqa: F401  (views register on bp)
from meetings.blueprint import bp

__all__ = ["bp"]
