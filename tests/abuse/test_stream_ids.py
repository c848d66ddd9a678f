"""`Last-Event-ID` reaches Redis (XREAD): it is validated against what Redis Streams accept (milliseconds and sequence
each at most 2^64-1), and an id past the stream's end resumes at the live tail — never a dropped connection, never
silence. Property-based against the real Redis, and end to end against a real API process."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.events import QuestionStarted, parse_stream_id, publish
from tests.api.conftest import INTERVIEW, ApiProcess

U64 = 2**64 - 1
# Decimal strings at and around Redis's edges: 0, 2^64-1, 2^64, 20/21 digits, leading zeros.
PART = st.one_of(
    st.integers(min_value=0, max_value=U64 + 1000).map(str),
    st.sampled_from(["0", str(U64), str(U64 + 1), "9" * 20, "9" * 21, "0" * 20, "0" * 19 + "1", "1" + "0" * 19]),
    st.text(alphabet="0123456789", min_size=1, max_size=24),
)


@pytest.fixture(scope="module")
def redis_sync(services: dict[str, str]) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(services["REDIS_URL"])
    yield client
    client.close()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ms=PART, seq=PART)
def test_stream_id_check_agrees_with_redis(redis_sync: redis.Redis, ms: str, seq: str) -> None:
    candidate = f"{ms}-{seq}"
    try:
        parse_stream_id(candidate)
        ours = True
    except ValueError:
        ours = False
    try:
        redis_sync.xread({"rehearsal:test:stream-id-probe": candidate}, count=1)
        theirs = "accepted"
    except redis.ResponseError as exc:
        theirs = str(exc)
    assert (ours, theirs) in {(True, "accepted"), (False, "Invalid stream ID specified as stream command argument")}, (
        candidate
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=48))
def test_any_text_is_refused_or_accepted_by_redis(redis_sync: redis.Redis, text: str) -> None:
    # Whatever a client sends (other digits, signs, spaces, NUL…): a ValueError, or an id Redis takes.
    try:
        ms, seq = parse_stream_id(text)
    except ValueError:
        return
    assert 0 <= ms <= U64 and 0 <= seq <= U64
    redis_sync.xread({"rehearsal:test:stream-id-probe": text}, count=1)


@pytest.fixture
async def owner(plain_api: ApiProcess) -> tuple[httpx.AsyncClient, str]:
    client = httpx.AsyncClient(base_url=plain_api.base_url, timeout=httpx.Timeout(60, connect=5))
    email = f"ids-{uuid.uuid4().hex[:10]}@example.com"
    assert (await client.post("/api/auth/signup", json={"email": email, "password": "stream ids pw 1"})).is_success
    r = await client.post("/api/interviews", json=INTERVIEW)
    assert r.status_code == 201, r.text
    return client, r.json()["id"]


@pytest.mark.parametrize(
    "last_id",
    [
        "99999999999999999999-0",  # the probe's finding 1: 200, then the connection dropped
        f"{U64 + 1}-0",
        f"0-{U64 + 1}",
        "1-99999999999999999999",
    ],
)
async def test_out_of_range_ids_are_refused(owner: tuple[httpx.AsyncClient, str], last_id: str) -> None:
    client, iid = owner
    try:
        r = await client.get(f"/api/interviews/{iid}/events", headers={"Last-Event-ID": last_id})
        assert r.status_code == 422, r.text
        assert r.json()["detail"][0]["loc"] == ["header", "last-event-id"]
        assert "2^64-1" in r.json()["detail"][0]["msg"]
    finally:
        await client.aclose()


@pytest.mark.parametrize(
    "last_id",
    [
        "9999999999999-0",  # the probe's finding 2: the stream stayed open and silent
        f"{U64}-{U64}",  # the largest id Redis accepts
        f"{U64}-0",
    ],
)
async def test_ids_past_the_end_resume_at_the_live_tail(
    owner: tuple[httpx.AsyncClient, str], redis_sync: redis.Redis, last_id: str
) -> None:
    client, iid = owner
    publish(redis_sync, QuestionStarted(interview_id=uuid.UUID(iid), position=1))  # history: not replayed
    try:
        async with client.stream("GET", f"/api/interviews/{iid}/events", headers={"Last-Event-ID": last_id}) as resp:
            assert resp.status_code == 200
            lines = resp.aiter_lines()
            assert await anext(lines) == ": connected"  # the subscription is in place: publish now
            publish(redis_sync, QuestionStarted(interview_id=uuid.UUID(iid), position=2))
            # The event arrives (after keep-alive comments, if the machine is slow); silence would never end.
            async with asyncio.timeout(60):
                async for line in lines:
                    if line.startswith("data:"):
                        assert json.loads(line[5:])["position"] == 2
                        break
                    assert line.startswith((":", "id:", "event: question.started")) or line == "", line
    finally:
        await client.aclose()
