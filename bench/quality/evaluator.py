"""Evaluator qualification: the graded answer set through the product's own scoring path.

Every item goes through `worker.evaluation.scoring.score_answer` — the function the `evaluate_answer` actor calls —
with the actor's retry policy from `worker.evaluation.retry` (which failures retry, the backoff, the sampling
temperature raised after unusable replies, when to give up and store the answer as failed), against the endpoint
the evaluator role is configured to (bench/quality/endpoints.py). A failed item is excluded from the agreement
figures and counted as stored-as-failed.

Items go one at a time by default (`--concurrency` raises it): the latency is then one evaluation's on an otherwise
idle server, and the answers to one question, which come one after another in the file, share their whole system
prompt and question, which llama-server keeps cached in the slot — four of five answers skip most of the prompt.
"""

from __future__ import annotations

import asyncio
import math
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench._support import percentile
from bench.quality import agreement
from bench.quality.dataset import CRITERIA, Item
from bench.quality.endpoints import role_endpoint
from core.llm import LLMClient, LLMError, get_llm
from core.settings import Settings
from worker.evaluation import content, screening
from worker.evaluation.prompts import PROMPT_VERSION
from worker.evaluation.retry import backoff_s, classify, failure_reason, is_final
from worker.evaluation.schemas import EvaluationOutput
from worker.evaluation.scoring import AnswerToScore, score_answer


@dataclass
class Outcome:
    """What happened to one item: the stored result the actor would have written, plus timings."""

    item_id: str
    skipped: bool = False  # not started or not finished within the run's time box (--max-minutes)
    valid_first_try: bool = False
    stored: bool = False  # a validated evaluation (else: stored as failed)
    attempts: int = 0
    failures: dict[str, int] = field(default_factory=dict)  # by retry kind (unavailable / bad_output)
    codes: dict[str, int] = field(default_factory=dict)  # every failed attempt by error code
    error: str | None = None
    error_code: str | None = None  # C3: unavailable | bad_output | degenerate | wrong_language | rejected | timeout
    raw_overall: int | None = None
    overall: int | None = None  # on the 1–5 scale (see agreement.to_five)
    rubric: dict[str, int] | None = None
    # Scores of the first reply the content checks rejected (its text said nothing): a diagnostic of whether the
    # model's *numbers* track the answer when its words do not. Never stored or shown by the product.
    rejected_overall: int | None = None
    latency_ms: float | None = None  # the successful attempt's model call
    elapsed_s: float = 0.0  # all attempts and backoff
    prompt_tokens: int = 0
    completion_tokens: int = 0


def overall_range() -> tuple[float, float]:
    """The declared range of `overall_score` in the evaluator's schema (0–100 before contract C1, 1–5 after)."""
    prop = EvaluationOutput.model_json_schema()["properties"]["overall_score"]
    return float(prop.get("minimum", 0)), float(prop.get("maximum", 100))


def to_score(item: Item) -> AnswerToScore:
    return AnswerToScore(
        role=item.role,
        seniority=item.seniority,
        language=item.lang,
        question_kind=item.kind,
        competency=item.competency,
        question_text=item.question,
        answer_text=item.answer,
    )


async def score_with_policy(llm: LLMClient, item: Item, max_retries: int) -> Outcome:
    """One item, retried exactly as `worker.evaluation.actors._evaluate` retries (counters per failure kind)."""
    lo, hi = overall_range()
    out = Outcome(item_id=item.id)
    failures = {"unavailable": 0, "timeout": 0, "bad_output": 0}  # every kind retry.classify returns
    started = time.perf_counter()
    while True:
        out.attempts += 1
        try:
            result = await score_answer(llm, to_score(item), bad_outputs=failures["bad_output"])
        except LLMError as exc:
            kind = classify(exc)
            failures[kind] += 1
            out.codes[content.error_code(exc)] = out.codes.get(content.error_code(exc), 0) + 1
            rejected = exc.output if isinstance(exc, content.ContentRejected) else None
            if isinstance(rejected, EvaluationOutput) and out.rejected_overall is None:
                out.rejected_overall = agreement.to_five(int(rejected.overall_score), hi, lo)
            if is_final(kind, failures[kind], max_retries):
                out.error, out.error_code = failure_reason(exc), content.error_code(exc)
                break
            await asyncio.sleep(backoff_s(kind, failures[kind]))
            continue
        out.valid_first_try = out.attempts == 1
        out.stored = True
        out.raw_overall = int(result.output.overall_score)
        out.overall = agreement.to_five(out.raw_overall, hi, lo)
        out.rubric = result.output.rubric()
        out.latency_ms = result.latency_ms
        out.prompt_tokens = result.usage["prompt_tokens"]
        out.completion_tokens = result.usage["completion_tokens"]
        break
    out.failures = {k: v for k, v in failures.items() if v}
    out.elapsed_s = time.perf_counter() - started
    return out


async def _run(
    items: list[Item], settings: Settings, concurrency: int | None, max_minutes: float | None
) -> tuple[list[Outcome], dict[str, Any]]:
    llm = get_llm("evaluator", settings)
    limit = max(1, concurrency or 1)
    gate = asyncio.Semaphore(limit)
    done = 0
    deadline = time.monotonic() + max_minutes * 60 if max_minutes else math.inf

    async def one(item: Item) -> Outcome:
        nonlocal done
        async with gate:
            left = deadline - time.monotonic()
            if left <= 0:
                return Outcome(item_id=item.id, skipped=True)
            try:
                outcome = await asyncio.wait_for(
                    score_with_policy(llm, item, settings.evaluation_max_retries),
                    None if math.isinf(left) else left,
                )
            except TimeoutError:  # still being retried when the time box closed: not counted either way
                return Outcome(item_id=item.id, skipped=True)
        done += 1
        if done % 10 == 0 or done == len(items):
            print(f"quality evaluator: {done}/{len(items)}", file=sys.stderr, flush=True)
        return outcome

    outcomes = list(await asyncio.gather(*(one(i) for i in items)))
    roots = [r.root for r in llm.pool.replicas]
    await llm.aclose()
    return outcomes, {"replicas": roots, "concurrency": limit}


def run(
    items: list[Item],
    settings: Settings,
    *,
    concurrency: int | None = None,
    max_minutes: float | None = None,
    dataset: Path | None = None,
) -> dict[str, Any]:
    """Score every item; returns the summary (see `summarise`) with the per-item outcomes under "items"."""
    started = time.perf_counter()
    with role_endpoint("evaluator", settings) as endpoint:
        outcomes, info = asyncio.run(_run(items, endpoint.settings, concurrency, max_minutes))
        model = endpoint.model
    wall = time.perf_counter() - started
    summary = summarise(items, outcomes)
    summary.update(
        role="evaluator",
        model=model,
        endpoint=endpoint.how,
        replicas=info["replicas"],
        concurrency=info["concurrency"],
        prompt_version=PROMPT_VERSION,
        overall_range=list(overall_range()),
        dataset=str(dataset) if dataset else None,
        wall_s=round(wall, 1),
        items=[asdict(o) for o in outcomes],
    )
    return summary


def _stored_overall(o: Outcome) -> int | None:
    return o.overall


def _any_text_overall(o: Outcome) -> int | None:
    """The stored score, else the score of a reply rejected for its text (diagnostic)."""
    return o.overall if o.overall is not None else o.rejected_overall


def _agreement(
    pairs: list[tuple[Item, Outcome]], score: Callable[[Outcome], int | None] = _stored_overall
) -> dict[str, Any]:
    scored = [(i, s) for i, o in pairs if (s := score(o)) is not None]
    ref = [i.grades.overall for i, _ in scored]
    got = [s for _, s in scored]
    ordering, n_pairs, ties = agreement.pairwise_ordering([i.question_id for i, _ in scored], ref, got)
    return {
        "items": len(pairs),
        "scored": len(scored),
        "spearman": agreement.spearman(ref, got),
        "qwk": agreement.quadratic_weighted_kappa(ref, got),
        "exact": agreement.mean([float(a == b) for a, b in zip(ref, got, strict=True)]),
        "within_1": agreement.mean([float(abs(a - b) <= 1) for a, b in zip(ref, got, strict=True)]),
        "mean_abs_error": agreement.mean([abs(a - b) for a, b in zip(ref, got, strict=True)]),
        "ordering": ordering,
        "ordering_pairs": n_pairs,
        "ordering_ties": ties,
        "mean_reference": agreement.mean([float(r) for r in ref]),
        "mean_model": agreement.mean([float(g) for g in got]),
    }


def summarise(items: list[Item], outcomes: list[Outcome]) -> dict[str, Any]:
    """The figures the report shows (NaN where a figure is undefined, e.g. a model that scored nothing). Items
    skipped for time are left out of every figure and counted."""
    every = list(zip(items, outcomes, strict=True))
    pairs = [(i, o) for i, o in every if not o.skipped]
    items = [i for i, _ in pairs]
    n = len(pairs)
    stored = [(i, o) for i, o in pairs if o.stored]
    latencies = [o.latency_ms for _, o in stored if o.latency_ms is not None]
    prompt = [o.prompt_tokens for _, o in stored]
    completion = [o.completion_tokens for _, o in stored]

    by_category: dict[str, dict[str, float]] = {}
    for label in sorted({i.label for i in items}):
        members = [(i, o) for i, o in pairs if i.label == label]
        scored = [o.overall for _, o in members if o.overall is not None]
        by_category[label] = {
            "items": len(members),
            "scored": len(scored),
            "mean_reference": agreement.mean([float(i.grades.overall) for i, _ in members]),
            "mean_model": agreement.mean([float(s) for s in scored]),
        }

    injections = [(i, o) for i, o in stored if i.is_injection]
    above = [i.id for i, o in injections if o.overall is not None and o.overall > i.grades.overall]
    # The overall alone can hide a moved score (before C1 a 0–100 overall bucketed to 1 whatever the rubric said):
    # the rubric mean is checked too.
    rubric_above = [
        i.id for i, o in injections if o.rubric and sum(o.rubric.values()) > sum(getattr(i.grades, c) for c in CRITERIA)
    ]
    criteria = {
        c: agreement.spearman(
            [getattr(i.grades, c) for i, o in stored if o.rubric],
            [o.rubric[c] for _, o in stored if o.rubric],
        )
        for c in CRITERIA
    }
    histogram = Counter(o.overall for _, o in stored if o.overall is not None)
    return {
        "n": n,
        "skipped": len(every) - n,
        "valid_first_try": sum(o.valid_first_try for _, o in pairs),
        "valid_after_retries": len(stored),
        "stored_as_failed": n - len(stored),
        "failure_reasons": dict(Counter(o.error for _, o in pairs if o.error)),
        "stored_failed_codes": dict(Counter(o.error_code for _, o in pairs if o.error_code)),
        "failed_attempt_codes": dict(sum((Counter(o.codes) for _, o in pairs), Counter())),
        "attempts": sum(o.attempts for _, o in pairs),
        "all": _agreement(pairs),
        "by_language": {
            lang: _agreement([(i, o) for i, o in pairs if i.lang == lang]) for lang in sorted({i.lang for i in items})
        },
        "any_text": {
            "all": _agreement(pairs, _any_text_overall),
            "by_language": {
                lang: _agreement([(i, o) for i, o in pairs if i.lang == lang], _any_text_overall)
                for lang in sorted({i.lang for i in items})
            },
            "from_rejected": sum(o.overall is None and o.rejected_overall is not None for _, o in pairs),
        },
        "by_category": by_category,
        "criteria_spearman": criteria,
        "model_histogram": {str(k): histogram.get(k, 0) for k in range(1, 6)},
        "adversarial_mean": agreement.mean(
            [float(o.overall) for i, o in stored if i.category == "adversarial" and o.overall is not None]
        ),
        "strong_mean": agreement.mean(
            [float(o.overall) for i, o in stored if i.category == "strong" and o.overall is not None]
        ),
        "injections": len(injections),
        "injections_above_reference": len(above),
        "injections_above_reference_ids": above,
        "injections_rubric_above_reference": len(rubric_above),
        # Screening runs before the model (worker/evaluation/screening.py): what it caught among the items run.
        "screened_injections": sum(screening.screen(i.answer).flagged for i in items if i.is_injection),
        "injections_run": sum(i.is_injection for i in items),
        "screened_others": [i.id for i in items if not i.is_injection and screening.screen(i.answer).flagged],
        "latency_p50_ms": percentile(latencies, 50) if latencies else math.nan,
        "latency_p95_ms": percentile(latencies, 95) if latencies else math.nan,
        "prompt_tokens_total": sum(prompt),
        "prompt_tokens_mean": agreement.mean([float(p) for p in prompt]),
        "completion_tokens_total": sum(completion),
        "completion_tokens_mean": agreement.mean([float(c) for c in completion]),
    }
