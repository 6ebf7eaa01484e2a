"""The meetings area: one sub-package per moment of the work, each with its routes, rules and forms.

course/ (the course and its network), consent/, followup/ (between meetings), and the
meeting screen and feedback. Importing the area registers every view on its one blueprint
and its URL ids with the access check.
"""

# Importing the route modules registers their views on `bp`; `access` registers the URL ids.
from meetings import access  # noqa: F401
from meetings.blueprint import bp
from meetings.consent import routes as consent_routes  # noqa: F401
from meetings.course import routes as course_routes  # noqa: F401
from meetings.feedback import routes as feedback_routes  # noqa: F401
from meetings.followup import convening_routes  # noqa: F401
from meetings.followup import routes as followup_routes  # noqa: F401
from meetings.screen import agreement_routes, notes_routes  # noqa: F401
from meetings.screen import routes as screen_routes  # noqa: F401

__all__ = ["bp"]
