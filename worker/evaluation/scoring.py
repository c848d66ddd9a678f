"""Scoring one answer: the single code path from an answer to a validated rubric, shared by the `evaluate_answer`
actor and the quality harness (`python -m bench.quality evaluator`), so what the harness measures is what candidates
get. Retries and storage stay with the caller (the actor's policy is in `retry.py`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from core.llm import LLMClient
from worker.evaluation import content, screening
from worker.evaluation.chain import ChainResult, run_structured
from worker.evaluation.prompts import (
    EVALUATION_SYSTEM,
    anchors_block,
    delimit_untrusted,
    evaluation_prompt,
    language_name,
)
from worker.evaluation.retry import retry_temperature
from worker.evaluation.schemas import CRITERIA, EvaluationOutput, field_descriptions


@dataclass(frozen=True)
class AnswerToScore:
    """What the evaluator sees of one answer (plain values; the answer text is untrusted)."""

    role: str
    seniority: str
    language: str
    question_kind: str
    question_text: str
    answer_text: str
    competency: str | None = None  # the plan slot's competency: its anchors go into the prompt


def prompt_variables(item: AnswerToScore, answer_text: str | None = None) -> dict[str, Any]:
    """The prompt's variables; `answer_text` is the answer as the model may read it (screened), default as given."""
    return {
        "role": item.role,
        "seniority": item.seniority,
        "language_name": language_name(item.language),
        "kind": item.question_kind,
        "anchors": anchors_block(item.competency, item.language),
        "question": item.question_text,
        "answer": delimit_untrusted(item.answer_text if answer_text is None else answer_text),
    }


def displayable_partial(parsed: dict[str, Any]) -> dict[str, Any]:
    """The part of a growing reply that may be shown while it is written: scores already written (1–5 ints) and
    strength/improvement points already finished (a later point or key follows them). Text still being written and
    the model answer wait for the validated result."""
    keys = list(parsed)
    shown: dict[str, Any] = {"rubric": {}}
    for name in CRITERIA:
        value = parsed.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
            shown["rubric"][name] = value
    overall = parsed.get("overall_score")
    if isinstance(overall, int) and not isinstance(overall, bool) and 1 <= overall <= 5:
        shown["overall_score"] = overall
    for name in ("strengths", "improvements"):
        items = parsed.get(name)
        if not isinstance(items, list):
            continue
        done = items if keys[-1] != name else items[:-1]  # the last item may still be growing
        points = [p.strip() for p in done if isinstance(p, str) and p.strip()]
        if points:
            shown[name] = points
    return shown


async def score_answer(
    llm: LLMClient,
    item: AnswerToScore,
    *,
    bad_outputs: int = 0,
    on_partial: Callable[[dict[str, Any]], Awaitable[None]] | None = None,
    affinity: str | None = None,
) -> ChainResult[EvaluationOutput]:
    """One attempt. Raises LLMUnavailable / LLMRequestError / LLMBadOutput (see chain.run_structured), or
    content.ContentRejected (an LLMBadOutput with a reason code) when the reply is well-formed but degenerate, loops,
    echoes the rubric or is in the wrong language; `bad_outputs` (unusable replies so far for this answer) raises
    the sampling temperature. `on_partial` gets `displayable_partial` of the reply as it is generated (only when
    it changed); `affinity` (the interview id) keeps an interview on the replica that caches its prompt.

    Text in the answer addressed to the grader is cut before the model reads it and caps the scores
    (screening.py): the returned output and every partial already carry the cap."""
    screened = screening.screen(item.answer_text)
    variables = prompt_variables(item, screened.text)
    last: dict[str, Any] = {}

    async def partial(parsed: dict[str, Any]) -> None:
        nonlocal last
        shown = screening.cap_partial(displayable_partial(parsed), screened)
        if on_partial is not None and shown != last and (shown["rubric"] or len(shown) > 1):
            last = shown
            await on_partial(shown)

    result = await run_structured(
        llm,
        evaluation_prompt(),
        EvaluationOutput,
        variables,
        name="evaluation",
        temperature=retry_temperature(llm.settings.temperature, bad_outputs),
        on_partial=partial if on_partial is not None else None,
        affinity=affinity,
    )
    output = result.output
    try:
        content.check(
            llm.role,
            points={"strengths": output.strengths, "improvements": output.improvements},
            prose={"model_answer": output.model_answer},
            language=item.language,
            prompt_texts=[EVALUATION_SYSTEM, *field_descriptions(EvaluationOutput), variables["anchors"]],
            candidate_text=item.answer_text,
        )
    except content.ContentRejected as exc:
        exc.output = output
        raise
    if screened.flagged:
        result = dataclasses.replace(result, output=screening.capped(output, screened, item.language))
    return result
