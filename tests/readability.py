"""Readability: LIX, the Danish readability index, for the text Rundbord writes itself."""

from __future__ import annotations

import re

#: A word is a run of letters (digits and punctuation are not words).
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
#: A sentence ends at . ! ? : ; or a line break (a heading or a table cell is its own sentence).
_SENTENCE_END = re.compile(r"[.!?:;\n]+")
LONG_WORD = 6


def words(text: str) -> list[str]:
    """Return the words of `text`."""
    return _WORD.findall(text)


def sentences(text: str) -> list[str]:
    """Return the sentences of `text` that hold at least one word."""
    return [part for part in _SENTENCE_END.split(text) if _WORD.search(part)]


def lix(text: str) -> float:
    """Return LIX: words per sentence + 100 × long words (more than six letters) / words.

    Below 25 is very easy (children's books), 25–35 easy, 35–45 average (newspapers),
    above 55 hard. An empty text scores 0.
    """
    found = words(text)
    if not found:
        return 0.0
    long_words = sum(1 for word in found if sum(ch.isalpha() for ch in word) > LONG_WORD)
    return len(found) / len(sentences(text)) + 100 * long_words / len(found)
