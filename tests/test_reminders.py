"""After the meeting the people who promised something hear about it: messages, reminders, replies.

Every message goes through Flask-Mailman and smtplib to a real SMTP server on loopback
(aiosmtpd, tests/mailserver.py); the tests read what it received and follow the links in it.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from markupsafe import escape

from exports.messages import mailer
from extensions import db
from kernel.clock import local_today, utcnow
from meetings.consent.rules import give_consent, withdraw_consents
from meetings.course.calendar import plan_meeting
from meetings.course.network import citizen_member
from meetings.models import Agreement, AgreementStatus, ConsentScope, Course, FollowUp, Language, Meeting, NetworkMember
from meetings.outreach import contacts
from meetings.outreach.models import Channel, MessageKind, MessageStatus, OutgoingMessage, Reply, ReplyLink
from meetings.screen.agreements import close_meeting, record_agreement
from roles.models import AuditEntry, User
from tests.conftest import count_queries, csrf_token
from tests.mailserver import MailServer, use_mail_server
from tests.test_security import ANY_TEXT

LINK_RE = re.compile(r"https?://\S+/reply/[A-Za-z0-9_\-]+")


@pytest.fixture
def smtp(app):
    server = MailServer().start()
    use_mail_server(app, server.port)
    yield server
    server.stop()


def _member(course_id: int, name: str) -> NetworkMember:
    return db.session.scalars(db.select(NetworkMember).where(NetworkMember.course_id == course_id, NetworkMember.name == name)).one()


def _user(username: str) -> User:
    return db.session.scalars(db.select(User).where(User.username == username)).one()


def _held_meeting(course: Course, work: list[tuple[NetworkMember, str, date | None]], *, days_ago: int = 0) -> tuple[Meeting, list[Agreement]]:
    """A meeting held `days_ago` (closed), with these agreements."""
    now = utcnow()
    meeting = plan_meeting(course, now - timedelta(days=days_ago, hours=2), location="Vestergade 4")
    made = [record_agreement(meeting, text, member.id, due) for member, text, due in work]
    close_meeting(meeting, now - timedelta(days=days_ago, hours=1))
    db.session.commit()
    return meeting, made


@pytest.fixture
def setting(demo):
    """Maja's network: Hanne by email (consent given), Ali by letter (consent from the demo), Lene without consent,
    Maja herself by email; a meeting held today with one agreement for each."""
    course = db.session.get(Course, demo.course_id)
    # The demo's earlier agreements are finished, so only this meeting's are reminded of.
    db.session.execute(db.update(Agreement).where(Agreement.course_id == course.id).values(status=AgreementStatus.DONE))
    hanne, ali, lene = (_member(course.id, n) for n in ("Hanne Holm", "Ali Hassan", "Lene Berg"))
    maja = citizen_member(course.id)
    give_consent(hanne, ConsentScope.AGREEMENTS, "", None)
    now = utcnow()
    contacts.set_preference(hanne, Channel.EMAIL, "hanne@example.dk", now)
    contacts.set_preference(maja, Channel.EMAIL, "maja@example.dk", now)
    contacts.set_preference(lene, Channel.EMAIL, "lene@jobcenter.example", now)
    today = local_today()
    meeting, made = _held_meeting(
        course,
        [
            (hanne, "Hanne ringer til lægen sammen med hende om søvnen.", today + timedelta(days=10)),
            (ali, "Ali hjælper med at sortere brevene.", today + timedelta(days=14)),
            (lene, "Lene undersøger praktikpladsen på rideskolen.", today + timedelta(days=21)),
            (maja, "Maja skriver ned, hvornår hun sover.", today + timedelta(days=7)),
        ],
    )
    return {"upcoming": demo.upcoming_meeting_id, "course": course, "meeting": meeting, "hanne": hanne, "ali": ali, "lene": lene, "maja": maja, "agreements": made, "today": today}


def _give_summary(tove, meeting_id: int) -> None:
    response = tove.post(f"/meetings/{meeting_id}/summary/given", data={"reviewed": "y", "csrf_token": csrf_token(tove)})
    assert response.status_code == 302


def _send_after_meeting(tove, meeting_id: int):
    return tove.post(f"/meetings/{meeting_id}/messages", data={"csrf_token": csrf_token(tove)})


def _subject(received) -> str:
    """The decoded subject (a long encoded one is folded onto its own line; that whitespace is not part of it)."""
    return str(received.message["Subject"]).strip()


def _link_path(received) -> str:
    found = LINK_RE.findall(received.part("plain"))
    assert found, "no reply link in the message"
    return urlsplit(found[0]).path


def _messages(**where) -> list[OutgoingMessage]:
    query = db.select(OutgoingMessage).order_by(OutgoingMessage.id)
    for key, value in where.items():
        query = query.where(getattr(OutgoingMessage, key) == value)
    return list(db.session.scalars(query.execution_options(populate_existing=True)))


# --- at the close -------------------------------------------------------------------------------


def test_the_tovholder_sees_who_gets_what_before_anything_is_sent(setting, smtp, client_as):
    tove = client_as("tove")
    page = tove.get(f"/meetings/{setting['meeting'].id}/messages").get_data(as_text=True)
    assert "hanne@example.dk" in page and "Ali hjælper med at sortere brevene." in page
    assert "printet brev" in page  # Ali: no address, so a letter
    assert "Intet samtykke til at dele aftaler" in page  # Lene: an address, but no consent
    assert "Venter, til referatet er læst igennem" in page  # Maja: the summary is not given yet
    assert smtp.received == [] and _messages() == []


def test_at_the_close_each_person_gets_their_own_agreements_by_email_or_as_a_letter(setting, smtp, client_as):
    tove = client_as("tove")
    meeting = setting["meeting"]
    _give_summary(tove, meeting.id)
    assert _send_after_meeting(tove, meeting.id).status_code == 302

    smtp.wait_for(2)
    assert sorted(r.to[0] for r in smtp.received) == ["hanne@example.dk", "maja@example.dk"]
    (to_hanne,) = smtp.to("hanne@example.dk")
    message = to_hanne.message
    assert "Maja" not in _subject(to_hanne) and "Holm" not in _subject(to_hanne)
    assert _subject(to_hanne).startswith("Dine aftaler fra netværksmødet den ")
    text, html = to_hanne.part("plain"), to_hanne.part("html")
    for part in (text, html):
        assert "Hanne ringer til lægen sammen med hende om søvnen." in part
        assert "Ali hjælper" not in part and "Lene undersøger" not in part  # only her own
    stored = _messages(member_id=setting["hanne"].id)[0]
    assert message["Message-ID"] == stored.message_id_header and stored.status == MessageStatus.SENT
    assert stored.to_address == "hanne@example.dk" and stored.attempts == 1

    (to_maja,) = smtp.to("maja@example.dk")
    assert "Noter fra vores møde" in to_maja.part("plain") and "Maja skriver ned, hvornår hun sover." in to_maja.part("plain")
    assert "Maja" not in _subject(to_maja) and _subject(to_maja).startswith("Noter fra vores møde den ")
    assert "Det blev vi enige om" in to_maja.part("html")  # the summary comes with it

    # Ali has no address: a letter waits in the tovholder's list; Lene has no consent: nothing at all.
    (letter,) = _messages(member_id=setting["ali"].id)
    assert letter.status == MessageStatus.LETTER and letter.channel == Channel.LETTER
    assert _messages(member_id=setting["lene"].id) == []
    assert not smtp.to("lene@jobcenter.example")

    entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "message.sent")).all()
    assert len(entries) == 2 and {e.course_id for e in entries} == {setting["course"].id}
    assert all(e.user_id == _user("tove").id and e.citizen_id == setting["course"].citizen_id for e in entries)

    # Pressing "send" again, or a round of the timer, sends nothing twice.
    _send_after_meeting(tove, meeting.id)
    mailer.send_round(utcnow())
    assert len(smtp.received) == 2


def test_a_letter_is_printed_from_the_list_in_the_persons_language_with_their_own_link(setting, smtp, client_as, client):
    tove = client_as("tove")
    setting["ali"].language = Language.EN
    db.session.commit()
    _send_after_meeting(tove, setting["meeting"].id)
    (letter,) = _messages(member_id=setting["ali"].id)
    listing = tove.get("/to-send").get_data(as_text=True)
    assert "Ali Hassan" in listing and "Udskriv brevet" in listing

    page = tove.post(f"/courses/{setting['course'].id}/messages/letter", data={"message_id": letter.id, "csrf_token": csrf_token(tove)})
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Dear Ali Hassan," in body and "Ali hjælper med at sortere brevene." in body
    assert "Hanne ringer" not in body
    path = urlsplit(LINK_RE.search(body).group(0)).path
    assert client.get(path).status_code == 200
    assert _messages(member_id=setting["ali"].id)[0].status == MessageStatus.PRINTED
    assert db.session.scalar(db.select(AuditEntry.id).where(AuditEntry.action == "message.printed")) is not None


# --- replies ---------------------------------------------------------------------------------------


def test_the_reply_link_shows_only_the_persons_own_agreement_and_lands_in_the_follow_up_log(setting, smtp, client_as, client):
    tove = client_as("tove")
    _send_after_meeting(tove, setting["meeting"].id)
    path = _link_path(smtp.to("hanne@example.dk")[0])

    page = client.get(path)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Hanne ringer til lægen sammen med hende om søvnen." in body
    assert "Maja" not in body  # neither the citizen's name nor her full name
    assert "Ali hjælper" not in body and "Vestergade" not in body

    until = setting["today"] + timedelta(days=20)
    answer = client.post(path, data={"answer": "more_time", "until": until.isoformat(), "comment": "Lægen har først tid om to uger.", "csrf_token": csrf_token(client)})
    assert answer.status_code == 200 and "Tak, Hanne Holm" in answer.get_data(as_text=True)

    agreement = setting["agreements"][0]
    (reply,) = db.session.scalars(db.select(Reply)).all()
    assert (reply.agreement_id, reply.until, reply.comment) == (agreement.id, until, "Lægen har først tid om to uger.")
    log = db.session.scalars(db.select(FollowUp).where(FollowUp.agreement_id == agreement.id)).all()
    assert len(log) == 1 and "Svar fra Hanne Holm via link" in log[0].text and "Lægen har først tid om to uger." in log[0].text
    actions = db.session.scalars(db.select(AuditEntry.action).where(AuditEntry.purpose == "reply")).all()
    assert actions == ["reply.viewed", "reply.answered"]

    # On the dashboard, and offered at the next meeting's review beside the agreement.
    assert "Lægen har først tid om to uger." in tove.get("/").get_data(as_text=True)
    coming = setting["upcoming"]
    tove.post(f"/meetings/{coming}/phase", data={"phase": "since_last", "csrf_token": csrf_token(tove)})
    review = tove.get(f"/meetings/{coming}").get_data(as_text=True)
    assert "Hanne Holm svarede via link" in review
    assert re.search(rf'<textarea id="comment-{agreement.id}"[^>]*>Lægen har først tid om to uger.</textarea>', review)


def test_a_wrong_answer_keeps_what_was_typed_and_says_why_in_the_persons_language(setting, smtp, client_as, client):
    setting["hanne"].language = Language.EN
    db.session.commit()
    _send_after_meeting(client_as("tove"), setting["meeting"].id)
    (received,) = smtp.to("hanne@example.dk")
    assert _subject(received).startswith("Your agreements from the network meeting on")
    path = _link_path(received)
    response = client.post(path, data={"answer": "more_time", "until": "", "comment": "Jeg skal lige tale med lægen først.", "csrf_token": csrf_token(client)})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Write until when you need time" in body and "Jeg skal lige tale med lægen først.</textarea>" in body
    assert db.session.scalar(db.select(Reply.id)) is None
    assert client.post(path, data={"answer": "comment", "comment": "", "csrf_token": csrf_token(client)}).status_code == 400


@pytest.mark.parametrize("spoil", ["tampered", "expired", "revoked", "consent_withdrawn", "used_up", "reviewed_done"])
def test_a_link_that_may_no_longer_be_used_refuses_and_says_so(setting, smtp, client_as, client, spoil):
    tove = client_as("tove")
    _send_after_meeting(tove, setting["meeting"].id)
    path = _link_path(smtp.to("hanne@example.dk")[0])
    link = db.session.scalars(db.select(ReplyLink).where(ReplyLink.member_id == setting["hanne"].id)).one()
    expected = 410
    if spoil == "tampered":
        path = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
        expected = 404
    elif spoil == "expired":
        link.expires_at = utcnow() - timedelta(minutes=1)
    elif spoil == "revoked":
        page = tove.get(f"/agreements/{link.agreement_id}/follow-up").get_data(as_text=True)
        assert "Træk linket tilbage" in page
        assert tove.post(f"/agreements/{link.agreement_id}/reply-links/revoke", data={"link_id": link.id, "csrf_token": csrf_token(tove)}).status_code == 302
    elif spoil == "consent_withdrawn":
        withdraw_consents(setting["hanne"], ConsentScope.AGREEMENTS)
    elif spoil == "used_up":
        link.uses = link.max_uses
    elif spoil == "reviewed_done":
        setting["agreements"][0].status = AgreementStatus.DONE
    db.session.commit()
    for response in (client.get(path), client.post(path, data={"answer": "done", "csrf_token": csrf_token(client)})):
        assert response.status_code == expected
        assert "Hanne ringer" not in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Reply.id)) is None and db.session.scalar(db.select(FollowUp.id).where(FollowUp.agreement_id == link.agreement_id)) is None
    refused = "reply.unknown_link" if spoil == "tampered" else "reply.refused"
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action == refused)) == 2


def test_the_reply_page_is_throttled(setting, smtp, client_as, app):
    from app import create_app

    _send_after_meeting(client_as("tove"), setting["meeting"].id)
    path = _link_path(smtp.to("hanne@example.dk")[0])
    limited = create_app({**app.config, "RATELIMIT_ENABLED": True, "REPLY_RATE_LIMIT": "3 per minute"})
    client = limited.test_client()
    assert [client.get(path).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client.get("/reply/not-a-real-token").status_code == 429
    with limited.app_context():
        db.engine.dispose()


# --- reminders ---------------------------------------------------------------------------------------


def _at(day: date, hour: int = 8) -> datetime:
    """Naive UTC for a local morning."""
    return datetime(day.year, day.month, day.day, hour - 1)


def test_reminders_come_before_the_date_and_when_overdue_once_then_weekly_and_never_twice(setting, smtp, client_as):
    tove = client_as("tove")
    _send_after_meeting(tove, setting["meeting"].id)  # Hanne's agreement: due in 10 days
    due = setting["agreements"][0].due_on
    base = len(smtp.to("hanne@example.dk"))
    sent_on: dict[date, int] = {}
    for offset in (-9, -4, -3, -3, -2, 0, 1, 1, 2, 7, 8, 8, 9, 15):
        day = due + timedelta(days=offset)
        before = len(smtp.to("hanne@example.dk"))
        mailer.send_round(_at(day))
        mailer.send_round(_at(day, 14))  # and again the same day
        sent_on[offset] = sent_on.get(offset, 0) + len(smtp.to("hanne@example.dk")) - before
    assert {k: v for k, v in sent_on.items() if v} == {-3: 1, 1: 1, 8: 1, 15: 1}
    reminders = smtp.to("hanne@example.dk")[base:]
    assert _subject(reminders[0]).startswith("Påmindelse: en aftale med frist")
    assert all("Maja" not in _subject(r) for r in reminders)
    assert [m.kind for m in _messages(member_id=setting["hanne"].id)] == [
        MessageKind.AGREEMENTS, MessageKind.BEFORE_DUE, MessageKind.OVERDUE, MessageKind.OVERDUE, MessageKind.OVERDUE,
    ]
    # Ali gets letters, not reminders; Lene has no consent: neither gets anything by email.
    assert not smtp.to("lene@jobcenter.example") and _messages(member_id=setting["ali"].id)[0].kind == MessageKind.AGREEMENTS


def test_an_answer_by_link_moves_or_stops_the_reminders(setting, smtp, client_as, client):
    _send_after_meeting(client_as("tove"), setting["meeting"].id)
    path = _link_path(smtp.to("hanne@example.dk")[0])
    due = setting["agreements"][0].due_on
    later = due + timedelta(days=10)
    client.post(path, data={"answer": "more_time", "until": later.isoformat(), "csrf_token": csrf_token(client)})
    mailer.send_round(_at(due + timedelta(days=1)))  # the old date has passed: no "overdue" now
    assert len(smtp.to("hanne@example.dk")) == 1
    mailer.send_round(_at(later - timedelta(days=2)))
    (reminder,) = smtp.to("hanne@example.dk")[1:]
    assert "Du bad om mere tid" in reminder.part("plain")
    client.post(_link_path(reminder), data={"answer": "done", "csrf_token": csrf_token(client)})
    mailer.send_round(_at(later + timedelta(days=1)))
    assert len(smtp.to("hanne@example.dk")) == 2


def test_the_tovholder_gets_a_weekly_overview_of_overdue_agreements(setting, smtp, client_as):
    tove = client_as("tove")
    response = tove.post("/my-email", data={"email": "tove@kommune.example", "csrf_token": csrf_token(tove)})
    assert response.status_code == 302
    monday = setting["today"] + timedelta(days=35 - setting["today"].weekday())  # everything is overdue by then
    mailer.send_round(_at(monday))
    mailer.send_round(_at(monday + timedelta(days=4)))  # the same week: no second overview
    (overview,) = smtp.to("tove@kommune.example")
    text = overview.part("plain")
    assert _subject(overview).startswith("Rundbord: aftaler over fristen, uge") and "Maja" not in _subject(overview)
    assert "Hanne Holm" in text and "Lene Berg" in text and "Maja" in text
    assert "Hanne ringer til lægen" not in text  # who and when, not what: that is behind the login
    mailer.send_round(_at(monday + timedelta(days=7)))
    assert len(smtp.to("tove@kommune.example")) == 2


# --- the mail server down, an address that bounces --------------------------------------------------------


def test_a_mail_server_that_is_down_loses_nothing_and_the_next_round_sends_once(setting, smtp, client_as, app):
    tove = client_as("tove")
    _give_summary(tove, setting["meeting"].id)
    smtp.stop()
    assert _send_after_meeting(tove, setting["meeting"].id).status_code == 302
    failed = _messages(channel=Channel.EMAIL)
    assert [m.status for m in failed] == [MessageStatus.FAILED, MessageStatus.FAILED]
    assert all(m.last_error and "mailserveren kunne ikke nås" in m.last_error for m in failed)
    # Its links were never delivered, so they do not work.
    assert all(link.revoked_at is not None for link in db.session.scalars(db.select(ReplyLink)))
    listing = tove.get("/to-send").get_data(as_text=True)
    assert "Ikke sendt endnu" in listing and "mailserveren kunne ikke nås" in listing
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "message.failed")) == 2

    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 1, result.output  # a failing timer gets noticed; nothing is lost
    smtp.start()
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 0 and "Sent: 2." in result.output, result.output
    assert sorted(r.to[0] for r in smtp.received) == ["hanne@example.dk", "maja@example.dk"]
    app.test_cli_runner().invoke(args=["send-reminders"])
    assert len(smtp.received) == 2
    assert {m.status for m in _messages(channel=Channel.EMAIL)} == {MessageStatus.SENT}
    path = _link_path(smtp.to("hanne@example.dk")[0])
    assert app.test_client().get(path).status_code == 200


def test_an_address_that_bounces_is_shown_and_not_tried_again_until_corrected(setting, smtp, client_as):
    tove = client_as("tove")
    smtp.handler.refuse.add("hanne@example.dk")
    _send_after_meeting(tove, setting["meeting"].id)
    (bounced,) = _messages(member_id=setting["hanne"].id)
    assert bounced.status == MessageStatus.BOUNCED and bounced.last_error.startswith("550")
    listing = tove.get("/to-send").get_data(as_text=True)
    assert "Afvist af mailserveren" in listing and "Recipient address rejected" in listing
    mailer.send_round(utcnow())
    assert smtp.received == [] and _messages(member_id=setting["hanne"].id)[0].status == MessageStatus.BOUNCED

    member_page = f"/members/{setting['hanne'].id}/messages"
    assert tove.post(member_page, data={"channel": "email", "email": "hanne.holm@example.dk", "csrf_token": csrf_token(tove)}).status_code == 302
    tove.post(f"/courses/{setting['course'].id}/messages/retry", data={"message_id": bounced.id, "csrf_token": csrf_token(tove)})
    (received,) = smtp.received
    assert received.to == ["hanne.holm@example.dk"] and received.message["Message-ID"] == bounced.message_id_header
    assert db.session.scalar(db.select(AuditEntry.id).where(AuditEntry.action == "message.bounced")) is not None


def test_nothing_goes_to_someone_whose_consent_was_withdrawn_before_it_left(setting, smtp, client_as):
    smtp.stop()
    tove = client_as("tove")
    _send_after_meeting(tove, setting["meeting"].id)  # waits: the server is down
    withdraw_consents(setting["hanne"], ConsentScope.AGREEMENTS)
    db.session.commit()
    smtp.start()
    mailer.send_round(utcnow())
    assert smtp.to("hanne@example.dk") == []
    (message,) = _messages(member_id=setting["hanne"].id)
    assert message.status == MessageStatus.CANCELLED and "samtykke" in message.last_error.casefold()


def test_how_a_person_gets_messages_is_checked_and_kept_when_wrong(setting, client_as):
    tove = client_as("tove")
    url = f"/members/{setting['ali'].id}/messages"
    response = tove.post(url, data={"channel": "email", "email": "ali at bostøtten", "csrf_token": csrf_token(tove)})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Skriv en e-mailadresse som navn@eksempel.dk." in body and 'value="ali at bostøtten"' in body
    response = tove.post(url, data={"channel": "email", "email": "", "csrf_token": csrf_token(tove)})
    assert response.status_code == 400
    assert tove.post(url, data={"channel": "email", "email": "ali@bostotten.example", "csrf_token": csrf_token(tove)}).status_code == 302
    assert contacts.preference_of(setting["ali"]).email == "ali@bostotten.example"


def test_the_citizens_data_export_holds_the_messages_and_the_answers(setting, smtp, client_as, client):
    tove = client_as("tove")
    _send_after_meeting(tove, setting["meeting"].id)
    client.post(_link_path(smtp.to("hanne@example.dk")[0]), data={"answer": "done", "comment": "Vi har været der.", "csrf_token": csrf_token(client)})
    archive = zipfile.ZipFile(io.BytesIO(tove.get(f"/courses/{setting['course'].id}/citizen-data.zip").data))
    data = json.loads(archive.read("rundbord-citizen-data.json"))
    kinds = {(m["member_id"], m["status"]) for m in data["messages"]}
    assert (setting["hanne"].id, "sent") in kinds and (setting["ali"].id, "letter") in kinds
    assert [(r["member_id"], r["answer"], r["comment"]) for r in data["replies"]] == [(setting["hanne"].id, "done", "Vi har været der.")]
    assert {"message.sent", "reply.answered"} <= {e["action"] for e in data["access_log"]}
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(archive.read("rundbord-citizen-data.docx"))).paragraphs)
    assert "Beskeder om aftalerne" in text and "Vi har været der." in text


def test_the_export_reads_the_messages_in_the_same_number_of_queries_however_many_there_are(setting, smtp, client_as, client):
    tove = client_as("tove")
    url = f"/courses/{setting['course'].id}/citizen-data.zip"

    def queries() -> int:
        with count_queries() as sent:
            assert tove.get(url).status_code == 200
        return len(sent)

    before = queries()
    tove.post("/my-email", data={"email": "tove@kommune.example", "csrf_token": csrf_token(tove)})
    _give_summary(tove, setting["meeting"].id)
    _send_after_meeting(tove, setting["meeting"].id)
    client.post(_link_path(smtp.to("hanne@example.dk")[0]), data={"answer": "done", "csrf_token": csrf_token(client)})
    mailer.send_round(_at(setting["today"] + timedelta(days=40)))  # reminders and a weekly overview
    assert len(_messages()) >= 5 and smtp.to("tove@kommune.example")
    assert queries() == before


def test_erasing_the_course_takes_its_messages_links_answers_and_addresses_with_it(setting, smtp, client_as, client):
    from meetings.course import erasure
    from meetings.outreach.models import ContactPreference

    tove = client_as("tove")
    _send_after_meeting(tove, setting["meeting"].id)
    path = _link_path(smtp.to("hanne@example.dk")[0])
    client.post(path, data={"answer": "done", "csrf_token": csrf_token(client)})
    erasure.erase_course(setting["course"].id, user_id=None)
    for model in (OutgoingMessage, ReplyLink, Reply, ContactPreference):
        assert db.session.scalar(db.select(db.func.count()).select_from(model)) == 0, model.__name__
    assert client.get(path).status_code == 404


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=ANY_TEXT)
def test_any_text_as_an_answer_is_kept_exactly_or_refused_with_the_text_still_there(setting, client, text):
    link = db.session.scalars(db.select(ReplyLink).where(ReplyLink.member_id == setting["hanne"].id)).first()
    if link is None:
        from meetings.outreach import links

        token = links.create_link(setting["agreements"][0], setting["hanne"], None, utcnow())
        db.session.commit()
        link = db.session.scalars(db.select(ReplyLink)).one()
        setting["token"] = token
    link.max_uses, link.uses = 10_000, 0
    db.session.commit()
    before = db.session.scalar(db.select(db.func.count(Reply.id)))
    response = client.post(f"/reply/{setting['token']}", data={"answer": "comment", "comment": text, "csrf_token": csrf_token(client)})
    assert response.status_code < 500
    body = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    if response.status_code == 200:
        assert db.session.scalar(db.select(Reply.comment).order_by(Reply.id.desc()).limit(1)) == text.strip()
    else:
        assert db.session.scalar(db.select(db.func.count(Reply.id))) == before
        if "\x00" not in text and text.strip():
            assert response.status_code == 400 and str(escape(text.strip()[:50])) in body
