"""A responsible person answers from the link in their email, in a real browser, without an account."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from exports.messages import mailer
from extensions import db
from kernel.clock import local_today, utcnow
from meetings.consent.rules import give_consent
from meetings.models import ConsentScope, Course, FollowUp, NetworkMember
from meetings.outreach import contacts, rules
from meetings.outreach.models import Channel, Reply
from tests.mailserver import MailServer, use_mail_server
from tests.test_reminders import LINK_RE, _held_meeting

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"


@pytest.fixture
def emailed_link(app, live_server, demo):
    """Hanne's agreement sent to her by email through a loopback SMTP server; the link in it, pointing at the live server."""
    server = MailServer().start()
    use_mail_server(app, server.port)
    app.config["PUBLIC_URL"] = live_server
    course = db.session.get(Course, demo.course_id)
    hanne = db.session.scalars(db.select(NetworkMember).where(NetworkMember.course_id == course.id, NetworkMember.name == "Hanne Holm")).one()
    give_consent(hanne, ConsentScope.AGREEMENTS, "", None)
    contacts.set_preference(hanne, Channel.EMAIL, "hanne@example.dk", utcnow())
    meeting, _made = _held_meeting(course, [(hanne, "Hanne ringer til lægen sammen med hende om søvnen.", local_today() + timedelta(days=10))])
    now = utcnow()
    made = rules.queue_after_meeting(meeting, None, now)
    mailer.deliver(now, only=[m.id for m in made])
    (received,) = server.to("hanne@example.dk")
    yield LINK_RE.search(received.part("plain")).group(0)
    server.stop()


def test_the_reply_page_takes_an_answer_keeps_a_wrong_one_on_screen_and_passes_axe(browser, emailed_link, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="da-DK", bypass_csp=True)
    page = context.new_page()
    assert emailed_link.startswith(live_server + "/reply/")
    page.goto(emailed_link)
    expect(page.get_by_role("heading", name="Svar om en aftale")).to_be_visible()
    expect(page.get_by_text("Hanne ringer til lægen sammen med hende om søvnen.")).to_be_visible()
    assert "Maja" not in page.content()

    page.get_by_label("Jeg har brug for mere tid").check()
    page.get_by_label("Kommentar (kan udelades)").fill("Lægen har først tid om to uger.")
    page.get_by_role("button", name="Send mit svar").click()
    expect(page.get_by_text(re.compile("Skriv, til hvornår du har brug for tid"))).to_be_visible()
    expect(page.get_by_label("Kommentar (kan udelades)")).to_have_value("Lægen har først tid om to uger.")
    expect(page.get_by_label("Jeg har brug for mere tid")).to_be_checked()

    until = local_today() + timedelta(days=20)
    page.get_by_label("Til hvornår (hvis du har brug for mere tid)").fill(until.isoformat())
    page.get_by_role("button", name="Send mit svar").click()
    expect(page.get_by_text("Tak, Hanne Holm. Dit svar er givet videre til netværksteamet.")).to_be_visible()

    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
    assert [v["id"] for v in result["violations"]] == []
    context.close()

    db.session.expire_all()
    (reply,) = db.session.scalars(db.select(Reply)).all()
    assert (reply.until, reply.comment) == (until, "Lægen har først tid om to uger.")
    assert db.session.scalar(db.select(FollowUp.text).where(FollowUp.id == reply.follow_up_id)).startswith("Svar fra Hanne Holm via link")


@pytest.mark.parametrize("size", [(1024, 768), (390, 844)])
def test_the_tovholders_message_pages_pass_axe(browser, emailed_link, live_server, demo, size):
    from meetings.outreach.models import MessageAgreement, OutgoingMessage
    from tests.conftest import browser_log_in

    meeting_id, member_id = db.session.execute(db.select(OutgoingMessage.meeting_id, OutgoingMessage.member_id)).first()
    agreement_id = db.session.scalar(db.select(MessageAgreement.agreement_id))
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="da-DK", bypass_csp=True)
    page = context.new_page()
    browser_log_in(page, live_server, "tove")
    found = {}
    pages = (f"/meetings/{meeting_id}/messages", "/to-send", f"/members/{member_id}/messages", "/my-email", "/", f"/agreements/{agreement_id}/follow-up")
    for url in pages:
        page.goto(live_server + url)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
        found[url] = [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in result["violations"]]
    context.close()
    assert {url: v for url, v in found.items() if v} == {}
