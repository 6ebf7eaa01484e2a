"""The meeting domain's tables: citizens, courses, networks, meetings, notes, agreements, consent, feedback.

One module for all of them: their relationships point at each other in every direction
(an agreement names a meeting, a goal and a network member), so splitting them by
sub-package would make the sub-packages import each other both ways.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from kernel.clock import utcnow
from kernel.enums import IDS_NEVER_REUSED, enum_column
from meetings.enums import (
    AgreementStatus,
    AttendanceStatus,
    Closeness,
    ConsentScope,
    GoalKind,
    Language,
    MeetingKind,
    MemberKind,
    NoteKind,
    Phase,
    ReviewOutcome,
)

__all__ = [
    "AgreementStatus",
    "AttendanceStatus",
    "Closeness",
    "ConsentScope",
    "GoalKind",
    "Language",
    "MeetingKind",
    "MemberKind",
    "NoteKind",
    "Phase",
    "ReviewOutcome",
    "Citizen",
    "Course",
    "NetworkMember",
    "Meeting",
    "Attendance",
    "Note",
    "Goal",
    "Agreement",
    "AgreementReview",
    "Consent",
    "ConsentCheck",
    "FollowUp",
    "SessionRating",
    "InspireResponse",
]


class Citizen(db.Model):
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The name the citizen wants to be called; also used in the summary's file name.
    preferred_name: Mapped[str] = mapped_column(String(120))
    full_name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[Language] = mapped_column(enum_column(Language), default=Language.DA)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    courses: Mapped[list[Course]] = relationship(back_populates="citizen", cascade="all, delete-orphan", passive_deletes=True)


class Course(db.Model):
    """A forløb: one citizen's series of network meetings with one network team."""

    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizen.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    started_on: Mapped[date] = mapped_column(Date, default=date.today)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    end_note: Mapped[str | None] = mapped_column(Text)
    #: How many people the citizen can manage in one meeting (a gentle warning, never a block).
    max_participants: Mapped[int | None] = mapped_column(Integer)
    #: The citizen wants their INSPIRE chart in the summary.
    chart_in_summary: Mapped[bool] = mapped_column(Boolean, default=False)

    citizen: Mapped[Citizen] = relationship(back_populates="courses")
    # Children go with their parent; the database's ON DELETE CASCADE does the work.
    members: Mapped[list[NetworkMember]] = relationship(
        back_populates="course", order_by="NetworkMember.id", cascade="all, delete-orphan", passive_deletes=True
    )
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="course", order_by="Meeting.planned_at", cascade="all, delete-orphan", passive_deletes=True
    )
    goals: Mapped[list[Goal]] = relationship(back_populates="course", order_by="Goal.id", cascade="all, delete-orphan", passive_deletes=True)


#: The order of the parts of a network, wherever people are listed.
KIND_ORDER = {MemberKind.CITIZEN: 0, MemberKind.PRIVATE: 1, MemberKind.PROFESSIONAL: 2, MemberKind.TEAM: 3}


class NetworkMember(db.Model):
    """Someone in the citizen's network: the citizen, family, friends, professionals, the team."""

    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MemberKind] = mapped_column(enum_column(MemberKind))
    name: Mapped[str] = mapped_column(String(200))
    #: How they know the citizen, in plain words: "mor", "bostøttemedarbejder".
    relation: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str | None] = mapped_column(String(200))
    #: What they may decide on behalf of their organisation.
    mandate: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(300))
    closeness: Mapped[Closeness] = mapped_column(enum_column(Closeness), default=Closeness.MIDDLE)
    #: Set for members of the network team who log in to Rundbord.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: The one person the citizen chose to speak for them (stedfortræder), if any.
    is_proxy: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[Language] = mapped_column(enum_column(Language), default=Language.DA)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)

    course: Mapped[Course] = relationship(back_populates="members")

    def network_order(self, *, proxy_first: bool = False) -> tuple[float, int]:
        """Return the sort key of the one network order: the citizen, private network, professionals, the team.

        With `proxy_first`, the person the citizen chose to speak for them comes right after the citizen.
        """
        if proxy_first and self.is_proxy and self.kind != MemberKind.CITIZEN:
            return (0.5, self.id)
        return (KIND_ORDER[self.kind], self.id)


class Meeting(db.Model):
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind), default=MeetingKind.REGULAR)
    planned_at: Mapped[datetime] = mapped_column(DateTime)
    location: Mapped[str] = mapped_column(String(200), default="")
    theme: Mapped[str] = mapped_column(Text, default="")
    #: What the citizen wants to talk about, in their words (from the pre-meeting or the opening).
    citizen_topics: Mapped[str] = mapped_column(Text, default="")
    phase: Mapped[Phase] = mapped_column(enum_column(Phase), default=Phase.OPENING)
    phase_started_at: Mapped[datetime | None] = mapped_column(DateTime)
    planned_minutes: Mapped[int] = mapped_column(Integer, default=90)
    #: Minutes the leader planned for single phases ({"dialogue": 40}); the others take
    #: their usual share of planned_minutes. Always replaced whole, never changed in place.
    phase_minutes: Mapped[dict[str, int] | None] = mapped_column(JSON)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    summary_given_at: Mapped[datetime | None] = mapped_column(DateTime)
    summary_given_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: The pre-meeting with the citizen before this meeting (when, and what was said about it).
    pre_meeting_at: Mapped[datetime | None] = mapped_column(DateTime)
    pre_meeting_note: Mapped[str] = mapped_column(Text, default="")
    #: Set when the meeting was started as the rapid response to a crisis.
    requested_at: Mapped[datetime | None] = mapped_column(DateTime)

    course: Mapped[Course] = relationship(back_populates="meetings")
    attendance: Mapped[list[Attendance]] = relationship(
        back_populates="meeting", order_by="Attendance.id", cascade="all, delete-orphan", passive_deletes=True
    )
    notes: Mapped[list[Note]] = relationship(back_populates="meeting", order_by="Note.id", cascade="all, delete-orphan", passive_deletes=True)

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None and self.closed_at is None


class Attendance(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("network_member.id", ondelete="CASCADE"))
    status: Mapped[AttendanceStatus] = mapped_column(enum_column(AttendanceStatus), default=AttendanceStatus.INVITED)
    #: Ticked by the meeting leader when this person has been heard in the phase.
    spoke_in_dialogue: Mapped[bool] = mapped_column(Boolean, default=False)
    spoke_in_response: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Set when the person turned up without being invited.
    unannounced: Mapped[bool] = mapped_column(Boolean, default=False)

    meeting: Mapped[Meeting] = relationship(back_populates="attendance")
    member: Mapped[NetworkMember] = relationship()

    __table_args__ = (db.UniqueConstraint("meeting_id", "member_id"),)


class Note(db.Model):
    """What someone said or what a reflectant noticed, as written down during the meeting."""

    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    #: Made by the device that first wrote the note, so a retried save never makes a second note.
    client_uid: Mapped[str] = mapped_column(String(64), unique=True)
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("network_member.id", ondelete="SET NULL"))
    kind: Mapped[NoteKind] = mapped_column(enum_column(NoteKind), default=NoteKind.OWN_WORDS)
    phase: Mapped[Phase] = mapped_column(enum_column(Phase))
    text: Mapped[str] = mapped_column(Text)
    include_in_summary: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Bumped on every saved change; another device's save based on an older version is a conflict.
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: The device that saved last and its running save number: a late or repeated save
    #: from that device (number not higher) never overwrites what it already sent.
    last_device: Mapped[str] = mapped_column(String(64), default="")
    #: Devices number their saves by the clock in milliseconds: more than 32 bits.
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)

    meeting: Mapped[Meeting] = relationship(back_populates="notes")
    speaker: Mapped[NetworkMember | None] = relationship()


class Goal(db.Model):
    """The citizen's own goals, hopes and dreams; never required."""

    __table_args__ = IDS_NEVER_REUSED  # pages name goals by id (migration 0007)
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    kind: Mapped[GoalKind] = mapped_column(enum_column(GoalKind), default=GoalKind.GOAL)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    course: Mapped[Course] = relationship(back_populates="goals")


class Agreement(db.Model):
    """Who does what by when, agreed at the close of a meeting."""

    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    origin_meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    #: Any network member, the citizen included; may be empty while drafting, never at the close.
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("network_member.id", ondelete="SET NULL"))
    due_on: Mapped[date | None] = mapped_column(Date)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id", ondelete="SET NULL"))
    #: Follows the latest review: done and dropped end it, anything else carries it on.
    status: Mapped[AgreementStatus] = mapped_column(enum_column(AgreementStatus), default=AgreementStatus.OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    origin_meeting: Mapped[Meeting] = relationship()
    responsible: Mapped[NetworkMember | None] = relationship()
    goal: Mapped[Goal | None] = relationship()
    reviews: Mapped[list[AgreementReview]] = relationship(
        back_populates="agreement", order_by="AgreementReview.id", cascade="all, delete-orphan", passive_deletes=True
    )
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="agreement", order_by="FollowUp.contacted_on", cascade="all, delete-orphan", passive_deletes=True
    )

    def overdue_on(self, today: date) -> bool:
        """Return whether the agreement is overdue on `today` (a local date): still open and past its due date."""
        return self.status == AgreementStatus.OPEN and self.due_on is not None and self.due_on < today


class AgreementReview(db.Model):
    """How an agreement went, as told at the start of a later meeting."""

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[ReviewOutcome] = mapped_column(enum_column(ReviewOutcome))
    comment: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    agreement: Mapped[Agreement] = relationship(back_populates="reviews")

    __table_args__ = (db.UniqueConstraint("agreement_id", "meeting_id"),)


class Consent(db.Model):
    """What the citizen agrees may be shared with one network member, and when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("network_member.id", ondelete="CASCADE"), index=True)
    scope: Mapped[ConsentScope] = mapped_column(enum_column(ConsentScope))
    #: Under which circumstances, in plain words: "always", "on admission".
    circumstances: Mapped[str] = mapped_column(Text, default="")
    given_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    member: Mapped[NetworkMember] = relationship()


class ConsentCheck(db.Model):
    """A person checked that a consent's circumstance ("on admission") applies, for one meeting's summary."""

    id: Mapped[int] = mapped_column(primary_key=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("consent.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    checked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (db.UniqueConstraint("consent_id", "meeting_id"),)


class FollowUp(db.Model):
    """A contact the tovholder made about an agreement between meetings."""

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    #: When the contact happened (may be earlier than when it was written down).
    contacted_on: Mapped[date] = mapped_column(Date, default=date.today)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    agreement: Mapped[Agreement] = relationship(back_populates="follow_ups")


class SessionRating(db.Model):
    """'How was this meeting for you?' on a simple scale, from the citizen or another member."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("network_member.id", ondelete="CASCADE"))
    #: 1 (bad) to 5 (good).
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    member: Mapped[NetworkMember] = relationship()

    __table_args__ = (db.UniqueConstraint("meeting_id", "member_id"),)


class InspireResponse(db.Model):
    """Brief INSPIRE: five CHIME questions, each 0 (not at all) to 4 (very much) or skipped (None)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    #: The meeting it was answered at, if any (it can be answered between meetings too).
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    connectedness: Mapped[int | None] = mapped_column(Integer)
    hope: Mapped[int | None] = mapped_column(Integer)
    identity: Mapped[int | None] = mapped_column(Integer)
    meaning: Mapped[int | None] = mapped_column(Integer)
    empowerment: Mapped[int | None] = mapped_column(Integer)
