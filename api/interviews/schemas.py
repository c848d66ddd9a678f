from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.text import StorableStr
from core.db.models import InterviewStatus, Language, QuestionKind, QuestionSource

RolePreset = Literal["backend", "frontend", "data", "pm", "devops", "ml"]
Seniority = Literal["junior", "mid", "senior", "lead"]


class InterviewIn(BaseModel):
    role: StorableStr = Field(
        min_length=1, max_length=120, description="Role title, free text (e.g. 'Backend engineer')"
    )
    role_preset: RolePreset | None = None
    seniority: Seniority
    language: Language = Field(description="Interview language: 'ko' or 'en'")
    job_description: StorableStr = Field(default="", description="Pasted job description (untrusted text)")
    resume_text: StorableStr = Field(default="", description="Résumé text, typed or extracted by /api/uploads/resume")
    num_questions: int = Field(ge=1, le=15)
    consent_camera: bool = Field(default=False, description="Opt in to expression analysis of webcam frames")
    consent_voice: bool = Field(default=False, description="Opt in to speech-to-text of the microphone")

    @field_validator("role")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("role must not be blank")
        return value


class InterviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    role: str
    role_preset: RolePreset | None
    seniority: Seniority
    language: Language
    num_questions: int
    consent_camera: bool
    consent_voice: bool
    status: InterviewStatus
    created_at: datetime
    overall_score: float | None


class InterviewSummary(BaseModel):
    id: uuid.UUID
    role: str
    language: Language
    status: InterviewStatus
    created_at: datetime
    overall_score: float | None
    num_questions: int
    answered: int


class AnswerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    text: str
    source: Literal["speech", "typed"]
    revision: int
    started_at: datetime | None
    ended_at: datetime | None
    speech_metrics: dict[str, Any]


class EvaluationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status: Literal["pending", "ready", "failed"]
    overall_score: int | None = Field(description="1–5")
    rubric: dict[str, Any]
    strengths: list[str]
    improvements: list[str]
    model_answer: str
    error: str | None
    error_code: str | None = Field(
        description="why scoring failed: unavailable | bad_output | degenerate | wrong_language | rejected | timeout"
    )


class PlanCompetency(BaseModel):
    id: str
    name: str
    weight: float = Field(description="share of this interview's emphasis, 0–1")


class PlanSlot(BaseModel):
    position: int
    kind: QuestionKind
    competency: str
    bank_id: str


class PlanPractice(BaseModel):
    focus: list[str] = Field(description="the competencies this practice interview targets, weakest first")


class PlanOut(BaseModel):
    """What this interview covers: chosen at setup from the role, seniority, JD and résumé (C3), or, for a practice
    interview, from the candidate's weak or due competencies (`practice`)."""

    version: str
    competencies: list[PlanCompetency]
    slots: list[PlanSlot]
    practice: PlanPractice | None = None


class QuestionOut(BaseModel):
    id: uuid.UUID
    position: int
    kind: QuestionKind
    text: str
    source: QuestionSource = Field(description="generated | follow_up | bank: how the shown question was made")
    competency: str | None
    created_at: datetime
    answer: AnswerOut | None
    evaluation: EvaluationOut | None


class InterviewDetail(InterviewOut):
    job_description: str
    resume_text: str
    plan: PlanOut | None
    questions: list[QuestionOut]


class FinishOut(BaseModel):
    status: InterviewStatus
