"""Brief INSPIRE, as plain functions.

Brief INSPIRE (Williams et al. 2015, researchintorecovery.com) asks five questions, one for each
part of CHIME — connectedness, hope, identity, meaning, empowerment — each answered on a
five-step scale from 0 (*not at all*) to 4 (*very much*). Every question may be skipped, and so
may the whole questionnaire: nothing else in Rundbord depends on it.

The session rating asks "how was this meeting for you?" on a scale from 1 to 5, first of all
the citizen, optionally other members of the network. Answering again replaces the answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from extensions import db
from kernel.clock import utcnow
from kernel.enums import TitledEnum
from meetings.models import (
    Course,
    InspireResponse,
    Meeting,
)


class InspireItem(TitledEnum):
    """The five Brief INSPIRE questions, in the questionnaire's order; values are the column names."""

    CONNECTEDNESS = "connectedness"
    HOPE = "hope"
    IDENTITY = "identity"
    MEANING = "meaning"
    EMPOWERMENT = "empowerment"

    @property
    def question(self):
        """Return the question as the citizen reads it, translated when it is rendered."""
        return INSPIRE_QUESTIONS[self]


#: Short names of the CHIME parts, for charts and tables read by the network team.
InspireItem.__titles__ = {
    InspireItem.CONNECTEDNESS: lazy_pgettext("CHIME", "Connectedness"),
    InspireItem.HOPE: lazy_pgettext("CHIME", "Hope"),
    InspireItem.IDENTITY: lazy_pgettext("CHIME", "Identity"),
    InspireItem.MEANING: lazy_pgettext("CHIME", "Meaning"),
    InspireItem.EMPOWERMENT: lazy_pgettext("CHIME", "Empowerment"),
}


#: The questions, after the Danish wording in the course material (seeds/002, exercise to theme 1).
INSPIRE_QUESTIONS = {
    InspireItem.CONNECTEDNESS: _l("The professional I work with helps me to feel supported by other people."),
    InspireItem.HOPE: _l("The professional I work with helps me to have hopes and dreams for the future."),
    InspireItem.IDENTITY: _l("The professional I work with helps me to feel good about myself."),
    InspireItem.MEANING: _l("The professional I work with helps me to do things that mean something to me."),
    InspireItem.EMPOWERMENT: _l("The professional I work with helps me to feel in control of my own life."),
}


#: The answer scale: the stored value and its words (Slet ikke / Lidt / I nogen grad / En hel del / Rigtig meget).
INSPIRE_ANSWERS: tuple[tuple[int, object], ...] = (
    (0, _l("Not at all")),
    (1, _l("A little")),
    (2, _l("Somewhat")),
    (3, _l("Quite a lot")),
    (4, _l("Very much")),
)


INSPIRE_MAX = 4


def answer_label(value: int | None):
    """Return the words for an answer value (0..4); None for a skipped question."""
    if value is None:
        return None
    return dict(INSPIRE_ANSWERS)[value]


def inspire_score(answers: Mapping[InspireItem, int | None]) -> float | None:
    """Return the Brief INSPIRE total as 0–100, from the answered questions only.

    The formula: the mean of the answered items (each 0..4) times 25, which is the same as
    ``sum of answers / (4 × number answered) × 100``. With all five answered it is the
    published Brief INSPIRE score; a skipped question neither counts as 0 nor lowers the
    score. Rounded to one decimal, halves up (56.25 → 56.3). With every question skipped
    there is no score: None.
    """
    given = [v for v in answers.values() if v is not None]
    if not given:
        return None
    exact = Decimal(sum(given) * 100) / Decimal(INSPIRE_MAX * len(given))
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _answers_of(response: InspireResponse) -> dict[InspireItem, int | None]:
    return {item: getattr(response, item.value) for item in InspireItem}


def _check_answers(answers: Mapping[InspireItem | str, int | None]) -> dict[InspireItem, int | None]:
    clean: dict[InspireItem, int | None] = {item: None for item in InspireItem}
    for key, value in answers.items():
        try:
            item = InspireItem(key)
        except ValueError:
            raise ValueError(f"unknown INSPIRE question {key!r}") from None
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= INSPIRE_MAX):
            raise ValueError(f"an INSPIRE answer is 0..{INSPIRE_MAX} or None (skipped), not {value!r}")
        clean[item] = value
    return clean


def record_inspire(
    course: Course,
    answers: Mapping[InspireItem | str, int | None],
    meeting: Meeting | None = None,
    answered_at: datetime | None = None,
) -> InspireResponse:
    """Store one Brief INSPIRE response as given; a question left out or None is skipped.

    Every question may be skipped; the response is stored all the same (it carries no score).
    Raises ValueError for an unknown question, an answer outside 0..4, or a meeting of another course.
    """
    clean = _check_answers(answers)
    if meeting is not None and meeting.course_id != course.id:
        raise ValueError("the meeting belongs to another course")
    response = InspireResponse(
        course_id=course.id,
        meeting_id=meeting.id if meeting is not None else None,
        answered_at=answered_at or utcnow(),
        **{item.value: value for item, value in clean.items()},
    )
    db.session.add(response)
    db.session.flush()
    return response


@dataclass(frozen=True)
class InspireResult:
    """One response as the charts and tables read it."""

    id: int
    answered_at: datetime
    meeting_id: int | None
    answers: dict[InspireItem, int | None]
    score: float | None

    @property
    def answered(self) -> int:
        """Return how many of the five questions were answered."""
        return sum(v is not None for v in self.answers.values())


def inspire_history(course_id: int) -> list[InspireResult]:
    """Return the course's INSPIRE responses, oldest first, each with its score."""
    rows = db.session.scalars(
        db.select(InspireResponse)
        .where(InspireResponse.course_id == course_id)
        .order_by(InspireResponse.answered_at, InspireResponse.id)
    )
    results = []
    for row in rows:
        answers = _answers_of(row)
        results.append(InspireResult(row.id, row.answered_at, row.meeting_id, answers, inspire_score(answers)))
    return results


def set_chart_in_summary(course: Course, include: bool) -> None:
    """Record the citizen's choice: their INSPIRE answers in the meeting summary, or not."""
    course.chart_in_summary = include
    db.session.flush()
