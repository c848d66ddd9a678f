"""Browser end-to-end fixtures: Debian's headless Chromium with a fake camera and microphone fed from files.

The camera plays a y4m made from a real face photo (scikit-image's astronaut) and the microphone a WAV spoken by
espeak-ng, so the whole path (WebRTC → media server → STT / expression analysis → live events → UI) runs on real
signals. Screenshots and axe-core results go to `test-artifacts/e2e/`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
AXE_JS = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"

# Debian's Chromium; the networking flags stop it from calling home, the loopback flags let WebRTC connect to the
# media server on 127.0.0.1 (see shared notes: webrtc-browser).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--allow-loopback-in-peer-connection",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--autoplay-policy=no-user-gesture-required",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]

# Spoken answers. Short sentences separated by pauses so the STT finalises segments while the test waits.
SPEECH = {
    "en": "I designed a payment service in Python. We used Postgres and Redis. "
    "The hardest part was handling retries safely.",
}
ESPEAK_VOICE = {"en": "en-us"}


def _require_tools() -> None:
    for tool in (CHROMIUM, "ffmpeg", "espeak-ng"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is missing: run `make system-deps`")
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make frontend` (npm ci installs axe-core)")


@pytest.fixture(scope="session")
def fake_media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """face.y4m (astronaut photo, 640×480, 10 fps, 4 s loop) and one speech WAV per language."""
    _require_tools()
    from PIL import Image
    from skimage import data

    out = tmp_path_factory.mktemp("fake-media")
    photo = out / "face.png"
    Image.fromarray(data.astronaut()).save(photo)  # type: ignore[no-untyped-call]
    video = out / "face.y4m"
    subprocess.run(
        [
            "ffmpeg", "-loglevel", "error", "-y", "-loop", "1", "-i", str(photo), "-t", "4", "-r", "10",
            "-vf", "scale=640:480:force_original_aspect_ratio=increase,crop=640:480", "-pix_fmt", "yuv420p",
            str(video),
        ],
        check=True,
    )  # fmt: skip
    files = {"video": video}
    for lang, text in SPEECH.items():
        raw = out / f"speech-{lang}-raw.wav"
        subprocess.run(["espeak-ng", "-v", ESPEAK_VOICE[lang], "-s", "150", "-w", str(raw), text], check=True)
        wav = out / f"speech-{lang}.wav"
        # 48 kHz mono with 3 s of trailing silence: Chromium loops the file, and the pause closes each utterance.
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-y", "-i", str(raw), "-af", "apad=pad_dur=3", "-ar", "48000",
             "-ac", "1", str(wav)],
            check=True,
        )  # fmt: skip
        files[lang] = wav
    return files


@pytest.fixture(scope="session")
async def playwright_instance() -> AsyncIterator[Playwright]:
    async with async_playwright() as p:
        yield p


BrowserFactory = Callable[[str], Awaitable[Browser]]


@pytest.fixture(scope="session")
async def launch_browser(playwright_instance: Playwright, fake_media: dict[str, Path]) -> AsyncIterator[BrowserFactory]:
    """One Chromium per speech language (the fake microphone file is a launch flag). All closed at the end."""
    browsers: dict[str, Browser] = {}

    async def launch(lang: str) -> Browser:
        if lang not in browsers:
            browsers[lang] = await playwright_instance.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=[
                    *CHROMIUM_FLAGS,
                    f"--use-file-for-fake-video-capture={fake_media['video']}",
                    f"--use-file-for-fake-audio-capture={fake_media[lang]}",
                ],
            )
        return browsers[lang]

    yield launch
    for browser in browsers.values():
        await browser.close()


# A UI step (a click, a navigation, a render) on an idle machine takes well under a second; 20 s is "never happens"
# there. On a shared, oversubscribed machine every step is slower by about the run queue's length per core, so the
# limit grows with it (measured when the wait starts), instead of failing the flow because other work is running.
UI_STEP_IDLE_MS = 20_000


def load_factor() -> float:
    """Runnable processes per core right now (1-minute load average), at least 1."""
    return max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))


def scaled_ms(idle_ms: float) -> float:
    return idle_ms * load_factor()


async def new_context(browser: Browser, base_url: str, locale: str) -> BrowserContext:
    context = await browser.new_context(
        base_url=base_url,
        locale=locale,  # navigator.languages: the UI must default to it
        viewport={"width": 1280, "height": 900},
        permissions=["camera", "microphone"],
        reduced_motion="reduce",
    )
    context.set_default_timeout(scaled_ms(UI_STEP_IDLE_MS))
    return context


@dataclass
class Artifacts:
    prefix: str

    async def capture(self, page: Page, screen: str, *, full_page: bool = True) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / f"{self.prefix}-{screen}.png"), full_page=full_page)

    async def axe(self, page: Page, screen: str) -> list[dict[str, Any]]:
        """Run axe-core on the page; return serious/critical violations (all results are saved for review)."""
        if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
            await page.add_script_tag(path=str(AXE_JS))
        result = await page.evaluate(
            """async () => {
                const r = await window.axe.run(document, {
                  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
                  resultTypes: ['violations'],
                });
                return r.violations.map(v => ({
                  id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.slice(0, 5).map(n => ({ target: n.target, summary: n.failureSummary })),
                }));
            }"""
        )
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"{self.prefix}-{screen}.axe.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
        return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.fixture
def unique_user() -> Callable[[], tuple[str, str]]:
    def make() -> tuple[str, str]:
        return f"e2e-{uuid.uuid4().hex[:10]}@example.com", f"pw-{uuid.uuid4().hex[:12]}"

    return make
