"""`evaluate_answer` and `summarize_interview` on the `evaluation` queue (contracts in core/jobs.py).

Both are `async def` actors (Dramatiq's AsyncIO middleware runs them on one event loop per process), so a
worker thread waiting on the model server costs no CPU. The model call happens outside any DB transaction; the
result is written under a row lock and only if the answer still has the revision the job was for.

Retries are decided here, per failure kind, with counters kept on the row (a redelivered message after a worker
crash sees them too):
- the model answered with something invalid (bad JSON, schema mismatch, request rejected) → retried
  `EVALUATION_MAX_RETRIES` times with short backoff, then stored as `failed` with the reason (never a score);
- the model server is down / timed out → retried with backoff up to 30 s for about 15 minutes: a restarting
  server must not cost the candidate their evaluation.
Every failed attempt publishes `EvaluationFailed(final=False)`, the last one `final=True`.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from typing import Any

import dramatiq

from core import events
from core.broker import get_broker
from core.db.engine import get_sessionmaker
from core.db.models import JobStatus
from core.jobs import EVALUATE_ANSWER, QUEUE_EVALUATION, SUMMARIZE_INTERVIEW
from core.llm import LLMError, get_llm
from core.logging import JobLogContext, configure_logging, log_context
from core.redis_client import get_async_redis
from core.repositories import evaluations as eval_repo
from core.repositories.evaluations import AnswerContext, EvaluationRepository
from core.settings import get_settings
from worker.evaluation import content, summary
from worker.evaluation.prompts import PROMPT_VERSION
from worker.evaluation.retry import backoff_s, classify, failure_reason, is_final
from worker.evaluation.scoring import AnswerToScore, score_answer

log = logging.getLogger("rehearsal.evaluation")

ACTOR_MAX_RETRIES = 1_000  # Dramatiq's own ceiling; the policy above decides (and stores the outcome)

configure_logging("worker-evaluation")
broker = get_broker()
if not any(isinstance(m, JobLogContext) for m in broker.middleware):
    broker.add_middleware(JobLogContext())


@dramatiq.actor(actor_name=EVALUATE_ANSWER, queue_name=QUEUE_EVALUATION, max_retries=ACTOR_MAX_RETRIES)
async def evaluate_answer(answer_id: str, revision: int) -> None:
    try:
        aid = uuid.UUID(answer_id)
        revision = int(revision)
    except (ValueError, TypeError):
        log.error("evaluate_answer: malformed job arguments, dropped")
        return
    await _evaluate(aid, revision)


async def _evaluate(answer_id: uuid.UUID, revision: int) -> None:
    settings = get_settings()
    sessionmaker = get_sessionmaker()
    redis = get_async_redis()

    # 1. Claim the attempt: the answer must still be at this revision.
    async with sessionmaker() as session:
        ctx = await EvaluationRepository(session).answer_context(answer_id)
        if ctx is None:
            log.info("evaluate_answer: answer %s no longer exists, dropped", answer_id)
            return
        if ctx.revision != revision:
            log.info("evaluate_answer: answer %s moved past revision %d, job dropped", answer_id, revision)
            return
        evaluation = await EvaluationRepository(session).lock_for_answer(ctx)
        if evaluation.answer_revision == revision and evaluation.status == JobStatus.ready:
            score = evaluation.overall_score
            await session.commit()
            log.info("evaluate_answer: answer %s revision %d already evaluated", answer_id, revision)
            if score is not None:  # redelivered after success: tell clients again, it is idempotent
                await events.apublish(
                    redis,
                    events.EvaluationReady(
                        interview_id=ctx.interview_id,
                        question_id=ctx.question_id,
                        answer_id=answer_id,
                        overall_score=score,
                    ),
                )
            return
        bad_outputs = eval_repo.retry_counters(evaluation, revision)["bad_output"]
        eval_repo.start_attempt(evaluation, revision)
        attempt = evaluation.attempts
        await session.commit()

    with log_context(interview_id=ctx.interview_id):
        # 2. Ask the model (no transaction open while it thinks).
        llm = get_llm("evaluator", settings)
        item = AnswerToScore(
            role=ctx.role,
            seniority=ctx.seniority,
            language=ctx.language,
            question_kind=ctx.question_kind,
            competency=ctx.question_competency,
            question_text=ctx.question_text,
            answer_text=ctx.answer_text,
        )
        error: LLMError | None = None
        partials = _PartialPublisher(redis, ctx, settings.evaluation_partial_interval_s)
        try:
            result = await score_answer(
                llm,
                item,
                bad_outputs=bad_outputs,
                on_partial=partials.offer if settings.evaluation_partials else None,
                affinity=str(ctx.interview_id),
            )
        except LLMError as exc:
            error = exc
        finally:
            await partials.close()

        # 3. Store the outcome, unless the answer moved on meanwhile.
        async with sessionmaker() as session:
            if await EvaluationRepository(session).current_revision(answer_id) != revision:
                log.info("evaluate_answer: answer %s re-submitted during evaluation, result discarded", answer_id)
                return
            evaluation = await EvaluationRepository(session).lock_for_answer(ctx)
            if evaluation.answer_revision != revision:
                return
            if error is None:
                output = result.output
                meta = {**result.meta(PROMPT_VERSION), "attempts": attempt, "revision": revision}
                eval_repo.store_ready(
                    evaluation,
                    overall_score=output.overall_score,
                    rubric=output.rubric(),
                    strengths=list(output.strengths),
                    improvements=list(output.improvements),
                    model_answer=output.model_answer,
                    model_meta=meta,
                )
                await session.commit()
                log.info(
                    "evaluation ready: answer %s score %d in %.0f ms (%d tokens)",
                    answer_id,
                    output.overall_score,
                    result.latency_ms,
                    result.usage["total_tokens"],
                )
                await events.apublish(
                    redis,
                    events.EvaluationReady(
                        interview_id=ctx.interview_id,
                        question_id=ctx.question_id,
                        answer_id=answer_id,
                        overall_score=output.overall_score,
                    ),
                )
                return

            kind = classify(error)
            failures = eval_repo.retry_counters(evaluation, revision).get(kind, 0) + 1
            final = is_final(kind, failures, settings.evaluation_max_retries)
            reason = failure_reason(error)
            meta = {"model": llm.model, "prompt_version": PROMPT_VERSION, "attempts": attempt}
            eval_repo.store_attempt_failed(
                evaluation,
                revision=revision,
                kind=kind,
                reason=reason,
                code=content.error_code(error),
                final=final,
                meta=meta,
            )
            await session.commit()
        log.warning("evaluation attempt %d failed (%s, %s #%d, final=%s)", attempt, reason, kind, failures, final)
        await events.apublish(
            redis,
            events.EvaluationFailed(
                interview_id=ctx.interview_id,
                question_id=ctx.question_id,
                answer_id=answer_id,
                reason=reason,
                final=final,
                error_code=kind,
            ),
        )
        if not final:
            raise dramatiq.Retry(delay=int(backoff_s(kind, failures) * 1000))


class _PartialPublisher:
    """Publishes `evaluation.partial` at most every `interval_s` (the newest state wins; the last one is flushed
    before the outcome is stored, so the ready/failed event always comes after every partial)."""

    def __init__(self, redis: Any, ctx: AnswerContext, interval_s: float) -> None:
        self.redis, self.ctx, self.interval_s = redis, ctx, interval_s
        self.pending: dict[str, Any] | None = None
        self.sent_at = -math.inf
        self.count = 0

    async def offer(self, shown: dict[str, Any]) -> None:
        self.pending = shown
        if time.monotonic() - self.sent_at >= self.interval_s:
            await self._send()

    async def close(self) -> None:
        if self.pending is not None:
            await self._send()

    async def _send(self) -> None:
        shown, self.pending = self.pending, None
        if shown is None:
            return
        self.sent_at = time.monotonic()
        self.count += 1
        event = events.EvaluationPartial(
            interview_id=self.ctx.interview_id, question_id=self.ctx.question_id, answer_id=self.ctx.answer_id, **shown
        )
        try:
            await events.apublish(self.redis, event)
        except Exception:  # a lost progress update must never fail the evaluation
            log.warning("evaluation.partial not published", exc_info=True)


@dramatiq.actor(actor_name=SUMMARIZE_INTERVIEW, queue_name=QUEUE_EVALUATION, max_retries=ACTOR_MAX_RETRIES)
async def summarize_interview(interview_id: str) -> None:
    try:
        iid = uuid.UUID(interview_id)
    except (ValueError, TypeError):
        log.error("summarize_interview: malformed job arguments, dropped")
        return
    with log_context(interview_id=iid):
        delay_s = await summary.summarize(iid)
    if delay_s is not None:
        raise dramatiq.Retry(delay=int(delay_s * 1000))
