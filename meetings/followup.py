"""Between meetings: the tovholder's dashboard, follow-up log, consent, goals, convening, ending a course.

Plain functions that change state flush but never commit; the view commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l

from extensions import db
from kernel.clock import local_today, to_local, to_utc, utcnow  # noqa: F401  (to_local, to_utc: used by the views)
from meetings.models import (
    Agreement,
    AgreementReview,
    AgreementStatus,
    Attendance,
    AttendanceStatus,
    Consent,
    ConsentCheck,
    ConsentScope,
    Course,
    FollowUp,
    Goal,
    GoalKind,
    Meeting,
    MeetingKind,
    MemberKind,
    NetworkMember,
)
from roles.models import Role, RoleAssignment, User
from roles.permissions import Action, allowed

#: An open agreement neither made nor reviewed at a meeting for this long is "open a long time without a review".
LONG_OPEN_WITHOUT_REVIEW = timedelta(weeks=6)
#: An acute meeting is proposed this long after the request (the principle of a rapid response).
ACUTE_DEFAULT_DELAY = timedelta(hours=3)
#: An acute meeting later than this after the request gets a gentle warning.
ACUTE_RESPONSE_WITHIN = timedelta(hours=24)
#: Proposed meeting times are rounded up to this many minutes.
ROUND_TO_MINUTES = 15
#: How long a regular meeting is planned to last unless said otherwise.
DEFAULT_MEETING_MINUTES = 90


class FollowUpError(ValueError):
    """A rule of follow-up or convening was broken; `field` names the form field it belongs to."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


def _round_up(moment: datetime, minutes: int = ROUND_TO_MINUTES) -> datetime:
    moment = moment.replace(second=0, microsecond=0)
    extra = -moment.minute % minutes
    return moment + timedelta(minutes=extra)


# --- the dashboard ------------------------------------------------------------


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
        due = self.agreement.due_on
        return self.agreement.status == AgreementStatus.OPEN and due is not None and due < self.today

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


# --- the follow-up log ----------------------------------------------------------


def record_follow_up(agreement: Agreement, text: str, contacted_on: date, author: User | None, *, today: date | None = None) -> FollowUp:
    """Write down a contact the tovholder made about an agreement between meetings."""
    text = (text or "").strip()
    if not text:
        raise FollowUpError(_l("Write what the contact was about."), field="text")
    if contacted_on > (today or local_today()):
        raise FollowUpError(_l("The date of the contact cannot be in the future."), field="contacted_on")
    entry = FollowUp(agreement_id=agreement.id, text=text, contacted_on=contacted_on, author_id=author.id if author else None)
    db.session.add(entry)
    db.session.flush()
    return entry


def follow_ups_by_agreement(agreement_ids: Sequence[int]) -> dict[int, list[FollowUp]]:
    """Return the follow-up log of each agreement, oldest contact first, in one query (for the next meeting's review)."""
    found: dict[int, list[FollowUp]] = {i: [] for i in agreement_ids}
    if not agreement_ids:
        return found
    rows = db.session.scalars(
        db.select(FollowUp).where(FollowUp.agreement_id.in_(list(agreement_ids))).order_by(FollowUp.contacted_on, FollowUp.id)
    )
    for row in rows:
        found[row.agreement_id].append(row)
    return found


def users_by_id(ids: Iterable[int | None]) -> dict[int, User]:
    """Return the users with these ids (authors, recorders) in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in db.session.scalars(db.select(User).where(User.id.in_(wanted)))}


@dataclass(frozen=True)
class AgreementLog:
    agreement: Agreement
    course: Course
    reviews: list[AgreementReview]
    follow_ups: list[FollowUp]
    users: dict[int, User]


def agreement_log(agreement_id: int) -> AgreementLog | None:
    """Return an agreement with its reviews and follow-up log, and the people who wrote them."""
    agreement = db.session.scalars(
        db.select(Agreement)
        .where(Agreement.id == agreement_id)
        .options(
            db.joinedload(Agreement.responsible),
            db.joinedload(Agreement.origin_meeting).joinedload(Meeting.course).joinedload(Course.citizen),
            db.selectinload(Agreement.reviews),
            db.selectinload(Agreement.follow_ups),
        )
    ).unique().one_or_none()
    if agreement is None:
        return None
    follow_ups = sorted(agreement.follow_ups, key=lambda f: (f.contacted_on, f.id))
    users = users_by_id([f.author_id for f in follow_ups] + [r.reviewed_by_id for r in agreement.reviews])
    return AgreementLog(agreement, agreement.origin_meeting.course, list(agreement.reviews), follow_ups, users)


# --- consent -------------------------------------------------------------------


def _active_consents(member_id: int, scope: ConsentScope) -> list[Consent]:
    return list(
        db.session.scalars(
            db.select(Consent).where(Consent.member_id == member_id, Consent.scope == scope, Consent.withdrawn_at.is_(None))
        )
    )


#: The consent form's two choices.
ALWAYS, ONLY_WHEN = "always", "only_when"


def circumstances_from_choice(choice: str | None, text: str | None) -> str:
    """Turn the form's "Always" / "Only in a certain situation: …" into the circumstances to record ("" is always).

    Without a choice, written words mean "only then"; "always" must be chosen, never assumed
    from an empty box, because it is the wider of the two.
    """
    text = (text or "").strip()
    if choice == ALWAYS:
        if text:
            # Either the choice or the words are a slip; sharing more than meant must not be the guess.
            raise FollowUpError(
                _l("You chose “Always” but wrote a situation. Choose “Only in a certain situation”, or empty the box."),
                field="circumstances",
            )
        return ""
    if not text:
        if choice == ONLY_WHEN:
            raise FollowUpError(_l("Write the situation, or choose “Always”."), field="circumstances")
        raise FollowUpError(_l("Choose “Always”, or write the situation in which it may be shared."), field="circumstances")
    return text


def give_consent(member: NetworkMember, scope: ConsentScope, circumstances: str, recorded_by: User | None) -> Consent:
    """Record that the citizen agrees `scope` may be shared with this member, under these circumstances.

    Giving again with other circumstances replaces the earlier consent; the earlier one stays in the history.
    """
    if member.kind == MemberKind.CITIZEN:
        raise FollowUpError(_l("The citizen always gets their own papers; no consent is needed."))
    if member.removed_at is not None:
        raise FollowUpError(_l("This person is no longer in the network."))
    circumstances = (circumstances or "").strip()
    now = utcnow()
    for old in _active_consents(member.id, scope):
        if old.circumstances == circumstances:
            return old
        old.withdrawn_at = now
    consent = Consent(
        course_id=member.course_id,
        member_id=member.id,
        scope=scope,
        circumstances=circumstances,
        given_at=now,
        recorded_by_id=recorded_by.id if recorded_by else None,
    )
    db.session.add(consent)
    db.session.flush()
    return consent


def withdraw_consent(consent: Consent) -> Consent:
    """Withdraw a consent at once: one step, as easy as giving it."""
    if consent.withdrawn_at is None:
        consent.withdrawn_at = utcnow()
        db.session.flush()
    return consent


def withdraw_consents(member: NetworkMember, scope: ConsentScope) -> int:
    """Withdraw every active consent of this member for `scope`; return how many there were."""
    active = _active_consents(member.id, scope)
    for consent in active:
        withdraw_consent(consent)
    return len(active)


#: Before the form had an "Always" choice, its hint said "e.g. always": these words, alone, mean no condition.
ALWAYS_WORDS = frozenset({"altid", "always"})


def condition_of(consent: Consent) -> str | None:
    """Return the circumstance a consent depends on ("on admission"), or None when it holds always.

    The app cannot know whether a circumstance applies, so a consent with one is conditional:
    it counts only when a person has checked that the circumstance applies now.
    """
    text = (consent.circumstances or "").strip()
    if not text or text.casefold().rstrip(".!") in ALWAYS_WORDS:
        return None
    return text


def _consent_counts(consent: Consent, circumstances_confirmed: bool) -> bool:
    """THE rule for one consent row: in force, and either unconditional or its circumstance confirmed by a person."""
    return consent.withdrawn_at is None and (circumstances_confirmed or condition_of(consent) is None)


def may_receive(member: NetworkMember, scope: ConsentScope, *, circumstances_confirmed: bool = False) -> bool:
    """THE rule: may `scope` (e.g. the summary) be shared with this member?

    The citizen always may; a member removed from the network never may; anyone else only
    while an active consent for exactly this scope is recorded. A consent "only when …" counts
    only with `circumstances_confirmed`: a person has checked that the circumstance applies.
    """
    if member.kind == MemberKind.CITIZEN:
        return member.removed_at is None
    if member.removed_at is not None:
        return False
    return any(_consent_counts(c, circumstances_confirmed) for c in _active_consents(member.id, scope))


@dataclass(frozen=True)
class Sharing:
    """Who may receive one kind of paper in a course, as `may_receive` says, split for a person to see."""

    #: The citizen first (without a consent row), then everyone whose consent holds always,
    #: and (for one meeting) those whose circumstance a person checked applies.
    recipients: list[tuple[NetworkMember, Consent | None]]
    #: Everyone whose consent holds only under a circumstance: never a plain recipient; a person checks first.
    conditional: list[tuple[NetworkMember, Consent]]
    #: The checks that made a conditional consent count for this meeting, by consent id.
    checks: dict[int, ConsentCheck] = field(default_factory=dict)

    @property
    def others(self) -> list[NetworkMember]:
        """The recipients besides the citizen."""
        return [m for m, _c in self.recipients if m.kind != MemberKind.CITIZEN]


def sharing(course_id: int, scope: ConsentScope, meeting_id: int | None = None) -> Sharing:
    """Return who may receive `scope` in a course, and who only under a circumstance, in two queries.

    With a meeting, a conditional consent whose circumstance a person checked for that
    meeting counts (`check_circumstance`); without one, none does.
    """
    members = db.session.scalars(
        db.select(NetworkMember).where(NetworkMember.course_id == course_id, NetworkMember.removed_at.is_(None)).order_by(NetworkMember.id)
    ).all()
    # The checks come in the same query, joined for this meeting only (none without one).
    checked_here = (
        db.and_(ConsentCheck.consent_id == Consent.id, ConsentCheck.meeting_id == meeting_id) if meeting_id is not None else db.false()
    )
    consents: dict[int, list[tuple[Consent, ConsentCheck | None]]] = {}
    for consent, check in db.session.execute(
        db.select(Consent, ConsentCheck)
        .outerjoin(ConsentCheck, checked_here)
        .where(Consent.course_id == course_id, Consent.scope == scope, Consent.withdrawn_at.is_(None))
        .order_by(Consent.given_at.desc(), Consent.id.desc())
    ):
        consents.setdefault(consent.member_id, []).append((consent, check))
    found: list[tuple[NetworkMember, Consent | None]] = []
    conditional: list[tuple[NetworkMember, Consent]] = []
    checks: dict[int, ConsentCheck] = {}
    for member in members:
        if member.kind == MemberKind.CITIZEN:
            found.insert(0, (member, None))
            continue
        # The same rule as may_receive, row by row: unconfirmed first, then confirmed by a
        # check for this meeting, then what a person could still confirm.
        mine = consents.get(member.id, [])
        always = next((c for c, _k in mine if _consent_counts(c, circumstances_confirmed=False)), None)
        checked = next(((c, k) for c, k in mine if k is not None and _consent_counts(c, circumstances_confirmed=True)), None)
        if always is not None:
            found.append((member, always))
        elif checked is not None:
            found.append((member, checked[0]))
            checks[checked[0].id] = checked[1]
        elif (only_when := next((c for c, _k in mine if _consent_counts(c, circumstances_confirmed=True)), None)) is not None:
            conditional.append((member, only_when))
    return Sharing(found, conditional, checks)


class InvalidCheck(Exception):
    """The consent cannot be checked for this meeting (another course, withdrawn, no circumstance, not closed)."""


def check_circumstance(consent: Consent, meeting: Meeting, user_id: int) -> bool:
    """Record that a person checked that a summary consent's circumstance applies, for this
    meeting's summary; return whether this is a new check (not a second tap).

    Only for this meeting: the next summary needs its own check. A withdrawn consent's check
    stops counting at once (`sharing` reads only consents in force)."""
    member = consent.member
    if (
        consent.course_id != meeting.course_id
        or consent.scope != ConsentScope.SUMMARY
        or consent.withdrawn_at is not None
        or condition_of(consent) is None
        or member.removed_at is not None
        or meeting.closed_at is None
    ):
        raise InvalidCheck
    if _check_of(consent, meeting) is not None:  # tapped twice, or on two screens: one check
        return False
    db.session.add(ConsentCheck(consent_id=consent.id, meeting_id=meeting.id, checked_by_id=user_id, checked_at=utcnow()))
    db.session.flush()
    return True


def undo_check(consent: Consent, meeting: Meeting) -> bool:
    """Take back a check made by mistake; return whether there was one."""
    if consent.course_id != meeting.course_id:
        raise InvalidCheck
    check = _check_of(consent, meeting)
    if check is None:
        return False
    db.session.delete(check)
    db.session.flush()
    return True


def _check_of(consent: Consent, meeting: Meeting) -> ConsentCheck | None:
    return db.session.scalar(
        db.select(ConsentCheck).where(ConsentCheck.consent_id == consent.id, ConsentCheck.meeting_id == meeting.id)
    )


def recipients(
    course_id: int, scope: ConsentScope, *, circumstances_confirmed: bool = False
) -> list[tuple[NetworkMember, Consent | None]]:
    """Return everyone who may receive `scope` in a course (the citizen first, without a consent row), in two queries.

    The same rule as `may_receive`, for a whole course at once: a conditional consent is
    left out unless `circumstances_confirmed`.
    """
    found = sharing(course_id, scope)
    if not circumstances_confirmed:
        return found.recipients
    citizen = [pair for pair in found.recipients if pair[0].kind == MemberKind.CITIZEN]
    others = [pair for pair in found.recipients if pair[0].kind != MemberKind.CITIZEN] + found.conditional
    return citizen + sorted(others, key=lambda pair: pair[0].id)


@dataclass(frozen=True)
class ConsentRegister:
    course: Course
    members: list[NetworkMember]
    #: (member id, scope) → the consent in force.
    active: dict[tuple[int, ConsentScope], Consent]
    #: member id → every consent ever recorded, newest first (withdrawn ones included).
    history: dict[int, list[Consent]]
    users: dict[int, User]
    scopes: list[ConsentScope] = field(default_factory=lambda: list(ConsentScope))

    def condition(self, consent: Consent) -> str | None:
        """Return the situation a consent holds in, or None when it holds always (for the page)."""
        return condition_of(consent)


def consent_register(course_id: int) -> ConsentRegister:
    """Return the consent register of a course: per member, what may be shared and since when, in a fixed number of queries."""
    course = db.session.scalars(db.select(Course).where(Course.id == course_id).options(db.joinedload(Course.citizen))).one()
    members = [m for m in current_members(course_id) if m.kind in (MemberKind.PRIVATE, MemberKind.PROFESSIONAL)]
    consents = db.session.scalars(
        db.select(Consent).where(Consent.course_id == course_id).order_by(Consent.given_at.desc(), Consent.id.desc())
    ).all()
    active: dict[tuple[int, ConsentScope], Consent] = {}
    history: dict[int, list[Consent]] = {}
    for consent in consents:
        history.setdefault(consent.member_id, []).append(consent)
        if consent.withdrawn_at is None:
            active.setdefault((consent.member_id, consent.scope), consent)
    users = users_by_id(c.recorded_by_id for c in consents)
    return ConsentRegister(course, members, active, history, users)


# --- the network ------------------------------------------------------------------

_KIND_ORDER = {MemberKind.CITIZEN: 0, MemberKind.PRIVATE: 1, MemberKind.PROFESSIONAL: 2, MemberKind.TEAM: 3}


def current_members(course_id: int) -> list[NetworkMember]:
    """Return the course's current network: the citizen, private, professional, then the team."""
    members = db.session.scalars(
        db.select(NetworkMember).where(NetworkMember.course_id == course_id, NetworkMember.removed_at.is_(None))
    ).all()
    return sorted(members, key=lambda m: (_KIND_ORDER[m.kind], m.id))


def editable(member: NetworkMember) -> bool:
    """Whether the member can be edited or removed from the network list (not the citizen, not the team)."""
    return member.kind in (MemberKind.PRIVATE, MemberKind.PROFESSIONAL) and member.removed_at is None


def update_member(member: NetworkMember, **values) -> NetworkMember:
    """Change how a private or professional member is described: relation, organisation, mandate, contact…"""
    if not editable(member):
        raise FollowUpError(_l("This person cannot be changed here."))
    name = (values.get("name") or "").strip()
    if not name:
        raise FollowUpError(_l("Write the person's name."), field="name")
    member.name = name
    member.kind = values.get("kind", member.kind)
    member.relation = (values.get("relation") or "").strip()
    for key in ("organisation", "mandate", "contact"):
        setattr(member, key, (values.get(key) or "").strip() or None)
    member.closeness = values.get("closeness", member.closeness)
    member.language = values.get("language", member.language)
    db.session.flush()
    return member


def remove_member(member: NetworkMember, now: datetime | None = None) -> NetworkMember:
    """Take someone out of the network: they stay in the history, leave coming invitations and receive nothing more."""
    if not editable(member):
        raise FollowUpError(_l("This person cannot be removed here."))
    member.removed_at = now or utcnow()
    not_started = db.select(Meeting.id).where(Meeting.course_id == member.course_id, Meeting.opened_at.is_(None))
    db.session.execute(
        db.delete(Attendance).where(
            Attendance.member_id == member.id,
            Attendance.status == AttendanceStatus.INVITED,
            Attendance.meeting_id.in_(not_started),
        )
    )
    db.session.flush()
    return member


# --- goals, hopes and dreams --------------------------------------------------------


def _goal_text(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise FollowUpError(_l("Write the goal, hope or dream in the citizen's own words."), field="text")
    return text


def add_goal(course: Course, kind: GoalKind, text: str) -> Goal:
    """Write down one of the citizen's own goals, hopes or dreams, in their words."""
    goal = Goal(course_id=course.id, kind=kind, text=_goal_text(text))
    db.session.add(goal)
    db.session.flush()
    return goal


def edit_goal(goal: Goal, kind: GoalKind, text: str) -> Goal:
    """Change a goal, hope or dream."""
    goal.kind, goal.text = kind, _goal_text(text)
    db.session.flush()
    return goal


def remove_goal(goal: Goal) -> None:
    """Remove a goal, hope or dream (agreements that pointed at it keep their text)."""
    db.session.execute(db.update(Agreement).where(Agreement.goal_id == goal.id).values(goal_id=None))
    course = db.session.get(Course, goal.course_id)
    db.session.delete(goal)
    db.session.flush()
    if course is not None:
        db.session.expire(course, ["goals"])


def course_with_goals(course_id: int) -> Course | None:
    """Return a course with its citizen and its goals, freshly read."""
    return db.session.scalars(
        db.select(Course)
        .where(Course.id == course_id)
        .options(db.joinedload(Course.citizen), db.selectinload(Course.goals))
        .execution_options(populate_existing=True)
    ).one_or_none()


def course_with_citizen(course_id: int) -> Course | None:
    """Return a course with its citizen."""
    return db.session.scalars(db.select(Course).where(Course.id == course_id).options(db.joinedload(Course.citizen))).one_or_none()


def goal_in_course(course_id: int, goal_id: int | None) -> Goal | None:
    """Return the goal only if it belongs to this course (ids from a form are never trusted alone)."""
    if goal_id is None:
        return None
    goal = db.session.get(Goal, goal_id)
    return goal if goal is not None and goal.course_id == course_id else None


# --- convening ---------------------------------------------------------------------


def _check_open(course: Course) -> None:
    if course.ended_at is not None:
        raise FollowUpError(_l("This course has ended; no new meetings can be planned."))


def _invite_citizen(meeting: Meeting) -> None:
    citizen = db.session.scalars(
        db.select(NetworkMember).where(NetworkMember.course_id == meeting.course_id, NetworkMember.kind == MemberKind.CITIZEN)
    ).first()
    if citizen is not None:
        db.session.add(Attendance(meeting_id=meeting.id, member_id=citizen.id, status=AttendanceStatus.INVITED))
        db.session.flush()


def plan_regular_meeting(
    course: Course,
    planned_at: datetime,
    *,
    location: str = "",
    theme: str = "",
    planned_minutes: int = DEFAULT_MEETING_MINUTES,
    now: datetime | None = None,
) -> Meeting:
    """Plan a regular network meeting (naive UTC time); the citizen is invited from the start."""
    _check_open(course)
    if planned_at <= (now or utcnow()):
        raise FollowUpError(_l("Choose a time that has not passed yet."), field="planned_at")
    meeting = Meeting(
        course_id=course.id,
        kind=MeetingKind.REGULAR,
        planned_at=planned_at,
        location=(location or "").strip(),
        theme=(theme or "").strip(),
        planned_minutes=planned_minutes,
    )
    db.session.add(meeting)
    db.session.flush()
    _invite_citizen(meeting)
    return meeting


def propose_acute_time(now: datetime | None = None) -> datetime:
    """Return the default proposal for an acute meeting: a few hours from now, well within 24 hours."""
    return _round_up((now or utcnow()) + ACUTE_DEFAULT_DELAY)


def plan_acute_meeting(
    course: Course,
    *,
    now: datetime | None = None,
    planned_at: datetime | None = None,
    location: str = "",
    theme: str = "",
    planned_minutes: int = DEFAULT_MEETING_MINUTES,
) -> Meeting:
    """Plan an acute meeting as the rapid response to a crisis: requested now, proposed within 24 hours."""
    _check_open(course)
    now = now or utcnow()
    planned_at = planned_at or propose_acute_time(now)
    if planned_at < now - timedelta(minutes=ROUND_TO_MINUTES):
        raise FollowUpError(_l("Choose a time that has not passed yet."), field="planned_at")
    meeting = Meeting(
        course_id=course.id,
        kind=MeetingKind.ACUTE,
        planned_at=planned_at,
        requested_at=now,
        location=(location or "").strip(),
        theme=(theme or "").strip(),
        planned_minutes=planned_minutes,
    )
    db.session.add(meeting)
    db.session.flush()
    _invite_citizen(meeting)
    return meeting


def later_than_rapid_response(meeting: Meeting) -> bool:
    """Whether an acute meeting is planned later than 24 hours after it was asked for (a gentle warning, never a block)."""
    return (
        meeting.kind == MeetingKind.ACUTE
        and meeting.requested_at is not None
        and meeting.planned_at - meeting.requested_at > ACUTE_RESPONSE_WITHIN
    )


def invitees(meeting_id: int) -> list[Attendance]:
    """Return who is invited to a meeting, the citizen first, with their network entry, in one query."""
    rows = db.session.scalars(
        db.select(Attendance).where(Attendance.meeting_id == meeting_id).options(db.joinedload(Attendance.member))
    ).all()
    return sorted(rows, key=lambda a: (_KIND_ORDER[a.member.kind], a.member.id))


def record_pre_meeting(
    meeting: Meeting,
    at: datetime | None,
    citizen_topics: str,
    note: str,
    invited: Iterable[NetworkMember],
    *,
    max_participants: int | None = None,
    set_max: bool = False,
) -> Meeting:
    """Record the pre-meeting with the citizen: when, what they want to talk about, and whom they want invited.

    The invitation list becomes exactly `invited` (the citizen is always invited); people who
    already answered keep their answer. With `set_max`, the citizen's own limit on how many
    people they can manage is saved on the course too.
    """
    if meeting.closed_at is not None:
        raise FollowUpError(_l("This meeting has already been held."))
    chosen = {m.id: m for m in invited}
    for member in chosen.values():
        if member.course_id != meeting.course_id or member.removed_at is not None:
            raise FollowUpError(_l("Only people in the citizen's network can be invited."), field="invitees")
    if set_max and max_participants is not None and max_participants < 1:
        raise FollowUpError(_l("Write a number of at least 1, or leave it empty."), field="max_participants")
    meeting.pre_meeting_at = at
    meeting.citizen_topics = (citizen_topics or "").strip()
    meeting.pre_meeting_note = (note or "").strip()
    if set_max:
        meeting.course.max_participants = max_participants

    rows = {a.member_id: a for a in db.session.scalars(db.select(Attendance).where(Attendance.meeting_id == meeting.id))}
    members = {m.id: m for m in db.session.scalars(db.select(NetworkMember).where(NetworkMember.id.in_(list(rows) or [0])))}
    for member_id, row in rows.items():
        member = members.get(member_id)
        keep = member_id in chosen or (member is not None and member.kind == MemberKind.CITIZEN)
        if not keep and row.status == AttendanceStatus.INVITED:
            db.session.delete(row)
    for member_id in chosen:
        if member_id not in rows:
            db.session.add(Attendance(meeting_id=meeting.id, member_id=member_id, status=AttendanceStatus.INVITED))
    if not any(m.kind == MemberKind.CITIZEN for m in [*members.values(), *chosen.values()]):
        _invite_citizen(meeting)
    db.session.flush()
    return meeting


@dataclass(frozen=True)
class ParticipantCheck:
    """How many people are invited besides the citizen, against how many the citizen can manage."""

    count: int
    limit: int | None

    @property
    def too_many(self) -> bool:
        return self.limit is not None and self.count > self.limit


def participant_check(meeting: Meeting) -> ParticipantCheck:
    """Count the people invited besides the citizen and compare with the citizen's limit (a warning, never a block)."""
    count = db.session.scalar(
        db.select(db.func.count(Attendance.id))
        .join(NetworkMember, Attendance.member_id == NetworkMember.id)
        .where(Attendance.meeting_id == meeting.id, NetworkMember.kind != MemberKind.CITIZEN)
    )
    return ParticipantCheck(int(count or 0), meeting.course.max_participants)


def tovholders(course_id: int) -> list[User]:
    """Return the course's tovholders (the people an invitee can contact)."""
    return list(
        db.session.scalars(
            db.select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(RoleAssignment.course_id == course_id, RoleAssignment.role == Role.TOVHOLDER)
            .order_by(User.display_name)
        )
    )


def meetings_of(course_id: int) -> list[Meeting]:
    """Return the course's meetings not yet held, soonest first."""
    return list(
        db.session.scalars(
            db.select(Meeting).where(Meeting.course_id == course_id, Meeting.closed_at.is_(None)).order_by(Meeting.planned_at, Meeting.id)
        )
    )


# --- ending a course ------------------------------------------------------------------


def end_course(course: Course, note: str, now: datetime | None = None) -> Course:
    """Close a course with a short note: it leaves the dashboards but stays readable."""
    if course.ended_at is not None:
        raise FollowUpError(_l("This course has already ended."))
    note = (note or "").strip()
    if not note:
        raise FollowUpError(_l("Write a short note about why the course ends."), field="note")
    running = db.session.scalar(
        db.select(Meeting.id).where(Meeting.course_id == course.id, Meeting.opened_at.is_not(None), Meeting.closed_at.is_(None)).limit(1)
    )
    if running is not None:
        raise FollowUpError(_l("A meeting of this course is still going on. Close it first."))
    course.ended_at = now or utcnow()
    course.end_note = note
    db.session.flush()
    return course


def resume_course(course: Course, reason: str) -> str:
    """Take an ended course up again (the citizen came back, or it was ended by mistake).

    Returns what the audit log keeps of it: the end that is undone and the reason, so the
    course's history is not lost when its end note is cleared.
    """
    if course.ended_at is None:
        raise FollowUpError(_l("This course has not ended."))
    reason = (reason or "").strip()
    if not reason:
        raise FollowUpError(_l("Write why the course is taken up again."), field="reason")
    history = f"{course.ended_at:%Y-%m-%d}: {course.end_note} → {reason}"
    course.ended_at = None
    course.end_note = ""
    db.session.flush()
    return history


# --- demo data --------------------------------------------------------------------------


def add_demo_followups(course: Course, tovholder: User, now: datetime | None = None, *, pre_meeting: bool = True) -> None:
    """Add the demo's follow-up: a contact about the job centre agreement, Maja's limit and (optionally) a pre-meeting."""
    now = now or utcnow()
    open_ones = db.session.scalars(
        db.select(Agreement)
        .join(NetworkMember, Agreement.responsible_id == NetworkMember.id)
        .where(Agreement.course_id == course.id, Agreement.status == AgreementStatus.OPEN, NetworkMember.kind == MemberKind.PROFESSIONAL)
        .order_by(Agreement.id)
    ).all()
    for agreement in open_ones[:1]:
        db.session.add(
            FollowUp(
                agreement_id=agreement.id,
                contacted_on=(now - timedelta(days=3)).date(),
                text="Ringede til Lene på jobcentret. Rideskolen har ikke svaret endnu; Lene ringer til Maja på fredag.",
                author_id=tovholder.id,
            )
        )
    course.max_participants = 7
    coming = db.session.scalars(
        db.select(Meeting).where(Meeting.course_id == course.id, Meeting.closed_at.is_(None)).order_by(Meeting.planned_at)
    ).first()
    if coming is not None and pre_meeting:
        coming.pre_meeting_at = now - timedelta(days=1)
        coming.pre_meeting_note = "Formøde hos Maja. Hun vil gerne have, at Jonas kommer med."
        if not coming.citizen_topics:
            coming.citizen_topics = "Praktikken på rideskolen, og at jeg stadig sover dårligt."
    db.session.flush()
