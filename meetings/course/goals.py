"""The citizen's own goals, hopes and dreams: never required, always in their words."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from extensions import db
from kernel.refusal import Refusal
from meetings.models import (
    Agreement,
    Course,
    Goal,
    GoalKind,
)


def _goal_text(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise Refusal(_l("Write the goal, hope or dream in the citizen's own words."), field="text")
    return text


def add_goal(course: Course, kind: GoalKind, text: str) -> Goal:
    """Write down one of the citizen's own goals, hopes or dreams, in their words."""
    goal = Goal(course_id=course.id, kind=kind, text=_goal_text(text))
    db.session.add(goal)
    db.session.flush()
    return goal


def edit_goal(goal: Goal, kind: GoalKind, text: str) -> Goal:
    """Change a goal, hope or dream."""
    goal.kind, goal.text = kind, _goal_text(text)
    db.session.flush()
    return goal


def remove_goal(goal: Goal) -> None:
    """Remove a goal, hope or dream (agreements that pointed at it keep their text)."""
    db.session.execute(db.update(Agreement).where(Agreement.goal_id == goal.id).values(goal_id=None))
    course = db.session.get(Course, goal.course_id)
    db.session.delete(goal)
    db.session.flush()
    if course is not None:
        db.session.expire(course, ["goals"])


def course_with_goals(course_id: int) -> Course | None:
    """Return a course with its citizen and its goals, freshly read."""
    return db.session.scalars(
        db.select(Course)
        .where(Course.id == course_id)
        .options(db.joinedload(Course.citizen), db.selectinload(Course.goals))
        .execution_options(populate_existing=True)
    ).one_or_none()


def goal_in_course(course_id: int, goal_id: int | None) -> Goal | None:
    """Return the goal only if it belongs to this course (ids from a form are never trusted alone)."""
    if goal_id is None:
        return None
    goal = db.session.get(Goal, goal_id)
    return goal if goal is not None and goal.course_id == course_id else None
