"""Issue 4's whole interview against real processes: API, question + evaluator llama-server (SmolLM2), evaluation
worker, PostgreSQL and Redis — setup → 3 streamed questions → answers → evaluations → finish → report."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.api.conftest import (
    INTERVIEW,
    Consumer,
    NewUser,
    SseEvent,
    listening,
    start_worker,
    stop_process,
    stream_question,
)
from tests.evaluator_standin import evaluator_standin

ANSWERS = [
    "I have five years of backend work in Python. Um, I built a ledger service that handled two million "
    "payments a day, with PostgreSQL and Redis for idempotency keys.",
    "I would put an idempotency key on every payment request, store it with the result in PostgreSQL inside "
    "the same transaction, and return the stored result on a retry. Uh, Redis can cache hot keys.",
    "When our ledger drifted, I traced it to a race in refunds, added a unique constraint and a reconciliation "
    "job, and the drift went to zero within a week.",
]


def _terminal(ev: SseEvent) -> bool:
    """An outcome the interview will keep: ready, or failed after the last retry (a non-final failure retries)."""
    if ev.event == "evaluation.failed":
        return bool(ev.data["final"])
    return ev.event in ("evaluation.ready", "report.ready", "report.failed")


def _collector(until: set[str], count: int, sink: list[SseEvent]) -> Consumer:
    async def consume(events: AsyncIterator[SseEvent]) -> None:
        done: set[str] = set()  # one terminal outcome per question (or one report)
        async for ev in events:
            sink.append(ev)
            if ev.event in until and _terminal(ev):
                done.add(str(ev.data.get("question_id", "report")))
                if len(done) >= count:
                    return

    return consume


@pytest.fixture(scope="module")
def standin_worker(api_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The evaluation worker against a stand-in for a production-quality evaluator (tests/evaluator_standin.py):
    SmolLM2's rubric replies fail the content checks, as they should, and this test is about the whole flow."""
    with evaluator_standin() as (url, _):
        proc = start_worker({**api_env, "LLM_EVALUATOR__BASE_URLS": url}, tmp_path_factory.mktemp("worker"))
        try:
            yield
        finally:
            stop_process(proc)


async def test_full_interview_with_evaluations_and_report(new_user: NewUser, standin_worker: None) -> None:
    user = await new_user()
    c = user.client
    iid = (await c.post("/api/interviews", json=INTERVIEW)).json()["id"]
    events: list[SseEvent] = []
    listener = await listening(user, iid, _collector({"evaluation.ready", "evaluation.failed"}, 3, events))

    question_ids = []
    for answer in ANSWERS:
        done = (await stream_question(user, iid))[-1]
        assert done.event == "done", done.data
        question_ids.append(done.data["question_id"])
        r = await c.post(
            f"/api/questions/{done.data['question_id']}/answer",
            json={
                "text": answer,
                "source": "speech",
                "started_at": "2026-01-01T10:00:00Z",
                "ended_at": "2026-01-01T10:00:30Z",
            },
        )
        assert r.status_code == 202, r.text
        assert r.json()["speech_metrics"]["wpm"] > 0

    await asyncio.wait_for(listener, 600)
    outcomes = [e for e in events if e.event in ("evaluation.ready", "evaluation.failed") and _terminal(e)]
    assert {e.data["question_id"] for e in outcomes} == set(question_ids)
    assert [e.event for e in events].count("evaluation.pending") == 3

    detail = (await c.get(f"/api/interviews/{iid}")).json()
    for q in detail["questions"]:
        ev = q["evaluation"]
        assert ev["status"] in ("ready", "failed")
        if ev["status"] == "ready":  # a real, validated evaluation — never a default
            assert 1 <= ev["overall_score"] <= 5
            assert set(ev["rubric"]) == {"relevance", "depth", "structure", "clarity", "evidence"}
            assert all(1 <= v <= 5 for v in ev["rubric"].values())
            assert ev["model_answer"]
        else:
            assert ev["overall_score"] is None and ev["error"] and ev["error_code"]
    assert any(q["evaluation"]["status"] == "ready" for q in detail["questions"])

    report_events: list[SseEvent] = []
    waiter = await listening(user, iid, _collector({"report.ready", "report.failed"}, 1, report_events))
    assert (await c.post(f"/api/interviews/{iid}/finish")).json()["status"] == "finishing"
    assert (await c.post(f"/api/interviews/{iid}/finish")).status_code == 202  # idempotent
    await asyncio.wait_for(waiter, 300)
    assert report_events[-1].event == "report.ready", report_events[-1].data

    report = (await c.get(f"/api/interviews/{iid}/report")).json()
    assert report["status"] == "ready"
    assert report["interview"]["status"] == "finished"
    assert report["summary"]
    assert 1 <= len(report["strengths"]) <= 3 and 1 <= len(report["practice"]) <= 3
    assert report["overall_score"] is not None and 1.0 <= report["overall_score"] <= 5.0
    assert [q["position"] for q in report["questions"]] == [1, 2, 3]
    assert report["questions"][0]["answer"]["text"] == ANSWERS[0]
    assert report["speaking"]["fillers"] == {"um": 1, "uh": 1}
    assert report["expression"]["samples"] == 0  # no camera consent: no expression data at all
    listed = (await c.get("/api/interviews")).json()
    assert listed[0]["id"] == iid and listed[0]["overall_score"] == report["overall_score"]
    assert listed[0]["answered"] == 3
    # A finished interview cannot be changed.
    late = await c.post(f"/api/questions/{question_ids[0]}/answer", json={"text": "changed"})
    assert late.status_code == 409
