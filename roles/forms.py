"""Forms for logging in and personal settings."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from kernel.forms import Form
from kernel.input import MaxChars


class LoginForm(Form):
    username = StringField(_l("Username"), validators=[DataRequired(message=_l("Write your username.")), MaxChars(80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Write your password."))])
    next = HiddenField()


class LanguageForm(Form):
    locale = SelectField(_l("Language"), choices=[SelectChoice("da", "Dansk"), SelectChoice("en", "English")])
    next = HiddenField()


class PasswordForm(Form):
    current = PasswordField(_l("Your password now"), validators=[DataRequired(message=_l("Write your password now."))])
    new = PasswordField(
        _l("New password (at least 12 characters)"),
        validators=[
            DataRequired(message=_l("Write a new password.")),
            Length(min=12, message=_l("The new password must have at least 12 characters.")),
            MaxChars(200),
        ],
    )
    repeat = PasswordField(_l("The new password again"), validators=[DataRequired(message=_l("Write the new password again."))])
