"""People's words among the app's own: isolate each person-written value where it is shown.

A name or note may hold right-to-left script or bidi controls (U+202E turns everything after
it around). Shown bare, it would turn the app's own words beside it around too. Each
person-written value is isolated where it is shown; the stored text is never changed.
"""

from __future__ import annotations

import unicodedata

from markupsafe import Markup, escape

FSI, PDI, PDF = "\u2068", "\u2069", "\u202c"
_OPENERS = "\u202a\u202b\u202d\u202e"  # LRE, RLE, LRO, RLO: each is closed by one PDF
#: Bidi classes that can move text around them: right-to-left letters, Arabic digits, controls.
_MOVERS = {"R", "AL", "AN", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}


def isolate(text: str | None) -> str:
    """Return `text` between FSI and PDI, for plain text (a DOCX, a page title, a select option).

    Only text that can move its neighbours gets the invisible marks (right-to-left letters,
    bidi controls): a Danish name stays exactly as it is, to copy, search or type ahead in a
    list. Embeddings and overrides the text leaves open are closed before the PDI as well, for
    programs that know no isolates.
    """
    if not text:
        return ""
    if not any(unicodedata.bidirectional(ch) in _MOVERS for ch in text):
        return text
    unclosed = max(0, sum(text.count(c) for c in _OPENERS) - text.count(PDF))
    return f"{FSI}{text}{PDF * unclosed}{PDI}"


def bdi(value: str | None) -> Markup:
    """Return `value`, escaped, inside <bdi>: HTML's isolate for a person's words among the app's."""
    if value is None or value == "":
        return Markup("")
    return Markup("<bdi>%s</bdi>") % value  # nosec B704 -- fixed markup; Markup's % escapes the value


def bdi_message(sentence: str, **values: str) -> Markup:
    """Return a translated sentence (its %(name)s left open) with each value in <bdi>.

    For messages made in Python and shown on a page (a flash, a form error): markup rather than
    FSI…PDI, so that a name copied from the message carries no invisible characters.
    """
    return Markup(escape(sentence)) % {key: bdi(value) for key, value in values.items()}  # nosec B704 -- the sentence is escaped first; each value is escaped by bdi()
