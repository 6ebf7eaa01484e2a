"""How the meeting screen answers: the fragment htmx asked for, or the page; the closed-meeting notice.

Every action answers an htmx request with the fragment it changed, and anything else with a
redirect to the meeting page, so a full reload always shows the same state.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from extensions import db
from kernel.clock import utcnow
from kernel.web import is_partial_request, page_or_partial
from meetings.blueprint import bp
from meetings.models import Meeting, NoteKind
from meetings.screen import view as screen_view
from meetings.screen.forms import AgreementForm, NextMeetingForm, ReopenForm, TopicsForm, UnannouncedForm
from meetings.screen.notes import MAX_NOTE_LENGTH


@bp.context_processor
def _note_kinds() -> dict:
    return {"note_kinds": list(NoteKind), "note_max": MAX_NOTE_LENGTH}


def screen_for(meeting_id: int):
    return screen_view.meeting_screen(meeting_id, utcnow())


def fragment(meeting_id: int, partial: str, status: int = 200, **extra):
    """Answer htmx with one fragment of the meeting screen, anyone else with the page."""
    if not is_partial_request():
        if status >= 400:
            return page(meeting_id, status, **extra)
        return redirect(url_for("meetings.meeting", meeting_id=meeting_id))
    return page_or_partial("screen/meeting.html", partial, status, s=screen_for(meeting_id), **forms_for(meeting_id, extra))


def forms_for(meeting_id: int, given: dict) -> dict:
    """Blank forms for the screen, except those given (with what the person typed and its errors)."""
    screen_forms = {
        "agreement_form": AgreementForm,
        "unannounced_form": UnannouncedForm,
        "next_form": NextMeetingForm,
        "reopen_form": ReopenForm,
        "topics_form": TopicsForm,
    }
    forms = {name: given.get(name) or cls(formdata=None) for name, cls in screen_forms.items()}
    if "topics_form" not in given:
        forms["topics_form"] = TopicsForm(formdata=None, citizen_topics=db.session.get(Meeting, meeting_id).citizen_topics)
    return {**given, **forms}


def page(meeting_id: int, status: int = 200, **extra):
    return render_template("screen/meeting.html", s=screen_for(meeting_id), **forms_for(meeting_id, extra)), status


def meeting_or_404(meeting_id: int) -> Meeting:
    return db.get_or_404(Meeting, meeting_id)


def closed_answer(meeting_id: int):
    """The meeting was closed meanwhile: say so (nothing typed is thrown away on the device)."""
    message = _("This meeting is closed. A tovholder can reopen it.")
    if is_partial_request():
        return render_template("screen/_closed_notice.html", message=message), 409
    flash(message, "error")
    return redirect(url_for("meetings.meeting", meeting_id=meeting_id))


def int_or_none(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
