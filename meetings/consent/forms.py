"""Forms of the consent register."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import Optional

from kernel.forms import Form
from kernel.input import MaxChars
from meetings.consent import rules as consent_rules
from meetings.models import ConsentScope


class ConsentForm(Form):
    scope = SelectField(_l("What may be shared"), choices=[SelectChoice(s.value, s.title) for s in ConsentScope])
    # "always" or "only_when"; checked by consent_rules.circumstances_from_choice, which also reads a missing choice.
    applies = RadioField(
        _l("When may it be shared?"),
        choices=[SelectChoice(consent_rules.ALWAYS, _l("Always")), SelectChoice(consent_rules.ONLY_WHEN, _l("Only in a certain situation"))],
        validate_choice=False,
    )
    circumstances = StringField(_l("Which situation"), validators=[Optional(), MaxChars(500)])


class WithdrawForm(Form):
    scope = SelectField(choices=[SelectChoice(s.value, s.title) for s in ConsentScope])
