"""Final speech-to-text segments: stored by the media server, read by the API when an answer ends."""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db.models import TranscriptSegment


async def add_final_segment(
    session: AsyncSession,
    *,
    interview_id: uuid.UUID,
    question_id: uuid.UUID | None,
    text: str,
    start_s: float,
    end_s: float,
    confidence: float | None,
    provider: str,
) -> TranscriptSegment:
    """Add and commit one final segment; returns it with its id."""
    segment = TranscriptSegment(
        interview_id=interview_id,
        question_id=question_id,
        text=text,
        start_s=start_s,
        end_s=end_s,
        confidence=confidence,
        provider=provider,
    )
    session.add(segment)
    await session.commit()
    return segment


async def list_segments(
    session: AsyncSession, interview_id: uuid.UUID, question_id: uuid.UUID | None = None
) -> list[TranscriptSegment]:
    """Segments of an interview (or of one question), in spoken order."""
    query = select(TranscriptSegment).where(TranscriptSegment.interview_id == interview_id)
    if question_id is not None:
        query = query.where(TranscriptSegment.question_id == question_id)
    result = await session.exec(query.order_by(col(TranscriptSegment.created_at), col(TranscriptSegment.start_s)))
    return list(result.all())


async def final_text(session: AsyncSession, interview_id: uuid.UUID, question_id: uuid.UUID) -> str:
    """The candidate's spoken answer to one question: its final segments joined in order."""
    return " ".join(s.text for s in await list_segments(session, interview_id, question_id)).strip()
