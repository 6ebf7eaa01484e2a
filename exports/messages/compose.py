"""Building messages: one `Composed` per message, written in the recipient's language, made into the
plain-text part, the HTML part and the printable letter alike (so they always say the same).

Making a message makes its reply links (one per agreement the person is responsible for); the
links' tokens exist only in what this returns. The citizen's name never goes in a subject line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_request_context, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _

from exports.summary import Summary, build_summary
from extensions import db
from kernel.clock import day
from meetings.followup.convening import tovholders
from meetings.models import Agreement, AgreementStatus, Course, Meeting, MemberKind, NetworkMember
from meetings.outreach import links, reminders
from meetings.outreach.models import MessageKind, OutgoingMessage, StaffEmail
from meetings.outreach.replies import latest_replies
from roles.models import User

LANGUAGES = ("da", "en")


@dataclass(frozen=True)
class Item:
    """One agreement in a message: what, by when, and the person's own link to answer."""

    what: str
    by_when: str
    reply_url: str | None = None
    #: Who is responsible (the weekly overview only: there the reader is not the one responsible).
    who: str = ""
    note: str = ""


@dataclass(frozen=True)
class Composed:
    """Everything one message says, in its recipient's language, in reading order."""

    lang: str
    subject: str
    greeting: str
    paragraphs: tuple[str, ...]
    items: tuple[Item, ...]
    #: Labels for each item's lines.
    by_when_label: str
    reply_label: str
    who_label: str
    after: tuple[str, ...]
    signature: tuple[str, ...]
    summary: Summary | None = None
    #: Addresses of the tovholders, for Reply-To (answering the email reaches a person).
    reply_to: tuple[str, ...] = ()

    def text(self) -> str:
        """Return the plain-text part."""
        lines = [self.greeting, ""]
        for paragraph in self.paragraphs:
            lines += [paragraph, ""]
        for item in self.items:
            lines.append(f"* {item.what}")
            if item.who:
                lines.append(f"  {self.who_label} {item.who}")
            lines.append(f"  {self.by_when_label} {item.by_when}")
            if item.note:
                lines.append(f"  {item.note}")
            if item.reply_url:
                lines.append(f"  {self.reply_label} {item.reply_url}")
            lines.append("")
        if self.summary is not None:
            lines += summary_lines(self.summary)
        for paragraph in self.after:
            lines += [paragraph, ""]
        lines += list(self.signature)
        return "\n".join(lines).rstrip() + "\n"

    def html(self) -> str:
        """Return the HTML part (a whole document, styles inline: mail programs drop style sheets)."""
        return render_template("messages/email.html", m=self)


def summary_lines(summary: Summary) -> list[str]:
    """Return the citizen's summary as plain text, in the order the printed summary has."""
    t = summary.texts
    out = [f"== {t.title} ==", "", t.time_and_place, f"{t.time} {summary.when}"]
    if summary.where:
        out.append(f"{t.place} {summary.where}")
    out += ["", t.who_was_there, *(f"- {p.label}" for p in summary.present), "", t.topics, summary.topics or t.nothing_written, "", t.said]
    out += [f"{u.intro} {t.open_quote}{u.text}{t.close_quote}" for u in summary.said] or [t.nothing_written]
    out += ["", t.reflection, t.reflection_intro, *summary.reflections, "", t.since_last]
    out += [f"- {r.what} ({r.who}): {r.outcome}{' — ' + r.comment if r.comment else ''}" for r in summary.reviews] or [t.no_reviews]
    out += ["", t.agreements]
    out += [f"- {a.what} — {a.who} — {a.by_when}" for a in summary.agreements] or [t.no_agreements]
    out += ["", t.next_meeting]
    if summary.next_meeting is not None:
        out.append(f"{t.time} {summary.next_meeting.when}")
        if summary.next_meeting.where:
            out.append(f"{t.place} {summary.next_meeting.where}")
    else:
        out.append(t.no_next_meeting)
    return [*out, "", t.closing, ""]


def public_url() -> str:
    """Return where people open their links: PUBLIC_URL, else this request's address, else localhost."""
    configured = (current_app.config.get("PUBLIC_URL") or "").strip()
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.url_root.rstrip("/")
    return "http://localhost:5000"


def reply_url(token: str) -> str:
    """Return the full address of a reply link (no request needed: the CLI makes them too)."""
    return public_url() + current_app.url_map.bind("localhost").build("outreach.reply", {"token": token})


def language_of(member: NetworkMember | None, user: User | None = None) -> str:
    """Return the language a message is written in: the recipient's own."""
    lang = member.language.value if member is not None else (user.locale if user is not None else None)
    return lang if lang in LANGUAGES else "da"


def _contacts(course_id: int) -> tuple[list[User], tuple[str, ...]]:
    team = tovholders(course_id)
    emails = {
        s.user_id: s.email
        for s in db.session.scalars(db.select(StaffEmail).where(StaffEmail.user_id.in_([u.id for u in team] or [0])))
    }
    return team, tuple(emails[u.id] for u in team if u.id in emails)


def _contact_line(team: list[User], emails: tuple[str, ...]) -> str:
    names = ", ".join(u.display_name for u in team)
    if not names:
        return _("If you have questions, contact the network team.")
    if emails:
        return _("If you have questions, contact %(names)s (%(emails)s).", names=names, emails=", ".join(emails))
    return _("If you have questions, contact %(names)s.", names=names)


def _signature(team: list[User]) -> tuple[str, ...]:
    names = ", ".join(u.display_name for u in team)
    return tuple(x for x in (_("Kind regards"), names, _("The network team")) if x)


def _item(agreement: Agreement, member: NetworkMember, message: OutgoingMessage, now: datetime, *, note: str = "") -> Item:
    answerable = agreement.status == AgreementStatus.OPEN and agreement.responsible_id == member.id
    token = links.create_link(agreement, member, message, now) if answerable else None
    by_when = day(agreement.due_on) if agreement.due_on else _("No date")
    return Item(agreement.text, by_when, reply_url(token) if token else None, note=note)


def _labels() -> dict:
    return {"by_when_label": _("By when:"), "reply_label": _("Answer here:"), "who_label": _("Who:")}


def compose(message: OutgoingMessage, now: datetime) -> Composed:
    """Build a message in its recipient's language, making its reply links (flushed, not committed)."""
    if message.kind == MessageKind.DIGEST:
        user = db.session.get(User, message.user_id)
        with force_locale(language_of(None, user)):
            return _digest(message, user, now)
    member = message.member
    with force_locale(language_of(member)):
        if message.kind == MessageKind.AGREEMENTS:
            return _after_meeting(message, member, now)
        return _reminder(message, member, now)


def _agreements_of(message: OutgoingMessage) -> list[Agreement]:
    return list(
        db.session.scalars(
            db.select(Agreement).where(Agreement.id.in_(message.agreement_ids or [0])).options(db.joinedload(Agreement.responsible)).order_by(Agreement.id)
        )
    )


def _after_meeting(message: OutgoingMessage, member: NetworkMember, now: datetime) -> Composed:
    meeting = db.session.get(Meeting, message.meeting_id)
    course = db.session.get(Course, message.course_id)
    team, emails = _contacts(course.id)
    date = day(meeting.planned_at)
    items = tuple(_item(a, member, message, now) for a in _agreements_of(message))
    is_citizen = member.kind == MemberKind.CITIZEN
    if is_citizen:
        subject = _("Notes from our meeting on %(date)s", date=date)
        paragraphs = [_("Here are the notes from our network meeting on %(date)s.", date=date)]
        if items:
            paragraphs.append(_("You agreed to do this:"))
    else:
        subject = _("Your agreements from the network meeting on %(date)s", date=date)
        paragraphs = [_("At the network meeting with %(citizen)s on %(date)s, you agreed to do this:", citizen=course.citizen.preferred_name, date=date)]
    after = [_contact_line(team, emails)]
    if items:
        after.insert(0, _("Use the link under each agreement to tell us when it is done, if you need more time, or to write a comment."))
    summary = build_summary(meeting.id, language_of(member)) if is_citizen else None
    return Composed(
        lang=language_of(member), subject=subject, greeting=_("Dear %(name)s,", name=member.name), paragraphs=tuple(paragraphs),
        items=items, after=tuple(after), signature=_signature(team), summary=summary, reply_to=emails, **_labels(),
    )


def _reminder(message: OutgoingMessage, member: NetworkMember, now: datetime) -> Composed:
    agreement = _agreements_of(message)[0]
    course = db.session.get(Course, agreement.course_id)
    team, emails = _contacts(course.id)
    due = day(message.about_date)
    if message.kind == MessageKind.BEFORE_DUE:
        subject = _("Reminder: an agreement due on %(date)s", date=due)
        opening = _(
            "This is a reminder of an agreement from a network meeting with %(citizen)s. It is due on %(date)s:",
            citizen=course.citizen.preferred_name,
            date=due,
        )
    else:
        subject = _("About an agreement that was due on %(date)s", date=due)
        opening = _(
            "An agreement from a network meeting with %(citizen)s was due on %(date)s. How is it going?",
            citizen=course.citizen.preferred_name,
            date=due,
        )
    note = ""
    if agreement.due_on and message.about_date and message.about_date != agreement.due_on:
        note = _("You asked for more time, until %(date)s.", date=due)
    item = _item(agreement, member, message, now, note=note)
    return Composed(
        lang=language_of(member), subject=subject, greeting=_("Dear %(name)s,", name=member.name), paragraphs=(opening,), items=(item,),
        after=(_("Use the link to tell us when it is done, if you need more time, or to write a comment."), _contact_line(team, emails)),
        signature=_signature(team), reply_to=emails, **_labels(),
    )


def _digest(message: OutgoingMessage, user: User, now: datetime) -> Composed:
    today = reminders.today_local(now)
    agreements = _agreements_of(message)
    courses = {c.id: c for c in db.session.scalars(db.select(Course).where(Course.id.in_({a.course_id for a in agreements} or {0})))}
    replies = latest_replies(a.id for a in agreements)
    items = []
    for a in agreements:
        reply = replies.get(a.id)
        note = _("Answer by link: %(answer)s", answer=str(reply.answer.title)) if reply else ""
        who = a.responsible.name if a.responsible else _("Nobody yet")
        # The citizen's first name, who and when: not what was agreed (it is one click away, behind the login).
        items.append(Item(courses[a.course_id].citizen.preferred_name, day(a.due_on), who=who, note=note,
                          reply_url=public_url() + current_app.url_map.bind("localhost").build("meetings.agreement_follow_up", {"agreement_id": a.id})))
    return Composed(
        lang=language_of(None, user), subject=_("Rundbord: overdue agreements, week %(week)s", week=today.isocalendar()[1]),
        greeting=_("Dear %(name)s,", name=user.display_name),
        paragraphs=(_("These agreements in your courses are past their date and still open:"),), items=tuple(items),
        after=(_("Log in to Rundbord to follow up. You get this overview once a week while something is overdue."),),
        signature=("Rundbord",), by_when_label=_("Was due:"), reply_label=_("Follow-up log:"), who_label=_("Who:"),
    )
