"""What the pages show about messages: the dashboard's panel, the "to send" list, one agreement's messages.

Each gathers its rows in a fixed number of queries, whatever the number of courses or messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from extensions import db
from meetings.models import Agreement, Course, Meeting, MemberKind, NetworkMember
from meetings.outreach.models import MessageAgreement, MessageKind, MessageStatus, OutgoingMessage, Reply, ReplyLink

#: Answers this recent are on the dashboard.
RECENT_REPLIES = timedelta(days=14)
#: Sent messages this recent are in the "to send" list, so the tovholder sees what went.
RECENT_SENT = timedelta(days=30)
#: A meeting closed this recently whose agreements were not sent yet is pointed out.
UNSENT_MEETINGS = timedelta(days=60)
UNDELIVERED = (MessageStatus.FAILED, MessageStatus.BOUNCED, MessageStatus.QUEUED, MessageStatus.SENDING)


@dataclass(frozen=True)
class MessageRow:
    message: OutgoingMessage
    course: Course | None
    recipient: str


@dataclass(frozen=True)
class ReplyRow:
    reply: Reply
    agreement: Agreement
    course: Course


@dataclass(frozen=True)
class UnsentMeeting:
    meeting: Meeting
    course: Course


@dataclass(frozen=True)
class Outbox:
    """The tovholder's messages across their courses."""

    letters: list[MessageRow] = field(default_factory=list)
    undelivered: list[MessageRow] = field(default_factory=list)
    sent: list[MessageRow] = field(default_factory=list)
    unsent_meetings: list[UnsentMeeting] = field(default_factory=list)
    replies: list[ReplyRow] = field(default_factory=list)

    @property
    def needs_attention(self) -> int:
        return len(self.letters) + len([r for r in self.undelivered if r.message.status != MessageStatus.SENDING]) + len(self.unsent_meetings)


def _recipient(message: OutgoingMessage) -> str:
    return message.member.name if message.member is not None else (message.to_address or "")


def outbox(course_ids: Sequence[int], now: datetime, *, with_sent: bool = True) -> Outbox:
    """Return the letters to print, the emails not delivered, what went lately, meetings whose agreements
    were not sent yet, and the latest answers, for these courses (the ones the user follows up)."""
    ids = list(course_ids)
    if not ids:
        return Outbox()
    wanted = [MessageStatus.LETTER, *UNDELIVERED]
    recent = OutgoingMessage.status.in_(wanted)
    if with_sent:
        done = OutgoingMessage.status.in_([MessageStatus.SENT, MessageStatus.PRINTED, MessageStatus.CANCELLED])
        recent = db.or_(recent, db.and_(OutgoingMessage.sent_at >= now - RECENT_SENT, done))
    messages = db.session.scalars(
        db.select(OutgoingMessage)
        .where(OutgoingMessage.course_id.in_(ids), recent)
        .options(db.joinedload(OutgoingMessage.member))
        .order_by(OutgoingMessage.created_at.desc(), OutgoingMessage.id.desc())
        .limit(500)
    ).all()
    courses = {
        c.id: c for c in db.session.scalars(db.select(Course).where(Course.id.in_(ids)).options(db.joinedload(Course.citizen)))
    }
    rows = [MessageRow(m, courses.get(m.course_id), _recipient(m)) for m in messages]
    return Outbox(
        letters=[r for r in rows if r.message.status == MessageStatus.LETTER],
        undelivered=[r for r in rows if r.message.status in UNDELIVERED],
        sent=[r for r in rows if r.message.status in (MessageStatus.SENT, MessageStatus.PRINTED, MessageStatus.CANCELLED)],
        unsent_meetings=_unsent_meetings(ids, courses, now),
        replies=_recent_replies(ids, courses, now),
    )


def _unsent_meetings(ids: list[int], courses: dict[int, Course], now: datetime) -> list[UnsentMeeting]:
    """Meetings closed lately with agreements for someone outside the team, and no message made after them."""
    sent_after = db.select(OutgoingMessage.id).where(
        OutgoingMessage.meeting_id == Meeting.id, OutgoingMessage.kind == MessageKind.AGREEMENTS
    ).exists()
    has_agreements = (
        db.select(Agreement.id)
        .join(NetworkMember, Agreement.responsible_id == NetworkMember.id)
        .where(Agreement.origin_meeting_id == Meeting.id, NetworkMember.kind != MemberKind.TEAM)
        .exists()
    )
    meetings = db.session.scalars(
        db.select(Meeting)
        .where(Meeting.course_id.in_(ids), Meeting.closed_at >= now - UNSENT_MEETINGS, has_agreements, ~sent_after)
        .order_by(Meeting.closed_at, Meeting.id)
    ).all()
    return [UnsentMeeting(m, courses[m.course_id]) for m in meetings if m.course_id in courses and courses[m.course_id].ended_at is None]


def _recent_replies(ids: list[int], courses: dict[int, Course], now: datetime) -> list[ReplyRow]:
    rows = db.session.execute(
        db.select(Reply, Agreement)
        .join(Agreement, Reply.agreement_id == Agreement.id)
        .where(Agreement.course_id.in_(ids), Reply.created_at >= now - RECENT_REPLIES)
        .options(db.joinedload(Reply.member))
        .order_by(Reply.created_at.desc(), Reply.id.desc())
    ).all()
    return [ReplyRow(reply, agreement, courses[agreement.course_id]) for reply, agreement in rows]


@dataclass(frozen=True)
class AgreementMessages:
    """What was sent about one agreement, the links it carried and what came back."""

    messages: list[OutgoingMessage]
    links: list[ReplyLink]
    replies: list[Reply]
    now: datetime

    def link_state(self, link: ReplyLink) -> str:
        """Return "revoked", "expired", "used up" or "active" (for the page)."""
        if link.revoked_at is not None:
            return "revoked"
        if link.expires_at <= self.now:
            return "expired"
        if link.uses >= link.max_uses:
            return "used_up"
        return "active"


def agreement_messages(agreement_id: int, now: datetime) -> AgreementMessages:
    """Return the messages about an agreement, its reply links and the answers, in three queries."""
    messages = db.session.scalars(
        db.select(OutgoingMessage)
        .join(MessageAgreement, MessageAgreement.message_id == OutgoingMessage.id)
        .where(MessageAgreement.agreement_id == agreement_id, OutgoingMessage.kind != MessageKind.DIGEST)
        .options(db.joinedload(OutgoingMessage.member))
        .order_by(OutgoingMessage.created_at, OutgoingMessage.id)
    ).all()
    link_rows = db.session.scalars(
        db.select(ReplyLink).where(ReplyLink.agreement_id == agreement_id).order_by(ReplyLink.created_at, ReplyLink.id)
    ).all()
    replies = db.session.scalars(
        db.select(Reply).where(Reply.agreement_id == agreement_id).options(db.joinedload(Reply.member)).order_by(Reply.created_at, Reply.id)
    ).all()
    return AgreementMessages(list(messages), list(link_rows), list(replies), now)

