"""Silence segmentation for the offline provider, on synthetic audio with known boundaries."""

from __future__ import annotations

import math

import numpy as np

from media.stt.segmenter import UtteranceSegmenter


def tone(seconds: float, amplitude: float = 6000) -> np.ndarray:
    t = np.arange(int(16_000 * seconds)) / 16_000
    return (np.sin(2 * math.pi * 300 * t) * amplitude).astype(np.int16)


def noise(seconds: float, amplitude: float = 60) -> np.ndarray:
    rng = np.random.default_rng(0)
    return (rng.standard_normal(int(16_000 * seconds)) * amplitude).astype(np.int16)


def test_two_utterances_split_on_silence_with_times() -> None:
    seg = UtteranceSegmenter(silence_s=0.5)
    audio = np.concatenate([noise(1.0), tone(1.0), noise(1.0), tone(0.6), noise(1.0)])
    found = []
    for start in range(0, len(audio), 333):  # odd chunk sizes: frames straddle pushes
        found += seg.push(audio[start : start + 333].tobytes())
    assert seg.flush() is None
    assert len(found) == 2
    assert abs(found[0].start_s - (1.0 - 0.3)) < 0.05  # includes the 0.3 s pre-roll
    assert 1.9 < found[0].end_s < 2.3
    assert abs(found[1].start_s - 2.7) < 0.05


def test_clicks_are_ignored_and_long_speech_is_cut() -> None:
    seg = UtteranceSegmenter(silence_s=0.5, max_utterance_s=3.0)
    click = np.concatenate([noise(0.5), tone(0.04), noise(1.0)])
    assert seg.push(click.tobytes()) == []
    long_speech = seg.push(tone(7.0).tobytes())
    assert len(long_speech) == 2
    tail = seg.flush()
    assert tail is not None
    assert tail.end_s > long_speech[-1].end_s
