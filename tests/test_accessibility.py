"""Every page passes an automated WCAG 2.1 AA check (axe-core) in Chromium, at tablet and phone size."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import browser_log_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
SIZES = {"tablet": (1024, 768), "phone": (390, 844)}


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


def pages_of(demo) -> list[str]:
    upcoming = demo.upcoming_meeting_id
    return [
        "/",
        f"/courses/{demo.course_id}",
        f"/courses/{demo.course_id}/audit",
        f"/meetings/{demo.meeting_ids[0]}",
        f"/meetings/{upcoming}",
        "/password",
    ]


@pytest.mark.parametrize("size", SIZES)
def test_every_page_passes_axe(live_server, browser, demo, size):
    width, height = SIZES[size]
    # axe is injected as a script: the test browser bypasses our CSP for that, nothing else.
    context = browser.new_context(viewport={"width": width, "height": height}, locale="da-DK", bypass_csp=True)
    page = context.new_page()
    page.goto(live_server + "/login")
    found = {"/login": violations(page)}
    page.get_by_label("Brugernavn").fill("tove")
    page.get_by_label("Adgangskode").fill("rundbord-demo")
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(live_server + "/")
    for url in pages_of(demo):
        page.goto(live_server + url)
        found[url] = violations(page)
    # The meeting screen in each phase.
    page.goto(f"{live_server}/meetings/{demo.upcoming_meeting_id}")
    page.get_by_role("button", name="Start mødet").click()
    for phase in ("Åbning", "Siden sidst", "Dialog", "Refleksion", "Respons", "Afrunding"):
        page.locator(".phase-rail").get_by_role("button", name=phase).click()
        page.wait_for_selector(f".phase-rail button.current:has-text('{phase}')")
        found[f"meeting phase {phase}"] = violations(page)
    context.close()
    assert {url: v for url, v in found.items() if v} == {}


def test_the_summary_reads_well_at_200_percent_zoom(live_server, browser, demo):
    """200 % zoom on a 1024 px tablet is a 512 px wide layout with doubled type: nothing scrolls sideways."""
    context = browser.new_context(viewport={"width": 512, "height": 700}, device_scale_factor=2, locale="da-DK")
    page = context.new_page()
    browser_log_in(page, live_server, "tove")
    page.goto(f"{live_server}/meetings/{demo.meeting_ids[1]}/summary")
    assert page.get_by_role("heading", name="Det blev vi enige om").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
    # Text at 200 % on the tablet (WCAG 1.4.4): sizes are in rem and follow the user's setting.
    page.set_viewport_size({"width": 1024, "height": 768})
    normal = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)") >= 1.9 * normal
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
    context.close()
