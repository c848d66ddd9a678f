"""Progress and practice use cases: per-competency trends with the SM-2 schedule, and starting a practice
interview through the one interview-creation path (`api.interviews.service.create`) with a focused plan."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth.sessions import Principal
from api.interviews import service as interviews
from api.interviews.schemas import InterviewIn
from api.progress.schemas import CompetencyProgressOut, PracticeIn, ProgressOut, ScheduleOut, SessionOut
from core import practice
from core.db.models import Interview
from core.errors import Conflict
from core.question_bank import load_bank
from core.repositories.progress import ProgressRepository


def today_in(tz: ZoneInfo, now: datetime | None = None) -> date:
    return (now or datetime.now(tz)).astimezone(tz).date()


async def _progress(session: AsyncSession, user: Principal, tz: ZoneInfo) -> list[practice.CompetencyProgress]:
    return practice.progress(await ProgressRepository(session).scored_answers(user.id), tz)


def _practicable(items: list[practice.CompetencyProgress]) -> list[practice.CompetencyProgress]:
    """Only competencies the question bank still has can be practised (history may name a retired one)."""
    known = load_bank().competencies
    return [p for p in items if p.competency in known]


def _out(item: practice.CompetencyProgress, today: date, locale: str) -> CompetencyProgressOut:
    known = load_bank().competencies.get(item.competency)
    name = known.name.get(locale, known.name["en"]) if known else item.competency
    return CompetencyProgressOut(
        competency=item.competency,
        name=name,
        sessions=[
            SessionOut(
                interview_id=s.interview_id, started_at=s.started_at, day=s.day, score=s.score, answers=s.answers
            )
            for s in item.sessions
        ],
        latest=item.latest,
        recent=item.recent,
        change=item.change,
        schedule=ScheduleOut(
            repetitions=item.schedule.repetitions,
            ease=item.schedule.ease,
            interval_days=item.schedule.interval_days,
            last_reviewed_on=item.schedule.last_reviewed_on,
            due_on=item.schedule.due_on,
            due=item.schedule.is_due(today),
            overdue_days=item.schedule.overdue_days(today),
        ),
    )


async def get_progress(session: AsyncSession, user: Principal, tz_name: str) -> ProgressOut:
    tz = ZoneInfo(tz_name)
    today = today_in(tz)
    items = await _progress(session, user, tz)
    return ProgressOut(
        today=today,
        timezone=tz_name,
        competencies=[_out(item, today, user.locale) for item in items],
        due=[p.competency for p in practice.due(items, today)],
        focus=[p.competency for p in practice.focus(_practicable(items), today)],
        next_due_on=practice.next_due_on(items),
    )


async def start_practice(session: AsyncSession, user: Principal, body: PracticeIn) -> Interview:
    tz = ZoneInfo(body.tz)
    repo = ProgressRepository(session)
    chosen = practice.focus(_practicable(await _progress(session, user, tz)), today_in(tz))
    latest = await repo.latest_interview(user.id)
    if not chosen or latest is None:
        raise Conflict("no scored answers yet: finish an interview first, then practise your weak areas")
    setup = {
        "role": latest.role,
        "role_preset": latest.role_preset,
        "seniority": latest.seniority,
        "language": body.language or latest.language,
        "job_description": latest.job_description,
        "resume_text": latest.resume_text,
        "num_questions": body.num_questions,
        "consent_camera": body.consent_camera,
        "consent_voice": latest.consent_voice if body.consent_voice is None else body.consent_voice,
    }
    try:
        interview_in = InterviewIn.model_validate(setup)
    except ValidationError:  # a setup stored before today's rules (e.g. a retired role preset): the generic role
        interview_in = InterviewIn.model_validate({**setup, "role_preset": None})
    try:
        return await interviews.create(
            session,
            user,
            interview_in,
            focus=practice.focus_weights(chosen),
            avoid=await repo.recent_bank_ids(user.id),
        )
    except ValueError:  # make_practice_plan: no bank question for any focus competency in this language
        raise Conflict("the question bank has no questions for these competencies in this language") from None
