"""What the course page shows, gathered in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from extensions import db
from meetings.course.network import current_members
from meetings.feedback.panel import FeedbackPanel, course_panel
from meetings.models import (
    Agreement,
    AgreementStatus,
    Course,
    Meeting,
    NetworkMember,
)


@dataclass(frozen=True)
class CourseOverview:
    course: Course
    members: list[NetworkMember]
    upcoming: list[Meeting]
    past: list[Meeting]
    open_agreements: list[Agreement]

    @cached_property
    def feedback(self) -> FeedbackPanel:
        """The recovery panel (Brief INSPIRE and ratings), read when the page shows it."""
        return course_panel(self.course.id)


def course_overview(course_id: int, now: datetime) -> CourseOverview:
    """Gather what the course page shows, in a fixed number of queries."""
    course = db.session.scalars(
        db.select(Course).where(Course.id == course_id).options(db.joinedload(Course.citizen), db.selectinload(Course.goals))
    ).one()
    meetings = db.session.scalars(
        db.select(Meeting).where(Meeting.course_id == course_id).order_by(Meeting.planned_at)
    ).all()
    upcoming = [m for m in meetings if m.closed_at is None]
    past = [m for m in reversed(meetings) if m.closed_at is not None]
    return CourseOverview(
        course=course,
        members=current_members(course_id),
        upcoming=upcoming,
        past=past,
        open_agreements=open_agreements(course_id),
    )


def open_agreements(course_id: int, before: datetime | None = None) -> list[Agreement]:
    """Return every unfinished agreement of the course, oldest first."""
    query = (
        db.select(Agreement)
        .join(Meeting, Agreement.origin_meeting_id == Meeting.id)
        .where(Agreement.course_id == course_id, Agreement.status == AgreementStatus.OPEN)
        .options(db.joinedload(Agreement.responsible), db.joinedload(Agreement.origin_meeting), db.selectinload(Agreement.reviews))
        .order_by(Meeting.planned_at, Agreement.id)
    )
    if before is not None:
        query = query.where(Meeting.planned_at < before)
    return list(db.session.scalars(query).unique())


def course_with_citizen(course_id: int) -> Course | None:
    """Return a course with its citizen."""
    return db.session.scalars(db.select(Course).where(Course.id == course_id).options(db.joinedload(Course.citizen))).one_or_none()
