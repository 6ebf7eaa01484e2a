"""Forms for the second factor and the administrator's sign-in settings."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired

from kernel.forms import Form
from kernel.input import MaxChars


class CodeForm(Form):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(message=_l("Write the code.")), MaxChars(40)],
    )
    # The label names the number of days; the view sets it from REMEMBER_DEVICE_DAYS.
    remember = BooleanField(_l("Remember this device"), default=False)


class EnrolForm(Form):
    code = StringField(
        _l("The 6-digit code the app shows now"),
        validators=[DataRequired(message=_l("Write the code.")), MaxChars(40)],
    )


class ConfirmForm(Form):
    """A fresh code before a change to one's own second factor."""

    code = StringField(
        _l("A code from your authenticator app"),
        validators=[DataRequired(message=_l("Write the code.")), MaxChars(40)],
    )


class PolicyForm(Form):
    require_second_factor = BooleanField(_l("Everyone who logs in with a password must use a second factor"))
    sso_creates_accounts = BooleanField(
        _l("Signing in through the municipality creates an account for a person Rundbord does not know (without any course role)")
    )


class ResetForm(Form):
    user_id = IntegerField(validators=[DataRequired()])
