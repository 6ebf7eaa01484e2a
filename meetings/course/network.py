"""The course's network: the citizen, private and professional people, the team; one member order."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from extensions import db
from kernel.clock import utcnow
from kernel.refusal import Refusal
from meetings.models import (
    Attendance,
    AttendanceStatus,
    Citizen,
    Closeness,
    Course,
    Language,
    Meeting,
    MemberKind,
    NetworkMember,
)
from roles import services as role_services
from roles.models import Role, RoleAssignment, User


def create_course(preferred_name: str, language: Language = Language.DA, title: str = "", full_name: str | None = None) -> Course:
    """Create a citizen and their course; the citizen is the first member of the network."""
    citizen = Citizen(preferred_name=preferred_name.strip(), full_name=full_name, language=language)
    course = Course(citizen=citizen, title=title)
    db.session.add(course)
    db.session.flush()
    db.session.add(
        NetworkMember(course_id=course.id, kind=MemberKind.CITIZEN, name=citizen.preferred_name, relation="", language=language, closeness=Closeness.CLOSE)
    )
    db.session.flush()
    return course


def add_member(
    course: Course,
    *,
    kind: MemberKind,
    name: str,
    relation: str = "",
    organisation: str | None = None,
    mandate: str | None = None,
    contact: str | None = None,
    closeness: Closeness = Closeness.MIDDLE,
    language: Language = Language.DA,
) -> NetworkMember:
    """Add someone to the citizen's network."""
    member = NetworkMember(
        course_id=course.id,
        kind=kind,
        name=name.strip(),
        relation=relation.strip(),
        organisation=(organisation or "").strip() or None,
        mandate=(mandate or "").strip() or None,
        contact=(contact or "").strip() or None,
        closeness=closeness,
        language=language,
    )
    db.session.add(member)
    db.session.flush()
    return member


def set_proxy(course: Course, member: NetworkMember | None) -> None:
    """Record the person the citizen chose to speak for them (or none)."""
    if member is not None and member.course_id != course.id:
        raise Refusal("the proxy must belong to the citizen's own network", field="proxy")
    # At most one proxy per course: clear the old one first.
    db.session.execute(
        db.update(NetworkMember).where(NetworkMember.course_id == course.id).values(is_proxy=False)
    )
    if member is not None:
        member.is_proxy = True
    db.session.flush()


def current_members(course_id: int) -> list[NetworkMember]:
    """Return the course's current network: the citizen, private, professional, then the team."""
    members = db.session.scalars(
        db.select(NetworkMember).where(NetworkMember.course_id == course_id, NetworkMember.removed_at.is_(None))
    ).all()
    return sorted(members, key=NetworkMember.network_order)


def citizen_member(course_id: int) -> NetworkMember:
    """Return the network member that is the citizen."""
    return db.session.scalars(
        db.select(NetworkMember).where(NetworkMember.course_id == course_id, NetworkMember.kind == MemberKind.CITIZEN)
    ).one()


def join_team(user: User, course: Course, role: Role) -> RoleAssignment:
    """Give a user a role in a course and make them a member of its network team (once)."""
    assignment = role_services.assign_role(user, course.id, role)
    has_member = db.session.scalar(
        db.select(NetworkMember.id).where(NetworkMember.course_id == course.id, NetworkMember.user_id == user.id)
    )
    if has_member is None:
        db.session.add(NetworkMember(course_id=course.id, kind=MemberKind.TEAM, name=user.display_name, relation="", user_id=user.id))
        db.session.flush()
    return assignment


def editable(member: NetworkMember) -> bool:
    """Whether the member can be edited or removed from the network list (not the citizen, not the team)."""
    return member.kind in (MemberKind.PRIVATE, MemberKind.PROFESSIONAL) and member.removed_at is None


def update_member(member: NetworkMember, **values) -> NetworkMember:
    """Change how a private or professional member is described: relation, organisation, mandate, contact…"""
    if not editable(member):
        raise Refusal(_l("This person cannot be changed here."))
    name = (values.get("name") or "").strip()
    if not name:
        raise Refusal(_l("Write the person's name."), field="name")
    member.name = name
    member.kind = values.get("kind", member.kind)
    member.relation = (values.get("relation") or "").strip()
    for key in ("organisation", "mandate", "contact"):
        setattr(member, key, (values.get(key) or "").strip() or None)
    member.closeness = values.get("closeness", member.closeness)
    member.language = values.get("language", member.language)
    db.session.flush()
    return member


def remove_member(member: NetworkMember, now: datetime | None = None) -> NetworkMember:
    """Take someone out of the network: they stay in the history, leave coming invitations and receive nothing more."""
    if not editable(member):
        raise Refusal(_l("This person cannot be removed here."))
    member.removed_at = now or utcnow()
    not_started = db.select(Meeting.id).where(Meeting.course_id == member.course_id, Meeting.opened_at.is_(None))
    db.session.execute(
        db.delete(Attendance).where(
            Attendance.member_id == member.id,
            Attendance.status == AttendanceStatus.INVITED,
            Attendance.meeting_id.in_(not_started),
        )
    )
    db.session.flush()
    return member
