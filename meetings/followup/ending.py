"""Ending a course with a short note, and taking it up again."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from extensions import db
from kernel.clock import utcnow
from kernel.refusal import Refusal
from meetings.models import (
    Course,
    Meeting,
)


def end_course(course: Course, note: str, now: datetime | None = None) -> Course:
    """Close a course with a short note: it leaves the dashboards but stays readable."""
    if course.ended_at is not None:
        raise Refusal(_l("This course has already ended."))
    note = (note or "").strip()
    if not note:
        raise Refusal(_l("Write a short note about why the course ends."), field="note")
    running = db.session.scalar(
        db.select(Meeting.id).where(Meeting.course_id == course.id, Meeting.opened_at.is_not(None), Meeting.closed_at.is_(None)).limit(1)
    )
    if running is not None:
        raise Refusal(_l("A meeting of this course is still going on. Close it first."))
    course.ended_at = now or utcnow()
    course.end_note = note
    db.session.flush()
    return course


def resume_course(course: Course, reason: str) -> str:
    """Take an ended course up again (the citizen came back, or it was ended by mistake).

    Returns what the audit log keeps of it: the end that is undone and the reason, so the
    course's history is not lost when its end note is cleared.
    """
    if course.ended_at is None:
        raise Refusal(_l("This course has not ended."))
    reason = (reason or "").strip()
    if not reason:
        raise Refusal(_l("Write why the course is taken up again."), field="reason")
    history = f"{course.ended_at:%Y-%m-%d}: {course.end_note} → {reason}"
    course.ended_at = None
    course.end_note = ""
    db.session.flush()
    return history
