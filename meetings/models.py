"""The meeting domain: citizens, courses, networks, meetings, notes, agreements."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from meetings.clock import utcnow


def _enum(cls: type[enum.Enum]) -> Enum:
    # Store the lower-case value, not the Python name, and no native PG enum:
    # adding a member later is then a code change, not a type migration.
    return Enum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False, length=20)


class TitledEnum(str, enum.Enum):
    """An enum whose members carry a lazily translated display title."""

    @property
    def title(self):
        """Return the display title, translated when it is rendered."""
        return self.__titles__[self]  # type: ignore[attr-defined]


class Language(TitledEnum):
    DA = "da"
    EN = "en"


Language.__titles__ = {Language.DA: "Dansk", Language.EN: "English"}


class Phase(TitledEnum):
    OPENING = "opening"
    SINCE_LAST = "since_last"
    DIALOGUE = "dialogue"
    REFLECTION = "reflection"
    RESPONSE = "response"
    CLOSING = "closing"


Phase.__titles__ = {
    Phase.OPENING: lazy_pgettext("phase", "Opening"),
    Phase.SINCE_LAST: lazy_pgettext("phase", "Since last time"),
    Phase.DIALOGUE: lazy_pgettext("phase", "Dialogue"),
    Phase.REFLECTION: lazy_pgettext("phase", "Reflection"),
    Phase.RESPONSE: lazy_pgettext("phase", "Response"),
    Phase.CLOSING: lazy_pgettext("phase", "Closing"),
}


class MeetingKind(TitledEnum):
    REGULAR = "regular"
    ACUTE = "acute"


MeetingKind.__titles__ = {MeetingKind.REGULAR: _l("Regular meeting"), MeetingKind.ACUTE: _l("Acute meeting")}


class MemberKind(TitledEnum):
    CITIZEN = "citizen"
    PRIVATE = "private"
    PROFESSIONAL = "professional"
    TEAM = "team"


MemberKind.__titles__ = {
    MemberKind.CITIZEN: _l("Citizen"),
    MemberKind.PRIVATE: _l("Private network"),
    MemberKind.PROFESSIONAL: _l("Professional"),
    MemberKind.TEAM: _l("Network team"),
}


class Closeness(TitledEnum):
    CLOSE = "close"
    MIDDLE = "middle"
    DISTANT = "distant"


Closeness.__titles__ = {Closeness.CLOSE: _l("Close"), Closeness.MIDDLE: _l("In between"), Closeness.DISTANT: _l("Further away")}


class AttendanceStatus(TitledEnum):
    INVITED = "invited"
    PRESENT = "present"
    SENT_WORD = "sent_word"
    ABSENT = "absent"


AttendanceStatus.__titles__ = {
    AttendanceStatus.INVITED: _l("Invited"),
    AttendanceStatus.PRESENT: _l("Present"),
    AttendanceStatus.SENT_WORD: _l("Sent word"),
    AttendanceStatus.ABSENT: _l("Absent"),
}


class NoteKind(TitledEnum):
    OWN_WORDS = "own_words"
    REFLECTION = "reflection"
    OBSERVATION = "observation"


NoteKind.__titles__ = {
    NoteKind.OWN_WORDS: _l("Own words"),
    NoteKind.REFLECTION: _l("Reflection"),
    NoteKind.OBSERVATION: _l("Observation"),
}


class AgreementStatus(TitledEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


AgreementStatus.__titles__ = {
    AgreementStatus.OPEN: _l("Open"),
    AgreementStatus.DONE: _l("Done"),
    AgreementStatus.DROPPED: _l("Dropped"),
}


class ReviewOutcome(TitledEnum):
    DONE = "done"
    PARTLY = "partly"
    NOT_DONE = "not_done"
    DROPPED = "dropped"


ReviewOutcome.__titles__ = {
    ReviewOutcome.DONE: _l("Done"),
    ReviewOutcome.PARTLY: _l("Partly done"),
    ReviewOutcome.NOT_DONE: _l("Not done"),
    ReviewOutcome.DROPPED: _l("Dropped"),
}


class GoalKind(TitledEnum):
    GOAL = "goal"
    HOPE = "hope"
    DREAM = "dream"


GoalKind.__titles__ = {GoalKind.GOAL: _l("Goal"), GoalKind.HOPE: _l("Hope"), GoalKind.DREAM: _l("Dream")}


class ConsentScope(TitledEnum):
    SUMMARY = "summary"
    AGREEMENTS = "agreements"
    NOTES = "notes"


ConsentScope.__titles__ = {
    ConsentScope.SUMMARY: _l("The summary"),
    ConsentScope.AGREEMENTS: _l("Agreements"),
    ConsentScope.NOTES: _l("Notes"),
}


#: `__table_args__` of every table whose id outlives its row: in the audit trail (citizen,
#: course, meeting), in URLs that other tablets still have open and that the access check
#: resolves to a course (course, meeting, agreement, network member, note), in a device's
#: outbox and drafts (meeting), in calendar UIDs (meeting), in session cookies (user).
#: SQLite then never hands such an id out again (AUTOINCREMENT; without it the highest id is
#: reused after that row is erased). PostgreSQL's sequences never reuse an id; the option is
#: ignored there. Migration 0005 rebuilt these tables so (0007: goal; 0011 created the messages,
#: reply links and replies of meetings/outreach/models.py so).
IDS_NEVER_REUSED = {"sqlite_autoincrement": True}


class Citizen(db.Model):
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The name the citizen wants to be called; also used in the summary's file name.
    preferred_name: Mapped[str] = mapped_column(String(120))
    full_name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[Language] = mapped_column(_enum(Language), default=Language.DA)
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


class NetworkMember(db.Model):
    """Someone in the citizen's network: the citizen, family, friends, professionals, the team."""

    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MemberKind] = mapped_column(_enum(MemberKind))
    name: Mapped[str] = mapped_column(String(200))
    #: How they know the citizen, in plain words: "mor", "bostøttemedarbejder".
    relation: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str | None] = mapped_column(String(200))
    #: What they may decide on behalf of their organisation.
    mandate: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(300))
    closeness: Mapped[Closeness] = mapped_column(_enum(Closeness), default=Closeness.MIDDLE)
    #: Set for members of the network team who log in to Rundbord.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: The one person the citizen chose to speak for them (stedfortræder), if any.
    is_proxy: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[Language] = mapped_column(_enum(Language), default=Language.DA)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)

    course: Mapped[Course] = relationship(back_populates="members")


class Meeting(db.Model):
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MeetingKind] = mapped_column(_enum(MeetingKind), default=MeetingKind.REGULAR)
    planned_at: Mapped[datetime] = mapped_column(DateTime)
    location: Mapped[str] = mapped_column(String(200), default="")
    theme: Mapped[str] = mapped_column(Text, default="")
    #: What the citizen wants to talk about, in their words (from the pre-meeting or the opening).
    citizen_topics: Mapped[str] = mapped_column(Text, default="")
    phase: Mapped[Phase] = mapped_column(_enum(Phase), default=Phase.OPENING)
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
    status: Mapped[AttendanceStatus] = mapped_column(_enum(AttendanceStatus), default=AttendanceStatus.INVITED)
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
    kind: Mapped[NoteKind] = mapped_column(_enum(NoteKind), default=NoteKind.OWN_WORDS)
    phase: Mapped[Phase] = mapped_column(_enum(Phase))
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
    kind: Mapped[GoalKind] = mapped_column(_enum(GoalKind), default=GoalKind.GOAL)
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
    status: Mapped[AgreementStatus] = mapped_column(_enum(AgreementStatus), default=AgreementStatus.OPEN, index=True)
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


class AgreementReview(db.Model):
    """How an agreement went, as told at the start of a later meeting."""

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[ReviewOutcome] = mapped_column(_enum(ReviewOutcome))
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
    scope: Mapped[ConsentScope] = mapped_column(_enum(ConsentScope))
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
