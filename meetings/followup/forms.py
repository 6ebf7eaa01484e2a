"""Forms for the follow-up between meetings: the log, convening, the pre-meeting, ending a course."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import DateField, DateTimeLocalField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from kernel.clock import local_today
from kernel.forms import Form
from kernel.input import MaxChars
from meetings.course.calendar import DEFAULT_MEETING_MINUTES


class _DateField(DateField):
    """A date field where an empty box means "no date" (the required check speaks), not "invalid"."""

    def process_formdata(self, valuelist):
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class _WhenField(DateTimeLocalField):
    """A local date and time (Europe/Copenhagen), as the browser's datetime-local box sends it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
        kwargs.setdefault("invalid_value_message", _l("Write a date and a time, e.g. 2026-03-24 10:00."))
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class FollowUpForm(Form):
    contacted_on = _DateField(
        _l("Date of the contact"),
        validators=[InputRequired(message=_l("Write the date of the contact."))],
        invalid_value_message=_l("Write a date, e.g. 2026-03-24."),
        default=lambda: local_today(),
    )
    text = TextAreaField(
        _l("What happened"),
        validators=[DataRequired(message=_l("Write what the contact was about.")), MaxChars(4000)],
    )


class RegularMeetingForm(Form):
    planned_at = _WhenField(_l("When"), validators=[InputRequired(message=_l("Choose a date and a time."))])
    location = StringField(_l("Where"), validators=[Optional(), MaxChars(200)])
    theme = StringField(_l("Theme (optional)"), validators=[Optional(), MaxChars(500)])
    planned_minutes = IntegerField(
        _l("How long (minutes)"),
        default=DEFAULT_MEETING_MINUTES,
        validators=[
            DataRequired(message=_l("Write how many minutes the meeting lasts.")),
            NumberRange(min=15, max=480, message=_l("Write a number of minutes between 15 and 480.")),
        ],
        invalid_value_message=_l("Write a number of minutes between 15 and 480."),
    )


class AcuteMeetingForm(Form):
    planned_at = _WhenField(_l("When (proposal: within 24 hours)"), validators=[InputRequired(message=_l("Choose a date and a time."))])
    location = StringField(_l("Where"), validators=[Optional(), MaxChars(200)])


class PreMeetingForm(Form):
    pre_meeting_at = _WhenField(_l("When was the pre-meeting"), validators=[Optional()])
    citizen_topics = TextAreaField(_l("What the citizen wants to talk about, in their words"), validators=[Optional(), MaxChars(4000)])
    note = TextAreaField(_l("Note from the pre-meeting"), validators=[Optional(), MaxChars(4000)])
    max_participants = IntegerField(
        _l("How many people can the citizen manage in one meeting, besides themselves?"),
        validators=[Optional(), NumberRange(min=1, max=50, message=_l("Write a number between 1 and 50, or leave it empty."))],
        invalid_value_message=_l("Write a number between 1 and 50, or leave it empty."),
    )
    invitees = SelectMultipleField(_l("Whom the citizen wants invited"), coerce=int, validate_choice=True)


class EndCourseForm(Form):
    note = TextAreaField(
        _l("A short note about why the course ends"),
        validators=[DataRequired(message=_l("Write a short note about why the course ends.")), MaxChars(2000)],
    )


class ResumeCourseForm(Form):
    reason = TextAreaField(
        _l("Why the course is taken up again"),
        validators=[DataRequired(message=_l("Write why the course is taken up again.")), MaxChars(2000)],
    )
