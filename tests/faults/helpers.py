"""What a candidate does (over HTTP + SSE, like the browser) and the ledger that proves nothing acknowledged is lost.

Waits here are stall deadlines: they fail after a period with NO sign of progress (a new live event, the evaluator
generating, an evaluation row changing), not after a fixed total time measured on an idle machine. On a loaded
machine the work is slower but keeps moving, so the wait goes on; a real hang still fails within one period.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import psycopg

from tests.api.conftest import INTERVIEW, SseEvent, iter_sse, stream_next


@dataclass
class Candidate:
    client: httpx.AsyncClient
    interview_id: str = ""
    events: list[SseEvent] = field(default_factory=list)
    _watch: asyncio.Task[None] | None = None

    async def start_interview(self, **changes: Any) -> str:
        r = await self.client.post("/api/interviews", json={**INTERVIEW, "num_questions": 8, **changes})
        assert r.status_code == 201, r.text
        self.interview_id = r.json()["id"]
        self._watch = asyncio.create_task(self._follow())
        return self.interview_id

    async def _follow(self) -> None:
        """The interview's live events, as the browser's EventSource follows them (reconnecting with Last-Event-ID)."""
        last: str | None = None
        while True:
            headers = {"Last-Event-ID": last} if last else {}
            try:
                url = f"/api/interviews/{self.interview_id}/events"
                async with self.client.stream("GET", url, headers=headers, timeout=httpx.Timeout(60, connect=5)) as r:
                    async for ev in iter_sse(r):
                        self.events.append(ev)
                        last = ev.id or last
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)

    def seen(self, event: str) -> list[SseEvent]:
        return [e for e in self.events if e.event == event]

    async def wait_event(self, predicate: Any, stall_s: float, busy: Callable[[], bool] | None = None) -> SseEvent:
        """The first event matching `predicate`; fails after `stall_s` with no new event and `busy()` false."""
        deadline, seen = time.monotonic() + stall_s, len(self.events)
        while time.monotonic() < deadline:
            for ev in self.events:
                if predicate(ev):
                    return ev
            await asyncio.sleep(0.2)
            if len(self.events) > seen or (busy is not None and await asyncio.to_thread(busy)):
                deadline, seen = time.monotonic() + stall_s, len(self.events)
        raise AssertionError(f"event not seen, no progress for {stall_s:.0f} s; saw {[e.event for e in self.events]}")

    async def ask(self) -> list[SseEvent]:
        """Stream the next question; retries (like the UI's "ask again") while the API itself is unreachable."""
        return await stream_next(self.client, self.interview_id)

    async def next_question(self, attempts: int = 4) -> str:
        for _ in range(attempts):
            events = await self.ask()
            if events[-1].event == "done":
                return str(events[-1].data["question_id"])
        raise AssertionError(f"no question after {attempts} attempts: {events[-1].data}")

    async def close(self) -> None:
        if self._watch:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        await self.client.aclose()


@contextlib.asynccontextmanager
async def candidate(base_url: str) -> AsyncIterator[Candidate]:
    client = httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(120, connect=5))
    email = f"fault-{uuid.uuid4().hex[:10]}@example.com"
    r = await client.post("/api/auth/signup", json={"email": email, "password": "correct horse 1", "locale": "en"})
    assert r.status_code == 201, r.text
    c = Candidate(client)
    try:
        yield c
    finally:
        await c.close()


@dataclass
class Ledger:
    """Everything the product acknowledged to the candidate; `lost()` checks each one against PostgreSQL."""

    database_url: str
    answers: dict[str, tuple[str, int]] = field(default_factory=dict)  # answer id → (text, revision) last acked
    transcripts: set[str] = field(default_factory=set)  # segment ids announced by transcript.final

    async def submit(self, c: Candidate, question_id: str, text: str) -> httpx.Response:
        r = await c.client.post(f"/api/questions/{question_id}/answer", json={"text": text, "source": "typed"})
        if r.status_code == 202:
            body = r.json()
            self.answers[body["id"]] = (text, body["revision"])
        return r

    def note_transcripts(self, c: Candidate) -> None:
        for ev in c.seen("transcript.final"):
            if ev.data.get("segment_id"):
                self.transcripts.add(str(ev.data["segment_id"]))

    def _query(self) -> tuple[dict[str, tuple[str, int]], dict[str, tuple[str, int]], set[str]]:
        with psycopg.connect(self.database_url, connect_timeout=5) as conn:
            ids = [uuid.UUID(a) for a in self.answers]
            answers = {
                str(i): (t, r)
                for i, t, r in conn.execute("SELECT id, text, revision FROM answers WHERE id = ANY(%s)", [ids])
            }
            # A content rejection (the small models' replies) is a final outcome; a failure because a server went
            # away ("unavailable", "timeout") is a lost evaluation.
            evals = {
                str(a): ("lost" if s == "failed" and code in ("unavailable", "timeout") else s, r)
                for a, s, r, code in conn.execute(
                    "SELECT answer_id, status, answer_revision, error_code FROM evaluations WHERE answer_id = ANY(%s)",
                    [ids],
                )
            }
            segs = [uuid.UUID(s) for s in self.transcripts]
            found = {str(s) for (s,) in conn.execute("SELECT id FROM transcript_segments WHERE id = ANY(%s)", [segs])}
        return answers, evals, found

    async def settle(self, stall_s: float = 240.0, busy: Callable[[], bool] | None = None) -> None:
        """Wait until every acknowledged answer's evaluation has finished (ready or failed) for its revision, as
        long as evaluations keep moving (a row changes, or `busy()`: the evaluator is generating)."""
        deadline, last = time.monotonic() + stall_s, None
        while time.monotonic() < deadline:
            _, evals, _ = await asyncio.to_thread(self._query)
            if all(evals.get(a, ("pending", 0))[0] != "pending" for a in self.answers):
                return
            await asyncio.sleep(1.0)
            if evals != last or (busy is not None and await asyncio.to_thread(busy)):
                deadline, last = time.monotonic() + stall_s, evals

    async def lost(self) -> dict[str, int]:
        answers, evals, found = await asyncio.to_thread(self._query)
        lost_answers = sum(1 for a, (text, _rev) in self.answers.items() if answers.get(a, ("", 0))[0] != text)
        lost_evals = sum(
            1
            for a, (_text, rev) in self.answers.items()
            if evals.get(a, ("missing", 0))[0] not in ("ready", "failed") or evals[a][1] < rev
        )
        return {"answers": lost_answers, "evaluations": lost_evals, "transcripts": len(self.transcripts - found)}

    def checked(self) -> str:
        return f"{len(self.answers)} answers, {len(self.transcripts)} transcripts"
