"""Brief INSPIRE and session ratings: scoring, ratings, charts and who may see and record them."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from flask import g, render_template

import demo as demo_data
from extensions import db
from kernel.clock import utcnow
from meetings.course import network as network_rules
from meetings.feedback import charts, inspire
from meetings.feedback import ratings as rating_rules
from meetings.feedback.inspire import InspireItem
from meetings.models import Course, InspireResponse, Language, Meeting, MemberKind, NetworkMember, SessionRating
from roles.models import Role
from tests import feedback_data
from tests.conftest import csrf_token, english

SVG = "{http://www.w3.org/2000/svg}"
ALL = {item: 2 for item in InspireItem}


@pytest.fixture
def maja(demo) -> Course:
    return db.session.get(Course, demo.course_id)


@pytest.fixture
def held(demo) -> list[Meeting]:
    return [db.session.get(Meeting, mid) for mid in demo.meeting_ids[:2]]


@pytest.fixture
def member(maja):
    """Return a factory: `member("mor")` is the demo network member with that relation."""

    def find(relation: str) -> NetworkMember:
        return db.session.scalars(
            db.select(NetworkMember).where(NetworkMember.course_id == maja.id, NetworkMember.relation == relation)
        ).one()

    return find


@pytest.fixture
def feedback(demo):
    """The demo course with its fictional INSPIRE answers and ratings."""
    demo_data.add_demo_feedback(demo.course_id)
    db.session.commit()
    return demo


@pytest.fixture
def english_request(app):
    """A request context whose language is English (for the chart helpers)."""
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        # The test's app context outlives requests; forget a language chosen before this one.
        g.pop("_flask_babel", None)
        yield


# --- scoring -----------------------------------------------------------------------


def test_the_score_is_the_mean_answer_on_a_scale_from_0_to_100():
    assert inspire.inspire_score({item: 4 for item in InspireItem}) == 100
    assert inspire.inspire_score({item: 0 for item in InspireItem}) == 0
    answers = dict(zip(InspireItem, [2, 3, 1, 4, 0]))
    assert inspire.inspire_score(answers) == 50


def test_a_skipped_question_neither_counts_as_zero_nor_lowers_the_score():
    two_answered = {InspireItem.HOPE: 4, InspireItem.MEANING: 4, InspireItem.IDENTITY: None}
    assert inspire.inspire_score(two_answered) == 100
    assert inspire.inspire_score({InspireItem.HOPE: 3, InspireItem.EMPOWERMENT: 1, InspireItem.MEANING: None}) == 50
    # 1+2+2 of 3 × 4: 41.666… → one decimal.
    assert inspire.inspire_score({InspireItem.HOPE: 1, InspireItem.MEANING: 2, InspireItem.IDENTITY: 2}) == 41.7


def test_a_score_exactly_between_two_decimals_rounds_up():
    # 3+2+2+2 of 4 × 4 = 56.25.
    answers = {InspireItem.CONNECTEDNESS: 3, InspireItem.HOPE: 2, InspireItem.IDENTITY: None, InspireItem.MEANING: 2, InspireItem.EMPOWERMENT: 2}
    assert inspire.inspire_score(answers) == 56.3


def test_with_every_question_skipped_there_is_no_score_but_the_answer_is_kept(maja):
    assert inspire.inspire_score({item: None for item in InspireItem}) is None
    response = inspire.record_inspire(maja, {})
    db.session.commit()
    stored = db.session.get(InspireResponse, response.id)
    assert [getattr(stored, item.value) for item in InspireItem] == [None] * 5
    [result] = inspire.inspire_history(maja.id)
    assert result.score is None and result.answered == 0


def test_answers_are_stored_as_given_question_by_question(maja, held):
    response = inspire.record_inspire(maja, {"hope": 0, InspireItem.MEANING: 4, "identity": None}, meeting=held[1])
    db.session.commit()
    stored = db.session.get(InspireResponse, response.id)
    assert (stored.hope, stored.meaning, stored.identity, stored.connectedness) == (0, 4, None, None)
    assert stored.meeting_id == held[1].id and stored.course_id == maja.id


@pytest.mark.parametrize("bad", [{"hope": 5}, {"hope": -1}, {"hope": "3"}, {"hope": True}, {"hope": 2.0}, {"happiness": 2}])
def test_an_answer_outside_the_scale_is_refused(maja, bad):
    with pytest.raises(ValueError):
        inspire.record_inspire(maja, bad)
    assert db.session.scalar(db.select(db.func.count(InspireResponse.id))) == 0


def test_an_answer_cannot_be_tied_to_a_meeting_of_another_course(demo, maja):
    other_meeting = db.session.scalars(db.select(Meeting).where(Meeting.course_id == demo.other_course_id)).first()
    with pytest.raises(ValueError, match="another course"):
        inspire.record_inspire(maja, ALL, meeting=other_meeting)


def test_each_question_has_its_own_series_over_time_oldest_first(maja):
    now = utcnow()
    inspire.record_inspire(maja, {"hope": 1, "meaning": 2}, answered_at=now - timedelta(days=30))
    inspire.record_inspire(maja, {"hope": 3, "meaning": None}, answered_at=now)
    inspire.record_inspire(maja, {"hope": 2}, answered_at=now - timedelta(days=10))
    series = feedback_data.item_series(maja.id)
    assert [v for _at, v in series[InspireItem.HOPE]] == [1, 2, 3]
    assert [v for _at, v in series[InspireItem.MEANING]] == [2, None, None]
    assert [score for _at, score in feedback_data.score_series(maja.id)] == [37.5, 50, 75]
    assert feedback_data.latest_inspire(maja.id).answers[InspireItem.HOPE] == 3


# --- session ratings ------------------------------------------------------------------


def test_answering_the_session_rating_again_replaces_the_first_answer(maja, held):
    citizen = network_rules.citizen_member(maja.id)
    rating_rules.record_rating(held[0], citizen, 2, "For mange mennesker.")
    db.session.commit()
    rating_rules.record_rating(held[0], citizen, 4, "  Det blev bedre til sidst.  ")
    db.session.commit()
    ratings = db.session.scalars(db.select(SessionRating).where(SessionRating.meeting_id == held[0].id)).all()
    assert len(ratings) == 1
    assert (ratings[0].score, ratings[0].comment) == (4, "Det blev bedre til sidst.")


def test_two_tablets_rating_at_once_still_leave_one_answer(maja, held):
    citizen = network_rules.citizen_member(maja.id)
    # Another device got there first, after this one looked and found nothing.
    db.session.add(SessionRating(meeting_id=held[0].id, member_id=citizen.id, score=1))
    db.session.flush()
    db.session.expunge_all()
    meeting, citizen = db.session.get(Meeting, held[0].id), db.session.get(NetworkMember, citizen.id)
    original = rating_rules._rating_of
    calls = []

    def first_sees_nothing(meeting_id, member_id):
        calls.append(1)
        return None if len(calls) == 1 else original(meeting_id, member_id)

    rating_rules._rating_of = first_sees_nothing
    try:
        rating_rules.record_rating(meeting, citizen, 5)
    finally:
        rating_rules._rating_of = original
    db.session.commit()
    scores = db.session.scalars(db.select(SessionRating.score).where(SessionRating.meeting_id == held[0].id)).all()
    assert scores == [5]


@pytest.mark.parametrize("score", [0, 6, "4", None, True])
def test_a_session_rating_is_a_whole_number_from_1_to_5(maja, held, score):
    with pytest.raises(ValueError):
        rating_rules.record_rating(held[0], network_rules.citizen_member(maja.id), score)


def test_only_the_courses_own_network_rates_its_meetings(demo, held):
    stranger = network_rules.citizen_member(demo.other_course_id)
    with pytest.raises(ValueError, match="another course"):
        rating_rules.record_rating(held[0], stranger, 3)


def test_a_meetings_ratings_list_the_citizen_first(maja, held, member):
    rating_rules.record_rating(held[0], member("mor"), 5)
    rating_rules.record_rating(held[0], network_rules.citizen_member(maja.id), 3)
    rating_rules.record_rating(held[0], member("bostøttemedarbejder"), 4)
    ratings = rating_rules.meeting_ratings(held[0].id)
    assert [r.member.kind for r in ratings][0] == MemberKind.CITIZEN
    assert [r.score for r in ratings] == [3, 5, 4]
    assert rating_rules.citizen_rating(held[0]).score == 3


def test_ratings_per_meeting_keep_the_citizen_apart_from_the_others(maja, held, member):
    citizen = network_rules.citizen_member(maja.id)
    rating_rules.record_rating(held[0], citizen, 3)
    rating_rules.record_rating(held[0], member("mor"), 4)
    rating_rules.record_rating(held[0], member("lillebror"), 5)
    rating_rules.record_rating(held[1], member("mor"), 2)
    first, second = rating_rules.ratings_by_meeting(maja.id)
    assert (first.meeting_id, first.citizen, sorted(first.others), first.others_mean) == (held[0].id, 3, [4, 5], 4.5)
    assert (second.meeting_id, second.citizen, second.others_mean) == (held[1].id, None, 2)


def test_who_may_rate_a_meeting_are_those_present_and_always_the_citizen(held):
    names = [m.name for m in rating_rules.rating_members(held[0])]
    # Meeting 1: Maja, her mother, Ali and Peter were present; Lene only sent word.
    assert names[0] == "Maja"
    assert set(names) == {"Maja", "Hanne Holm", "Ali Hassan", "Peter Kjær"}


# --- the demo and the citizen's data export ---------------------------------------------


def test_the_demo_has_feedback_over_its_two_held_meetings(feedback, held):
    history = inspire.inspire_history(feedback.course_id)
    assert len(history) == 3
    assert any(None in r.answers.values() for r in history)
    assert [r.meeting_id for r in history] == [held[0].id, None, held[1].id]
    assert [m.citizen for m in rating_rules.ratings_by_meeting(feedback.course_id)] == [3, 4]


def test_the_citizens_data_export_holds_their_answers_and_their_own_ratings(feedback, held):
    answers = feedback_data.inspire_export(feedback.course_id)
    assert len(answers) == 3
    assert answers[1]["identity"] is None and answers[1]["answered"] == 4 and answers[1]["score"] == 56.3
    assert answers[0]["meeting_id"] == held[0].id and answers[0]["answered_at"].endswith("+00:00")
    assert set(answers[0]) >= {item.value for item in InspireItem}
    ratings = feedback_data.ratings_export(feedback.course_id)
    assert [(r["by_citizen"], r["score"]) for r in ratings] == [(True, 3), (True, 4)]
    assert "mor var med" in ratings[0]["comment"]
    everyone = feedback_data.ratings_export(feedback.course_id, include_others=True)
    assert len(everyone) == 6 and {r["by"] for r in everyone} >= {"Maja", "Hanne Holm"}
    json.dumps([answers, everyone])  # plain data, ready for a JSON export
    assert feedback_data.inspire_export(feedback.other_course_id) == [] and feedback_data.ratings_export(feedback.other_course_id) == []


# --- charts ----------------------------------------------------------------------------


def _values(svg: str) -> list[str]:
    root = ET.fromstring(str(svg))
    return [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "value"]


def _column(table: str, index: int) -> list[str]:
    rows = re.findall(r"<tr>(.*?)</tr>", str(table))[1:]
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in rows]
    return [row[index] for row in cells]


def test_a_line_chart_escapes_every_text_and_is_well_formed():
    svg = charts.line_chart(
        "evil",
        '<script>alert("x")</script>',
        ["<b>1</b>", 'A & "B"'],
        [10, None],
        y_max=100,
        y_ticks=[(0, "<0>"), (100, "100")],
        desc="</desc><script>",
        fmt=lambda v: f"<{v}>",
    )
    assert "<script" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "&lt;b&gt;1&lt;/b&gt;" in svg
    root = ET.fromstring(str(svg))  # still valid XML after all that
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "<10>" in texts and "A & \"B\"" in texts and "–" in texts
    assert root.find(f"{SVG}title").text == '<script>alert("x")</script>'
    assert root.get("role") == "img" and root.get("aria-labelledby") == "evil-title evil-desc"


def test_a_chart_id_cannot_smuggle_markup():
    with pytest.raises(ValueError):
        charts.line_chart('x" onload="alert(1)', "t", ["a"], [1], y_max=4, y_ticks=[])


def test_a_bar_chart_tells_its_series_apart_without_colour():
    svg = charts.bar_chart(
        "bars", "Ratings", ["1. mar.", "<2>"], [("The citizen", [3, None]), ("Others & co", [4.5, 2])], y_max=5, y_ticks=[(1, "1"), (5, "5")]
    )
    root = ET.fromstring(str(svg))
    fills = {r.get("fill") for r in root.iter(f"{SVG}rect")}
    assert "url(#bars-hatch)" in fills and root.find(f".//{SVG}pattern[@id='bars-hatch']") is not None
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "The citizen" in texts and "Others & co" in texts and "<2>" in texts
    assert _values(svg) == ["3", "4.5", "2"]


def test_the_table_escapes_its_cells():
    table = charts.data_table("t", "<caption>", ["<h>"], [["<script>x</script>", "a & b"]])
    assert "<script>" not in table and "&lt;script&gt;x&lt;/script&gt;" in table and "a &amp; b" in table
    assert '<th scope="row">' in table and "<caption>&lt;caption&gt;</caption>" in table


def test_the_inspire_chart_and_its_table_show_the_same_numbers(feedback, english_request):
    chart = charts.inspire_total_chart(feedback.course_id)
    assert _values(chart.svg) == ["35", "56.3", "70"]
    assert _column(chart.table, 1) == ["35", "56.3", "70"]
    assert _column(chart.table, 2) == ["5 of 5", "4 of 5", "5 of 5"]


def test_each_question_has_a_chart_and_the_table_says_the_same(feedback, english_request):
    item_charts, table = charts.inspire_item_charts(feedback.course_id)
    assert [c.id for c in item_charts] == [f"inspire-{item.value}" for item in InspireItem]
    identity = item_charts[2]
    assert _values(identity.svg) == ["1", "2"]  # skipped in the middle: a gap, not a zero
    assert "–" in [t.text for t in ET.fromstring(str(identity.svg)).iter(f"{SVG}text")]
    column = _column(table, 3)
    assert column == ["1 – A little", "Skipped", "2 – Somewhat"]
    for chart, index in zip(item_charts, range(1, 6)):
        assert _values(chart.svg) == [cell.split(" ")[0] for cell in _column(table, index) if cell != "Skipped"]


def test_the_ratings_chart_and_its_table_show_the_same_numbers(feedback, english_request):
    chart = charts.ratings_chart(feedback.course_id)
    # Per meeting: the citizen's bar, then the others' average.
    assert _values(chart.svg) == ["3", "4", "4", "5"]
    assert _column(chart.table, 1) == ["3", "4"] and _column(chart.table, 2) == ["4", "5"]


def test_a_course_without_answers_has_no_charts(demo, english_request):
    assert charts.inspire_total_chart(demo.course_id) is None
    assert charts.inspire_item_charts(demo.course_id) is None
    assert charts.ratings_chart(demo.course_id) is None
    assert feedback_data.inspire_chart_svg(demo.course_id) == ""


def test_the_chart_for_the_summary_is_in_the_citizens_language(feedback, english_request, maja):
    svg = feedback_data.inspire_chart_svg(feedback.course_id)
    assert "56,3" in svg and "56.3" not in svg  # Maja reads Danish
    maja.citizen.language = Language.EN
    db.session.commit()
    assert "56.3" in feedback_data.inspire_chart_svg(feedback.course_id)
    ET.fromstring(svg)


def test_a_course_where_every_question_was_skipped_gives_no_summary_chart(maja, english_request):
    inspire.record_inspire(maja, {})
    db.session.commit()
    assert feedback_data.inspire_chart_svg(maja.id) == ""
    assert "All questions skipped" in charts.inspire_total_chart(maja.id).table


# --- pages and access ------------------------------------------------------------------------


def test_a_reflectant_may_see_the_charts_but_not_record(feedback, client_as):
    rikke = english(client_as("rikke"))
    page = rikke.get(f"/courses/{feedback.course_id}/inspire")
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)
    assert "Answer Brief INSPIRE" not in page.get_data(as_text=True)
    meeting_id = feedback.meeting_ids[1]
    token = csrf_token(rikke)
    assert rikke.get(f"/courses/{feedback.course_id}/inspire/answer").status_code == 403
    assert rikke.post(f"/courses/{feedback.course_id}/inspire/answer", data={"hope": "3", "csrf_token": token}).status_code == 403
    assert rikke.get(f"/meetings/{meeting_id}/rating").status_code == 403
    assert rikke.post(f"/meetings/{meeting_id}/rating", data={"score": "1", "csrf_token": token}).status_code == 403
    assert len(inspire.inspire_history(feedback.course_id)) == 3
    assert rating_rules.citizen_rating(db.session.get(Meeting, meeting_id)).score == 4


def test_someone_without_a_role_in_the_course_learns_nothing(feedback, client_as):
    # Morten is only a reflectant in Karim's course; in a course without him it is a 404.
    rikke = client_as("rikke")
    karim_meeting = db.session.scalars(db.select(Meeting.id).where(Meeting.course_id == feedback.other_course_id)).first()
    tove = client_as("tove")
    assert tove.get(f"/courses/{feedback.other_course_id}/inspire").status_code == 404
    assert tove.get(f"/meetings/{karim_meeting}/rating").status_code == 404
    assert rikke.get(f"/courses/{feedback.other_course_id}/inspire").status_code == 200


def test_the_questions_are_in_the_citizens_language_not_the_screens(demo, client_as, maja):
    maja.citizen.language = Language.EN
    db.session.commit()
    morten = client_as("morten")
    morten.environ_base["HTTP_ACCEPT_LANGUAGE"] = "da"
    page = morten.get(f"/courses/{demo.course_id}/inspire/answer").get_data(as_text=True)
    assert '<html lang="da">' in page
    assert '<form method="post" class="inspire-form" lang="en"' in page
    assert "The professional I work with helps me to feel supported by other people." in page
    assert "Skip this question" in page and "Skip all the questions" in page


def test_a_danish_citizen_gets_the_question_block_marked_as_danish(demo, client_as):
    page = english(client_as("morten")).get(f"/meetings/{demo.meeting_ids[1]}/inspire").get_data(as_text=True)
    assert '<html lang="en">' in page and 'class="inspire-form" lang="da"' in page
    assert page.count('type="radio"') == 5 * 6


def test_answering_with_a_skipped_question_stores_it_as_skipped(demo, client_as):
    morten = english(client_as("morten"))
    response = morten.post(
        f"/meetings/{demo.meeting_ids[1]}/inspire",
        data={"connectedness": "3", "hope": "skip", "meaning": "4", "empowerment": "0", "save": "1", "csrf_token": csrf_token(morten)},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/meetings/{demo.meeting_ids[1]}")
    [result] = inspire.inspire_history(demo.course_id)
    assert result.meeting_id == demo.meeting_ids[1]
    assert result.answers == {
        InspireItem.CONNECTEDNESS: 3, InspireItem.HOPE: None, InspireItem.IDENTITY: None, InspireItem.MEANING: 4, InspireItem.EMPOWERMENT: 0
    }
    assert result.score == round((3 + 4 + 0) / 12 * 100, 1)


def test_skip_all_stores_nothing_and_says_so(demo, client_as):
    morten = english(client_as("morten"))
    response = morten.post(
        f"/courses/{demo.course_id}/inspire/answer",
        data={"connectedness": "3", "skip_all": "1", "csrf_token": csrf_token(morten)},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Nothing was saved" in response.get_data(as_text=True)
    assert inspire.inspire_history(demo.course_id) == []


def test_a_tampered_answer_is_refused_next_to_its_question_and_the_rest_stays(demo, client_as):
    morten = english(client_as("morten"))
    response = morten.post(
        f"/courses/{demo.course_id}/inspire/answer",
        data={"connectedness": "9", "hope": "3", "identity": "skip", "save": "1", "csrf_token": csrf_token(morten)},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="q-connectedness-error"' in page and "Choose one of the answers, or skip the question." in page
    assert 'name="hope" value="3" checked' in page and 'name="identity" value="skip" checked' in page
    assert inspire.inspire_history(demo.course_id) == []


def test_the_rating_box_answers_htmx_with_itself_only(demo, client_as):
    morten = english(client_as("morten"))
    meeting_id = demo.meeting_ids[2]
    response = morten.post(
        f"/meetings/{meeting_id}/rating",
        data={"score": "4", "box": "1", "csrf_token": csrf_token(morten)},
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert "HX-Request" in response.headers.get("Vary", "")
    assert f'id="rating-{meeting_id}"' in body and 'aria-pressed="true"' in body
    assert rating_rules.citizen_rating(db.session.get(Meeting, meeting_id)).score == 4
    again = morten.get(f"/meetings/{meeting_id}/rating", headers={"HX-Request": "true"})
    assert "<html" not in again.get_data(as_text=True) and "HX-Request" in again.headers.get("Vary", "")
    page = morten.get(f"/meetings/{meeting_id}/rating")
    assert "<html" in page.get_data(as_text=True) and "HX-Request" in page.headers.get("Vary", "")


def test_a_comment_that_is_too_long_is_refused_and_kept_on_screen(demo, client_as):
    morten = english(client_as("morten"))
    long_comment = "Det var godt 😊 " * 200
    response = morten.post(
        f"/meetings/{demo.meeting_ids[2]}/rating",
        data={"score": "5", "comment": long_comment, "box": "1", "csrf_token": csrf_token(morten)},
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "<html" not in body
    assert "1,000 characters too long" in body and "at most 2,000 characters" in body
    assert long_comment.strip() in body
    assert rating_rules.citizen_rating(db.session.get(Meeting, demo.meeting_ids[2])) is None


def test_a_rating_without_a_score_asks_for_one(demo, client_as):
    morten = english(client_as("morten"))
    response = morten.post(
        f"/meetings/{demo.meeting_ids[1]}/rating", data={"comment": "hyggeligt", "csrf_token": csrf_token(morten)}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Choose a number from 1 to 5." in body and "hyggeligt" in body


def test_the_rating_page_records_another_members_answer(demo, client_as, member):
    morten = english(client_as("morten"))
    mor = member("mor")
    page = morten.get(f"/meetings/{demo.meeting_ids[0]}/rating").get_data(as_text=True)
    # The citizen is first in the list and chosen from the start.
    first_option = re.search(r'<option[^>]*value="(\d+)"', page)
    assert int(first_option.group(1)) == network_rules.citizen_member(demo.course_id).id
    response = morten.post(
        f"/meetings/{demo.meeting_ids[0]}/rating",
        data={"member_id": str(mor.id), "score": "5", "comment": "Godt at blive hørt", "csrf_token": csrf_token(morten)},
        follow_redirects=True,
    )
    assert response.status_code == 200 and "Hanne Holm" in response.get_data(as_text=True)
    [rating] = rating_rules.meeting_ratings(demo.meeting_ids[0])
    assert (rating.member_id, rating.score, rating.comment) == (mor.id, 5, "Godt at blive hørt")


def test_a_member_from_another_course_cannot_be_chosen(demo, client_as):
    morten = english(client_as("morten"))
    stranger = network_rules.citizen_member(demo.other_course_id)
    response = morten.post(
        f"/meetings/{demo.meeting_ids[0]}/rating",
        data={"member_id": str(stranger.id), "score": "2", "csrf_token": csrf_token(morten)},
    )
    assert response.status_code == 400 and "Choose who is answering." in response.get_data(as_text=True)
    assert rating_rules.meeting_ratings(demo.meeting_ids[0]) == []


def test_the_course_page_shows_the_latest_score_and_a_small_chart(feedback, client_as):
    page = english(client_as("tove")).get(f"/courses/{feedback.course_id}").get_data(as_text=True)
    assert 'id="inspire"' in page and "Latest Brief INSPIRE score: 70 of 100" in page
    assert 'id="panel-inspire-total"' in page and 'id="panel-inspire-total-table"' in page
    assert 'id="panel-ratings"' in page and f"/courses/{feedback.course_id}/inspire" in page


def test_the_course_page_without_answers_says_so(demo, client_as):
    page = english(client_as("rikke")).get(f"/courses/{demo.course_id}").get_data(as_text=True)
    assert "Brief INSPIRE has not been answered yet." in page
    assert f"/courses/{demo.course_id}/inspire/answer" not in page  # a reflectant does not record


def test_the_charts_page_has_every_chart_with_its_table(feedback, client_as):
    page = english(client_as("tove")).get(f"/courses/{feedback.course_id}/inspire").get_data(as_text=True)
    for chart_id in ("inspire-total", "inspire-connectedness", "inspire-empowerment", "ratings"):
        assert f'id="{chart_id}"' in page
    for table_id in ("inspire-total-table", "inspire-items-table", "ratings-table"):
        assert f'id="{table_id}"' in page
    assert "<script" not in page.split("<main", 1)[1]


def test_the_closing_phase_box_is_in_the_citizens_language_and_read_only_for_a_reflectant(feedback, app):
    meeting = db.session.get(Meeting, feedback.meeting_ids[1])
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        g.pop("_flask_babel", None)
        g.roles = {Role.MEETING_LEADER}
        box = render_template("feedback/_rating.html", meeting=meeting)
        assert 'lang="da"' in box and "hx-post" in box and 'value="4"' in box
        assert "inspire.js" in box and "inspire.css" in box
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        g.pop("_flask_babel", None)
        g.roles = {Role.REFLECTANT}
        box = render_template("feedback/_rating.html", meeting=meeting)
        assert "hx-post" not in box and "<form" not in box and "4" in box
