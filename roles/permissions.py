"""What each role may do in a course: the one table every route is checked against."""

from __future__ import annotations

import enum

from roles.models import Grant, Role


class Action(str, enum.Enum):
    VIEW_COURSE = "view_course"
    EDIT_NETWORK = "edit_network"
    RUN_MEETING = "run_meeting"
    WRITE_NOTES = "write_notes"
    RECORD_AGREEMENTS = "record_agreements"
    REVIEW_AGREEMENTS = "review_agreements"
    CONVENE = "convene"
    REOPEN_MEETING = "reopen_meeting"
    FOLLOW_UP = "follow_up"
    VIEW_AUDIT = "view_audit"
    EXPORT_CITIZEN_DATA = "export_citizen_data"
    GIVE_SUMMARY = "give_summary"
    RECORD_FEEDBACK = "record_feedback"
    ERASE_COURSE = "erase_course"
    MANAGE_TEAM = "manage_team"
    RECORD_PROXY = "record_proxy"


T, L, R = Role.TOVHOLDER, Role.MEETING_LEADER, Role.REFLECTANT

#: Deny unless listed here. Roles are per course, so this is asked per course.
PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW_COURSE: frozenset({T, L, R}),
    Action.EDIT_NETWORK: frozenset({T, L}),
    Action.RUN_MEETING: frozenset({T, L}),
    Action.WRITE_NOTES: frozenset({T, L, R}),
    Action.RECORD_AGREEMENTS: frozenset({T, L}),
    Action.REVIEW_AGREEMENTS: frozenset({T, L}),
    Action.CONVENE: frozenset({T}),
    Action.REOPEN_MEETING: frozenset({T}),
    Action.FOLLOW_UP: frozenset({T}),
    Action.VIEW_AUDIT: frozenset({T}),
    Action.EXPORT_CITIZEN_DATA: frozenset({T}),
    Action.GIVE_SUMMARY: frozenset({T}),
    Action.RECORD_FEEDBACK: frozenset({T, L}),
    Action.ERASE_COURSE: frozenset({T}),
    Action.MANAGE_TEAM: frozenset({T}),
    Action.RECORD_PROXY: frozenset({T}),
}

#: Why the data was looked at, recorded with every access in the audit log.
PURPOSES: dict[Action, str] = {
    Action.VIEW_COURSE: "course",
    Action.EDIT_NETWORK: "network",
    Action.RUN_MEETING: "meeting",
    Action.WRITE_NOTES: "meeting",
    Action.RECORD_AGREEMENTS: "meeting",
    Action.REVIEW_AGREEMENTS: "meeting",
    Action.CONVENE: "convening",
    Action.REOPEN_MEETING: "meeting",
    Action.FOLLOW_UP: "follow-up",
    Action.VIEW_AUDIT: "audit",
    Action.EXPORT_CITIZEN_DATA: "citizen-access-request",
    Action.GIVE_SUMMARY: "summary",
    Action.RECORD_FEEDBACK: "feedback",
    Action.ERASE_COURSE: "erasure",
    Action.MANAGE_TEAM: "team",
    Action.RECORD_PROXY: "proxy",
}


def allowed(roles: set[Role] | frozenset[Role], action: Action) -> bool:
    """Return whether any of these roles may perform the action."""
    return bool(PERMISSIONS.get(action, frozenset()) & set(roles))


class StaffAction(str, enum.Enum):
    """What a staff member may do outside any course: asked of their grants, not of a course role."""

    ADMINISTER_STAFF = "administer_staff"
    START_COURSE = "start_course"


#: Deny unless listed here. An administrator administers staff and sees no citizen's data:
#: no course role comes with the grant.
STAFF_PERMISSIONS: dict[StaffAction, frozenset[Grant]] = {
    StaffAction.ADMINISTER_STAFF: frozenset({Grant.ADMINISTRATOR}),
    StaffAction.START_COURSE: frozenset({Grant.STARTS_COURSES}),
}

STAFF_PURPOSES: dict[StaffAction, str] = {
    StaffAction.ADMINISTER_STAFF: "administration",
    StaffAction.START_COURSE: "start-course",
}


def staff_allowed(grants: set[Grant] | frozenset[Grant], action: StaffAction) -> bool:
    """Return whether any of these grants allows the staff action."""
    return bool(STAFF_PERMISSIONS.get(action, frozenset()) & set(grants))
