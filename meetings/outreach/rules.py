"""Who may receive which agreements, and how; and what goes to whom after a meeting.

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
from datetime import datetime

from flask_babel import lazy_gettext as _l

from extensions import db
from meetings.consent.rules import condition_of, may_receive, sharing
from meetings.models import Agreement, ConsentScope, Meeting, MemberKind, NetworkMember
from meetings.outreach import outbox
from meetings.outreach.models import Channel, ContactPreference, MessageKind, OutgoingMessage
from meetings.screen.agreements import made_at

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
    allowed = member.kind != MemberKind.TEAM and may_receive(member, SCOPE)
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


def dedupe_key(kind: str, *parts: object) -> str:
    """Join what names a message into its dedupe key: "before_due:a12:p7:2026-03-24"."""
    return ":".join([kind, *map(str, parts)])


def close_key(meeting: Meeting, member: NetworkMember, agreement_ids: Iterable[int], *, with_summary: bool = False) -> str:
    """Name one person's message for exactly these agreements of this meeting (the same set is never sent twice)."""
    ids = ",".join(str(i) for i in sorted(agreement_ids)) + (",summary" if with_summary else "")
    return dedupe_key("agreements", f"m{meeting.id}", f"p{member.id}", hashlib.sha256(ids.encode()).hexdigest()[:16])


def close_plan(meeting: Meeting) -> ClosePlan:
    """Return who gets which agreements of this (closed) meeting, how, and who does not and why.

    The citizen is always in it (their own agreements with the summary); everyone else only
    when they are responsible for one of the meeting's agreements.
    """
    made = made_at(meeting.id)
    mine: dict[int, list[Agreement]] = {}
    members: dict[int, NetworkMember] = {}
    for agreement in made:
        if agreement.responsible is not None:
            mine.setdefault(agreement.responsible_id, []).append(agreement)
            members[agreement.responsible_id] = agreement.responsible
    citizen = next((m for m in members.values() if m.kind == MemberKind.CITIZEN), None) or _citizen(meeting.course_id)
    members.setdefault(citizen.id, citizen)
    share = sharing(meeting.course_id, SCOPE)
    allowed = {m.id for m, _c in share.recipients}
    conditions = {m.id: condition_of(c) for m, c in share.conditional}
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


def queue_after_meeting(meeting: Meeting, user_id: int | None, now: datetime) -> list[OutgoingMessage]:
    """Make the messages the close plan says may go (each person's own agreements); return the new ones.

    Commits each message on its own (see outbox.make_once); pressing "send" again makes nothing twice.
    """
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
