"""The messages part of the citizen's data export: what was sent, printed or not delivered about their
agreements, and what the people responsible answered. Three queries, whatever the course holds.

A message's text is not kept, so it cannot be exported; what it was about, to whom, how and
when is. The weekly overview goes to a staff member: it is listed as going to the network team.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _

from exports import summary_docx as dx
from extensions import db
from kernel.clock import iso_utc
from meetings.models import Agreement, NetworkMember
from meetings.outreach.models import (
    Channel,
    ContactPreference,
    MessageAgreement,
    MessageKind,
    MessageStatus,
    OutgoingMessage,
    Reply,
    ReplyAnswer,
)

_iso = iso_utc


def collect(course_id: int, agreement_ids: set[int]) -> dict[str, Any]:
    """Return the course's messages, answers and how each person wants messages, as JSON-ready data.

    `agreement_ids`: the course's agreements (already read by the caller); a weekly overview
    spans several courses, and only this course's agreements of it are named.
    """
    about_course = db.select(MessageAgreement.message_id).join(Agreement, MessageAgreement.agreement_id == Agreement.id).where(Agreement.course_id == course_id)
    messages = db.session.scalars(
        db.select(OutgoingMessage)
        .where(db.or_(OutgoingMessage.course_id == course_id, OutgoingMessage.id.in_(about_course)))
        .options(db.joinedload(OutgoingMessage.items))
        .order_by(OutgoingMessage.created_at, OutgoingMessage.id)
    ).unique().all()
    replies = db.session.scalars(
        db.select(Reply).join(Agreement, Reply.agreement_id == Agreement.id).where(Agreement.course_id == course_id).order_by(Reply.created_at, Reply.id)
    ).all()
    prefs = db.session.scalars(
        db.select(ContactPreference).join(NetworkMember, ContactPreference.member_id == NetworkMember.id).where(NetworkMember.course_id == course_id)
    ).all()
    return {
        "messages": [
            {
                "kind": m.kind.value,
                "member_id": m.member_id,
                "to_network_team": m.kind == MessageKind.DIGEST,
                "channel": m.channel.value,
                "status": m.status.value,
                "address": m.to_address if m.kind != MessageKind.DIGEST else None,
                "agreement_ids": [i for i in m.agreement_ids if i in agreement_ids],
                "about_date": _iso(m.about_date),
                "attempts": m.attempts,
                "error": m.last_error,
                "created_at": _iso(m.created_at),
                "sent_at": _iso(m.sent_at),
            }
            for m in messages
        ],
        "replies": [
            {
                "agreement_id": r.agreement_id,
                "member_id": r.member_id,
                "answer": r.answer.value,
                "until": _iso(r.until),
                "comment": r.comment,
                "created_at": _iso(r.created_at),
            }
            for r in replies
        ],
        "message_preferences": [{"member_id": p.member_id, "channel": p.channel.value, "email": p.email} for p in prefs],
    }


def write_docx(doc, data: dict[str, Any], who: Callable[[int | None], str], when: Callable[[str | None], str], day: Callable[[str | None], str]) -> None:
    """Add the messages and answers to the readable export, in the current (the citizen's) language."""
    dx.heading(doc, _("Messages about the agreements"), 2)
    if not data["messages"]:
        dx.paragraph(doc, _("Nothing was sent."))
    else:
        dx.table(
            doc,
            (_("When"), _("To whom"), _("What"), _("How"), _("Status")),
            [
                (
                    when(m["sent_at"] or m["created_at"]),
                    _("The network team") if m["to_network_team"] else who(m["member_id"]),
                    str(MessageKind(m["kind"]).title),
                    str(Channel(m["channel"]).title),
                    str(MessageStatus(m["status"]).title) + (f" ({m['error']})" if m["error"] else ""),
                )
                for m in data["messages"]
            ],
        )
    if data["replies"]:
        dx.heading(doc, _("Answers by link"), 3)
        dx.bullets(
            doc,
            (
                f"{when(r['created_at'])}, {who(r['member_id'])}: {ReplyAnswer(r['answer']).title}"
                + (" — " + _("until %(date)s", date=day(r["until"])) if r["until"] else "")
                + (f". {r['comment']}" if r["comment"] else "")
                for r in data["replies"]
            ),
        )
