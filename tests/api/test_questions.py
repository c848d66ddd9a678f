"""Streamed, adaptive questions against a real question llama-server (SmolLM2-135M)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from core.question_bank import load_bank
from tests.api.conftest import INTERVIEW, NewUser, SseEvent, iter_sse, listening, stream_question
from tests.recording_proxy import RecordingProxy


async def test_questions_stream_and_adapt_to_earlier_answers(new_user: NewUser, question_proxy: RecordingProxy) -> None:
    user = await new_user()
    c = user.client
    interview = (await c.post("/api/interviews", json=INTERVIEW)).json()
    iid = interview["id"]
    kinds, sources = [], []
    plan = (await c.get(f"/api/interviews/{iid}")).json()["plan"]
    assert [s["position"] for s in plan["slots"]] == [1, 2, 3]
    bank = load_bank()
    for position in (1, 2, 3):
        question_proxy.clear()
        events = await stream_question(user, iid)
        names = [e.event for e in events]
        assert names[0] == "started" and events[0].data["position"] == position
        assert names[-1] == "done", events[-1].data
        assert names.count("token") >= 2  # token by token, not one blob
        done = events[-1].data
        streamed = "".join(e.data["text"] for e in events if e.event == "token")
        assert streamed.strip() == done["text"]  # only validated text is streamed: nothing shown is taken back
        kinds.append(done["kind"])
        sources.append(done["source"])
        slot = plan["slots"][position - 1]
        assert done["competency"] == slot["competency"]
        if done["source"] == "bank":
            assert done["text"] == bank.get(slot["bank_id"]).text
        sent = question_proxy.requests_text()
        assert json.dumps(bank.get(slot["bank_id"]).text)[1:-1] in sent  # grounded in the plan's bank question
        assert '"stream":true' in sent.replace(" ", "")
        for earlier in range(1, position):
            assert f"MARKER-{earlier}-ZEBRA" in sent, f"prompt {position} lacks answer {earlier}"
        assert "<job_description>" in sent and "payment APIs" in sent
        r = await c.post(
            f"/api/questions/{done['question_id']}/answer",
            json={"text": f"I led the ledger rewrite, MARKER-{position}-ZEBRA, um, with Postgres.", "source": "typed"},
        )
        assert r.status_code == 202, r.text
        assert r.json()["speech_metrics"] == {}  # typed: no pace, no spoken fillers
    assert kinds[0] == "opening" and kinds[2] == "closing"
    assert set(sources) <= {"generated", "bank"}  # no follow-up at the opening or the closing
    detail = (await c.get(f"/api/interviews/{iid}")).json()
    assert [q["position"] for q in detail["questions"]] == [1, 2, 3]
    assert [q["source"] for q in detail["questions"]] == sources
    assert len({q["text"] for q in detail["questions"]}) == 3  # never repeats
    # All questions asked: a fourth is refused without calling the model.
    r = await c.post(f"/api/interviews/{iid}/questions/next")
    assert r.status_code == 409 and "all questions" in r.json()["detail"]


async def test_next_question_requires_an_answer_first(new_user: NewUser) -> None:
    user = await new_user()
    iid = (await user.client.post("/api/interviews", json=INTERVIEW)).json()["id"]
    assert (await stream_question(user, iid))[-1].event == "done"
    r = await user.client.post(f"/api/interviews/{iid}/questions/next")
    assert r.status_code == 409 and "answer the current question" in r.json()["detail"]


async def test_concurrent_generation_is_refused(new_user: NewUser, question_proxy: RecordingProxy) -> None:
    user = await new_user()
    iid = (await user.client.post("/api/interviews", json=INTERVIEW)).json()["id"]
    question_proxy.hold()  # the model's reply waits in the proxy: the first generation is surely still running
    try:
        async with user.client.stream("POST", f"/api/interviews/{iid}/questions/next") as first:
            assert first.status_code == 200
            events = iter_sse(first)
            assert (await anext(events)).event == "started"  # sent once the generation lock is held
            second = await user.client.post(f"/api/interviews/{iid}/questions/next")
            assert second.status_code == 409
            assert second.json()["detail"] == "a question is already being generated for this interview"
            question_proxy.release()
            rest = [ev async for ev in events]
        assert rest[-1].event == "done", rest[-1].data
    finally:
        question_proxy.release()
    detail = (await user.client.get(f"/api/interviews/{iid}")).json()
    assert len(detail["questions"]) == 1


async def test_events_stream_is_live_and_resumable(new_user: NewUser) -> None:
    user = await new_user()
    iid = (await user.client.post("/api/interviews", json=INTERVIEW)).json()["id"]
    seen: list[SseEvent] = []

    async def consume(events: AsyncIterator[SseEvent]) -> None:
        async for ev in events:
            seen.append(ev)
            if ev.event == "question.ready":
                return

    listener = await listening(user, iid, consume)
    await stream_question(user, iid)
    await asyncio.wait_for(listener, 60)
    types = [e.event for e in seen]
    assert types[0] == "question.started" and "question.token" in types and types[-1] == "question.ready"
    # Resume from the first event: everything after it is replayed, in order, with the same ids.
    async with user.client.stream(
        "GET", f"/api/interviews/{iid}/events", headers={"Last-Event-ID": seen[0].id or ""}
    ) as resp:
        replay = []
        async for ev in iter_sse(resp):
            replay.append(ev)
            if ev.event == "question.ready":
                break
    assert [e.id for e in replay] == [e.id for e in seen[1:]]
    bad = await user.client.get(f"/api/interviews/{iid}/events", headers={"Last-Event-ID": "nonsense"})
    assert bad.status_code == 422
