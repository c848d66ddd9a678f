"""`analyze_frame` on the `vision` queue: one webcam frame → one `ExpressionSample` row + an `ExpressionSampled` event.

A sync actor on purpose: DeepFace blocks, so it runs in the worker thread of a single-threaded process (one process
per core, see `worker/__main__.py`). Database writes go through the AsyncIO middleware's event-loop thread, so the
worker shares the async repositories with the rest of the project.

What happens to a frame:
- older than `VISION_MAX_FRAME_AGE_S` when picked up → dropped, counted (`dropped_stale`): under load the worker
  skips the backlog instead of falling further behind;
- interview gone → dropped; no camera consent → dropped and counted (`no_consent`), never decoded;
- empty, corrupt, over `VISION_MAX_FRAME_BYTES` or over `VISION_MAX_PIXELS` → rejected: logged with its reason,
  counted (`rejected_<reason>`), stored nowhere (a broken frame has nothing worth keeping), never retried;
- otherwise analysed and stored — a frame without a face as `face_found=False` with no expression.
Counters are per interview in Redis (`core.repositories.expressions.read_stats`). The frame itself is written to
`VAR_DIR/frames/<interview_id>/<sample_id>.jpg` only when `STORE_FRAMES=true`.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any, TypeVar

import dramatiq
import dramatiq.asyncio
from dramatiq.middleware import Middleware
from sqlalchemy.exc import IntegrityError

from core import events
from core.broker import get_broker
from core.db.engine import get_sessionmaker
from core.jobs import ANALYZE_FRAME, QUEUE_VISION
from core.privacy import frames_dir
from core.redis_client import get_sync_redis
from core.repositories import expressions as repo
from core.repositories.expressions import ExpressionRepository
from core.settings import Settings, get_settings
from worker.vision.analyzer import FrameAnalysis, FrameRejected, decode_b64, get_analyzer

log = logging.getLogger("rehearsal.vision")
T = TypeVar("T")
EXIT_NOT_READY = 3


class WarmAnalyzer(Middleware):
    """Load the models when a worker process boots, before it takes any message (and before its heartbeat says
    it is alive). Missing or unusable weights stop the worker with one clear line instead of failing every frame
    — or DeepFace trying to download them."""

    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        try:
            analyzer = get_analyzer(get_settings())
        except Exception as exc:
            log.critical("vision worker cannot start: %s", exc)
            logging.shutdown()  # flush the line to Dramatiq's log pipe
            # Hard exit: the AsyncIO middleware's loop thread would keep a SystemExit from ending the process.
            # Dramatiq's parent sees the worker die and stops with this code.
            os._exit(EXIT_NOT_READY)
        log.info("vision worker ready: model %s, detection at %d px", analyzer.model_id, analyzer.detect_side)


broker = get_broker()
broker.add_middleware(WarmAnalyzer())


def _run(coro: Coroutine[Any, Any, T]) -> T:
    thread = dramatiq.asyncio.get_event_loop_thread()
    if thread is None:  # pragma: no cover - the project broker always has the AsyncIO middleware
        coro.close()
        raise RuntimeError("the AsyncIO middleware is not running; use core.broker.get_broker()")
    result: T = thread.run_coroutine(coro)
    return result


def parse_captured_at(value: str) -> datetime:
    captured = datetime.fromisoformat(value)
    return captured if captured.tzinfo else captured.replace(tzinfo=UTC)


async def _consent(interview_id: uuid.UUID, question_id: uuid.UUID | None) -> tuple[bool | None, bool]:
    async with get_sessionmaker()() as session:
        consent = await ExpressionRepository(session).camera_consent(interview_id)
        question_ok = (
            question_id is not None
            and bool(consent)
            and await ExpressionRepository(session).question_belongs(interview_id, question_id)
        )
        return consent, question_ok


async def _store(
    interview_id: uuid.UUID, question_id: uuid.UUID | None, captured_at: datetime, result: FrameAnalysis, model_id: str
) -> uuid.UUID:
    async with get_sessionmaker()() as session:
        sample = await ExpressionRepository(session).add_sample(
            interview_id=interview_id,
            question_id=question_id,
            captured_at=captured_at,
            face_found=result.face_found,
            face_box=result.face_box,
            detector_confidence=result.detector_confidence,
            dominant=result.dominant,
            scores=result.scores,
            model_id=model_id,
            latency_ms=result.latency_ms,
        )
        return sample.id


def _keep_frame(settings: Settings, interview_id: uuid.UUID, sample_id: uuid.UUID, data: bytes) -> None:
    folder = frames_dir(settings, interview_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{sample_id}.jpg").write_bytes(data)


@dramatiq.actor(
    actor_name=ANALYZE_FRAME,
    queue_name=QUEUE_VISION,
    max_retries=2,  # transient database/Redis trouble only; a stale retry is dropped by the age check anyway
    min_backoff=500,
    max_backoff=2_000,
    time_limit=60_000,
)
def analyze_frame(interview_id: str, question_id: str | None, captured_at: str, jpeg_b64: str) -> None:
    settings = get_settings()
    client = get_sync_redis()
    try:
        iid = uuid.UUID(interview_id)
        qid = uuid.UUID(question_id) if question_id else None
        captured = parse_captured_at(captured_at)
    except (TypeError, ValueError):
        log.warning("vision: frame rejected (bad_message): malformed ids or captured_at")
        return

    age_s = (datetime.now(UTC) - captured).total_seconds()
    if age_s > settings.vision_max_frame_age_s:
        repo.count(client, iid, repo.DROPPED_STALE)
        log.info("vision: stale frame dropped (%.1f s old) interview=%s", age_s, iid)
        return

    consent, question_ok = _run(_consent(iid, qid))
    if consent is None:
        log.info("vision: frame for unknown interview %s dropped", iid)
        return
    if not consent:
        repo.count(client, iid, repo.NO_CONSENT)
        log.warning("vision: frame dropped, no camera consent, interview=%s", iid)
        return
    if qid is not None and not question_ok:
        log.warning("vision: question %s is not in interview %s; sample stored without a question", qid, iid)
        qid = None

    analyzer = get_analyzer(settings)
    try:
        data = decode_b64(jpeg_b64, settings.vision_max_frame_bytes)
        result = analyzer.analyze_jpeg(data)
    except FrameRejected as exc:
        repo.count(client, iid, repo.rejected_field(exc.reason))
        log.warning("vision: frame rejected (%s): %s interview=%s", exc.reason, exc.detail, iid)
        return

    try:
        sample_id = _run(_store(iid, qid, captured, result, analyzer.model_id))
    except IntegrityError:
        log.info("vision: interview %s was deleted while its frame was analysed; sample dropped", iid)
        return
    if settings.store_frames:
        _keep_frame(settings, iid, sample_id, data)

    repo.count(client, iid, repo.ANALYSED)
    if not result.face_found:
        repo.count(client, iid, repo.NO_FACE)
    events.publish(
        client,
        events.ExpressionSampled(
            interview_id=iid,
            question_id=qid,
            captured_at=captured.isoformat(),
            face_found=result.face_found,
            dominant=result.dominant,
            confidence=result.confidence,
            scores=result.scores,
        ),
    )
    log.debug("vision: sample %s stored in %.0f ms", sample_id, result.latency_ms)
