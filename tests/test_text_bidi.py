"""People's words never turn the app's own around: every person-written value is isolated, the stored text unchanged."""

from __future__ import annotations

import io
import re

import docx

from exports.summary import build_summary
from exports.summary_docx import build_summary_docx
from extensions import db
from kernel.clock import utcnow
from meetings.models import NetworkMember, Note
from tests.test_text_too_long import HX, _member, _text_columns, post

RLO = "\u202e"
FSI, PDI = "\u2068", "\u2069"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
#: Columns that hold no one's words (ids, codes, secrets) or are never shown.
NOT_WORDS = {"client_uid", "last_device", "username", "password_hash", "locale"}


class _Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


def parse(html: str) -> _Node:
    """A small HTML tree (the standard library's parser), enough to ask what encloses a text."""
    from html.parser import HTMLParser

    root = _Node("#root", {}, None)

    class Builder(HTMLParser):
        current = root

        def handle_starttag(self, tag, attrs):
            node = _Node(tag, attrs, self.current)
            self.current.children.append(node)
            if tag not in VOID:
                self.current = node

        def handle_startendtag(self, tag, attrs):
            self.current.children.append(_Node(tag, attrs, self.current))

        def handle_endtag(self, tag):
            node = self.current
            while node.parent is not None and node.tag != tag:
                node = node.parent
            if node.parent is not None:
                self.current = node.parent

        def handle_data(self, data):
            self.current.children.append(data)

    Builder(convert_charrefs=True).feed(html)
    return root


def _texts_with(node: _Node, mark: str):
    for child in node.children:
        if isinstance(child, str):
            if mark in child:
                yield node, child
        elif child.tag not in ("textarea", "script", "style"):  # a textarea is a box of its own
            yield from _texts_with(child, mark)


def _isolated_in_text(text: str, values: set[str]) -> bool:
    """Every RLO in a plain text lies inside FSI…PDI holding one person's value (or its shortened start)."""
    for match in re.finditer(f"{FSI}(.*?){PDI}", text, re.S):
        inner = match.group(1).rstrip("\u202c")
        if RLO in inner and not (inner in values or (inner.endswith("…") and any(v.startswith(inner[:-1].rstrip()) for v in values))):
            return False
    return RLO not in re.sub(f"{FSI}.*?{PDI}", "", text, flags=re.S)


def isolation_problems(html: str, values: set[str]) -> list[str]:
    """Return each place where a person's value with an RLO is not isolated from the app's own words."""
    problems = []
    for parent, text in _texts_with(parse(html), RLO):
        if _isolated_in_text(text, values):
            continue
        node = parent
        # An SVG <text> is laid out on its own, so a value alone in one is isolated by it.
        while node is not None and node.tag not in ("bdi", "text") and "dir" not in node.attrs:
            node = node.parent
        if node is None or " ".join(node.text().split()) not in {" ".join(v.split()) for v in values}:
            where = node.text() if node is not None else parent.text()
            problems.append(f"<{parent.tag}>: {where.strip()[:120]!r}")
    return problems


def mark_everything_people_wrote() -> set[str]:
    """Give every value a person wrote an RLO and Hebrew; return the values (as stored)."""
    values = set()
    for model, column in _text_columns():
        if column.name in NOT_WORDS:
            continue
        for row in db.session.scalars(db.select(model)):
            value = getattr(row, column.key)
            if value and value not in ("altid", "always"):
                marked = f"{RLO}{value} שלום"
                setattr(row, column.key, marked)
                values.add(marked)
    db.session.commit()
    return values


def test_helper_finds_a_name_that_is_not_isolated():
    values = {f"{RLO}Maja"}
    assert isolation_problems(f"<p>Mødet med {RLO}Maja i dag</p>", values)
    assert isolation_problems(f"<p><bdi>{RLO}Maja i dag</bdi></p>", values)  # app words inside the isolate
    assert not isolation_problems(f"<p>Mødet med <bdi>{RLO}Maja</bdi> i dag</p>", values)
    assert not isolation_problems(f"<blockquote dir=auto>{RLO}Maja</blockquote>", values)
    assert not isolation_problems(f"<title>Mødet med {FSI}{RLO}Maja\u202c{PDI} i dag</title>", values)
    assert isolation_problems(f"<title>Mødet med {FSI}{RLO}Maja{PDI} i dag {RLO}Maja</title>", values)


def _pages(app, demo) -> list[str]:
    from tests.test_access import _url_for_rule

    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static" and not rule.rule.endswith((".docx", ".zip", ".ics")):
            pages.append(_url_for_rule(rule, demo))
    held, coming = demo.meeting_ids[0], demo.upcoming_meeting_id
    pages += [f"/meetings/{m}/summary" for m in demo.meeting_ids[:2]] + [f"/meetings/{m}" for m in demo.meeting_ids[:2]]
    pages += [f"/meetings/{coming}/pre-meeting", f"/meetings/{coming}/rating", f"/meetings/{held}/rating", f"/meetings/{held}/inspire"]
    pages += [f"/meetings/{coming}/invitation/{_member(demo)}", f"/courses/{demo.course_id}/end"]
    return pages


def test_every_page_isolates_what_people_wrote_from_the_apps_own_words(app, demo, client_as):
    """A name with U+202E (RLO) and Hebrew: on every page it sits in <bdi> (or a dir="auto" block of its own,
    or FSI…PDI where no markup can go), so "Mødet med Maja i dag" never reads "gad i ajaM dem edøM"."""
    tove, morten, rikke = client_as("tove"), client_as("morten"), client_as("rikke")
    pages, member_id = _pages(app, demo), _member(demo)
    values = mark_everything_people_wrote()
    coming = demo.upcoming_meeting_id
    problems: dict[str, list[str]] = {}

    def check(url, client=tove, response=None):
        response = response or client.get(url, headers=HX if url.endswith("/edit") else {})
        found = isolation_problems(response.get_data(as_text=True), values)
        if found:
            problems[url] = found
        return response

    for client in (tove, morten, rikke):
        for url in pages:
            check(url, client)
    for phase in ("opening", "since_last", "dialogue", "closing"):
        post(morten, f"/meetings/{coming}/phase", {"phase": phase}, htmx=True)
        check(f"/meetings/{coming}", morten)
        check(f"/meetings/{coming}", rikke)
    note_id = db.session.scalar(db.select(Note.id).limit(1))
    check(f"/notes/{note_id}/edit", rikke)
    # Messages the app writes around a name: a refused close names the agreements, a flash the person.
    post(morten, f"/meetings/{coming}/agreements", {"text": f"{RLO}Ingen ejer endnu"}, htmx=True)
    values.add(f"{RLO}Ingen ejer endnu")
    check("close", response=post(morten, f"/meetings/{coming}/close", {}, htmx=True))
    member = db.session.get(NetworkMember, member_id)
    saved = post(tove, f"/members/{member.id}/edit", {
        "name": member.name, "kind": member.kind.value, "relation": member.relation, "closeness": member.closeness.value,
        "language": "da",
    })
    assert saved.status_code == 302
    check("flash", response=tove.get(saved.headers["Location"]))
    assert not problems, "\n".join(f"{url}: {p}" for url, found in problems.items() for p in found)
    # The stored text is as it was typed: isolating is only how it is shown.
    db.session.expire_all()
    assert db.session.get(NetworkMember, member.id).name in values


def test_the_summary_docx_isolates_what_people_wrote_and_the_stored_text_is_unchanged(demo):
    """Each name, note, agreement and place sits between FSI and PDI in the citizen's DOCX; the app's
    words beside it ("… sagde:", "(mor)", "»…«") stay outside. The database keeps the text as typed."""
    values = mark_everything_people_wrote()
    checked = 0
    for meeting_id in demo.meeting_ids[:2]:
        document = docx.Document(io.BytesIO(build_summary_docx(build_summary(meeting_id))))
        texts = [p.text for p in document.paragraphs] + [c.text for t in document.tables for r in t.rows for c in r.cells]
        for text in texts:
            if RLO in text:
                checked += 1
                assert _isolated_in_text(text, values), repr(text)
    assert checked > 15
    intro = next(p.text for p in docx.Document(io.BytesIO(build_summary_docx(build_summary(demo.meeting_ids[0])))).paragraphs
                 if p.text.endswith("sagde:") and "Hanne" in p.text)
    assert intro == f"{FSI}{RLO}Hanne Holm שלום\u202c{PDI} ({FSI}{RLO}mor שלום\u202c{PDI}) sagde:"
    db.session.expire_all()
    assert db.session.scalar(db.select(NetworkMember.name).where(NetworkMember.name.like("%Hanne Holm%"))) == f"{RLO}Hanne Holm שלום"


def test_the_citizens_data_docx_isolates_what_people_wrote_too(demo):
    from exports import citizen_data

    values = mark_everything_people_wrote()
    data = citizen_data.collect_citizen_data(demo.course_id, utcnow())
    document = docx.Document(io.BytesIO(citizen_data.build_citizen_data_docx(data)))
    texts = [p.text for p in document.paragraphs] + [c.text for t in document.tables for r in t.rows for c in r.cells]
    marked = [text for text in texts if RLO in text]
    assert len(marked) > 30
    for text in marked:
        # A table cell may hold a name and the app's words beside it ("Hanne (mor) · Privat netværk").
        assert _isolated_in_text(text, values), repr(text)
