"""Forms of the outreach pages: how a person gets messages, the staff address, the reply page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.fields import DateField
from wtforms.validators import Optional

from kernel.forms import Form
from kernel.input import MaxChars
from meetings.outreach.models import Channel, ReplyAnswer
from meetings.outreach.replies import MAX_COMMENT


class _OptionalDateField(DateField):
    """A date where an empty box means "no date" (the rule then says whether one is needed)."""

    def process_formdata(self, valuelist):
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class ContactForm(Form):
    channel = RadioField(
        _l("How should this person get agreements and reminders?"),
        choices=[
            SelectChoice(Channel.LETTER.value, _l("As a printed letter (from the tovholder's list to send)")),
            SelectChoice(Channel.EMAIL.value, _l("By email")),
        ],
        default=Channel.LETTER.value,
        validate_choice=False,
    )
    email = StringField(_l("Email address"), validators=[Optional(), MaxChars(254)])


class StaffEmailForm(Form):
    email = StringField(
        _l("Your email address for the weekly overview (empty: no overview)"),
        validators=[Optional(), MaxChars(254)],
    )


class ReplyForm(Form):
    # Checked by replies.check_answer, which also reads a missing choice.
    answer = RadioField(
        _l("Your answer"),
        choices=[
            SelectChoice(ReplyAnswer.DONE.value, _l("It is done")),
            SelectChoice(ReplyAnswer.MORE_TIME.value, _l("I need more time")),
            SelectChoice(ReplyAnswer.COMMENT.value, _l("I only want to write a comment")),
        ],
        validate_choice=False,
    )
    until = _OptionalDateField(_l("Until when (if you need more time)"), invalid_value_message=_l("Write a date, e.g. 2026-03-24."))
    comment = TextAreaField(
        _l("Comment (optional)"),
        validators=[Optional(), MaxChars(MAX_COMMENT)],
    )


class LinkForm(Form):
    link_id = HiddenField()
