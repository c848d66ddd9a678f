"""Database tables (SQLModel on PostgreSQL). JSONB holds rubric scores, emotion scores and model metadata.

Everything hangs off a user: deleting a user or an interview cascades to every derived row (delete-my-data).
"""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(nullable: bool = False, **kw: Any) -> Any:
    return Field(
        default_factory=utcnow if not nullable else None,
        sa_column=Column(DateTime(timezone=True), nullable=nullable, **kw),
    )


def _fk(target: str, nullable: bool = False, index: bool = True) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=index),
    )


def _jsonb(default: Any = dict, nullable: bool = False) -> Any:
    if nullable:
        return Field(default=None, sa_column=Column(JSONB, nullable=True))
    return Field(default_factory=default, sa_column=Column(JSONB, nullable=False))


class Language(enum.StrEnum):
    ko = "ko"
    en = "en"


class InterviewStatus(enum.StrEnum):
    active = "active"  # questions being asked / answered
    finishing = "finishing"  # finish requested, report job queued
    finished = "finished"  # report ready


class QuestionKind(enum.StrEnum):
    """The kind of a planned slot (C2 taxonomy). A follow-up is not a kind but a `QuestionSource`."""

    opening = "opening"
    technical = "technical"
    behavioural = "behavioural"
    situational = "situational"
    closing = "closing"


class QuestionSource(enum.StrEnum):
    """Where the shown question came from: the model personalised the slot's bank question, the model followed up
    on the previous answer, or its output failed validation and the vetted bank question was used as is."""

    generated = "generated"
    follow_up = "follow_up"
    bank = "bank"


class AnswerSource(enum.StrEnum):
    speech = "speech"
    typed = "typed"


class JobStatus(enum.StrEnum):
    pending = "pending"
    ready = "ready"
    failed = "failed"


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    email: str = Field(sa_column=Column(String(320), nullable=False, unique=True))
    password_hash: str
    display_name: str = Field(default="", max_length=100)
    locale: str = Field(default="ko", max_length=8)
    created_at: datetime = _ts()


class AuthSession(SQLModel, table=True):
    """A signed-in browser. The cookie carries a random token; only its SHA-256 is stored."""

    __tablename__ = "auth_sessions"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = _fk("users.id")
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    created_at: datetime = _ts()
    expires_at: datetime = _ts()


class Interview(SQLModel, table=True):
    __tablename__ = "interviews"
    __table_args__ = (Index("ix_interviews_user_created", "user_id", "created_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = _fk("users.id", index=False)
    role: str = Field(max_length=120)
    role_preset: str | None = Field(default=None, max_length=40)
    seniority: str = Field(max_length=40)
    language: Language = Field(sa_column=Column(String(2), nullable=False))
    job_description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    resume_text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    num_questions: int
    consent_camera: bool = False
    consent_voice: bool = False
    status: InterviewStatus = Field(default=InterviewStatus.active, sa_column=Column(String(16), nullable=False))
    overall_score: float | None = None  # mean of the evaluations' overall 1–5, one decimal
    plan: dict[str, Any] = _jsonb()  # competencies and slots chosen at setup (api/interviews/plan.py)
    created_at: datetime = _ts()
    finished_at: datetime | None = _ts(nullable=True)


class Question(SQLModel, table=True):
    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("interview_id", "position"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    interview_id: uuid.UUID = _fk("interviews.id")
    position: int  # 1-based order in the interview
    kind: QuestionKind = Field(sa_column=Column(String(16), nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    source: QuestionSource = Field(
        default=QuestionSource.generated, sa_column=Column(String(16), nullable=False, server_default="generated")
    )
    competency: str | None = Field(default=None, max_length=40)
    bank_id: str | None = Field(default=None, max_length=64)
    prompt_version: str = Field(max_length=32)
    model_meta: dict[str, Any] = _jsonb()  # model alias, replica, latency, tokens, rejected outputs
    created_at: datetime = _ts()


class Answer(SQLModel, table=True):
    __tablename__ = "answers"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    question_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("questions.id", ondelete="CASCADE"), nullable=False, unique=True)
    )
    interview_id: uuid.UUID = _fk("interviews.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    source: AnswerSource = Field(sa_column=Column(String(8), nullable=False))
    started_at: datetime | None = _ts(nullable=True)
    ended_at: datetime | None = _ts(nullable=True)
    revision: int = 1  # bumped when the candidate re-submits; evaluations are for one revision
    speech_metrics: dict[str, Any] = _jsonb()
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class Evaluation(SQLModel, table=True):
    __tablename__ = "evaluations"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    answer_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("answers.id", ondelete="CASCADE"), nullable=False, unique=True)
    )
    interview_id: uuid.UUID = _fk("interviews.id")
    answer_revision: int
    status: JobStatus = Field(default=JobStatus.pending, sa_column=Column(String(8), nullable=False))
    overall_score: int | None = None  # 1–5
    rubric: dict[str, Any] = _jsonb()  # criterion -> 1..5
    strengths: list[str] = _jsonb(list)
    improvements: list[str] = _jsonb(list)
    model_answer: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    error_code: str | None = Field(default=None, max_length=16)  # why it failed, for the UI to translate
    attempts: int = 0
    model_meta: dict[str, Any] = _jsonb()  # model, prompt_version, latency_ms, usage tokens
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class TranscriptSegment(SQLModel, table=True):
    """A final speech-to-text segment (partials are only streamed, never stored)."""

    __tablename__ = "transcript_segments"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    interview_id: uuid.UUID = _fk("interviews.id")
    question_id: uuid.UUID | None = _fk("questions.id", nullable=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    start_s: float
    end_s: float
    confidence: float | None = None
    provider: str = Field(max_length=32)
    created_at: datetime = _ts()


class ExpressionSample(SQLModel, table=True):
    """One analysed webcam frame. `face_found=False` rows carry no expression — never a made-up one."""

    __tablename__ = "expression_samples"
    __table_args__ = (Index("ix_expression_interview_captured", "interview_id", "captured_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    interview_id: uuid.UUID = _fk("interviews.id", index=False)
    question_id: uuid.UUID | None = _fk("questions.id", nullable=True)
    captured_at: datetime = _ts()
    face_found: bool
    face_box: dict[str, Any] | None = _jsonb(nullable=True)  # x, y, w, h in source-frame pixels
    detector_confidence: float | None = None
    dominant: str | None = Field(default=None, max_length=16)
    scores: dict[str, Any] = _jsonb()  # expression -> probability 0..1
    model_id: str = Field(max_length=64)
    latency_ms: float
    created_at: datetime = _ts()


class Report(SQLModel, table=True):
    __tablename__ = "reports"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    interview_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("interviews.id", ondelete="CASCADE"), nullable=False, unique=True)
    )
    status: JobStatus = Field(default=JobStatus.pending, sa_column=Column(String(8), nullable=False))
    overall_score: float | None = None  # 1.0–5.0
    rubric: dict[str, Any] = _jsonb()  # criterion -> mean 1..5
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    strengths: list[str] = _jsonb(list)
    practice: list[str] = _jsonb(list)
    expression_summary: dict[str, Any] = _jsonb()
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    model_meta: dict[str, Any] = _jsonb()
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
