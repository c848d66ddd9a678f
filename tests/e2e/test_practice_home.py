"""Issue 20 in a real browser: the home page's per-competency trends (dated, 1–5, text at ≥ 12 px on screen) and
"Practise my weak areas" showing what is due today, starting a practice interview on it — in English and Korean.
Screenshots and axe-core scans go to test-artifacts/e2e/ (no serious or critical violations allowed)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import new_context
from tests.e2e.test_interview_flow import BROWSER_LOCALE, Checks, sign_up, ui_text
from tests.factories import create_scored_interview

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.mark.parametrize("lang", ["en", "ko"])
async def test_competency_trends_and_practice(stack: Any, launch_browser: Any, unique_user: Any, lang: str) -> None:
    t = ui_text(lang)
    checks = Checks(f"practice-{lang}")
    browser = await launch_browser("en")
    context = await new_context(browser, stack.base_url, BROWSER_LOCALE[lang])
    try:
        page = await context.new_page()
        await page.goto("/")
        await sign_up(page, t, *unique_user())
        me = await (await page.request.get("/api/auth/me")).json()
        uid = uuid.UUID(me["id"])
        # Three interviews: system design keeps failing (due), ownership lapsed, then passed yesterday (due today),
        # collaboration passed twice (due in a few days).
        await create_scored_interview(uid, 9, [("system_design", 3), ("collaboration", 4), ("ownership", 2)])
        await create_scored_interview(uid, 4, [("system_design", 2), ("collaboration", 5)])
        await create_scored_interview(uid, 1, [("system_design", 1), ("ownership", 4)])
        await page.reload()

        section = page.locator(".practice-section")
        await expect(section.get_by_role("heading", name=t["practice.title"])).to_be_visible()
        cards = section.locator(".trend-card")
        await expect(cards).to_have_count(3)
        await expect(cards.first.get_by_role("heading")).to_have_text(t["competency.system_design"])
        await expect(section.get_by_role("heading", name=t["practice.dueTitle"])).to_be_visible()
        start = section.get_by_role("button", name=t["practice.start"])
        await expect(start).to_be_enabled()

        # Every chart label is drawn at ≥ 12 CSS px on screen (the SVG is 1:1: viewBox width = rendered width),
        # and each chart has its interviews' dates on the axis.
        sizes = await page.evaluate(
            """() => [...document.querySelectorAll('.trend-spark svg')].map((svg) => {
                const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width
                return [...svg.querySelectorAll('text')].map((t) => parseFloat(getComputedStyle(t).fontSize) * scale)
            })"""
        )
        assert sizes and all(size >= 12 for chart in sizes for size in chart), sizes
        first_ticks = await cards.first.locator("svg text").all_text_contents()
        assert first_ticks[:3] == ["1", "3", "5"], first_ticks
        dates = first_ticks[3:]  # "Nov 23" / "11월 23일": the first, (with room) the middle and the last interview
        assert 2 <= len(dates) <= 3 and all(re.search(r"\d", d) and re.search(r"[^\d\s]", d) for d in dates), dates
        await checks.screen(page, "01-home-trends")

        await start.click()
        await expect(page).to_have_url(re.compile(r"/interviews/[0-9a-f-]{36}$"))
        interview_id = page.url.rsplit("/", 1)[1]
        detail = await (await page.request.get(f"/api/interviews/{interview_id}")).json()
        assert detail["plan"]["practice"]["focus"] == ["system_design", "ownership"]
        assert {s["competency"] for s in detail["plan"]["slots"]} == {"system_design", "ownership"}
        await checks.screen(page, "02-practice-room", axe=False)  # the room itself is scanned by the flow test
        checks.assert_accessible()
    finally:
        await context.close()
