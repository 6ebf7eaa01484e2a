"""States as enums with translated titles, how they are stored, and ids that are never reused."""

from __future__ import annotations

import enum

from sqlalchemy import Enum


class TitledEnum(str, enum.Enum):
    """An enum whose members carry a lazily translated display title."""

    @property
    def title(self):
        """Return the display title, translated when it is rendered."""
        return self.__titles__[self]  # type: ignore[attr-defined]


def enum_column(cls: type[enum.Enum]) -> Enum:
    """Return the column type for an enum: its lower-case value, no native PostgreSQL enum.

    Adding a member later is then a code change, not a type migration.
    """
    return Enum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False, length=20)


#: `__table_args__` of every table whose id outlives its row: in the audit trail (citizen,
#: course, meeting), in URLs that other tablets still have open and that the access check
#: resolves to a course (course, meeting, agreement, network member, note), in a device's
#: outbox and drafts (meeting), in calendar UIDs (meeting), in session cookies (user).
#: SQLite then never hands such an id out again (AUTOINCREMENT; without it the highest id is
#: reused after that row is erased). PostgreSQL's sequences never reuse an id; the option is
#: ignored there. Migration 0005 rebuilt these tables so.
IDS_NEVER_REUSED = {"sqlite_autoincrement": True}
