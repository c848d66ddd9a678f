"""The offline whisper provider with the real whisper-base model: the transcript is written in the interview's
language, and interim lines follow the speech on a steady cadence (waiting on the provider's own decode, never on
time)."""

from __future__ import annotations

import itertools
import re
import subprocess
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from core.errors import ConfigError
from core.settings import Settings
from media.stt.base import SAMPLE_RATE, Segment
from media.stt.segmenter import FRAME_BYTES, FRAME_S
from media.stt.whisper import WhisperProvider

HANGUL = re.compile(r"[\uac00-\ud7a3]")


class RecordingSink:
    def __init__(self) -> None:
        self.events: list[tuple[str, Segment]] = []
        self.states: list[str] = []

    @property
    def partials(self) -> list[Segment]:
        return [s for kind, s in self.events if kind == "partial"]

    @property
    def finals(self) -> list[Segment]:
        return [s for kind, s in self.events if kind == "final"]

    async def partial(self, segment: Segment) -> None:
        self.events.append(("partial", segment))

    async def final(self, segment: Segment) -> None:
        self.events.append(("final", segment))

    async def status(self, state: str, message: str) -> None:
        self.states.append(state)


def pcm16k(path: Path) -> bytes:
    """A wav file as linear16 16 kHz mono, what the media server feeds the provider."""
    container = av.open(str(path))
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    frames = [out.to_ndarray().reshape(-1) for f in container.decode(audio=0) for out in resampler.resample(f)]
    frames += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
    container.close()
    return bytes(np.concatenate(frames).astype(np.int16).tobytes())


def settings_for(whisper_dir: Path, **overrides: float) -> Settings:
    # The close timeout only bounds a hang-up; on a loaded test machine the first decode (model load) can take long.
    return Settings(whisper_model_dir=whisper_dir, stt_close_timeout_s=600, **overrides)  # type: ignore[arg-type]


def silence(seconds: float) -> bytes:
    return bytes(round(seconds * SAMPLE_RATE) * 2)


@pytest.fixture(scope="module")
def korean_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audio") / "ko.wav"
    text = "저는 지난 프로젝트에서 결제 시스템을 맡았습니다."
    subprocess.run(["espeak-ng", "-v", "ko", "-s", "150", "-w", str(path), text], check=True)
    return path


async def transcribe_all(settings: Settings, language: str, pcm: bytes) -> RecordingSink:
    sink = RecordingSink()
    provider = WhisperProvider(settings, language, sink)
    await provider.start()
    await provider.feed(silence(0.5) + pcm + silence(1.0))
    await provider.close()  # finalises: every fed utterance is transcribed before it returns
    return sink


async def test_transcript_is_written_in_the_interview_language(whisper_dir: Path, korean_wav: Path) -> None:
    # The same Korean speech, told it is a Korean and then an English interview: whisper writes Hangul only when told
    # Korean — the language comes from the interview, never from a guess on the audio.
    settings = settings_for(whisper_dir, whisper_partial_interval_s=0)
    pcm = pcm16k(korean_wav)
    korean = " ".join(s.text for s in (await transcribe_all(settings, "ko", pcm)).finals)
    english = " ".join(s.text for s in (await transcribe_all(settings, "en", pcm)).finals)
    assert len(HANGUL.findall(korean)) >= 10, korean
    assert not HANGUL.search(english), english
    assert re.search(r"[A-Za-z]{3}", english), english


def test_model_size_is_chosen_per_interview_language() -> None:
    settings = Settings(whisper_model_en="base", whisper_model_ko="small")
    assert WhisperProvider(settings, "ko", RecordingSink()).size == "small"
    assert WhisperProvider(settings, "en", RecordingSink()).size == "base"
    assert WhisperProvider(settings, "fr", RecordingSink()).language == "en"  # never a language the interview lacks
    assert settings.whisper_sizes == ["base", "small"]
    assert Settings().whisper_sizes == ["base"]


def test_small_is_provisioned_only_when_chosen(tmp_path: Path, whisper_dir: Path) -> None:
    from launcher.models_whisper import provision

    missing = tmp_path / "whisper-small"
    # Not chosen: provisioning never looks at it.
    assert "small" not in provision(Settings(whisper_model_dir=whisper_dir, whisper_small_model_dir=missing))
    # Chosen but not provided: a clear error naming the setting (PyPI's whisper-small parts are incomplete).
    with pytest.raises(ConfigError, match="WHISPER_SMALL_MODEL_DIR"):
        provision(Settings(whisper_model_dir=whisper_dir, whisper_small_model_dir=missing, whisper_model_ko="small"))
    assert not missing.exists()  # nothing half-assembled left behind


async def test_interims_follow_the_speech_on_a_steady_cadence(whisper_dir: Path, speech_wav: Path) -> None:
    first, interval = 1.0, 1.0
    settings = settings_for(whisper_dir, whisper_first_partial_s=first, whisper_partial_interval_s=interval)
    sink = RecordingSink()
    provider = WhisperProvider(settings, "en", sink)
    await provider.start()
    audio = silence(0.5) + pcm16k(speech_wav) + silence(1.5)
    for offset in range(0, len(audio), FRAME_BYTES):
        await provider.feed(audio[offset : offset + FRAME_BYTES])
        if (decode := provider.interim_in_flight) is not None:
            await decode  # a model that keeps up with the speaker: the next audio arrives after this interim
    await provider.close()

    partials, finals = sink.partials, sink.finals
    lengths = [p.end_s - p.start_s for p in partials]
    assert len(partials) >= 3, lengths
    # Due at `first`, then every `interval` of audio, to the 20 ms frame.
    assert first <= lengths[0] < first + FRAME_S + 1e-6
    for before, after in itertools.pairwise(lengths):
        assert interval <= after - before < interval + FRAME_S + 1e-6, lengths
    # Each interim replaces the one before with the whole utterance so far, so it grows; the final comes last.
    assert all(p.text for p in partials)
    assert len(partials[-1].text) > len(partials[0].text)
    assert sink.events[-1][0] == "final"
    assert "alice" in " ".join(f.text for f in finals).lower()


async def test_a_busy_model_skips_interims_instead_of_queueing_them(whisper_dir: Path, speech_wav: Path) -> None:
    # All the audio at once: the model is busy with the first interim while the rest arrives, and no backlog of
    # interims builds up behind it; the final still carries every word.
    settings = settings_for(whisper_dir, whisper_first_partial_s=0.5, whisper_partial_interval_s=0.5)
    sink = RecordingSink()
    provider = WhisperProvider(settings, "en", sink)
    await provider.start()
    audio = silence(0.5) + pcm16k(speech_wav)
    for offset in range(0, len(audio), FRAME_BYTES):
        await provider.feed(audio[offset : offset + FRAME_BYTES])
    await provider.close()
    assert len(sink.partials) <= 1
    assert "alice" in " ".join(f.text for f in sink.finals).lower()


async def test_korean_interview_is_transcribed_in_korean_over_webrtc(
    media_server: dict[str, object], make_interview: Any, korean_wav: Path, redis_client: Any
) -> None:
    # The whole path: a Korean interview's media token → the media server → whisper told `ko` → Hangul finals.
    from tests.media.client import SpeechAudioTrack, connect, load_wav_48k, wait_connected
    from tests.media.conftest import token_for
    from tests.media.test_media_server import stream_events, wait_for

    ids = await make_interview(camera=False, voice=True, language="ko")
    pc = await connect(
        str(media_server["url"]),
        token_for(ids, camera=False, language="ko"),
        audio=SpeechAudioTrack(load_wav_48k(korean_wav)),
    )
    try:
        await wait_connected(pc)

        def finals() -> list[dict[str, Any]]:
            return [e for e in stream_events(redis_client, ids["interview_id"]) if e["type"] == "transcript.final"]

        events = await wait_for(finals, 240)  # a bound, not a pace: decoding is slow on a loaded machine
    finally:
        await pc.close()
    text = " ".join(e["text"] for e in events)
    assert len(HANGUL.findall(text)) >= 10, text
