"""One candidate's live connection: a peer connection, its track readers, STT stream and frame sampler.

Every incoming track is read continuously (aiortc's receive queues are unbounded, so an unread track is a memory
leak). `close` is the single teardown path — peer gone, track ended, replaced by a newer peer, interview finished
or server shutdown — and leaves no task behind.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import logging
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import av
from aiortc import MediaStreamTrack, RTCPeerConnection
from aiortc.mediastreams import MediaStreamError
from sqlalchemy.exc import SQLAlchemyError

from core.broker import get_broker
from core.db.engine import get_sessionmaker
from core.db.models import Interview, InterviewStatus
from core.jobs import analyze_frame
from core.media_tokens import MediaGrant
from core.redis_client import get_async_redis
from core.settings import Settings
from media.sink import EventSink, QuestionTracker, TurnSink
from media.stt import create_provider
from media.stt.base import SAMPLE_RATE, SttProvider
from media.turn import TurnConfig, TurnTaker

log = logging.getLogger(__name__)


def encode_jpeg(frame: av.VideoFrame, quality: int) -> bytes:
    """Runs in a worker thread: RGB conversion plus JPEG is 5–15 ms per 640×480 frame."""
    buf = io.BytesIO()
    frame.to_image().save(buf, format="JPEG", quality=quality)  # type: ignore[no-untyped-call]
    return buf.getvalue()


async def close_connection(pc: RTCPeerConnection, timeout_s: float = 10.0) -> None:
    """Close a peer connection, possibly half-negotiated; bounded, so a stuck transport cannot hold the caller."""
    with contextlib.suppress(Exception):
        async with asyncio.timeout(timeout_s):
            await pc.close()


class MediaSession:
    def __init__(
        self, settings: Settings, grant: MediaGrant, pc: RTCPeerConnection, *, voice: bool, camera: bool
    ) -> None:
        self.settings = settings
        self.grant = grant
        self.pc = pc
        self.interview_id = grant.interview_id
        self.camera = camera  # the candidate consented: only then are frames sampled
        self.voice = voice
        self.id = uuid.uuid4().hex[:8]
        self.redis = get_async_redis()
        self.questions = QuestionTracker(self.redis, self.interview_id)
        self.stt: SttProvider | None = None
        self.turns: TurnTaker | None = None
        self.frames_received = 0
        self.frames_sampled = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = asyncio.Event()
        self._closing = False
        self._encode_busy = False

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if track.kind == "video":
                self._spawn(self._read_video(track), "video")
            elif track.kind == "audio":
                self._spawn(self._read_audio(track), "audio")

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if pc.connectionState in ("failed", "closed"):
                self._spawn_close(f"peer connection {pc.connectionState}")

    def _spawn(self, coro: Any, name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro, name=f"media-{self.id}-{name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _spawn_close(self, reason: str) -> None:
        if not self._closing:
            # Not in _tasks: close() cancels those and must not cancel itself.
            task = asyncio.create_task(self.close(reason), name=f"media-{self.id}-close")
            _background.add(task)
            task.add_done_callback(_background.discard)

    async def start(self) -> None:
        await self.questions.start()
        if self.voice:
            sink = EventSink(self.redis, self.interview_id, "", self.questions)
            self.stt = create_provider(self.settings, self.grant.language, sink)
            sink.provider = self.stt.name
            await self.stt.start()
            if self.settings.turn_detection_enabled:
                await self._start_turns(sink)
        self._spawn(self._watch_interview(), "watch")
        self._spawn(self._expect_connection(), "connect-deadline")

    async def _start_turns(self, sink: EventSink) -> None:
        s = self.settings
        config = TurnConfig(
            vad_threshold=s.turn_vad_threshold,
            start_s=s.turn_start_s,
            pause_s=s.turn_pause_s,
            complete_threshold=s.turn_complete_threshold,
            max_silence_s=s.turn_max_silence_s,
        )
        turns = TurnTaker(config, TurnSink(sink, s.turn_countdown_s).signal, threads=s.turn_threads)
        if await turns.start():
            self.turns = turns

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    async def wait_closed(self) -> None:
        await self._closed.wait()

    # --- video -------------------------------------------------------------------------------------------
    async def _read_video(self, track: MediaStreamTrack) -> None:
        interval = self.settings.media_frame_interval_s
        next_sample = 0.0
        try:
            while True:
                frame = await track.recv()
                self.frames_received += 1
                now = time.monotonic()
                if not self.camera or now < next_sample or self._encode_busy:
                    continue
                next_sample = now + interval
                assert isinstance(frame, av.VideoFrame)
                self._encode_busy = True
                self._spawn(self._sample(frame, datetime.now(UTC)), "sample")
        except MediaStreamError:
            log.info("media %s: video track ended", self.id)

    async def _sample(self, frame: av.VideoFrame, captured_at: datetime) -> None:
        loop = asyncio.get_running_loop()
        try:
            jpeg = await loop.run_in_executor(None, encode_jpeg, frame, self.settings.media_jpeg_quality)
            msg = analyze_frame(
                interview_id=self.interview_id,
                question_id=self.questions.current,
                captured_at=captured_at,
                jpeg_b64=base64.b64encode(jpeg).decode("ascii"),
            )
            # The broker's Redis client is synchronous: enqueue from a thread.
            await loop.run_in_executor(None, get_broker().enqueue, msg)
            self.frames_sampled += 1
        except Exception as exc:  # a lost sample is fine; the stream must go on
            log.warning("media %s: frame sample not queued: %s", self.id, type(exc).__name__)
        finally:
            self._encode_busy = False

    # --- audio -------------------------------------------------------------------------------------------
    async def _read_audio(self, track: MediaStreamTrack) -> None:
        # WebRTC Opus arrives as 48 kHz stereo s16 frames; STT wants linear16 16 kHz mono.
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        try:
            while True:
                frame = await track.recv()
                assert isinstance(frame, av.AudioFrame)
                for out in resampler.resample(frame):
                    pcm = out.to_ndarray().tobytes()
                    self.questions.audio_s += out.samples / SAMPLE_RATE
                    if self.stt is not None:
                        await self.stt.feed(pcm)
                    if self.turns is not None:
                        self.turns.feed(pcm)
        except MediaStreamError:
            log.info("media %s: audio track ended", self.id)
            if self.stt is not None:
                for out in resampler.resample(None):
                    await self.stt.feed(out.to_ndarray().tobytes())
            self._spawn_close("audio track ended")

    # --- interview state -----------------------------------------------------------------------------------
    async def _watch_interview(self) -> None:
        """End the session when the interview is finished (or deleted) while the candidate is still connected."""
        while True:
            await asyncio.sleep(self.settings.media_status_poll_s)
            try:
                async with get_sessionmaker()() as session:
                    interview = await session.get(Interview, self.interview_id)
            except (SQLAlchemyError, OSError):
                continue
            if interview is None or interview.status != InterviewStatus.active:
                self._spawn_close("interview finished")
                return

    async def _expect_connection(self) -> None:
        """An answer nobody applies (the tab closed, the caller gave up) must not keep a peer for ever."""
        await asyncio.sleep(self.settings.media_connect_timeout_s)
        if self.pc.connectionState != "connected":
            self._spawn_close(f"not connected {self.settings.media_connect_timeout_s:g} s after the answer")

    # --- teardown ------------------------------------------------------------------------------------------
    async def close(self, reason: str) -> None:
        if self._closing:
            await self._closed.wait()
            return
        self._closing = True
        log.info("media %s: closing (%s)", self.id, reason)
        try:
            current = asyncio.current_task()
            readers = [t for t in self._tasks if t is not current]
            for task in readers:
                task.cancel()
            await asyncio.gather(*readers, return_exceptions=True)
            if self.turns is not None:
                await self.turns.close()
            if self.stt is not None:
                await self.stt.close()  # finalise: the candidate's last words are transcribed and stored
            await self.questions.stop()
            await close_connection(self.pc)
        finally:
            self._closed.set()


# Close tasks started from callbacks, kept referenced until done.
_background: set[asyncio.Task[Any]] = set()
