"""What the administrator sees: staff, their grants and links, and counts — never a citizen.

Course ids come from the role table only; no course, citizen, note or meeting is read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select

from extensions import db
from roles.admin.models import SetPasswordLink
from roles.admin.rules import grants_of, has_password, needs_unlock, now_utc
from roles.models import Grant, Role, RoleAssignment, StaffGrant, User


def open_link(user: User, now: datetime | None = None) -> SetPasswordLink | None:
    """Return the staff member's link that still works, if any."""
    return db.session.scalar(
        db.select(SetPasswordLink).where(
            SetPasswordLink.user_id == user.id,
            SetPasswordLink.used_at.is_(None),
            SetPasswordLink.revoked_at.is_(None),
            SetPasswordLink.expires_at > (now or now_utc()),
        )
    )


@dataclass(frozen=True)
class StaffRow:
    user: User
    grants: frozenset[Grant]
    #: In how many courses they hold a role (a count: never which citizen).
    courses: int
    link: SetPasswordLink | None
    now: datetime

    @property
    def has_password(self) -> bool:
        return has_password(self.user)

    @property
    def locked(self) -> bool:
        return needs_unlock(self.user, self.now)


def staff_overview(now: datetime | None = None) -> list[StaffRow]:
    """Return every staff member with their grants, course count and open link, in four queries."""
    now = now or now_utc()
    users = db.session.scalars(db.select(User).order_by(User.active.desc(), User.display_name, User.id)).all()
    grants: dict[int, set[Grant]] = {}
    for user_id, kind in db.session.execute(db.select(StaffGrant.user_id, StaffGrant.kind)):
        grants.setdefault(user_id, set()).add(kind)
    counts = dict(
        db.session.execute(
            db.select(RoleAssignment.user_id, db.func.count(db.distinct(RoleAssignment.course_id))).group_by(RoleAssignment.user_id)
        ).all()
    )
    links = {
        link.user_id: link
        for link in db.session.scalars(
            db.select(SetPasswordLink).where(
                SetPasswordLink.used_at.is_(None), SetPasswordLink.revoked_at.is_(None), SetPasswordLink.expires_at > now
            )
        )
    }
    return [StaffRow(u, frozenset(grants.get(u.id, ())), counts.get(u.id, 0), links.get(u.id), now) for u in users]


def staff_row(user: User, now: datetime | None = None) -> StaffRow:
    """Return one staff member's row (the person page)."""
    now = now or now_utc()
    courses = db.session.scalar(
        db.select(db.func.count(db.distinct(RoleAssignment.course_id))).where(RoleAssignment.user_id == user.id)
    )
    return StaffRow(user, frozenset(grants_of(user)), courses or 0, open_link(user, now), now)


def course_count() -> int:
    """Return how many courses have a network team (a number; the administrator sees no course)."""
    return db.session.scalar(db.select(db.func.count(db.distinct(RoleAssignment.course_id)))) or 0


@dataclass(frozen=True)
class CourseWithoutTovholder:
    #: The course's number only: the administrator sees no citizen.
    course_id: int
    inactive_tovholders: list[User]
    team_size: int


def _active_tovholder_in(course_id) -> Select:
    """A query for an active tovholder of the course (course_id may be a column, to correlate)."""
    return (
        db.select(RoleAssignment.id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(RoleAssignment.course_id == course_id, RoleAssignment.role == Role.TOVHOLDER, User.active.is_(True))
    )


def courses_without_active_tovholder() -> list[CourseWithoutTovholder]:
    """Return the courses whose every tovholder is deactivated, so the administrator can appoint one."""
    team = db.aliased(RoleAssignment)
    course_ids = db.session.scalars(
        db.select(team.course_id).where(~_active_tovholder_in(team.course_id).exists()).distinct().order_by(team.course_id)
    ).all()
    if not course_ids:
        return []
    rows = db.session.execute(
        db.select(RoleAssignment.course_id, RoleAssignment.role, User)
        .join(User, User.id == RoleAssignment.user_id)
        .where(RoleAssignment.course_id.in_(course_ids))
    ).all()
    found = []
    for course_id in course_ids:
        mine = [(role, user) for cid, role, user in rows if cid == course_id]
        tovholders = {u.id: u for r, u in mine if r == Role.TOVHOLDER}
        found.append(CourseWithoutTovholder(course_id, sorted(tovholders.values(), key=lambda u: u.display_name), len({u.id for _r, u in mine})))
    return found


def may_appoint_in(course_id: int) -> bool:
    """Whether the course has a team but no active tovholder: the only case an administrator may appoint one."""
    has_team = db.session.scalar(db.select(RoleAssignment.id).where(RoleAssignment.course_id == course_id).limit(1)) is not None
    return has_team and db.session.scalar(_active_tovholder_in(course_id).limit(1)) is None


def active_staff() -> list[User]:
    """Return everyone who can log in, by name."""
    return list(db.session.scalars(db.select(User).where(User.active.is_(True)).order_by(User.display_name, User.id)))
