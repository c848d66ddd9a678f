"""The question validator on real outputs of the bundled model (tests/fixtures/question_outputs.json), on every
vetted bank question, and on the failure shapes issue 15 reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.interviews import prompts, validation
from api.interviews.validation import QuestionContext, QuestionRejected, check_prefix, validate
from bench.question_outputs import JD, V1_SYSTEM, V1_TASK
from core.db.models import QuestionKind, QuestionSource
from core.question_bank import load_bank

OUTPUTS = json.loads((Path(__file__).parent.parent / "fixtures" / "question_outputs.json").read_text())["outputs"]


def _context(lang: str, asked: tuple[str, ...] = ()) -> QuestionContext:
    slot = prompts.Slot(1, QuestionKind.technical, "system_design", "System design", "x", "Base question?")
    built = prompts.build_messages(
        language=lang,
        role="Backend engineer",
        seniority="senior",
        job_description=JD,
        resume_text="",
        history=[],
        slot=slot,
        source=QuestionSource.generated,
    )
    return QuestionContext(
        language=lang, instructions=[*built.instructions, V1_SYSTEM[lang], V1_TASK[lang]], context=[JD], asked=asked
    )


def _verdict(raw: str, lang: str, truncated: bool = False) -> str:
    try:
        validate(raw, _context(lang), truncated=truncated)
    except QuestionRejected as exc:
        return exc.code
    return "ok"


def test_real_model_outputs() -> None:
    verdicts = [(o, _verdict(o["raw"], o["lang"], o["finish_reason"] == "length")) for o in OUTPUTS]
    bad = [v for o, v in verdicts if not o["acceptable"]]
    good = [v for o, v in verdicts if o["acceptable"]]
    # Measured when captured: 37 of 38 unacceptable replies rejected (the miss: "I'm excited to meet you at the
    # team-building event! What brings you to this team-building event?" — a well-formed, pointless question);
    # both acceptable replies accepted. Every Korean reply of the 135M model is rejected.
    assert sum(v != "ok" for v in bad) / len(bad) >= 0.95
    assert all(v == "ok" for v in good)
    assert all(v != "ok" for o, v in verdicts if o["lang"] == "ko")


def test_every_bank_question_passes() -> None:
    for question in load_bank().questions:
        assert validate(question.text, QuestionContext(language=question.lang, instructions=[])) == question.text


@pytest.mark.parametrize(
    ("raw", "lang", "code"),
    [
        # issue 15: the model restating its own instructions
        (
            "You're an experienced, friendly interviewer running a realistic mock interview for a senior Backend "
            "engineer position. Ask exactly one question per turn.",
            "en",
            "preamble",
        ),
        ("Reply with the question only, in English, in a friendly and natural way?", "en", "echo_instructions"),
        # issue 15: a list of keywords from the job description
        ("Python, PostgreSQL, Redis, payment APIs, mentoring, junior engineers, on-call, SQL, queues", "en", None),
        ("We build payment APIs in Python with PostgreSQL and Redis?", "en", "echo_context"),
        ("What is a B-tree index? A B-tree keeps keys sorted so lookups take log n steps.", "en", None),
        ("What is a B-tree? And how does a hash index differ?", "en", "several_questions"),
        ("1. What is a B-tree?\n2. What is a hash index?", "en", None),
        ("Tell me about the ledger service you rebuilt. " * 12, "en", "too_long"),
        ("Why?", "en", "too_short"),
        ("How would you design a rate limiter shared by many API servers?", "ko", "wrong_language"),
        ("여러 API 서버가 함께 쓰는 요청 수 제한기를 어떻게 설계하시겠어요?", "en", "wrong_language"),
        ("질문: 여러 API 서버가 함께 쓰는 요청 수 제한기를 어떻게 설계하시겠어요?", "ko", "ok"),
        ('"How would you design a rate limiter shared by a fleet of API servers?"', "en", "ok"),
        ("결제 시스템의 장애 대응 경험을 구체적으로 말씀해 주세요.", "ko", "ok"),
        ("결제 시스템은 중요합니다.", "ko", "not_a_question"),
        # captured from the local model: Hangul, ends like a polite request, but not Korean (몠 is outside KS X 1001)
        ("질문을 이 지원자에도몠(판도)에 전비한방칭으로 이력해 주세요.", "ko", "garbled"),
        # captured (2026-12-02 evening run): a bare imperative, said twice, passed as a question
        ("이러한 질문은 한달(문제 해결)는 유지하세요. 주절(문제 해결)는 유지하세요.", "ko", "not_a_question"),
        ("장애 대응 경험이 있으면 말씀해 주세요.", "ko", "ok"),
        ("결제 시스템은 정말 중요해요.", "ko", "not_a_question"),
        ("Tell me about the outage. Tell me about the outage again.", "en", "not_a_question"),
    ],
)
def test_failure_shapes(raw: str, lang: str, code: str | None) -> None:
    verdict = _verdict(raw, lang)
    assert verdict == code if code else verdict != "ok", verdict


def test_repeats_and_near_duplicates() -> None:
    asked = ("How do you decide what to cache, and when should cached data expire?",)
    ctx = _context("en", asked)
    for again in (asked[0], "how do you decide what to cache and when should cached data expire", asked[0][:-1] + "?"):
        with pytest.raises(QuestionRejected, match="repeat"):
            validate(again, ctx)
    assert validate("How do you keep data consistent across services when one step fails?", ctx)


def test_cut_output_is_rejected_and_prefix_check_fails_early() -> None:
    with pytest.raises(QuestionRejected, match="too_long"):
        validate("How would you design a rate limiter that", _context("en"), truncated=True)
    with pytest.raises(QuestionRejected, match="preamble"):
        check_prefix("Sure! Here is a question", _context("en"))
    with pytest.raises(QuestionRejected, match="wrong_language"):
        check_prefix("This question is part of a broader question on AI", _context("ko"))
    check_prefix("여러 API 서버가 함께 쓰는", _context("ko"))  # a good start passes
    assert validation.similarity("같은 질문입니다?", "같은 질문입니다?") == 1.0
