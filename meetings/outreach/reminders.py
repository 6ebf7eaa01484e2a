"""What is due: a reminder before the date, reminders once the date has passed, the tovholder's weekly overview.

The rule for one agreement (`reminder_for`) needs no database; the queries around it gather
the candidates in a fixed number of queries. Plain functions; nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app

from extensions import db
from kernel.clock import local_today
from meetings.consent.rules import may_receive
from meetings.models import Agreement, AgreementStatus, Course, Meeting, MemberKind, NetworkMember
from meetings.outreach.models import Channel, MessageKind, Reply, ReplyAnswer, StaffEmail
from meetings.outreach.replies import latest_replies
from meetings.outreach.rules import SCOPE, channel_of, dedupe_key, preferences
from roles.models import Role, RoleAssignment


def effective_due(agreement: Agreement, reply: Reply | None) -> date | None:
    """Return the date reminders count from: the agreed date, or the later one the person asked for."""
    if reply is not None and reply.answer == ReplyAnswer.MORE_TIME and reply.until is not None:
        if agreement.due_on is None or reply.until > agreement.due_on:
            return reply.until
    return agreement.due_on


@dataclass(frozen=True)
class Due:
    """A reminder that is due: which kind, about which agreement, to whom, about which date."""

    kind: MessageKind
    agreement: Agreement
    member: NetworkMember
    about: date
    dedupe_key: str


def reminder_for(agreement: Agreement, reply: Reply | None, closed_on: date, today: date) -> Due | None:
    """Return the reminder due today for one open agreement, if any (the rule, without the database).

    Before the date: from `REMINDER_DAYS_BEFORE` days before it, unless the meeting itself was
    that close to it (the message after the meeting just said it). Past the date: once, then
    every `OVERDUE_REMINDER_EVERY_DAYS` days. Never after the person answered "done".
    """
    member = agreement.responsible
    due = effective_due(agreement, reply)
    if member is None or due is None or (reply is not None and reply.answer == ReplyAnswer.DONE):
        return None
    before = int(current_app.config["REMINDER_DAYS_BEFORE"])
    every = max(1, int(current_app.config["OVERDUE_REMINDER_EVERY_DAYS"]))
    window = due - timedelta(days=before)
    if window <= today <= due and closed_on < window:
        return Due(MessageKind.BEFORE_DUE, agreement, member, due, dedupe_key("before_due", f"a{agreement.id}", f"p{member.id}", due))
    if today > due:
        round_no = ((today - due).days - 1) // every
        return Due(MessageKind.OVERDUE, agreement, member, due, dedupe_key("overdue", f"a{agreement.id}", f"p{member.id}", due, round_no))
    return None


def open_agreements_to_remind() -> list[tuple[Agreement, date]]:
    """Return every open, dated agreement of a held meeting in an active course, with someone outside the
    team responsible, and the local day its meeting closed, in one query."""
    rows = db.session.execute(
        db.select(Agreement, Meeting.closed_at)
        .join(Meeting, Agreement.origin_meeting_id == Meeting.id)
        .join(Course, Agreement.course_id == Course.id)
        .join(NetworkMember, Agreement.responsible_id == NetworkMember.id)
        .where(
            Agreement.status == AgreementStatus.OPEN,
            Agreement.due_on.is_not(None),
            Meeting.closed_at.is_not(None),
            Course.ended_at.is_(None),
            NetworkMember.removed_at.is_(None),
            NetworkMember.kind != MemberKind.TEAM,
        )
        .options(db.contains_eager(Agreement.responsible))
        .order_by(Agreement.id)
    ).all()
    return [(a, local_today(closed)) for a, closed in rows]


def reminders_due(today: date) -> list[Due]:
    """Return the reminders due today to people who may receive agreements and want email.

    People who get letters get no reminder letters (a letter would come after the date it
    reminds of): the tovholder's weekly overview and dashboard show their agreements instead.
    """
    candidates = open_agreements_to_remind()
    replies = latest_replies(a.id for a, _closed in candidates)
    found = [due for a, closed in candidates if (due := reminder_for(a, replies.get(a.id), closed, today)) is not None]
    prefs = preferences(d.member.id for d in found)
    consent: dict[int, bool] = {}
    result = []
    for due in found:
        if channel_of(prefs.get(due.member.id))[0] != Channel.EMAIL:
            continue
        if due.member.id not in consent:
            consent[due.member.id] = may_receive(due.member, SCOPE)
        if consent[due.member.id]:
            result.append(due)
    return result


def digest_key(user_id: int, today: date) -> str:
    """Name the weekly overview of one ISO week for one tovholder (made on the week's first round)."""
    year, week, _day = today.isocalendar()
    return dedupe_key("digest", f"u{user_id}", f"{year}-W{week:02d}")


def overdue_for_tovholders(today: date) -> dict[int, list[Agreement]]:
    """Return, per tovholder with an address for the overview, their active courses' overdue agreements."""
    rows = db.session.execute(
        db.select(RoleAssignment.user_id, Agreement)
        .join(StaffEmail, StaffEmail.user_id == RoleAssignment.user_id)
        .join(Course, Course.id == RoleAssignment.course_id)
        .join(Agreement, Agreement.course_id == Course.id)
        .join(Meeting, Agreement.origin_meeting_id == Meeting.id)
        .where(
            RoleAssignment.role == Role.TOVHOLDER,
            Course.ended_at.is_(None),
            Agreement.status == AgreementStatus.OPEN,
            Agreement.due_on < today,
            Meeting.closed_at.is_not(None),
        )
        .options(db.joinedload(Agreement.responsible))
        .order_by(RoleAssignment.user_id, Agreement.due_on, Agreement.id)
    ).all()
    found: dict[int, list[Agreement]] = {}
    for user_id, agreement in rows:
        found.setdefault(user_id, []).append(agreement)
    return found


def today_local(now: datetime) -> date:
    """Return today's date where Rundbord's people live."""
    return local_today(now)
