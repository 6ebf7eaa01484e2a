"""The citizen's summary: their own words, plain language, DOCX and print, Danish and English."""

from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

import demo as demo_data
from exports.summary import (
    AgreementRow,
    NextMeeting,
    Person,
    ReviewLine,
    Summary,
    Utterance,
    _texts,
    build_summary,
    file_name,
    summary_recipients,
    summary_sharing,
)
from exports.summary_docx import build_summary_docx, clean
from extensions import db
from kernel.clock import utcnow
from meetings.course import calendar
from meetings.models import (
    Agreement,
    Consent,
    ConsentCheck,
    ConsentScope,
    Course,
    Meeting,
    MemberKind,
    NetworkMember,
    Note,
    NoteKind,
    Phase,
)
from roles.models import AuditEntry, User
from tests import readability
from tests.conftest import browser_log_in, count_queries, csrf_token, english, visible


def danish_ui(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "da"
    return client


def docx_lines(data: bytes) -> list[str]:
    """Return every line of text a reader sees in a DOCX: paragraphs, then table cells."""
    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return [line for text in lines for line in text.split("\n")]


def docx_text(data: bytes) -> str:
    return "\n".join(docx_lines(data))


def add_note(meeting_id: int, speaker: NetworkMember | None, text: str, *, kind=NoteKind.OWN_WORDS, **extra) -> Note:
    note = Note(
        meeting_id=meeting_id,
        client_uid=uuid.uuid4().hex,
        speaker_id=speaker.id if speaker else None,
        kind=kind,
        phase=Phase.DIALOGUE,
        text=text,
        created_at=utcnow(),
        **extra,
    )
    db.session.add(note)
    db.session.commit()
    return note


def member(course_id: int, name: str) -> NetworkMember:
    return db.session.scalars(
        db.select(NetworkMember).where(NetworkMember.course_id == course_id, NetworkMember.name == name)
    ).one()


def citizen_of(course_id: int) -> NetworkMember:
    return db.session.scalars(
        db.select(NetworkMember).where(NetworkMember.course_id == course_id, NetworkMember.kind == MemberKind.CITIZEN)
    ).one()


# --- readability ---------------------------------------------------------------------


def test_lix_of_known_sentences():
    # 10 words, 2 sentences, 1 word longer than six letters (skriver): 10/2 + 100·1/10 = 15.
    assert readability.lix("Vi sidder ved et rundt bord. Så skriver de ned.") == pytest.approx(15.0)
    # 7 words, 1 sentence, 2 long words (borgeren, eksperten): 7 + 100·2/7.
    assert readability.lix("Borgeren er eksperten i sit eget liv.") == pytest.approx(7 + 200 / 7)
    assert readability.lix("") == 0
    # A heading without a full stop is a sentence of its own.
    assert len(readability.sentences("Næste møde\nVi ses.")) == 2


# --- what the summary holds ------------------------------------------------------------


def test_the_first_meeting_reads_in_the_citizens_order(demo):
    summary = build_summary(demo.meeting_ids[0])
    assert summary.lang == "da"
    assert summary.closed
    assert [p.label for p in summary.present] == [
        "Maja", "Hanne Holm (mor)", "Ali Hassan (bostøttemedarbejder)", "Peter Kjær (sygeplejerske)",
    ]
    assert summary.topics.startswith("At jeg ikke kan sove")
    first = summary.said[0]
    assert first.by_citizen and first.intro == "Du sagde:"
    assert first.text == "Jeg ligger vågen til klokken fire, og så kan jeg ikke komme op."
    assert summary.said[1].intro == "Hanne Holm (mor) sagde:"
    assert summary.reflections == ("Jeg hæfter mig ved, at Maja selv siger, hun gerne vil have hjælp til brevene.",)
    assert summary.reviews == ()  # nothing to review at the first meeting
    assert [(a.what, a.who) for a in summary.agreements] == [
        ("Ali hjælper Maja med at åbne og sortere brevene.", "Ali Hassan"),
        ("Maja bestiller tid hos egen læge om søvnen.", "Maja"),
    ]
    assert summary.next_meeting is not None and summary.next_meeting.where == "Hjemme hos Maja"
    assert summary.next_meeting.invited[0].is_citizen


def test_the_second_meeting_tells_how_the_earlier_agreements_went(demo):
    summary = build_summary(demo.meeting_ids[1])
    assert [(r.what, r.outcome) for r in summary.reviews] == [
        ("Ali hjælper Maja med at åbne og sortere brevene.", "Gjort"),
        ("Maja bestiller tid hos egen læge om søvnen.", "Ikke gjort"),
    ]
    assert summary.reviews[1].comment == "Jeg har ikke fået ringet. Det er svært at ringe."
    # The next meeting is the upcoming one, with everyone invited to it.
    assert {p.name for p in summary.next_meeting.invited} >= {"Maja", "Hanne Holm", "Peter Kjær"}


def test_observations_and_the_reflectants_name_stay_out(demo):
    data = build_summary_docx(build_summary(demo.meeting_ids[1]))
    text = docx_text(data)
    assert "Jonas og Maja grinede sammen flere gange." not in text  # an observation: the team's own note
    assert "Jeg lægger mærke til, hvor meget energi" in text  # the reflection is there …
    assert "Rikke Dahl" not in text  # … attributed to the reflecting team, not to her


def test_notes_not_for_the_summary_and_deleted_notes_never_appear(demo, client_as):
    meeting_id = demo.meeting_ids[0]
    maja = citizen_of(demo.course_id)
    add_note(meeting_id, maja, "Det her må mor ikke læse.", include_in_summary=False)
    add_note(meeting_id, maja, "Det her blev slettet igen.", deleted_at=utcnow())
    add_note(meeting_id, None, "En tanke, ikke til referatet.", kind=NoteKind.REFLECTION, include_in_summary=False)
    text = docx_text(build_summary_docx(build_summary(meeting_id)))
    page = english(client_as("tove")).get(f"/meetings/{meeting_id}/summary").get_data(as_text=True)
    for hidden in ("Det her må mor ikke læse.", "Det her blev slettet igen.", "En tanke, ikke til referatet."):
        assert hidden not in text
        assert hidden not in page
    assert "Jeg ligger vågen til klokken fire" in text and "Jeg ligger vågen til klokken fire" in page


def test_no_ids_audit_or_consent_details_reach_the_citizen(demo, client_as):
    meeting_id = demo.meeting_ids[1]
    english(client_as("tove")).get(f"/courses/{demo.course_id}")  # make an audit entry
    text = docx_text(build_summary_docx(build_summary(meeting_id)))
    for internal in (
        "altid",  # consent circumstances
        "sms: 20 11 22 33",  # contact details
        "Kan beslutte om praktikforløb",  # a mandate
        "Jobcenter Aarhus",  # an organisation
        "demo-2-",  # a note's client id
        "meetings.course", "citizen-access-request",  # audit actions and purposes
        "Tove Lund", "Morten Bak",  # staff who reviewed, recorded or looked
    ):
        assert internal not in text, internal
    assert not re.search(r"\bid\b", text, re.IGNORECASE)


# --- the DOCX --------------------------------------------------------------------------


def test_the_docx_has_headings_large_text_a_real_table_and_its_properties(demo):
    summary = build_summary(demo.meeting_ids[0])
    document = docx.Document(io.BytesIO(build_summary_docx(summary)))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == ("Heading 1", "Noter fra vores møde")
    assert [text for style, text in headings[1:]] == [
        "Tid og sted", "Hvem var med", "Det ville du tale om", "Det blev sagt", "Det reflekterende team",
        "Siden sidst", "Det blev vi enige om", "Næste møde",
    ]
    assert all(style == "Heading 2" for style, _ in headings[1:])
    assert document.styles["Normal"].font.size.pt >= 12
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            assert run.font.size is None or run.font.size.pt >= 12
    # The citizen's own words, as a quotation.
    quotes = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    assert "»Jeg ligger vågen til klokken fire, og så kan jeg ikke komme op.«" in quotes
    # The agreements: a real table with a header row that repeats on every page.
    (table,) = document.tables
    assert [c.text for c in table.rows[0].cells] == ["Hvad", "Hvem", "Hvornår"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [c.text for c in table.rows[1].cells][:2] == ["Ali hjælper Maja med at åbne og sortere brevene.", "Ali Hassan"]
    assert len(table.rows) == 3
    props = document.core_properties
    assert props.title == "Noter fra vores møde – Maja"
    assert props.language == "da-DK"
    assert props.author == "Rundbord"
    assert round(document.sections[0].page_width.mm) == 210


def test_an_english_citizen_gets_an_english_docx(demo):
    meeting = _close_a_meeting_for_karim(demo)
    document = docx.Document(io.BytesIO(build_summary_docx(build_summary(meeting.id))))
    assert document.core_properties.language == "en-GB"
    assert document.paragraphs[0].text == "Notes from our meeting"
    text = docx_text(build_summary_docx(build_summary(meeting.id)))
    assert "“I want to see my sister more.”" in text
    assert "What we agreed" in text and "Next meeting" in text


AWKWARD = {
    "vertical tab": "Første linje\x0bAnden linje",
    "emoji": "Jeg var glad 😀🐴 i dag",
    "arabic": "أريد أن أنام جيدا",
    "hebrew": "אני רוצה לישון טוב",
    "long": ("Jeg vil gerne fortælle det hele. " * 700)[:20_000],
}


def test_awkward_words_never_break_the_export_and_are_kept_as_stored(demo, client_as):
    meeting_id = demo.meeting_ids[0]
    maja = citizen_of(demo.course_id)
    notes = {name: add_note(meeting_id, maja, text) for name, text in AWKWARD.items()}
    data = build_summary_docx(build_summary(meeting_id))
    document = docx.Document(io.BytesIO(data))
    text = docx_text(data)
    assert "Første linje\nAnden linje" in text  # the vertical tab became a line break
    assert "Jeg var glad 😀🐴 i dag" in text
    assert AWKWARD["long"] in text
    for rtl in ("arabic", "hebrew"):
        (paragraph,) = [p for p in document.paragraphs if AWKWARD[rtl] in p.text]
        assert paragraph._p.pPr.find(qn("w:bidi")) is not None  # read right to left
    # What is stored is never changed by the export.
    db.session.expire_all()
    assert db.session.get(Note, notes["vertical tab"].id).text == AWKWARD["vertical tab"]
    page = english(client_as("tove")).get(f"/meetings/{meeting_id}/summary")
    assert page.status_code == 200
    assert "أريد أن أنام جيدا" in page.get_data(as_text=True)


def test_characters_xml_cannot_hold_are_cleaned_at_the_boundary_only(app):
    """NUL and friends cannot even be stored in PostgreSQL; the builder must cope with them all the same."""
    from flask_babel import force_locale

    nasty = "a\x00b\x0bc\x0cd\x1fe\ud800f\ufffeg\x07h"
    assert clean(nasty) == "ab\nc\nd" + "efgh"
    with app.test_request_context(), force_locale("da"):
        texts = _texts("da")
    person = Person(name="Maja\x00", relation="", is_citizen=True)
    summary = Summary(
        lang="da", citizen_name="Maja\x01", meeting_date=utcnow().date(), closed=True,
        when="i dag", where="Her\x0b", present=(person,), topics=nasty,
        said=(Utterance(intro="Du sagde:", text=nasty + "😀", by_citizen=True),),
        reflections=(nasty,),
        reviews=(ReviewLine(what=nasty, who=nasty, outcome="Gjort", comment=nasty),),
        agreements=(AgreementRow(what=nasty, who="Ali\x00", by_when="1. december"),),
        next_meeting=NextMeeting(when="snart", where=nasty, invited=(person,)),
        texts=texts,
    )
    data = build_summary_docx(summary)
    document = docx.Document(io.BytesIO(data))
    assert document.core_properties.title == "Noter fra vores møde – Maja"
    assert "»ab\nc\ndefgh😀«" in docx_text(data)
    assert document.tables[0].rows[1].cells[1].text == "Ali"


# --- plain language --------------------------------------------------------------------


def _people_and_dates(summary: Summary, course_id: int) -> list[str]:
    """Every string in the summary that people wrote, or that is a name or a date."""
    members = db.session.scalars(db.select(NetworkMember).where(NetworkMember.course_id == course_id)).all()
    found = {summary.when, summary.where, summary.topics, summary.citizen_name}
    found |= {m.name for m in members} | {m.relation for m in members}
    found |= {p.label for p in summary.present}
    found |= {u.text for u in summary.said} | set(summary.reflections)
    for r in summary.reviews:
        found |= {r.what, r.who, r.comment}
    for a in summary.agreements:
        found |= {a.what, a.who, a.by_when}
    if summary.next_meeting:
        found |= {summary.next_meeting.when, summary.next_meeting.where}
        found |= {p.label for p in summary.next_meeting.invited}
    return sorted((s for s in found if s), key=len, reverse=True)


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_text_rundbord_writes_is_plain_lix_35_or_lower(demo, lang):
    # The second meeting has every part: words, a reflection, reviews, agreements, a next meeting.
    summary = build_summary(demo.meeting_ids[1], lang)
    assert summary.reviews and summary.agreements and summary.reflections and summary.next_meeting
    own = _people_and_dates(summary, demo.course_id)
    lines = []
    for line in docx_lines(build_summary_docx(summary)):
        for words in own:
            line = line.replace(words, " ")
        lines.append(line)
    fixed = "\n".join(lines)
    assert "Du sagde" in fixed or "You said" in fixed  # the fixed text is what is left
    assert "Jeg" not in fixed.split()  # and nobody's words are
    score = readability.lix(fixed)
    assert score <= 35, f"LIX {score:.1f} in {lang}:\n{fixed}"


# --- the page, in the citizen's language -------------------------------------------------


def _close_a_meeting_for_karim(demo) -> Meeting:
    """Close Karim's (English) acute meeting with a few words and an agreement, and plan the next."""
    course = db.session.get(Course, demo.other_course_id)
    meeting = db.session.scalars(db.select(Meeting).where(Meeting.course_id == course.id)).one()
    karim = citizen_of(course.id)
    yasmin = member(course.id, "Yasmin Saleh")
    meeting.opened_at = meeting.planned_at
    meeting.closed_at = meeting.planned_at + timedelta(minutes=60)
    meeting.citizen_topics = "My sleep."
    db.session.add(Note(meeting_id=meeting.id, client_uid="karim-1", speaker_id=karim.id, kind=NoteKind.OWN_WORDS,
                        phase=Phase.DIALOGUE, text="I want to see my sister more."))
    db.session.add(Agreement(course_id=course.id, origin_meeting_id=meeting.id, text="Yasmin visits on Sunday.",
                             responsible_id=yasmin.id, due_on=(meeting.planned_at + timedelta(days=5)).date()))
    calendar.plan_meeting(course, meeting.planned_at + timedelta(days=14), location="Home")
    db.session.commit()
    return meeting


def test_the_page_is_in_the_citizens_language_whatever_the_staff_screen_says(demo, client_as):
    # Tove reads English on her screen; Maja's summary is in Danish.
    page = english(client_as("tove")).get(f"/meetings/{demo.meeting_ids[0]}/summary")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<article class="citizen-summary" lang="da">' in html
    article = html.split('<article', 1)[1].split("</article>", 1)[0]
    for danish_text in ("Noter fra vores møde", "Hvem var med", "Det blev vi enige om", "Næste møde", "Du sagde:"):
        assert danish_text in article
    assert re.search(r"(mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag) den \d+\. ", article)  # dates in Danish words
    assert "Download for Word (DOCX)" in html  # Tove's own screen stays English
    assert page.headers["Cache-Control"] == "no-store"

    # Rikke reads Danish on her screen; Karim's summary is in English.
    meeting = _close_a_meeting_for_karim(demo)
    html = danish_ui(client_as("rikke")).get(f"/meetings/{meeting.id}/summary").get_data(as_text=True)
    article = html.split('<article class="citizen-summary" lang="en">', 1)[1].split("</article>", 1)[0]
    for english_text in ("Notes from our meeting", "Who was there", "What we agreed", "Next meeting", "You said:"):
        assert english_text in article
    assert re.search(r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d+ \w+ \d{4}|"
                     r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \w+ \d+, \d{4}", article)
    assert "Hent til Word (DOCX)" in html


def test_the_page_prints_on_a4_without_the_app_around_it(demo, client_as, app):
    html = english(client_as("tove")).get(f"/meetings/{demo.meeting_ids[0]}/summary").get_data(as_text=True)
    assert "summary-print.css" in html
    css = (Path(app.root_path) / "static" / "summary-print.css").read_text()
    print_rules = css.split("@media print", 1)[1]
    assert "size: A4" in print_rules
    assert ".topbar" in print_rules and ".no-print" in print_rules and "display: none" in print_rules
    assert re.search(r"\.citizen-summary \{[^}]*font-size: 1[4-9]pt", print_rules)
    assert "<script>" not in html and " onclick=" not in html and "hx-on" not in html


def test_a_meeting_that_is_not_closed_has_no_summary_yet(demo, client_as):
    tove = english(client_as("tove"))
    upcoming = demo.upcoming_meeting_id
    page = tove.get(f"/meetings/{upcoming}/summary")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "The summary can be made when the meeting is closed." in html
    assert "citizen-summary" not in html
    download = tove.get(f"/meetings/{upcoming}/summary.docx")
    assert download.status_code == 302 and download.headers["Location"].endswith(f"/meetings/{upcoming}/summary")


def test_the_docx_download_is_named_after_the_citizen_and_the_day(demo, client_as):
    tove = english(client_as("tove"))
    meeting = db.session.get(Meeting, demo.meeting_ids[0])
    response = tove.get(f"/meetings/{meeting.id}/summary.docx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    disposition = response.headers["Content-Disposition"]
    match = re.fullmatch(r'attachment; filename="Maja-(\d{4}-\d{2}-\d{2})\.docx"', disposition)
    assert match, disposition
    assert docx.Document(io.BytesIO(response.data)).paragraphs[0].text  # a real document

    meeting.course.citizen.preferred_name = "Søren Ærø"
    db.session.commit()
    disposition = tove.get(f"/meetings/{meeting.id}/summary.docx").headers["Content-Disposition"]
    assert f'filename="Soeren-Aeroe-{match.group(1)}.docx"' in disposition
    assert f"filename*=UTF-8''S%C3%B8ren-%C3%86r%C3%B8-{match.group(1)}.docx" in disposition


def test_file_names_hold_only_safe_characters():
    day = utcnow().date()
    assert file_name('../../etc/"passwd"; rm', day, "docx") == f"etc-passwd-rm-{day.isoformat()}.docx"
    assert file_name("  ", day, "docx") == f"Rundbord-{day.isoformat()}.docx"
    assert file_name("أمل", day, "docx") == f"أمل-{day.isoformat()}.docx"


def test_the_meeting_page_links_to_the_summary(demo, client_as):
    html = english(client_as("morten")).get(f"/meetings/{demo.meeting_ids[0]}").get_data(as_text=True)
    assert f'href="/meetings/{demo.meeting_ids[0]}/summary"' in html
    assert f'href="/meetings/{demo.meeting_ids[0]}/summary.docx"' in html
    assert "Mark as given to the citizen" not in html  # the meeting leader cannot give it


def test_the_summary_page_and_docx_stay_within_twelve_queries(demo, client_as):
    """Issue #7's bound, for the role that sees the most (the tovholder: the recipients too)."""
    tove = client_as("tove")
    for url in (f"/meetings/{demo.meeting_ids[1]}/summary", f"/meetings/{demo.meeting_ids[1]}/summary.docx"):
        with count_queries() as sent:
            response = tove.get(url)
        assert response.status_code == 200
        assert len(sent) <= 12, (url, len(sent))


# --- giving it to the citizen --------------------------------------------------------------


def test_the_tovholder_marks_the_summary_given_only_after_reading_it(demo, client_as):
    meeting_id = demo.meeting_ids[0]
    tove = english(client_as("tove"))
    page = tove.get(f"/meetings/{meeting_id}/summary").get_data(as_text=True)
    assert "Mark as given to the citizen" in page
    token = csrf_token(tove)

    refused = tove.post(f"/meetings/{meeting_id}/summary/given", data={"csrf_token": token})
    assert refused.status_code == 400
    assert "Read the summary through first, then tick here." in refused.get_data(as_text=True)
    assert db.session.get(Meeting, meeting_id).summary_given_at is None

    given = tove.post(f"/meetings/{meeting_id}/summary/given", data={"csrf_token": token, "reviewed": "y"})
    assert given.status_code == 302
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting_id)
    assert meeting.summary_given_at is not None
    tove_id = db.session.scalar(db.select(User.id).where(User.username == "tove"))
    assert meeting.summary_given_by_id == tove_id
    page = visible(tove.get(f"/meetings/{meeting_id}/summary").get_data(as_text=True))
    assert "Given to the citizen" in page and "by Tove Lund" in page
    assert "Mark as given to the citizen" not in page


def test_only_a_tovholder_gives_the_summary_and_only_for_a_closed_meeting(demo, client_as):
    morten = client_as("morten")
    response = morten.post(f"/meetings/{demo.meeting_ids[0]}/summary/given", data={"csrf_token": csrf_token(morten), "reviewed": "y"})
    assert response.status_code == 403
    tove = english(client_as("tove"))
    response = tove.post(f"/meetings/{demo.upcoming_meeting_id}/summary/given", data={"csrf_token": csrf_token(tove), "reviewed": "y"})
    assert response.status_code == 400
    assert "The meeting is not closed yet" in response.get_data(as_text=True)
    assert db.session.get(Meeting, demo.upcoming_meeting_id).summary_given_at is None
    assert db.session.get(Meeting, demo.meeting_ids[0]).summary_given_at is None


def test_only_people_with_consent_are_listed_as_recipients(demo, client_as):
    meeting = db.session.get(Meeting, demo.meeting_ids[0])
    names = [m.name for m in summary_recipients(meeting)]
    assert names == ["Hanne Holm", "Ali Hassan", "Peter Kjær"]  # Ali has two consents, listed once

    peter = member(demo.course_id, "Peter Kjær")
    db.session.scalars(db.select(Consent).where(Consent.member_id == peter.id)).one().withdrawn_at = utcnow()
    jonas = member(demo.course_id, "Jonas Holm")
    db.session.add(Consent(course_id=demo.course_id, member_id=jonas.id, scope=ConsentScope.NOTES))
    db.session.commit()
    names = [m.name for m in summary_recipients(meeting)]
    assert names == ["Hanne Holm", "Ali Hassan"]

    html = english(client_as("tove")).get(f"/meetings/{meeting.id}/summary").get_data(as_text=True)
    recipients = html.split('id="recipients"', 1)[1]
    assert "Hanne Holm" in recipients and "Ali Hassan" in recipients
    for nobody in ("Peter Kjær", "Jonas Holm", "Sara Nielsen", "Lene Berg"):
        assert nobody not in recipients
    # Consent details are for the tovholder only.
    assert 'id="recipients"' not in english(client_as("rikke")).get(f"/meetings/{meeting.id}/summary").get_data(as_text=True)


def _recipient_lists(html: str) -> tuple[str, str]:
    """Return the summary page's plain list of recipients, and its list of those only in a certain situation."""
    after = visible(html).split('id="recipients"', 1)[1]
    plain, _sep, conditional = after.partition('id="recipients-conditional"')
    return plain, conditional.split("</section>", 1)[0]


def test_someone_with_consent_only_in_a_certain_situation_is_listed_apart(demo, client_as):
    meeting = db.session.get(Meeting, demo.meeting_ids[0])
    inger = member(demo.course_id, "Dr. Inger Mose")  # the demo's consent "ved indlæggelse"
    assert inger not in summary_recipients(meeting)
    assert [(m, c.circumstances) for m, c in summary_sharing(meeting).conditional] == [(inger, "ved indlæggelse")]

    html = english(client_as("tove")).get(f"/meetings/{meeting.id}/summary").get_data(as_text=True)
    plain, conditional = _recipient_lists(html)
    assert "Hanne Holm" in plain and "Dr. Inger Mose" not in plain
    assert ">Only in a certain situation</h3>" in conditional
    assert "Dr. Inger Mose" in conditional
    assert "Only when: ved indlæggelse — check that this applies before sharing." in conditional
    assert "Hanne Holm" not in conditional

    danish_page = danish_ui(client_as("tove")).get(f"/meetings/{meeting.id}/summary").get_data(as_text=True)
    _plain, conditional = _recipient_lists(danish_page)
    assert "Kun i denne situation: ved indlæggelse — tjek, at den gælder, før du deler." in conditional


def test_a_withdrawn_conditional_consent_leaves_both_lists(demo, client_as):
    meeting = db.session.get(Meeting, demo.meeting_ids[0])
    inger = member(demo.course_id, "Dr. Inger Mose")
    db.session.scalars(db.select(Consent).where(Consent.member_id == inger.id)).one().withdrawn_at = utcnow()
    db.session.commit()
    html = english(client_as("tove")).get(f"/meetings/{meeting.id}/summary").get_data(as_text=True)
    assert 'id="recipients-conditional"' not in html
    assert "Dr. Inger Mose" not in html.split('id="recipients"', 1)[1]


def test_when_everyone_needs_a_check_first_the_page_says_so(demo, client_as):
    meeting = db.session.get(Meeting, demo.meeting_ids[0])
    for consent in db.session.scalars(db.select(Consent).where(Consent.course_id == demo.course_id)):
        if consent.circumstances == "altid":
            consent.withdrawn_at = utcnow()
    db.session.commit()
    html = english(client_as("tove")).get(f"/meetings/{meeting.id}/summary").get_data(as_text=True)
    plain, conditional = _recipient_lists(html)
    assert "Nobody has consent to get the summary without a check first." in plain
    assert "Dr. Inger Mose" in conditional


def test_a_tovholder_records_that_the_situation_applies_for_this_summary_only(demo, client_as):
    meeting = db.session.get(Meeting, demo.meeting_ids[0])
    other_meeting = db.session.get(Meeting, demo.meeting_ids[1])
    inger = member(demo.course_id, "Dr. Inger Mose")
    consent = db.session.scalars(db.select(Consent).where(Consent.member_id == inger.id)).one()
    url = f"/meetings/{meeting.id}/consents/{consent.id}/check"

    # Only the tovholder, who gives the summary, may record the check.
    morten = client_as("morten")
    assert morten.post(url, data={"csrf_token": csrf_token(morten)}).status_code == 403
    tove = english(client_as("tove"))
    response = tove.post(url, data={"csrf_token": csrf_token(tove)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/meetings/{meeting.id}/summary#recipients")

    assert inger in summary_recipients(meeting)
    assert inger not in summary_recipients(other_meeting)  # the next summary needs its own check
    plain, conditional = _recipient_lists(tove.get(f"/meetings/{meeting.id}/summary").get_data(as_text=True))
    assert "Dr. Inger Mose" in plain and "ved indlæggelse — checked" in plain and "Dr. Inger Mose" not in conditional
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "consent.checked")).one()
    assert (entry.course_id, entry.object_id, entry.detail) == (demo.course_id, consent.id, f"meeting {meeting.id}")
    # Twice (a double tap, two screens) is one check.
    tove.post(url, data={"csrf_token": csrf_token(tove)})
    assert db.session.scalar(db.select(db.func.count()).select_from(ConsentCheck)) == 1

    # A consent withdrawn after the check: out at once.
    consent.withdrawn_at = utcnow()
    db.session.commit()
    assert inger not in summary_recipients(meeting) and not summary_sharing(meeting).conditional
    consent.withdrawn_at = None
    db.session.commit()
    assert inger in summary_recipients(meeting)

    # Taken back by mistake: only a check again puts her back.
    tove.post(f"/meetings/{meeting.id}/consents/{consent.id}/uncheck", data={"csrf_token": csrf_token(tove)})
    assert inger not in summary_recipients(meeting)
    assert [a for (a,) in db.session.execute(db.select(AuditEntry.action).where(AuditEntry.object_type == "consent"))] == [
        "consent.checked",
        "consent.check_undone",
    ]


def test_only_a_closed_meetings_conditional_summary_consent_can_be_checked(demo, client_as):
    from meetings.consent.rules import InvalidCheck, check_circumstance

    meeting = db.session.get(Meeting, demo.meeting_ids[0])
    upcoming = db.session.get(Meeting, demo.upcoming_meeting_id)
    hanne = member(demo.course_id, "Hanne Holm")  # her consent holds always
    always = db.session.scalars(db.select(Consent).where(Consent.member_id == hanne.id, Consent.scope == ConsentScope.SUMMARY)).first()
    inger = member(demo.course_id, "Dr. Inger Mose")
    only_when = db.session.scalars(db.select(Consent).where(Consent.member_id == inger.id)).one()
    karims_meeting = _close_a_meeting_for_karim(demo)
    tove_id = db.session.scalar(db.select(User.id).where(User.username == "tove"))
    for consent, for_meeting in ((always, meeting), (only_when, upcoming), (only_when, karims_meeting)):
        with pytest.raises(InvalidCheck):
            check_circumstance(consent, for_meeting, tove_id)
    # Over HTTP, Karim's tovholder naming a consent from Maja's course gets a message, not a check.
    rikke = english(client_as("rikke"))
    page = rikke.post(f"/meetings/{karims_meeting.id}/consents/{only_when.id}/check", data={"csrf_token": csrf_token(rikke)}, follow_redirects=True)
    assert "cannot be checked for this summary" in page.get_data(as_text=True)
    assert "Dr. Inger Mose" not in page.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(ConsentCheck)) == 0


# --- the command line ----------------------------------------------------------------------


def test_the_command_writes_docx_and_html(app, demo, tmp_path):
    runner = app.test_cli_runner()
    meeting_id = demo.meeting_ids[1]
    out = tmp_path / "summary.docx"
    result = runner.invoke(args=["export-summary", str(meeting_id), "--format", "docx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Næste møde" in docx_text(out.read_bytes())

    page = tmp_path / "summary.html"
    result = runner.invoke(args=["export-summary", str(meeting_id), "--format", "html", "--out", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and '<html lang="da">' in html
    assert "Det blev vi enige om" in html and "Når jeg er ved hestene" in html
    assert "@media print" in html  # the print stylesheet travels with the file
    assert "csrf" not in html.lower() and "Log out" not in html and "Mark as given" not in html


def test_the_command_names_the_file_itself_when_no_out_is_given(app, demo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = app.test_cli_runner().invoke(args=["export-summary", str(demo.meeting_ids[0])])
    assert result.exit_code == 0, result.output
    (written,) = tmp_path.glob("Maja-*.docx")
    assert docx.Document(str(written)).paragraphs


def test_the_command_refuses_an_unknown_or_unclosed_meeting_clearly(app, demo, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "x.docx"
    unknown = runner.invoke(args=["export-summary", "999999", "--out", str(out)])
    assert unknown.exit_code != 0
    assert "There is no meeting with id 999999." in unknown.output
    unclosed = runner.invoke(args=["export-summary", str(demo.upcoming_meeting_id), "--format", "html", "--out", str(out)])
    assert unclosed.exit_code != 0
    assert "is not closed yet" in unclosed.output
    assert not out.exists()
    wrong = runner.invoke(args=["export-summary", str(demo.meeting_ids[0]), "--format", "pdf"])
    assert wrong.exit_code != 0



# --- in a real browser ---------------------------------------------------------------------


@pytest.mark.browser
def test_the_summary_page_is_accessible_and_prints_without_the_app(live_server, browser, demo):
    from tests.test_accessibility import violations

    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-GB", bypass_csp=True)
    page = context.new_page()
    browser_log_in(page, live_server, "tove", lang="en")
    page.goto(f"{live_server}/meetings/{demo.meeting_ids[1]}/summary")
    assert page.locator("article.citizen-summary").get_attribute("lang") == "da"
    assert page.get_by_role("button", name="Print").is_visible()  # shown by summary.js
    assert violations(page) == []
    page.emulate_media(media="print")
    assert page.locator("article.citizen-summary table").is_visible()
    for chrome in (".topbar", ".export-panel", ".crumbs"):
        assert not page.locator(chrome).first.is_visible(), chrome
    font_size = page.eval_on_selector("article.citizen-summary p", "p => getComputedStyle(p).fontSize")
    assert float(font_size.removesuffix("px")) >= 18  # 14 pt
    context.close()


def test_the_citizen_can_have_their_inspire_answers_in_the_summary(demo, client_as):
    """Off by default; when the citizen wants it, the page shows chart and table, the DOCX the table."""
    import io

    import docx


    demo_data.add_demo_feedback(demo.course_id)
    db.session.commit()
    tove = client_as("tove")
    held = demo.meeting_ids[1]
    assert "Dine svar om bedring" not in tove.get(f"/meetings/{held}/summary").get_data(as_text=True)
    tove.post(f"/courses/{demo.course_id}/inspire/in-summary", data={"include": "1", "csrf_token": csrf_token(tove)})
    page = tove.get(f"/meetings/{held}/summary").get_data(as_text=True)
    assert "Dine svar om bedring" in page and "<svg" in page and "56,3" in page
    document = docx.Document(io.BytesIO(tove.get(f"/meetings/{held}/summary.docx").data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "56,3" in cells
    # A reflectant may not decide it for the citizen.
    assert client_as("rikke").post(
        f"/courses/{demo.course_id}/inspire/in-summary", data={"include": "0", "csrf_token": csrf_token(tove)}
    ).status_code in (400, 403)
