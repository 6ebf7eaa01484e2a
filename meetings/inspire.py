"""Recovery and meeting feedback as plain functions: Brief INSPIRE and session ratings.

Brief INSPIRE (Williams et al. 2015, researchintorecovery.com) asks five questions, one for each
part of CHIME — connectedness, hope, identity, meaning, empowerment — each answered on a
five-step scale from 0 (*not at all*) to 4 (*very much*). Every question may be skipped, and so
may the whole questionnaire: nothing else in Rundbord depends on it.

The session rating asks "how was this meeting for you?" on a scale from 1 to 5, first of all
the citizen, optionally other members of the network. Answering again replaces the answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.exc import IntegrityError

from extensions import db
from meetings import services
from kernel.clock import utcnow
from meetings.models import (
    Attendance,
    AttendanceStatus,
    Course,
    InspireResponse,
    Meeting,
    MemberKind,
    NetworkMember,
    SessionRating,
)
from kernel.enums import TitledEnum

# --- Brief INSPIRE -----------------------------------------------------------


class InspireItem(TitledEnum):
    """The five Brief INSPIRE questions, in the questionnaire's order; values are the column names."""

    CONNECTEDNESS = "connectedness"
    HOPE = "hope"
    IDENTITY = "identity"
    MEANING = "meaning"
    EMPOWERMENT = "empowerment"

    @property
    def question(self):
        """Return the question as the citizen reads it, translated when it is rendered."""
        return INSPIRE_QUESTIONS[self]


#: Short names of the CHIME parts, for charts and tables read by the network team.
InspireItem.__titles__ = {
    InspireItem.CONNECTEDNESS: lazy_pgettext("CHIME", "Connectedness"),
    InspireItem.HOPE: lazy_pgettext("CHIME", "Hope"),
    InspireItem.IDENTITY: lazy_pgettext("CHIME", "Identity"),
    InspireItem.MEANING: lazy_pgettext("CHIME", "Meaning"),
    InspireItem.EMPOWERMENT: lazy_pgettext("CHIME", "Empowerment"),
}

#: The questions, after the Danish wording in the course material (seeds/002, exercise to theme 1).
INSPIRE_QUESTIONS = {
    InspireItem.CONNECTEDNESS: _l("The professional I work with helps me to feel supported by other people."),
    InspireItem.HOPE: _l("The professional I work with helps me to have hopes and dreams for the future."),
    InspireItem.IDENTITY: _l("The professional I work with helps me to feel good about myself."),
    InspireItem.MEANING: _l("The professional I work with helps me to do things that mean something to me."),
    InspireItem.EMPOWERMENT: _l("The professional I work with helps me to feel in control of my own life."),
}

#: The answer scale: the stored value and its words (Slet ikke / Lidt / I nogen grad / En hel del / Rigtig meget).
INSPIRE_ANSWERS: tuple[tuple[int, object], ...] = (
    (0, _l("Not at all")),
    (1, _l("A little")),
    (2, _l("Somewhat")),
    (3, _l("Quite a lot")),
    (4, _l("Very much")),
)
INSPIRE_MAX = 4


def answer_label(value: int | None):
    """Return the words for an answer value (0..4); None for a skipped question."""
    if value is None:
        return None
    return dict(INSPIRE_ANSWERS)[value]


def inspire_score(answers: Mapping[InspireItem, int | None]) -> float | None:
    """Return the Brief INSPIRE total as 0–100, from the answered questions only.

    The formula: the mean of the answered items (each 0..4) times 25, which is the same as
    ``sum of answers / (4 × number answered) × 100``. With all five answered it is the
    published Brief INSPIRE score; a skipped question neither counts as 0 nor lowers the
    score. Rounded to one decimal, halves up (56.25 → 56.3). With every question skipped
    there is no score: None.
    """
    given = [v for v in answers.values() if v is not None]
    if not given:
        return None
    exact = Decimal(sum(given) * 100) / Decimal(INSPIRE_MAX * len(given))
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _answers_of(response: InspireResponse) -> dict[InspireItem, int | None]:
    return {item: getattr(response, item.value) for item in InspireItem}


def _check_answers(answers: Mapping[InspireItem | str, int | None]) -> dict[InspireItem, int | None]:
    clean: dict[InspireItem, int | None] = {item: None for item in InspireItem}
    for key, value in answers.items():
        try:
            item = InspireItem(key)
        except ValueError:
            raise ValueError(f"unknown INSPIRE question {key!r}") from None
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= INSPIRE_MAX):
            raise ValueError(f"an INSPIRE answer is 0..{INSPIRE_MAX} or None (skipped), not {value!r}")
        clean[item] = value
    return clean


def record_inspire(
    course: Course,
    answers: Mapping[InspireItem | str, int | None],
    meeting: Meeting | None = None,
    answered_at: datetime | None = None,
) -> InspireResponse:
    """Store one Brief INSPIRE response as given; a question left out or None is skipped.

    Every question may be skipped; the response is stored all the same (it carries no score).
    Raises ValueError for an unknown question, an answer outside 0..4, or a meeting of another course.
    """
    clean = _check_answers(answers)
    if meeting is not None and meeting.course_id != course.id:
        raise ValueError("the meeting belongs to another course")
    response = InspireResponse(
        course_id=course.id,
        meeting_id=meeting.id if meeting is not None else None,
        answered_at=answered_at or utcnow(),
        **{item.value: value for item, value in clean.items()},
    )
    db.session.add(response)
    db.session.flush()
    return response


@dataclass(frozen=True)
class InspireResult:
    """One response as the charts and tables read it."""

    id: int
    answered_at: datetime
    meeting_id: int | None
    answers: dict[InspireItem, int | None]
    score: float | None

    @property
    def answered(self) -> int:
        """Return how many of the five questions were answered."""
        return sum(v is not None for v in self.answers.values())


def inspire_history(course_id: int) -> list[InspireResult]:
    """Return the course's INSPIRE responses, oldest first, each with its score."""
    rows = db.session.scalars(
        db.select(InspireResponse)
        .where(InspireResponse.course_id == course_id)
        .order_by(InspireResponse.answered_at, InspireResponse.id)
    )
    results = []
    for row in rows:
        answers = _answers_of(row)
        results.append(InspireResult(row.id, row.answered_at, row.meeting_id, answers, inspire_score(answers)))
    return results


def score_series(course_id: int) -> list[tuple[datetime, float | None]]:
    """Return (answered at, total 0–100 or None when all was skipped) per response, oldest first."""
    return [(r.answered_at, r.score) for r in inspire_history(course_id)]


def item_series(course_id: int) -> dict[InspireItem, list[tuple[datetime, int | None]]]:
    """Return, for each question, (answered at, answer 0..4 or None when skipped) per response."""
    history = inspire_history(course_id)
    return {item: [(r.answered_at, r.answers[item]) for r in history] for item in InspireItem}


def latest_inspire(course_id: int) -> InspireResult | None:
    """Return the newest response of the course, if any."""
    history = inspire_history(course_id)
    return history[-1] if history else None


# --- session ratings ---------------------------------------------------------

RATING_MIN, RATING_MAX = 1, 5

#: The rating scale's words, from 1 (bad) to 5 (good).
RATING_LABELS: dict[int, object] = {
    1: _l("Bad"),
    2: _l("Not so good"),
    3: _l("Okay"),
    4: _l("Good"),
    5: _l("Very good"),
}
COMMENT_MAX = 2000


def record_rating(meeting: Meeting, member: NetworkMember, score: int, comment: str = "") -> SessionRating:
    """Record how the meeting was for one member; answering again replaces the earlier answer.

    Raises ValueError for a score outside 1..5, a comment longer than 2000 characters or a
    member from another course.
    """
    if isinstance(score, bool) or not isinstance(score, int) or not RATING_MIN <= score <= RATING_MAX:
        raise ValueError(f"a session rating is {RATING_MIN}..{RATING_MAX}, not {score!r}")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValueError(f"the comment is longer than {COMMENT_MAX} characters")
    if member.course_id != meeting.course_id:
        raise ValueError("the member belongs to another course")
    rating = _rating_of(meeting.id, member.id)
    if rating is None:
        try:
            # Two tablets may answer at once: the unique constraint decides, the loser updates.
            with db.session.begin_nested():
                rating = SessionRating(meeting_id=meeting.id, member_id=member.id, score=score, comment=comment)
                db.session.add(rating)
            return rating
        except IntegrityError:
            rating = _rating_of(meeting.id, member.id)
            assert rating is not None
    rating.score = score
    rating.comment = comment
    rating.created_at = utcnow()
    db.session.flush()
    return rating


def _rating_of(meeting_id: int, member_id: int) -> SessionRating | None:
    return db.session.scalars(
        db.select(SessionRating).where(SessionRating.meeting_id == meeting_id, SessionRating.member_id == member_id)
    ).one_or_none()


def rating_of(meeting: Meeting, member: NetworkMember) -> SessionRating | None:
    """Return the member's rating of the meeting, if they gave one."""
    return _rating_of(meeting.id, member.id)


def _citizen_first(rating: SessionRating) -> tuple[int, int]:
    return (0 if rating.member.kind == MemberKind.CITIZEN else 1, rating.member_id)


def meeting_ratings(meeting_id: int) -> list[SessionRating]:
    """Return the ratings given for one meeting, the citizen's first."""
    ratings = db.session.scalars(
        db.select(SessionRating).where(SessionRating.meeting_id == meeting_id).options(db.joinedload(SessionRating.member))
    ).all()
    return sorted(ratings, key=_citizen_first)


def citizen_rating(meeting: Meeting) -> SessionRating | None:
    """Return the citizen's own rating of the meeting, if they gave one."""
    return db.session.scalars(
        db.select(SessionRating)
        .join(NetworkMember, SessionRating.member_id == NetworkMember.id)
        .where(SessionRating.meeting_id == meeting.id, NetworkMember.kind == MemberKind.CITIZEN)
    ).first()


def rating_members(meeting: Meeting) -> list[NetworkMember]:
    """Return who may rate the meeting, the citizen first.

    When attendance was taken, those present (and the citizen, always); otherwise the whole
    current network. The citizen is always in the list.
    """
    order = {MemberKind.CITIZEN: 0, MemberKind.PRIVATE: 1, MemberKind.PROFESSIONAL: 2, MemberKind.TEAM: 3}
    members = db.session.scalars(
        db.select(NetworkMember).where(
            NetworkMember.course_id == meeting.course_id,
            db.or_(NetworkMember.removed_at.is_(None), NetworkMember.kind == MemberKind.CITIZEN),
        )
    ).all()
    present = set(
        db.session.scalars(
            db.select(Attendance.member_id).where(Attendance.meeting_id == meeting.id, Attendance.status == AttendanceStatus.PRESENT)
        )
    )
    if present:
        members = [m for m in members if m.id in present or m.kind == MemberKind.CITIZEN]
    return sorted(members, key=lambda m: (order[m.kind], m.id))


@dataclass(frozen=True)
class MeetingRatings:
    """The ratings of one meeting, for the chart: the citizen's and everyone else's."""

    meeting_id: int
    planned_at: datetime
    citizen: int | None
    others: tuple[int, ...]

    @property
    def others_mean(self) -> float | None:
        """Return the other members' mean rating, one decimal; None if nobody else rated."""
        if not self.others:
            return None
        exact = Decimal(sum(self.others)) / Decimal(len(self.others))
        return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def ratings_by_meeting(course_id: int) -> list[MeetingRatings]:
    """Return, per meeting of the course that has any rating, the citizen's and the others' ratings, oldest first."""
    rows = db.session.execute(
        db.select(Meeting.id, Meeting.planned_at, SessionRating.score, NetworkMember.kind)
        .join(SessionRating, SessionRating.meeting_id == Meeting.id)
        .join(NetworkMember, SessionRating.member_id == NetworkMember.id)
        .where(Meeting.course_id == course_id)
        .order_by(Meeting.planned_at, Meeting.id, SessionRating.id)
    ).all()
    planned: dict[int, datetime] = {}
    citizen: dict[int, int] = {}
    others: dict[int, list[int]] = {}
    for meeting_id, planned_at, score, kind in rows:
        planned[meeting_id] = planned_at
        if kind == MemberKind.CITIZEN:
            citizen[meeting_id] = score
        else:
            others.setdefault(meeting_id, []).append(score)
    return [MeetingRatings(mid, at, citizen.get(mid), tuple(others.get(mid, ()))) for mid, at in planned.items()]


# --- the citizen's data export -------------------------------------------------


def _iso_utc(moment: datetime | None) -> str | None:
    return moment.replace(tzinfo=UTC).isoformat() if moment is not None else None


def inspire_export(course_id: int) -> list[dict]:
    """Return every INSPIRE response of the course as plain, JSON-ready dicts, oldest first.

    Keys: answered_at (ISO 8601, UTC), meeting_id, meeting_planned_at, one key per question
    (0..4 or None when skipped), answered (how many of the five), score (0–100 or None).
    """
    planned = dict(
        db.session.execute(db.select(Meeting.id, Meeting.planned_at).where(Meeting.course_id == course_id)).tuples().all()
    )
    return [
        {
            "answered_at": _iso_utc(r.answered_at),
            "meeting_id": r.meeting_id,
            "meeting_planned_at": _iso_utc(planned.get(r.meeting_id)) if r.meeting_id else None,
            **{item.value: r.answers[item] for item in InspireItem},
            "answered": r.answered,
            "score": r.score,
        }
        for r in inspire_history(course_id)
    ]


def ratings_export(course_id: int, include_others: bool = False) -> list[dict]:
    """Return the session ratings of the course as plain, JSON-ready dicts, oldest meeting first.

    By default only the citizen's own ratings: other members' ratings and comments are their
    words, not the citizen's. Keys: meeting_id, meeting_planned_at, rated_at (ISO 8601, UTC),
    by (the member's name), by_citizen, score (1..5), comment.
    """
    query = (
        db.select(SessionRating, Meeting.planned_at)
        .join(Meeting, SessionRating.meeting_id == Meeting.id)
        .join(NetworkMember, SessionRating.member_id == NetworkMember.id)
        .where(Meeting.course_id == course_id)
        .options(db.joinedload(SessionRating.member))
        .order_by(Meeting.planned_at, Meeting.id, SessionRating.id)
    )
    if not include_others:
        query = query.where(NetworkMember.kind == MemberKind.CITIZEN)
    return [
        {
            "meeting_id": rating.meeting_id,
            "meeting_planned_at": _iso_utc(planned_at),
            "rated_at": _iso_utc(rating.created_at),
            "by": rating.member.name,
            "by_citizen": rating.member.kind == MemberKind.CITIZEN,
            "score": rating.score,
            "comment": rating.comment,
        }
        for rating, planned_at in db.session.execute(query).all()
    ]


def set_chart_in_summary(course: Course, include: bool) -> None:
    """Record the citizen's choice: their INSPIRE answers in the meeting summary, or not."""
    course.chart_in_summary = include
    db.session.flush()


# --- demo ----------------------------------------------------------------------


def add_demo_feedback(course_id: int) -> None:
    """Add fictional INSPIRE responses and session ratings to the demo course's held meetings."""
    course = db.session.get(Course, course_id)
    held = [m for m in db.session.scalars(db.select(Meeting).where(Meeting.course_id == course_id).order_by(Meeting.planned_at)) if m.closed_at]
    if course is None or not held:
        return
    citizen = services.citizen_member(course_id)
    by_relation = {m.relation: m for m in db.session.scalars(db.select(NetworkMember).where(NetworkMember.course_id == course_id))}
    first, last = held[0], held[-1]
    record_inspire(course, {"connectedness": 2, "hope": 1, "identity": 1, "meaning": 2, "empowerment": 1}, meeting=first, answered_at=first.closed_at)
    # Between the meetings, at home with her support worker; she skipped the question about herself.
    between = first.closed_at + (last.planned_at - first.closed_at) / 2
    record_inspire(course, {"connectedness": 3, "hope": 2, "identity": None, "meaning": 2, "empowerment": 2}, answered_at=between)
    record_inspire(course, {"connectedness": 3, "hope": 3, "identity": 2, "meaning": 4, "empowerment": 2}, meeting=last, answered_at=last.closed_at)
    record_rating(first, citizen, 3, "Det var mange mennesker, men det var godt, at mor var med.")
    record_rating(last, citizen, 4, "Bedre at være hjemme hos mig selv.")
    for relation, meeting, score in (("mor", first, 4), ("bostøttemedarbejder", first, 4), ("mor", last, 5), ("lillebror", last, 5)):
        if relation in by_relation:
            record_rating(meeting, by_relation[relation], score)
    db.session.flush()

