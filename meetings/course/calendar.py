"""A course's meetings: the one way a meeting is planned, and which are still to come."""

from __future__ import annotations

from datetime import datetime

from extensions import db
from meetings.models import (
    Attendance,
    AttendanceStatus,
    Course,
    Meeting,
    MeetingKind,
    MemberKind,
    NetworkMember,
)

#: How long a meeting is planned to last unless said otherwise.
DEFAULT_MEETING_MINUTES = 90


def plan_meeting(
    course: Course | int,
    planned_at: datetime,
    *,
    kind: MeetingKind = MeetingKind.REGULAR,
    location: str = "",
    theme: str = "",
    planned_minutes: int = DEFAULT_MEETING_MINUTES,
    requested_at: datetime | None = None,
) -> Meeting:
    """Plan a network meeting of the course (or course id; naive UTC); every way of convening one ends here."""
    meeting = Meeting(
        course_id=course if isinstance(course, int) else course.id,
        kind=kind,
        planned_at=planned_at,
        location=location,
        theme=theme,
        planned_minutes=planned_minutes,
        requested_at=requested_at,
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def invite_citizen(meeting: Meeting) -> None:
    """Invite the citizen to the meeting (they are invited to every meeting from the start)."""
    citizen = db.session.scalars(
        db.select(NetworkMember).where(NetworkMember.course_id == meeting.course_id, NetworkMember.kind == MemberKind.CITIZEN)
    ).first()
    if citizen is not None:
        db.session.add(Attendance(meeting_id=meeting.id, member_id=citizen.id, status=AttendanceStatus.INVITED))
        db.session.flush()


def meetings_of(course_id: int) -> list[Meeting]:
    """Return the course's meetings not yet held, soonest first."""
    return list(
        db.session.scalars(
            db.select(Meeting).where(Meeting.course_id == course_id, Meeting.closed_at.is_(None)).order_by(Meeting.planned_at, Meeting.id)
        )
    )
