"""Business rules for courses, networks and meetings, as plain functions."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from datetime import datetime

from extensions import db
from meetings.models import (
    Agreement,
    AgreementStatus,
    Citizen,
    Closeness,
    Course,
    Language,
    Meeting,
    MeetingKind,
    MemberKind,
    NetworkMember,
    Note,
)
from meetings.notes import meeting_notes  # noqa: F401  (part of this module's interface)

# --- courses and networks ---------------------------------------------------


def create_course(preferred_name: str, language: Language = Language.DA, title: str = "", full_name: str | None = None) -> Course:
    """Create a citizen and their course; the citizen is the first member of the network."""
    citizen = Citizen(preferred_name=preferred_name.strip(), full_name=full_name, language=language)
    course = Course(citizen=citizen, title=title)
    db.session.add(course)
    db.session.flush()
    db.session.add(
        NetworkMember(course_id=course.id, kind=MemberKind.CITIZEN, name=citizen.preferred_name, relation="", language=language, closeness=Closeness.CLOSE)
    )
    db.session.flush()
    return course


def add_member(
    course: Course,
    *,
    kind: MemberKind,
    name: str,
    relation: str = "",
    organisation: str | None = None,
    mandate: str | None = None,
    contact: str | None = None,
    closeness: Closeness = Closeness.MIDDLE,
    language: Language = Language.DA,
) -> NetworkMember:
    """Add someone to the citizen's network."""
    member = NetworkMember(
        course_id=course.id,
        kind=kind,
        name=name.strip(),
        relation=relation.strip(),
        organisation=(organisation or "").strip() or None,
        mandate=(mandate or "").strip() or None,
        contact=(contact or "").strip() or None,
        closeness=closeness,
        language=language,
    )
    db.session.add(member)
    db.session.flush()
    return member


def set_proxy(course: Course, member: NetworkMember | None) -> None:
    """Record the person the citizen chose to speak for them (or none)."""
    if member is not None and member.course_id != course.id:
        raise ValueError("the proxy must belong to the citizen's own network")
    # At most one proxy per course: clear the old one first.
    db.session.execute(
        db.update(NetworkMember).where(NetworkMember.course_id == course.id).values(is_proxy=False)
    )
    if member is not None:
        member.is_proxy = True
    db.session.flush()


def network(course_id: int) -> list[NetworkMember]:
    """Return the course's current network: the citizen first, then private, professional, team."""
    order = {MemberKind.CITIZEN: 0, MemberKind.PRIVATE: 1, MemberKind.PROFESSIONAL: 2, MemberKind.TEAM: 3}
    members = db.session.scalars(
        db.select(NetworkMember).where(NetworkMember.course_id == course_id, NetworkMember.removed_at.is_(None))
    ).all()
    return sorted(members, key=lambda m: (order[m.kind], m.id))


def citizen_member(course_id: int) -> NetworkMember:
    """Return the network member that is the citizen."""
    return db.session.scalars(
        db.select(NetworkMember).where(NetworkMember.course_id == course_id, NetworkMember.kind == MemberKind.CITIZEN)
    ).one()


# --- meetings --------------------------------------------------------------


def plan_meeting(
    course: Course, planned_at: datetime, *, kind: MeetingKind = MeetingKind.REGULAR, location: str = "", theme: str = ""
) -> Meeting:
    """Plan a network meeting of the course."""
    meeting = Meeting(course_id=course.id, planned_at=planned_at, kind=kind, location=location, theme=theme)
    db.session.add(meeting)
    db.session.flush()
    return meeting


@dataclass(frozen=True)
class CourseOverview:
    course: Course
    members: list[NetworkMember]
    upcoming: list[Meeting]
    past: list[Meeting]
    open_agreements: list[Agreement]


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
        members=network(course_id),
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


# --- the meeting screen -------------------------------------------------------


class MeetingScreen:
    """What the meeting leader's and the reflectant's screens show.

    Each part is loaded when a template first asks for it, so an htmx fragment costs only
    the queries of what it shows, and the whole page a fixed number regardless of data size.
    """

    def __init__(self, meeting_id: int, now: datetime):
        from meetings import phases

        self.now = now
        self.meeting: Meeting = db.session.scalars(
            db.select(Meeting).where(Meeting.id == meeting_id).options(db.joinedload(Meeting.course).joinedload(Course.citizen))
        ).one()
        self.phases = phases.phases_for(self.meeting)
        self.previous_phase, self.next_phase = phases.neighbours(self.meeting)
        self.prompt = phases.PROMPTS[self.meeting.phase]
        self.clock = phases.clock(self.meeting, now)

    @cached_property
    def _attendance(self):
        from meetings import attendance

        return attendance.attendance(self.meeting)

    @cached_property
    def members(self) -> list[NetworkMember]:
        return network(self.meeting.course_id)

    @cached_property
    def roster(self):
        from meetings import attendance

        return attendance.roster(self.meeting, rows=self._attendance, members=self.members)

    @cached_property
    def voices(self):
        from meetings import attendance

        return attendance.voices(self.meeting, rows=self._attendance)

    @cached_property
    def review(self):
        from meetings import agreements

        return agreements.to_review(self.meeting)

    @cached_property
    def replies(self) -> dict:
        """The newest answer by reply link for each agreement under review, offered beside it (one query)."""
        from meetings.outreach.replies import latest_replies

        return latest_replies(item.agreement.id for item in self.review)

    @cached_property
    def last_words(self) -> list[Note]:
        from meetings import agreements

        return agreements.citizen_words_last_time(self.meeting)

    @cached_property
    def agreements(self):
        from meetings import agreements

        return agreements.made_at(self.meeting.id)

    @cached_property
    def goals(self):
        return list(self.meeting.course.goals)

    @cached_property
    def next_meeting(self) -> Meeting | None:
        from meetings import agreements

        return agreements.next_meeting(self.meeting)

    @cached_property
    def notes(self) -> list[Note]:
        from meetings import notes

        return notes.meeting_notes(self.meeting.id)

    @property
    def notes_stamp(self) -> str:
        """The same tag as notes.notes_stamp, from the notes already loaded."""
        from meetings import notes

        return notes.stamp_of(len(self.notes), max((n.updated_at for n in self.notes), default=None))


def meeting_screen(meeting_id: int, now: datetime) -> MeetingScreen:
    """Return the meeting screen's state; its parts load when first shown."""
    return MeetingScreen(meeting_id, now)
