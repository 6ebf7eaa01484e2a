"""Telling the people responsible for agreements: who may receive what, reminders due, reply links, replies.

Rules as plain functions (rules.py, links.py, replies.py, lists.py); thin views in routes.py
on this sub-area's own blueprint. Building and sending the messages lives in exports/messages,
which imports this package, never the other way round.
"""

from meetings.outreach import routes  # noqa: F401  (views register on bp)
from meetings.outreach.blueprint import bp

__all__ = ["bp"]
