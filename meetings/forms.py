"""Forms for the course and its network."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from meetings.models import Closeness, Language, MemberKind


class MemberForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Write the person's name.")), Length(max=200)])
    kind = SelectField(
        _l("Part of the network"),
        choices=[SelectChoice(MemberKind.PRIVATE.value, _l("Private network")), SelectChoice(MemberKind.PROFESSIONAL.value, _l("Professional"))],
    )
    relation = StringField(_l("How they know the citizen"), validators=[Optional(), Length(max=200)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    mandate = TextAreaField(_l("What they may decide (mandate)"), validators=[Optional(), Length(max=2000)])
    contact = StringField(_l("How they want to be contacted"), validators=[Optional(), Length(max=300)])
    closeness = SelectField(
        _l("Closeness"),
        choices=[SelectChoice(c.value, c.title) for c in Closeness],
        default=Closeness.MIDDLE.value,
    )
    language = SelectField(_l("Language"), choices=[SelectChoice(lang.value, lang.title) for lang in Language], default="da")
