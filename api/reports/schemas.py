from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel

from api.interviews.schemas import AnswerOut, EvaluationOut, InterviewOut


class TranscriptSegmentOut(BaseModel):
    text: str
    start_s: float
    end_s: float
    confidence: float | None


class ReportQuestion(BaseModel):
    id: uuid.UUID
    position: int
    kind: str
    question: str
    answer: AnswerOut | None
    evaluation: EvaluationOut | None
    speech_metrics: dict[str, Any]
    transcript: list[TranscriptSegmentOut]
    expression: dict[str, Any]


class Speaking(BaseModel):
    avg_wpm: float | None
    avg_spm: float | None
    filler_count: int
    fillers: dict[str, int]
    long_pauses: int


class ReportOut(BaseModel):
    status: Literal["pending", "ready", "failed"]
    error: str | None
    interview: InterviewOut
    overall_score: float | None
    rubric: dict[str, float]
    summary: str
    strengths: list[str]
    practice: list[str]
    questions: list[ReportQuestion]
    expression: dict[str, Any]  # interview-wide distribution, face-present ratio, confidence
    expression_timeline: list[dict[str, Any]]
    speaking: Speaking
    disclaimer: str
