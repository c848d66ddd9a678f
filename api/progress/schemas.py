from __future__ import annotations

import functools
import uuid
from datetime import date, datetime
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, Field

from core.db.models import Language


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def _zone(name: str) -> str:
    # Only the IANA database's names: ZoneInfo() alone also reads a directory or a stray file as a key ('Asia').
    if name not in _zone_names():
        raise ValueError(f"unknown time zone {name!r} (an IANA name such as 'Asia/Seoul')")
    return name


TimeZoneName = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_zone)]
TZ_DESCRIPTION = "The candidate's IANA time zone: what 'today' and each interview's day mean (default UTC)"


class SessionOut(BaseModel):
    """One interview's score for the competency: the mean of its evaluated answers there."""

    interview_id: uuid.UUID
    started_at: datetime
    day: date = Field(description="the interview's day in the requested time zone")
    score: float = Field(description="1–5")
    answers: int


class ScheduleOut(BaseModel):
    """The competency's SM-2 state after replaying its sessions (see core/practice.py)."""

    repetitions: int = Field(description="passing sessions (score ≥ 3) in a row")
    ease: float = Field(description="SM-2 ease factor, ≥ 1.3")
    interval_days: int
    last_reviewed_on: date
    due_on: date
    due: bool = Field(description="due on or before today")
    overdue_days: int


class CompetencyProgressOut(BaseModel):
    competency: str
    name: str = Field(description="in the candidate's locale")
    sessions: list[SessionOut] = Field(description="oldest first")
    latest: float
    recent: float = Field(description="mean of the last three sessions: how the weakest are ranked")
    change: float | None = Field(description="latest session minus the one before; null with one session")
    schedule: ScheduleOut


class ProgressOut(BaseModel):
    today: date
    timezone: str
    competencies: list[CompetencyProgressOut] = Field(description="weakest (lowest recent score) first")
    due: list[str] = Field(description="competencies due today, weakest first")
    focus: list[str] = Field(
        description="what 'Practise my weak areas' would target now: the due ones, or the weakest if none is due"
    )
    next_due_on: date | None


class PracticeIn(BaseModel):
    """Start a practice interview on the weak or due competencies. Role, seniority, job description and résumé
    come from the candidate's latest interview; camera analysis is opt-in per interview and never carried over."""

    num_questions: int = Field(default=5, ge=1, le=15)
    language: Language | None = Field(default=None, description="default: the latest interview's language")
    consent_voice: bool | None = Field(default=None, description="default: as in the latest interview")
    consent_camera: bool = Field(default=False, description="Opt in to expression analysis of webcam frames")
    tz: TimeZoneName = Field(default="UTC", description=TZ_DESCRIPTION)
