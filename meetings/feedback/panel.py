"""The course page's feedback panel: the latest Brief INSPIRE and two small charts."""

from __future__ import annotations

from dataclasses import dataclass

from meetings.feedback import charts, inspire


@dataclass(frozen=True)
class FeedbackPanel:
    """What the course page's recovery panel shows (templates/feedback/_course_panel.html)."""

    latest: inspire.InspireResult | None
    questions: int
    total: charts.Chart | None
    ratings: charts.Chart | None


def course_panel(course_id: int) -> FeedbackPanel:
    """Gather the course page's feedback panel: the latest answers, the total over time, the ratings."""
    history = inspire.inspire_history(course_id)
    return FeedbackPanel(
        latest=history[-1] if history else None,
        questions=len(inspire.InspireItem),
        total=charts.inspire_total_chart(course_id, small=True, chart_id="panel-inspire-total", history=history),
        ratings=charts.ratings_chart(course_id, small=True, chart_id="panel-ratings"),
    )
