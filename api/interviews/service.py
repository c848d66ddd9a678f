"""Interview use cases: create, read, delete, finish, and the state checks before asking the next question."""

from __future__ import annotations

import uuid
from collections.abc import Collection

import redis.asyncio as aioredis
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth.sessions import Principal
from api.deletion import erase
from api.interviews import plan
from api.interviews.plan import make_plan, make_practice_plan
from api.interviews.prompts import PastTurn, Slot
from api.interviews.schemas import (
    AnswerOut,
    EvaluationOut,
    InterviewDetail,
    InterviewIn,
    InterviewOut,
    InterviewSummary,
    QuestionOut,
)
from core import jobs
from core.db.models import Interview, InterviewStatus, JobStatus, Report, utcnow
from core.errors import Conflict, NotFound
from core.live_state import set_current_question
from core.repositories.interviews import InterviewRepository, Turn
from core.settings import get_settings


def not_found() -> NotFound:
    return NotFound("interview not found")


async def get_owned(
    session: AsyncSession, interview_id: uuid.UUID, user: Principal, *, lock: bool = False
) -> Interview:
    interview = await InterviewRepository(session).get_for_user(interview_id, user.id, lock=lock)
    if interview is None:
        raise not_found()
    return interview


async def create(
    session: AsyncSession,
    user: Principal,
    body: InterviewIn,
    *,
    focus: dict[str, float] | None = None,
    avoid: Collection[str] = (),
) -> Interview:
    """A new interview with its plan; with `focus` (competency -> weight) a practice interview on those competencies
    that avoids the `avoid` bank questions where it can (api/progress)."""
    interview = Interview(user_id=user.id, **body.model_dump())
    if focus:
        interview.plan = make_practice_plan(
            interview_id=interview.id,
            role_preset=interview.role_preset,
            seniority=interview.seniority,
            language=interview.language,
            num_questions=interview.num_questions,
            focus=focus,
            avoid=avoid,
        )
    else:
        interview.plan = make_plan(
            interview_id=interview.id,
            role_preset=interview.role_preset,
            seniority=interview.seniority,
            language=interview.language,
            num_questions=interview.num_questions,
            job_description=interview.job_description,
            resume_text=interview.resume_text,
        )
    InterviewRepository(session).add(interview)
    await session.commit()
    return interview


async def list_for(session: AsyncSession, user: Principal) -> list[InterviewSummary]:
    rows = await InterviewRepository(session).list_for_user(user.id)
    return [
        InterviewSummary(
            id=i.id,
            role=i.role,
            language=i.language,
            status=i.status,
            created_at=i.created_at,
            overall_score=i.overall_score,
            num_questions=i.num_questions,
            answered=answered,
        )
        for i, answered in rows
    ]


async def get_owned_with_turns(
    session: AsyncSession, interview_id: uuid.UUID, user: Principal
) -> tuple[Interview, list[Turn]]:
    """`get_owned` and the interview's questions, answers and evaluations, in one query."""
    found = await InterviewRepository(session).get_with_turns_for_user(interview_id, user.id)
    if found is None:
        raise not_found()
    return found


def detail(interview: Interview, turns: list[Turn]) -> InterviewDetail:
    out: list[QuestionOut] = []
    for q, answer, evaluation in turns:
        out.append(
            QuestionOut(
                id=q.id,
                position=q.position,
                kind=q.kind,
                text=q.text,
                source=q.source,
                competency=q.competency,
                created_at=q.created_at,
                answer=AnswerOut.model_validate(answer) if answer else None,
                evaluation=EvaluationOut.model_validate(evaluation) if evaluation else None,
            )
        )
    return InterviewDetail(
        **InterviewOut.model_validate(interview).model_dump(),
        job_description=interview.job_description,
        resume_text=interview.resume_text,
        plan=interview.plan or None,
        questions=out,
    )


def history(rows: list[Turn]) -> list[PastTurn]:
    """The turns as the question prompt sees them."""
    turns = []
    for q, answer, evaluation in rows:
        ready = evaluation is not None and evaluation.status == JobStatus.ready
        turns.append(
            PastTurn(
                position=q.position,
                kind=q.kind,
                question=q.text,
                answer=answer.text if answer else None,
                score=evaluation.overall_score if ready and evaluation else None,
                improvements=list(evaluation.improvements) if ready and evaluation else [],
            )
        )
    return turns


def check_can_ask(interview: Interview, turns: list[PastTurn]) -> int:
    """The position of the next question, or Conflict with the reason it cannot be asked now."""
    if interview.status != InterviewStatus.active:
        raise Conflict("the interview is finished")
    if len(turns) >= interview.num_questions:
        raise Conflict("all questions of this interview have been asked")
    if turns and turns[-1].answer is None:
        raise Conflict("answer the current question before asking the next one")
    return len(turns) + 1


async def finish(session: AsyncSession, redis: aioredis.Redis, interview: Interview) -> InterviewStatus:
    if interview.status != InterviewStatus.active:
        return interview.status  # finishing twice is harmless: the report job is already queued
    answers = await InterviewRepository(session).answers(interview.id)
    if not answers:
        raise Conflict("answer at least one question before finishing")
    repo = InterviewRepository(session)
    interview.status = InterviewStatus.finishing
    interview.finished_at = utcnow()
    if await repo.report(interview.id) is None:
        repo.add_report(Report(interview_id=interview.id))
    jobs.enqueue_after_commit(session, jobs.summarize_interview(interview.id))
    await jobs.commit_and_enqueue(session)
    await set_current_question(redis, interview.id, None)
    return interview.status


async def delete(session: AsyncSession, redis: aioredis.Redis, interview: Interview) -> None:
    await erase(session, redis, get_settings(), interview_ids=[interview.id])


async def plan_slot(session: AsyncSession, interview: Interview, position: int) -> Slot:
    """The plan's slot for `position`; an interview from before plans gets its plan now (stored)."""
    before = interview.plan
    found = plan.slot(interview, position)
    if interview.plan is not before:
        await session.commit()
    return found
