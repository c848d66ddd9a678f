"""The end-of-interview report: aggregate the rubric over ready evaluations, ask the evaluator for a summary, top-3
strengths and top-3 things to practise, write the report row and finish the interview.

It waits (by re-queueing itself) while evaluations are still pending, up to `PENDING_MAX_WAITS`, then reports on
what is ready. The aggregates never depend on the model: if the summary call finally fails the report is stored
`failed` with the reason, and the interview still gets its overall score from the evaluations.
"""

from __future__ import annotations

import logging
import uuid
from statistics import fmean

from core import events
from core.db.engine import get_sessionmaker
from core.db.models import JobStatus, utcnow
from core.llm import LLMError, get_llm
from core.redis_client import get_async_redis
from core.repositories import reports as report_repo
from core.repositories.reports import EvaluatedTurn, ReportRepository
from core.settings import get_settings
from worker.evaluation import content
from worker.evaluation.chain import ChainResult, run_structured
from worker.evaluation.prompts import SUMMARY_PROMPT_VERSION, SUMMARY_SYSTEM, language_name, summary_prompt
from worker.evaluation.retry import backoff_s, classify, failure_reason, is_final
from worker.evaluation.schemas import CRITERIA, SummaryOutput, field_descriptions

log = logging.getLogger("rehearsal.evaluation")

PENDING_MAX_WAITS = 60
PENDING_WAIT_S = 5.0  # up to 5 minutes for evaluations still running (or retrying) when the interview ends
QUESTION_PROMPT_CHARS = 300


def aggregate(turns: list[EvaluatedTurn]) -> tuple[float | None, dict[str, float]]:
    """Mean overall score and mean per criterion over ready evaluations, all on the one 1–5 scale (C1)."""
    ready = [t for t in turns if t.status == JobStatus.ready and t.overall_score is not None]
    if not ready:
        return None, {}
    overall = round(fmean(t.overall_score for t in ready if t.overall_score is not None), 1)
    rubric: dict[str, float] = {}
    for name in CRITERIA:
        values = [float(t.rubric[name]) for t in ready if isinstance(t.rubric.get(name), int | float)]
        if values:
            rubric[name] = round(fmean(values), 2)
    return overall, rubric


def describe_turns(turns: list[EvaluatedTurn]) -> str:
    lines: list[str] = []
    for t in turns:
        if t.status != JobStatus.ready:
            continue
        scores = ", ".join(f"{k} {t.rubric[k]}" for k in CRITERIA if k in t.rubric)
        question = t.question_text[:QUESTION_PROMPT_CHARS]
        lines.append(
            f"Q{t.position} ({t.kind}): {question}\n  scores: {scores}; overall {t.overall_score}\n"
            f"  strengths: {'; '.join(t.strengths)}\n  improvements: {'; '.join(t.improvements)}"
        )
    return "\n".join(lines)


async def summarize(interview_id: uuid.UUID) -> float | None:
    """Write the report. Returns a delay in seconds when the job should run again later, else None."""
    settings = get_settings()
    sessionmaker = get_sessionmaker()
    redis = get_async_redis()

    async with sessionmaker() as session:
        interview = await ReportRepository(session).lock_interview(interview_id)
        if interview is None:
            log.info("summarize_interview: interview %s no longer exists, dropped", interview_id)
            return None
        report = await ReportRepository(session).lock_report(interview_id)
        if report.status == JobStatus.ready:
            score = report.overall_score
            await session.commit()
            await events.apublish(redis, events.ReportReady(interview_id=interview_id, overall_score=score))
            return None
        turns = await ReportRepository(session).evaluated_turns(interview_id)
        pending = sum(1 for t in turns if t.status == JobStatus.pending)
        meta = dict(report.model_meta or {})
        waits = int(meta.get("pending_waits", 0))
        if pending and waits < PENDING_MAX_WAITS:
            report.model_meta = {**meta, "pending_waits": waits + 1}
            await session.commit()
            return PENDING_WAIT_S
        language, role, seniority = str(interview.language), interview.role, interview.seniority
        started_at = interview.created_at
        attempt = int(meta.get("attempts", 0)) + 1
        report.model_meta = {**meta, "attempts": attempt}
        await session.commit()

    overall, rubric = aggregate(turns)
    result: ChainResult[SummaryOutput] | None = None
    error: str | None = None
    retry_kind: str | None = None
    if overall is None:
        error = "no answer could be evaluated, so there is nothing to summarise"
    else:
        llm = get_llm("evaluator", settings)
        variables = {
            "role": role,
            "seniority": seniority,
            "language_name": language_name(language),
            "rubric": ", ".join(f"{k} {v}" for k, v in rubric.items()),
            "overall_score": overall,
            "per_question": describe_turns(turns),
        }
        try:
            result = await run_structured(llm, summary_prompt(), SummaryOutput, variables, name="report")
            content.check(
                llm.role,
                points={"strengths": result.output.strengths, "practice": result.output.practice},
                prose={"summary": result.output.summary},
                language=language,
                prompt_texts=[SUMMARY_SYSTEM, *field_descriptions(SummaryOutput)],
            )
        except LLMError as exc:
            error = failure_reason(exc)
            retry_kind = classify(exc)

    async with sessionmaker() as session:
        interview = await ReportRepository(session).lock_interview(interview_id)
        if interview is None:
            return None
        report = await ReportRepository(session).lock_report(interview_id)
        meta = dict(report.model_meta or {})
        if retry_kind is not None:
            failures = int(meta.get(retry_kind, 0)) + 1
            meta[retry_kind] = failures
            if not is_final(retry_kind, failures, settings.evaluation_max_retries):
                report.model_meta = meta
                report.error = error
                await session.commit()
                log.warning("report attempt %d failed (%s #%d), retrying", attempt, retry_kind, failures)
                return backoff_s(retry_kind, failures)
        report.overall_score = overall
        report.rubric = rubric
        report.expression_summary = await ReportRepository(session).expression_summary(interview_id, started_at)
        report.updated_at = utcnow()
        pending = sum(1 for t in turns if t.status == JobStatus.pending)
        meta.update({"evaluations": sum(1 for t in turns if t.status == JobStatus.ready), "pending": pending})
        if result is not None:
            report.status = JobStatus.ready
            report.summary = result.output.summary
            report.strengths = list(result.output.strengths)
            report.practice = list(result.output.practice)
            report.error = None
            report.model_meta = {**meta, **result.meta(SUMMARY_PROMPT_VERSION)}
        else:
            report.status = JobStatus.failed
            report.error = error
            report.model_meta = meta
        report_repo.finish_interview(interview, overall)
        await session.commit()

    if result is not None:
        log.info("report ready: interview %s overall %s", interview_id, overall)
        await events.apublish(redis, events.ReportReady(interview_id=interview_id, overall_score=overall))
    else:
        log.warning("report failed: interview %s: %s", interview_id, error)
        await events.apublish(redis, events.ReportFailed(interview_id=interview_id, reason=error or "unknown"))
    return None
