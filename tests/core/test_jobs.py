"""Enqueue-after-commit, end to end: a real Dramatiq worker process, real Redis, real PostgreSQL."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from core import jobs
from core.db.engine import get_sessionmaker
from core.db.models import User

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def roundtrip_worker(service_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    log = tmp_path_factory.mktemp("roundtrip") / "worker.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "dramatiq", "tests.worker.roundtrip_actors", "--queues", "roundtrip",
         "--processes", "1", "--threads", "1"],
        env=service_env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    yield
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _touch(user_id: uuid.UUID) -> jobs.dramatiq.Message:  # type: ignore[name-defined]
    return jobs.message("roundtrip", "touch_user", user_id=str(user_id))


async def _wait_ran(client: redis.Redis, user_id: uuid.UUID, timeout_s: float = 30) -> None:
    for _ in range(int(timeout_s * 10)):
        if str(user_id).encode() in client.lrange("roundtrip:ran", 0, -1):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"job for {user_id} did not run")


async def test_job_runs_after_commit_and_never_after_rollback(
    roundtrip_worker: None, redis_client: redis.Redis
) -> None:
    maker = get_sessionmaker()
    committed = User(email=f"{uuid.uuid4().hex}@example.com", password_hash="x")
    rolled_back = User(email=f"{uuid.uuid4().hex}@example.com", password_hash="x")

    async with maker() as session:
        session.add(rolled_back)
        await session.flush()
        jobs.enqueue_after_commit(session, _touch(rolled_back.id))
        await session.rollback()
        await jobs.commit_and_enqueue(session)  # nothing pending any more: sends nothing

    async with maker() as session:
        session.add(committed)
        jobs.enqueue_after_commit(session, _touch(committed.id))
        # Held until commit: nothing is on the queue while the transaction is open.
        assert redis_client.llen("dramatiq:roundtrip") == 0
        await jobs.commit_and_enqueue(session)

    await _wait_ran(redis_client, committed.id)
    async with maker() as session:
        row = await session.get(User, committed.id)
        assert row is not None and row.display_name == "touched"
    # The queue is FIFO with one worker thread: the committed job ran, so an earlier rolled-back one would have too.
    assert str(rolled_back.id).encode() not in redis_client.lrange("roundtrip:ran", 0, -1)
    assert redis_client.llen("dramatiq:roundtrip") == 0


async def test_commit_failure_sends_nothing(roundtrip_worker: None, redis_client: redis.Redis) -> None:
    maker = get_sessionmaker()
    email = f"{uuid.uuid4().hex}@example.com"
    async with maker() as session:
        session.add(User(email=email, password_hash="x"))
        await session.commit()
    async with maker() as session:
        dup = User(email=email, password_hash="x")  # violates the unique email at commit
        session.add(dup)
        jobs.enqueue_after_commit(session, _touch(dup.id))
        with pytest.raises(Exception, match=r"unique|duplicate"):
            await jobs.commit_and_enqueue(session)
        await session.rollback()
    sentinel = User(email=f"{uuid.uuid4().hex}@example.com", password_hash="x")
    async with maker() as session:
        session.add(sentinel)
        jobs.enqueue_after_commit(session, _touch(sentinel.id))
        await jobs.commit_and_enqueue(session)
    await _wait_ran(redis_client, sentinel.id)
    assert str(dup.id).encode() not in redis_client.lrange("roundtrip:ran", 0, -1)
