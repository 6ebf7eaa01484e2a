"""The start page: the user's courses, coming meetings, open agreements by who is responsible, what needs follow-up."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from extensions import db
from kernel.clock import local_today, utcnow
from meetings.models import (
    Agreement,
    AgreementReview,
    AgreementStatus,
    Course,
    FollowUp,
    Meeting,
    NetworkMember,
)
from roles.models import Role, RoleAssignment, User
from roles.permissions import Action, allowed

#: An open agreement neither made nor reviewed at a meeting for this long is "open a long time without a review".
LONG_OPEN_WITHOUT_REVIEW = timedelta(weeks=6)


@dataclass(frozen=True)
class CourseEntry:
    course: Course
    roles: frozenset[Role]

    @property
    def is_tovholder(self) -> bool:
        return Role.TOVHOLDER in self.roles

    def may(self, action: Action) -> bool:
        """Return whether the user may do `action` in this course."""
        return allowed(self.roles, action)


@dataclass(frozen=True)
class MeetingEntry:
    meeting: Meeting
    course: CourseEntry


@dataclass(frozen=True)
class AgreementEntry:
    agreement: Agreement
    course: CourseEntry
    today: date
    last_reviewed_at: datetime | None = None
    last_follow_up_on: date | None = None

    @property
    def overdue(self) -> bool:
        """Open and past its due date."""
        return self.agreement.overdue_on(self.today)

    @property
    def days_overdue(self) -> int:
        return (self.today - self.agreement.due_on).days if self.overdue else 0  # type: ignore[operator]

    @property
    def agreed_at(self) -> datetime:
        """When the agreement was made: at its meeting (or when it was written down, if that was earlier)."""
        return min(self.agreement.origin_meeting.planned_at, self.agreement.created_at)

    @property
    def last_looked_at(self) -> datetime:
        """The last time the network looked at the agreement together: its latest review, or when it was made."""
        return max(self.agreed_at, self.last_reviewed_at or datetime.min)


@dataclass(frozen=True)
class ResponsibleGroup:
    """Open agreements with the same person responsible (None: nobody is responsible yet)."""

    responsible: NetworkMember | None
    entries: list[AgreementEntry]

    @property
    def overdue_count(self) -> int:
        return sum(e.overdue for e in self.entries)


@dataclass(frozen=True)
class Dashboard:
    courses: list[CourseEntry]
    ended: list[CourseEntry]
    upcoming: list[MeetingEntry]
    groups: list[ResponsibleGroup]
    long_open: list[AgreementEntry]
    summaries_due: list[MeetingEntry]
    today: date
    now: datetime

    @property
    def long_open_weeks(self) -> int:
        return LONG_OPEN_WITHOUT_REVIEW.days // 7

    @property
    def overdue_count(self) -> int:
        return sum(g.overdue_count for g in self.groups)

    @property
    def follows_up(self) -> bool:
        """Whether the user follows up on any active course (the tovholder's sections apply)."""
        return any(c.may(Action.FOLLOW_UP) for c in self.courses)


def user_courses(user: User) -> list[CourseEntry]:
    """Return every course where the user holds a role: active ones with the tovholder's first, then ended."""
    rows = db.session.execute(
        db.select(Course, RoleAssignment.role)
        .join(RoleAssignment, RoleAssignment.course_id == Course.id)
        .where(RoleAssignment.user_id == user.id)
        .options(db.joinedload(Course.citizen))
    ).all()
    roles: dict[int, set[Role]] = {}
    courses: dict[int, Course] = {}
    for course, role in rows:
        courses[course.id] = course
        roles.setdefault(course.id, set()).add(role)
    entries = [CourseEntry(courses[i], frozenset(r)) for i, r in roles.items()]
    return sorted(
        entries,
        key=lambda e: (e.course.ended_at is not None, not e.is_tovholder, e.course.citizen.preferred_name.casefold(), e.course.id),
    )


def _group_key(member: NetworkMember | None) -> tuple[str, int]:
    # The same colleague is a separate network member in each course; their user id joins them.
    if member is None:
        return ("nobody", 0)
    if member.user_id is not None:
        return ("user", member.user_id)
    return ("member", member.id)


def _agreement_order(entry: AgreementEntry) -> tuple:
    due = entry.agreement.due_on
    return (not entry.overdue, due is None, due or date.max, entry.agreement.created_at, entry.agreement.id)


def group_by_responsible(entries: Iterable[AgreementEntry]) -> list[ResponsibleGroup]:
    """Group open agreements by who is responsible; groups and agreements with overdue ones first."""
    grouped: dict[tuple[str, int], list[AgreementEntry]] = {}
    for entry in entries:
        grouped.setdefault(_group_key(entry.agreement.responsible), []).append(entry)
    groups = [ResponsibleGroup(items[0].agreement.responsible, sorted(items, key=_agreement_order)) for items in grouped.values()]

    def group_order(group: ResponsibleGroup) -> tuple:
        first = group.entries[0]
        name = group.responsible.name.casefold() if group.responsible else ""
        # Nobody responsible is a problem too: right after the overdue groups.
        return (group.overdue_count == 0, group.responsible is not None, _agreement_order(first)[1:3], name)

    return sorted(groups, key=group_order)


def dashboard_for(user: User, now: datetime | None = None, today: date | None = None) -> Dashboard:
    """Gather the user's start page in a fixed number of queries, however many courses and rows there are."""
    now = now or utcnow()
    today = today or local_today(now)
    entries = user_courses(user)
    active = [e for e in entries if e.course.ended_at is None]
    ended = [e for e in entries if e.course.ended_at is not None]
    by_id = {e.course.id: e for e in active}
    follow_ids = [e.course.id for e in active if e.may(Action.FOLLOW_UP)]

    upcoming: list[MeetingEntry] = []
    if by_id:
        meetings = db.session.scalars(
            db.select(Meeting)
            .where(Meeting.course_id.in_(list(by_id)), Meeting.closed_at.is_(None))
            .order_by(Meeting.planned_at, Meeting.id)
        ).all()
        upcoming = [MeetingEntry(m, by_id[m.course_id]) for m in meetings]

    groups: list[ResponsibleGroup] = []
    long_open: list[AgreementEntry] = []
    summaries_due: list[MeetingEntry] = []
    if follow_ids:
        agreement_entries = _open_agreement_entries(follow_ids, by_id, today)
        groups = group_by_responsible(agreement_entries)
        cutoff = now - LONG_OPEN_WITHOUT_REVIEW
        long_open = sorted((e for e in agreement_entries if e.last_looked_at < cutoff), key=lambda e: (e.last_looked_at, e.agreement.id))
        held = db.session.scalars(
            db.select(Meeting)
            .where(Meeting.course_id.in_(follow_ids), Meeting.closed_at.is_not(None), Meeting.summary_given_at.is_(None))
            .order_by(Meeting.closed_at, Meeting.id)
        ).all()
        summaries_due = [MeetingEntry(m, by_id[m.course_id]) for m in held]

    return Dashboard(
        courses=active, ended=ended, upcoming=upcoming, groups=groups, long_open=long_open, summaries_due=summaries_due, today=today, now=now
    )


def _open_agreement_entries(course_ids: list[int], by_id: dict[int, CourseEntry], today: date) -> list[AgreementEntry]:
    """Return the open agreements of held meetings in these courses, with their latest review and follow-up, in one query."""
    # A review is told at a meeting: it counts from that meeting's date.
    reviewed_in = db.aliased(Meeting)
    last_review = (
        db.select(db.func.max(reviewed_in.planned_at))
        .select_from(AgreementReview)
        .join(reviewed_in, AgreementReview.meeting_id == reviewed_in.id)
        .where(AgreementReview.agreement_id == Agreement.id)
        .correlate(Agreement)
        .scalar_subquery()
    )
    last_follow_up = (
        db.select(db.func.max(FollowUp.contacted_on)).where(FollowUp.agreement_id == Agreement.id).correlate(Agreement).scalar_subquery()
    )
    rows = db.session.execute(
        db.select(Agreement, last_review, last_follow_up)
        .join(Meeting, Agreement.origin_meeting_id == Meeting.id)
        # An agreement of a meeting still going on is a draft, not yet something to follow up.
        .where(Agreement.course_id.in_(course_ids), Agreement.status == AgreementStatus.OPEN, Meeting.closed_at.is_not(None))
        .options(db.joinedload(Agreement.responsible), db.contains_eager(Agreement.origin_meeting))
        .order_by(Agreement.id)
    ).all()
    return [
        AgreementEntry(agreement, by_id[agreement.course_id], today, last_reviewed_at=reviewed, last_follow_up_on=followed)
        for agreement, reviewed, followed in rows
    ]
