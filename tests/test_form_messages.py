"""Every validation message a person can meet is in the page's language, WTForms' own included."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms.i18n import messages_path

from kernel.forms import Form
from tests.conftest import csrf_token

HX = {"HX-Request": "true"}
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
#: Every module that defines forms: importing them makes their classes known to FlaskForm.
FORM_MODULES = [
    "meetings.consent.forms", "meetings.course.forms", "meetings.feedback.forms", "meetings.followup.forms",
    "meetings.screen.forms", "roles.forms", "exports.routes",
]


def _wtforms_template():
    with open(Path(messages_path()) / "wtforms.pot", "rb") as fh:
        return read_po(fh)


def _all_form_classes() -> list[type]:
    for module in FORM_MODULES:
        importlib.import_module(module)
    found, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [cls for cls in found if cls.__module__.split(".")[0] in ("meetings", "roles", "exports")]


def test_the_danish_catalogue_has_every_message_of_the_installed_wtforms():
    """A WTForms upgrade that adds a message fails here until it is translated."""
    with open(TRANSLATIONS / "da" / "LC_MESSAGES" / "wtforms.po", "rb") as fh:
        danish = {m.id: m for m in read_po(fh, locale="da") if m.id}
    for message in _wtforms_template():
        if not message.id:
            continue
        assert message.id in danish, message.id
        ours = danish[message.id]
        strings = ours.string if isinstance(ours.string, tuple) else (ours.string,)
        assert all(strings) and not ours.fuzzy, message.id
        for string in strings:
            # WTForms fills in its own values: the placeholders must be the same.
            assert set(re.findall(r"%\(\w+\)\w|%s", string)) <= set(re.findall(r"%\(\w+\)\w|%s", str(message.id))), string


def test_every_form_takes_its_messages_from_our_catalogue():
    forms = _all_form_classes()
    assert len(forms) >= 20
    assert [cls.__name__ for cls in forms if not issubclass(cls, Form)] == []


#: What a person might send: nothing, far too much, and something that is not a date, number or choice.
JUNK = ["", "x" * 100_001, "ikke en værdi", "2026-02-31"]


def _messages(app, form_class, value: str, language: str) -> list[str]:
    """Validate `value` in every field of the form on a page in `language`; return the messages."""
    # A fresh app context: Flask-Babel keeps the locale in `g`, which the test's own context would share.
    with app.app_context(), app.test_request_context(method="POST", headers={"Accept-Language": language}):
        # A form the view builds for the meeting's people (the rating's "who is answering") gets nobody.
        extra = {"members": []} if "members" in inspect.signature(form_class.__init__).parameters else {}
        names = list(form_class(formdata=None, meta={"csrf": False}, **extra)._fields)
        form = form_class(formdata=MultiDict({name: value for name in names}), meta={"csrf": False}, **extra)
        for field in form:
            if getattr(field, "choices", ()) is None:  # filled in by the view
                field.choices = []
        form.validate()
        return [f"{name}: {message}" for name, errors in form.errors.items() for message in errors]


@pytest.mark.parametrize("value", JUNK, ids=["empty", "too-long", "not-a-value", "not-a-date"])
def test_every_message_a_form_can_give_differs_between_danish_and_english(app, value):
    """Run every form with the same wrong input on a Danish and an English page: no message may
    come out the same in both (that would be one language left untranslated)."""
    english_ids = {str(m.id[0] if isinstance(m.id, tuple) else m.id) for m in _wtforms_template() if m.id}
    seen = 0
    for form_class in _all_form_classes():
        danish = _messages(app, form_class, value, "da")
        english = _messages(app, form_class, value, "en")
        assert len(danish) == len(english), form_class.__name__
        for da, en in zip(danish, english):
            assert da != en, f"{form_class.__name__}: {da}"
            assert da.split(": ", 1)[1] not in english_ids, f"{form_class.__name__}: {da}"
        seen += len(danish)
    assert seen >= 5


def _add_agreement(client, demo, text: str, due_on: str):
    return client.post(
        f"/meetings/{demo.upcoming_meeting_id}/agreements",
        data={"text": text, "due_on": due_on, "csrf_token": csrf_token(client)},
        headers=HX,
    )


@pytest.mark.parametrize(
    "language, too_long, not_a_date",
    [
        ("da", "600 tegn for meget — gør teksten kortere, før den kan gemmes (højst 5.000 tegn).", "Det er ikke en gyldig dato."),
        ("en", "600 characters too long — shorten the text before it can be saved (at most 5,000 characters).", "Not a valid date value."),
    ],
)
def test_too_long_text_and_an_invalid_date_are_told_in_the_pages_language(demo, client_as, language, too_long, not_a_date):
    morten = client_as("morten")
    if language == "en":
        morten.post("/language", data={"locale": "en", "csrf_token": csrf_token(morten)})
    typed = "Maja ringer til rideskolen. " * 200
    response = _add_agreement(morten, demo, typed, "2026-02-31")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert too_long in page and not_a_date in page
    other = {"da": "characters too long", "en": "tegn for meget"}[language]
    assert other not in page
    # What was typed is still in the box.
    assert typed.strip() in page


@pytest.mark.parametrize(
    "language, invalid_date, too_long",
    [
        ("da", "Skriv en dato, fx 2026-03-24.", "500 tegn for meget — gør teksten kortere, før den kan gemmes (højst 4.000 tegn)."),
        ("en", "Write a date, e.g. 2026-03-24.", "500 characters too long — shorten the text before it can be saved (at most 4,000 characters)."),
    ],
)
def test_a_forms_own_messages_follow_the_page_language_too(demo, client_as, language, invalid_date, too_long):
    """The follow-up log's date sets its own message, and so does the text's length (MaxChars: never cut, say by how much)."""
    from extensions import db
    from meetings.models import Agreement

    tove = client_as("tove")
    if language == "en":
        tove.post("/language", data={"locale": "en", "csrf_token": csrf_token(tove)})
    agreement = db.session.scalar(db.select(Agreement.id).limit(1))
    response = tove.post(
        f"/agreements/{agreement}/follow-up",
        data={"contacted_on": "24/3", "text": "Ringede. " * 500, "csrf_token": csrf_token(tove)},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert invalid_date in page and too_long in page
