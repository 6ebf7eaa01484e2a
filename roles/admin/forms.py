"""Forms for administering staff and for setting a password by a link."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField

# Lengths and formats are checked by roles.admin.rules, which says what is wrong in words;
# the forms only carry what was typed (and CSRF), so it stays on screen with the message.


class StaffForm(FlaskForm):
    display_name = StringField(_l("Name"))
    username = StringField(_l("Username"))
    email = EmailField(_l("Work email"))
    unit = StringField(_l("Team or unit (optional)"))
    starts_courses = BooleanField(_l("May start courses for new citizens"))
    administrator = BooleanField(_l("Administrator"))


class DetailsForm(FlaskForm):
    display_name = StringField(_l("Name"))
    email = EmailField(_l("Work email"))
    unit = StringField(_l("Team or unit (optional)"))


class GrantsForm(FlaskForm):
    starts_courses = BooleanField(_l("May start courses for new citizens"))
    administrator = BooleanField(_l("Administrator"))


class SetPasswordForm(FlaskForm):
    new = PasswordField(_l("New password (at least 12 characters)"))
    repeat = PasswordField(_l("The new password again"))


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
