"""The citizen's proxy over time: who they chose to speak for them, from when, until when."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from kernel.clock import utcnow
from meetings.models import NetworkMember


class ProxyPeriod(db.Model):
    """One period in which a network member was the citizen's proxy (stedfortræder).

    At most one period of a course is open (ended_on is None); its member is the one whose
    `NetworkMember.is_proxy` is set, which the meeting screen and the exports read.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("network_member.id", ondelete="CASCADE"), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    member: Mapped[NetworkMember] = relationship()
