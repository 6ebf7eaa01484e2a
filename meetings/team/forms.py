"""Forms for starting a course, the network team and the citizen's proxy.

Lengths and choices are checked by the rules (rules.py, proxy.py), which say in words what is
wrong; the forms carry what was typed, so it stays on screen next to the message.
"""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import Optional

from kernel.forms import Form
from meetings.models import Language
from roles.models import Role


def id_or_none(value):
    """Read an id from a form (None when empty or not a number)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class StartCourseForm(Form):
    preferred_name = StringField(_l("The name the citizen wants to be called"))
    full_name = StringField(_l("Full name (optional)"))
    language = SelectField(_l("The citizen's language"), choices=[SelectChoice(lang.value, lang.title) for lang in Language], default="da")
    contact = StringField(_l("How to reach the citizen (optional)"))
    title = StringField(_l("A title for the course (optional)"))


class AssignForm(Form):
    user_id = SelectField(_l("Colleague"), coerce=id_or_none, validate_choice=False)
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, r.title) for r in Role], default=Role.MEETING_LEADER.value)


class RemoveForm(Form):
    user_id = HiddenField()
    role = HiddenField()


class HandOverForm(Form):
    user_id = SelectField(_l("Who takes over as tovholder"), coerce=id_or_none, validate_choice=False)


class AppointForm(Form):
    user_id = SelectField(_l("New tovholder"), coerce=id_or_none, validate_choice=False)


class ProxyForm(Form):
    member_id = SelectField(_l("Whom the citizen chose as proxy"), coerce=id_or_none, validate_choice=False)
    started_on = DateField(_l("Proxy from (empty: today)"), validators=[Optional()], invalid_value_message=_l("Write a date, e.g. 2026-03-24."))


class EndProxyForm(Form):
    ended_on = DateField(_l("The proxy ended on (empty: today)"), validators=[Optional()], invalid_value_message=_l("Write a date, e.g. 2026-03-24."))
