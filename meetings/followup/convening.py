"""Convening: a regular meeting, or an acute one as the rapid response; the pre-meeting with the citizen."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from extensions import db
from kernel.clock import utcnow
from kernel.refusal import Refusal
from meetings.course.calendar import DEFAULT_MEETING_MINUTES, invite_citizen, plan_meeting
from meetings.models import (
    Attendance,
    AttendanceStatus,
    Course,
    Meeting,
    MeetingKind,
    MemberKind,
    NetworkMember,
)
from roles.models import Role, RoleAssignment, User

#: An acute meeting is proposed this long after the request (the principle of a rapid response).
ACUTE_DEFAULT_DELAY = timedelta(hours=3)


#: An acute meeting later than this after the request gets a gentle warning.
ACUTE_RESPONSE_WITHIN = timedelta(hours=24)


#: Proposed meeting times are rounded up to this many minutes.
ROUND_TO_MINUTES = 15


def _round_up(moment: datetime, minutes: int = ROUND_TO_MINUTES) -> datetime:
    moment = moment.replace(second=0, microsecond=0)
    extra = -moment.minute % minutes
    return moment + timedelta(minutes=extra)


def _check_open(course: Course) -> None:
    if course.ended_at is not None:
        raise Refusal(_l("This course has ended; no new meetings can be planned."))


def plan_regular_meeting(
    course: Course,
    planned_at: datetime,
    *,
    location: str = "",
    theme: str = "",
    planned_minutes: int = DEFAULT_MEETING_MINUTES,
    now: datetime | None = None,
) -> Meeting:
    """Plan a regular network meeting (naive UTC time); the citizen is invited from the start."""
    _check_open(course)
    if planned_at <= (now or utcnow()):
        raise Refusal(_l("Choose a time that has not passed yet."), field="planned_at")
    meeting = plan_meeting(
        course, planned_at, kind=MeetingKind.REGULAR, location=(location or "").strip(), theme=(theme or "").strip(), planned_minutes=planned_minutes
    )
    invite_citizen(meeting)
    return meeting


def propose_acute_time(now: datetime | None = None) -> datetime:
    """Return the default proposal for an acute meeting: a few hours from now, well within 24 hours."""
    return _round_up((now or utcnow()) + ACUTE_DEFAULT_DELAY)


def plan_acute_meeting(
    course: Course,
    *,
    now: datetime | None = None,
    planned_at: datetime | None = None,
    location: str = "",
    theme: str = "",
    planned_minutes: int = DEFAULT_MEETING_MINUTES,
) -> Meeting:
    """Plan an acute meeting as the rapid response to a crisis: requested now, proposed within 24 hours."""
    _check_open(course)
    now = now or utcnow()
    planned_at = planned_at or propose_acute_time(now)
    if planned_at < now - timedelta(minutes=ROUND_TO_MINUTES):
        raise Refusal(_l("Choose a time that has not passed yet."), field="planned_at")
    meeting = plan_meeting(
        course,
        planned_at,
        kind=MeetingKind.ACUTE,
        requested_at=now,
        location=(location or "").strip(),
        theme=(theme or "").strip(),
        planned_minutes=planned_minutes,
    )
    invite_citizen(meeting)
    return meeting


def later_than_rapid_response(meeting: Meeting) -> bool:
    """Whether an acute meeting is planned later than 24 hours after it was asked for (a gentle warning, never a block)."""
    return (
        meeting.kind == MeetingKind.ACUTE
        and meeting.requested_at is not None
        and meeting.planned_at - meeting.requested_at > ACUTE_RESPONSE_WITHIN
    )


def invitees(meeting_id: int) -> list[Attendance]:
    """Return who is invited to a meeting, the citizen first, with their network entry, in one query."""
    rows = db.session.scalars(
        db.select(Attendance).where(Attendance.meeting_id == meeting_id).options(db.joinedload(Attendance.member))
    ).all()
    return sorted(rows, key=lambda a: a.member.network_order())


def record_pre_meeting(
    meeting: Meeting,
    at: datetime | None,
    citizen_topics: str,
    note: str,
    invited: Iterable[NetworkMember],
    *,
    max_participants: int | None = None,
    set_max: bool = False,
) -> Meeting:
    """Record the pre-meeting with the citizen: when, what they want to talk about, and whom they want invited.

    The invitation list becomes exactly `invited` (the citizen is always invited); people who
    already answered keep their answer. With `set_max`, the citizen's own limit on how many
    people they can manage is saved on the course too.
    """
    if meeting.closed_at is not None:
        raise Refusal(_l("This meeting has already been held."))
    chosen = {m.id: m for m in invited}
    for member in chosen.values():
        if member.course_id != meeting.course_id or member.removed_at is not None:
            raise Refusal(_l("Only people in the citizen's network can be invited."), field="invitees")
    if set_max and max_participants is not None and max_participants < 1:
        raise Refusal(_l("Write a number of at least 1, or leave it empty."), field="max_participants")
    meeting.pre_meeting_at = at
    meeting.citizen_topics = (citizen_topics or "").strip()
    meeting.pre_meeting_note = (note or "").strip()
    if set_max:
        meeting.course.max_participants = max_participants

    rows = {a.member_id: a for a in db.session.scalars(db.select(Attendance).where(Attendance.meeting_id == meeting.id))}
    members = {m.id: m for m in db.session.scalars(db.select(NetworkMember).where(NetworkMember.id.in_(list(rows) or [0])))}
    for member_id, row in rows.items():
        member = members.get(member_id)
        keep = member_id in chosen or (member is not None and member.kind == MemberKind.CITIZEN)
        if not keep and row.status == AttendanceStatus.INVITED:
            db.session.delete(row)
    for member_id in chosen:
        if member_id not in rows:
            db.session.add(Attendance(meeting_id=meeting.id, member_id=member_id, status=AttendanceStatus.INVITED))
    if not any(m.kind == MemberKind.CITIZEN for m in [*members.values(), *chosen.values()]):
        invite_citizen(meeting)
    db.session.flush()
    return meeting


@dataclass(frozen=True)
class ParticipantCheck:
    """How many people are invited besides the citizen, against how many the citizen can manage."""

    count: int
    limit: int | None

    @property
    def too_many(self) -> bool:
        return self.limit is not None and self.count > self.limit


def participant_check(meeting: Meeting) -> ParticipantCheck:
    """Count the people invited besides the citizen and compare with the citizen's limit (a warning, never a block)."""
    count = db.session.scalar(
        db.select(db.func.count(Attendance.id))
        .join(NetworkMember, Attendance.member_id == NetworkMember.id)
        .where(Attendance.meeting_id == meeting.id, NetworkMember.kind != MemberKind.CITIZEN)
    )
    return ParticipantCheck(int(count or 0), meeting.course.max_participants)


def tovholders(course_id: int) -> list[User]:
    """Return the course's tovholders (the people an invitee can contact)."""
    return list(
        db.session.scalars(
            db.select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(RoleAssignment.course_id == course_id, RoleAssignment.role == Role.TOVHOLDER)
            .order_by(User.display_name)
        )
    )
