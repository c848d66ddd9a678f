"""An evaluator on a busy machine, in a real worker against the real llama-server behind a pacing proxy.

- Slow (the whole reply takes longer than the read timeout, as on a machine running at a fraction of its speed)
  or stuck (nothing comes back): a timeout is retried as the policy says (`TIMEOUT_MAX_RETRIES`), no more, and the
  candidate is told why at each step (`evaluation.failed`, `error_code: "timeout"`, `final` false then true).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import redis
from sqlmodel import col, select

from core.db.engine import get_sessionmaker
from core.db.models import Evaluation, JobStatus
from launcher.llama import LlamaServer
from tests.worker.evaluation.helpers import create_answer, enqueue_evaluation, evaluation_worker, wait_for_event
from worker.evaluation.retry import TIMEOUT_MAX_RETRIES

ANSWER = (
    "I led the migration of our billing service from a monolith to three services. I wrote the plan, moved the "
    "invoice generation first behind a feature flag, compared outputs for two weeks and then switched traffic."
)
PER_TOKEN_S = 0.05  # a machine generating 20 tokens/s
READ_TIMEOUT_S = 5  # shorter than the whole reply (> 100 tokens), far longer than the gap between two tokens


class _PacingHandler(BaseHTTPRequestHandler):
    """Forwards to llama-server, releasing each streamed token PER_TOKEN_S apart; a non-streamed reply comes
    after as long as its tokens would take (silence meanwhile, as from a busy server). `stuck`: never answers."""

    protocol_version = "HTTP/1.1"
    upstream = ""
    stuck = False
    released: ClassVar[threading.Event] = threading.Event()
    requests: ClassVar[list[bool]] = []  # `stream` flag of each completion request

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        r = httpx.get(self.upstream + self.path, timeout=30)
        self._send(r.status_code, r.content, r.headers.get("content-type", "application/json"))

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        request = json.loads(body)
        type(self).requests.append(bool(request.get("stream")))
        if self.stuck:
            self.released.wait()
            return
        if not request.get("stream"):
            r = httpx.post(self.upstream + self.path, content=body, headers={"Content-Type": "application/json"})
            tokens = r.json().get("usage", {}).get("completion_tokens", 0)
            time.sleep(tokens * PER_TOKEN_S)
            self._send(r.status_code, r.content)
            return
        with httpx.stream(
            "POST", self.upstream + self.path, content=body, headers={"Content-Type": "application/json"}, timeout=300
        ) as r:
            self.send_response(r.status_code)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for line in r.iter_lines():
                if not line:
                    continue
                if line.startswith("data:") and "[DONE]" not in line:
                    time.sleep(PER_TOKEN_S)
                data = (line + "\n\n").encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")


@contextmanager
def pacing_proxy(upstream: str, *, stuck: bool = False) -> Iterator[tuple[str, type[_PacingHandler]]]:
    attrs = {"upstream": upstream, "stuck": stuck, "released": threading.Event(), "requests": []}
    handler: type[_PacingHandler] = type("PacingHandler", (_PacingHandler,), attrs)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        handler.released.set()
        server.shutdown()
        server.server_close()


async def evaluation_row(answer_id: uuid.UUID) -> Evaluation:
    async with get_sessionmaker()() as session:
        return (await session.exec(select(Evaluation).where(col(Evaluation.answer_id) == answer_id))).one()


def _evaluation_events(client: redis.Redis, interview_id: uuid.UUID) -> list[dict[str, Any]]:
    from tests.worker.evaluation.helpers import events_of

    return [e for e in events_of(client, interview_id) if e["type"].startswith("evaluation.")]


async def test_slow_evaluator_is_not_restarted_past_the_policy(
    service_env, db_session, redis_client: redis.Redis, llama_smol: LlamaServer, tmp_path: Path
) -> None:
    # The probe's finding 6: on a busy machine every reply took longer than the read timeout and the same work was
    # started again and again (12 attempts in 4 minutes here before the fix, "unavailable" each time).
    interview, _, answer = await create_answer(db_session, ANSWER)
    with (
        pacing_proxy(llama_smol.base_url) as (url, handler),
        evaluation_worker(
            service_env,
            tmp_path / "logs",
            LLM_EVALUATOR__BASE_URLS=url,
            LLM_EVALUATOR__READ_TIMEOUT_S=str(READ_TIMEOUT_S),
            LLM_EVALUATOR__MODEL=llama_smol.alias,
        ),
    ):
        enqueue_evaluation(answer.id)
        # The attempts the policy allows, each as long as the paced reply or the read timeout: wait for the outcome.
        outcome = wait_for_event(
            redis_client,
            interview.id,
            lambda e: e["type"] == "evaluation.ready" or (e["type"] == "evaluation.failed" and e["final"]),
            timeout_s=300,
        )
        row = await evaluation_row(answer.id)
        requests = len(handler.requests)
    failed = [e for e in _evaluation_events(redis_client, interview.id) if e["type"] == "evaluation.failed"]
    assert row.attempts <= 1 + TIMEOUT_MAX_RETRIES, row.attempts
    assert requests == row.attempts  # each attempt asked the model once: nothing restarted behind the policy
    # The candidate is told why at each step: a timeout, retrying, then (if it never came back in time) final.
    assert all(e["error_code"] == "timeout" for e in failed), failed
    if outcome["type"] == "evaluation.failed":
        assert [e["final"] for e in failed] == [False] * TIMEOUT_MAX_RETRIES + [True]
        assert f"sent nothing for {READ_TIMEOUT_S} s" in outcome["reason"]


async def test_stuck_evaluator_is_retried_as_the_policy_says_and_the_candidate_is_told(
    service_env, db_session, redis_client: redis.Redis, llama_smol: LlamaServer, tmp_path: Path
) -> None:
    interview, _, answer = await create_answer(db_session, ANSWER)
    with (
        pacing_proxy(llama_smol.base_url, stuck=True) as (url, handler),
        evaluation_worker(
            service_env,
            tmp_path / "logs",
            LLM_EVALUATOR__BASE_URLS=url,
            LLM_EVALUATOR__READ_TIMEOUT_S="2",
            LLM_EVALUATOR__MODEL=llama_smol.alias,
        ),
    ):
        enqueue_evaluation(answer.id)
        # (1 + TIMEOUT_MAX_RETRIES) attempts of 2 s each plus the backoff between them; generous for a busy machine.
        final = wait_for_event(
            redis_client, interview.id, lambda e: e["type"] == "evaluation.failed" and e["final"], timeout_s=180
        )
        row = await evaluation_row(answer.id)
        calls = len(handler.requests)
    failed = [e for e in _evaluation_events(redis_client, interview.id) if e["type"] == "evaluation.failed"]
    assert [e["final"] for e in failed] == [False] * TIMEOUT_MAX_RETRIES + [True]
    assert {e["error_code"] for e in failed} == {"timeout"}
    assert "sent nothing for 2 s" in final["reason"]
    assert row.status == JobStatus.failed and row.overall_score is None
    assert row.attempts == 1 + TIMEOUT_MAX_RETRIES
    assert calls == 1 + TIMEOUT_MAX_RETRIES
