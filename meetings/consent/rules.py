"""Consent: what the citizen agrees may be shared with whom, and the one rule that says who may receive it."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from extensions import db
from kernel.clock import utcnow
from kernel.refusal import Refusal
from meetings.course.network import current_members
from meetings.models import (
    Consent,
    ConsentCheck,
    ConsentScope,
    Course,
    Meeting,
    MemberKind,
    NetworkMember,
)
from roles.models import User
from roles.services import users_by_id


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
            raise Refusal(
                _l("You chose “Always” but wrote a situation. Choose “Only in a certain situation”, or empty the box."),
                field="circumstances",
            )
        return ""
    if not text:
        if choice == ONLY_WHEN:
            raise Refusal(_l("Write the situation, or choose “Always”."), field="circumstances")
        raise Refusal(_l("Choose “Always”, or write the situation in which it may be shared."), field="circumstances")
    return text


def give_consent(member: NetworkMember, scope: ConsentScope, circumstances: str, recorded_by: User | None) -> Consent:
    """Record that the citizen agrees `scope` may be shared with this member, under these circumstances.

    Giving again with other circumstances replaces the earlier consent; the earlier one stays in the history.
    """
    if member.kind == MemberKind.CITIZEN:
        raise Refusal(_l("The citizen always gets their own papers; no consent is needed."))
    if member.removed_at is not None:
        raise Refusal(_l("This person is no longer in the network."))
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


class InvalidCheck(Refusal):
    """The consent cannot be checked for this meeting (another course, withdrawn, no circumstance, not closed)."""

    def __init__(self) -> None:
        super().__init__(_l("That consent cannot be checked for this summary any more. Look at the consent register."))


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
