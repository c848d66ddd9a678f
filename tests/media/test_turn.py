"""End-of-turn detection (media/turn.py) on recorded answers with a pause in the middle of a sentence (en, ko),
with the real Silero VAD and Smart Turn models from the pipecat-ai wheel; then over WebRTC against the real media
server, through to the `speech.started` / `turn.ended` events in the interview's stream."""

from __future__ import annotations

import asyncio
import importlib.metadata
import importlib.util
import threading
import uuid
from pathlib import Path

import numpy as np
import pytest

from bench._speech_clips import Clip, make_clip, write_wav
from core.live_state import set_current_question
from core.redis_client import get_async_redis
from media.sink import EventSink, QuestionTracker, TurnSink
from media.turn import (
    WINDOW_S,
    SpeechStart,
    TurnConfig,
    TurnDetector,
    TurnEnd,
    TurnSignal,
    TurnTaker,
    bundled_model,
    shared_models,
    smart_turn_features,
)
from tests.media.client import SpeechAudioTrack, connect, load_wav_48k, wait_connected
from tests.media.conftest import token_for
from tests.media.test_media_server import stream_events, wait_for

CHUNK = 640  # 20 ms, as the media server feeds it


@pytest.fixture(scope="module")
def answers() -> list[Clip]:
    # One clip per language with the longest mid-sentence pause of the set (2.0 s).
    return [make_clip("en", 3), make_clip("ko", 3), make_clip("en", 0, pause_s=1.2)]


def feed(detector: TurnDetector, pcm: np.ndarray) -> list[tuple[TurnSignal, float]]:
    """Every signal with the audio time at which it was reported."""
    data = pcm.tobytes()
    out: list[tuple[TurnSignal, float]] = []
    for offset in range(0, len(data), CHUNK):
        out += [(s, detector.audio_s) for s in detector.push(data[offset : offset + CHUNK])]
    return out


def test_features_match_the_models_own_front_end() -> None:
    # pipecat-ai's numpy port of transformers' WhisperFeatureExtractor, which Smart Turn's authors validated against
    # the training pipeline; loaded from the installed wheel by path (its package __init__ needs loguru).
    path = Path(str(importlib.metadata.distribution("pipecat-ai").locate_file(
        "pipecat/audio/turn/smart_turn/_whisper_features.py"
    )))  # fmt: skip
    spec = importlib.util.spec_from_file_location("smart_turn_reference", path)
    assert spec is not None and spec.loader is not None
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)
    audio = (np.random.default_rng(1).standard_normal(16_000 * 5) * 0.1).astype(np.float32)
    ours = smart_turn_features(audio)
    assert ours.shape == (1, 80, 800)
    expected = reference.compute_whisper_log_mel_features(np.pad(audio, (16_000 * 3, 0)))
    np.testing.assert_allclose(ours[0], expected, atol=1e-4)


def test_weights_ship_in_the_installed_wheel() -> None:
    for name in ("vad/data/silero_vad.onnx", "turn/smart_turn/data/smart-turn-v3.2-cpu.onnx"):
        assert bundled_model(f"pipecat/audio/{name}").stat().st_size > 1_000_000


@pytest.mark.parametrize("index", [0, 1, 2])
def test_one_turn_per_answer_ending_after_the_last_word(answers: list[Clip], index: int) -> None:
    clip = answers[index]
    config = TurnConfig()
    signals = feed(TurnDetector(shared_models(), config), clip.pcm)
    starts = [s for s, _ in signals if isinstance(s, SpeechStart)]
    ends = [s for s, _ in signals if isinstance(s, TurnEnd)]
    assert starts, f"{clip.name}: no speech detected"
    assert abs(starts[0].start_s - 0.5) < 0.25, starts[0]  # the clip's first word is at 0.5 s
    final = [e for e in ends if e.detected_s >= clip.last_word_s]
    assert len(final) == 1, (clip.name, signals)
    end = final[0]
    # Where the last word ended, within two VAD windows plus espeak's soft consonant tails.
    assert clip.last_word_s - 0.1 <= end.end_s <= clip.last_word_s + 0.3, (end, clip.last_word_s)
    # Decided by the model at the first pause, or by the silence limit: never later.
    assert end.detected_s <= end.end_s + config.max_silence_s + 2 * WINDOW_S
    assert 0.0 <= end.confidence <= 1.0
    # Nothing ends before anything was said, and a turn ended in the pause is followed by a new start when the
    # candidate speaks again (that start is what cancels the room's countdown).
    for signal, _at in signals:
        if isinstance(signal, TurnEnd) and signal.detected_s < clip.pause_end_s:
            assert signal.detected_s >= clip.pause_start_s
            assert any(s.start_s >= signal.detected_s for s in starts), signals


def test_silence_limit_ends_a_turn_the_model_calls_unfinished(answers: list[Clip]) -> None:
    clip = answers[0]
    config = TurnConfig(complete_threshold=0.999999, max_silence_s=2.5)  # the model never gets its way
    ends = [s for s, _ in feed(TurnDetector(shared_models(), config), clip.pcm) if isinstance(s, TurnEnd)]
    assert [e.reason for e in ends] == ["silence"], ends  # the 2.0 s pause is shorter than the limit
    assert abs(ends[0].detected_s - (ends[0].end_s + 2.5)) <= 2 * WINDOW_S


def test_noise_and_a_click_start_no_turn() -> None:
    rng = np.random.default_rng(3)
    hiss = (rng.standard_normal(16_000 * 3) * 30).astype(np.int16)
    click = hiss.copy()
    click[16_000 : 16_000 + 480] = 12_000  # 30 ms
    detector = TurnDetector(shared_models())
    assert feed(detector, hiss) == []
    assert feed(detector, click) == []
    assert not detector.in_turn


async def test_turn_taker_runs_the_models_off_the_event_loop(answers: list[Clip]) -> None:
    got: list[TurnSignal] = []
    threads: set[str] = set()
    loop_thread = threading.current_thread().name

    async def on_signal(signal: TurnSignal) -> None:
        got.append(signal)

    taker = TurnTaker(TurnConfig(), on_signal)
    assert await taker.start()
    assert taker.detector is not None
    push = taker.detector.push

    def recording_push(pcm: bytes) -> list[TurnSignal]:
        threads.add(threading.current_thread().name)
        return push(pcm)

    taker.detector.push = recording_push  # type: ignore[method-assign]
    data = answers[1].pcm.tobytes()
    try:
        for offset in range(0, len(data), CHUNK):
            taker.feed(data[offset : offset + CHUNK])
            if offset % (CHUNK * 25) == 0:
                await asyncio.sleep(0)  # let the detector task take what has arrived, as real-time audio does
        await wait_for(lambda: any(isinstance(s, TurnEnd) and s.detected_s > answers[1].last_word_s for s in got), 60)
    finally:
        await taker.close()
    assert isinstance(got[0], SpeechStart)
    assert any(isinstance(s, TurnEnd) for s in got)
    assert threads and loop_thread not in threads, threads


async def test_turn_events_carry_the_question_only_when_it_held_for_the_whole_turn(redis_client) -> None:
    client = get_async_redis()
    interview_id, q1, q2 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    tracker = QuestionTracker(client, interview_id)

    async def current(question: uuid.UUID | None) -> None:
        await set_current_question(client, interview_id, question)
        await tracker.refresh()

    turns = TurnSink(EventSink(client, interview_id, "whisper", tracker), countdown_s=2.5)
    end = TurnEnd(end_s=4.0, detected_s=4.3, confidence=0.91, reason="model", inference_ms=40.0)
    await current(q1)
    await turns.signal(SpeechStart(start_s=1.0))
    await turns.signal(end)  # one question throughout: tagged
    await turns.signal(SpeechStart(start_s=5.0))
    await current(q2)
    await turns.signal(end)  # the question changed during the turn: never finishes q2's answer
    await current(None)
    await turns.signal(SpeechStart(start_s=9.0))
    await current(q2)
    await turns.signal(end)  # began before q2 was open
    events = [(e["type"], e["question_id"]) for e in stream_events(redis_client, interview_id)]
    assert events == [
        ("speech.started", str(q1)),
        ("turn.ended", str(q1)),
        ("speech.started", str(q1)),
        ("turn.ended", None),
        ("speech.started", None),
        ("turn.ended", None),
    ]
    first_end = stream_events(redis_client, interview_id)[1]
    assert first_end["countdown_s"] == 2.5
    assert first_end["end_s"] == 4.0
    assert first_end["confidence"] == 0.91
    assert first_end["reason"] == "model"
    await set_current_question(client, interview_id, None)


@pytest.mark.slow
async def test_media_server_publishes_turn_events(media_server, make_interview, redis_client, tmp_path) -> None:
    clip = make_clip("en", 3, tail_s=5.0)
    wav = write_wav(tmp_path / "answer.wav", clip.pcm, rate=48_000)
    ids = await make_interview(camera=False, voice=True)
    await set_current_question(get_async_redis(), ids["interview_id"], ids["question_id"])
    audio = SpeechAudioTrack(load_wav_48k(wav))
    pc = await connect(str(media_server["url"]), token_for(ids, camera=False), audio=audio)
    try:
        await wait_connected(pc)

        def turn_events() -> list[dict[str, object]]:
            return [
                e
                for e in stream_events(redis_client, ids["interview_id"])
                if e["type"] in ("speech.started", "turn.ended")
            ]

        def answered() -> bool:
            # SpeechAudioTrack leads with 0.5 s of its own silence.
            return any(e["type"] == "turn.ended" and float(e["end_s"]) > clip.last_word_s for e in turn_events())  # type: ignore[arg-type]

        assert await wait_for(answered, 60), turn_events()
    finally:
        await pc.close()
    events = turn_events()
    assert events[0]["type"] == "speech.started"
    last = [e for e in events if e["type"] == "turn.ended"][-1]
    assert last["question_id"] == str(ids["question_id"])
    assert last["reason"] in ("model", "silence")
    assert last["countdown_s"] == 3.0
    assert 0.0 <= float(last["confidence"]) <= 1.0  # type: ignore[arg-type]
