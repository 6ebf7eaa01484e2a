"""The citizen's right of access and to data portability (GDPR art. 15 and 20).

`collect_citizen_data` gathers everything Rundbord holds about one citizen's course as plain
JSON-ready data; `build_citizen_data_zip` packs it as a machine-readable JSON file and a
readable DOCX (in the citizen's language), made from the same data. Nothing is left out
because it is awkward: notes not meant for the summary, observations and deleted notes are
held, so they are included. Other people's session ratings are the one thing kept out (they
are theirs; the copy says how many there were). The access log says when and for what purpose the data was
looked at, and which kind of page or action it was; never who (no user ids or names).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from datetime import datetime
from typing import Any

from flask_babel import force_locale

from exports.citizen_data_docx import build_citizen_data_docx
from exports.messages import citizen_data as messages_data
from extensions import db
from kernel.clock import iso_utc
from meetings.feedback.inspire import InspireItem
from meetings.models import (
    Agreement,
    Consent,
    ConsentCheck,
    Course,
    InspireResponse,
    Meeting,
    MemberKind,
    NetworkMember,
    Note,
    SessionRating,
)
from roles.models import AuditEntry

FORMAT = "rundbord-citizen-data/1"
JSON_NAME = "rundbord-citizen-data.json"
DOCX_NAME = "rundbord-citizen-data.docx"
INSPIRE_QUESTIONS = tuple(item.value for item in InspireItem)



_iso = iso_utc


def _enum(value) -> str | None:
    return value.value if value is not None else None


def collect_citizen_data(course_id: int, now: datetime) -> dict[str, Any]:
    """Return everything Rundbord holds about the citizen's course, as JSON-ready data."""
    course = db.session.get(Course, course_id)
    if course is None:
        raise LookupError(f"no course {course_id}")
    citizen = course.citizen
    members = db.session.scalars(
        db.select(NetworkMember).where(NetworkMember.course_id == course_id).order_by(NetworkMember.id)
    ).all()
    meetings = db.session.scalars(
        db.select(Meeting)
        .where(Meeting.course_id == course_id)
        .options(db.selectinload(Meeting.attendance))  # one query for all meetings, not one each
        .order_by(Meeting.planned_at, Meeting.id)
    ).all()
    meeting_ids = [m.id for m in meetings]
    notes = db.session.scalars(
        db.select(Note).where(Note.meeting_id.in_(meeting_ids)).order_by(Note.created_at, Note.id)
    ).all() if meeting_ids else []
    # The citizen's own ratings only. What others said of how a meeting was for them they
    # told the team, not the citizen (GDPR art. 15(4): a copy must not harm others' rights);
    # the copy says how many there were, so nothing is hidden that the citizen can't ask about.
    rated = db.session.execute(
        db.select(SessionRating, NetworkMember.kind)
        .join(NetworkMember, SessionRating.member_id == NetworkMember.id)
        .where(SessionRating.meeting_id.in_(meeting_ids))
        .order_by(SessionRating.id)
    ).all() if meeting_ids else []
    ratings = [r for r, kind in rated if kind == MemberKind.CITIZEN]
    others_rated = Counter(r.meeting_id for r, kind in rated if kind != MemberKind.CITIZEN)
    agreements = db.session.scalars(
        db.select(Agreement)
        .where(Agreement.course_id == course_id)
        .options(db.selectinload(Agreement.reviews), db.selectinload(Agreement.follow_ups))
        .order_by(Agreement.created_at, Agreement.id)
    ).all()
    # Each consent with the checks that its circumstance applied, in one query.
    consents: dict[Consent, list[ConsentCheck]] = {}
    for consent, check in db.session.execute(
        db.select(Consent, ConsentCheck)
        .outerjoin(ConsentCheck, ConsentCheck.consent_id == Consent.id)
        .where(Consent.course_id == course_id)
        .order_by(Consent.id, ConsentCheck.id)
    ):
        consents.setdefault(consent, [])
        if check is not None:
            consents[consent].append(check)
    inspire = db.session.scalars(
        db.select(InspireResponse).where(InspireResponse.course_id == course_id).order_by(InspireResponse.answered_at, InspireResponse.id)
    ).all()
    access = db.session.scalars(
        db.select(AuditEntry)
        .where(
            db.or_(AuditEntry.course_id == course_id, AuditEntry.citizen_id == citizen.id),
            # Since migration 0005 SQLite never hands out an erased citizen's id again, but a
            # database that had already reused one holds both people's entries under it, and
            # those from before this citizen existed are not theirs. (PostgreSQL never reuses.)
            AuditEntry.at >= citizen.created_at,
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()

    def by_meeting(rows, meeting_id):
        return [r for r in rows if r.meeting_id == meeting_id]

    attendance = {m.id: m.attendance for m in meetings}
    return {
        "format": FORMAT,
        "made_at": _iso(now),
        "language": citizen.language.value,
        "citizen": {
            "preferred_name": citizen.preferred_name,
            "full_name": citizen.full_name,
            "language": citizen.language.value,
            "created_at": _iso(citizen.created_at),
        },
        "course": {
            "title": course.title,
            "started_on": _iso(course.started_on),
            "ended_at": _iso(course.ended_at),
            "end_note": course.end_note,
            "max_participants": course.max_participants,
            "chart_in_summary": course.chart_in_summary,
        },
        "network": [
            {
                "id": m.id,
                "kind": m.kind.value,
                "name": m.name,
                "relation": m.relation,
                "organisation": m.organisation,
                "mandate": m.mandate,
                "contact": m.contact,
                "closeness": m.closeness.value,
                "is_proxy": m.is_proxy,
                "language": m.language.value,
                "removed_at": _iso(m.removed_at),
            }
            for m in members
        ],
        "goals": [
            {"id": g.id, "kind": g.kind.value, "text": g.text, "created_at": _iso(g.created_at)} for g in course.goals
        ],
        "consents": [
            {
                "member_id": c.member_id,
                "scope": c.scope.value,
                "circumstances": c.circumstances,
                "given_at": _iso(c.given_at),
                "withdrawn_at": _iso(c.withdrawn_at),
                # Someone checked that the circumstance applied, for that meeting's summary.
                "checks": [{"meeting_id": k.meeting_id, "checked_at": _iso(k.checked_at)} for k in checks],
            }
            for c, checks in consents.items()
        ],
        "meetings": [
            {
                "id": m.id,
                "kind": m.kind.value,
                "planned_at": _iso(m.planned_at),
                "planned_minutes": m.planned_minutes,
                "location": m.location,
                "theme": m.theme,
                "citizen_topics": m.citizen_topics,
                "phase": m.phase.value,
                "requested_at": _iso(m.requested_at),
                "pre_meeting_at": _iso(m.pre_meeting_at),
                "pre_meeting_note": m.pre_meeting_note,
                "opened_at": _iso(m.opened_at),
                "closed_at": _iso(m.closed_at),
                "summary_given_at": _iso(m.summary_given_at),
                "attendance": [
                    {
                        "member_id": a.member_id,
                        "status": a.status.value,
                        "spoke_in_dialogue": a.spoke_in_dialogue,
                        "spoke_in_response": a.spoke_in_response,
                        "unannounced": a.unannounced,
                    }
                    for a in attendance[m.id]
                ],
                "notes": [
                    {
                        "id": n.id,
                        "speaker_id": n.speaker_id,
                        "kind": n.kind.value,
                        "phase": n.phase.value,
                        "text": n.text,
                        "include_in_summary": n.include_in_summary,
                        "created_at": _iso(n.created_at),
                        "updated_at": _iso(n.updated_at),
                        "deleted_at": _iso(n.deleted_at),
                    }
                    for n in by_meeting(notes, m.id)
                ],
                "ratings": [
                    {"member_id": r.member_id, "score": r.score, "comment": r.comment, "created_at": _iso(r.created_at)}
                    for r in by_meeting(ratings, m.id)
                ],
                "ratings_by_others": others_rated.get(m.id, 0),
            }
            for m in meetings
        ],
        "agreements": [
            {
                "id": a.id,
                "origin_meeting_id": a.origin_meeting_id,
                "text": a.text,
                "responsible_id": a.responsible_id,
                "due_on": _iso(a.due_on),
                "goal_id": a.goal_id,
                "status": a.status.value,
                "created_at": _iso(a.created_at),
                "reviews": [
                    {"meeting_id": r.meeting_id, "outcome": r.outcome.value, "comment": r.comment, "created_at": _iso(r.created_at)}
                    for r in a.reviews
                ],
                "follow_ups": [
                    {"contacted_on": _iso(f.contacted_on), "text": f.text, "created_at": _iso(f.created_at)}
                    for f in a.follow_ups
                ],
            }
            for a in agreements
        ],
        "inspire_responses": [
            {"meeting_id": r.meeting_id, "answered_at": _iso(r.answered_at), **{q: getattr(r, q) for q in INSPIRE_QUESTIONS}}
            for r in inspire
        ],
        # What was sent about the agreements and what came back (exports/messages).
        **messages_data.collect(course_id, {a.id for a in agreements}),
        # When, why and what: never who.
        "access_log": [{"at": _iso(e.at), "purpose": e.purpose, "action": e.action} for e in access],
    }


def build_citizen_data_zip(course_id: int, now: datetime) -> bytes:
    """Return a ZIP with the citizen's data as JSON and as a readable DOCX in their language."""
    data = collect_citizen_data(course_id, now)
    # JSON escapes control characters itself; a lone surrogate becomes a \\u escape too.
    as_json = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8", "backslashreplace")
    with force_locale(data["language"]):
        as_docx = build_citizen_data_docx(data)
    out = io.BytesIO()
    stamp = now.timetuple()[:6]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo(JSON_NAME, date_time=stamp), as_json, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(zipfile.ZipInfo(DOCX_NAME, date_time=stamp), as_docx, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
