"""Agreements: made at the close, reviewed at the start of the next meeting, carried on until finished."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from extensions import db
from kernel.refusal import Refusal
from meetings.course.calendar import plan_meeting
from meetings.models import (
    Agreement,
    AgreementReview,
    AgreementStatus,
    Attendance,
    AttendanceStatus,
    Goal,
    Meeting,
    MeetingKind,
    NetworkMember,
    ReviewOutcome,
)
from meetings.screen.notes import citizen_words
from meetings.screen.phases import MeetingClosed

#: What a review outcome does to the agreement: only done and dropped end it.
STATUS_AFTER = {
    ReviewOutcome.DONE: AgreementStatus.DONE,
    ReviewOutcome.DROPPED: AgreementStatus.DROPPED,
    ReviewOutcome.PARTLY: AgreementStatus.OPEN,
    ReviewOutcome.NOT_DONE: AgreementStatus.OPEN,
}


class InvalidAgreement(Refusal):
    """The agreement refers to someone or something outside the course, or its history keeps it."""


class ClosingBlocked(Refusal):
    """The meeting cannot be closed yet; `unowned` lists the agreements without a responsible person."""

    def __init__(self, unowned: list[Agreement]):
        super().__init__("agreements without a responsible person", field="responsible_id")
        self.unowned = unowned


def _member_in_course(member_id: int | None, course_id: int) -> int | None:
    if member_id is None:
        return None
    member = db.session.get(NetworkMember, member_id)
    if member is None or member.course_id != course_id:
        raise InvalidAgreement(_l("Choose someone from the citizen's network."), field="responsible_id")
    return member.id


def _goal_in_course(goal_id: int | None, course_id: int) -> int | None:
    if goal_id is None:
        return None
    goal = db.session.get(Goal, goal_id)
    if goal is None or goal.course_id != course_id:
        raise InvalidAgreement("the goal is not one of this course's", field="goal_id")
    return goal.id


def record_agreement(
    meeting: Meeting, text: str, responsible_id: int | None, due_on: date | None = None, goal_id: int | None = None
) -> Agreement:
    """Write down an agreement at the meeting (the responsible person may still be missing)."""
    if meeting.closed_at is not None:
        raise MeetingClosed
    agreement = Agreement(
        course_id=meeting.course_id,
        origin_meeting_id=meeting.id,
        text=text,
        responsible_id=_member_in_course(responsible_id, meeting.course_id),
        due_on=due_on,
        goal_id=_goal_in_course(goal_id, meeting.course_id),
    )
    db.session.add(agreement)
    db.session.flush()
    return agreement


def update_agreement(agreement: Agreement, text: str, responsible_id: int | None, due_on: date | None, goal_id: int | None) -> None:
    """Change an agreement while its meeting is still open."""
    if agreement.origin_meeting.closed_at is not None:
        raise MeetingClosed
    agreement.text = text
    agreement.responsible_id = _member_in_course(responsible_id, agreement.course_id)
    agreement.due_on = due_on
    agreement.goal_id = _goal_in_course(goal_id, agreement.course_id)
    db.session.flush()


def remove_agreement(agreement: Agreement) -> None:
    """Remove an agreement written by mistake, while its meeting is open and it has no history yet."""
    if agreement.origin_meeting.closed_at is not None:
        raise MeetingClosed
    if agreement.reviews or agreement.follow_ups:
        # It has been reviewed or followed up: that history stays. Review it as dropped instead.
        raise InvalidAgreement(_l("This agreement has been reviewed or followed up, so it stays. Review it as dropped instead."))
    db.session.delete(agreement)
    db.session.flush()


def made_at(meeting_id: int) -> list[Agreement]:
    """Return the agreements made at a meeting, in the order they were written."""
    return list(
        db.session.scalars(
            db.select(Agreement)
            .where(Agreement.origin_meeting_id == meeting_id)
            .options(db.joinedload(Agreement.responsible), db.joinedload(Agreement.goal))
            .order_by(Agreement.id)
        )
    )


@dataclass(frozen=True)
class ReviewItem:
    agreement: Agreement
    #: The review made at this meeting, if it has been reviewed yet.
    review: AgreementReview | None
    #: Reviews at meetings in between (it was carried on).
    earlier: list[AgreementReview]


def to_review(meeting: Meeting) -> list[ReviewItem]:
    """Return every agreement from earlier meetings that was open when this meeting began, oldest first.

    An agreement reviewed as partly or not done stays open and so comes back at every
    meeting until it is done or dropped. One reviewed at this meeting stays in the list,
    showing its outcome.
    """
    reviewed_here = db.select(AgreementReview.agreement_id).where(AgreementReview.meeting_id == meeting.id)
    agreements = db.session.scalars(
        db.select(Agreement)
        .join(Meeting, Agreement.origin_meeting_id == Meeting.id)
        .where(
            Agreement.course_id == meeting.course_id,
            Meeting.planned_at < meeting.planned_at,
            db.or_(Agreement.status == AgreementStatus.OPEN, Agreement.id.in_(reviewed_here)),
        )
        .options(
            db.joinedload(Agreement.responsible),
            db.joinedload(Agreement.origin_meeting),
            db.selectinload(Agreement.reviews),
            db.selectinload(Agreement.follow_ups),
        )
        .order_by(Meeting.planned_at, Agreement.id)
    ).unique()
    items = []
    for agreement in agreements:
        here = next((r for r in agreement.reviews if r.meeting_id == meeting.id), None)
        items.append(ReviewItem(agreement, here, [r for r in agreement.reviews if r.meeting_id != meeting.id]))
    return items


def review_agreement(
    agreement: Agreement, meeting: Meeting, outcome: ReviewOutcome, comment: str, reviewed_by_id: int | None
) -> AgreementReview:
    """Record how an agreement went (again at the same meeting replaces the first answer)."""
    if meeting.closed_at is not None:
        raise MeetingClosed
    if agreement.course_id != meeting.course_id or agreement.origin_meeting_id == meeting.id:
        raise InvalidAgreement("not an earlier agreement of this course")
    review = next((r for r in agreement.reviews if r.meeting_id == meeting.id), None)
    if review is None:
        review = AgreementReview(meeting_id=meeting.id, outcome=outcome)
        agreement.reviews.append(review)  # through the relationship, so a loaded list stays true
    review.outcome = outcome
    review.comment = comment
    review.reviewed_by_id = reviewed_by_id
    agreement.status = STATUS_AFTER[outcome]
    db.session.flush()
    return review


def unowned(meeting_id: int) -> list[Agreement]:
    """Return the meeting's agreements that have nobody responsible."""
    return [a for a in made_at(meeting_id) if a.responsible_id is None]


def close_meeting(meeting: Meeting, now: datetime) -> None:
    """Close the meeting and lock its notes; refused while an agreement has no responsible person."""
    if meeting.closed_at is not None:
        return
    missing = unowned(meeting.id)
    if missing:
        raise ClosingBlocked(missing)
    if meeting.opened_at is None:
        meeting.opened_at = now
    meeting.closed_at = now
    db.session.flush()


def reopen_meeting(meeting: Meeting) -> None:
    """Reopen a closed meeting (the tovholder's; the reason goes in the audit log)."""
    meeting.closed_at = None
    db.session.flush()


def next_meeting(meeting: Meeting) -> Meeting | None:
    """Return the course's next meeting planned after this one, if any."""
    return db.session.scalar(
        db.select(Meeting)
        .where(Meeting.course_id == meeting.course_id, Meeting.planned_at > meeting.planned_at, Meeting.id != meeting.id)
        .options(db.selectinload(Meeting.attendance).joinedload(Attendance.member))
        .order_by(Meeting.planned_at)
        .limit(1)
    )


def _previous_meeting_query(meeting: Meeting):
    return (
        db.select(Meeting)
        .where(Meeting.course_id == meeting.course_id, Meeting.planned_at < meeting.planned_at, Meeting.closed_at.is_not(None))
        .order_by(Meeting.planned_at.desc())
        .limit(1)
    )


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """Return the course's last meeting held before this one."""
    return db.session.scalar(_previous_meeting_query(meeting))


def citizen_words_last_time(meeting: Meeting) -> list:
    """Return what the citizen said at the previous meeting, in their own words (one query)."""
    previous_id = _previous_meeting_query(meeting).with_only_columns(Meeting.id).scalar_subquery()
    return citizen_words(previous_id)


def plan_next_meeting(meeting: Meeting, planned_at: datetime, invitee_ids: list[int], location: str = "") -> Meeting:
    """Plan the next meeting from the close of this one, inviting whom the citizen wants.

    If a next meeting is already planned, it is moved and its invitations are replaced.
    """
    nxt = next_meeting(meeting)
    if nxt is None or nxt.opened_at is not None:
        nxt = plan_meeting(meeting.course_id, planned_at, kind=MeetingKind.REGULAR, location=location or meeting.location)
    else:
        nxt.planned_at = planned_at
        if location:
            nxt.location = location
    wanted = {_member_in_course(i, meeting.course_id) for i in invitee_ids}
    existing = {a.member_id: a for a in db.session.scalars(db.select(Attendance).where(Attendance.meeting_id == nxt.id))}
    for member_id, row in existing.items():
        if member_id not in wanted and row.status == AttendanceStatus.INVITED:
            db.session.delete(row)
    for member_id in wanted:
        if member_id not in existing:
            db.session.add(Attendance(meeting_id=nxt.id, member_id=member_id, status=AttendanceStatus.INVITED))
    db.session.flush()
    db.session.expire(nxt, ["attendance"])  # rows changed behind the loaded list
    return nxt
