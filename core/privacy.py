"""Stored frames (only when STORE_FRAMES is on): where they live and how they go. `api.deletion.erase` is the one
way to delete an interview, frames included."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import anyio

from core.settings import Settings


def frames_dir(settings: Settings, interview_id: uuid.UUID) -> Path:
    return Path(settings.var_dir) / "frames" / str(interview_id)


async def delete_stored_frames(settings: Settings, interview_ids: list[uuid.UUID]) -> None:
    def remove() -> None:
        for interview_id in interview_ids:
            shutil.rmtree(frames_dir(settings, interview_id), ignore_errors=True)

    await anyio.to_thread.run_sync(remove)
