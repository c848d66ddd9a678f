"""Hands-free turns (media/turn.py): end-of-turn delay, false cut-offs and CPU cost, on recorded test answers.

The clips (bench/_speech_clips.py) are espeak-ng sentences in English and Korean with a 0.8–2.0 s pause in the
middle of the sentence, then silence. Each is fed to the detector in 20 ms chunks, as the media server feeds it,
with the default settings:

- delay: from the last word to `turn.ended` — the audio that had to pass (the pause the detector waits for) plus the
  wall time of the model call that decided it. Anchor: silence-only endpointing, which must wait TURN_MAX_SILENCE_S
  to be as safe against mid-sentence pauses as the model is meant to be.
- false cut-offs of the detector: a `turn.ended` inside the mid-sentence pause. Anchor: silence-only endpointing at
  the STT segmenter's 0.7 s, which cuts at every pause longer than that.
- answers cut off: the room would actually have finished the answer in the pause, i.e. the pause outlasted the
  countdown that started at the false `turn.ended` (speaking again cancels the countdown). Must be zero.
- CPU per Smart Turn call and the detector's share of one core while someone speaks.

espeak-ng's synthetic prosody is not what Smart Turn was trained on (real speech): it often hears its half-sentences
as complete. The countdown is what keeps such a detection from ending the answer; both rates are published.

`python -m bench.turn` prints the rows. Needs espeak-ng and ffmpeg, and the pipecat-ai weights (make install).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from typing import Any

from bench._speech_clips import Clip, clips
from bench._support import percentile, row, scaled
from core.settings import Settings
from media.turn import TurnConfig, TurnDetector, TurnEnd, TurnModels, shared_models, smart_turn_features

CHUNK_BYTES = 640  # 20 ms of 16 kHz linear16: what the media server's resampler hands over per Opus frame
SEGMENTER_SILENCE_S = 0.7
COUNTDOWN_S = Settings().turn_countdown_s


def _config(settings: Settings) -> TurnConfig:
    return TurnConfig(
        vad_threshold=settings.turn_vad_threshold,
        start_s=settings.turn_start_s,
        pause_s=settings.turn_pause_s,
        complete_threshold=settings.turn_complete_threshold,
        max_silence_s=settings.turn_max_silence_s,
    )


def _run_clip(models: TurnModels, config: TurnConfig, clip: Clip) -> dict[str, Any]:
    detector = TurnDetector(models, config)
    pcm = clip.pcm.tobytes()
    ends: list[tuple[TurnEnd, float]] = []  # (signal, wall ms of the push that produced it)
    cpu_start = time.thread_time()
    for offset in range(0, len(pcm), CHUNK_BYTES):
        started = time.perf_counter()
        signals = detector.push(pcm[offset : offset + CHUNK_BYTES])
        wall_ms = (time.perf_counter() - started) * 1000
        ends += [(s, wall_ms) for s in signals if isinstance(s, TurnEnd)]
    cpu_s = time.thread_time() - cpu_start
    in_pause = [(e, ms) for e, ms in ends if clip.pause_start_s <= e.detected_s < clip.pause_end_s]
    final = [(e, ms) for e, ms in ends if e.detected_s >= clip.last_word_s]
    return {
        "clip": clip.name,
        "false_cutoff": bool(in_pause),
        # The countdown started at the false detection runs out before the candidate speaks again.
        "answer_cut": any(clip.pause_end_s - (e.detected_s + ms / 1000) > COUNTDOWN_S for e, ms in in_pause),
        "delay_ms": (final[0][0].detected_s - clip.last_word_s) * 1000 + final[0][1] if final else None,
        "reason": final[0][0].reason if final else None,
        "cpu_s": cpu_s,
        "audio_s": clip.duration_s,
    }


def run() -> list[dict[str, Any]]:
    settings = Settings()
    config = _config(settings)
    models = shared_models()
    load = os.getloadavg()[0]
    where = f"load {load:.1f} on {os.cpu_count()} cores"
    the_clips = clips()
    results = [_run_clip(models, config, clip) for clip in the_clips]
    missed = [r["clip"] for r in results if r["delay_ms"] is None]
    if missed:
        raise RuntimeError(f"no end of turn after the last word of {missed}")
    delays = [float(r["delay_ms"]) for r in results]
    n = len(results)
    false_rate = sum(r["false_cutoff"] for r in results) / n
    cut_rate = sum(r["answer_cut"] for r in results) / n
    # Silence-only endpointing at the segmenter's 0.7 s ends the turn in every pause longer than that.
    silence_false_rate = sum((c.pause_end_s - c.pause_start_s) > SEGMENTER_SILENCE_S for c in the_clips) / n
    by_model = sum(r["reason"] == "model" for r in results) / n

    # CPU per Smart Turn call on a full 8 s window (the most it ever reads), repeated for a stable median.
    sample = the_clips[0].pcm.astype("float32") / 32768.0
    cpu_ms: list[float] = []
    for _ in range(scaled(20, minimum=5)):
        started = time.thread_time()
        models.smart_turn.run(None, {"input_features": smart_turn_features(sample)})
        cpu_ms.append((time.thread_time() - started) * 1000)
    detector_share = sum(r["cpu_s"] for r in results) / sum(r["audio_s"] for r in results) * 100

    name = "turn"
    silence_anchor = f"silence-only endpointing at TURN_MAX_SILENCE_S={config.max_silence_s:g} s"
    return [
        row(
            name,
            "end_of_turn_delay_median",
            statistics.median(delays),
            f"{silence_anchor}; {n} clips (en, ko), {where}",
            config.max_silence_s * 1000,
            "< 1500 ms",
            "ms from the last word to turn.ended",
            0,
        ),
        row(
            name,
            "end_of_turn_delay_p90",
            percentile(delays, 90),
            silence_anchor,
            config.max_silence_s * 1000,
            "informational: the slowest clips fall back to the silence limit",
            "ms",
            0,
        ),
        row(
            name,
            "ended_by_model",
            by_model,
            "clips whose end was decided by Smart Turn rather than the silence limit",
            1.0,
            "informational",
            "fraction of clips",
        ),
        row(
            name,
            "false_cutoffs_detector",
            false_rate,
            f"silence-only endpointing at {SEGMENTER_SILENCE_S:g} s (the STT segmenter's utterance end)",
            silence_false_rate,
            "informational: synthetic espeak-ng prosody; the countdown absorbs these",
            "fraction of clips with turn.ended inside a mid-sentence pause",
        ),
        row(
            name,
            "answers_cut_off",
            cut_rate,
            f"detector false cut-offs, before the {COUNTDOWN_S:g} s countdown that speaking again cancels",
            false_rate,
            "< 0.01",
            "fraction of clips the room would finish mid-sentence",
        ),
        row(
            name,
            "smart_turn_cpu_per_call",
            statistics.median(cpu_ms),
            f"TURN_PAUSE_S={config.pause_s:g} s, the pause it decides on; 1 thread, {where}",
            config.pause_s * 1000,
            "< 150 ms",
            "CPU ms per call (8 s window, median)",
            1,
        ),
        row(
            name,
            "detector_cpu_share",
            detector_share,
            "one core, real time",
            100.0,
            "< 10",
            "% of one core per speaking candidate (VAD every 32 ms + Smart Turn at pauses)",
        ),
    ]


if __name__ == "__main__":
    for r in run():
        print(json.dumps(r, ensure_ascii=False))
