"""A whole network meeting in headless Chromium, on two tablets: the meeting leader's and the reflectant's."""

from __future__ import annotations

import re
import time
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from extensions import db
from meetings.models import Meeting, Note, Phase
from tests.conftest import browser_log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def second_tablet(browser):
    """The reflectant's tablet, in portrait (768×1024)."""
    context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="da-DK")
    yield context.new_page()
    context.close()


def maja_id(demo) -> int:
    from meetings.models import MemberKind, NetworkMember

    return db.session.scalar(
        db.select(NetworkMember.id).where(NetworkMember.course_id == demo.course_id, NetworkMember.kind == MemberKind.CITIZEN)
    )


def write_note(page, speaker: str, text: str, kind: str | None = None) -> None:
    capture = page.locator("#capture")
    capture.locator("label.chip-radio", has_text=speaker).first.click()
    if kind:
        capture.locator("label.chip-radio", has_text=kind).click()
    area = page.get_by_label("Med den talendes egne ord")
    area.fill(text)
    area.press("Enter")
    expect(area).to_have_value("")
    expect(page.locator("#note-list")).to_contain_text(text)


def leader_in_phase(page, live_server, demo, phase, *, before=lambda meeting: None) -> Meeting:
    """Put the coming meeting in `phase` (and let `before` add to it), then open it on the
    leader's tablet."""
    from kernel.clock import utcnow
    from meetings.screen.phases import move_to_phase

    meeting = db.session.get(Meeting, demo.upcoming_meeting_id)
    move_to_phase(meeting, phase, utcnow())
    before(meeting)
    db.session.commit()
    browser_log_in(page, live_server, "morten")
    page.goto(f"{live_server}/meetings/{meeting.id}")
    return meeting


def click_and_settle(page, locator) -> None:
    """Click, and return once htmx has settled the answer (drafts and carried fields are put
    back at htmx:load and htmx:afterSettle: look only after it)."""
    page.evaluate("document.addEventListener('htmx:afterSettle', () => { window.settled = true; }, {once: true})")
    locator.click()
    page.wait_for_function("() => window.settled === true", timeout=10000)
    page.evaluate("window.settled = false")


def test_topics_typed_just_before_moving_on_are_saved(live_server, tablet, demo):
    """The topics box saves 800 ms after the last key. Tapping Next sooner used to take the
    box off the page with its save still waiting: the citizen's words were never sent."""
    page = tablet
    meeting = leader_in_phase(page, live_server, demo, Phase.OPENING)
    page.get_by_label("Hvad borgeren vil tale om i dag").fill("Søvnen. Og om jeg kan starte i praktik.")
    page.get_by_role("button", name="Næste: Siden sidst").click()
    expect(page.get_by_role("heading", name="Siden sidst")).to_be_visible()
    page.wait_for_timeout(1500)  # past the autosave's 800 ms
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).citizen_topics == "Søvnen. Og om jeg kan starte i praktik."


@contextmanager
def answers_held(page, url_glob: str):
    """Hold the requests to url_glob while the block taps, then let them through one by one,
    as on a slow network where every tap is made before the first answer is back."""
    held = []

    def hold(route):
        held.append(route)

    page.route(url_glob, hold)
    yield
    # Let them through until a second passes with none (queued taps go out one after another).
    quiet, deadline = 0, time.monotonic() + 20
    while quiet < 20 and time.monotonic() < deadline:
        quiet = 0 if held else quiet + 1
        while held:
            held.pop(0).continue_()
        page.wait_for_timeout(50)
    page.unroute(url_glob, hold)
    while held:  # caught after the last look: never leave one hanging
        held.pop(0).continue_()


def test_a_whole_meeting_on_two_tablets_and_the_next_meeting_reviews_what_is_unfinished(live_server, tablet, second_tablet, demo):
    leader, reflectant = tablet, second_tablet
    meeting_url = f"{live_server}/meetings/{demo.upcoming_meeting_id}"

    browser_log_in(leader, live_server, "morten")
    leader.get_by_role("link", name="Maja", exact=True).click()
    leader.get_by_role("link", name=re.compile("Praktik og søvn|kl|\\d")).first.click()
    leader.wait_for_url(meeting_url)
    leader.get_by_role("button", name="Start mødet").click()

    # Opening: who is here.
    expect(leader.get_by_role("heading", name="Åbning")).to_be_visible()
    for name in ("Maja", "Hanne Holm", "Ali Hassan"):
        leader.locator(".roster li", has_text=name).get_by_role("button", name="Her", exact=True).click()
        expect(leader.locator(".roster li", has_text=name).get_by_role("button", name="✓ Her")).to_be_visible()

    # Since last time: the earlier agreements, one by one.
    leader.get_by_role("button", name="Næste: Siden sidst").click()
    items = leader.locator(".review-item")
    expect(items).to_have_count(3)
    items.nth(0).get_by_role("button", name="Gjort", exact=True).click()
    expect(leader.locator(".review-item").nth(0).get_by_role("button", name="✓ Gjort")).to_be_visible()
    leader.locator(".review-item").nth(1).get_by_label(re.compile("Kommentar")).fill("Lene venter på svar fra rideskolen.")
    leader.locator(".review-item").nth(1).get_by_role("button", name="Delvist gjort").click()
    expect(leader.locator(".review-item").nth(1).get_by_role("button", name="✓ Delvist gjort")).to_be_visible()
    leader.locator(".review-item").nth(2).get_by_role("button", name="Ikke gjort").click()
    expect(leader.locator(".review-item").nth(2).get_by_role("button", name="✓ Ikke gjort")).to_be_visible()

    # Dialogue: the reflectant writes three speakers' words on the other tablet.
    leader.get_by_role("button", name="Næste: Dialog").click()
    browser_log_in(reflectant, live_server, "rikke")
    reflectant.goto(meeting_url)
    write_note(reflectant, "Maja", "Jeg har sovet bedre, siden vi sidst talte sammen.")
    write_note(reflectant, "Hanne Holm", "Hun virker gladere — det kan jeg mærke.")
    write_note(reflectant, "Ali Hassan", "Vi har fået styr på posten. 📬")
    for name in ("Maja", "Hanne Holm", "Ali Hassan"):
        leader.locator("#voices").get_by_role("button", name=re.compile(name)).click()
    expect(leader.locator("#voices")).to_contain_text("Alle er blevet hørt.")

    # Reflection and response.
    leader.get_by_role("button", name="Næste: Refleksion").click()
    write_note(reflectant, "Rikke Dahl", "Jeg lægger mærke til, at søvnen fylder mindre i dag.", kind="Refleksion")
    leader.get_by_role("button", name="Næste: Respons").click()
    write_note(reflectant, "Maja", "Ja, det passer godt.")

    # Closing: two agreements, the next meeting, close.
    leader.get_by_role("button", name="Næste: Afrunding").click()
    # An agreement without words is refused with a message, and the choice made stays.
    leader.locator("#responsible_id").select_option(label="Maja")
    leader.get_by_role("button", name="Tilføj aftalen").click()
    expect(leader.locator("#agreements")).to_contain_text("Skriv, hvad I aftalte.")
    expect(leader.locator("#responsible_id")).to_have_value(str(maja_id(demo)))
    for text, who in (("Maja ringer selv til rideskolen.", "Maja"), ("Ali går med til lægen.", "Ali Hassan (bostøttemedarbejder)")):
        leader.get_by_label("Hvad blev aftalt").fill(text)
        leader.locator("#responsible_id").select_option(label=who)
        leader.get_by_role("button", name="Tilføj aftalen").click()
        expect(leader.locator("table.agreements")).to_contain_text(text)
    leader.get_by_label("Dato").fill("2027-02-01")
    leader.get_by_label("Tidspunkt").fill("10:00")
    leader.locator(".invitees label", has_text="Maja").click()
    leader.get_by_role("button", name="Gem næste møde").click()
    expect(leader.locator("#next-meeting")).to_contain_text("1. februar 2027")
    leader.get_by_role("button", name="Afslut mødet").click()
    expect(leader.get_by_role("heading", name="Mødet er afsluttet")).to_be_visible()

    # Nothing was lost or doubled on the way.
    texts = db.session.scalars(db.select(Note.text).where(Note.meeting_id == demo.upcoming_meeting_id, Note.deleted_at.is_(None))).all()
    assert sorted(texts) == sorted([
        "Jeg har sovet bedre, siden vi sidst talte sammen.",
        "Hun virker gladere — det kan jeg mærke.",
        "Vi har fået styr på posten. 📬",
        "Jeg lægger mærke til, at søvnen fylder mindre i dag.",
        "Ja, det passer godt.",
    ])

    # The next meeting's "Since last time" shows exactly what is unfinished.
    db.session.expire_all()
    nxt = db.session.scalar(db.select(Meeting).where(Meeting.course_id == demo.course_id).order_by(Meeting.planned_at.desc()))
    leader.goto(f"{live_server}/meetings/{nxt.id}")
    leader.get_by_role("button", name="Start mødet").click()
    leader.get_by_role("button", name="Næste: Siden sidst").click()
    expect(leader.locator(".review-item")).to_have_count(4)
    shown = [t.strip() for t in leader.locator(".review-item .agreement-text").all_inner_texts()]
    assert shown == [
        "Lene undersøger praktikpladsen på rideskolen og ringer til Maja.",
        "Hanne ringer til lægen sammen med Maja.",
        "Maja ringer selv til rideskolen.",
        "Ali går med til lægen.",
    ]


def test_a_note_typed_while_the_network_is_gone_arrives_once_and_intact(live_server, browser, demo):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="da-DK")
    page = context.new_page()
    browser_log_in(page, live_server, "rikke")
    page.goto(f"{live_server}/meetings/{demo.upcoming_meeting_id}")
    text = "Jeg var bange for at miste lejligheden,\nmen nu er jeg mindre bange. «Æ ø å» 😊"
    area = page.get_by_label("Med den talendes egne ord")
    context.set_offline(True)
    area.fill(text)
    area.press("Enter")
    expect(page.locator("#capture .save-status")).to_contain_text("Ikke gemt endnu")
    # The note is kept on the device meanwhile, and nothing reached the server.
    assert page.evaluate("window.RundbordNotes.pendingCount()") == 1
    assert db.session.scalar(db.select(db.func.count(Note.id)).where(Note.meeting_id == demo.upcoming_meeting_id)) == 0
    context.set_offline(False)
    expect(page.locator("#note-list")).to_contain_text("mindre bange", timeout=15000)
    page.wait_for_function("window.RundbordNotes.pendingCount() === 0", timeout=15000)
    db.session.expire_all()
    stored = db.session.scalars(db.select(Note.text).where(Note.meeting_id == demo.upcoming_meeting_id)).all()
    assert stored == [text]
    # A reload shows the same, once.
    page.reload()
    expect(page.locator("#note-list li")).to_have_count(1)
    context.close()


def test_an_agreement_typed_survives_a_reload_and_once_added_its_box_stays_empty(live_server, tablet, demo):
    """The draft kept while typing must go when the server has the agreement: the old text
    coming back into the box a moment later would invite adding it twice."""
    page = tablet
    leader_in_phase(page, live_server, demo, Phase.CLOSING)
    box = page.get_by_label("Hvad blev aftalt")
    box.fill("Maja ringer selv til rideskolen.")
    page.reload()
    expect(box).to_have_value("Maja ringer selv til rideskolen.")

    page.locator("#responsible_id").select_option(label="Maja")
    click_and_settle(page, page.get_by_role("button", name="Tilføj aftalen"))
    expect(page.locator("table.agreements")).to_contain_text("Maja ringer selv til rideskolen.")
    expect(box).to_have_value("")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.includes('draft:agreement-'))") == []
    page.reload()
    expect(box).to_have_value("")


def test_the_leaders_tablet_follows_the_reflectants_notes_without_a_reload(live_server, tablet, second_tablet, demo):
    reflectant, leader = tablet, second_tablet
    meeting_url = f"{live_server}/meetings/{demo.upcoming_meeting_id}"
    browser_log_in(reflectant, live_server, "rikke")
    browser_log_in(leader, live_server, "morten")
    reflectant.goto(meeting_url)
    leader.goto(meeting_url)

    # A note written on one tablet appears on the other by itself (the 15-second poll).
    write_note(reflectant, "Maja", "Jeg vil gerne have en hund.")
    leader_list = leader.locator("#note-list")
    expect(leader_list).to_contain_text("Jeg vil gerne have en hund.", timeout=35_000)  # two ticks, under load

    # The leader opens that note to edit it; what comes in meanwhile does not take the form away.
    first = leader_list.locator("li", has_text="hund")
    first.get_by_role("button", name="Ret").click()
    editor = leader.locator("#note-list li.note-edit textarea")
    expect(editor).to_have_value("Jeg vil gerne have en hund.")
    write_note(reflectant, "Hanne Holm", "Hun har talt om hunde i et år.")
    reflectant.locator("#note-list li", has_text="hund.").get_by_role("button", name="Ikke til referatet").click()
    expect(reflectant.locator("#note-list li", has_text="hund.")).to_contain_text("Tag med i referatet")
    leader.evaluate("RundbordNotes.sync()")
    expect(leader_list).to_contain_text("Hun har talt om hunde i et år.")
    expect(editor).to_have_value("Jeg vil gerne have en hund.")
    # Cancelling the edit shows the note as it is now.
    leader.locator("#note-list li.note-edit").get_by_role("button", name="Fortryd ændring").click()
    expect(leader_list.locator("li", has_text="hund.")).to_contain_text("Tag med i referatet")

    # A note deleted on one tablet goes from the other; the deleting tablet keeps its undo.
    reflectant.locator("#note-list li", has_text="hunde i et år").get_by_role("button", name="Slet").click()
    expect(reflectant.locator("#note-list")).to_contain_text("Fortryd")
    leader.evaluate("RundbordNotes.sync()")
    expect(leader_list).not_to_contain_text("hunde i et år")
    reflectant.evaluate("RundbordNotes.sync()")
    expect(reflectant.locator("#note-list")).to_contain_text("Fortryd")
    expect(leader_list.locator("li")).to_have_count(1)


def test_quick_taps_on_a_slow_network_all_count_and_the_screen_shows_them(live_server, tablet, demo):
    """The leader taps three people in a row before the first answer is back. Each tap must
    reach the server, and the screen must end up showing all three. Before, each answer
    replaced the whole list, so a tap could go out from a list already taken off the page,
    and its answer was thrown away: the server had Ali as heard, the screen did not."""
    from meetings.models import AgreementReview, Attendance, AttendanceStatus

    page = tablet
    meeting = leader_in_phase(page, live_server, demo, Phase.OPENING)
    names = ("Maja", "Hanne Holm", "Ali Hassan")
    page.evaluate("window.sameScreen = true")  # gone if a tap reloaded the page instead of swapping

    with answers_held(page, "**/attendance"):
        for name in names:
            page.locator(".roster li", has_text=name).get_by_role("button", name="Her", exact=True).click()
    for name in names:
        expect(page.locator(".roster li", has_text=name).get_by_role("button", name="✓ Her")).to_be_visible()
    db.session.expire_all()
    present = db.select(db.func.count()).select_from(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.status == AttendanceStatus.PRESENT)
    assert db.session.scalar(present) == 3

    page.get_by_role("button", name="Næste: Siden sidst").click()
    items = page.locator(".review-item")
    expect(items).to_have_count(3)
    items.nth(1).get_by_label(re.compile("Kommentar")).fill("Lene venter på svar.")
    outcomes = ("Gjort", "Delvist gjort", "Ikke gjort")
    with answers_held(page, "**/reviews/*"):
        for i, outcome in enumerate(outcomes):
            items.nth(i).get_by_role("button", name=outcome, exact=True).click()
    for i, outcome in enumerate(outcomes):
        expect(items.nth(i).get_by_role("button", name=f"✓ {outcome}")).to_be_visible()
    expect(items.nth(1).get_by_label(re.compile("Kommentar"))).to_have_value("Lene venter på svar.")
    assert page.evaluate("window.sameScreen === true")
    db.session.expire_all()
    reviews = db.session.scalars(db.select(AgreementReview).where(AgreementReview.meeting_id == meeting.id)).all()
    assert sorted(r.comment for r in reviews) == ["", "", "Lene venter på svar."]

    page.get_by_role("button", name="Næste: Dialog").click()
    voices = page.locator("#voices")
    with answers_held(page, "**/voices"):
        for name in names:
            voices.get_by_role("button", name=re.compile(name)).click()
    expect(voices).to_contain_text("Alle er blevet hørt.")
    for name in names:
        expect(voices.get_by_role("button", name=re.compile(name))).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(page.locator("#voices")).to_contain_text("Alle er blevet hørt.")


def test_what_is_being_typed_in_the_agreements_box_stays_while_other_parts_of_it_change(live_server, tablet, demo):
    """Two agreements get their person in quick succession and one is removed (each answer
    swaps only its row) while a new agreement is being written: its person and date stay,
    not only its text. Then adding it answers with the whole box: a person chosen in another
    row but not yet set stays chosen."""
    from meetings.screen.agreements import record_agreement

    page = tablet

    def agreements_to_set(meeting):
        record_agreement(meeting, "Nogen ringer til busselskabet.", None)
        record_agreement(meeting, "Nogen skriver til skolen.", None)
        record_agreement(meeting, "En aftale skrevet ved en fejl.", None)

    leader_in_phase(page, live_server, demo, Phase.CLOSING, before=agreements_to_set)
    page.get_by_label("Hvad blev aftalt").fill("Ali går med til lægen.")
    ali, hanne = str(_member_id(demo, "Ali Hassan")), str(_member_id(demo, "Hanne Holm"))
    page.locator("#responsible_id").select_option(ali)
    page.get_by_label("Hvornår (kan udelades)").fill("2026-12-01")

    def row(text: str):
        return page.locator("table.agreements tr", has_text=text)

    with answers_held(page, "**/responsible"):
        for text in ("busselskabet", "skolen"):
            row(text).get_by_label("Hvem har ansvaret").select_option(hanne)
            row(text).get_by_role("button", name="Vælg", exact=True).click()
    for text in ("busselskabet", "skolen"):
        expect(row(text)).to_contain_text("Hanne Holm")
        expect(row(text)).not_to_contain_text("Ingen endnu")
    row("ved en fejl").get_by_role("button", name="Fjern").click()
    expect(page.locator("table.agreements")).not_to_contain_text("ved en fejl")
    expect(page.get_by_label("Hvad blev aftalt")).to_have_value("Ali går med til lægen.")
    expect(page.locator("#responsible_id")).to_have_value(ali)
    expect(page.get_by_label("Hvornår (kan udelades)")).to_have_value("2026-12-01")

    # Ali chosen for the bus, not yet set; then the new agreement is added (the whole box answers).
    row("busselskabet").get_by_label("Hvem har ansvaret").select_option(ali)
    page.get_by_role("button", name="Tilføj aftalen").click()
    expect(row("lægen")).to_contain_text("Ali Hassan")
    expect(page.get_by_label("Hvad blev aftalt")).to_have_value("")
    expect(row("busselskabet").get_by_label("Hvem har ansvaret")).to_have_value(ali)
    expect(row("busselskabet")).to_contain_text("Hanne Holm")  # still Hanne until it is set


def _member_id(demo, name: str) -> int:
    from meetings.models import NetworkMember

    return db.session.scalar(db.select(NetworkMember.id).where(NetworkMember.course_id == demo.course_id, NetworkMember.name == name))


def test_a_number_typed_for_one_phase_is_not_carried_into_the_next_phases_box(live_server, tablet, demo):
    """Typed into the plan but not set, then Next: the new phase's box shows its own plan."""
    page = tablet
    leader_in_phase(page, live_server, demo, Phase.DIALOGUE)
    page.get_by_label("Dialog (minutter)").fill("50")
    page.get_by_label("Planlagt længde (minutter)").fill("120")
    click_and_settle(page, page.get_by_role("button", name="Næste: Refleksion"))
    expect(page.get_by_label("Refleksion (minutter)")).to_have_value("14")  # 15 % of 90, its own
    expect(page.get_by_label("Planlagt længde (minutter)")).to_have_value("120")  # the same box: kept as typed
