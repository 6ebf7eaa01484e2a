"""Who may receive which agreements, and how; and what is due: at the close, before the date, past it, weekly.

The consent rule is meetings.followup's, with the scope "agreements": the citizen always, a
member removed from the network never, anyone else only with a consent in force that holds
always (a consent "only when …" is never acted on by Rundbord itself). Email only where the
person has an address and wants it; otherwise a printed letter from the tovholder's list.
Plain functions; nothing here commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from extensions import db
from meetings import agreements as agreement_rules
from meetings import followup
from meetings.models import Agreement, AgreementStatus, ConsentScope, Course, Meeting, MemberKind, NetworkMember
from meetings.outreach.models import Channel, ContactPreference, MessageKind, OutgoingMessage, Reply, ReplyAnswer

SCOPE = ConsentScope.AGREEMENTS

NO_CONSENT = _l("No consent to share agreements with this person, so Rundbord sends nothing.")
TEAM = _l("Member of the network team: sees it in Rundbord.")
REMOVED = _l("No longer in the network.")
SUMMARY_NOT_GIVEN = _l("Waits until the summary is read through and marked as given.")


@dataclass(frozen=True)
class Route:
    """How a message reaches one person, or why it does not (`channel` None)."""

    channel: Channel | None
    address: str | None = None
    reason: str | None = None
    #: The situation a consent "only when …" depends on: shown apart, never acted on.
    condition: str | None = None

    @property
    def sendable(self) -> bool:
        return self.channel is not None and self.reason is None


def preferences(member_ids: Iterable[int]) -> dict[int, ContactPreference]:
    """Return how each of these members wants messages, in one query (no row: a printed letter)."""
    wanted = list(set(member_ids))
    if not wanted:
        return {}
    rows = db.session.scalars(db.select(ContactPreference).where(ContactPreference.member_id.in_(wanted)))
    return {p.member_id: p for p in rows}


def channel_of(pref: ContactPreference | None) -> tuple[Channel, str | None]:
    """Return the channel and address for a person: email when they have an address and want it."""
    if pref is not None and pref.channel == Channel.EMAIL and pref.email:
        return Channel.EMAIL, pref.email
    return Channel.LETTER, None


def _route(member: NetworkMember, pref: ContactPreference | None, allowed: bool, condition: str | None) -> Route:
    if member.kind == MemberKind.TEAM:
        return Route(None, reason=str(TEAM))
    if member.removed_at is not None:
        return Route(None, reason=str(REMOVED))
    if not allowed:
        return Route(None, reason=str(NO_CONSENT), condition=condition)
    channel, address = channel_of(pref)
    return Route(channel, address)


def route_now(member: NetworkMember) -> Route:
    """Return how a message to this person goes now, asking the consent rule itself (`may_receive`)."""
    allowed = member.kind != MemberKind.TEAM and followup.may_receive(member, SCOPE)
    return _route(member, preferences([member.id]).get(member.id), allowed, None)


# --- at the close ---------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One person's message after a meeting: their own agreements (the citizen's with the summary)."""

    member: NetworkMember
    agreements: list[Agreement]
    route: Route
    dedupe_key: str
    with_summary: bool
    #: The message already made for exactly these agreements, if any.
    existing: OutgoingMessage | None

    @property
    def to_queue(self) -> bool:
        return self.existing is None and self.route.sendable


@dataclass(frozen=True)
class ClosePlan:
    meeting: Meeting
    planned: list[Planned]
    #: The citizen's message waits for the summary to be read through and given.
    summary_given: bool

    @property
    def to_queue(self) -> list[Planned]:
        return [p for p in self.planned if p.to_queue]


def _key(kind: str, *parts: object) -> str:
    return ":".join([kind, *map(str, parts)])


def close_key(meeting: Meeting, member: NetworkMember, agreement_ids: Iterable[int], *, with_summary: bool = False) -> str:
    """Name one person's message for exactly these agreements of this meeting (the same set is never sent twice)."""
    ids = ",".join(str(i) for i in sorted(agreement_ids)) + (",summary" if with_summary else "")
    return _key("agreements", f"m{meeting.id}", f"p{member.id}", hashlib.sha256(ids.encode()).hexdigest()[:16])


def close_plan(meeting: Meeting) -> ClosePlan:
    """Return who gets which agreements of this (closed) meeting, how, and who does not and why.

    The citizen is always in it (their own agreements with the summary); everyone else only
    when they are responsible for one of the meeting's agreements.
    """
    made = agreement_rules.made_at(meeting.id)
    mine: dict[int, list[Agreement]] = {}
    members: dict[int, NetworkMember] = {}
    for agreement in made:
        if agreement.responsible is not None:
            mine.setdefault(agreement.responsible_id, []).append(agreement)
            members[agreement.responsible_id] = agreement.responsible
    citizen = next((m for m in members.values() if m.kind == MemberKind.CITIZEN), None) or _citizen(meeting.course_id)
    members.setdefault(citizen.id, citizen)
    share = followup.sharing(meeting.course_id, SCOPE)
    allowed = {m.id for m, _c in share.recipients}
    conditions = {m.id: followup.condition_of(c) for m, c in share.conditional}
    prefs = preferences(members)
    existing = {
        m.dedupe_key: m
        for m in db.session.scalars(
            db.select(OutgoingMessage).where(OutgoingMessage.meeting_id == meeting.id, OutgoingMessage.kind == MessageKind.AGREEMENTS)
        )
    }
    given = meeting.summary_given_at is not None
    planned = []
    for member in sorted(members.values(), key=lambda m: (m.kind != MemberKind.CITIZEN, m.name.casefold(), m.id)):
        own = mine.get(member.id, [])
        route = _route(member, prefs.get(member.id), member.id in allowed, conditions.get(member.id))
        is_citizen = member.kind == MemberKind.CITIZEN
        if is_citizen and route.sendable and not given:
            route = Route(route.channel, route.address, reason=str(SUMMARY_NOT_GIVEN))
        key = close_key(meeting, member, [a.id for a in own], with_summary=is_citizen)
        planned.append(Planned(member, own, route, key, is_citizen, existing.get(key)))
    return ClosePlan(meeting, planned, given)


def _citizen(course_id: int) -> NetworkMember:
    return db.session.scalars(
        db.select(NetworkMember).where(NetworkMember.course_id == course_id, NetworkMember.kind == MemberKind.CITIZEN)
    ).one()


# --- reminders and the weekly overview ----------------------------------------------------


def latest_replies(agreement_ids: Iterable[int]) -> dict[int, Reply]:
    """Return each agreement's newest reply, in one query."""
    wanted = list(set(agreement_ids))
    if not wanted:
        return {}
    found: dict[int, Reply] = {}
    for reply in db.session.scalars(
        db.select(Reply).where(Reply.agreement_id.in_(wanted)).options(db.joinedload(Reply.member)).order_by(Reply.created_at, Reply.id)
    ):
        found[reply.agreement_id] = reply
    return found


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
        return Due(MessageKind.BEFORE_DUE, agreement, member, due, _key("before_due", f"a{agreement.id}", f"p{member.id}", due))
    if today > due:
        round_no = ((today - due).days - 1) // every
        return Due(MessageKind.OVERDUE, agreement, member, due, _key("overdue", f"a{agreement.id}", f"p{member.id}", due, round_no))
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
    return [(a, followup.local_today(closed)) for a, closed in rows]


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
            consent[due.member.id] = followup.may_receive(due.member, SCOPE)
        if consent[due.member.id]:
            result.append(due)
    return result


def digest_key(user_id: int, today: date) -> str:
    """Name the weekly overview of one ISO week for one tovholder (made on the week's first round)."""
    year, week, _day = today.isocalendar()
    return _key("digest", f"u{user_id}", f"{year}-W{week:02d}")


def overdue_for_tovholders(today: date) -> dict[int, list[Agreement]]:
    """Return, per tovholder with an address for the overview, their active courses' overdue agreements."""
    from meetings.outreach.models import StaffEmail
    from roles.models import Role, RoleAssignment

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
    return followup.local_today(now)


def queue_after_meeting(meeting: Meeting, user_id: int | None, now: datetime) -> list[OutgoingMessage]:
    """Make the messages the close plan says may go (each person's own agreements); return the new ones.

    Commits each message on its own (see outbox.make_once); pressing "send" again makes nothing twice.
    """
    from meetings.outreach import outbox

    made = []
    for planned in close_plan(meeting).to_queue:
        message = outbox.make_once(
            dedupe_key=planned.dedupe_key,
            kind=MessageKind.AGREEMENTS,
            channel=planned.route.channel,
            agreement_ids=[a.id for a in planned.agreements],
            now=now,
            course_id=meeting.course_id,
            meeting_id=meeting.id,
            member_id=planned.member.id,
            created_by_id=user_id,
        )
        if message is not None:
            made.append(message)
    return made
