"""The phases of a network meeting: their order, the leader's prompts, the time plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from extensions import db
from kernel.refusal import Refusal
from meetings.models import Meeting, MeetingKind, Phase

ORDER: tuple[Phase, ...] = tuple(Phase)

#: What the leader is reminded of in each phase (001 §3.3.3 and the design brief).
PROMPTS = {
    Phase.OPENING: _l(
        "Welcome everyone. Let each person say who they are and how they know the citizen. "
        "Say how long we have, that everyone will be heard, and that there is no fixed goal. "
        "Ask what the citizen wants to talk about today."
    ),
    Phase.SINCE_LAST: _l(
        "Go through the agreements from last time, one at a time. "
        "Let the person responsible tell how it went. Read the citizen's own words from last time if they want."
    ),
    Phase.DIALOGUE: _l(
        "Open talk. Start with the citizen. Make sure everyone is heard, and that all voices weigh the same. "
        "Keep the talk with the citizen, not between the professionals."
    ),
    Phase.REFLECTION: _l(
        "The reflecting team talks aloud to each other about what they heard, while the network listens. "
        "Tentative, curious, in everyday words."
    ),
    Phase.RESPONSE: _l("Ask the citizen first, then the others: what did you think when you heard the reflection?"),
    Phase.CLOSING: _l(
        "Agree on what happens now: what, who is responsible, and by when. "
        "Agree on the next meeting and whom the citizen wants to invite. Ask how the meeting was."
    ),
}

#: Share of the planned time for each phase; the leader sets the total (default 90 minutes).
PLAN_SHARE = {
    Phase.OPENING: 0.10,
    Phase.SINCE_LAST: 0.10,
    Phase.DIALOGUE: 0.40,
    Phase.REFLECTION: 0.15,
    Phase.RESPONSE: 0.15,
    Phase.CLOSING: 0.10,
}

#: Phases in which the leader ticks who has been heard.
VOICE_PHASES = (Phase.DIALOGUE, Phase.RESPONSE)


class MeetingClosed(Refusal):
    """The meeting is closed; its notes and phases are locked until a tovholder reopens it."""

    def __init__(self) -> None:
        super().__init__(_l("This meeting is closed. A tovholder can reopen it."))


def phases_for(meeting: Meeting) -> list[Phase]:
    """Return the phases this meeting goes through: an acute meeting skips 'Since last time'."""
    if meeting.kind == MeetingKind.ACUTE:
        return [p for p in ORDER if p != Phase.SINCE_LAST]
    return list(ORDER)


def neighbours(meeting: Meeting) -> tuple[Phase | None, Phase | None]:
    """Return the phase before and after the current one (None at either end)."""
    phases = phases_for(meeting)
    if meeting.phase not in phases:
        phases = list(ORDER)
    i = phases.index(meeting.phase)
    return (phases[i - 1] if i > 0 else None, phases[i + 1] if i + 1 < len(phases) else None)


def start_meeting(meeting: Meeting, now: datetime) -> None:
    """Open the meeting at its first phase (once; opening again changes nothing)."""
    if meeting.closed_at is not None:
        raise MeetingClosed
    if meeting.opened_at is None:
        meeting.opened_at = now
        meeting.phase = Phase.OPENING
        meeting.phase_started_at = now
    db.session.flush()


def move_to_phase(meeting: Meeting, phase: Phase, now: datetime) -> None:
    """Go to any phase, forward or back (flexibility is a principle); opens the meeting if needed."""
    if meeting.closed_at is not None:
        raise MeetingClosed
    if meeting.opened_at is None:
        meeting.opened_at = now
    if meeting.phase != phase or meeting.phase_started_at is None:
        meeting.phase = phase
        meeting.phase_started_at = now
    db.session.flush()


class InvalidPlan(Refusal):
    """The plan was refused; `field` is 'total' or 'phase'."""


def set_planned_minutes(meeting: Meeting, minutes: int, phase_minutes: int | None) -> None:
    """Set how long the meeting is planned to last (15 minutes to 5 hours) and how long the
    current phase is planned to take: 1 minute up to the whole meeting, or None for its
    usual share of the meeting."""
    if not 15 <= minutes <= 300:
        raise InvalidPlan(_l("Write a number of minutes between 15 and 300."), field="total")
    if phase_minutes is not None and not 1 <= phase_minutes <= minutes:
        raise InvalidPlan(_l("Write the minutes for this phase: a whole number, at most the length of the meeting."), field="phase")
    # The form always sends the phase's minutes as shown; only a changed number is the
    # leader's own plan (an unchanged one keeps following its share of a new total).
    shown = planned_for_phase(meeting, meeting.phase)
    meeting.planned_minutes = minutes
    # New dicts, so the JSON column sees the change.
    if phase_minutes is None:
        rest = {k: v for k, v in (meeting.phase_minutes or {}).items() if k != meeting.phase.value}
        meeting.phase_minutes = rest or None
    elif phase_minutes != shown:
        meeting.phase_minutes = {**(meeting.phase_minutes or {}), meeting.phase.value: phase_minutes}
    db.session.flush()


def usual_share(meeting: Meeting, phase: Phase) -> int:
    """Minutes a phase usually gets of the meeting's planned length."""
    return round(meeting.planned_minutes * PLAN_SHARE[phase])


def planned_for_phase(meeting: Meeting, phase: Phase) -> int:
    """Minutes planned for a phase: what the leader set, or its usual share of the meeting."""
    chosen = (meeting.phase_minutes or {}).get(phase.value)
    return chosen if chosen else usual_share(meeting, phase)


@dataclass(frozen=True)
class Clock:
    """The meeting's time at a glance, in whole minutes."""

    elapsed: int
    planned: int
    in_phase: int
    phase_planned: int
    #: What the phase gets when the leader has not set it (the plan form's hint).
    phase_usual: int

    @property
    def over_time(self) -> bool:
        return self.elapsed > self.planned

    @property
    def phase_over_time(self) -> bool:
        return self.in_phase > self.phase_planned


def clock(meeting: Meeting, now: datetime) -> Clock:
    """Return elapsed time and time in the current phase against the plan."""
    started = meeting.opened_at or now
    end = meeting.closed_at or now
    in_phase_from = meeting.phase_started_at or started
    return Clock(
        elapsed=max(0, int((end - started).total_seconds() // 60)),
        planned=meeting.planned_minutes,
        in_phase=max(0, int((end - in_phase_from).total_seconds() // 60)),
        phase_planned=planned_for_phase(meeting, meeting.phase),
        phase_usual=usual_share(meeting, meeting.phase),
    )
