"""Hands-free answers in a real browser (issue 20 acceptance), with the English and the Korean UI:

two questions answered by voice without clicking "Finish answer". The fake microphone plays an answer with a
1.5 s pause in the middle of the sentence, then a long silence, in a loop. The pause must not end the answer (the
stored answer has the words from both sides of it); the silence after it must: the room shows its countdown and
submits the answer by itself. The interview is in English in both runs (espeak-ng's Korean is unintelligible to
whisper-base; see test_interview_flow.py).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, Playwright, expect

from bench._speech_clips import make_clip, write_wav
from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, _require_tools, new_context, scaled_ms
from tests.e2e.test_interview_flow import BROWSER_LOCALE, QUESTION_IDLE_MS, Checks, pattern, sign_up, ui_text

pytestmark = pytest.mark.asyncio(loop_scope="session")

# "I designed a payment service, [1.5 s] in Python with Postgres and Redis." then silence; Chromium loops the file.
PAUSE_S = 1.5
TAIL_S = 15.0
BEFORE_PAUSE = ("designed", "payment", "service")
AFTER_PAUSE = ("python", "postgres", "redis")
# One loop of the file, the countdown, and speech-to-text catching up on a busy machine, with a wide margin.
ANSWER_IDLE_MS = 120_000


@pytest.fixture(scope="module")
def answer_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _require_tools()
    clip = make_clip("en", 0, pause_s=PAUSE_S, tail_s=TAIL_S)
    return write_wav(tmp_path_factory.mktemp("hands-free") / "answer.wav", clip.pcm, rate=48_000)


@pytest.fixture(scope="module")
async def voice_browser(playwright_instance: Playwright, answer_wav: Path) -> AsyncIterator[Browser]:
    browser = await playwright_instance.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_FLAGS, f"--use-file-for-fake-audio-capture={answer_wav}"],
    )
    yield browser
    await browser.close()


async def answer_by_voice(page: Page, t: dict[str, str], checks: Checks, n: int) -> None:
    """The question is on screen; the candidate only speaks. The countdown shows, then the answer goes by itself."""
    finish_answer = page.get_by_role("button", name=t["room.finishAnswer"])
    await expect(finish_answer).to_be_visible(timeout=scaled_ms(QUESTION_IDLE_MS))
    hands_free = page.get_by_label(t["room.handsFree"])
    await expect(hands_free).to_be_checked()  # on by default
    # The looping microphone does not wait for the question: the question may appear in the middle of a sentence,
    # and its second half alone would be a (short) answer of its own. Hands-free goes on once a loop's last words
    # are final in the transcript (after that loop's turn has ended: the STT finalises 0.7 s after the speech, the
    # turn ends 0.3 s after it), so the answer it finishes holds a whole sentence with its pause.
    await hands_free.uncheck()
    await page.wait_for_function(
        """(words) => {
            const finals = [...document.querySelectorAll('.transcript-final')].map((e) => e.textContent || '');
            const text = finals.join(' ').toLowerCase();
            return words.some((w) => text.includes(w));
        }""",
        arg=list(AFTER_PAUSE),
        timeout=scaled_ms(ANSWER_IDLE_MS),
    )
    await hands_free.check()
    countdown = page.get_by_text(pattern(t["room.handsFreeCountdown"]))
    await expect(countdown).to_be_visible(timeout=scaled_ms(ANSWER_IDLE_MS))
    await checks.screen(page, f"hands-free-{n}-countdown")
    await expect(finish_answer).to_have_count(0, timeout=scaled_ms(ANSWER_IDLE_MS))


async def run_hands_free(stack: Any, voice_browser: Browser, unique_user: Any, lang: str) -> None:
    t = ui_text(lang)
    checks = Checks(f"hands-free-{lang}")
    context = await new_context(voice_browser, stack.base_url, BROWSER_LOCALE[lang])
    try:
        page = await context.new_page()
        await page.goto("/")
        await expect(page).to_have_url(re.compile(r"/signin$"))
        email, password = unique_user()
        await sign_up(page, t, email, password)

        await page.get_by_role("link", name=t["home.newInterview"]).click()
        await page.get_by_role("button", name=t["preset.backend"]).click()
        await page.get_by_label(t["setup.language"]).select_option("en")
        await page.get_by_label(t["setup.numQuestions"]).fill("2")
        await expect(page.get_by_role("switch", name=t["setup.consentVoice"])).to_have_attribute("aria-checked", "true")
        await page.get_by_role("button", name=t["setup.start"]).click()
        await expect(page).to_have_url(re.compile(r"/interviews/[0-9a-f-]{36}$"))
        interview_id = page.url.rsplit("/", 1)[-1]

        await answer_by_voice(page, t, checks, 1)
        await page.get_by_role("button", name=t["room.nextQuestion"]).click()
        await answer_by_voice(page, t, checks, 2)
        await expect(page.get_by_role("button", name=t["room.finishInterview"])).to_be_visible()

        detail = await context.request.get(f"/api/interviews/{interview_id}")
        assert detail.ok, await detail.text()
        answers = [q["answer"] for q in sorted((await detail.json())["questions"], key=lambda q: q["position"])]
        assert len(answers) == 2 and all(answers), answers
        for answer in answers:
            text = answer["text"].lower()
            assert answer["source"] == "speech", answer
            # The words after the mid-sentence pause follow the last words before it: the pause did not end the
            # answer (an answer cut there would end with the first half).
            last_before = max(text.rfind(w) for w in BEFORE_PAUSE)
            assert last_before >= 0, text
            assert any(w in text[last_before:] for w in AFTER_PAUSE), text
    finally:
        await context.close()
    checks.assert_accessible()


async def test_hands_free_english(stack, voice_browser, unique_user):
    await run_hands_free(stack, voice_browser, unique_user, "en")


async def test_hands_free_korean_ui(stack, voice_browser, unique_user):
    await run_hands_free(stack, voice_browser, unique_user, "ko")
