"""The candidate's whole journey in a real browser, in English and in Korean (issue 8 acceptance):

sign up → new interview → a question streams in → the fake microphone's speech shows up in the live transcript →
finish answer → the evaluation appears → finish interview → the report renders with its charts; a second user
cannot open the first user's report. Every screen is screenshotted and scanned with axe-core (no serious or
critical violations allowed).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.e2e.conftest import ROOT, UI_STEP_IDLE_MS, Artifacts, new_context, scaled_ms

pytestmark = pytest.mark.asyncio(loop_scope="session")

# Waits on the models and on speech: how long each takes on an idle shared 2-core machine, with a wide margin ("it
# never happens" limits, not speed targets — those live in bench/), scaled by the load when the wait starts
# (`scaled_ms`). The evaluation wait also covers the evaluator's retry policy: a timed-out attempt is retried
# TIMEOUT_MAX_RETRIES times (worker/evaluation/retry.py) before the UI shows a final failure.
QUESTION_IDLE_MS = 240_000
TRANSCRIPT_IDLE_MS = 180_000
EVALUATION_IDLE_MS = 360_000
REPORT_IDLE_MS = 360_000

KEYWORDS = {
    "en": ["payment", "python", "postgres", "redis", "retries", "retry", "service", "designed"],
}
BROWSER_LOCALE = {"en": "en-US", "ko": "ko-KR"}
_ENTRY = re.compile(r"""^\s*'([\w.]+)':\s*'((?:[^'\\]|\\.)*)',?\s*$""")


@cache
def ui_text(lang: str) -> dict[str, str]:
    """The UI's own message dictionary (frontend/src/i18n/<lang>.ts), so the test follows copy changes."""
    path = ROOT / "frontend" / "src" / "i18n" / f"{lang}.ts"
    messages: dict[str, str] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if m := _ENTRY.match(line):
            messages[m.group(1)] = m.group(2).replace("\\'", "'")
    return messages


def pattern(template: str) -> re.Pattern[str]:
    """'Score {score}' -> /Score \\d+/ for matching rendered messages with numbers in them."""
    parts = re.split(r"\{\w+\}", template)
    return re.compile(r"[\d.,]+".join(re.escape(p) for p in parts))


class Checks:
    def __init__(self, lang: str) -> None:
        self.artifacts = Artifacts(lang)
        self.violations: dict[str, list[dict[str, Any]]] = {}

    async def screen(self, page: Page, name: str, *, axe: bool = True) -> None:
        await self.artifacts.capture(page, name)
        if axe:
            found = await self.artifacts.axe(page, name)
            if found:
                self.violations[name] = found

    def assert_accessible(self) -> None:
        summary = {
            screen: [f"{v['id']} ({v['impact']}): {v['help']} @ {v['nodes'][0]['target']}" for v in found]
            for screen, found in self.violations.items()
        }
        assert not summary, f"axe-core serious/critical violations: {summary}"


async def sign_up(page: Page, t: dict[str, str], email: str, password: str) -> None:
    await page.get_by_role("link", name=t["auth.signupAction"]).click()
    await expect(page).to_have_url(re.compile(r"/signup$"))
    await page.get_by_label(t["auth.email"]).fill(email)
    await page.get_by_label(t["auth.password"], exact=True).fill(password)
    await page.get_by_role("button", name=t["auth.signupAction"]).click()
    await expect(page).to_have_url(re.compile(r"/$"))


# The interview itself is in English in both runs; the second run is the same flow with the Korean UI. Korean
# *speech* cannot be tested end to end here: espeak-ng's Korean voice is unintelligible to whisper-base (see
# shared notes), so Korean STT is covered by the Deepgram protocol tests (language=ko) instead.
INTERVIEW_LANGUAGE = "en"


async def run_interview(stack: Any, launch_browser: Any, unique_user: Any, lang: str) -> None:
    t = ui_text(lang)
    checks = Checks(lang)
    browser = await launch_browser(INTERVIEW_LANGUAGE)
    context = await new_context(browser, stack.base_url, BROWSER_LOCALE[lang])
    try:
        page = await context.new_page()

        # Signed out: redirected to sign-in, in the browser's language.
        await page.goto("/")
        await expect(page).to_have_url(re.compile(r"/signin$"))
        await expect(page.get_by_role("heading", level=1)).to_have_text(t["auth.signinTitle"])
        assert await page.evaluate("document.documentElement.lang") == lang
        await checks.screen(page, "01-signin")

        email, password = unique_user()
        await sign_up(page, t, email, password)
        await expect(page.get_by_role("link", name=t["home.newInterview"])).to_be_visible()
        await checks.screen(page, "02-home")

        # New interview: preset, language, one question, both consents, device check with a live mic level.
        await page.get_by_role("link", name=t["home.newInterview"]).click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(t["setup.title"])
        await page.get_by_role("button", name=t["preset.backend"]).click()
        await expect(page.get_by_label(t["setup.role"])).to_have_value(t["preset.backend"])
        await page.get_by_label(t["setup.language"]).select_option(INTERVIEW_LANGUAGE)
        await page.get_by_label(t["setup.numQuestions"]).fill("1")
        await page.get_by_role("switch", name=t["setup.consentCamera"]).click()
        await expect(page.get_by_role("switch", name=t["setup.consentVoice"])).to_have_attribute("aria-checked", "true")
        await page.get_by_role("button", name=t["setup.testDevices"]).click()
        await expect(page.get_by_label(t["setup.cameraPreview"])).to_be_visible()
        await page.wait_for_function(
            "() => Number(document.querySelector('[role=meter]')?.getAttribute('aria-valuenow')) > 0",
            timeout=scaled_ms(UI_STEP_IDLE_MS),
        )
        await checks.screen(page, "03-setup")
        await page.get_by_role("button", name=t["setup.start"]).click()
        await expect(page).to_have_url(re.compile(r"/interviews/[0-9a-f-]{36}$"))
        interview_url = page.url

        # The question streams in; "Finish answer" appears once it is complete.
        finish_answer = page.get_by_role("button", name=t["room.finishAnswer"])
        await expect(finish_answer).to_be_visible(timeout=scaled_ms(QUESTION_IDLE_MS))
        question = (await page.locator(".question-text p").first.inner_text()).strip()
        assert len(question) > 10, question
        # This flow finishes the answer with the button; hands-free (test_hands_free.py) would race it.
        await page.get_by_label(t["room.handsFree"]).uncheck()
        await checks.screen(page, "04-question")

        # The fake microphone's speech arrives in the live transcript.
        await page.wait_for_function(
            """(words) => {
                const text = (document.querySelector('.transcript-body')?.textContent || '').toLowerCase();
                return words.some((w) => text.includes(w));
            }""",
            arg=KEYWORDS[INTERVIEW_LANGUAGE],
            timeout=scaled_ms(TRANSCRIPT_IDLE_MS),
        )
        await checks.screen(page, "05-transcript")

        await finish_answer.click()
        # The outcome arrives live: a score, or — what the bundled SmolLM2's replies get from the content checks
        # (worker/evaluation/content.py) — "Scoring failed" with the reason, never a made-up score.
        scored, unscored = page.get_by_text(pattern(t["eval.score"])), page.get_by_text(t["eval.failed"])
        await expect(scored.or_(unscored).first).to_be_visible(timeout=scaled_ms(EVALUATION_IDLE_MS))
        was_scored = await scored.count() > 0
        await checks.screen(page, "06-evaluated")

        # Finish the interview: the report fills in once the summary is written.
        await page.get_by_role("button", name=t["room.finishInterview"]).click()
        await expect(page).to_have_url(re.compile(r"/interviews/[0-9a-f-]{36}/report$"))
        report_url = page.url
        assert report_url.startswith(interview_url)
        # Wait for the rendered report (the loading state has a title too), then for the summary to land: "no
        # pending banner" alone would also hold for a page that has not rendered yet.
        await expect(page.locator(".overall-panel")).to_be_visible(timeout=scaled_ms(REPORT_IDLE_MS))
        await expect(page.get_by_text(t["report.pending"])).to_have_count(0, timeout=scaled_ms(REPORT_IDLE_MS))
        await expect(page.get_by_role("heading", level=1)).to_have_text(t["report.title"])
        if was_scored:
            await expect(page.locator(".radar-chart svg")).to_be_visible(timeout=scaled_ms(REPORT_IDLE_MS))
            await expect(page.locator(".score-ring .score-value")).to_have_text(re.compile(r"\d"))
        else:  # the report says plainly which answer could not be scored and why
            await expect(page.get_by_text(t["report.unreliableTitle"] + ".")).to_be_visible()
        await expect(page.locator(".timeline-chart svg")).to_be_visible()
        await expect(page.locator(".question-card")).to_have_count(1)
        await checks.screen(page, "07-report")
        await page.emulate_media(media="print")
        await checks.artifacts.capture(page, "08-report-print")
        await page.emulate_media(media="screen")

        # Another account must not see this report, in the UI or through the API.
        intruder = await new_context(browser, stack.base_url, BROWSER_LOCALE[lang])
        try:
            other_email, other_password = unique_user()
            signup = await intruder.request.post(
                "/api/auth/signup", data={"email": other_email, "password": other_password, "locale": lang}
            )
            assert signup.status == 201, await signup.text()
            api_report = await intruder.request.get(report_url.replace("/interviews/", "/api/interviews/"))
            assert api_report.status in (403, 404), api_report.status
            other_page = await intruder.new_page()
            await other_page.goto(report_url)
            await expect(other_page.get_by_role("heading", level=1)).to_have_text(t["report.notFoundTitle"])
            await expect(other_page.locator(".radar-chart")).to_have_count(0)
            await checks.screen(other_page, "09-other-user-denied")
        finally:
            await intruder.close()
    finally:
        await context.close()
    checks.assert_accessible()


async def test_interview_flow_english(stack, launch_browser, unique_user):
    await run_interview(stack, launch_browser, unique_user, "en")


async def test_interview_flow_korean(stack, launch_browser, unique_user):
    await run_interview(stack, launch_browser, unique_user, "ko")
