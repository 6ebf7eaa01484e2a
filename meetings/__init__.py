"""Courses, networks, meetings, phases, notes, agreements and their review."""

from meetings.routes import bp

__all__ = ["bp"]
