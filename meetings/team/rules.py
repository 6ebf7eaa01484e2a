"""A course's network team as plain functions: starting a course, giving and taking roles, handing over.

The rule that holds everything together: a course always has at least one active tovholder.
Removing a role or handing over never leaves it without one; when an administrator has
deactivated every tovholder of a course, only then may an administrator appoint one (who
is never the administrator themself: administrators see no citizen's data).

Changes flush; `record` writes the audit entry, which commits the change with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l

from extensions import db
from kernel.clock import utcnow
from kernel.refusal import Refusal
from meetings.course.network import citizen_member, create_course, join_team
from meetings.models import Attendance, AttendanceStatus, Course, Language, Meeting, NetworkMember
from roles import audit
from roles.admin.overview import may_appoint_in
from roles.models import Role, RoleAssignment, User


class TeamError(Refusal):
    """A rule of the network team was broken; `field` names the form field it belongs to."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


def record(action: str, course: Course, by: User, *, purpose: str = "team", target: User | None = None, detail: str | None = None) -> None:
    """Audit a change to the course's team or proxy (commits it with the entry)."""
    audit.record(
        action,
        purpose=purpose,
        user_id=by.id,
        course_id=course.id,
        citizen_id=course.citizen_id,
        object_type="user" if target else "course",
        object_id=target.id if target else course.id,
        detail=detail,
    )


def _text(value: str | None, limit: int, field_name: str, message) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise TeamError(message, field=field_name)
    return text


# --- starting a course -------------------------------------------------------------------


def start_course(
    creator: User, *, preferred_name: str, full_name: str | None = None, language: Language = Language.DA, contact: str | None = None,
    title: str | None = None,
) -> Course:
    """Create a citizen and their course; the creator becomes its tovholder. No CPR number: none is needed."""
    name = _text(preferred_name, 120, "preferred_name", _l("The name can have at most 120 characters."))
    if not name:
        raise TeamError(_l("Write the name the citizen wants to be called."), field="preferred_name")
    full = _text(full_name, 200, "full_name", _l("The full name can have at most 200 characters.")) or None
    reach = _text(contact, 300, "contact", _l("How to reach the citizen can have at most 300 characters.")) or None
    course_title = _text(title, 200, "title", _l("The title can have at most 200 characters."))
    course = create_course(name, language, title=course_title, full_name=full)
    citizen_member(course.id).contact = reach
    join_team(creator, course, Role.TOVHOLDER)
    record("course.started", course, creator, purpose="start-course")
    return course


# --- the team ------------------------------------------------------------------------------


@dataclass
class TeamMember:
    user: User
    assignments: list[RoleAssignment] = field(default_factory=list)

    @property
    def roles(self) -> list[Role]:
        return sorted((a.role for a in self.assignments), key=list(Role).index)

    @property
    def active(self) -> bool:
        return self.user.active


def team_of(course_id: int) -> list[TeamMember]:
    """Return the course's network team: each person with their roles, tovholders first, in one query."""
    rows = db.session.scalars(
        db.select(RoleAssignment)
        .where(RoleAssignment.course_id == course_id)
        .options(db.joinedload(RoleAssignment.user), db.joinedload(RoleAssignment.handed_over_by))
        .order_by(RoleAssignment.id)
    ).all()
    people: dict[int, TeamMember] = {}
    for assignment in rows:
        people.setdefault(assignment.user_id, TeamMember(assignment.user)).assignments.append(assignment)
    return sorted(people.values(), key=lambda m: (Role.TOVHOLDER not in m.roles, not m.active, m.user.display_name.casefold()))


def _assignment(course: Course, user: User, role: Role) -> RoleAssignment | None:
    return db.session.scalar(
        db.select(RoleAssignment).where(RoleAssignment.course_id == course.id, RoleAssignment.user_id == user.id, RoleAssignment.role == role)
    )


def _other_active_tovholders(course: Course, user: User) -> int:
    return db.session.scalar(
        db.select(db.func.count(RoleAssignment.id))
        .join(User, User.id == RoleAssignment.user_id)
        .where(RoleAssignment.course_id == course.id, RoleAssignment.role == Role.TOVHOLDER, User.active.is_(True), User.id != user.id)
    ) or 0


def _team_member(course: Course, user: User) -> NetworkMember | None:
    return db.session.scalar(db.select(NetworkMember).where(NetworkMember.course_id == course.id, NetworkMember.user_id == user.id))


def _give(course: Course, user: User, role: Role) -> RoleAssignment:
    """Give the role and bring the person (back) into the network team."""
    if not user.active:
        raise TeamError(_l("%(name)s is deactivated and cannot be given a role.", name=user.display_name), field="user_id")
    if _assignment(course, user, role) is not None:
        raise TeamError(_l("%(name)s is already %(role)s in this course.", name=user.display_name, role=str(role.title).lower()), field="user_id")
    assignment = join_team(user, course, role)
    member = _team_member(course, user)
    if member is not None and member.removed_at is not None:
        member.removed_at = None  # back in the team: back in the network
        member.name = user.display_name
    return assignment


def _take(course: Course, user: User, assignment: RoleAssignment, now: datetime) -> None:
    """Take a role away; someone with no role left leaves the network team and its coming invitations."""
    db.session.delete(assignment)
    db.session.flush()
    if db.session.scalar(db.select(RoleAssignment.id).where(RoleAssignment.course_id == course.id, RoleAssignment.user_id == user.id).limit(1)):
        return
    member = _team_member(course, user)
    if member is None:
        return
    member.removed_at = now
    not_started = db.select(Meeting.id).where(Meeting.course_id == course.id, Meeting.opened_at.is_(None))
    db.session.execute(
        db.delete(Attendance).where(
            Attendance.member_id == member.id, Attendance.status == AttendanceStatus.INVITED, Attendance.meeting_id.in_(not_started)
        )
    )


def assign(course: Course, user: User, role: Role, by: User) -> RoleAssignment:
    """Give a staff member a role in the course's network team."""
    assignment = _give(course, user, role)
    record("team.role_given", course, by, target=user, detail=role.value)
    return assignment


def remove(course: Course, user: User, role: Role, by: User, now: datetime | None = None) -> None:
    """Take a role away; the course keeps at least one active tovholder."""
    assignment = _assignment(course, user, role)
    if assignment is None:
        raise TeamError(_l("%(name)s is not %(role)s in this course (any more).", name=user.display_name, role=str(role.title).lower()))
    if role == Role.TOVHOLDER and _other_active_tovholders(course, user) == 0:
        raise TeamError(
            _l("%(name)s is the only active tovholder. Give someone else the tovholder role first, or hand it over.", name=user.display_name)
        )
    _take(course, user, assignment, now or utcnow())
    record("team.role_removed", course, by, target=user, detail=role.value)


def hand_over(course: Course, by: User, to: User, now: datetime | None = None) -> None:
    """Hand one's tovholder role to a colleague: theirs from now on, with a note on their start page."""
    now = now or utcnow()
    mine = _assignment(course, by, Role.TOVHOLDER)
    if mine is None:
        raise TeamError(_l("Only a tovholder can hand the tovholder role over."))
    if to.id == by.id:
        raise TeamError(_l("Choose the colleague who takes over."), field="user_id")
    if _assignment(course, to, Role.TOVHOLDER) is not None:
        raise TeamError(
            _l("%(name)s is already tovholder. To leave, remove your own tovholder role instead.", name=to.display_name), field="user_id"
        )
    theirs = _give(course, to, Role.TOVHOLDER)
    theirs.handed_over_by_id, theirs.handed_over_at = by.id, now
    _take(course, by, mine, now)
    record("team.tovholder_handed_over", course, by, target=to, detail=f"{by.username} → {to.username}")


def appoint_tovholder(course: Course, user: User, by: User) -> None:
    """Let an administrator give a course whose tovholders are all deactivated a new tovholder (never themself)."""
    if not may_appoint_in(course.id):
        raise TeamError(_l("This course has an active tovholder; they manage its team."))
    if user.id == by.id:
        raise TeamError(_l("An administrator sees no citizen's data, so you cannot make yourself tovholder here."), field="user_id")
    _give(course, user, Role.TOVHOLDER)
    record("team.tovholder_appointed", course, by, target=user)


def staff_to_choose() -> list[User]:
    """Return the active staff, by name, for choosing a team member."""
    return list(db.session.scalars(db.select(User).where(User.active.is_(True)).order_by(User.display_name, User.id)))
