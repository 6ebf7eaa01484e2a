"""The meeting screens work by keyboard alone, with a visible focus."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def tab_to(page, predicate: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches the JavaScript predicate on `el`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!({predicate}); }})()"):
            return
    raise AssertionError(f"never reached {predicate}")


def focus_is_visible(page) -> bool:
    return page.evaluate("""(() => {
        const s = getComputedStyle(document.activeElement);
        return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
    })()""")


def test_a_meeting_can_be_run_and_written_by_keyboard_alone(live_server, tablet, demo):
    page = tablet
    page.goto(live_server + "/login")
    tab_to(page, "el.id === 'username'")
    page.keyboard.type("morten")
    page.keyboard.press("Tab")
    page.keyboard.type("rundbord-demo")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server + "/")
    page.goto(f"{live_server}/meetings/{demo.upcoming_meeting_id}")

    tab_to(page, "el.textContent.includes('Start mødet')")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Åbning")).to_be_visible()

    # To the phase rail's "Dialog", by keyboard.
    tab_to(page, "el.classList.contains('phase') && el.textContent.includes('Dialog')")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dialog")).to_be_visible()

    # The reflectant's capture: speaker by arrow keys, then the text, then Enter.
    tab_to(page, "el.name === 'speaker_id'")
    page.keyboard.press("ArrowRight")   # from Maja to the next person
    assert page.evaluate("document.activeElement.checked")
    assert page.evaluate("getComputedStyle(document.activeElement.nextElementSibling).outlineStyle") != "none"
    tab_to(page, "el.id === 'note-text'")
    page.keyboard.type("Jeg kan godt lide at gå ture.")
    page.keyboard.press("Enter")
    expect(page.locator("#note-list")).to_contain_text("Jeg kan godt lide at gå ture.")
    expect(page.locator("#note-list .speaker").first).to_have_text("Hanne Holm")
