"""Data series and exports of feedback that only the tests use (the app's own export is exports/citizen_data.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from extensions import db
from meetings.feedback.charts import inspire_chart
from meetings.feedback.inspire import InspireItem, InspireResult, inspire_history
from meetings.models import Meeting, MemberKind, NetworkMember, SessionRating


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


def inspire_chart_svg(course_id: int, locale: str | None = None) -> str:
    """Return the INSPIRE total chart as SVG for the citizen's summary, in their language; "" without a score.

    Call it only when `Course.chart_in_summary` is set: the citizen decides.
    """
    chart = inspire_chart(course_id, locale)
    return str(chart.svg) if chart is not None else ""
