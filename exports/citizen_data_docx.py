"""The citizen's data as a readable DOCX, in their language, made from the same data as the JSON file."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from exports import summary_docx as dx
from exports.messages import citizen_data as messages_data
from kernel.bidi import isolate
from kernel.clock import day, when
from meetings.feedback.inspire import InspireItem
from meetings.models import (
    AgreementStatus,
    AttendanceStatus,
    Closeness,
    ConsentScope,
    GoalKind,
    Language,
    MeetingKind,
    MemberKind,
    NoteKind,
    Phase,
    ReviewOutcome,
)

#: Why the data was looked at, in words the citizen reads (keys: roles.permissions.PURPOSES).
PURPOSE_TITLES = {
    "course": _l("To read about the course"),
    "network": _l("To work on the network"),
    "meeting": _l("For a meeting"),
    "convening": _l("To plan a meeting"),
    "follow-up": _l("To follow up on an agreement"),
    "audit": _l("To check who looked at the course"),
    "citizen-access-request": _l("To give you your data"),
    "summary": _l("For the summary of a meeting"),
    "feedback": _l("For how a meeting went"),
    "erasure": _l("To erase the course"),
    "messages": _l("To send someone their agreements or a reminder"),
    "reply": _l("An answer about an agreement, by its link"),
}
#: The CHIME parts' short names, as the INSPIRE screens show them.
INSPIRE_TITLES = {item.value: item.title for item in InspireItem}
INSPIRE_QUESTIONS = tuple(INSPIRE_TITLES)


def _parse(value: str | None) -> datetime | date | None:
    if value is None:
        return None
    if value.endswith("Z"):
        return datetime.fromisoformat(value[:-1])
    return date.fromisoformat(value)


def _when(value: str | None) -> str:
    return when(_parse(value)) if value else ""


def _day(value: str | None) -> str:
    return day(_parse(value)) if value else ""


def _title(enum_cls, value: str | None) -> str:
    return str(enum_cls(value).title) if value else ""


def _yes(flag: bool) -> str:
    return _("Yes") if flag else _("No")


def build_citizen_data_docx(data: dict[str, Any]) -> bytes:
    """Return the collected data as a readable DOCX, in the current (the citizen's) language."""
    citizen = data["citizen"]
    doc = dx.new_document(data["language"], _("Everything Rundbord holds about %(name)s", name=citizen["preferred_name"]))
    # Each person's words are isolated (FSI…PDI) from the document's own, as in the summary.
    names = {m["id"]: isolate(m["name"]) for m in data["network"]}
    meeting_days = {m["id"]: _day(m["planned_at"]) for m in data["meetings"]}

    def who(member_id: int | None) -> str:
        return names.get(member_id, _("Someone at the meeting")) if member_id else _("Nobody yet")

    dx.heading(doc, _("Everything Rundbord holds about %(name)s", name=isolate(citizen["preferred_name"])), 1)
    dx.paragraph(doc, _("Made %(when)s.", when=_when(data["made_at"])))
    dx.paragraph(doc, _("The same data is in the JSON file next to this document, for other systems."))

    dx.heading(doc, _("About you"), 2)
    dx.paragraph(doc, isolate(citizen["preferred_name"]), bold_lead=_("Name:"))
    if citizen["full_name"]:
        dx.paragraph(doc, isolate(citizen["full_name"]), bold_lead=_("Full name:"))
    dx.paragraph(doc, _title(Language, citizen["language"]), bold_lead=_("Language:"))
    course = data["course"]
    if course["title"]:
        dx.paragraph(doc, isolate(course["title"]), bold_lead=_("Course:"))
    dx.paragraph(doc, _day(course["started_on"]), bold_lead=_("Started:"))
    if course["ended_at"]:
        dx.paragraph(doc, _when(course["ended_at"]), bold_lead=_("Ended:"))
    if course["end_note"]:
        dx.paragraph(doc, isolate(course["end_note"]))

    dx.heading(doc, _("Your network"), 2)
    dx.table(
        doc,
        (_("Name"), _("How they know you"), _("Organisation"), _("Contact")),
        [
            (
                isolate(m["name"]) + (f" ({_('removed')})" if m["removed_at"] else ""),
                " · ".join(x for x in (isolate(m["relation"]), _title(MemberKind, m["kind"]), _title(Closeness, m["closeness"])) if x),
                isolate(m["organisation"]),
                isolate(m["contact"]),
            )
            for m in data["network"]
        ],
    )
    for m in data["network"]:
        if m["mandate"]:
            dx.paragraph(doc, isolate(m["mandate"]), bold_lead=_("%(name)s may decide:", name=names[m["id"]]))
        if m["is_proxy"]:
            dx.paragraph(doc, _("%(name)s speaks for you when you want.", name=names[m["id"]]))

    if data["goals"]:
        dx.heading(doc, _("Goals, hopes and dreams"), 2)
        dx.bullets(doc, (f"{_title(GoalKind, g['kind'])}: {isolate(g['text'])}" for g in data["goals"]))

    dx.heading(doc, _("Consent"), 2)
    if data["consents"]:
        dx.table(
            doc,
            (_("Who"), _("What"), _("When"), _("Given"), _("Withdrawn")),
            [
                (who(c["member_id"]), _title(ConsentScope, c["scope"]), isolate(c["circumstances"]), _day(c["given_at"]), _day(c["withdrawn_at"]))
                for c in data["consents"]
            ],
        )
        checked = [(c, k) for c in data["consents"] for k in c["checks"]]
        if checked:
            dx.bullets(
                doc,
                (
                    _("%(name)s: checked %(when)s that “%(circumstances)s” applied, for the summary of %(meeting)s.",
                      name=who(c["member_id"]), when=_day(k["checked_at"]), circumstances=isolate(c["circumstances"]),
                      meeting=meeting_days.get(k["meeting_id"], "—"))
                    for c, k in checked
                ),
            )
    else:
        dx.paragraph(doc, _("Nothing was written down."))

    dx.heading(doc, _("Meetings"), 2)
    for m in data["meetings"]:
        dx.heading(doc, f"{_title(MeetingKind, m['kind'])}: {_when(m['planned_at'])}", 3)
        for label, value in (
            (_("Place:"), m["location"]),
            (_("Theme:"), m["theme"]),
            (_("What you wanted to talk about:"), m["citizen_topics"]),
            (_("Before the meeting:"), m["pre_meeting_note"]),
        ):
            if value:
                dx.paragraph(doc, isolate(value), bold_lead=label)
        if m["closed_at"]:
            dx.paragraph(doc, _when(m["closed_at"]), bold_lead=_("Closed:"))
        if m["summary_given_at"]:
            dx.paragraph(doc, _when(m["summary_given_at"]), bold_lead=_("Summary given:"))
        if m["attendance"]:
            dx.bullets(doc, (f"{who(a['member_id'])}: {_title(AttendanceStatus, a['status'])}" for a in m["attendance"]))
        for n in m["notes"]:
            marks = [_title(NoteKind, n["kind"]), _title(Phase, n["phase"])]
            if not n["include_in_summary"]:
                marks.append(_("not in the summary"))
            if n["deleted_at"]:
                marks.append(_("deleted %(when)s", when=_day(n["deleted_at"])))
            dx.paragraph(doc, bold_lead=f"{who(n['speaker_id'])} ({', '.join(marks)}):")
            dx.paragraph(doc, isolate(n["text"]), "Quote")
        for r in m["ratings"]:
            line = _("%(name)s: %(score)s of 5", name=who(r["member_id"]), score=r["score"])
            dx.paragraph(doc, f"{line}. {isolate(r['comment'])}" if r["comment"] else line)
        if m["ratings_by_others"]:
            dx.paragraph(
                doc,
                ngettext(
                    "%(num)d other person also said how the meeting was for them. That is theirs, so it is not in your copy.",
                    "%(num)d other people also said how the meeting was for them. That is theirs, so it is not in your copy.",
                    m["ratings_by_others"],
                ),
            )

    dx.heading(doc, _("Agreements"), 2)
    if not data["agreements"]:
        dx.paragraph(doc, _("Nothing was written down."))
    for a in data["agreements"]:
        dx.paragraph(doc, bold_lead=isolate(a["text"]))
        dx.paragraph(doc, who(a["responsible_id"]), bold_lead=_("Who:"))
        dx.paragraph(doc, _day(a["due_on"]) or _("No date"), bold_lead=_("By when:"))
        dx.paragraph(doc, _title(AgreementStatus, a["status"]), bold_lead=_("Status:"))
        for r in a["reviews"]:
            outcome = _title(ReviewOutcome, r["outcome"])
            dx.paragraph(doc, f"{outcome}. {isolate(r['comment'])}" if r["comment"] else f"{outcome}.", bold_lead=meeting_days.get(r["meeting_id"], "") + ":")
        for f in a["follow_ups"]:
            dx.paragraph(doc, isolate(f["text"]), bold_lead=_day(f["contacted_on"]) + ":")

    messages_data.write_docx(doc, data, who, _when, _day)

    if data["inspire_responses"]:
        dx.heading(doc, _("Brief INSPIRE"), 2)
        dx.table(
            doc,
            (_("When"), *(str(INSPIRE_TITLES[q]) for q in INSPIRE_QUESTIONS)),
            [
                (_day(r["answered_at"]), *("—" if r[q] is None else str(r[q]) for q in INSPIRE_QUESTIONS))
                for r in data["inspire_responses"]
            ],
        )

    dx.heading(doc, _("When your data was looked at"), 2)
    dx.paragraph(doc, _("When, and why. Not who."))
    dx.table(
        doc,
        (_("When"), _("Why"), _("What")),
        [(_when(e["at"]), str(PURPOSE_TITLES.get(e["purpose"], e["purpose"])), e["action"]) for e in data["access_log"]],
    )
    return dx.to_bytes(doc)

