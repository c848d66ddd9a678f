"""Scoring one answer: the single code path from an answer to a validated rubric, shared by the `evaluate_answer`
actor and the quality harness (`python -m bench.quality evaluator`), so what the harness measures is what candidates
get. Retries and storage stay with the caller (the actor's policy is in `retry.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.llm import LLMClient
from worker.evaluation import content
from worker.evaluation.chain import ChainResult, run_structured
from worker.evaluation.prompts import (
    EVALUATION_SYSTEM,
    anchors_block,
    delimit_untrusted,
    evaluation_prompt,
    language_name,
)
from worker.evaluation.retry import retry_temperature
from worker.evaluation.schemas import EvaluationOutput, field_descriptions


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


def prompt_variables(item: AnswerToScore) -> dict[str, Any]:
    return {
        "role": item.role,
        "seniority": item.seniority,
        "language_name": language_name(item.language),
        "kind": item.question_kind,
        "anchors": anchors_block(item.competency, item.language),
        "question": item.question_text,
        "answer": delimit_untrusted(item.answer_text),
    }


async def score_answer(llm: LLMClient, item: AnswerToScore, *, bad_outputs: int = 0) -> ChainResult[EvaluationOutput]:
    """One attempt. Raises LLMUnavailable / LLMRequestError / LLMBadOutput (see chain.run_structured), or
    content.ContentRejected (an LLMBadOutput with a reason code) when the reply is well-formed but degenerate, loops,
    echoes the rubric or is in the wrong language; `bad_outputs` (unusable replies so far for this answer) raises
    the sampling temperature."""
    result = await run_structured(
        llm,
        evaluation_prompt(),
        EvaluationOutput,
        prompt_variables(item),
        name="evaluation",
        temperature=retry_temperature(llm.settings.temperature, bad_outputs),
    )
    output = result.output
    content.check(
        llm.role,
        points={"strengths": output.strengths, "improvements": output.improvements},
        prose={"model_answer": output.model_answer},
        language=item.language,
        prompt_texts=[EVALUATION_SYSTEM, *field_descriptions(EvaluationOutput)],
    )
    return result
