"""Text that comes back as it was written: one kind of line break, never cut, never turned around."""

from __future__ import annotations

import io
import json
import re
import uuid

import docx
from docx.oxml.ns import qn

from exports.summary import build_summary
from exports.summary_docx import build_summary_docx
from extensions import db
from meetings.clock import utcnow
from meetings.models import Agreement, FollowUp, Goal, Meeting, MemberKind, NetworkMember, Note, NoteKind, Phase
from tests.conftest import csrf_token

HX = {"HX-Request": "true"}


def post(client, url, data, htmx=False):
    return client.post(url, data={**data, "csrf_token": csrf_token(client)}, headers=HX if htmx else {})


def citizen(course_id: int) -> NetworkMember:
    return db.session.scalars(
        db.select(NetworkMember).where(NetworkMember.course_id == course_id, NetworkMember.kind == MemberKind.CITIZEN)
    ).one()


# --- line endings ------------------------------------------------------------------------


def test_a_plain_form_sends_crlf_and_every_field_is_stored_with_one_kind_of_line_break(demo, client_as):
    """A browser posts a textarea's line breaks as CRLF; htmx and capture.js send LF. Stored: LF, always."""
    tove, morten = client_as("tove"), client_as("morten")
    mid = demo.upcoming_meeting_id
    post(morten, f"/meetings/{mid}/phase", {"phase": "opening"})
    assert post(morten, f"/meetings/{mid}/topics", {"citizen_topics": "Søvnen.\r\nPraktikken.\rPengene."}).status_code == 302
    post(morten, f"/meetings/{mid}/phase", {"phase": "closing"})
    assert post(morten, f"/meetings/{mid}/agreements", {"text": "Ali ringer.\r\nMaja svarer."}).status_code == 302
    added = post(tove, f"/courses/{demo.course_id}/members", {
        "name": "Bo Berg", "kind": "private", "relation": "nabo", "mandate": "Intet.\r\nKun lytte.", "closeness": "middle", "language": "da",
    })
    assert added.status_code == 302
    assert post(tove, f"/courses/{demo.course_id}/goals", {"kind": "goal", "text": "At sove.\r\n\r\nAt arbejde."}).status_code == 302
    agreement_id = db.session.scalar(db.select(Agreement.id).where(Agreement.origin_meeting_id == demo.meeting_ids[0]).limit(1))
    today = utcnow().date().isoformat()
    assert post(tove, f"/agreements/{agreement_id}/follow-up", {"contacted_on": today, "text": "Ringede.\r\nIntet svar."}).status_code == 302

    db.session.expire_all()
    assert db.session.get(Meeting, mid).citizen_topics == "Søvnen.\nPraktikken.\nPengene."
    assert db.session.scalar(db.select(Agreement.text).where(Agreement.origin_meeting_id == mid)) == "Ali ringer.\nMaja svarer."
    assert db.session.scalar(db.select(NetworkMember.mandate).where(NetworkMember.name == "Bo Berg")) == "Intet.\nKun lytte."
    assert db.session.scalar(db.select(Goal.text).where(Goal.text.like("At sove%"))) == "At sove.\n\nAt arbejde."
    assert db.session.scalar(db.select(FollowUp.text).where(FollowUp.agreement_id == agreement_id)) == "Ringede.\nIntet svar."


def test_a_note_sent_as_json_with_crlf_is_stored_with_lf(demo, client_as):
    rikke = client_as("rikke")
    body = {"uid": "crlf-1", "text": "Jeg sover dårligt.\r\nOg jeg er træt.\r", "device": "d", "seq": 1}
    response = rikke.post(
        f"/meetings/{demo.upcoming_meeting_id}/notes",
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf_token(rikke)},
    )
    assert response.status_code == 200 and response.json["text"] == "Jeg sover dårligt.\nOg jeg er træt.\n"
    assert db.session.scalar(db.select(Note.text).where(Note.client_uid == "crlf-1")) == "Jeg sover dårligt.\nOg jeg er træt.\n"


def _paragraph_with(document, words: str):
    (paragraph,) = [p for p in document.paragraphs if words in p.text]
    return paragraph


def test_each_line_of_a_note_is_one_line_break_in_the_docx(demo):
    """Also a note stored with CRLF before the input boundary made it LF: one w:br per line, no empty line."""
    meeting_id = demo.meeting_ids[0]
    maja = citizen(demo.course_id)
    for text in ("Linje et\r\nLinje to\r\nLinje tre", "Første\nAnden", "Gammel\rMac"):
        db.session.add(Note(meeting_id=meeting_id, client_uid=uuid.uuid4().hex, speaker_id=maja.id, kind=NoteKind.OWN_WORDS,
                            phase=Phase.DIALOGUE, text=text, created_at=utcnow()))
    db.session.commit()
    document = docx.Document(io.BytesIO(build_summary_docx(build_summary(meeting_id))))
    for first, lines in (("Linje et", 3), ("Første", 2), ("Gammel", 2)):
        paragraph = _paragraph_with(document, first)
        assert len(paragraph._p.findall(".//" + qn("w:br"))) == lines - 1, paragraph.text
        assert "\n\n" not in paragraph.text and len(paragraph.text.split("\n")) == lines
    # The stored note is as it was: the export only reads.
    assert db.session.scalar(db.select(Note.text).where(Note.text.like("Linje et%"))) == "Linje et\r\nLinje to\r\nLinje tre"


# --- too long: never cut, never "saved" ------------------------------------------------------

#: Pages with forms, and a tovholder who may use them all (plus the meeting in its phases below).
MAYBE_CUT = re.compile(r"(?<![\w-])maxlength\s*=", re.I)


def _text_columns():
    """Every column a person writes into."""
    from meetings import models
    from roles.models import User

    for model in (models.Citizen, models.Course, models.NetworkMember, models.Meeting, models.Note, models.Goal, models.Agreement,
                  models.AgreementReview, models.Consent, models.FollowUp, models.SessionRating, User):
        for column in model.__table__.columns:
            if column.type.python_type is str:
                yield model, column


def stored_anywhere(text: str) -> bool:
    return any(db.session.scalar(db.select(db.func.count()).select_from(m).where(c == text)) for m, c in _text_columns())


def test_no_page_lets_the_browser_cut_a_paste(app, demo, client_as):
    """`maxlength` makes a browser cut pasted text without a word; the limit goes to the page as data-maxlength."""
    from tests.test_access import _url_for_rule

    tove, morten = client_as("tove"), client_as("morten")
    mid = demo.upcoming_meeting_id
    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static" and not rule.rule.endswith((".docx", ".zip", ".ics")):
            pages.append(_url_for_rule(rule, demo))
    pages += [f"/meetings/{mid}", f"/meetings/{mid}/pre-meeting", f"/meetings/{mid}/rating"]
    seen_limits = 0
    for client in (tove, morten):
        for phase in ("opening", "closing"):
            post(morten, f"/meetings/{mid}/phase", {"phase": phase}, htmx=True)
            for url in pages:
                html = client.get(url).get_data(as_text=True)
                assert not MAYBE_CUT.search(html), url
                seen_limits += html.count("data-maxlength=")
    assert seen_limits > 20
    # The boxes that matter most carry their limit.
    opening = morten.get(f"/meetings/{mid}").get_data(as_text=True)
    assert 'data-maxlength="100000"' in opening  # the note capture
    post(morten, f"/meetings/{mid}/phase", {"phase": "opening"}, htmx=True)
    assert re.search(r'<textarea[^>]*data-maxlength="5000"[^>]*name="citizen_topics"|<textarea[^>]*name="citizen_topics"[^>]*data-maxlength="5000"',
                     morten.get(f"/meetings/{mid}").get_data(as_text=True))


def test_every_form_limits_text_with_maxchars_never_a_cutting_length():
    """A `Length(max=…)` would render maxlength again; every limited field of every form uses MaxChars."""
    import exports.routes  # noqa: F401  (forms are defined in these modules)
    import meetings.followup_routes  # noqa: F401
    import meetings.forms  # noqa: F401
    import meetings.inspire_routes  # noqa: F401
    import roles.forms  # noqa: F401
    from flask_wtf import FlaskForm
    from wtforms.validators import Length

    from roles.input_guard import MaxChars

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    limited = 0
    for form in subclasses(FlaskForm):
        for name, unbound in vars(form).items():
            for validator in getattr(unbound, "kwargs", {}).get("validators", None) or []:
                assert not (isinstance(validator, Length) and validator.max != -1), f"{form.__name__}.{name}"
                limited += isinstance(validator, MaxChars)
    assert limited >= 25


def _held(demo) -> int:
    return demo.meeting_ids[0]


def _member(demo) -> int:
    return db.session.scalar(db.select(NetworkMember.id).where(NetworkMember.course_id == demo.course_id, NetworkMember.name == "Hanne Holm"))


def _agreement(demo) -> int:
    return db.session.scalar(db.select(Agreement.id).where(Agreement.origin_meeting_id == demo.meeting_ids[0]).limit(1))


#: (who, phase of the coming meeting or None, url, the form's other fields, the limited field, its limit)
LIMITED_FIELDS = [
    ("tove", None, "/courses/{course}/members", {"kind": "private", "closeness": "middle", "language": "da", "name": "Bo"}, "name", 200),
    ("tove", None, "/courses/{course}/members", {"kind": "private", "closeness": "middle", "language": "da", "name": "Bo"}, "relation", 200),
    ("tove", None, "/courses/{course}/members", {"kind": "professional", "closeness": "middle", "language": "da", "name": "Bo"}, "organisation", 200),
    ("tove", None, "/courses/{course}/members", {"kind": "private", "closeness": "middle", "language": "da", "name": "Bo"}, "mandate", 2000),
    ("tove", None, "/courses/{course}/members", {"kind": "private", "closeness": "middle", "language": "da", "name": "Bo"}, "contact", 300),
    ("tove", None, "/members/{member}/edit", {"kind": "private", "closeness": "middle", "language": "da", "name": "Hanne Holm"}, "mandate", 2000),
    ("morten", "closing", "/meetings/{coming}/agreements", {}, "text", 5000),
    ("morten", "opening", "/meetings/{coming}/unannounced", {"kind": "private", "name": "Bo"}, "name", 200),
    ("morten", "opening", "/meetings/{coming}/unannounced", {"kind": "private", "name": "Bo"}, "relation", 200),
    ("morten", "closing", "/meetings/{coming}/next", {"day": "2030-01-02", "time": "10:00"}, "location", 200),
    ("morten", "opening", "/meetings/{coming}/topics", {}, "citizen_topics", 5000),
    ("morten", "opening", "/meetings/{coming}/phase", {"phase": "since_last"}, "citizen_topics", 5000),
    ("tove", None, "/meetings/{held}/reopen", {}, "reason", 190),
    ("tove", None, "/agreements/{agreement}/follow-up", {"contacted_on": "2020-01-02"}, "text", 4000),
    ("tove", None, "/members/{member}/consent", {"scope": "notes", "applies": "only_when"}, "circumstances", 500),
    ("tove", None, "/courses/{course}/goals", {"kind": "goal"}, "text", 2000),
    ("tove", None, "/courses/{course}/convene/regular", {"regular-planned_at": "2030-01-02T10:00", "regular-planned_minutes": "90"}, "regular-location", 200),
    ("tove", None, "/courses/{course}/convene/regular", {"regular-planned_at": "2030-01-02T10:00", "regular-planned_minutes": "90"}, "regular-theme", 500),
    ("tove", None, "/courses/{course}/convene/acute", {"acute-planned_at": "2030-01-02T10:00"}, "acute-location", 200),
    ("tove", None, "/meetings/{coming}/pre-meeting", {}, "citizen_topics", 4000),
    ("tove", None, "/meetings/{coming}/pre-meeting", {}, "note", 4000),
    ("tove", None, "/courses/{course}/end", {}, "note", 2000),
    ("morten", "closing", "/meetings/{coming}/rating", {"score": "4"}, "comment", 2000),
    ("tove", None, "/courses/{course}/erase", {}, "confirm_name", 200),
    (None, None, "/login", {"password": "x"}, "username", 80),
]


def test_every_limited_field_keeps_text_that_is_too_long_and_says_by_how_much(app, demo, client_as):
    """No form cuts: over the limit, the answer says "312 characters too long", the text is back in its box, nothing is stored."""
    ids = {"course": demo.course_id, "coming": demo.upcoming_meeting_id, "held": _held(demo), "member": _member(demo), "agreement": _agreement(demo)}
    for who, phase, url, fields, name, limit in LIMITED_FIELDS:
        client = client_as(who) if who else app.test_client()
        if phase:
            post(client_as("morten"), f"/meetings/{ids['coming']}/phase", {"phase": phase}, htmx=True)
        text = ("Ord " * limit)[:limit] + "x" * 312
        for htmx in (False, True):
            response = post(client, url.format(**ids), {**fields, name: text}, htmx=htmx)
            page = response.get_data(as_text=True)
            assert response.status_code == 400, (url, name, htmx, response.status_code)
            assert "312 tegn for meget" in page, (url, name, htmx)
            if not (htmx and url.endswith("/topics")):  # the autosave answers beside the box; the box keeps its text
                assert text in page, (url, name, htmx)
            # (A whole page has "Gemt ✓" among the messages for its script, outside <main>.)
            assert "Gemt ✓" not in page.split("<main", 1)[-1], (url, name, htmx)
        db.session.rollback()
        assert not stored_anywhere(text), (url, name)


def test_a_new_password_is_never_cut_either(app, demo, client_as):
    """A password manager's long paste used to be cut to 200 characters and saved so, unknown to the person."""
    from tests.conftest import login

    tove = client_as("tove")
    long = "k" * 212
    response = post(tove, "/password", {"current": "rundbord-demo", "new": long, "repeat": long})
    assert response.status_code == 400 and "12 tegn for meget" in response.get_data(as_text=True)
    login(app.test_client(), "tove", "rundbord-demo")  # nothing was changed


def test_a_note_too_long_is_refused_with_by_how_much_and_kept_on_the_device(demo, client_as):
    from meetings.notes import MAX_NOTE_LENGTH

    rikke = client_as("rikke")
    text = "a" * (MAX_NOTE_LENGTH + 312)
    response = rikke.post(
        f"/meetings/{demo.upcoming_meeting_id}/notes",
        data=json.dumps({"uid": "long-1", "text": text, "device": "d", "seq": 1}),
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf_token(rikke)},
    )
    assert response.status_code == 400
    assert response.json["message"].startswith("312 tegn for meget") and "100.000" in response.json["message"]
    assert db.session.scalar(db.select(Note.id).where(Note.client_uid == "long-1")) is None


# --- right to left: people's words never turn the app's own around ------------------------------

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
        while node is not None and node.tag != "bdi" and "dir" not in node.attrs:
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
