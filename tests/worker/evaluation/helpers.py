"""Shared helpers for evaluation-worker tests: real worker subprocesses, rows, events, a garbage model server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import redis
from sqlmodel.ext.asyncio.session import AsyncSession

from core import jobs
from core.db.models import (
    Answer,
    AnswerSource,
    Evaluation,
    Interview,
    Language,
    Question,
    QuestionKind,
    User,
)
from core.events import stream_key
from tests.evaluator_standin import ChatServerHandler, serve

ROOT = Path(__file__).resolve().parents[3]


@contextmanager
def evaluation_worker(
    env: dict[str, str], log_dir: Path, *, threads: int = 2, processes: int = 1, **overrides: str
) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m worker evaluation` — the real entry point — in its own process group, stopped afterwards."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"worker-{uuid.uuid4().hex[:6]}.log"
    full_env = {**env, **overrides, "PYTHONPATH": str(ROOT)}
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "worker",
                "evaluation",
                "--processes",
                str(processes),
                "--threads",
                str(threads),
            ],
            cwd=ROOT,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield proc
        finally:
            stop_group(proc)


def stop_group(proc: subprocess.Popen[bytes], timeout_s: float = 15.0) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the worker and its forked worker processes, as a crash or OOM kill would."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    proc.wait(timeout=5)


async def create_answer(
    session: AsyncSession,
    text: str,
    *,
    language: str = "en",
    question: str = "Tell me about a time you fixed a production incident.",
    kind: QuestionKind = QuestionKind.behavioural,
    interview: Interview | None = None,
    position: int = 1,
) -> tuple[Interview, Question, Answer]:
    if interview is None:
        user = User(email=f"eval-{uuid.uuid4().hex[:10]}@example.com", password_hash="x")
        session.add(user)
        await session.flush()
        interview = Interview(
            user_id=user.id,
            role="Backend engineer",
            seniority="mid",
            language=Language(language),
            num_questions=3,
        )
        session.add(interview)
        await session.flush()
    q = Question(interview_id=interview.id, position=position, kind=kind, text=question, prompt_version="test")
    session.add(q)
    await session.flush()
    answer = Answer(question_id=q.id, interview_id=interview.id, text=text, source=AnswerSource.typed)
    session.add(answer)
    await session.flush()
    session.add(Evaluation(answer_id=answer.id, interview_id=interview.id, answer_revision=answer.revision))
    await session.commit()
    return interview, q, answer


def enqueue_evaluation(answer_id: uuid.UUID, revision: int = 1) -> None:
    jobs.send_now([jobs.evaluate_answer(answer_id, revision)])


def events_of(client: redis.Redis, interview_id: uuid.UUID) -> list[dict[str, Any]]:
    entries: Any = client.xrange(stream_key(interview_id))
    return [json.loads(fields[b"data"]) for _id, fields in entries]


def wait_for_event(
    client: redis.Redis, interview_id: uuid.UUID, predicate: Any, timeout_s: float = 120.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for event in events_of(client, interview_id):
            if predicate(event):
                return event
        time.sleep(0.2)
    raise AssertionError(f"no matching event for interview {interview_id}: {events_of(client, interview_id)}")


class _GarbageHandler(ChatServerHandler):
    """An OpenAI-compatible server whose every reply is prose, not the JSON the schema asks for."""

    MODEL = "garbage"
    REPLY = "Great answer!!! 100/100, no JSON here"

    def reply(self, request: dict[str, Any]) -> str:
        return self.REPLY


@contextmanager
def garbage_server() -> Iterator[tuple[str, type[ChatServerHandler]]]:
    with serve(_GarbageHandler) as served:
        yield served
