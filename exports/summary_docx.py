"""The citizen's summary as a Word document (DOCX) that a social worker can open and edit.

Real headings (Heading 1/2), body text of 13 pt, the agreements as a real table with a
header row, A4 pages, and the document's title and language in its properties. Text is
cleaned of characters XML cannot hold *here*, at the export boundary; what is stored is
never changed.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from exports.summary import Person, Summary, Utterance
from kernel.bidi import isolate

BODY_PT = 13
#: Word language tags for the citizen's language.
LANGUAGE_TAGS = {"da": "da-DK", "en": "en-GB"}

# XML 1.0 allows tab, newline, carriage return and these ranges; nothing else (no NUL,
# no vertical tab, no lone surrogates, no U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Successors of w:bidi in w:pPr and of w:lang in w:rPr (the schema fixes the order).
_AFTER_BIDI = (
    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
    "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)
_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")


def clean(text: str | None) -> str:
    """Return `text` as XML can hold it: vertical tab and form feed become line breaks, other invalid characters go.

    Every line ending becomes one LF, which python-docx writes as one line break (w:br):
    text stored before the input boundary made CRLF into LF would otherwise get two.
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n").replace("\x0c", "\n")
    return _NOT_XML.sub("", text)


def is_rtl(text: str) -> bool:
    """Return whether the first letter with a direction is right-to-left (Arabic, Hebrew …)."""
    for ch in text:
        direction = unicodedata.bidirectional(ch)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def new_document(lang: str, title: str) -> DocxDocument:
    """Return an empty A4 document with large body text, in `lang`, with `title` in its properties."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    styles = document.styles
    tag = LANGUAGE_TAGS.get(lang, lang)
    normal = styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _set_language(normal, tag)
    for name, size in (("Heading 1", 22), ("Heading 2", 17), ("Quote", BODY_PT + 1), ("List Bullet", BODY_PT)):
        styles[name].font.size = Pt(size)
    props = document.core_properties
    props.title = clean(title)
    props.language = tag
    props.author = props.last_modified_by = "Rundbord"
    props.comments = props.keywords = props.subject = props.category = ""
    return document


def _set_language(style, tag: str) -> None:
    """Tell Word the style's language, so spelling and hyphenation follow the citizen's language."""
    rpr = style.element.get_or_add_rPr()
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), tag)
    rpr.insert_element_before(lang, *_AFTER_LANG)


def paragraph(document_or_cell, text: str = "", style: str | None = None, *, bold_lead: str = "") -> Paragraph:
    """Add a paragraph of cleaned text; right-to-left script gets a right-to-left paragraph."""
    p = document_or_cell.add_paragraph(style=style)
    if bold_lead:
        p.add_run(clean(bold_lead)).bold = True
        if text:
            p.add_run(" ")
    if text:
        p.add_run(clean(text))
    if is_rtl(text or bold_lead):
        p_pr = p._p.get_or_add_pPr()
        p_pr.insert_element_before(OxmlElement("w:bidi"), *_AFTER_BIDI)
    return p


def heading(document: DocxDocument, text: str, level: int) -> Paragraph:
    """Add a real heading (style "Heading 1" or "Heading 2")."""
    return document.add_heading(clean(text), level=level)


def bullets(document: DocxDocument, items: Iterable[str]) -> None:
    """Add a bulleted list."""
    for item in items:
        paragraph(document, item, "List Bullet")


def table(document: DocxDocument, header: tuple[str, ...], rows: Iterable[tuple[str, ...]]):
    """Add a real table with a bold header row that repeats on every page."""
    t = document.add_table(rows=1, cols=len(header))
    t.style = document.styles["Table Grid"]
    head = t.rows[0]
    head._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, text in zip(head.cells, header, strict=True):
        cell.paragraphs[0].add_run(clean(text)).bold = True
    for values in rows:
        cells = t.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.paragraphs[0].add_run(clean(text))
            if is_rtl(text):
                cell.paragraphs[0]._p.get_or_add_pPr().insert_element_before(OxmlElement("w:bidi"), *_AFTER_BIDI)
    return t


def to_bytes(document: DocxDocument) -> bytes:
    """Return the document as the bytes of a .docx file."""
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def quoted(summary: Summary, text: str) -> str:
    """Return `text`, isolated, between the quotation marks of the citizen's language."""
    return f"{summary.texts.open_quote}{isolate(text)}{summary.texts.close_quote}"


# Every value a person wrote is isolated (FSI…PDI) from the document's own words: a name
# with right-to-left script or an override character (U+202E) stays in its place and never
# turns "Hanne Holm (mor) sagde:" around. What is stored is not changed.


def person(p: Person) -> str:
    """Return "Hanne Holm (mor)" with the name and the relation each isolated."""
    return f"{isolate(p.name)} ({isolate(p.relation)})" if p.relation else isolate(p.name)


def intro(u: Utterance) -> str:
    """Return "Hanne Holm (mor) sagde:" with the speaker isolated ("Du sagde:" as it is)."""
    before, after = u.intro_around_speaker()
    return f"{before}{person(u.speaker)}{after}" if u.speaker else u.intro


def build_summary_docx(summary: Summary) -> bytes:
    """Return the summary as DOCX bytes, in the order the citizen reads it."""
    t = summary.texts
    document = new_document(summary.lang, summary.document_title)

    heading(document, t.title, 1)

    heading(document, t.time_and_place, 2)
    paragraph(document, summary.when, bold_lead=t.time)
    if summary.where:
        paragraph(document, isolate(summary.where), bold_lead=t.place)

    heading(document, t.who_was_there, 2)
    if summary.present:
        bullets(document, (person(p) for p in summary.present))
    else:
        paragraph(document, t.nothing_written)

    heading(document, t.topics, 2)
    if summary.topics:
        paragraph(document, quoted(summary, summary.topics), "Quote")
    else:
        paragraph(document, t.nothing_written)

    heading(document, t.said, 2)
    for said in summary.said:
        paragraph(document, bold_lead=intro(said))
        paragraph(document, quoted(summary, said.text), "Quote")
    if not summary.said:
        paragraph(document, t.nothing_written)

    heading(document, t.reflection, 2)
    if summary.reflections:
        paragraph(document, t.reflection_intro)
        for text in summary.reflections:
            paragraph(document, isolate(text), "Quote")
    else:
        paragraph(document, t.nothing_written)

    heading(document, t.since_last, 2)
    for review in summary.reviews:
        paragraph(document, bold_lead=f"{isolate(review.what)} ({isolate(review.who)})")
        paragraph(document, review.outcome, bold_lead=t.how_it_went)
        if review.comment:
            paragraph(document, quoted(summary, review.comment), "Quote")
    if not summary.reviews:
        paragraph(document, t.no_reviews)

    heading(document, t.agreements, 2)
    if summary.agreements:
        table(document, (t.what, t.who, t.by_when), ((isolate(a.what), isolate(a.who), a.by_when) for a in summary.agreements))
    else:
        paragraph(document, t.no_agreements)

    if summary.recovery:
        heading(document, t.recovery, 2)
        paragraph(document, t.recovery_intro)
        table(document, (t.answered_on, t.score), summary.recovery)

    heading(document, t.next_meeting, 2)
    following = summary.next_meeting
    if following is None:
        paragraph(document, t.no_next_meeting)
    else:
        paragraph(document, following.when, bold_lead=t.time)
        if following.where:
            paragraph(document, isolate(following.where), bold_lead=t.place)
        if following.invited:
            paragraph(document, t.invited)
            bullets(document, (person(p) for p in following.invited))

    paragraph(document)
    paragraph(document, t.closing)
    return to_bytes(document)
