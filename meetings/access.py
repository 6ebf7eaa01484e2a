"""How the meetings area's URL ids lead to a course, for the deny-by-default check in roles/access.py.

roles/ knows nothing of meetings: this module registers the course model and a finder per
URL argument (`course_of`), in the order the check tries them.
"""

from __future__ import annotations

from extensions import db
from meetings.models import Agreement, Course, Meeting, NetworkMember, Note
from roles.access import course_of, courses_are, via

courses_are(Course)
course_of("meeting_id")(via(Meeting))
course_of("agreement_id")(via(Agreement))
course_of("member_id")(via(NetworkMember))


@course_of("note_id")
def _note_course(note_id: int) -> int | None:
    """Find a note's course through its meeting."""
    note = db.session.get(Note, note_id)
    return note.meeting.course_id if note is not None else None
