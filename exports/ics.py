"""A meeting invitation as an iCalendar file (RFC 5545), in the invitee's language.

Pure: it reads the meeting and returns bytes. It carries only what an invitation needs
(when, where, whose network meeting) and never notes, themes or the citizen's topics.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _

from kernel.clock import utcnow
from meetings.models import Meeting, MeetingKind

PRODID = "-//Rundbord//Network meeting invitation//EN"
#: RFC 5545 §3.1: lines longer than 75 octets are folded.
MAX_OCTETS = 75
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> bytes:
    """Fold one content line at 75 octets, never inside a UTF-8 character (RFC 5545 §3.1)."""
    data = line.encode("utf-8")
    chunks: list[bytes] = []
    limit = MAX_OCTETS
    while len(data) > limit:
        cut = limit
        # Back up to the start of a character: continuation bytes look like 0b10xxxxxx.
        while cut > 0 and (data[cut] & 0xC0) == 0x80:
            cut -= 1
        chunks.append(data[:cut])
        data = data[cut:]
        limit = MAX_OCTETS - 1  # continuation lines start with one space
    chunks.append(data)
    return b"\r\n ".join(chunks)


def _utc(moment: datetime) -> str:
    """Format a naive UTC time as an iCalendar UTC DATE-TIME."""
    return moment.strftime("%Y%m%dT%H%M%SZ")


def build_invitation_ics(meeting: Meeting, lang: str, *, now: datetime | None = None, domain: str = "rundbord.invalid") -> bytes:
    """Return an .ics invitation to the meeting, its words in `lang` ("da" or "en")."""
    citizen = meeting.course.citizen.preferred_name
    with force_locale(lang):
        if meeting.kind == MeetingKind.ACUTE:
            summary = _("Acute network meeting with %(name)s", name=citizen)
        else:
            summary = _("Network meeting with %(name)s", name=citizen)
        description = _(
            "A network meeting: %(name)s, the people %(name)s has chosen and the network team sit together. "
            "Everyone is heard, and together we agree on what happens next.",
            name=citizen,
        )
    start = meeting.planned_at
    end = start + timedelta(minutes=meeting.planned_minutes or 90)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.id}-course-{meeting.course_id}@{domain}",
        f"DTSTAMP:{_utc(now or utcnow())}",
        f"DTSTART:{_utc(start)}",
        f"DTEND:{_utc(end)}",
        f"SUMMARY;LANGUAGE={lang}:{escape_text(summary)}",
        f"DESCRIPTION;LANGUAGE={lang}:{escape_text(description)}",
    ]
    if meeting.location:
        lines.append(f"LOCATION;LANGUAGE={lang}:{escape_text(meeting.location)}")
    lines += ["STATUS:CONFIRMED", "TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR"]
    return b"".join(fold(line) + b"\r\n" for line in lines)
