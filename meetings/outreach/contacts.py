"""How people want messages: a network member's channel and address, a staff member's address for the overview."""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import lazy_gettext as _l

from extensions import db
from meetings.models import MemberKind, NetworkMember
from meetings.outreach.models import Channel, ContactPreference, StaffEmail

#: A plain address: something@domain.tld, no spaces, no control characters (nothing that could
#: reach a mail header as a second line). The mail server has the last word (a bounce).
_ADDRESS = re.compile(r"[^@\s\x00-\x1f\x7f<>,;\"]+@[^@\s\x00-\x1f\x7f<>,;\"]+\.[^@\s\x00-\x1f\x7f<>,;\".]{2,}")


class ContactError(ValueError):
    """The contact details cannot be saved as given; `field` names the form field."""

    def __init__(self, message, field: str) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


def clean_address(email: str | None) -> str | None:
    """Return the address without surrounding spaces, None when empty; raise ContactError when it is not one."""
    email = (email or "").strip()
    if not email:
        return None
    if len(email) > 254 or not _ADDRESS.fullmatch(email):
        raise ContactError(_l("Write an email address like name@example.dk."), field="email")
    return email


def preference_of(member: NetworkMember) -> ContactPreference | None:
    """Return how this member wants messages (None: nothing recorded, so a printed letter)."""
    return db.session.scalar(db.select(ContactPreference).where(ContactPreference.member_id == member.id))


def set_preference(member: NetworkMember, channel: Channel, email: str | None, now: datetime) -> ContactPreference:
    """Record how this member wants agreements and reminders: by email (needs an address) or as a letter."""
    if member.kind == MemberKind.TEAM or member.removed_at is not None:
        raise ContactError(_l("This person does not get messages from Rundbord."), field="channel")
    address = clean_address(email)
    if channel == Channel.EMAIL and address is None:
        raise ContactError(_l("Write the email address, or choose a printed letter."), field="email")
    pref = preference_of(member) or ContactPreference(member_id=member.id)
    pref.channel = channel
    pref.email = address
    pref.updated_at = now
    db.session.add(pref)
    db.session.flush()
    return pref


def staff_email_of(user_id: int) -> StaffEmail | None:
    """Return a staff member's address for the weekly overview, if they gave one."""
    return db.session.get(StaffEmail, user_id)


def set_staff_email(user_id: int, email: str | None, now: datetime) -> StaffEmail | None:
    """Record (or, when empty, remove) a staff member's address for the weekly overview."""
    address = clean_address(email)
    row = staff_email_of(user_id)
    if address is None:
        if row is not None:
            db.session.delete(row)
            db.session.flush()
        return None
    row = row or StaffEmail(user_id=user_id)
    row.email = address
    row.updated_at = now
    db.session.add(row)
    db.session.flush()
    return row
