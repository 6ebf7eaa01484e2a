"""The reflectant's notes: saving that never loses, never duplicates, never silently overwrites.

Every note is named by the device that first wrote it (``client_uid``), so a retried save
finds the note it already made. Every save carries the device id and a running number;
a save from the same device with a number not higher than the last one applied is late
or repeated and changes nothing. A save from *another* device that was based on an older
version of the note is a conflict: both texts are shown, and a person decides.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from extensions import db
from kernel.clock import utcnow
from kernel.input import too_long_message
from kernel.refusal import Refusal
from meetings.models import Meeting, MemberKind, NetworkMember, Note, NoteKind
from meetings.screen.phases import MeetingClosed

MAX_NOTE_LENGTH = 100_000


class SaveOutcome(str, enum.Enum):
    CREATED = "created"
    SAVED = "saved"
    #: A late or repeated save: nothing changed, the newer text stays.
    STALE = "stale"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class NoteDraft:
    """What a device sends when it saves a note."""

    client_uid: str
    text: str
    speaker_id: int | None
    kind: NoteKind
    device: str
    seq: int
    #: The version of the note the device last saw (0 for a note it has never had confirmed).
    base_version: int = 0
    include_in_summary: bool = True


@dataclass(frozen=True)
class SaveResult:
    outcome: SaveOutcome
    note: Note


class InvalidNote(Refusal):
    """The note cannot be saved as sent (unknown speaker, too long, NUL, a garbled save); the device keeps it."""


_UNREADABLE = _l("The note could not be saved. It is kept on this device.")


def _check(meeting: Meeting, draft: NoteDraft) -> None:
    if meeting.closed_at is not None:
        raise MeetingClosed
    if not draft.client_uid or len(draft.client_uid) > 64 or not draft.device or len(draft.device) > 64:
        raise InvalidNote(_UNREADABLE, field="client_uid")
    if not 0 <= draft.seq < 2**62 or not 0 <= draft.base_version < 2**31:
        raise InvalidNote(_UNREADABLE, field="seq")
    if len(draft.text) > MAX_NOTE_LENGTH:
        raise InvalidNote(too_long_message(len(draft.text) - MAX_NOTE_LENGTH, MAX_NOTE_LENGTH), field="text")
    if "\x00" in draft.text:
        # PostgreSQL cannot store NUL in text; refuse it the same way everywhere (the device keeps the note).
        raise InvalidNote(_l("The note contains an invisible control character (NUL) that cannot be saved. Remove it and save again."), field="text")
    if draft.speaker_id is not None:
        speaker = db.session.get(NetworkMember, draft.speaker_id)
        if speaker is None or speaker.course_id != meeting.course_id:
            raise InvalidNote(_l("Choose a speaker from the citizen's network."), field="speaker_id")


def save_note(meeting: Meeting, draft: NoteDraft, author_id: int | None, now: datetime) -> SaveResult:
    """Create or update a note from a device's save; decide created / saved / stale / conflict."""
    _check(meeting, draft)
    note = db.session.scalar(db.select(Note).where(Note.client_uid == draft.client_uid).with_for_update())
    if note is None:
        note = Note(
            meeting_id=meeting.id,
            client_uid=draft.client_uid,
            speaker_id=draft.speaker_id,
            kind=draft.kind,
            phase=meeting.phase,
            text=draft.text,
            include_in_summary=draft.include_in_summary,
            version=1,
            last_device=draft.device,
            last_seq=draft.seq,
            author_id=author_id,
            created_at=now,
            updated_at=now,
        )
        db.session.add(note)
        db.session.flush()
        return SaveResult(SaveOutcome.CREATED, note)
    if note.meeting_id != meeting.id:
        raise InvalidNote("meeting")
    same_device = note.last_device == draft.device
    if same_device and draft.seq <= note.last_seq:
        return SaveResult(SaveOutcome.STALE, note)
    if not same_device and draft.base_version != note.version:
        if (note.text, note.speaker_id, note.kind) == (draft.text, draft.speaker_id, draft.kind):
            # Both devices wrote the same thing: nothing to choose between.
            return SaveResult(SaveOutcome.STALE, note)
        return SaveResult(SaveOutcome.CONFLICT, note)
    changed = (note.text, note.speaker_id, note.kind) != (draft.text, draft.speaker_id, draft.kind)
    note.text = draft.text
    note.speaker_id = draft.speaker_id
    note.kind = draft.kind
    note.last_device = draft.device
    note.last_seq = draft.seq
    note.deleted_at = None
    if changed:
        note.version += 1
        note.updated_at = now
    db.session.flush()
    return SaveResult(SaveOutcome.SAVED, note)


def set_in_summary(note: Note, include: bool) -> None:
    """Mark a note as for the summary or not."""
    if note.meeting.closed_at is not None:
        raise MeetingClosed
    note.include_in_summary = include
    note.updated_at = utcnow()
    db.session.flush()


def delete_note(note: Note, now: datetime) -> None:
    """Delete a note so that it can still be undone."""
    if note.meeting.closed_at is not None:
        raise MeetingClosed
    note.deleted_at = now
    note.updated_at = now
    db.session.flush()


def restore_note(note: Note) -> None:
    """Undo deleting a note."""
    if note.meeting.closed_at is not None:
        raise MeetingClosed
    note.deleted_at = None
    note.updated_at = utcnow()
    db.session.flush()


def meeting_notes(meeting_id) -> list[Note]:
    """Return the meeting's notes that are not deleted, in the order they were written."""
    return list(
        db.session.scalars(
            db.select(Note)
            .where(Note.meeting_id == meeting_id, Note.deleted_at.is_(None))
            .options(db.joinedload(Note.speaker))
            .order_by(Note.created_at, Note.id)
        )
    )


def notes_stamp(meeting_id: int) -> str:
    """A tag that changes whenever the meeting's list of notes changes.

    Every change to a note moves its updated_at to now, and deleting one changes the
    count, so (count, newest change) of the notes shown is enough. Other devices poll
    with it and get 304 while nothing has changed.
    """
    count, newest = db.session.execute(
        db.select(func.count(Note.id), func.max(Note.updated_at)).where(Note.meeting_id == meeting_id, Note.deleted_at.is_(None))
    ).one()
    return stamp_of(count, newest)


def stamp_of(count: int, newest: datetime | None) -> str:
    return f"{count}-{newest.isoformat() if newest else 'none'}"


def citizen_words(meeting_id) -> list[Note]:
    """Return what the citizen said in a meeting (an id or a scalar subquery), in their own words."""
    return list(
        db.session.scalars(
            db.select(Note)
            .join(NetworkMember, Note.speaker_id == NetworkMember.id)
            .where(
                Note.meeting_id == meeting_id,
                Note.deleted_at.is_(None),
                Note.kind == NoteKind.OWN_WORDS,
                NetworkMember.kind == MemberKind.CITIZEN,
            )
            .order_by(Note.created_at, Note.id)
        )
    )
