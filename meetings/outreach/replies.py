"""Answers by reply link: "done", "need more time — until …" or a comment, written in the follow-up log.

The answer is kept twice on purpose: as a Reply (what was answered, for the dashboard, the
next meeting's review and the reminders) and as an entry in the follow-up log, where the
tovholder's own contacts are, so the log tells the whole story between two meetings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from extensions import db
from kernel.clock import day, local_today
from meetings.followup.log import record_follow_up
from meetings.outreach import links
from meetings.outreach.models import Reply, ReplyAnswer, ReplyLink

#: The longest comment a reply takes (the form says so before it is sent).
MAX_COMMENT = 2000
#: "More time" reaches at most this far ahead.
LONGEST_EXTENSION = timedelta(days=366)


class ReplyError(ValueError):
    """The answer cannot be recorded as given; `field` names the form field the message belongs to."""

    def __init__(self, message, field: str) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Answer:
    answer: ReplyAnswer
    until: date | None
    comment: str


def check_answer(answer: str | None, until: date | None, comment: str | None, today: date) -> Answer:
    """Return the answer as it will be recorded, or raise ReplyError naming the field to fix."""
    try:
        chosen = ReplyAnswer(answer or "")
    except ValueError:
        raise ReplyError(_l("Choose one of the answers."), field="answer") from None
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ReplyError(_l("Write at most %(count)s characters.", count=MAX_COMMENT), field="comment")
    if chosen == ReplyAnswer.MORE_TIME:
        if until is None:
            raise ReplyError(_l("Write until when you need time, e.g. %(example)s.", example=(today + timedelta(days=14)).isoformat()), field="until")
        if until <= today:
            raise ReplyError(_l("Choose a date after today."), field="until")
        if until > today + LONGEST_EXTENSION:
            raise ReplyError(_l("Choose a date within a year."), field="until")
    else:
        until = None
    if chosen == ReplyAnswer.COMMENT and not comment:
        raise ReplyError(_l("Write your comment."), field="comment")
    return Answer(chosen, until, comment)


def follow_up_text(name: str, answer: Answer) -> str:
    """Return the follow-up log's line for an answer, in the team's language (the app's default)."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "da")):
        if answer.answer == ReplyAnswer.DONE:
            line = _("Answer from %(name)s by link: done.", name=name)
        elif answer.answer == ReplyAnswer.MORE_TIME:
            line = _("Answer from %(name)s by link: needs more time, until %(date)s.", name=name, date=day(answer.until))
        else:
            line = _("Comment from %(name)s by link.", name=name)
    return f"{line} “{answer.comment}”" if answer.comment else line


def record_reply(link: ReplyLink, answer: Answer, now: datetime) -> Reply:
    """Record the answer and write it in the follow-up log; raise LinkRefused if the link was used up meanwhile."""
    if not links.use(link, now):
        raise links.LinkRefused("used_up", link)
    today = local_today(now)
    entry = record_follow_up(link.agreement, follow_up_text(link.member.name, answer), today, None, today=today)
    reply = Reply(
        agreement_id=link.agreement_id,
        member_id=link.member_id,
        link_id=link.id,
        answer=answer.answer,
        until=answer.until,
        comment=answer.comment,
        follow_up_id=entry.id,
        created_at=now,
    )
    db.session.add(reply)
    db.session.flush()
    return reply


def latest_replies(agreement_ids: Iterable[int]) -> dict[int, Reply]:
    """Return each agreement's newest reply, in one query."""
    wanted = list(set(agreement_ids))
    if not wanted:
        return {}
    found: dict[int, Reply] = {}
    for reply in db.session.scalars(
        db.select(Reply).where(Reply.agreement_id.in_(wanted)).options(db.joinedload(Reply.member)).order_by(Reply.created_at, Reply.id)
    ):
        found[reply.agreement_id] = reply
    return found
