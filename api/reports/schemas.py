from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field

from api.interviews.schemas import AnswerOut, EvaluationOut, InterviewOut
from core.db.models import QuestionKind


class TranscriptSegmentOut(BaseModel):
    text: str
    start_s: float
    end_s: float
    confidence: float | None


class ExpressionAggregate(BaseModel):
    """Expression readings over a set of webcam samples (practice feedback, never a hiring signal)."""

    samples: int = 0
    face_samples: int = 0
    face_present_ratio: float | None = None
    distribution: dict[str, float] = Field(default_factory=dict, description="expression → share of face samples")
    mean_scores: dict[str, float | None] = Field(default_factory=dict)
    mean_confidence: float | None = Field(default=None, description="mean probability of the dominant expression")
    mean_detector_confidence: float | None = None
    dominant: str | None = None


class QuestionExpression(ExpressionAggregate):
    question_id: uuid.UUID | None = None
    position: int | None = None
    start_s: float | None = None
    end_s: float | None = None


class TimelinePoint(BaseModel):
    t_s: float = Field(description="seconds since the interview started")
    question_id: uuid.UUID | None
    face_found: bool
    dominant: str | None
    score: float | None


class QuestionMark(BaseModel):
    question_id: uuid.UUID
    position: int
    t_s: float


class ReportQuestion(BaseModel):
    id: uuid.UUID
    position: int
    kind: QuestionKind
    question: str
    answer: AnswerOut | None
    evaluation: EvaluationOut | None
    speech_metrics: dict[str, object]
    transcript: list[TranscriptSegmentOut]
    expression: QuestionExpression | None


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
    rubric: dict[str, float] = Field(description="criterion → mean score 1–5 over evaluated answers")
    summary: str
    strengths: list[str]
    practice: list[str]
    questions: list[ReportQuestion]
    expression: ExpressionAggregate
    expression_timeline: list[TimelinePoint]
    question_marks: list[QuestionMark]
    speaking: Speaking
    disclaimer: str
