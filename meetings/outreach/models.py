"""Messages to the people responsible for agreements, the links they answer by, and their answers.

The messages themselves (subject, text) are never stored: only who got what about which
agreement, when and how it went. A reply link is stored as a hash; the link itself exists only
in the message that carried it.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from kernel.clock import utcnow
from kernel.enums import IDS_NEVER_REUSED, TitledEnum, enum_column
from meetings.models import Agreement, NetworkMember


class Channel(TitledEnum):
    LETTER = "letter"
    EMAIL = "email"


Channel.__titles__ = {Channel.LETTER: _l("Printed letter"), Channel.EMAIL: _l("Email")}


class MessageKind(TitledEnum):
    #: At the close: the person's own agreements (the citizen's with the summary).
    AGREEMENTS = "agreements"
    BEFORE_DUE = "before_due"
    OVERDUE = "overdue"
    #: The weekly overview of overdue agreements, to a tovholder.
    DIGEST = "digest"


MessageKind.__titles__ = {
    MessageKind.AGREEMENTS: _l("Agreements after the meeting"),
    MessageKind.BEFORE_DUE: _l("Reminder before the date"),
    MessageKind.OVERDUE: _l("Reminder: past the date"),
    MessageKind.DIGEST: _l("Weekly overview"),
}


class MessageStatus(TitledEnum):
    QUEUED = "queued"
    #: Claimed by one sending round (so two rounds at once never send it twice).
    SENDING = "sending"
    SENT = "sent"
    #: Not delivered for a reason that may pass (server down, 4xx): tried again next round.
    FAILED = "failed"
    #: The mail server refused the address or message for good (5xx): not tried again by itself.
    BOUNCED = "bounced"
    #: Waiting in the tovholder's "to send" list to be printed.
    LETTER = "letter"
    PRINTED = "printed"
    #: Not sent after all: consent withdrawn, person removed, agreement finished (the reason is kept).
    CANCELLED = "cancelled"


MessageStatus.__titles__ = {
    MessageStatus.QUEUED: _l("Waiting to be sent"),
    MessageStatus.SENDING: _l("Being sent"),
    MessageStatus.SENT: _l("Sent"),
    MessageStatus.FAILED: _l("Not sent yet — will be tried again"),
    MessageStatus.BOUNCED: _l("Refused by the mail server"),
    MessageStatus.LETTER: _l("Letter to print"),
    MessageStatus.PRINTED: _l("Letter printed"),
    MessageStatus.CANCELLED: _l("Not sent"),
}


class ReplyAnswer(TitledEnum):
    DONE = "done"
    MORE_TIME = "more_time"
    COMMENT = "comment"


ReplyAnswer.__titles__ = {
    ReplyAnswer.DONE: _l("Done"),
    ReplyAnswer.MORE_TIME: _l("Needs more time"),
    ReplyAnswer.COMMENT: _l("A comment"),
}


class ContactPreference(db.Model):
    """How one network member wants to get agreements and reminders from Rundbord."""

    __tablename__ = "contact_preference"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("network_member.id", ondelete="CASCADE"), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    #: Email only when the person wants it and has an address; otherwise a printed letter.
    channel: Mapped[Channel] = mapped_column(enum_column(Channel), default=Channel.LETTER)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    member: Mapped[NetworkMember] = relationship()


class StaffEmail(db.Model):
    """A staff member's address for the weekly overview of their courses' overdue agreements."""

    __tablename__ = "staff_email"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class OutgoingMessage(db.Model):
    """One message Rundbord sends or prints: to whom, about what, and how it went. Never its text."""

    __tablename__ = "outgoing_message"
    # The audit trail, the "to send" list's buttons and Message-IDs name these ids.
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What makes this message the one it is (kind, agreement or meeting, person, date it is
    #: about): a second round finds it taken, so a message is never made twice.
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[MessageKind] = mapped_column(enum_column(MessageKind))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    #: The network member it goes to (or the tovholder, for the weekly overview).
    member_id: Mapped[int | None] = mapped_column(ForeignKey("network_member.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    status: Mapped[MessageStatus] = mapped_column(enum_column(MessageStatus), index=True)
    to_address: Mapped[str | None] = mapped_column(String(254))
    #: The due date the reminder was about (a later "more time" date makes a new reminder).
    about_date: Mapped[date | None] = mapped_column(Date)
    #: The same Message-ID on every attempt, so a mail program sees a repeat as one message.
    message_id_header: Mapped[str] = mapped_column(String(250))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    member: Mapped[NetworkMember | None] = relationship()
    items: Mapped[list[MessageAgreement]] = relationship(
        back_populates="message", cascade="all, delete-orphan", passive_deletes=True, order_by="MessageAgreement.agreement_id"
    )

    @property
    def agreement_ids(self) -> list[int]:
        return [i.agreement_id for i in self.items]


class MessageAgreement(db.Model):
    """An agreement a message is about."""

    __tablename__ = "message_agreement"

    message_id: Mapped[int] = mapped_column(ForeignKey("outgoing_message.id", ondelete="CASCADE"), primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True, index=True)

    message: Mapped[OutgoingMessage] = relationship(back_populates="items")
    agreement: Mapped[Agreement] = relationship()


class ReplyLink(db.Model):
    """A personal link to answer about one agreement, without an account: expiring, limited, revocable."""

    __tablename__ = "reply_link"
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the random token; the token itself is only in the message.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("network_member.id", ondelete="CASCADE"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("outgoing_message.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    #: Answers sent with it (opening the page is not a use: mail scanners open links too).
    uses: Mapped[int] = mapped_column(Integer, default=0)
    max_uses: Mapped[int] = mapped_column(Integer)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    agreement: Mapped[Agreement] = relationship()
    member: Mapped[NetworkMember] = relationship()


class Reply(db.Model):
    """What the responsible person answered by their link; also written in the follow-up log."""

    __tablename__ = "agreement_reply"
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("network_member.id", ondelete="CASCADE"))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("reply_link.id", ondelete="SET NULL"))
    answer: Mapped[ReplyAnswer] = mapped_column(enum_column(ReplyAnswer))
    #: "Need more time — until …".
    until: Mapped[date | None] = mapped_column(Date)
    comment: Mapped[str] = mapped_column(Text, default="")
    follow_up_id: Mapped[int | None] = mapped_column(ForeignKey("follow_up.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    member: Mapped[NetworkMember] = relationship()
