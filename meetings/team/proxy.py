"""The citizen's proxy (stedfortræder): whom they chose to speak for them, from when, and when it ended.

One period is open at a time; its member carries `NetworkMember.is_proxy`, which the meeting
screen (the proxy is heard right after the citizen) and the exports read. Choosing a new
proxy ends the earlier period the day the new one starts.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from extensions import db
from meetings.course.network import set_proxy
from meetings.models import Course, MemberKind, NetworkMember
from meetings.team.models import ProxyPeriod
from meetings.team.rules import TeamError, record
from roles.models import User


def current_proxy(course_id: int) -> ProxyPeriod | None:
    """Return the open proxy period of the course, if the citizen has a proxy now."""
    return db.session.scalar(
        db.select(ProxyPeriod)
        .where(ProxyPeriod.course_id == course_id, ProxyPeriod.ended_on.is_(None))
        .options(db.joinedload(ProxyPeriod.member))
    )


def proxy_history(course_id: int) -> list[ProxyPeriod]:
    """Return every proxy period of the course, newest first."""
    return list(
        db.session.scalars(
            db.select(ProxyPeriod)
            .where(ProxyPeriod.course_id == course_id)
            .options(db.joinedload(ProxyPeriod.member))
            .order_by(ProxyPeriod.started_on.desc(), ProxyPeriod.id.desc())
        )
    )


def candidates(course_id: int) -> list[NetworkMember]:
    """Return who can be chosen as proxy: the citizen's private and professional network, not removed."""
    return list(
        db.session.scalars(
            db.select(NetworkMember)
            .where(
                NetworkMember.course_id == course_id,
                NetworkMember.kind.in_([MemberKind.PRIVATE, MemberKind.PROFESSIONAL]),
                NetworkMember.removed_at.is_(None),
            )
            .order_by(NetworkMember.kind, NetworkMember.name, NetworkMember.id)
        )
    )


def choose_proxy(course: Course, member: NetworkMember | None, started_on: date, by: User, today: date) -> ProxyPeriod:
    """Record the network member the citizen chose as proxy, from `started_on`; an earlier proxy ends that day."""
    if member is None or member.course_id != course.id or member.kind not in (MemberKind.PRIVATE, MemberKind.PROFESSIONAL) or member.removed_at:
        raise TeamError(_l("Choose a person from the citizen's network."), field="member_id")
    if started_on > today:
        raise TeamError(_l("Write today's date or an earlier one: record the proxy when the citizen has chosen."), field="started_on")
    current = current_proxy(course.id)
    if current is not None:
        if current.member_id == member.id:
            raise TeamError(_l("%(name)s is already the citizen's proxy.", name=member.name), field="member_id")
        if started_on < current.started_on:
            raise TeamError(
                _l("%(name)s has been proxy since an earlier date. Write a date from then on.", name=current.member.name), field="started_on"
            )
        current.ended_on, current.ended_by_id = started_on, by.id
    period = ProxyPeriod(course_id=course.id, member_id=member.id, started_on=started_on, recorded_by_id=by.id)
    db.session.add(period)
    set_proxy(course, member)
    record("proxy.chosen", course, by, purpose="proxy", detail=f"network_member {member.id}")
    return period


def end_proxy(course: Course, ended_on: date, by: User, today: date) -> ProxyPeriod:
    """Record that the citizen's proxy arrangement ended on `ended_on`."""
    current = current_proxy(course.id)
    if current is None:
        raise TeamError(_l("The citizen has no proxy now."), field="ended_on")
    if ended_on > today:
        raise TeamError(_l("Write today's date or an earlier one: record the end when it has happened."), field="ended_on")
    if ended_on < current.started_on:
        raise TeamError(_l("The end cannot be before the proxy began."), field="ended_on")
    current.ended_on, current.ended_by_id = ended_on, by.id
    set_proxy(course, None)
    record("proxy.ended", course, by, purpose="proxy", detail=f"network_member {current.member_id}")
    return current
