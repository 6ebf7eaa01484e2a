"""Forms of Brief INSPIRE and the session rating."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Optional, ValidationError

from kernel.bidi import isolate
from kernel.forms import Form
from kernel.input import MaxChars
from meetings.feedback import inspire, ratings
from meetings.models import NetworkMember

SKIP = "skip"


ANSWER_VALUES = [str(value) for value, _words in inspire.INSPIRE_ANSWERS]


SCORE_VALUES = [str(v) for v in range(ratings.RATING_MIN, ratings.RATING_MAX + 1)]



class InspireForm(Form):
    """Five optional questions; each is one of 0..4, "skip", or left out (= skipped)."""

    def answers(self) -> dict[inspire.InspireItem, int | None]:
        """Return the answers as the service takes them: 0..4, or None for a skipped question."""
        result: dict[inspire.InspireItem, int | None] = {}
        for item in inspire.InspireItem:
            raw = self[item.value].data
            result[item] = int(raw) if raw in ANSWER_VALUES else None
        return result


for _item in inspire.InspireItem:
    setattr(
        InspireForm,
        _item.value,
        RadioField(
            _item.question,
            choices=[*ANSWER_VALUES, SKIP],
            validate_choice=False,
            validators=[Optional(), AnyOf([*ANSWER_VALUES, SKIP], message=_l("Choose one of the answers, or skip the question."))],
        ),
    )
del _item


class RatingForm(Form):
    """How the meeting was for one member: 1..5 and an optional comment."""

    member_id = SelectField(_l("Who is answering?"), choices=[], validate_choice=False, validators=[Optional()])
    score = StringField(
        _l("How was this meeting for you?"),
        validators=[
            InputRequired(message=_l("Choose a number from 1 to 5.")),
            AnyOf(SCORE_VALUES, message=_l("Choose a number from 1 to 5.")),
        ],
    )
    comment = TextAreaField(
        _l("Anything you want to add? (you may leave it empty)"),
        validators=[Optional(), MaxChars(ratings.COMMENT_MAX)],
    )
    #: Set by the small box in the meeting's closing phase.
    box = HiddenField()

    def __init__(self, members: list[NetworkMember], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {m.id: m for m in members}
        self.member_id.choices = [(str(m.id), isolate(m.name)) for m in members]  # an <option> takes no <bdi>

    def validate_member_id(self, field) -> None:
        """Accept only someone who may rate this meeting."""
        if field.data and (not field.data.isdigit() or int(field.data) not in self.members):
            raise ValidationError(_("Choose who is answering."))

    def member(self, default: NetworkMember) -> NetworkMember:
        """Return the chosen member, or `default` (the citizen) when none was chosen."""
        if self.member_id.data and self.member_id.data.isdigit():
            return self.members.get(int(self.member_id.data), default)
        return default
