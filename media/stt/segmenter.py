"""Utterance segmentation on silence for the offline provider (whisper transcribes whole utterances best).

An energy detector on 20 ms frames against an adaptive noise floor: cheap enough to run on the event loop for every
frame of every peer, robust to a steady fan or room hum, and exact on clean test audio.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from media.stt.base import SAMPLE_RATE

FRAME_SAMPLES = SAMPLE_RATE // 50  # 20 ms
FRAME_BYTES = FRAME_SAMPLES * 2
FRAME_S = FRAME_SAMPLES / SAMPLE_RATE


@dataclass(frozen=True)
class Utterance:
    pcm: bytes  # linear16 16 kHz mono
    start_s: float

    @property
    def end_s(self) -> float:
        return self.start_s + len(self.pcm) / (2 * SAMPLE_RATE)


class UtteranceSegmenter:
    def __init__(
        self,
        *,
        silence_s: float = 0.7,
        max_utterance_s: float = 20.0,
        min_speech_s: float = 0.2,
        preroll_s: float = 0.3,
        threshold_dbfs: float = -50.0,
        floor_margin_db: float = 12.0,
    ) -> None:
        self.silence_frames = max(1, round(silence_s / FRAME_S))
        self.max_frames = max(1, round(max_utterance_s / FRAME_S))
        self.min_speech_frames = max(1, round(min_speech_s / FRAME_S))
        self.threshold_dbfs = threshold_dbfs
        self.floor_margin_db = floor_margin_db
        self._preroll: deque[bytes] = deque(maxlen=max(1, round(preroll_s / FRAME_S)))
        self._pending = b""  # less than one frame, carried to the next push
        self._frames_seen = 0
        self._floor_db = -70.0
        self._speaking = False
        self._buf: list[bytes] = []
        self._start_frame = 0
        self._speech_frames = 0
        self._trailing_silence = 0

    @property
    def speaking(self) -> bool:
        return self._speaking

    def current(self) -> Utterance | None:
        """The utterance in progress so far (for partial results)."""
        if not self._speaking or self._speech_frames < self.min_speech_frames:
            return None
        return Utterance(b"".join(self._buf), self._start_frame * FRAME_S)

    def push(self, pcm: bytes) -> list[Utterance]:
        data = self._pending + pcm
        usable = len(data) - len(data) % FRAME_BYTES
        self._pending = data[usable:]
        done: list[Utterance] = []
        for offset in range(0, usable, FRAME_BYTES):
            utterance = self._frame(data[offset : offset + FRAME_BYTES])
            if utterance is not None:
                done.append(utterance)
        return done

    def flush(self) -> Utterance | None:
        """End of audio: whatever is being spoken is an utterance now."""
        return self._finish(trim=False) if self._speaking else None

    def _frame(self, frame: bytes) -> Utterance | None:
        samples = np.frombuffer(frame, dtype=np.int16).astype(np.float32)
        rms = math.sqrt(float(np.mean(samples * samples)))
        level = 20 * math.log10(max(rms, 1e-3) / 32768)
        is_speech = level > max(self.threshold_dbfs, self._floor_db + self.floor_margin_db)
        index = self._frames_seen
        self._frames_seen += 1
        if not self._speaking:
            if not is_speech:
                # Only silence moves the floor, slowly, so the start of speech never raises it.
                self._floor_db = 0.97 * self._floor_db + 0.03 * level
                self._preroll.append(frame)
                return None
            self._speaking = True
            self._buf = [*self._preroll, frame]
            self._start_frame = index - len(self._preroll)
            self._preroll.clear()
            self._speech_frames = 1
            self._trailing_silence = 0
            return None
        self._buf.append(frame)
        if is_speech:
            self._speech_frames += 1
            self._trailing_silence = 0
        else:
            self._trailing_silence += 1
        if self._trailing_silence >= self.silence_frames:
            return self._finish(trim=True)
        if len(self._buf) >= self.max_frames:
            # A long monologue: cut here so text keeps flowing; the next frame starts a new utterance.
            return self._finish(trim=False)
        return None

    def _finish(self, *, trim: bool) -> Utterance | None:
        frames = self._buf
        if trim:
            keep_tail = min(self._trailing_silence, round(0.2 / FRAME_S))
            frames = frames[: len(frames) - self._trailing_silence + keep_tail]
        speech_frames = self._speech_frames
        start = self._start_frame * FRAME_S
        self._speaking = False
        self._buf = []
        self._speech_frames = 0
        self._trailing_silence = 0
        if speech_frames < self.min_speech_frames:
            return None  # a click or a cough, not words
        return Utterance(b"".join(frames), start)
