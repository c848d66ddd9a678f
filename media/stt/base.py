"""The small interface every speech-to-text provider implements, and what it reports back.

A provider receives linear16 16 kHz mono PCM through `feed` (never blocking the event loop), reports partial and
final segments and its own health through a `TranscriptSink`, and is finalised by `close`: audio already fed is
transcribed and reported before `close` returns (bounded by a timeout), then every task it started is gone.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Literal, Protocol

SAMPLE_RATE = 16_000
BYTES_PER_SECOND = SAMPLE_RATE * 2  # linear16 mono


@dataclass(frozen=True)
class Segment:
    text: str
    start_s: float  # seconds since the start of this peer's audio
    end_s: float
    confidence: float | None = None


class TranscriptSink(Protocol):
    async def partial(self, segment: Segment) -> None: ...

    async def final(self, segment: Segment) -> None: ...

    async def status(self, state: Literal["ok", "degraded", "down"], message: str) -> None: ...


class SttProvider(abc.ABC):
    name: str

    @abc.abstractmethod
    async def start(self) -> None:
        """Begin streaming (connect, start background tasks). Never raises for provider trouble: it is reported
        through the sink and retried."""

    @abc.abstractmethod
    async def feed(self, pcm: bytes) -> None:
        """Accept linear16 16 kHz mono audio. Must return quickly; buffering is the provider's business."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Finalise (flush what was fed), then release every resource. Idempotent."""
