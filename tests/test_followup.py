"""Between meetings: the tovholder's dashboard, the follow-up log, consent, goals and ending a course."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

import demo as demo_data
from extensions import db
from kernel import clock
from kernel.clock import utcnow
from kernel.refusal import Refusal
from meetings.consent import rules as consent_rules
from meetings.course import calendar
from meetings.course import goals as goal_rules
from meetings.course import network as network_rules
from meetings.followup import convening, ending
from meetings.followup import dashboard as followup_dashboard
from meetings.followup import log as followup_log
from meetings.models import (
    Agreement,
    AgreementReview,
    AgreementStatus,
    Consent,
    ConsentScope,
    Course,
    FollowUp,
    Goal,
    GoalKind,
    Meeting,
    MemberKind,
    NetworkMember,
    ReviewOutcome,
)
from roles import services as role_services
from roles.models import Role, User
from tests.conftest import count_queries, csrf_token, english, member_named, user_named, visible


def _held_meeting(course: Course, days_ago: int) -> Meeting:
    meeting = calendar.plan_meeting(course, utcnow() - timedelta(days=days_ago))
    meeting.opened_at = meeting.planned_at
    meeting.closed_at = meeting.planned_at + timedelta(minutes=80)
    db.session.flush()
    return meeting


def _agreement(meeting: Meeting, text: str, responsible: NetworkMember | None, due_on: date | None) -> Agreement:
    agreement = Agreement(course_id=meeting.course_id, origin_meeting_id=meeting.id, text=text, responsible_id=responsible.id if responsible else None, due_on=due_on)
    db.session.add(agreement)
    db.session.flush()
    return agreement


def _course_for(user: User, name: str, *, agreements: int = 3) -> Course:
    """A course where `user` is tovholder, with held meetings, agreements, reviews and follow-ups."""
    course = network_rules.create_course(name)
    network_rules.join_team(user, course, Role.TOVHOLDER)
    friend = network_rules.add_member(course, kind=MemberKind.PRIVATE, name=f"{name}s ven", relation="ven")
    worker = network_rules.add_member(course, kind=MemberKind.PROFESSIONAL, name=f"{name}s sagsbehandler", organisation="Kommunen")
    first = _held_meeting(course, 70)
    second = _held_meeting(course, 20)
    calendar.plan_meeting(course, utcnow() + timedelta(days=5))
    for i in range(agreements):
        who = (friend, worker, network_rules.citizen_member(course.id))[i % 3]
        a = _agreement(first, f"{name} aftale {i}", who, clock.local_today() - timedelta(days=i))
        db.session.add(AgreementReview(agreement_id=a.id, meeting_id=second.id, outcome=ReviewOutcome.PARTLY))
        db.session.add(FollowUp(agreement_id=a.id, text="Ringede", contacted_on=clock.local_today()))
    db.session.flush()
    return course


# --- the dashboard ----------------------------------------------------------------------


def test_the_dashboard_groups_open_agreements_by_who_is_responsible_with_the_overdue_first(demo):
    tove = user_named("tove")
    board = followup_dashboard.dashboard_for(tove)
    # The demo: Maja's own agreement (from meeting 1), Hanne's and Lene's (from meeting 2); all three overdue.
    names = [g.responsible.name for g in board.groups]
    assert sorted(names) == ["Hanne Holm", "Lene Berg", "Maja"]
    assert board.overdue_count == 3
    # A new agreement that is not due yet goes after every overdue one, in its person's group.
    course = db.session.get(Course, demo.course_id)
    meeting = db.session.get(Meeting, demo.meeting_ids[1])
    ali = member_named(course.id, "Ali Hassan")
    _agreement(meeting, "Ali finder en ny tid til Maja.", ali, clock.local_today() + timedelta(days=10))
    board = followup_dashboard.dashboard_for(tove)
    assert [g.responsible.name for g in board.groups][-1] == "Ali Hassan"
    assert board.groups[-1].overdue_count == 0
    assert all(g.overdue_count for g in board.groups[:-1])


def test_within_a_group_the_overdue_come_first(demo):
    course = db.session.get(Course, demo.course_id)
    meeting = db.session.get(Meeting, demo.meeting_ids[1])
    hanne = member_named(course.id, "Hanne Holm")
    _agreement(meeting, "Hanne tager med til lægen.", hanne, clock.local_today() + timedelta(days=2))
    _agreement(meeting, "Hanne spørger til ventetiden.", hanne, None)
    group = next(g for g in followup_dashboard.dashboard_for(user_named("tove")).groups if g.responsible == hanne)
    assert [e.overdue for e in group.entries] == [True, False, False]
    assert group.entries[-1].agreement.due_on is None


def test_the_same_colleague_is_one_group_across_courses(demo):
    rikke = user_named("rikke")
    maja_course = db.session.get(Course, demo.course_id)
    network_rules.join_team(rikke, maja_course, Role.TOVHOLDER)
    karim_course = db.session.get(Course, demo.other_course_id)
    rikke_in = {c.id: db.session.scalars(db.select(NetworkMember).where(NetworkMember.course_id == c.id, NetworkMember.user_id == rikke.id)).one() for c in (maja_course, karim_course)}
    for course in (maja_course, karim_course):
        meeting = _held_meeting(course, 3)
        _agreement(meeting, f"Rikke ringer ({course.id})", rikke_in[course.id], None)
    groups = [g for g in followup_dashboard.dashboard_for(rikke).groups if g.responsible and g.responsible.user_id == rikke.id]
    assert len(groups) == 1 and len(groups[0].entries) == 2


def test_the_dashboard_page_marks_overdue_agreements_clearly(demo, en_as):
    page = en_as("tove").get("/").get_data(as_text=True)
    assert "Open agreements, by who is responsible" in page
    assert page.count('class="tag overdue-tag"') == 3
    assert "Overdue: 3" in page
    assert "Lene undersøger praktikpladsen på rideskolen og ringer til Maja." in page


def test_agreements_of_a_meeting_still_going_on_are_not_followed_up_yet(demo):
    course = db.session.get(Course, demo.course_id)
    running = calendar.plan_meeting(course, utcnow())
    running.opened_at = utcnow()
    _agreement(running, "Udkast uden ansvarlig", None, None)
    board = followup_dashboard.dashboard_for(user_named("tove"))
    assert all(e.agreement.text != "Udkast uden ansvarlig" for g in board.groups for e in g.entries)


def test_an_agreement_nobody_has_reviewed_for_six_weeks_is_listed(demo, en_as):
    course = db.session.get(Course, demo.course_id)
    old = _held_meeting(course, 7 * 7)
    forgotten = _agreement(old, "Sara undersøger et hold i rideklubben.", member_named(course.id, "Sara Nielsen"), None)
    reviewed = _agreement(old, "Jonas kører Maja til stalden.", member_named(course.id, "Jonas Holm"), None)
    recent = _held_meeting(course, 7)
    db.session.add(AgreementReview(agreement_id=reviewed.id, meeting_id=recent.id, outcome=ReviewOutcome.PARTLY))
    db.session.flush()
    board = followup_dashboard.dashboard_for(user_named("tove"))
    assert [e.agreement for e in board.long_open] == [forgotten]
    assert followup_dashboard.LONG_OPEN_WITHOUT_REVIEW == timedelta(weeks=6)
    db.session.commit()
    page = en_as("tove").get("/").get_data(as_text=True)
    long_section = page.split('id="long-open"')[1]
    assert "Sara undersøger et hold i rideklubben." in long_section
    assert "Jonas kører Maja til stalden." not in long_section


def test_meetings_held_without_a_summary_given_are_listed_until_it_is_given(demo):
    tove = user_named("tove")
    due = followup_dashboard.dashboard_for(tove).summaries_due
    assert [e.meeting.id for e in due] == demo.meeting_ids[:2]
    db.session.get(Meeting, demo.meeting_ids[0]).summary_given_at = utcnow()
    assert [e.meeting.id for e in followup_dashboard.dashboard_for(tove).summaries_due] == [demo.meeting_ids[1]]


def test_coming_meetings_include_every_course_of_the_user(demo):
    morten = followup_dashboard.dashboard_for(user_named("morten"))
    courses = {e.course.course.id for e in morten.upcoming}
    assert courses == {demo.course_id, demo.other_course_id}


def test_the_tovholders_courses_come_first(demo):
    # Rikke is reflectant for Maja and tovholder for Karim.
    board = followup_dashboard.dashboard_for(user_named("rikke"))
    assert [c.course.citizen.preferred_name for c in board.courses] == ["Karim", "Maja"]
    assert board.courses[0].is_tovholder and not board.courses[1].is_tovholder


def test_a_reflectant_gets_no_follow_up_sections_for_courses_they_do_not_coordinate(demo, en_as):
    morten = followup_dashboard.dashboard_for(user_named("morten"))
    assert not morten.follows_up and morten.groups == [] and morten.summaries_due == []
    page = en_as("morten").get("/").get_data(as_text=True)
    assert "Coming meetings" in page and "Open agreements, by who is responsible" not in page


def test_an_outsider_sees_no_course_on_the_dashboard(app, demo):
    from tests.conftest import login

    role_services.create_user("olga", "Olga", "olga-pass")
    db.session.commit()
    page = english(login(app.test_client(), "olga", "olga-pass")).get("/").get_data(as_text=True)
    assert "You have no role in any course yet." in page
    assert "Maja" not in page and "Karim" not in page


def test_dashboard_queries_stay_bounded_however_many_courses(app, demo, en_as):
    tove = en_as("tove")

    def queries_for_dashboard() -> int:
        with count_queries() as sent:
            response = tove.get("/")
        assert response.status_code == 200
        return len(sent)

    queries_for_dashboard()  # warm up
    with_one_course = queries_for_dashboard()
    user = user_named("tove")
    for i in range(8):
        _course_for(user, f"Borger{i}", agreements=6)
    db.session.commit()
    with_nine_courses = queries_for_dashboard()
    page = tove.get("/").get_data(as_text=True)
    assert "Borger7 aftale 5" in page and "Borger0" in page
    assert with_nine_courses == with_one_course, (with_one_course, with_nine_courses)
    assert with_one_course <= 12


# --- the follow-up log ------------------------------------------------------------------------


def test_a_follow_up_is_written_with_date_and_who(demo):
    agreement = db.session.scalars(db.select(Agreement).where(Agreement.text.like("Lene%"))).one()
    tove = user_named("tove")
    entry = followup_log.record_follow_up(agreement, "  Ringede til jobcentret; de svarer fredag.  ", clock.local_today(), tove)
    assert entry.text == "Ringede til jobcentret; de svarer fredag."
    assert entry.author_id == tove.id and entry.contacted_on == clock.local_today()
    assert followup_log.follow_ups_by_agreement([agreement.id])[agreement.id] == [entry]


def test_a_follow_up_needs_words_and_a_date_that_has_happened(demo):
    agreement = db.session.scalars(db.select(Agreement)).first()
    with pytest.raises(Refusal) as blank:
        followup_log.record_follow_up(agreement, "   ", clock.local_today(), None)
    assert blank.value.field == "text"
    with pytest.raises(Refusal) as future:
        followup_log.record_follow_up(agreement, "Ringer i morgen", clock.local_today() + timedelta(days=1), None)
    assert future.value.field == "contacted_on"


def test_the_follow_up_shows_on_the_agreement(demo, en_as):
    agreement = db.session.scalars(db.select(Agreement).where(Agreement.text.like("Lene%"))).one()
    tove = en_as("tove")
    response = tove.post(
        f"/agreements/{agreement.id}/follow-up",
        data={"contacted_on": clock.local_today().isoformat(), "text": "Called the job centre; they expect an answer Friday.", "csrf_token": csrf_token(tove)},
    )
    assert response.status_code == 302
    # Everyone in the team reads it before the next meeting's review, the reflectant too.
    page = en_as("rikke").get(f"/agreements/{agreement.id}/follow-up").get_data(as_text=True)
    assert "Called the job centre; they expect an answer Friday." in page and "Tove Lund" in page
    assert "Write it in the log" not in page  # only the tovholder writes in it
    dashboard = tove.get("/").get_data(as_text=True)
    assert "last contact" in dashboard


def test_a_follow_up_without_text_keeps_the_date_that_was_typed(demo, en_as):
    agreement = db.session.scalars(db.select(Agreement)).first()
    tove = en_as("tove")
    response = tove.post(f"/agreements/{agreement.id}/follow-up", data={"contacted_on": "2026-01-07", "text": "  ", "csrf_token": csrf_token(tove)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Write what the contact was about." in page
    assert 'value="2026-01-07"' in page
    assert db.session.scalar(db.select(db.func.count(FollowUp.id))) == 0


def test_a_follow_up_dated_in_the_future_is_refused_and_the_text_kept(demo, en_as):
    agreement = db.session.scalars(db.select(Agreement)).first()
    tove = en_as("tove")
    tomorrow = (clock.local_today() + timedelta(days=1)).isoformat()
    response = tove.post(f"/agreements/{agreement.id}/follow-up", data={"contacted_on": tomorrow, "text": "Jeg ringer <i>i morgen</i>", "csrf_token": csrf_token(tove)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "cannot be in the future" in page
    assert "Jeg ringer &lt;i&gt;i morgen&lt;/i&gt;" in page


def test_only_the_tovholder_writes_follow_ups(demo, client_as):
    agreement = db.session.scalars(db.select(Agreement)).first()
    morten = client_as("morten")
    response = morten.post(f"/agreements/{agreement.id}/follow-up", data={"contacted_on": "2026-01-07", "text": "x", "csrf_token": csrf_token(morten)})
    assert response.status_code == 403


# --- consent --------------------------------------------------------------------------------------


def test_may_receive_is_the_one_rule_for_sharing(demo):
    course_id = demo.course_id
    maja = network_rules.citizen_member(course_id)
    hanne, sara, ali = (member_named(course_id, n) for n in ("Hanne Holm", "Sara Nielsen", "Ali Hassan"))
    assert consent_rules.may_receive(maja, ConsentScope.SUMMARY)  # the citizen always gets their own papers
    assert consent_rules.may_receive(hanne, ConsentScope.SUMMARY)
    assert not consent_rules.may_receive(hanne, ConsentScope.NOTES)  # consent is per scope
    assert not consent_rules.may_receive(sara, ConsentScope.SUMMARY)  # no consent, nothing
    network_rules.remove_member(ali)
    assert not consent_rules.may_receive(ali, ConsentScope.SUMMARY)  # removed from the network


def test_a_member_without_consent_is_never_listed_as_a_recipient(demo):
    listed = {m.name for m, _c in consent_rules.recipients(demo.course_id, ConsentScope.SUMMARY)}
    assert listed == {"Maja", "Hanne Holm", "Ali Hassan", "Peter Kjær"}
    members = db.session.scalars(db.select(NetworkMember).where(NetworkMember.course_id == demo.course_id)).all()
    for member in members:
        assert (member.name in listed) == consent_rules.may_receive(member, ConsentScope.SUMMARY)


def test_giving_and_withdrawing_consent_keeps_the_history(demo):
    sara = member_named(demo.course_id, "Sara Nielsen")
    tove = user_named("tove")
    given = consent_rules.give_consent(sara, ConsentScope.AGREEMENTS, "kun ved indlæggelse", tove)
    assert given.recorded_by_id == tove.id
    # Only in a certain situation: it counts once a person has checked that the situation applies.
    assert not consent_rules.may_receive(sara, ConsentScope.AGREEMENTS)
    assert consent_rules.may_receive(sara, ConsentScope.AGREEMENTS, circumstances_confirmed=True)
    # Giving the same again changes nothing; other circumstances replace the consent.
    assert consent_rules.give_consent(sara, ConsentScope.AGREEMENTS, "kun ved indlæggelse", tove) is given
    newer = consent_rules.give_consent(sara, ConsentScope.AGREEMENTS, "altid", tove)
    assert given.withdrawn_at is not None and newer.withdrawn_at is None
    consent_rules.withdraw_consent(newer)
    assert not consent_rules.may_receive(sara, ConsentScope.AGREEMENTS)
    register = consent_rules.consent_register(demo.course_id)
    assert len(register.history[sara.id]) == 2 and (sara.id, ConsentScope.AGREEMENTS) not in register.active


def _consent(member: NetworkMember, scope: ConsentScope, circumstances: str) -> Consent:
    return consent_rules.give_consent(member, scope, circumstances, user_named("tove"))


def _both_ways(member: NetworkMember, scope: ConsentScope = ConsentScope.NOTES) -> tuple[bool, bool]:
    """Return (may receive without a check, may receive once a person confirmed the situation applies)."""
    return consent_rules.may_receive(member, scope), consent_rules.may_receive(member, scope, circumstances_confirmed=True)


def test_a_consent_without_circumstances_holds_always(demo):
    sara = member_named(demo.course_id, "Sara Nielsen")
    _consent(sara, ConsentScope.NOTES, "")
    assert _both_ways(sara) == (True, True)


def test_a_consent_only_in_a_certain_situation_does_not_count_unconfirmed(demo):
    sara = member_named(demo.course_id, "Sara Nielsen")
    _consent(sara, ConsentScope.NOTES, "ved indlæggelse")
    assert _both_ways(sara) == (False, True)
    assert not consent_rules.may_receive(sara, ConsentScope.SUMMARY)  # still per scope, even confirmed
    assert not consent_rules.may_receive(sara, ConsentScope.SUMMARY, circumstances_confirmed=True)


def test_a_withdrawn_consent_never_counts_even_confirmed(demo):
    sara, jonas = member_named(demo.course_id, "Sara Nielsen"), member_named(demo.course_id, "Jonas Holm")
    consent_rules.withdraw_consent(_consent(sara, ConsentScope.NOTES, "ved indlæggelse"))
    consent_rules.withdraw_consent(_consent(jonas, ConsentScope.NOTES, ""))
    assert _both_ways(sara) == (False, False)
    assert _both_ways(jonas) == (False, False)


def test_the_citizen_always_and_a_removed_member_never(demo):
    maja, ali = network_rules.citizen_member(demo.course_id), member_named(demo.course_id, "Ali Hassan")
    assert _both_ways(maja, ConsentScope.NOTES) == (True, True)  # no consent needed for their own papers
    _consent(ali, ConsentScope.NOTES, "")
    network_rules.remove_member(ali)
    for scope in ConsentScope:  # Ali's consents are still recorded, but he is out of the network
        assert _both_ways(ali, scope) == (False, False)
    confirmed = consent_rules.recipients(demo.course_id, ConsentScope.SUMMARY, circumstances_confirmed=True)
    assert ali not in [m for m, _c in confirmed]
    assert ali not in [m for m, _c in consent_rules.sharing(demo.course_id, ConsentScope.SUMMARY).conditional]


@pytest.mark.parametrize("words", ["altid", "Always", " ALTID. "])
def test_the_word_always_alone_is_no_circumstance(demo, words):
    # The form's old hint said "e.g. always": consents recorded with that word hold always.
    sara = member_named(demo.course_id, "Sara Nielsen")
    _consent(sara, ConsentScope.NOTES, words)
    assert _both_ways(sara) == (True, True)


@pytest.mark.parametrize("words", ["altid, undtagen noter om medicin", "not always"])
def test_more_than_the_word_always_is_a_circumstance(demo, words):
    sara = member_named(demo.course_id, "Sara Nielsen")
    _consent(sara, ConsentScope.NOTES, words)
    assert _both_ways(sara) == (False, True)


def test_recipients_say_exactly_what_may_receive_says_confirmed_or_not(demo):
    course_id = demo.course_id
    sara, jonas, lene = (member_named(course_id, n) for n in ("Sara Nielsen", "Jonas Holm", "Lene Berg"))
    _consent(sara, ConsentScope.SUMMARY, "ved indlæggelse")
    _consent(jonas, ConsentScope.SUMMARY, "")
    consent_rules.withdraw_consent(_consent(lene, ConsentScope.SUMMARY, "når Maja beder om det"))
    members = db.session.scalars(db.select(NetworkMember).where(NetworkMember.course_id == course_id)).all()
    for confirmed in (False, True):
        listed = [m for m, _c in consent_rules.recipients(course_id, ConsentScope.SUMMARY, circumstances_confirmed=confirmed)]
        assert len(listed) == len(set(listed))
        for member in members:
            assert (member in listed) == consent_rules.may_receive(member, ConsentScope.SUMMARY, circumstances_confirmed=confirmed), (
                member.name,
                confirmed,
            )
    split = consent_rules.sharing(course_id, ConsentScope.SUMMARY)
    assert [m.name for m in split.others] == ["Hanne Holm", "Jonas Holm", "Ali Hassan", "Peter Kjær"]
    assert [(m.name, c.circumstances) for m, c in split.conditional] == [("Sara Nielsen", "ved indlæggelse"), ("Dr. Inger Mose", "ved indlæggelse")]


def test_an_unconditional_consent_wins_over_a_conditional_one_for_the_same_person(demo):
    # Normally giving again replaces; rows written another way (an import, an old version) may overlap.
    sara = member_named(demo.course_id, "Sara Nielsen")
    db.session.add_all([
        Consent(course_id=demo.course_id, member_id=sara.id, scope=ConsentScope.SUMMARY, circumstances="ved indlæggelse"),
        Consent(course_id=demo.course_id, member_id=sara.id, scope=ConsentScope.SUMMARY, circumstances=""),
    ])
    db.session.flush()
    split = consent_rules.sharing(demo.course_id, ConsentScope.SUMMARY)
    assert sara in split.others and sara not in [m for m, _c in split.conditional]
    assert _both_ways(sara, ConsentScope.SUMMARY) == (True, True)


def test_who_may_receive_takes_two_queries_however_big_the_network(demo):
    course = db.session.get(Course, demo.course_id)
    for i in range(12):
        member = network_rules.add_member(course, kind=MemberKind.PRIVATE, name=f"Ven {i}", relation="ven")
        _consent(member, ConsentScope.SUMMARY, "ved indlæggelse" if i % 2 else "")
    db.session.commit()
    with count_queries() as sent:
        split = consent_rules.sharing(demo.course_id, ConsentScope.SUMMARY)
    assert len(sent) == 2, sent
    assert len(split.conditional) == 7 and len(split.others) == 9


def test_the_form_choice_becomes_the_circumstances(app):
    assert consent_rules.circumstances_from_choice("always", "") == ""
    assert consent_rules.circumstances_from_choice("only_when", "  ved indlæggelse ") == "ved indlæggelse"
    assert consent_rules.circumstances_from_choice(None, "ved indlæggelse") == "ved indlæggelse"  # written words: only then
    for choice, text in (("always", "ved indlæggelse"), ("only_when", "  "), (None, ""), ("", None)):
        with pytest.raises(Refusal) as refused:
            consent_rules.circumstances_from_choice(choice, text)
        assert refused.value.field == "circumstances"


def test_choosing_always_on_the_page_records_a_consent_without_circumstances(demo, en_as):
    sara = member_named(demo.course_id, "Sara Nielsen")
    tove = en_as("tove")
    data = {"scope": "summary", "applies": "always", "circumstances": "", "csrf_token": csrf_token(tove)}
    assert tove.post(f"/members/{sara.id}/consent", data=data).status_code == 302
    assert db.session.scalars(db.select(Consent).where(Consent.member_id == sara.id)).one().circumstances == ""
    assert consent_rules.may_receive(sara, ConsentScope.SUMMARY)
    page = visible(tove.get(f"/courses/{demo.course_id}/consent").get_data(as_text=True))
    plain = page.split('id="recipients-h"')[1].split("</section>")[0]
    assert "Sara Nielsen" in plain


def test_a_situation_given_on_the_page_lists_the_person_apart(demo, en_as):
    sara = member_named(demo.course_id, "Sara Nielsen")
    tove = en_as("tove")
    data = {"scope": "summary", "applies": "only_when", "circumstances": "on admission", "csrf_token": csrf_token(tove)}
    assert tove.post(f"/members/{sara.id}/consent", data=data).status_code == 302
    assert not consent_rules.may_receive(sara, ConsentScope.SUMMARY)
    page = visible(tove.get(f"/courses/{demo.course_id}/consent").get_data(as_text=True))
    plain = page.split('id="recipients-h"')[1].split("</section>")[0]
    conditional = page.split('id="conditional-h"')[1].split("</section>")[0]
    assert "Sara Nielsen" not in plain and "Dr. Inger Mose" not in plain
    assert "Sara Nielsen" in conditional and "Only when: on admission — check that this applies before sharing." in conditional
    row = page.split(f'id="consent-{sara.id}"')[1].split("</section>")[0]
    assert "Only when: on admission" in row


@pytest.mark.parametrize(
    ("applies", "typed", "message"),
    [
        ("only_when", "", "Write the situation, or choose “Always”."),
        ("always", "on admission", "You chose “Always” but wrote a situation."),
        (None, "", "Choose “Always”, or write the situation in which it may be shared."),
    ],
)
def test_an_unclear_consent_choice_is_refused_and_keeps_what_was_typed(demo, en_as, applies, typed, message):
    sara = member_named(demo.course_id, "Sara Nielsen")
    tove = en_as("tove")
    data = {"scope": "agreements", "circumstances": typed, "csrf_token": csrf_token(tove)}
    if applies:
        data["applies"] = applies
    response = tove.post(f"/members/{sara.id}/consent", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and 'aria-invalid="true"' in page
    form = page.split(f'id="circ-{sara.id}-agreements-error"')[0].rsplit("<form", 1)[1]
    assert f'value="{typed}"' in form
    if applies:
        assert f'value="{applies}" checked' in form
    assert "checked" not in form.replace(f'value="{applies}" checked', "")  # no choice made for the person
    assert db.session.scalars(db.select(Consent).where(Consent.member_id == sara.id)).first() is None


def test_a_refused_consent_choice_speaks_danish_to_a_danish_user(demo, client_as):
    sara = member_named(demo.course_id, "Sara Nielsen")
    tove = client_as("tove")
    tove.environ_base["HTTP_ACCEPT_LANGUAGE"] = "da"
    data = {"scope": "summary", "applies": "only_when", "circumstances": "", "csrf_token": csrf_token(tove)}
    page = tove.post(f"/members/{sara.id}/consent", data=data).get_data(as_text=True)
    assert "Skriv situationen, eller vælg »Altid«." in page


def test_the_citizen_needs_no_consent_for_their_own_papers(demo):
    with pytest.raises(Refusal):
        consent_rules.give_consent(network_rules.citizen_member(demo.course_id), ConsentScope.SUMMARY, "", None)


def test_withdrawing_consent_is_one_post(demo, en_as):
    hanne = member_named(demo.course_id, "Hanne Holm")
    tove = en_as("tove")
    response = tove.post(f"/members/{hanne.id}/consent/withdraw", data={"scope": "summary", "csrf_token": csrf_token(tove)})
    assert response.status_code == 302
    assert not consent_rules.may_receive(hanne, ConsentScope.SUMMARY)
    page = tove.get(f"/courses/{demo.course_id}/consent").get_data(as_text=True)
    recipients = page.split('id="recipients-h"')[1].split("</section>")[0]
    assert "Hanne Holm" not in recipients and "Ali Hassan" in recipients


def test_withdrawing_with_htmx_returns_the_persons_part_of_the_register(demo, en_as):
    ali = member_named(demo.course_id, "Ali Hassan")
    tove = en_as("tove")
    response = tove.post(
        f"/members/{ali.id}/consent/withdraw",
        data={"scope": "agreements", "csrf_token": csrf_token(tove)},
        headers={"HX-Request": "true"},
    )
    page = visible(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "<html" not in page and f'id="consent-{ali.id}"' in page
    assert "The consent for Ali Hassan is withdrawn." in page
    assert consent_rules.may_receive(ali, ConsentScope.SUMMARY) and not consent_rules.may_receive(ali, ConsentScope.AGREEMENTS)


def test_the_consent_register_partial_has_no_page_around_it(demo, en_as):
    response = en_as("tove").get(f"/courses/{demo.course_id}/consent", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]
    full = en_as("tove").get(f"/courses/{demo.course_id}/consent", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in full.get_data(as_text=True)


def test_giving_consent_on_the_page_records_who_and_when(demo, en_as):
    sara = member_named(demo.course_id, "Sara Nielsen")
    # The meeting leader may record it too: the citizen may say it during a meeting.
    morten = en_as("morten")
    response = morten.post(f"/members/{sara.id}/consent", data={"scope": "summary", "circumstances": "on admission", "csrf_token": csrf_token(morten)})
    assert response.status_code == 302
    consent = db.session.scalars(db.select(Consent).where(Consent.member_id == sara.id)).one()
    assert consent.circumstances == "on admission" and consent.recorded_by_id == user_named("morten").id
    page = visible(morten.get(f"/courses/{demo.course_id}/consent").get_data(as_text=True))
    assert "Recorded" in page and "by Morten Bak" in page


def test_consent_with_too_long_circumstances_keeps_what_was_typed(demo, en_as):
    sara = member_named(demo.course_id, "Sara Nielsen")
    tove = en_as("tove")
    typed = "kun når " + "x" * 600
    response = tove.post(f"/members/{sara.id}/consent", data={"scope": "notes", "circumstances": typed, "csrf_token": csrf_token(tove)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert typed in page and 'aria-invalid="true"' in page
    assert not consent_rules.may_receive(sara, ConsentScope.NOTES)


def test_a_reflectant_cannot_change_consent(demo, client_as):
    hanne = member_named(demo.course_id, "Hanne Holm")
    rikke = client_as("rikke")
    response = rikke.post(f"/members/{hanne.id}/consent/withdraw", data={"scope": "summary", "csrf_token": csrf_token(rikke)})
    assert response.status_code == 403
    assert consent_rules.may_receive(hanne, ConsentScope.SUMMARY)


# --- goals, hopes and dreams ----------------------------------------------------------------------


def test_goals_can_be_added_changed_and_removed(demo):
    course = db.session.get(Course, demo.course_id)
    goal = goal_rules.add_goal(course, GoalKind.DREAM, "  At ride på stranden.  ")
    assert goal.text == "At ride på stranden."
    goal_rules.edit_goal(goal, GoalKind.HOPE, "At ride på stranden til sommer.")
    assert goal.kind == GoalKind.HOPE
    meeting = db.session.get(Meeting, demo.meeting_ids[1])
    linked = _agreement(meeting, "Jonas finder en rideskole ved vandet.", None, None)
    linked.goal_id = goal.id
    goal_rules.remove_goal(goal)
    db.session.commit()
    assert db.session.get(Goal, goal.id) is None
    assert db.session.get(Agreement, linked.id).goal_id is None


def test_goals_are_never_required(demo, en_as):
    course = db.session.get(Course, demo.course_id)
    for goal in list(course.goals):
        goal_rules.remove_goal(goal)
    db.session.commit()
    page = en_as("tove").get(f"/courses/{demo.course_id}/goals").get_data(as_text=True)
    assert "They are never required." in page and "Nothing is written down yet, and that is fine." in page


def test_adding_a_goal_on_the_page(demo, en_as):
    tove = en_as("tove")
    response = tove.post(f"/courses/{demo.course_id}/goals", data={"kind": "goal", "text": "At få en praktikplads.", "csrf_token": csrf_token(tove)}, follow_redirects=True)
    assert "At få en praktikplads." in response.get_data(as_text=True)


def test_a_blank_goal_change_keeps_the_kind_and_shows_the_message(demo, en_as):
    goal = db.session.scalars(db.select(Goal).where(Goal.course_id == demo.course_id)).first()
    tove = en_as("tove")
    response = tove.post(f"/courses/{demo.course_id}/goals", data={"goal_id": goal.id, "kind": "dream", "text": "", "csrf_token": csrf_token(tove)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Write the goal, hope or dream in the citizen&#39;s own words." in page or "Write the goal, hope or dream in the citizen's own words." in page
    assert f'id="goal-text-{goal.id}"' in page
    assert db.session.get(Goal, goal.id).text  # unchanged


def test_a_goal_of_another_course_cannot_be_changed_through_this_course(demo, en_as):
    other = db.session.get(Course, demo.other_course_id)
    foreign = goal_rules.add_goal(other, GoalKind.GOAL, "Karims mål")
    db.session.commit()
    tove = en_as("tove")
    response = tove.post(f"/courses/{demo.course_id}/goals", data={"goal_id": foreign.id, "kind": "goal", "text": "overskrevet", "csrf_token": csrf_token(tove)})
    assert response.status_code == 404
    removal = tove.post(f"/courses/{demo.course_id}/goals/remove", data={"goal_id": foreign.id, "csrf_token": csrf_token(tove)})
    assert removal.status_code == 404
    assert db.session.get(Goal, foreign.id).text == "Karims mål"


# --- ending a course ------------------------------------------------------------------------------------


def test_an_ended_course_leaves_the_dashboard_but_stays_readable(demo, en_as):
    tove = en_as("tove")
    response = tove.post(f"/courses/{demo.course_id}/end", data={"note": "Maja har det godt og ønsker at stoppe.", "csrf_token": csrf_token(tove)})
    assert response.status_code == 302
    course = db.session.get(Course, demo.course_id)
    assert course.ended_at is not None and course.end_note == "Maja har det godt og ønsker at stoppe."
    board = followup_dashboard.dashboard_for(user_named("tove"))
    assert board.courses == [] and board.upcoming == [] and board.groups == [] and board.summaries_due == []
    assert [c.course.id for c in board.ended] == [demo.course_id]
    dashboard = tove.get("/").get_data(as_text=True)
    assert "Ended courses" in dashboard and "Coming meetings" not in dashboard
    page = tove.get(f"/courses/{demo.course_id}")
    assert page.status_code == 200
    assert "Maja har det godt og ønsker at stoppe." in page.get_data(as_text=True)
    with pytest.raises(Refusal):
        convening.plan_acute_meeting(course)


def test_ending_a_course_needs_a_short_note(demo, en_as):
    tove = en_as("tove")
    response = tove.post(f"/courses/{demo.course_id}/end", data={"note": "", "csrf_token": csrf_token(tove)})
    assert response.status_code == 400
    assert "Write a short note about why the course ends." in response.get_data(as_text=True)
    assert db.session.get(Course, demo.course_id).ended_at is None


def test_a_course_with_a_meeting_going_on_cannot_end(demo):
    course = db.session.get(Course, demo.course_id)
    db.session.get(Meeting, demo.upcoming_meeting_id).opened_at = utcnow()
    with pytest.raises(Refusal):
        ending.end_course(course, "Slut")


def test_an_ended_course_can_be_taken_up_again_with_a_reason_kept_in_the_audit_log(demo, en_as):
    from roles.models import AuditEntry

    tove = en_as("tove")
    tove.post(f"/courses/{demo.course_id}/end", data={"note": "Maja ønsker at stoppe.", "csrf_token": csrf_token(tove)})
    page = tove.get(f"/courses/{demo.course_id}/end").get_data(as_text=True)
    assert "Take the course up again" in page and f"/courses/{demo.course_id}/resume" in page
    # Without a reason: refused with a message, nothing changes.
    refused = tove.post(f"/courses/{demo.course_id}/resume", data={"reason": "  ", "csrf_token": csrf_token(tove)})
    assert refused.status_code == 400 and "Write why the course is taken up again." in refused.get_data(as_text=True)
    assert db.session.get(Course, demo.course_id).ended_at is not None
    resumed = tove.post(f"/courses/{demo.course_id}/resume", data={"reason": "Maja har bedt om et nyt møde.", "csrf_token": csrf_token(tove)})
    assert resumed.status_code == 302
    db.session.expire_all()
    course = db.session.get(Course, demo.course_id)
    assert course.ended_at is None and course.end_note == ""
    board = followup_dashboard.dashboard_for(user_named("tove"))
    assert demo.course_id in [c.course.id for c in board.courses] and board.ended == []
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "course.resumed")).one()
    assert "Maja ønsker at stoppe." in entry.detail and "Maja har bedt om et nyt møde." in entry.detail
    assert entry.user.username == "tove" and entry.course_id == demo.course_id
    convening.plan_acute_meeting(course)  # meetings can be planned again
    # A course that has not ended cannot be "taken up again"; only the tovholder may.
    with pytest.raises(Refusal):
        ending.resume_course(course, "igen")
    morten = en_as("morten")
    assert morten.post(f"/courses/{demo.course_id}/resume", data={"reason": "x", "csrf_token": csrf_token(morten)}).status_code == 403


def test_only_the_tovholder_ends_a_course(demo, client_as):
    morten = client_as("morten")
    assert morten.post(f"/courses/{demo.course_id}/end", data={"note": "x", "csrf_token": csrf_token(morten)}).status_code == 403


def test_the_course_page_links_to_everything_between_meetings(demo, en_as):
    page = en_as("tove").get(f"/courses/{demo.course_id}").get_data(as_text=True)
    for link in ("/network", "/consent", "/goals", "/convene", "/end"):
        assert f"/courses/{demo.course_id}{link}" in page
    reflectant = en_as("rikke").get(f"/courses/{demo.course_id}").get_data(as_text=True)
    assert f"/courses/{demo.course_id}/network" in reflectant and f"/courses/{demo.course_id}/convene" not in reflectant


def test_the_demo_follow_up_can_be_added(demo):
    course = db.session.get(Course, demo.course_id)
    demo_data.add_demo_followups(course, user_named("tove"))
    db.session.commit()
    lene = db.session.scalars(db.select(Agreement).where(Agreement.text.like("Lene%"))).one()
    assert [f.text for f in lene.follow_ups][0].startswith("Ringede til Lene")
    assert course.max_participants == 7
    assert db.session.get(Meeting, demo.upcoming_meeting_id).pre_meeting_at is not None
    assert lene.status == AgreementStatus.OPEN


def test_a_follow_up_with_a_garbled_date_says_how_to_write_it(demo, en_as):
    agreement = db.session.scalars(db.select(Agreement)).first()
    tove = en_as("tove")
    response = tove.post(f"/agreements/{agreement.id}/follow-up", data={"contacted_on": "i går", "text": "Ringede til Ali", "csrf_token": csrf_token(tove)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Write a date, e.g. 2026-03-24." in page and 'value="i går"' in page and "Ringede til Ali" in page


def test_consent_for_someone_removed_meanwhile_is_refused_with_a_message(demo, en_as):
    sara = member_named(demo.course_id, "Sara Nielsen")
    network_rules.remove_member(sara)
    db.session.commit()
    tove = en_as("tove")
    response = tove.post(f"/members/{sara.id}/consent", data={"scope": "summary", "circumstances": "altid", "csrf_token": csrf_token(tove)})
    assert response.status_code == 400
    assert "This person is no longer in the network." in response.get_data(as_text=True)
    assert not consent_rules.may_receive(sara, ConsentScope.SUMMARY)


# --- breadcrumbs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "current"),
    [("network", "Network map"), ("consent", "Consent register"), ("goals", "Goals, hopes and dreams"), ("convene", "Convene a meeting"), ("end", "End the course")],
)
def test_every_page_between_meetings_says_where_it_sits(demo, en_as, path, current):
    page = en_as("tove").get(f"/courses/{demo.course_id}/{path}").get_data(as_text=True)
    nav = page.split('<nav class="crumbs"', 1)[1].split("</nav>", 1)[0]
    assert nav.startswith(' aria-label="Breadcrumb">')
    assert '<a href="/">My courses</a>' in nav and f'<a href="/courses/{demo.course_id}">Maja</a>' in nav
    # The page itself comes last, marked as where you are, and is not a link; the › are hidden from screen readers.
    assert nav.rstrip().endswith(f'<span aria-current="page">{current}</span>')
    assert nav.count("›") == nav.count('<span aria-hidden="true">›</span>') == 2
