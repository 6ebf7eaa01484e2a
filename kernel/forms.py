"""The one base class of every form: WTForms' own messages in the page's language.

WTForms ships no Danish, so "Not a valid date value." and "Field cannot be longer than 5000
characters." would stay English on Danish pages. Its messages are translated in our own
catalogue, domain `wtforms` (translations/<lang>/LC_MESSAGES/wtforms.po, made from WTForms'
wtforms.pot); a message a form sets itself (`message=_l(...)`) is translated as it is used.
"""

from __future__ import annotations

from flask_babel import Domain
from flask_wtf import FlaskForm

#: WTForms' messages, looked up in the app's translation directories for the request's locale.
WTFORMS_DOMAIN = Domain(domain="wtforms")


class _WTFormsMessages:
    """WTForms' translations interface, answered from our `wtforms` catalogue."""

    def gettext(self, string: str) -> str:
        return WTFORMS_DOMAIN.get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        # Not Flask-Babel's ngettext: it would fill in %(num)s, and WTForms fills in its own values.
        return WTFORMS_DOMAIN.get_translations().ungettext(singular, plural, n)


class Form(FlaskForm):
    """A Flask-WTF form whose built-in messages follow the page's language."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _WTFormsMessages()
