"""Forms for logging in and personal settings."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(message=_l("Write your username.")), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Write your password."))])
    next = HiddenField()


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=[SelectChoice("da", "Dansk"), SelectChoice("en", "English")])
    next = HiddenField()
