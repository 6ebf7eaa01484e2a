"""Giving the citizen the summary of a meeting: who gave it, and when."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from extensions import db
from kernel.refusal import Refusal
from meetings.models import Meeting
from roles.models import User


def given_by_name(meeting: Meeting) -> str | None:
    """Return the display name of who gave the summary to the citizen, if anyone did and is still known."""
    if meeting.summary_given_by_id is None:
        return None
    user = db.session.get(User, meeting.summary_given_by_id)
    return user.display_name if user is not None else None


def mark_summary_given(meeting: Meeting, user_id: int, now: datetime) -> None:
    """Record that the tovholder gave the summary to the citizen; only for a closed meeting."""
    if meeting.closed_at is None:
        raise Refusal(_l("The meeting is not closed yet, so the summary cannot be given."))
    meeting.summary_given_at = now
    meeting.summary_given_by_id = user_id
    db.session.flush()
