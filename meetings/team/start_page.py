"""What a person's start page says about their team: handovers to them, deactivated colleagues, what to do next."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from extensions import db
from kernel.clock import utcnow
from meetings.models import Course
from roles.access import grants_of
from roles.models import Grant, Role, RoleAssignment, StaffGrant, User

#: A handover is told on the new tovholder's start page for this long.
HANDOVER_SHOWN_FOR = timedelta(days=30)


@dataclass(frozen=True)
class Handover:
    course: Course
    by: User | None
    at: datetime


@dataclass(frozen=True)
class InactiveColleague:
    course: Course
    user: User
    roles: tuple[Role, ...]


@dataclass
class StartPage:
    grants: set[Grant]
    handed_to_me: list[Handover] = field(default_factory=list)
    #: People in the team of a course this user is tovholder of, whose account is deactivated.
    inactive: list[InactiveColleague] = field(default_factory=list)
    #: For someone without a course: who can start one (by name) and who administers.
    starters: list[User] = field(default_factory=list)
    administrators: list[User] = field(default_factory=list)

    @property
    def administers(self) -> bool:
        return Grant.ADMINISTRATOR in self.grants

    @property
    def starts_courses(self) -> bool:
        return Grant.STARTS_COURSES in self.grants


def start_page_for(user: User, has_courses: bool, follows_up: bool = True, now: datetime | None = None) -> StartPage:
    """Gather the start page's team notices in at most three queries, however many courses there are.

    `follows_up`: the user is tovholder of an active course (only then can a role have been
    handed to them, or a colleague in their team need replacing).
    """
    now = now or utcnow()
    page = StartPage(grants=grants_of(user.id))
    if has_courses and follows_up:
        page.handed_to_me = _handovers_to(user, now)
        page.inactive = _inactive_colleagues(user)
    elif not has_courses:
        page.starters, page.administrators = _who_can_help()
    return page


def _handovers_to(user: User, now: datetime) -> list[Handover]:
    rows = db.session.execute(
        db.select(RoleAssignment, Course)
        .join(Course, Course.id == RoleAssignment.course_id)
        .where(
            RoleAssignment.user_id == user.id,
            RoleAssignment.role == Role.TOVHOLDER,
            RoleAssignment.handed_over_at >= now - HANDOVER_SHOWN_FOR,
        )
        .options(db.joinedload(RoleAssignment.handed_over_by), db.joinedload(Course.citizen))
        .order_by(RoleAssignment.handed_over_at.desc())
    ).all()
    return [Handover(course, assignment.handed_over_by, assignment.handed_over_at) for assignment, course in rows]


def _inactive_colleagues(user: User) -> list[InactiveColleague]:
    mine = db.select(RoleAssignment.course_id).where(RoleAssignment.user_id == user.id, RoleAssignment.role == Role.TOVHOLDER)
    rows = db.session.execute(
        db.select(RoleAssignment.role, User, Course)
        .join(User, User.id == RoleAssignment.user_id)
        .join(Course, Course.id == RoleAssignment.course_id)
        .where(RoleAssignment.course_id.in_(mine), User.active.is_(False), Course.ended_at.is_(None))
        .options(db.joinedload(Course.citizen))
        .order_by(Course.id, User.display_name)
    ).all()
    found: dict[tuple[int, int], tuple[Course, User, list[Role]]] = {}
    for role, colleague, course in rows:
        found.setdefault((course.id, colleague.id), (course, colleague, []))[2].append(role)
    return [InactiveColleague(c, u, tuple(sorted(r, key=list(Role).index))) for c, u, r in found.values()]


def _who_can_help() -> tuple[list[User], list[User]]:
    rows = db.session.execute(
        db.select(StaffGrant.kind, User).join(User, User.id == StaffGrant.user_id).where(User.active.is_(True)).order_by(User.display_name)
    ).all()
    starters = [u for kind, u in rows if kind == Grant.STARTS_COURSES]
    administrators = [u for kind, u in rows if kind == Grant.ADMINISTRATOR]
    return starters, administrators
