"""Hands-free answers: notice, from the candidate's audio, when they have finished speaking.

Two small ONNX models on CPU, both shipped inside the `pipecat-ai` wheel (BSD-2-Clause; installed `--no-deps` for
these files, see requirements/no-deps.txt — its Python code is never imported):

- Silero VAD (MIT) scores every 32 ms window: is someone speaking?
- Smart Turn v3 (BSD-2-Clause, a Whisper-tiny encoder head) reads the last ≤ 8 s of the turn whenever the speaker
  pauses and says whether the *utterance* sounds finished (falling intonation, complete phrase) or was cut off
  mid-thought. A mid-sentence pause therefore does not end the answer; a long silence still does
  (`TURN_MAX_SILENCE_S`), whatever the model thinks.

`TurnDetector` is synchronous and owns no threads: `TurnTaker` runs it in a worker thread (the inference must never
stall the event loop that reads every peer's RTP) and publishes what it reports as `speech.started` / `turn.ended`.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.metadata
import logging
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from media.stt.base import SAMPLE_RATE

log = logging.getLogger(__name__)

VAD_WINDOW = 512  # samples at 16 kHz (32 ms): the only window size Silero v5 takes at this rate
VAD_CONTEXT = 64  # samples of the previous window Silero expects in front of each one
WINDOW_S = VAD_WINDOW / SAMPLE_RATE
# A window quieter than -60 dBFS (RMS) is silence without asking the model: no speech is that quiet, and a muted or
# silent microphone then costs no inference (Silero on every window was ~4.5 % of a core per silent stream).
SILENCE_RMS = 10 ** (-60 / 20)
# The detector runs once per 4 windows (128 ms) of buffered audio, not per 20 ms WebRTC frame: one thread hand-off
# instead of six or seven.
BATCH_BYTES = 4 * VAD_WINDOW * 2
MODEL_AUDIO_S = 8  # Smart Turn reads at most the last 8 s (shorter audio is zero-padded in front)
PRE_SPEECH_S = 0.5  # audio kept from before the first word, so the model hears the onset

_PACKAGE = "pipecat-ai"
_SMART_TURN_FILE = "pipecat/audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx"
_VAD_FILE = "pipecat/audio/vad/data/silero_vad.onnx"


class TurnModelsMissing(RuntimeError):
    pass


def bundled_model(relative: str) -> Path:
    """A weights file inside the installed pipecat-ai distribution, found without importing its code."""
    try:
        dist = importlib.metadata.distribution(_PACKAGE)
    except importlib.metadata.PackageNotFoundError as exc:
        raise TurnModelsMissing(f"{_PACKAGE} is not installed (requirements/no-deps.txt)") from exc
    path = Path(str(dist.locate_file(relative)))
    if not path.is_file():
        raise TurnModelsMissing(f"{relative} is missing from {_PACKAGE} {dist.version}")
    return path


@dataclass(frozen=True)
class TurnModels:
    """The two ONNX sessions, loaded once per process and shared by every peer (`run` is thread-safe; the VAD's
    recurrent state lives in each `TurnDetector`)."""

    vad: Any  # onnxruntime.InferenceSession
    smart_turn: Any

    @classmethod
    def load(cls, threads: int = 1) -> TurnModels:
        import onnxruntime as ort

        def session(path: Path) -> Any:
            options = ort.SessionOptions()
            options.inter_op_num_threads = 1
            options.intra_op_num_threads = threads
            options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])

        return cls(vad=session(bundled_model(_VAD_FILE)), smart_turn=session(bundled_model(_SMART_TURN_FILE)))


@functools.cache
def shared_models(threads: int = 1) -> TurnModels:
    return TurnModels.load(threads)


@functools.cache
def _feature_extractor() -> Any:
    # faster-whisper's numpy log-mel (the media server's STT dependency) is Whisper's own front end: 80 bins,
    # 25 ms window, 10 ms hop — what Smart Turn's Whisper encoder was trained on.
    from faster_whisper.feature_extractor import FeatureExtractor

    return FeatureExtractor(feature_size=80, sampling_rate=SAMPLE_RATE, hop_length=160, n_fft=400)


def smart_turn_features(audio: np.ndarray) -> np.ndarray:
    """float32 audio in [-1, 1] → the model's (1, 80, 800) input: the last 8 s, zero-padded in front, normalised to
    zero mean and unit variance (as the model's training pipeline did), as Whisper log-mel."""
    n = MODEL_AUDIO_S * SAMPLE_RATE
    x = audio[-n:].astype(np.float32)
    if x.size < n:
        x = np.pad(x, (n - x.size, 0))
    x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
    mel = _feature_extractor()(x, padding=0)
    return np.asarray(mel, dtype=np.float32)[np.newaxis, :, : n // 160]


@dataclass(frozen=True)
class SpeechStart:
    start_s: float  # on this peer's audio clock, like transcript segments


@dataclass(frozen=True)
class TurnEnd:
    end_s: float  # where the last word ended
    detected_s: float  # where in the audio the end was decided (end_s + the pause it took)
    confidence: float  # Smart Turn's probability that the utterance is complete
    reason: Literal["model", "silence"]
    inference_ms: float  # CPU time of the model call that decided it (0 for a silence timeout)


TurnSignal = SpeechStart | TurnEnd


@dataclass(frozen=True)
class TurnConfig:
    vad_threshold: float = 0.5
    start_s: float = 0.15  # this much speech starts a turn (a click or a cough does not)
    pause_s: float = 0.3  # a pause this long asks the model whether the turn is over
    complete_threshold: float = 0.5  # model probability above which the turn is over
    max_silence_s: float = 3.0  # a silence this long ends the turn whatever the model said


class TurnDetector:
    """Feed 16 kHz mono linear16; get `SpeechStart` when a turn begins and one `TurnEnd` when it is over."""

    def __init__(self, models: TurnModels, config: TurnConfig | None = None) -> None:
        self.models = models
        self.config = config or TurnConfig()
        self.inference_ms: list[float] = []  # every Smart Turn call's CPU time, for the bench
        self._pending = np.zeros(0, dtype=np.float32)
        self._context = np.zeros((1, VAD_CONTEXT), dtype=np.float32)
        self._state = np.zeros((2, 1, 128), dtype=np.float32)
        self._sr = np.array(SAMPLE_RATE, dtype=np.int64)
        self._windows = 0
        self._preroll: deque[np.ndarray] = deque(maxlen=max(1, round(PRE_SPEECH_S / WINDOW_S)))
        self._turn: deque[np.ndarray] = deque(maxlen=round(MODEL_AUDIO_S / WINDOW_S))
        self._in_turn = False
        self._speech_run = 0  # consecutive speech windows
        self._silence_run = 0  # consecutive non-speech windows inside a turn
        self._asked = False  # the model was asked about the current pause
        self._last_probability = 0.0
        self._last_speech_end_s = 0.0

    @property
    def in_turn(self) -> bool:
        return self._in_turn

    @property
    def audio_s(self) -> float:
        return self._windows * WINDOW_S

    def reset(self) -> None:
        """Forget the turn (it has ended); the VAD keeps its state across turns."""
        self._in_turn = False
        self._turn.clear()
        self._speech_run = self._silence_run = 0
        self._asked = False

    def push(self, pcm: bytes) -> list[TurnSignal]:
        samples = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768.0
        data = np.concatenate([self._pending, samples])
        usable = len(data) - len(data) % VAD_WINDOW
        self._pending = data[usable:]
        signals: list[TurnSignal] = []
        for offset in range(0, usable, VAD_WINDOW):
            signal = self._window(data[offset : offset + VAD_WINDOW])
            if signal is not None:
                signals.append(signal)
        return signals

    def speech_probability(self, window: np.ndarray) -> float:
        if float(np.sqrt(np.mean(np.square(window)))) < SILENCE_RMS:
            self._context = window[np.newaxis, -VAD_CONTEXT:]  # as after a model call; the RNN state is kept
            return 0.0
        x = np.concatenate([self._context, window[np.newaxis, :]], axis=1)
        out, self._state = self.models.vad.run(None, {"input": x, "state": self._state, "sr": self._sr})
        self._context = x[:, -VAD_CONTEXT:]
        return float(out[0][0])

    def _window(self, window: np.ndarray) -> TurnSignal | None:
        cfg = self.config
        speech = self.speech_probability(window) >= cfg.vad_threshold
        self._windows += 1
        now = self.audio_s
        if not self._in_turn:
            self._preroll.append(window)
            self._speech_run = self._speech_run + 1 if speech else 0
            if self._speech_run * WINDOW_S < cfg.start_s:
                return None
            self._in_turn = True
            self._turn.clear()
            self._turn.extend(self._preroll)
            self._preroll.clear()
            self._silence_run = 0
            self._asked = False
            self._last_speech_end_s = now
            return SpeechStart(start_s=now - self._speech_run * WINDOW_S)
        self._turn.append(window)
        if speech:
            self._speech_run += 1
            self._silence_run = 0
            self._asked = False
            self._last_speech_end_s = now
            return None
        self._speech_run = 0
        self._silence_run += 1
        silence_s = self._silence_run * WINDOW_S
        if not self._asked and silence_s >= cfg.pause_s:
            self._asked = True
            probability, cpu_ms = self._predict()
            self._last_probability = probability
            if probability >= cfg.complete_threshold:
                return self._end(now, probability, "model", cpu_ms)
        if silence_s >= cfg.max_silence_s:
            return self._end(now, self._last_probability, "silence", 0.0)
        return None

    def _predict(self) -> tuple[float, float]:
        audio = np.concatenate(list(self._turn))
        started = time.thread_time()
        features = smart_turn_features(audio)
        (out,) = self.models.smart_turn.run(None, {"input_features": features})
        cpu_ms = (time.thread_time() - started) * 1000
        self.inference_ms.append(cpu_ms)
        return float(np.asarray(out).reshape(-1)[0]), cpu_ms

    def _end(self, now: float, probability: float, reason: Literal["model", "silence"], cpu_ms: float) -> TurnEnd:
        end = TurnEnd(
            end_s=self._last_speech_end_s,
            detected_s=now,
            confidence=round(probability, 4),
            reason=reason,
            inference_ms=cpu_ms,
        )
        self.reset()
        return end


# One small pool per process for every peer's detector: each peer's calls are awaited one at a time (its state is
# never touched by two threads), and a busy model cannot take more than these threads from the media server.
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor(threads: int) -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="turn")
        return _pool


_status = "not loaded"


async def warm_up(threads: int = 1) -> None:
    """Load the models at start-up (off the loop), so the first candidate's offer does not wait for them; /health
    reports the result."""
    global _status
    _status = "loading"
    try:
        await asyncio.get_running_loop().run_in_executor(_executor(threads), shared_models, 1)
    except Exception as exc:
        _status = "error"
        log.error("end-of-turn detection unavailable: %s", exc)
    else:
        _status = "ready"


def model_status() -> str:
    return _status


class TurnTaker:
    """One peer's detector on the event loop: `feed` only buffers; a task runs the detector in the pool on what
    has arrived and hands every signal to `on_signal` in order."""

    def __init__(
        self,
        config: TurnConfig,
        on_signal: Callable[[TurnSignal], Awaitable[None]],
        *,
        threads: int = 1,
    ) -> None:
        self.config = config
        self.on_signal = on_signal
        self.threads = threads
        self.detector: TurnDetector | None = None
        self._buffer = bytearray()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> bool:
        """Load the models (once per process, off the loop). False, logged, when they are unavailable: the room
        then simply keeps its "Finish answer" button as the only way to end an answer."""
        loop = asyncio.get_running_loop()
        try:
            models = await loop.run_in_executor(_executor(self.threads), shared_models, 1)
        except Exception as exc:
            log.warning("end-of-turn detection off for this peer: %s", exc)
            return False
        self.detector = TurnDetector(models, self.config)
        self._task = asyncio.create_task(self._run(), name="turn-detector")
        return True

    def feed(self, pcm: bytes) -> None:
        if self._task is None:
            return
        self._buffer += pcm
        if len(self._buffer) >= BATCH_BYTES:
            self._wake.set()

    async def _run(self) -> None:
        assert self.detector is not None
        detector = self.detector
        loop = asyncio.get_running_loop()
        pool = _executor(self.threads)
        while True:
            await self._wake.wait()
            self._wake.clear()
            chunk, self._buffer = bytes(self._buffer), bytearray()
            if not chunk:
                continue
            try:
                signals = await loop.run_in_executor(pool, detector.push, chunk)
            except Exception as exc:  # a model error must not end the peer's audio; the next chunk tries again
                log.warning("end-of-turn detector failed on a chunk: %s", type(exc).__name__)
                continue
            for signal in signals:
                await self.on_signal(signal)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
