"""The network team of a course: starting a course, roles, handing over, and the citizen's proxy."""

from meetings.team.routes import bp

__all__ = ["bp"]
