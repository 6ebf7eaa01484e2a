"""The audit log: who looked at or changed which citizen's data, when and for what purpose."""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from flask_login import current_user

from extensions import db
from kernel.clock import utcnow
from roles.models import AuditEntry


class Course(Protocol):
    """What the audit log needs of a course (the meetings area owns courses)."""

    id: int
    citizen_id: int


def record(
    action: str,
    *,
    purpose: str = "",
    user_id: int | None = None,
    course_id: int | None = None,
    citizen_id: int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    detail: str | None = None,
) -> AuditEntry:
    """Write one audit entry and commit it at once, so it stays even if the request fails later."""
    entry = AuditEntry(
        action=action,
        purpose=purpose,
        user_id=user_id,
        course_id=course_id,
        citizen_id=citizen_id,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def record_in_course(
    action: str, course: Course, *, purpose: str, object_type: str, object_id: int, detail: str | None = None
) -> AuditEntry:
    """Record what the logged-in person did in a course; the citizen is named too, for their data export."""
    return record(
        action,
        purpose=purpose,
        user_id=current_user.id,
        course_id=course.id,
        citizen_id=course.citizen_id,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )


def recorded_since(user_id: int, course_id: int, action: str, window: timedelta) -> bool:
    """Whether this user's `action` on this course is already in the log within `window`."""
    since = utcnow() - window
    found = db.session.scalar(
        db.select(AuditEntry.id)
        .where(AuditEntry.user_id == user_id, AuditEntry.course_id == course_id, AuditEntry.action == action, AuditEntry.at >= since)
        .limit(1)
    )
    return found is not None


def entries_for_course(course_id: int, limit: int = 200) -> list[AuditEntry]:
    """Return the newest audit entries for a course, newest first."""
    return list(
        db.session.scalars(
            db.select(AuditEntry)
            .where(AuditEntry.course_id == course_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
            .options(db.joinedload(AuditEntry.user))
        )
    )


def purge_older_than(days: int) -> int:
    """Delete audit entries older than `days`; return how many went."""
    cutoff = utcnow() - timedelta(days=days)
    result = db.session.execute(db.delete(AuditEntry).where(AuditEntry.at < cutoff))
    db.session.commit()
    return result.rowcount or 0
