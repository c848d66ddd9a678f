"""Evaluator replies that are well-formed but say nothing: the outputs the local model produced in the browser run
that found them (issue 15), and good replies in both languages that must pass."""

from __future__ import annotations

import pytest

from core.llm import LLMBadOutput, LLMRequestError, LLMUnavailable
from worker.evaluation import content
from worker.evaluation.content import ContentRejected, check
from worker.evaluation.prompts import EVALUATION_SYSTEM
from worker.evaluation.schemas import EvaluationOutput, field_descriptions

PROMPT = [EVALUATION_SYSTEM, *field_descriptions(EvaluationOutput)]
GOOD_EN = {
    "strengths": ["You named the trade-off between consistency and latency explicitly."],
    "improvements": ["Give a number for the traffic the cache had to absorb."],
}
GOOD_MODEL_EN = "I would put a write-through cache in front of the ledger and measure the hit rate weekly."
GOOD_KO = {
    "strengths": ["일관성과 지연 시간 사이의 트레이드오프를 분명히 설명했습니다."],
    "improvements": ["캐시가 감당해야 했던 트래픽 규모를 숫자로 제시하면 좋겠습니다."],
}
GOOD_MODEL_KO = "원장 앞에 write-through 캐시를 두고 매주 적중률을 측정하겠습니다."


def _check(points: dict[str, list[str]], model_answer: str, language: str = "en") -> None:
    check("evaluator", points=points, prose={"model_answer": model_answer}, language=language, prompt_texts=PROMPT)


def _code(points: dict[str, list[str]], model_answer: str, language: str = "en") -> str:
    with pytest.raises(ContentRejected) as caught:
        _check(points, model_answer, language)
    return caught.value.code


def test_good_replies_pass_in_both_languages() -> None:
    _check(GOOD_EN, GOOD_MODEL_EN)
    _check(GOOD_KO, GOOD_MODEL_KO, "ko")


@pytest.mark.parametrize(
    ("points", "model_answer", "language", "code"),
    [
        ({"strengths": ["1", "2", "3"], "improvements": GOOD_EN["improvements"]}, GOOD_MODEL_EN, "en", "degenerate"),
        ({**GOOD_EN, "improvements": ["1-5: what is the improvement?"]}, GOOD_MODEL_EN, "en", "degenerate"),
        ({**GOOD_EN, "improvements": ["what to do better"]}, GOOD_MODEL_EN, "en", "degenerate"),
        (GOOD_EN, "Use e.g. for example e.g. for example e.g. for example e.g. for example.", "en", "degenerate"),
        (GOOD_EN, "Your background in payments is relevant, and your backgrou…", "en", "degenerate"),
        (
            GOOD_EN,
            "Your background in payment systems is relevant and you could describe the ledger",
            "en",
            "degenerate",
        ),
        ({**GOOD_EN, "strengths": ["Clear answer.", "clear answer"]}, GOOD_MODEL_EN, "en", "degenerate"),
        (GOOD_EN, GOOD_MODEL_EN, "ko", "wrong_language"),
        (GOOD_KO, GOOD_MODEL_KO, "en", "wrong_language"),
    ],
)
def test_degenerate_replies_are_rejected_with_a_code(
    points: dict[str, list[str]], model_answer: str, language: str, code: str
) -> None:
    assert _code(points, model_answer, language) == code


def test_rejections_are_bad_output_and_map_to_error_codes() -> None:
    rejected = ContentRejected("evaluator", "degenerate", "strengths: an item with no words")
    assert isinstance(rejected, LLMBadOutput)  # retried like any unusable reply, then stored as failed
    assert content.error_code(rejected) == "degenerate"
    assert content.error_code(LLMBadOutput("evaluator", "the reply is not valid JSON")) == "bad_output"
    assert content.error_code(LLMUnavailable("evaluator", "http://x failed (APIConnectionError)")) == "unavailable"
    assert content.error_code(LLMUnavailable("evaluator", "http://x failed (APITimeoutError)")) == "timeout"
    assert content.error_code(LLMRequestError("evaluator", "request rejected (HTTP 400)")) == "rejected"


def test_the_stand_in_evaluators_replies_pass() -> None:
    """tests/evaluator_standin.py stands in for a production-quality evaluator: its replies must be good ones."""
    from tests.evaluator_standin import EVALUATION, REPORT

    for lang in ("en", "ko"):
        reply = EVALUATION[lang]
        check(
            "evaluator",
            points={"strengths": reply["strengths"], "improvements": reply["improvements"]},  # type: ignore[dict-item]
            prose={"model_answer": str(reply["model_answer"])},
            language=lang,
            prompt_texts=PROMPT,
        )
        report = REPORT[lang]
        check(
            "evaluator",
            points={"strengths": report["strengths"], "practice": report["practice"]},  # type: ignore[dict-item]
            prose={"summary": str(report["summary"])},
            language=lang,
            prompt_texts=PROMPT,
        )
