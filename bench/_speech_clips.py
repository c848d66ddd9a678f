"""Test answers for end-of-turn detection: espeak-ng speech with a pause in the middle of a sentence.

Each clip is: the first half of a sentence, a silence (the candidate thinking mid-sentence: the answer is *not*
over), the second half, then a trailing silence. The word boundaries are known exactly (espeak's own leading and
trailing silence is trimmed), so a detector's false cut-offs and its delay after the last word can be measured.
A faint noise floor stands in for a real microphone's hiss. Used by bench/turn.py, tests/media/test_turn.py and
the hands-free browser E2E.
"""

from __future__ import annotations

import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 16_000

# (first half, second half): the cut is inside a sentence, where a person pauses to think.
SENTENCES: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("I designed a payment service", "in Python with Postgres and Redis."),
        ("The hardest part was", "handling retries safely."),
        ("We measured the latency and then", "we cut it in half."),
        ("My role was to lead", "a team of four engineers."),
    ],
    "ko": [
        ("저는 결제 서비스를", "파이썬으로 설계했습니다."),
        ("가장 어려운 부분은", "재시도를 안전하게 처리하는 것이었습니다."),
        ("우리는 지연 시간을 측정하고", "절반으로 줄였습니다."),
        ("저의 역할은", "네 명의 엔지니어 팀을 이끄는 것이었습니다."),
    ],
}
VOICES = {"en": "en-us", "ko": "ko"}
PAUSES_S = (0.8, 1.2, 1.6, 2.0)  # mid-sentence pauses, cycled over the sentences


@dataclass(frozen=True)
class Clip:
    name: str
    language: str
    pcm: np.ndarray  # int16, 16 kHz mono
    pause_start_s: float  # the mid-sentence pause: no end of turn may be reported in it
    pause_end_s: float
    last_word_s: float  # where the answer really ends

    @property
    def duration_s(self) -> float:
        return len(self.pcm) / RATE


def speak(text: str, language: str, rate_wpm: int = 150) -> np.ndarray:
    """espeak-ng → 16 kHz mono int16, leading and trailing silence trimmed to the first/last audible sample."""
    wav = subprocess.run(
        ["espeak-ng", "-v", VOICES[language], "-s", str(rate_wpm), "--stdout", text], check=True, capture_output=True
    ).stdout
    pcm = subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", "-", "-ar", str(RATE), "-ac", "1", "-f", "s16le", "-"],
        input=wav,
        check=True,
        capture_output=True,
    ).stdout
    audio = np.frombuffer(pcm, dtype=np.int16)
    loud = np.flatnonzero(np.abs(audio.astype(np.int32)) > 300)
    return audio[loud[0] : loud[-1] + 1] if loud.size else audio


def _noise(seconds: float, rng: np.random.Generator) -> np.ndarray:
    return (rng.standard_normal(int(RATE * seconds)) * 30).astype(np.int16)  # about -60 dBFS


def make_clip(
    language: str, index: int, *, lead_s: float = 0.5, tail_s: float = 4.0, pause_s: float | None = None
) -> Clip:
    """The sentence spoken in one go with a comma at the cut (so the first half has the intonation of an unfinished
    sentence), the comma's short gap widened to the pause."""
    first, second = SENTENCES[language][index]
    pause = PAUSES_S[index % len(PAUSES_S)] if pause_s is None else pause_s
    rng = np.random.default_rng(index)
    speech = speak(f"{first}, {second}", language)
    loud = np.flatnonzero(np.abs(speech.astype(np.int32)) > 300)
    widest = int(np.argmax(np.diff(loud)))  # the comma's gap: the longest silence inside the sentence
    cut_from, cut_to = loud[widest] + 1, loud[widest + 1]
    a, b = speech[:cut_from], speech[cut_to:]
    parts = [_noise(lead_s, rng), a, _noise(pause, rng), b, _noise(tail_s, rng)]
    pause_start = lead_s + len(a) / RATE
    pause_end = pause_start + pause
    return Clip(
        name=f"{language}-{index + 1}",
        language=language,
        pcm=np.concatenate(parts),
        pause_start_s=pause_start,
        pause_end_s=pause_end,
        last_word_s=pause_end + len(b) / RATE,
    )


def clips(languages: tuple[str, ...] = ("en", "ko")) -> list[Clip]:
    return [make_clip(lang, i) for lang in languages for i in range(len(SENTENCES[lang]))]


def write_wav(path: Path, pcm: np.ndarray, rate: int = RATE) -> Path:
    """Mono int16 WAV at `rate` (Chromium's fake microphone wants 48 kHz; resampled by ffmpeg)."""
    raw = path.with_suffix(".16k.wav")
    with wave.open(str(raw), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.astype(np.int16).tobytes())
    if rate == RATE:
        raw.replace(path)
    else:
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-y", "-i", str(raw), "-ar", str(rate), "-ac", "1", str(path)], check=True
        )
        raw.unlink()
    return path
