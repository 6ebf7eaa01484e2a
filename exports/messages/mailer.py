"""Sending: one round queues what is due and sends every email that waits, through Flask-Mailman (SMTP).

A round is safe to run at any time and again: messages are made once (their dedupe key), each
email is claimed by one round before it is sent, and what did not go through stays in the
outbox as "failed" with the server's answer, for the next round and for the tovholder to see.
An address the server refuses for good (5xx) is "bounced": not tried again until a person says so.
If the server cannot be reached at all, the round stops trying and marks the rest failed too.
The reply links a message carries are stored before it leaves and withdrawn if it did not.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_mailman import EmailMultiAlternatives

from exports.messages import compose
from extensions import db, mail
from meetings.models import Agreement, AgreementStatus, Course
from meetings.outreach import links, outbox, reminders, rules
from meetings.outreach.models import Channel, MessageKind, OutgoingMessage, StaffEmail
from roles import audit

log = logging.getLogger(__name__)

NO_OVERVIEW_ADDRESS = _l("No address for the weekly overview.")
AGREEMENT_MOVED = _l("The agreement is finished, or someone else is responsible for it now.")
NOW_LETTERS = _l("This person now gets letters; reminders go by email only.")
#: `_address`'s answer for a message after a meeting to someone who now wants letters.
AS_LETTER = "as letter"


@dataclass
class RoundReport:
    """What one round did, for the command's output and the tovholder's flash message."""

    queued: int = 0
    sent: int = 0
    failed: int = 0
    bounced: int = 0
    cancelled: int = 0
    letters: int = 0
    server_down: str | None = None
    problems: list[str] = field(default_factory=list)


def send_round(now: datetime) -> RoundReport:
    """Queue today's reminders and weekly overviews, then send every email that waits."""
    report = RoundReport()
    today = reminders.today_local(now)
    for due in reminders.reminders_due(today):
        made = outbox.make_once(
            dedupe_key=due.dedupe_key, kind=due.kind, channel=Channel.EMAIL, agreement_ids=[due.agreement.id], now=now,
            course_id=due.agreement.course_id, member_id=due.member.id, about_date=due.about,
        )
        report.queued += made is not None
    for user_id, overdue in reminders.overdue_for_tovholders(today).items():
        made = outbox.make_once(
            dedupe_key=reminders.digest_key(user_id, today), kind=MessageKind.DIGEST, channel=Channel.EMAIL,
            agreement_ids=[a.id for a in overdue], now=now, user_id=user_id,
        )
        report.queued += made is not None
    return deliver(now, report=report)


def deliver(now: datetime, *, only: list[int] | None = None, report: RoundReport | None = None, user_id: int | None = None) -> RoundReport:
    """Send the emails that wait (or only these); `user_id` is who pressed "send", for the audit log."""
    report = report or RoundReport()
    for message_id in outbox.sendable_ids(now, only):
        message = outbox.claim(message_id, now)
        if message is None:
            continue  # another round has it, or it no longer waits
        if report.server_down:
            outbox.mark_failed(message, now, report.server_down, address=None, permanent=False)
            _finish(message, "message.failed", report, user_id)
            continue
        _send_one(message, now, report, user_id)
    return report


def _address(message: OutgoingMessage) -> tuple[str | None, str | None]:
    """Return where the message goes now, or why it goes nowhere (the consent rule is asked again)."""
    if message.kind == MessageKind.DIGEST:
        staff = db.session.get(StaffEmail, message.user_id)
        return (staff.email, None) if staff else (None, str(NO_OVERVIEW_ADDRESS))
    member = message.member
    route = rules.route_now(member)
    if not route.sendable:
        return None, route.reason
    if message.kind != MessageKind.AGREEMENTS:
        agreement = db.session.get(Agreement, message.agreement_ids[0]) if message.agreement_ids else None
        if agreement is None or agreement.status != AgreementStatus.OPEN or agreement.responsible_id != member.id:
            return None, str(AGREEMENT_MOVED)
    if route.channel != Channel.EMAIL:
        return None, AS_LETTER if message.kind == MessageKind.AGREEMENTS else str(NOW_LETTERS)
    return route.address, None


def _send_one(message: OutgoingMessage, now: datetime, report: RoundReport, user_id: int | None) -> None:
    address, why_not = _address(message)
    if address is None:
        if why_not == AS_LETTER:
            outbox.as_letter(message)  # the person now wants letters: it waits in the list to print
            report.letters += 1
            _finish(message, "message.queued_as_letter", report, user_id)
        else:
            outbox.cancel(message, why_not or "")
            report.cancelled += 1
            _finish(message, "message.cancelled", report, user_id)
        return
    connection = mail.get_connection()
    try:
        built = compose.compose(message, now)
        email = EmailMultiAlternatives(
            subject=built.subject,
            body=built.text(),
            to=[address],
            reply_to=list(built.reply_to),
            headers={"Message-ID": message.message_id_header, "Auto-Submitted": "auto-generated"},
            connection=connection,
        )
        email.attach_alternative(built.html(), "text/html")
        db.session.commit()  # the links exist before the message that carries them leaves
        # Opened here and closed below: Flask-Mailman leaves a connection open when sending raises.
        connection.open()
        email.send()
    except smtplib.SMTPRecipientsRefused as error:
        code, text = next(iter(error.recipients.values()), (0, b""))
        _failed(message, now, f"{code} {_text(text)}", address, permanent=500 <= code < 600, report=report, user_id=user_id)
    except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as error:
        # A sender refused is this installation's setting, not the recipient's address: worth trying again.
        permanent = isinstance(error, smtplib.SMTPDataError) and 500 <= error.smtp_code < 600
        _failed(message, now, f"{error.smtp_code} {_text(error.smtp_error)}", address, permanent=permanent, report=report, user_id=user_id)
    except (OSError, smtplib.SMTPException) as error:
        # Connection refused, timed out, dropped, or the login failed: the same for every message now.
        report.server_down = _("Not sent: the mail server could not be reached or did not let Rundbord in (%(error)s).", error=str(error))[:500]
        _failed(message, now, report.server_down, address, permanent=False, report=report, user_id=user_id)
    except Exception as error:  # a fault of ours: keep the message, show it, try again next round
        log.exception("message %s could not be built or sent", message.id)
        problem = _("Rundbord could not make the message (%(error)s).", error=type(error).__name__)
        _failed(message, now, problem, address, permanent=False, report=report, user_id=user_id)
    else:
        outbox.mark_sent(message, now, address)
        report.sent += 1
        _finish(message, "message.sent", report, user_id)
    finally:
        _close(connection)


def _close(connection) -> None:
    try:
        connection.close()
    except (OSError, smtplib.SMTPException):  # the server went away: the socket is closed all the same
        if connection.connection is not None:
            connection.connection.close()
            connection.connection = None


def _text(raw) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _failed(message: OutgoingMessage, now: datetime, error: str, address: str, *, permanent: bool, report: RoundReport, user_id: int | None) -> None:
    db.session.rollback()
    message = db.session.get(OutgoingMessage, message.id, populate_existing=True)
    links.revoke_all_of(message, now)  # never delivered: its links must not work
    outbox.mark_failed(message, now, error, address=address, permanent=permanent)
    if permanent:
        report.bounced += 1
    else:
        report.failed += 1
    report.problems.append(error)
    _finish(message, "message.bounced" if permanent else "message.failed", report, user_id)


def _finish(message: OutgoingMessage, action: str, report: RoundReport, user_id: int | None) -> None:
    """Commit the message's new state and write it in the audit log of every course it is about."""
    db.session.commit()
    record_in_audit(message, action, user_id)


def record_in_audit(message: OutgoingMessage, action: str, user_id: int | None) -> None:
    """Write one audit entry per course the message is about (the weekly overview may span several)."""
    course_ids = [message.course_id] if message.course_id else sorted(
        set(db.session.scalars(db.select(Agreement.course_id).where(Agreement.id.in_(message.agreement_ids or [0]))))
    )
    citizens = dict(db.session.execute(db.select(Course.id, Course.citizen_id).where(Course.id.in_(course_ids or [0]))).all())
    for course_id in course_ids:
        audit.record(
            action, purpose="messages", user_id=user_id, course_id=course_id, citizen_id=citizens.get(course_id),
            object_type="message", object_id=message.id, detail=f"{message.kind.value}/{message.channel.value}",
        )

