"""The page backdrop covers long pages to the bottom (issue 20: it used to end half-way down a long report).

The built UI (`frontend/dist`, `make frontend`) runs in Debian's Chromium with the API answered from fixtures (a
finished report with many questions), so this needs no stack. Checked on the rendered page: the root element, whose
box positions the backdrop, is as tall as the document; a full-page screenshot has no seam (a jump in colour) in the
page margin, where only the backdrop shows; and axe-core finds no serious or critical violation on the long report.
"""

from __future__ import annotations

import json
import mimetypes
from typing import Any

import pytest
from PIL import Image
from playwright.async_api import Playwright, Route, expect

from tests.e2e.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS, ROOT, Artifacts

pytestmark = pytest.mark.asyncio(loop_scope="session")

DIST = ROOT / "frontend" / "dist"
QUESTIONS = 14
ORIGIN = "http://rehearsal.test"


def _evaluation(score: int) -> dict[str, Any]:
    return {
        "status": "ready",
        "overall_score": score,
        "rubric": {"relevance": score, "depth": 3, "structure": 4, "clarity": 4, "evidence": 3},
        "strengths": ["Clear trade-offs", "Concrete numbers"],
        "improvements": ["Quantify the load", "Name the failure modes"],
        "model_answer": "Start from the requirements, then size the system and name the trade-offs. " * 3,
        "error": None,
        "error_code": None,
    }


def long_report() -> dict[str, Any]:
    metrics = {"words": 120, "syllables": 0, "duration_s": 52, "wpm": 138, "spm": None, "fillers": {"um": 3}}
    metrics |= {"filler_count": 3, "long_pauses": 1}
    interview = {
        "id": "iv1",
        "role": "Backend engineer",
        "role_preset": "backend",
        "seniority": "mid",
        "language": "en",
        "num_questions": QUESTIONS,
        "consent_camera": False,
        "consent_voice": True,
        "status": "finished",
        "created_at": "2026-11-24T10:00:00Z",
        "overall_score": 3.6,
    }
    questions = [
        {
            "id": f"q{n}",
            "position": n,
            "kind": "technical",
            "source": "generated",
            "competency": "system_design",
            "key_points": [{"text": "Idempotency keys", "covered": n % 2 == 0}],
            "anchors": None,
            "question": f"Question {n}: design a payment retry service that survives a regional outage.",
            "answer": {
                "id": f"a{n}",
                "text": "I would start from the requirements. " * 8,
                "source": "speech",
                "revision": 1,
                "started_at": None,
                "ended_at": None,
                "speech_metrics": metrics,
            },
            "evaluation": _evaluation(3 + n % 3),
            "speech_metrics": metrics,
            "transcript": [],
            "expression": None,
        }
        for n in range(1, QUESTIONS + 1)
    ]
    empty_expression: dict[str, Any] = {
        "samples": 0,
        "face_samples": 0,
        "face_present_ratio": None,
        "distribution": {},
        "mean_scores": {},
        "mean_confidence": None,
        "mean_detector_confidence": None,
        "dominant": None,
    }
    return {
        "status": "ready",
        "error": None,
        "interview": interview,
        "plan": None,
        "overall_score": 3.6,
        "rubric": {"relevance": 3.5, "depth": 3, "structure": 4, "clarity": 4, "evidence": 3},
        "summary": "Solid structure; quantify more.",
        "strengths": ["Structured answers"],
        "practice": ["Numbers"],
        "questions": questions,
        "expression": empty_expression,
        "expression_timeline": [],
        "question_marks": [],
        "speaking": {"avg_wpm": 138, "avg_spm": None, "filler_count": 42, "fillers": {"um": 42}, "long_pauses": 14},
        "disclaimer": "",
    }


API = {
    "/api/auth/me": {"id": "u1", "email": "a@b.co", "display_name": "Ada", "locale": "en"},
    "/api/interviews/iv1/report": long_report(),
    "/api/models": {"question": {"model": "m", "demo": False}, "evaluator": {"model": "m", "demo": False}},
}


async def serve(route: Route) -> None:
    """The built UI with the API answered from fixtures; any other path is the SPA's index.html."""
    path = route.request.url.removeprefix(ORIGIN).split("?")[0]
    if path.startswith("/api/"):
        if path in API:
            await route.fulfill(status=200, content_type="application/json", body=json.dumps(API[path]))
        else:
            await route.fulfill(status=404, content_type="application/json", body='{"detail": "Not Found"}')
        return
    file = DIST / path.lstrip("/")
    if not file.is_file():
        file = DIST / "index.html"
    content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    await route.fulfill(status=200, content_type=content_type, body=file.read_bytes())


async def test_backdrop_covers_a_long_report(playwright_instance: Playwright) -> None:
    if not (DIST / "index.html").is_file():
        pytest.fail("frontend/dist is missing: run `make frontend`")
    browser = await playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
    try:
        context = await browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
        await context.route(f"{ORIGIN}/**", serve)
        page = await context.new_page()
        await page.goto(f"{ORIGIN}/interviews/iv1/report")
        await expect(page.locator(".question-card")).to_have_count(QUESTIONS)

        box = await page.evaluate(
            """() => ({
                viewport: window.innerHeight,
                document: document.documentElement.scrollHeight,
                root: document.documentElement.getBoundingClientRect().height,
                header: document.querySelector('.app-header').getBoundingClientRect().bottom,
            })"""
        )
        assert box["document"] > 3 * box["viewport"], box  # a long page, or the check proves nothing

        artifacts = Artifacts("backdrop")
        await artifacts.capture(page, "long-report")
        shot = Image.open(ARTIFACTS / "backdrop-long-report.png").convert("RGB")
        assert shot.height >= box["document"]
        # Below the header, the page margin (left of the centred content) shows only the backdrop: a smooth
        # gradient, without a seam where a viewport-sized backdrop would end.
        strip = shot.crop((4, 0, 5, shot.height)).tobytes()  # one RGB pixel per row
        column = [tuple(strip[i : i + 3]) for i in range(0, len(strip), 3)]
        jumps = [
            (y, column[y - 1], column[y])
            for y in range(int(box["header"]) + 4, len(column))
            if max(abs(a - b) for a, b in zip(column[y - 1], column[y], strict=True)) > 6
        ]
        assert not jumps, f"seams in the backdrop at {jumps[:5]}"
        # The backdrop is positioned against the root element's box: it must reach the end of the document.
        assert box["root"] >= box["document"], box
        found = await artifacts.axe(page, "long-report")
        assert not found, f"axe-core serious/critical violations: {found}"
        await context.close()
    finally:
        await browser.close()
