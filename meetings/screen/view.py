"""The meeting screen's state: what the leader's and the reflectant's screens show."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property

from extensions import db
from meetings.course.network import current_members
from meetings.models import Course, Meeting, NetworkMember, Note
from meetings.outreach.replies import latest_replies
from meetings.screen import agreements, attendance, notes, phases


class MeetingScreen:
    """What the meeting leader's and the reflectant's screens show.

    Each part is loaded when a template first asks for it, so an htmx fragment costs only
    the queries of what it shows, and the whole page a fixed number regardless of data size.
    """

    def __init__(self, meeting_id: int, now: datetime):
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
        return attendance.attendance(self.meeting)

    @cached_property
    def members(self) -> list[NetworkMember]:
        return current_members(self.meeting.course_id)

    @cached_property
    def roster(self):
        return attendance.roster(self.meeting, rows=self._attendance, members=self.members)

    @cached_property
    def voices(self):
        return attendance.voices(self.meeting, rows=self._attendance)

    @cached_property
    def review(self):
        return agreements.to_review(self.meeting)

    @cached_property
    def replies(self) -> dict:
        """The newest answer by reply link for each agreement under review, offered beside it (one query)."""
        return latest_replies(item.agreement.id for item in self.review)

    @cached_property
    def last_words(self) -> list[Note]:
        return agreements.citizen_words_last_time(self.meeting)

    @cached_property
    def agreements(self):
        return agreements.made_at(self.meeting.id)

    @cached_property
    def goals(self):
        return list(self.meeting.course.goals)

    @cached_property
    def next_meeting(self) -> Meeting | None:
        return agreements.next_meeting(self.meeting)

    @cached_property
    def notes(self) -> list[Note]:
        return notes.meeting_notes(self.meeting.id)

    @property
    def notes_stamp(self) -> str:
        """The same tag as notes.notes_stamp, from the notes already loaded."""
        return notes.stamp_of(len(self.notes), max((n.updated_at for n in self.notes), default=None))


def meeting_screen(meeting_id: int, now: datetime) -> MeetingScreen:
    """Return the meeting screen's state; its parts load when first shown."""
    return MeetingScreen(meeting_id, now)
