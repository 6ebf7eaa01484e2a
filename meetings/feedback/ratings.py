"""Session ratings: "how was this meeting for you?" on a scale from 1 to 5, the citizen first.

Answering again replaces the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from extensions import db
from kernel.clock import utcnow
from meetings.models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MemberKind,
    NetworkMember,
    SessionRating,
)

RATING_MIN, RATING_MAX = 1, 5


#: The rating scale's words, from 1 (bad) to 5 (good).
RATING_LABELS: dict[int, object] = {
    1: _l("Bad"),
    2: _l("Not so good"),
    3: _l("Okay"),
    4: _l("Good"),
    5: _l("Very good"),
}


COMMENT_MAX = 2000


def record_rating(meeting: Meeting, member: NetworkMember, score: int, comment: str = "") -> SessionRating:
    """Record how the meeting was for one member; answering again replaces the earlier answer.

    Raises ValueError for a score outside 1..5, a comment longer than 2000 characters or a
    member from another course.
    """
    if isinstance(score, bool) or not isinstance(score, int) or not RATING_MIN <= score <= RATING_MAX:
        raise ValueError(f"a session rating is {RATING_MIN}..{RATING_MAX}, not {score!r}")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValueError(f"the comment is longer than {COMMENT_MAX} characters")
    if member.course_id != meeting.course_id:
        raise ValueError("the member belongs to another course")
    rating = _rating_of(meeting.id, member.id)
    if rating is None:
        try:
            # Two tablets may answer at once: the unique constraint decides, the loser updates.
            with db.session.begin_nested():
                rating = SessionRating(meeting_id=meeting.id, member_id=member.id, score=score, comment=comment)
                db.session.add(rating)
            return rating
        except IntegrityError:
            rating = _rating_of(meeting.id, member.id)
            assert rating is not None
    rating.score = score
    rating.comment = comment
    rating.created_at = utcnow()
    db.session.flush()
    return rating


def _rating_of(meeting_id: int, member_id: int) -> SessionRating | None:
    return db.session.scalars(
        db.select(SessionRating).where(SessionRating.meeting_id == meeting_id, SessionRating.member_id == member_id)
    ).one_or_none()


def rating_of(meeting: Meeting, member: NetworkMember) -> SessionRating | None:
    """Return the member's rating of the meeting, if they gave one."""
    return _rating_of(meeting.id, member.id)


def _citizen_first(rating: SessionRating) -> tuple[int, int]:
    return (0 if rating.member.kind == MemberKind.CITIZEN else 1, rating.member_id)


def meeting_ratings(meeting_id: int) -> list[SessionRating]:
    """Return the ratings given for one meeting, the citizen's first."""
    ratings = db.session.scalars(
        db.select(SessionRating).where(SessionRating.meeting_id == meeting_id).options(db.joinedload(SessionRating.member))
    ).all()
    return sorted(ratings, key=_citizen_first)


def citizen_rating(meeting: Meeting) -> SessionRating | None:
    """Return the citizen's own rating of the meeting, if they gave one."""
    return db.session.scalars(
        db.select(SessionRating)
        .join(NetworkMember, SessionRating.member_id == NetworkMember.id)
        .where(SessionRating.meeting_id == meeting.id, NetworkMember.kind == MemberKind.CITIZEN)
    ).first()


def rating_members(meeting: Meeting) -> list[NetworkMember]:
    """Return who may rate the meeting, the citizen first.

    When attendance was taken, those present (and the citizen, always); otherwise the whole
    current network. The citizen is always in the list.
    """
    members = db.session.scalars(
        db.select(NetworkMember).where(
            NetworkMember.course_id == meeting.course_id,
            db.or_(NetworkMember.removed_at.is_(None), NetworkMember.kind == MemberKind.CITIZEN),
        )
    ).all()
    present = set(
        db.session.scalars(
            db.select(Attendance.member_id).where(Attendance.meeting_id == meeting.id, Attendance.status == AttendanceStatus.PRESENT)
        )
    )
    if present:
        members = [m for m in members if m.id in present or m.kind == MemberKind.CITIZEN]
    return sorted(members, key=NetworkMember.network_order)


@dataclass(frozen=True)
class MeetingRatings:
    """The ratings of one meeting, for the chart: the citizen's and everyone else's."""

    meeting_id: int
    planned_at: datetime
    citizen: int | None
    others: tuple[int, ...]

    @property
    def others_mean(self) -> float | None:
        """Return the other members' mean rating, one decimal; None if nobody else rated."""
        if not self.others:
            return None
        exact = Decimal(sum(self.others)) / Decimal(len(self.others))
        return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def ratings_by_meeting(course_id: int) -> list[MeetingRatings]:
    """Return, per meeting of the course that has any rating, the citizen's and the others' ratings, oldest first."""
    rows = db.session.execute(
        db.select(Meeting.id, Meeting.planned_at, SessionRating.score, NetworkMember.kind)
        .join(SessionRating, SessionRating.meeting_id == Meeting.id)
        .join(NetworkMember, SessionRating.member_id == NetworkMember.id)
        .where(Meeting.course_id == course_id)
        .order_by(Meeting.planned_at, Meeting.id, SessionRating.id)
    ).all()
    planned: dict[int, datetime] = {}
    citizen: dict[int, int] = {}
    others: dict[int, list[int]] = {}
    for meeting_id, planned_at, score, kind in rows:
        planned[meeting_id] = planned_at
        if kind == MemberKind.CITIZEN:
            citizen[meeting_id] = score
        else:
            others.setdefault(meeting_id, []).append(score)
    return [MeetingRatings(mid, at, citizen.get(mid), tuple(others.get(mid, ()))) for mid, at in planned.items()]
