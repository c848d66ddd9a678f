"""Expression samples (one analysed webcam frame each) and the vision counters of an interview.

Samples live in PostgreSQL; the per-interview counters (frames analysed, dropped as stale, rejected, …) are
operational numbers kept in a Redis hash next to the interview's event stream, with the same one-day expiry.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import redis
import redis.asyncio as aioredis
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db.models import ExpressionSample, Interview, Question

STATS_PREFIX = "rehearsal:vision:stats:"
STATS_TTL_S = 24 * 3600

# Counter names (fields of the stats hash).
ANALYSED = "analysed"
NO_FACE = "no_face"
DROPPED_STALE = "dropped_stale"
NO_CONSENT = "no_consent"


def rejected_field(reason: str) -> str:
    return f"rejected_{reason}"


def stats_key(interview_id: uuid.UUID | str) -> str:
    return f"{STATS_PREFIX}{interview_id}"


def count(client: redis.Redis, interview_id: uuid.UUID | str, name: str, amount: int = 1) -> None:
    """Increment one counter of an interview (sync: called from the vision worker)."""
    key = stats_key(interview_id)
    pipe = client.pipeline(transaction=False)
    pipe.hincrby(key, name, amount)
    pipe.expire(key, STATS_TTL_S)
    pipe.execute()


def _decode_stats(raw: dict[Any, Any]) -> dict[str, int]:
    return {(k.decode() if isinstance(k, bytes) else str(k)): int(v) for k, v in raw.items()}


def read_stats(client: redis.Redis, interview_id: uuid.UUID | str) -> dict[str, int]:
    return _decode_stats(client.hgetall(stats_key(interview_id)))  # type: ignore[arg-type]


async def aread_stats(client: aioredis.Redis, interview_id: uuid.UUID | str) -> dict[str, int]:
    return _decode_stats(await client.hgetall(stats_key(interview_id)))  # type: ignore[misc]


class ExpressionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def camera_consent(self, interview_id: uuid.UUID) -> bool | None:
        """Whether the candidate consented to camera analysis; None when the interview does not exist."""
        result = await self.session.exec(select(Interview.consent_camera).where(Interview.id == interview_id))
        value = result.first()
        return None if value is None else bool(value)

    async def question_belongs(self, interview_id: uuid.UUID, question_id: uuid.UUID) -> bool:
        result = await self.session.exec(
            select(Question.id).where(Question.id == question_id, Question.interview_id == interview_id)
        )
        return result.first() is not None

    async def add_sample(
        self,
        *,
        interview_id: uuid.UUID,
        question_id: uuid.UUID | None,
        captured_at: datetime,
        face_found: bool,
        face_box: dict[str, int] | None,
        detector_confidence: float | None,
        dominant: str | None,
        scores: dict[str, float],
        model_id: str,
        latency_ms: float,
    ) -> ExpressionSample:
        """Add and commit one sample. A frame without a face carries no expression, whatever the caller passes."""
        sample = ExpressionSample(
            interview_id=interview_id,
            question_id=question_id,
            captured_at=captured_at,
            face_found=face_found,
            face_box=face_box if face_found else None,
            detector_confidence=detector_confidence if face_found else None,
            dominant=dominant if face_found else None,
            scores={k: float(v) for k, v in scores.items()} if face_found else {},
            model_id=model_id,
            latency_ms=float(latency_ms),
        )
        self.session.add(sample)
        await self.session.commit()
        return sample
