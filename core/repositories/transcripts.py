"""Final speech-to-text segments, stored by the media server (the API reads them through InterviewRepository)."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from core.db.models import TranscriptSegment


class TranscriptRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_final_segment(
        self,
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
        self.session.add(segment)
        await self.session.commit()
        return segment
