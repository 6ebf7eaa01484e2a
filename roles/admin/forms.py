"""Forms for administering staff and for setting a password by a link."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField

from kernel.forms import Form

# Lengths and formats are checked by roles.admin.rules, which says what is wrong in words;
# the forms only carry what was typed (and CSRF), so it stays on screen with the message.


class StaffForm(Form):
    display_name = StringField(_l("Name"))
    username = StringField(_l("Username"))
    email = EmailField(_l("Work email"))
    unit = StringField(_l("Team or unit (optional)"))
    starts_courses = BooleanField(_l("May start courses for new citizens"))
    administrator = BooleanField(_l("Administrator"))


class DetailsForm(Form):
    display_name = StringField(_l("Name"))
    email = EmailField(_l("Work email"))
    unit = StringField(_l("Team or unit (optional)"))


class GrantsForm(Form):
    starts_courses = BooleanField(_l("May start courses for new citizens"))
    administrator = BooleanField(_l("Administrator"))


class SetPasswordForm(Form):
    new = PasswordField(_l("New password (at least 12 characters)"))
    repeat = PasswordField(_l("The new password again"))


class ConfirmForm(Form):
    """A button that changes something: only the CSRF token."""
