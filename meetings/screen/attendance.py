"""Who came, who sent word, and who has been heard."""

from __future__ import annotations

from dataclasses import dataclass

from extensions import db
from meetings.models import Attendance, AttendanceStatus, Meeting, MemberKind, NetworkMember, Phase
from meetings.screen.phases import VOICE_PHASES, MeetingClosed


def _order(member: NetworkMember) -> tuple[float, int]:
    # The citizen first, then the proxy they chose, then private network, professionals, team.
    return member.network_order(proxy_first=True)


def attendance(meeting: Meeting) -> list[Attendance]:
    """Return the meeting's attendance rows, the citizen first."""
    rows = db.session.scalars(
        db.select(Attendance).where(Attendance.meeting_id == meeting.id).options(db.joinedload(Attendance.member))
    ).all()
    return sorted(rows, key=lambda a: _order(a.member))


def roster(
    meeting: Meeting, rows: list[Attendance] | None = None, members: list[NetworkMember] | None = None
) -> list[tuple[NetworkMember, Attendance | None]]:
    """Return every current network member (not the team) with their attendance row, if any.

    `rows` and `members` may be passed when the caller has loaded them already.
    """
    by_member = {a.member_id: a for a in (rows if rows is not None else attendance(meeting))}
    if members is None:
        members = db.session.scalars(
            db.select(NetworkMember).where(NetworkMember.course_id == meeting.course_id, NetworkMember.removed_at.is_(None))
        ).all()
    network = [m for m in members if m.kind != MemberKind.TEAM and m.removed_at is None]
    return [(m, by_member.get(m.id)) for m in sorted(network, key=_order)]


def set_status(meeting: Meeting, member_id: int, status: AttendanceStatus) -> Attendance:
    """Record whether a network member came, sent word or stayed away."""
    if meeting.closed_at is not None:
        raise MeetingClosed
    member = db.session.get(NetworkMember, member_id)
    if member is None or member.course_id != meeting.course_id:
        raise ValueError("not a member of this course")
    row = db.session.scalar(db.select(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.member_id == member_id))
    if row is None:
        row = Attendance(meeting_id=meeting.id, member_id=member_id)
        db.session.add(row)
    row.status = status
    db.session.flush()
    return row


def add_unannounced(meeting: Meeting, name: str, relation: str, kind: MemberKind) -> Attendance:
    """Add someone who turned up without an invitation as a new network member, present."""
    if meeting.closed_at is not None:
        raise MeetingClosed
    if kind not in (MemberKind.PRIVATE, MemberKind.PROFESSIONAL):
        raise ValueError("kind")
    member = NetworkMember(course_id=meeting.course_id, kind=kind, name=name.strip(), relation=relation.strip())
    db.session.add(member)
    db.session.flush()
    row = Attendance(meeting_id=meeting.id, member_id=member.id, status=AttendanceStatus.PRESENT, unannounced=True)
    db.session.add(row)
    db.session.flush()
    return row


@dataclass(frozen=True)
class Voice:
    member: NetworkMember
    spoken: bool


def voices(meeting: Meeting, phase: Phase | None = None, rows: list[Attendance] | None = None) -> list[Voice]:
    """Return everyone present with whether they have been heard in this (voice) phase, the citizen first."""
    phase = phase or meeting.phase
    rows = rows if rows is not None else attendance(meeting)
    if phase not in VOICE_PHASES:
        phase = Phase.DIALOGUE
    flag = "spoke_in_dialogue" if phase == Phase.DIALOGUE else "spoke_in_response"
    return [Voice(a.member, getattr(a, flag)) for a in rows if a.status == AttendanceStatus.PRESENT]


def mark_spoken(meeting: Meeting, member_id: int, phase: Phase, spoken: bool) -> None:
    """Tick (or untick) that a person present has been heard in Dialogue or Response."""
    if meeting.closed_at is not None:
        raise MeetingClosed
    if phase not in VOICE_PHASES:
        raise ValueError("phase")
    row = db.session.scalar(db.select(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.member_id == member_id))
    if row is None or row.status != AttendanceStatus.PRESENT:
        raise ValueError("not present")
    if phase == Phase.DIALOGUE:
        row.spoke_in_dialogue = spoken
    else:
        row.spoke_in_response = spoken
    db.session.flush()
