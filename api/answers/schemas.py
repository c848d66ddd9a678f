from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from api.text import StorableStr


class AnswerIn(BaseModel):
    text: StorableStr = Field(min_length=1, max_length=20_000, description="Final answer text (from live STT or typed)")
    source: Literal["speech", "typed"] = "typed"
    started_at: datetime | None = None
    ended_at: datetime | None = None

    @model_validator(mode="after")
    def _check(self) -> AnswerIn:
        if not self.text.strip():
            raise ValueError("text must not be blank")
        if self.started_at and self.ended_at and self.ended_at < self.started_at:
            raise ValueError("ended_at must not be before started_at")
        return self


class AnswerAccepted(BaseModel):
    id: uuid.UUID
    question_id: uuid.UUID
    revision: int
    speech_metrics: dict[str, Any]
    evaluation_status: Literal["pending"] = "pending"


class ScoringTiming(BaseModel):
    """How long scoring an answer usually takes here, from the deployment's recent evaluations."""

    p50_s: float | None = Field(description="Median seconds from submission to score; null until enough samples")
    samples: int = Field(description="Evaluations the median is taken over (the most recent ones)")
