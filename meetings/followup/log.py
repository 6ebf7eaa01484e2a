"""The follow-up log: contacts the tovholder made about an agreement between meetings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from extensions import db
from kernel.clock import local_today
from kernel.refusal import Refusal
from meetings.models import (
    Agreement,
    AgreementReview,
    Course,
    FollowUp,
    Meeting,
)
from roles.models import User
from roles.services import users_by_id


def record_follow_up(agreement: Agreement, text: str, contacted_on: date, author: User | None, *, today: date | None = None) -> FollowUp:
    """Write down a contact the tovholder made about an agreement between meetings."""
    text = (text or "").strip()
    if not text:
        raise Refusal(_l("Write what the contact was about."), field="text")
    if contacted_on > (today or local_today()):
        raise Refusal(_l("The date of the contact cannot be in the future."), field="contacted_on")
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
