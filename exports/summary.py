"""The citizen's summary of a meeting: one data structure, written in the citizen's language.

`build_summary` gathers everything the citizen reads, in the order they read it, with the
fixed text already translated. The printable page (templates/exports/summary.html) and the
DOCX (exports/summary_docx.py) are both made from it, so they always say the same thing.
It holds no ids, no audit data and no consent details: only what the citizen may read.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _

from extensions import db
from kernel.clock import day, local_date, when
from meetings.consent import rules as consent_rules
from meetings.consent.rules import Sharing
from meetings.feedback.inspire import inspire_history
from meetings.models import (
    Agreement,
    AgreementReview,
    Attendance,
    AttendanceStatus,
    ConsentScope,
    Meeting,
    MemberKind,
    NetworkMember,
    Note,
    NoteKind,
)

LANGUAGES = ("da", "en")


class SummaryError(Exception):
    """The summary cannot be made or given (the message says why, in plain words)."""


@dataclass(frozen=True)
class Person:
    """Someone in the network as the citizen knows them."""

    name: str
    relation: str
    is_citizen: bool = False

    @property
    def label(self) -> str:
        """Return "Hanne Holm (mor)", or just the name when there is no relation."""
        return f"{self.name} ({self.relation})" if self.relation else self.name


@dataclass(frozen=True)
class Utterance:
    """Something a person said, in their own words, with who said it."""

    intro: str  # "Du sagde:" / "Hanne Holm (mor) sagde:"
    text: str
    by_citizen: bool
    #: Who said it, when not the citizen: the page and the DOCX isolate that name inside `intro`.
    speaker: Person | None = None

    def intro_around_speaker(self) -> tuple[str, str]:
        """Return the intro's words before and after the speaker's name: ("", " sagde:")."""
        if self.speaker is None:
            return self.intro, ""
        before, _name, after = self.intro.partition(self.speaker.label)
        return before, after


@dataclass(frozen=True)
class ReviewLine:
    """How an earlier agreement went, as told at this meeting."""

    what: str
    who: str
    outcome: str
    comment: str


@dataclass(frozen=True)
class AgreementRow:
    """One new agreement: what, who, by when."""

    what: str
    who: str
    by_when: str


@dataclass(frozen=True)
class NextMeeting:
    when: str
    where: str
    invited: tuple[Person, ...]


@dataclass(frozen=True)
class SummaryTexts:
    """The fixed text Rundbord writes around people's words (kept plain: LIX ≤ 35)."""

    title: str
    time_and_place: str
    time: str
    place: str
    who_was_there: str
    topics: str
    said: str
    you_said: str
    reflection: str
    reflection_intro: str
    since_last: str
    how_it_went: str
    no_reviews: str
    agreements: str
    what: str
    who: str
    by_when: str
    no_agreements: str
    next_meeting: str
    invited: str
    no_next_meeting: str
    nothing_written: str
    closing: str
    recovery: str
    recovery_intro: str
    answered_on: str
    score: str
    open_quote: str
    close_quote: str


@dataclass(frozen=True)
class Summary:
    """Everything the citizen reads about one meeting, in reading order."""

    lang: str
    citizen_name: str
    #: The meeting's local date (for the file name and the document's title).
    meeting_date: date
    closed: bool
    # 1. when and where we met, and who was there
    when: str
    where: str
    present: tuple[Person, ...]
    # 2. what the citizen wanted to talk about
    topics: str
    # 3. what was said: the citizen's own words and others', by name and relation
    said: tuple[Utterance, ...]
    # 4. the reflection, briefly
    reflections: tuple[str, ...]
    # 5. how earlier agreements went
    reviews: tuple[ReviewLine, ...]
    # 6. the new agreements: what — who — by when
    agreements: tuple[AgreementRow, ...]
    # 7. when we meet next and who will be invited
    next_meeting: NextMeeting | None
    texts: SummaryTexts
    #: Brief INSPIRE over time, only when the citizen wants it in the summary: (date, score).
    recovery: tuple[tuple[str, str], ...] = ()
    #: The same answers as read from the database, for the chart beside them (not shown as such).
    recovery_history: tuple = ()

    @property
    def document_title(self) -> str:
        """Return the title for the page and the DOCX properties: "Noter fra vores møde – Maja"."""
        return f"{self.texts.title} – {self.citizen_name}"


def citizen_language(meeting: Meeting) -> str:
    """Return the citizen's language code ("da" or "en") for this meeting's course."""
    lang = meeting.course.citizen.language.value
    return lang if lang in LANGUAGES else "da"


def build_summary(meeting_id: int, lang: str | None = None) -> Summary:
    """Gather the citizen's summary of a meeting, written in `lang` (default: the citizen's language).

    Raises SummaryError when there is no such meeting.
    """
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise SummaryError(f"There is no meeting with id {meeting_id}.")
    lang = lang if lang in LANGUAGES else citizen_language(meeting)
    with force_locale(lang):
        return _build(meeting, lang)


def _texts(lang: str) -> SummaryTexts:
    return SummaryTexts(
        title=_("Notes from our meeting"),
        time_and_place=_("Time and place"),
        time=_("Time:"),
        place=_("Place:"),
        who_was_there=_("Who was there"),
        topics=_("What you wanted to talk about"),
        said=_("What was said"),
        you_said=_("You said:"),
        reflection=_("The reflecting team"),
        reflection_intro=_("The team thought out loud about what they heard."),
        since_last=_("Since last time"),
        how_it_went=_("How it went:"),
        no_reviews=_("There were no agreements from last time."),
        agreements=_("What we agreed"),
        what=_("What"),
        who=_("Who"),
        by_when=_("By when"),
        no_agreements=_("We made no new agreements this time."),
        next_meeting=_("Next meeting"),
        invited=_("We will ask these people to come:"),
        no_next_meeting=_("We have not set a date yet."),
        nothing_written=_("Nothing was written down."),
        closing=_("Is something not right? Then tell us."),
        recovery=_("Your answers about recovery"),
        recovery_intro=_("You wanted this in your notes. The score goes from 0 to 100."),
        answered_on=_("Answered on"),
        score=_("Score"),
        open_quote="»" if lang == "da" else "“",
        close_quote="«" if lang == "da" else "”",
    )


def _person(member: NetworkMember | None) -> Person:
    if member is None:
        return Person(name=_("Someone at the meeting"), relation="")
    return Person(name=member.name, relation=member.relation or "", is_citizen=member.kind == MemberKind.CITIZEN)


def _build(meeting: Meeting, lang: str) -> Summary:
    texts = _texts(lang)
    course = meeting.course
    attendance = db.session.scalars(
        db.select(Attendance)
        .where(Attendance.meeting_id == meeting.id)
        .options(db.joinedload(Attendance.member))
        .order_by(Attendance.id)
    ).all()
    present = [_person(a.member) for a in attendance if a.status == AttendanceStatus.PRESENT]
    present.sort(key=lambda p: not p.is_citizen)  # the citizen first; otherwise as registered

    notes = db.session.scalars(
        db.select(Note)
        # Observations are the team's internal notes, never the citizen's summary; notes
        # marked "not for the summary" and deleted notes never appear either.
        .where(
            Note.meeting_id == meeting.id,
            Note.deleted_at.is_(None),
            Note.include_in_summary.is_(True),
            Note.kind.in_([NoteKind.OWN_WORDS, NoteKind.REFLECTION]),
        )
        .options(db.joinedload(Note.speaker))
        .order_by(Note.created_at, Note.id)
    ).all()
    said = []
    for note in notes:
        if note.kind != NoteKind.OWN_WORDS:
            continue
        speaker = _person(note.speaker)
        intro = texts.you_said if speaker.is_citizen else _("%(speaker)s said:", speaker=speaker.label)
        said.append(Utterance(intro=intro, text=note.text, by_citizen=speaker.is_citizen, speaker=None if speaker.is_citizen else speaker))
    # The reflection is attributed to "the reflecting team", not to a named reflectant.
    reflections = tuple(note.text for note in notes if note.kind == NoteKind.REFLECTION)

    reviews = db.session.scalars(
        db.select(AgreementReview)
        .where(AgreementReview.meeting_id == meeting.id)
        .options(db.joinedload(AgreementReview.agreement).joinedload(Agreement.responsible))
        .order_by(AgreementReview.agreement_id)
    ).all()
    review_lines = tuple(
        ReviewLine(
            what=r.agreement.text,
            who=r.agreement.responsible.name if r.agreement.responsible else _("Nobody yet"),
            outcome=str(r.outcome.title),
            comment=r.comment or "",
        )
        for r in reviews
    )

    agreements = db.session.scalars(
        db.select(Agreement)
        .where(Agreement.origin_meeting_id == meeting.id)
        .options(db.joinedload(Agreement.responsible))
        .order_by(Agreement.id)
    ).all()
    rows = tuple(
        AgreementRow(
            what=a.text,
            who=a.responsible.name if a.responsible else _("Nobody yet"),
            by_when=day(a.due_on) if a.due_on else _("No date"),
        )
        for a in agreements
    )
    history = _recovery_history(course)

    return Summary(
        lang=lang,
        citizen_name=course.citizen.preferred_name,
        meeting_date=local_date(meeting.planned_at),
        closed=meeting.closed_at is not None,
        when=when(meeting.planned_at),
        where=meeting.location or "",
        present=tuple(present),
        topics=meeting.citizen_topics or "",
        said=tuple(said),
        reflections=reflections,
        reviews=review_lines,
        agreements=rows,
        next_meeting=_next_meeting(meeting),
        texts=texts,
        recovery=tuple((day(r.answered_at), format_decimal(r.score)) for r in history if r.score is not None),
        recovery_history=history,
    )


def _recovery_history(course) -> tuple:
    """Return the citizen's Brief INSPIRE answers over time, if they chose to have them in the summary."""
    if not course.chart_in_summary:
        return ()
    return tuple(inspire_history(course.id))


def _next_meeting(meeting: Meeting) -> NextMeeting | None:
    # One query for the meeting and whom it invites (joined eager load around the LIMIT).
    following = (
        db.session.scalars(
            db.select(Meeting)
            .where(Meeting.course_id == meeting.course_id, Meeting.planned_at > meeting.planned_at)
            .order_by(Meeting.planned_at, Meeting.id)
            .limit(1)
            .options(db.joinedload(Meeting.attendance).joinedload(Attendance.member))
        )
        .unique()
        .first()
    )
    if following is None:
        return None
    invited = following.attendance
    people = sorted((_person(a.member) for a in invited), key=lambda p: not p.is_citizen)
    return NextMeeting(when=when(following.planned_at), where=following.location or "", invited=tuple(people))


# --- who may get the summary ----------------------------------------------------------


def summary_sharing(meeting: Meeting) -> Sharing:
    """Return who may get the summary, and who only in a certain situation: the consent rule in meetings.consent."""
    return consent_rules.sharing(meeting.course_id, ConsentScope.SUMMARY, meeting.id)


def summary_recipients(meeting: Meeting) -> list[NetworkMember]:
    """Return who besides the citizen may get this meeting's summary: consent that holds always, or a
    circumstance a person checked applies for this meeting; nobody else."""
    return summary_sharing(meeting).others


# --- file names ---------------------------------------------------------------------

_ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa", "ß": "ss"})


def file_name(name: str, on: date, extension: str) -> str:
    """Return a file name a person understands: "Maja-2026-11-25.docx" (letters, digits, - and _ only)."""
    words = "".join(ch if ch.isalnum() or ch in "-_" else " " for ch in unicodedata.normalize("NFC", name)).split()
    stem = "-".join(words)[:60].strip("-_") or "Rundbord"
    return f"{stem}-{on.isoformat()}.{extension}"


def ascii_file_name(name: str) -> str:
    """Return the file name in plain ASCII for old programs: "Søren-….docx" becomes "Soeren-….docx"."""
    plain = unicodedata.normalize("NFKD", name.translate(_ASCII)).encode("ascii", "ignore").decode("ascii")
    plain = "".join(ch for ch in plain if ch.isalnum() or ch in "-_.")
    return plain.lstrip("-_.") or "Rundbord"
