"""Courses, networks, meetings, phases, notes, agreements and their review."""

from meetings import access, followup_routes, inspire_routes, meeting_routes, routes  # noqa: F401  (views and URL ids register)
from meetings.blueprint import bp

__all__ = ["bp"]
