"""People who log in, the roles they hold per course, and the audit log."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from kernel.clock import utcnow
from kernel.enums import IDS_NEVER_REUSED, TitledEnum, enum_column


class Role(TitledEnum):
    TOVHOLDER = "tovholder"
    MEETING_LEADER = "meeting_leader"
    REFLECTANT = "reflectant"


Role.__titles__ = {
    Role.TOVHOLDER: _l("Coordinator (tovholder)"),
    Role.MEETING_LEADER: _l("Meeting leader"),
    Role.REFLECTANT: _l("Reflectant"),
}


class Grant(TitledEnum):
    """What an administrator grants a staff member, outside any course."""

    ADMINISTRATOR = "administrator"
    STARTS_COURSES = "starts_courses"


Grant.__titles__ = {
    Grant.ADMINISTRATOR: _l("Administrator"),
    Grant.STARTS_COURSES: _l("May start courses"),
}


class User(UserMixin, db.Model):
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    #: Work email (for the set-password link once mail is sent; shown to the administrator).
    email: Mapped[str | None] = mapped_column(String(254))
    #: The team or unit the person works in, in the municipality's own words.
    unit: Mapped[str | None] = mapped_column(String(200))
    #: argon2id, from argon2-cffi.
    password_hash: Mapped[str] = mapped_column(String(255))
    #: The interface language the user chose; None follows the browser.
    locale: Mapped[str | None] = mapped_column(String(5))
    #: Bumped to end every session of this user (logout everywhere, password change).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: May change how everyone signs in (roles/signin: second factor policy, resets).
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    assignments: Mapped[list[RoleAssignment]] = relationship(back_populates="user", foreign_keys="RoleAssignment.user_id")

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    def get_id(self) -> str:
        # The session version rides in the id, so bumping it invalidates every cookie.
        return f"{self.id}:{self.session_version}"

    @property
    def is_admin(self) -> bool:
        """Return whether the administrator grant is this user's (StaffGrant, given in the administration)."""
        return db.session.scalar(
            db.select(StaffGrant.id).where(StaffGrant.user_id == self.id, StaffGrant.kind == Grant.ADMINISTRATOR)
        ) is not None


class RoleAssignment(db.Model):
    """A user's role in one course; the same person may hold other roles elsewhere."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: Set when a tovholder handed this (tovholder) role over: the new tovholder's dashboard says so.
    handed_over_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    handed_over_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship(back_populates="assignments", foreign_keys=[user_id])
    handed_over_by: Mapped[User | None] = relationship(foreign_keys=[handed_over_by_id])

    __table_args__ = (db.UniqueConstraint("user_id", "course_id", "role"),)


class StaffGrant(db.Model):
    """A permission the administrator gave a staff member (administrator, may start courses)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[Grant] = mapped_column(enum_column(Grant))
    granted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    __table_args__ = (db.UniqueConstraint("user_id", "kind"),)


class AuditEntry(db.Model):
    """Who looked at or changed which citizen's data, when and why. Never the data itself."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: Plain ids, not foreign keys: the trail outlives an erased course.
    citizen_id: Mapped[int | None] = mapped_column(Integer, index=True)
    course_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: A verb such as "course.view" or "note.create".
    action: Mapped[str] = mapped_column(String(60))
    purpose: Mapped[str] = mapped_column(String(60), default="")
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    #: Username tried on a failed login (no user row to point at).
    detail: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User | None] = relationship()
