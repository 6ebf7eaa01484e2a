"""The outbox: every message Rundbord sends or prints, made once and moved through its states.

A message row is made once per dedupe key: the unique constraint makes a second round (or two
rounds at the same moment) find it taken, so a reminder is never made, and so never sent,
twice. An email is claimed by one round at a time with an UPDATE only one can win, then marked
sent, failed (tried again next round, the error kept for the tovholder) or bounced (refused
for good by the mail server: not tried again until a person says so).

The one gap, said plainly: a round that dies after the server took a message but before that
was recorded leaves it "sending"; after STALE_CLAIM it is sent again, with the same Message-ID,
so a mail program shows the two as one message.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from email.utils import make_msgid, parseaddr

from flask import current_app
from sqlalchemy.exc import IntegrityError

from extensions import db
from meetings.outreach.models import Channel, MessageAgreement, MessageKind, MessageStatus, OutgoingMessage

#: A claim older than this belongs to a round that died mid-send: the message may be tried again.
STALE_CLAIM = timedelta(minutes=15)
#: What a round may pick up.
RETRYABLE = (MessageStatus.QUEUED, MessageStatus.FAILED)


class NotAllowed(ValueError):
    """The message is not in a state where this can be done to it."""


def message_id_domain() -> str:
    """Return the domain for Message-IDs: the sender's, so they are unique to this installation."""
    _name, address = parseaddr(current_app.config.get("MAIL_DEFAULT_SENDER") or "")
    return address.rpartition("@")[2] or "rundbord.invalid"


def make_once(
    *,
    dedupe_key: str,
    kind: MessageKind,
    channel: Channel,
    agreement_ids: Iterable[int],
    now: datetime,
    course_id: int | None = None,
    meeting_id: int | None = None,
    member_id: int | None = None,
    user_id: int | None = None,
    about_date: date | None = None,
    created_by_id: int | None = None,
) -> OutgoingMessage | None:
    """Make a message unless one with this key exists; return it, or None when it was there already.

    Commits, each message on its own: a key another round took at the same moment undoes nothing else.
    """
    if db.session.scalar(db.select(OutgoingMessage.id).where(OutgoingMessage.dedupe_key == dedupe_key)) is not None:
        return None
    message = OutgoingMessage(
        dedupe_key=dedupe_key,
        kind=kind,
        channel=channel,
        status=MessageStatus.QUEUED if channel == Channel.EMAIL else MessageStatus.LETTER,
        course_id=course_id,
        meeting_id=meeting_id,
        member_id=member_id,
        user_id=user_id,
        about_date=about_date,
        created_by_id=created_by_id,
        message_id_header=make_msgid(domain=message_id_domain()),
        created_at=now,
        attempts=0,
    )
    message.items = [MessageAgreement(agreement_id=i) for i in sorted(set(agreement_ids))]
    db.session.add(message)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return message


def sendable_ids(now: datetime, only: Iterable[int] | None = None) -> list[int]:
    """Return the emails a round should try: waiting, failed before, or claimed by a round that died."""
    query = db.select(OutgoingMessage.id).where(
        OutgoingMessage.channel == Channel.EMAIL,
        db.or_(
            OutgoingMessage.status.in_(RETRYABLE),
            db.and_(OutgoingMessage.status == MessageStatus.SENDING, OutgoingMessage.claimed_at < now - STALE_CLAIM),
        ),
    )
    if only is not None:
        query = query.where(OutgoingMessage.id.in_(list(only)))
    return list(db.session.scalars(query.order_by(OutgoingMessage.id)))


def claim(message_id: int, now: datetime) -> OutgoingMessage | None:
    """Take one email for this round, or None when another round has it or it needs no sending. Commits."""
    result = db.session.execute(
        db.update(OutgoingMessage)
        .where(
            OutgoingMessage.id == message_id,
            OutgoingMessage.channel == Channel.EMAIL,
            db.or_(
                OutgoingMessage.status.in_(RETRYABLE),
                db.and_(OutgoingMessage.status == MessageStatus.SENDING, OutgoingMessage.claimed_at < now - STALE_CLAIM),
            ),
        )
        .values(status=MessageStatus.SENDING, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if result.rowcount != 1:
        return None
    return db.session.scalars(
        db.select(OutgoingMessage)
        .where(OutgoingMessage.id == message_id)
        .options(db.selectinload(OutgoingMessage.items), db.joinedload(OutgoingMessage.member))
        .execution_options(populate_existing=True)
    ).one()


def _attempted(message: OutgoingMessage, now: datetime) -> None:
    message.attempts = (message.attempts or 0) + 1
    message.last_attempt_at = now
    message.claimed_at = None


def mark_sent(message: OutgoingMessage, now: datetime, address: str) -> None:
    """Record that the mail server took the message for this address."""
    _attempted(message, now)
    message.status = MessageStatus.SENT
    message.sent_at = now
    message.to_address = address
    message.last_error = None
    db.session.flush()


def mark_failed(message: OutgoingMessage, now: datetime, error: str, *, address: str | None, permanent: bool) -> None:
    """Record a send that did not go through: tried again next round, unless the server refused it for good."""
    _attempted(message, now)
    message.status = MessageStatus.BOUNCED if permanent else MessageStatus.FAILED
    message.last_error = (error or "")[:500]
    if address:
        message.to_address = address
    db.session.flush()


def cancel(message: OutgoingMessage, reason: str) -> None:
    """Send nothing after all (consent withdrawn, person removed, agreement finished); the reason is kept."""
    message.status = MessageStatus.CANCELLED
    message.claimed_at = None
    message.last_error = reason[:500]
    db.session.flush()


def requeue(message: OutgoingMessage) -> None:
    """Put a failed or refused email back in the queue (after the address was corrected, say)."""
    if message.channel != Channel.EMAIL or message.status not in (MessageStatus.FAILED, MessageStatus.BOUNCED, MessageStatus.QUEUED):
        raise NotAllowed("only an email that was not delivered can be tried again")
    message.status = MessageStatus.QUEUED
    db.session.flush()


def as_letter(message: OutgoingMessage) -> None:
    """Print an email that could not be delivered as a letter instead (the message after a meeting only)."""
    undelivered = (MessageStatus.FAILED, MessageStatus.BOUNCED, MessageStatus.QUEUED, MessageStatus.SENDING)
    if message.kind != MessageKind.AGREEMENTS or message.channel != Channel.EMAIL or message.status not in undelivered:
        raise NotAllowed("only an undelivered message after a meeting can become a letter")
    message.channel = Channel.LETTER
    message.status = MessageStatus.LETTER
    db.session.flush()


def mark_printed(message: OutgoingMessage, now: datetime) -> None:
    """Record that the tovholder printed the letter (again: a reprint)."""
    if message.channel != Channel.LETTER or message.status not in (MessageStatus.LETTER, MessageStatus.PRINTED):
        raise NotAllowed("only a letter can be printed")
    _attempted(message, now)
    message.status = MessageStatus.PRINTED
    message.sent_at = now
    db.session.flush()


def message_in_course(course_id: int, message_id: int | None) -> OutgoingMessage | None:
    """Return the message only if it belongs to this course (ids from a form are never trusted alone)."""
    if message_id is None:
        return None
    message = db.session.get(OutgoingMessage, message_id)
    return message if message is not None and message.course_id == course_id else None
