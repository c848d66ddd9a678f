"""Offline speech-to-text: faster-whisper (multilingual whisper base or small, int8 on CPU), one utterance at a time.

Each model in use (`Settings.whisper_size_for(language)`) is loaded once per process and every transcription runs
on one dedicated thread: CTranslate2 already uses `whisper_threads` cores per call, so running calls side by side
would only make each one slower. Utterances come from the silence segmenter. While one is being spoken, the growing
utterance is re-decoded on a steady audio-time cadence (first after `whisper_first_partial_s` of speech, then every
`whisper_partial_interval_s`) and reported as the interim line that replaces the previous one; a tick that finds
the model busy is skipped rather than queued, so finals always win the CPU and interims never lag behind.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core.settings import Settings
from media.stt.base import Segment, SttProvider, TranscriptSink
from media.stt.segmenter import Utterance, UtteranceSegmenter

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

log = logging.getLogger(__name__)

# A faster-whisper (CTranslate2) model directory: what the media server needs at run time. The local launcher (or
# the media image build) assembles it; both check readiness with `is_ready`.
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.json")


def is_ready(model_dir: Path) -> bool:
    return all((model_dir / name).is_file() for name in MODEL_FILES)


_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="whisper")
_models: dict[Path, WhisperModel] = {}
_model_error: str | None = None
_model_lock = threading.Lock()
_busy = 0  # transcriptions queued or running on the executor (event-loop side counter)


def _load(settings: Settings, size: str) -> WhisperModel:
    global _model_error
    model_dir = settings.whisper_dir_for(size)
    with _model_lock:
        if model_dir not in _models:
            from faster_whisper import WhisperModel

            if not is_ready(model_dir):
                _model_error = f"whisper-{size} not provisioned in {model_dir} (run `make models`)"
                raise RuntimeError(_model_error)
            try:
                _models[model_dir] = WhisperModel(
                    str(model_dir),
                    device="cpu",
                    compute_type=settings.whisper_compute_type,
                    cpu_threads=settings.whisper_threads,
                )
            except Exception as exc:
                _model_error = f"cannot load the whisper-{size} model: {exc}"
                raise
            _model_error = None
        return _models[model_dir]


def model_status() -> str:
    if _models and _model_error is None:
        return "ready"
    return "error" if _model_error else "loading"


async def warm_up(settings: Settings) -> None:
    """Load the models in use (and run one tiny transcription each, the first call is slow) before the first
    candidate speaks."""
    loop = asyncio.get_running_loop()
    for size in settings.whisper_sizes:
        try:
            await loop.run_in_executor(_executor, _warm, settings, size)
        except Exception as exc:
            log.error("offline speech-to-text (whisper-%s) unavailable: %s", size, exc)


def _warm(settings: Settings, size: str) -> None:
    model = _load(settings, size)
    silence = np.zeros(16_000, dtype=np.float32)
    list(model.transcribe(silence, language="en", beam_size=1)[0])


def transcribe(settings: Settings, size: str, pcm: bytes, language: str) -> tuple[str, float | None]:
    """One utterance (linear16 16 kHz mono) in `language` with whisper-`size`: (text, confidence). Blocking: call it
    on the whisper thread (the provider does; the benchmarks call it directly)."""
    model = _load(settings, size)
    audio = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768.0
    segments, _info = model.transcribe(
        audio,
        language=language,
        beam_size=settings.whisper_beam_size,
        condition_on_previous_text=False,  # utterances are independent; avoids repeating earlier text
        without_timestamps=True,
    )
    texts: list[str] = []
    logprobs: list[float] = []
    for seg in segments:
        # Whisper invents words on breath and noise; drop segments it itself believes are not speech.
        if seg.no_speech_prob > 0.6 and seg.avg_logprob < -1.0:
            continue
        if seg.text.strip():
            texts.append(seg.text.strip())
            logprobs.append(seg.avg_logprob)
    text = " ".join(texts).strip()
    confidence = math.exp(sum(logprobs) / len(logprobs)) if logprobs else None
    return text, confidence


class WhisperProvider(SttProvider):
    name = "whisper"

    def __init__(self, settings: Settings, language: str, sink: TranscriptSink) -> None:
        self.settings = settings
        # Whisper is told the interview's language rather than guessing it from a few seconds of audio: a guess
        # turns an accented English answer into Korean text (or back), and the transcript is the answer.
        self.language = language if language in {"ko", "en"} else "en"
        self.size = settings.whisper_size_for(self.language)
        self.sink = sink
        self.segmenter = UtteranceSegmenter(
            silence_s=settings.stt_silence_s, max_utterance_s=settings.stt_max_utterance_s
        )
        self._queue: asyncio.Queue[Utterance | None] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._partial: asyncio.Task[None] | None = None
        self._utterances = 0  # utterances completed so far: an interim for an older one is never shown
        self._next_partial_s = settings.whisper_first_partial_s  # speech length (s) at which the next interim is due
        self._closed = False
        self._reported_down = False

    async def start(self) -> None:
        self._worker = asyncio.create_task(self._run(), name="whisper-finals")

    @property
    def interim_in_flight(self) -> asyncio.Task[None] | None:
        """The interim decode now running, if any (tests and benchmarks wait on it instead of on time)."""
        return self._partial if self._partial is not None and not self._partial.done() else None

    async def feed(self, pcm: bytes) -> None:
        if self._closed:
            return
        for utterance in self.segmenter.push(pcm):
            self._queue.put_nowait(utterance)
            self._utterances += 1
            self._next_partial_s = self.settings.whisper_first_partial_s
        self._maybe_partial()

    def _maybe_partial(self) -> None:
        interval = self.settings.whisper_partial_interval_s
        if interval <= 0 or _busy or (self._partial and not self._partial.done()) or self._queue.qsize():
            return  # skipped, not queued: the next fed chunk tries again with more audio
        current = self.segmenter.current()
        if current is None:
            return
        spoken = current.end_s - current.start_s
        if spoken < self._next_partial_s:
            return
        # Due times advance from now, not from the missed tick: a busy model never builds up a burst of interims.
        self._next_partial_s = spoken + interval
        self._partial = asyncio.create_task(self._transcribe_partial(current, self._utterances), name="whisper-partial")

    async def _call(self, pcm: bytes) -> tuple[str, float | None]:
        global _busy
        _busy += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(_executor, transcribe, self.settings, self.size, pcm, self.language)
        finally:
            _busy -= 1

    async def _transcribe_partial(self, utterance: Utterance, index: int) -> None:
        try:
            text, _ = await self._call(utterance.pcm)
        except Exception:
            return  # the final for this utterance reports any real failure
        if text and index == self._utterances and not self._closed:
            await self.sink.partial(Segment(text, utterance.start_s, utterance.end_s))

    async def _run(self) -> None:
        while (utterance := await self._queue.get()) is not None:
            try:
                text, confidence = await self._call(utterance.pcm)
            except Exception as exc:
                if not self._reported_down:
                    self._reported_down = True
                    log.error("offline transcription failed: %s", exc)
                    await self.sink.status("down", "offline speech-to-text is unavailable")
                continue
            if self._reported_down:
                self._reported_down = False
                await self.sink.status("ok", "offline speech-to-text recovered")
            if text:
                await self.sink.final(Segment(text, utterance.start_s, utterance.end_s, confidence))

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._partial is not None:
            self._partial.cancel()
        tail = self.segmenter.flush()
        if tail is not None:
            self._queue.put_nowait(tail)
        self._queue.put_nowait(None)
        if self._worker is None:
            return
        try:
            # Shielded: the session's own cancellation must not drop the candidate's last words.
            await asyncio.wait_for(asyncio.shield(self._worker), timeout=self.settings.stt_close_timeout_s)
        except TimeoutError:
            log.warning("offline transcription unfinished after %.0f s; dropped", self.settings.stt_close_timeout_s)
            self._worker.cancel()
        except asyncio.CancelledError:
            self._worker.cancel()
            raise


def executor_stats() -> dict[str, Any]:
    return {"busy": _busy, "status": model_status()}
