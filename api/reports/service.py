"""Assemble the report dashboard from stored rows: the evaluator's summary plus per-question detail."""

from __future__ import annotations

from collections import Counter
from statistics import mean
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from api.interviews.schemas import AnswerOut, EvaluationOut, InterviewOut, PlanOut
from api.reports.key_points import coverage
from api.reports.schemas import (
    AnchorsOut,
    ExpressionAggregate,
    KeyPointOut,
    ReportOut,
    ReportQuestion,
    Speaking,
    TranscriptSegmentOut,
)
from core.db.models import AnswerSource, ExpressionSample, Interview, JobStatus, Question
from core.expressions import summarize_expressions
from core.question_bank import Bank, load_bank
from core.repositories.interviews import InterviewRepository, Turn

DISCLAIMER = {
    "en": "Expression readings are practice feedback from an automated model with limited accuracy. They are not an "
    "assessment of you and are never a hiring signal.",
    "ko": "표정 분석은 정확도가 제한된 자동 모델의 연습용 피드백입니다. 지원자에 대한 평가가 아니며 채용 판단에 "
    "사용되지 않습니다.",
}


def _key_points(bank: Bank, question: Question, answer: str | None) -> list[KeyPointOut]:
    """The bank question's key points and which ones the answer touched (lexical, no LLM: key_points.py)."""
    if not question.bank_id:
        return []
    try:
        points = bank.get(question.bank_id).key_points
    except KeyError:  # removed from the bank since
        return []
    return [KeyPointOut.model_validate(item) for item in coverage(points, answer)]


def _anchors(bank: Bank, competency: str | None, language: str) -> AnchorsOut | None:
    found = bank.competencies.get(competency) if competency else None
    if found is None or competency is None:
        return None
    lang = language if language in found.anchors else "en"
    scale = found.anchors[lang]
    return AnchorsOut.model_validate(
        {"competency": competency, "name": found.name.get(lang, competency), **{str(k): scale[k] for k in (1, 3, 5)}}
    )


def _expression_summary(
    samples: list[ExpressionSample], questions: list[Question], interview: Interview
) -> dict[str, Any]:
    result: dict[str, Any] = summarize_expressions(samples, questions, started_at=interview.created_at)
    return result


async def build(session: AsyncSession, interview: Interview, turns: list[Turn]) -> ReportOut:
    repo = InterviewRepository(session)
    questions = [t.question for t in turns]
    report = await repo.report(interview.id)
    segments = await repo.transcripts(interview.id)
    expressions = _expression_summary(await repo.expression_samples(interview.id), questions, interview)
    per_question_expr = {item["question_id"]: item for item in expressions.get("questions", [])}

    bank = load_bank()
    items: list[ReportQuestion] = []
    wpms: list[float] = []
    spms: list[float] = []
    fillers: Counter[str] = Counter()
    pauses = 0
    for q, answer, evaluation in turns:
        # Pace and fillers of spoken answers only (rows stored before this rule may carry a typed answer's).
        metrics = answer.speech_metrics if answer and answer.source == AnswerSource.speech else {}
        if metrics.get("wpm"):
            wpms.append(float(metrics["wpm"]))
        if metrics.get("spm"):
            spms.append(float(metrics["spm"]))
        fillers.update(metrics.get("fillers", {}))
        pauses += int(metrics.get("long_pauses", 0))
        items.append(
            ReportQuestion(
                id=q.id,
                position=q.position,
                kind=q.kind,
                question=q.text,
                source=q.source,
                competency=q.competency,
                key_points=_key_points(bank, q, answer.text if answer else None),
                anchors=_anchors(bank, q.competency, interview.language),
                answer=AnswerOut.model_validate(answer) if answer else None,
                evaluation=EvaluationOut.model_validate(evaluation) if evaluation else None,
                speech_metrics=metrics,
                transcript=[
                    TranscriptSegmentOut(text=s.text, start_s=s.start_s, end_s=s.end_s, confidence=s.confidence)
                    for s in segments
                    if s.question_id == q.id
                ],
                expression=per_question_expr.get(str(q.id)),
            )
        )
    status = JobStatus(report.status).value if report else JobStatus.pending.value
    return ReportOut(
        status=status,  # type: ignore[arg-type]
        error=report.error if report else None,
        interview=InterviewOut.model_validate(interview),
        plan=PlanOut.model_validate(interview.plan) if interview.plan else None,
        overall_score=report.overall_score if report else None,
        rubric={k: float(v) for k, v in (report.rubric if report else {}).items()},
        summary=report.summary if report else "",
        strengths=list(report.strengths) if report else [],
        practice=list(report.practice) if report else [],
        questions=items,
        expression=ExpressionAggregate.model_validate(expressions.get("interview", {})),
        expression_timeline=expressions.get("timeline", []),
        question_marks=expressions.get("question_marks", []),
        speaking=Speaking(
            avg_wpm=round(mean(wpms), 1) if wpms else None,
            avg_spm=round(mean(spms), 1) if spms else None,
            filler_count=sum(fillers.values()),
            fillers=dict(fillers),
            long_pauses=pauses,
        ),
        disclaimer=DISCLAIMER.get(interview.language, DISCLAIMER["en"]),
    )
