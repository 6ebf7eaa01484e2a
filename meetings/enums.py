"""The meeting domain's states, each with its translated title; their order lives here, not in templates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from kernel.enums import TitledEnum


class Language(TitledEnum):
    DA = "da"
    EN = "en"


Language.__titles__ = {Language.DA: "Dansk", Language.EN: "English"}


class Phase(TitledEnum):
    OPENING = "opening"
    SINCE_LAST = "since_last"
    DIALOGUE = "dialogue"
    REFLECTION = "reflection"
    RESPONSE = "response"
    CLOSING = "closing"


Phase.__titles__ = {
    Phase.OPENING: lazy_pgettext("phase", "Opening"),
    Phase.SINCE_LAST: lazy_pgettext("phase", "Since last time"),
    Phase.DIALOGUE: lazy_pgettext("phase", "Dialogue"),
    Phase.REFLECTION: lazy_pgettext("phase", "Reflection"),
    Phase.RESPONSE: lazy_pgettext("phase", "Response"),
    Phase.CLOSING: lazy_pgettext("phase", "Closing"),
}


class MeetingKind(TitledEnum):
    REGULAR = "regular"
    ACUTE = "acute"


MeetingKind.__titles__ = {MeetingKind.REGULAR: _l("Regular meeting"), MeetingKind.ACUTE: _l("Acute meeting")}


class MemberKind(TitledEnum):
    CITIZEN = "citizen"
    PRIVATE = "private"
    PROFESSIONAL = "professional"
    TEAM = "team"


MemberKind.__titles__ = {
    MemberKind.CITIZEN: _l("Citizen"),
    MemberKind.PRIVATE: _l("Private network"),
    MemberKind.PROFESSIONAL: _l("Professional"),
    MemberKind.TEAM: _l("Network team"),
}


class Closeness(TitledEnum):
    CLOSE = "close"
    MIDDLE = "middle"
    DISTANT = "distant"


Closeness.__titles__ = {Closeness.CLOSE: _l("Close"), Closeness.MIDDLE: _l("In between"), Closeness.DISTANT: _l("Further away")}


class AttendanceStatus(TitledEnum):
    INVITED = "invited"
    PRESENT = "present"
    SENT_WORD = "sent_word"
    ABSENT = "absent"


AttendanceStatus.__titles__ = {
    AttendanceStatus.INVITED: _l("Invited"),
    AttendanceStatus.PRESENT: _l("Present"),
    AttendanceStatus.SENT_WORD: _l("Sent word"),
    AttendanceStatus.ABSENT: _l("Absent"),
}


class NoteKind(TitledEnum):
    OWN_WORDS = "own_words"
    REFLECTION = "reflection"
    OBSERVATION = "observation"


NoteKind.__titles__ = {
    NoteKind.OWN_WORDS: _l("Own words"),
    NoteKind.REFLECTION: _l("Reflection"),
    NoteKind.OBSERVATION: _l("Observation"),
}


class AgreementStatus(TitledEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


AgreementStatus.__titles__ = {
    AgreementStatus.OPEN: _l("Open"),
    AgreementStatus.DONE: _l("Done"),
    AgreementStatus.DROPPED: _l("Dropped"),
}


class ReviewOutcome(TitledEnum):
    DONE = "done"
    PARTLY = "partly"
    NOT_DONE = "not_done"
    DROPPED = "dropped"


ReviewOutcome.__titles__ = {
    ReviewOutcome.DONE: _l("Done"),
    ReviewOutcome.PARTLY: _l("Partly done"),
    ReviewOutcome.NOT_DONE: _l("Not done"),
    ReviewOutcome.DROPPED: _l("Dropped"),
}


class GoalKind(TitledEnum):
    GOAL = "goal"
    HOPE = "hope"
    DREAM = "dream"


GoalKind.__titles__ = {GoalKind.GOAL: _l("Goal"), GoalKind.HOPE: _l("Hope"), GoalKind.DREAM: _l("Dream")}


class ConsentScope(TitledEnum):
    SUMMARY = "summary"
    AGREEMENTS = "agreements"
    NOTES = "notes"


ConsentScope.__titles__ = {
    ConsentScope.SUMMARY: _l("The summary"),
    ConsentScope.AGREEMENTS: _l("Agreements"),
    ConsentScope.NOTES: _l("Notes"),
}
