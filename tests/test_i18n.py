"""Both message catalogues are complete: no untranslated or fuzzy message in Danish or English."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def _read(path: Path, locale: str | None = None):
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_catalogue_is_complete_and_not_fuzzy(language):
    template = _read(TRANSLATIONS / "messages.pot")
    catalogue = _read(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", language)
    wanted = {(m.context, m.id) for m in template if m.id}
    have = {(m.context, m.id) for m in catalogue if m.id and m.string and not m.fuzzy}
    assert wanted - have == set()
    for message in catalogue:
        if message.id and "%(" in str(message.id):
            assert message.python_format, message.id


def test_the_template_is_up_to_date_with_the_code(tmp_path):
    """Every translatable string in the code is in messages.pot (run `flask --app app translate extract`)."""
    from babel.messages.frontend import CommandLineInterface

    root = TRANSLATIONS.parent
    fresh = tmp_path / "fresh.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(root / "babel.cfg"), "-k", "_l", "-k", "lazy_pgettext:1c,2", "-o", str(fresh),
         *[str(root / p) for p in ("meetings", "roles", "exports", "web", "templates", "app.py", "cli.py", "demo.py")]]
    )
    ids = lambda path: {(m.context, m.id) for m in _read(path) if m.id}  # noqa: E731
    assert ids(fresh) - ids(TRANSLATIONS / "messages.pot") == set()
