"""Forms of the meeting screen."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Optional

from kernel.forms import Form
from kernel.input import MaxChars
from meetings.models import MemberKind


def _blank_is_none(value):
    return None if value in ("", None) else value


class AgreementForm(Form):
    """What was agreed, who is responsible, by when (and which of the citizen's goals it serves)."""

    text = TextAreaField(_l("What was agreed"), validators=[DataRequired(message=_l("Write what was agreed.")), MaxChars(5000)])
    responsible_id = SelectField(_l("Who is responsible"), coerce=_blank_is_none, validate_choice=False)
    due_on = DateField(_l("By when (optional)"), validators=[Optional()])
    goal_id = SelectField(_l("Serves the goal (optional)"), coerce=_blank_is_none, validate_choice=False)


class UnannouncedForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Write the person's name.")), MaxChars(200)])
    relation = StringField(_l("How they know the citizen"), validators=[Optional(), MaxChars(200)])
    kind = SelectField(
        _l("Part of the network"),
        choices=[SelectChoice(MemberKind.PRIVATE.value, _l("Private network")), SelectChoice(MemberKind.PROFESSIONAL.value, _l("Professional"))],
    )


class NextMeetingForm(Form):
    day = DateField(_l("Date"), validators=[DataRequired(message=_l("Choose a date for the next meeting."))])
    time = TimeField(_l("Time"), validators=[DataRequired(message=_l("Choose a time for the next meeting."))])
    location = StringField(_l("Where"), validators=[Optional(), MaxChars(200)])
    invitees = SelectMultipleField(_l("Whom the citizen wants to invite"), coerce=int, validate_choice=False)


class ReopenForm(Form):
    reason = TextAreaField(_l("Why reopen the meeting?"), validators=[DataRequired(message=_l("Write why the meeting is reopened.")), MaxChars(190)])


class TopicsForm(Form):
    citizen_topics = TextAreaField(_l("What the citizen wants to talk about today"), validators=[Optional(), MaxChars(5000)])
