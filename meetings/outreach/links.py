"""Reply links: one agreement, one person, a random token stored only as its hash; they expire, allow a
few answers, can be revoked, and stop working the moment the consent rule says no.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from extensions import db
from meetings.consent.rules import may_receive
from meetings.models import Agreement, AgreementStatus, ConsentScope, Course, NetworkMember
from meetings.outreach.models import OutgoingMessage, ReplyLink

#: A token is 43 characters (32 random bytes); anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 100

#: Why a link does not work, in words the person reads. Nothing here says anything about the citizen.
REFUSALS = {
    "unknown": _l("This link does not work. Check that the whole link was copied, or ask the network team for a new one."),
    "expired": _l("This link has expired. Ask the network team if you want to answer."),
    "revoked": _l("This link has been withdrawn. Ask the network team if you want to answer."),
    "used_up": _l("This link has been used as many times as it allows. Thank you for your answers."),
    "closed": _l("This link can no longer be used. Ask the network team if you want to answer."),
    "finished": _l("This agreement has been closed at a network meeting. Thank you."),
}


class LinkRefused(Exception):
    """The link cannot be used; `reason` is a key of REFUSALS, `link` the link when it is ours."""

    def __init__(self, reason: str, link: ReplyLink | None = None):
        super().__init__(reason)
        self.reason = reason
        self.link = link

    @property
    def message(self) -> str:
        return str(REFUSALS[self.reason])

    @property
    def status(self) -> int:
        return 404 if self.reason == "unknown" else 410


def token_hash(token: str) -> str:
    """Return what is stored of a token: its SHA-256 (the token is random, so no slow hash is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_link(agreement: Agreement, member: NetworkMember, message: OutgoingMessage | None, now: datetime) -> str:
    """Make a reply link for this person's agreement; return the token (it is stored nowhere)."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        ReplyLink(
            token_hash=token_hash(token),
            agreement_id=agreement.id,
            member_id=member.id,
            message_id=message.id if message is not None else None,
            created_at=now,
            expires_at=now + timedelta(days=int(current_app.config["REPLY_LINK_DAYS"])),
            max_uses=int(current_app.config["REPLY_LINK_MAX_USES"]),
            uses=0,
        )
    )
    db.session.flush()
    return token


def find(token: str) -> ReplyLink | None:
    """Return the link a token names, with its agreement and person, or None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return db.session.scalars(
        db.select(ReplyLink)
        .where(ReplyLink.token_hash == token_hash(token))
        .options(db.joinedload(ReplyLink.agreement).joinedload(Agreement.origin_meeting), db.joinedload(ReplyLink.member))
    ).one_or_none()


def check(token: str, now: datetime) -> ReplyLink:
    """Return the link if it may be used now; raise LinkRefused saying why not.

    Asked on every use: a withdrawn consent, a person taken out of the network, another person
    made responsible or an ended course stop the link at once, whatever its expiry says.
    """
    link = find(token)
    if link is None:
        raise LinkRefused("unknown")
    member, agreement = link.member, link.agreement
    if link.revoked_at is not None:
        raise LinkRefused("revoked", link)
    if link.expires_at <= now:
        raise LinkRefused("expired", link)
    course = db.session.get(Course, agreement.course_id)
    if (
        member.removed_at is not None
        or agreement.responsible_id != member.id
        or course is None
        or course.ended_at is not None
        or not may_receive(member, ConsentScope.AGREEMENTS)
    ):
        raise LinkRefused("closed", link)
    if agreement.status != AgreementStatus.OPEN:
        raise LinkRefused("finished", link)
    if link.uses >= link.max_uses:
        raise LinkRefused("used_up", link)
    return link


def use(link: ReplyLink, now: datetime) -> bool:
    """Count one answer; False when the link was used up meanwhile (two answers at the same moment)."""
    result = db.session.execute(
        db.update(ReplyLink)
        .where(ReplyLink.id == link.id, ReplyLink.uses < ReplyLink.max_uses, ReplyLink.revoked_at.is_(None))
        .values(uses=ReplyLink.uses + 1, last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    db.session.refresh(link)
    return True


def revoke(link: ReplyLink, now: datetime, user_id: int | None) -> bool:
    """Withdraw a link at once; return whether it was still in force."""
    if link.revoked_at is not None:
        return False
    link.revoked_at = now
    link.revoked_by_id = user_id
    db.session.flush()
    return True


def revoke_all_of(message: OutgoingMessage, now: datetime) -> int:
    """Withdraw every link a message carried (it was not delivered, or is being printed afresh)."""
    result = db.session.execute(
        db.update(ReplyLink)
        .where(ReplyLink.message_id == message.id, ReplyLink.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def link_of_agreement(agreement_id: int, link_id: int | None) -> ReplyLink | None:
    """Return the link only if it belongs to this agreement (ids from a form are never trusted alone)."""
    if link_id is None:
        return None
    link = db.session.get(ReplyLink, link_id)
    return link if link is not None and link.agreement_id == agreement_id else None
