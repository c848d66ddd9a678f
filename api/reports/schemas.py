from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.interviews.schemas import AnswerOut, EvaluationOut, InterviewOut, PlanOut
from core.db.models import QuestionKind, QuestionSource


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


class KeyPointOut(BaseModel):
    text: str
    covered: bool = Field(description="the answer touched this point (lexical match, not the LLM)")


class AnchorsOut(BaseModel):
    """What a 1, 3 and 5 answer look like for the question's competency (C3; keys "1", "3", "5")."""

    model_config = ConfigDict(populate_by_name=True)

    competency: str
    name: str
    one: str = Field(alias="1")
    three: str = Field(alias="3")
    five: str = Field(alias="5")


class ReportQuestion(BaseModel):
    id: uuid.UUID
    position: int
    kind: QuestionKind
    question: str
    source: QuestionSource
    competency: str | None
    key_points: list[KeyPointOut] = Field(description="the bank question's key points; [] for a question without one")
    anchors: AnchorsOut | None
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
    plan: PlanOut | None = Field(description="what this interview covered (competencies and slots, C3)")
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
