"""Erasing a course: the citizen's right to be forgotten.

The course goes with everything in it (network, meetings, notes, agreements, reviews,
follow-ups, goals, consents, ratings, INSPIRE answers and the team's roles in it) by the
database's ON DELETE CASCADE; the citizen goes too when this was their only course. The
audit trail stays: its entries hold only ids and purposes, never personal data, and one
more entry, "course.erased", records the erasure itself.
"""

from __future__ import annotations

import unicodedata

from extensions import db
from meetings.models import Citizen, Course
from roles import audit


def _normalised(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name or "").casefold().split())


def name_matches(course: Course, typed: str | None) -> bool:
    """Return whether `typed` is the citizen's name (preferred or full; case and spacing do not matter)."""
    wanted = {_normalised(course.citizen.preferred_name)}
    if course.citizen.full_name:
        wanted.add(_normalised(course.citizen.full_name))
    return bool(typed and typed.strip()) and _normalised(typed) in wanted


def erase_course(course_id: int, *, user_id: int | None) -> None:
    """Delete the course, its citizen (unless they have another course) and all personal data; audit it.

    Commits. Raises LookupError when there is no such course.
    """
    course = db.session.get(Course, course_id)
    if course is None:
        raise LookupError(f"no course {course_id}")
    citizen_id = course.citizen_id
    other_courses = db.session.scalar(
        db.select(db.func.count(Course.id)).where(Course.citizen_id == citizen_id, Course.id != course_id)
    )
    # Core DELETEs, not session.delete(): the database cascades to every child row, and the
    # ORM does not try to null foreign keys of loaded children first.
    if other_courses:
        db.session.execute(db.delete(Course).where(Course.id == course_id))
    else:
        db.session.execute(db.delete(Citizen).where(Citizen.id == citizen_id))
    db.session.commit()
    audit.record(
        "course.erased",
        purpose="erasure",
        user_id=user_id,
        course_id=course_id,
        citizen_id=citizen_id,
        object_type="course",
        object_id=course_id,
    )
