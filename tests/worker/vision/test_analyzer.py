"""The fast DeepFace path on real faces shipped by packages, and frame validation."""

from __future__ import annotations

import base64

import pytest

from core.expressions import EMOTION_LABELS
from core.settings import Settings
from worker.vision.analyzer import (
    FrameRejected,
    decode_b64,
    decode_jpeg,
    jpeg_dimensions,
)


def _check_scores(scores: dict[str, float]) -> None:
    assert list(scores) == list(EMOTION_LABELS)
    assert all(type(v) is float and 0.0 <= v <= 1.0 for v in scores.values())
    assert sum(scores.values()) == pytest.approx(1.0, abs=1e-4)


def test_astronaut_is_a_happy_face(analyzer, astronaut_jpeg: bytes) -> None:
    result = analyzer.analyze_jpeg(astronaut_jpeg)
    assert result.face_found
    assert result.dominant == "happy"
    _check_scores(result.scores)
    assert result.confidence == result.scores["happy"] > 0.5
    box = result.face_box
    assert box is not None
    # The face is in the upper middle of the 512×512 photo.
    assert 120 < box["x"] < 260
    assert 20 < box["y"] < 140
    assert 60 < box["w"] < 160
    assert result.detector_confidence is not None
    assert result.latency_ms > 0
    assert analyzer.model_id.startswith("fer-mini-xception")


def test_grace_hopper_is_neutral(analyzer, grace_hopper_jpeg: bytes) -> None:
    result = analyzer.analyze_jpeg(grace_hopper_jpeg)
    assert result.face_found
    assert result.dominant == "neutral"
    _check_scores(result.scores)


def test_coffee_has_no_face_and_no_made_up_expression(analyzer, coffee_jpeg: bytes) -> None:
    result = analyzer.analyze_jpeg(coffee_jpeg)
    assert not result.face_found
    assert result.dominant is None
    assert result.scores == {}
    assert result.face_box is None
    assert result.confidence is None
    assert result.detector_confidence is None


def test_jpeg_header_dimensions(astronaut_jpeg: bytes, grace_hopper_jpeg: bytes) -> None:
    assert jpeg_dimensions(astronaut_jpeg) == (512, 512)
    assert jpeg_dimensions(grace_hopper_jpeg) == (512, 600)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"not a jpeg at all", "corrupt"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00garbage", "corrupt"),
    ],
)
def test_bad_bytes_are_rejected(analyzer, data: bytes, reason: str) -> None:
    with pytest.raises(FrameRejected) as info:
        analyzer.analyze_jpeg(data)
    assert info.value.reason == reason


def test_truncated_and_scrambled_jpegs_are_rejected(analyzer, astronaut_jpeg: bytes) -> None:
    with pytest.raises(FrameRejected) as info:
        analyzer.analyze_jpeg(astronaut_jpeg[: len(astronaut_jpeg) // 2])
    assert info.value.reason == "corrupt"
    # Valid header and end marker, garbage in between: the decoder itself must refuse it.
    scrambled = astronaut_jpeg[:600] + bytes(range(256)) * 20 + b"\xff\xd9"
    with pytest.raises(FrameRejected) as info:
        analyzer.analyze_jpeg(scrambled)
    assert info.value.reason == "corrupt"


def test_fifty_megapixels_rejected_before_decoding(huge_jpeg: bytes) -> None:
    assert jpeg_dimensions(huge_jpeg) == (8660, 5774)
    with pytest.raises(FrameRejected) as info:
        decode_jpeg(huge_jpeg, max_bytes=len(huge_jpeg) + 1, max_pixels=Settings().vision_max_pixels)
    assert info.value.reason == "too_many_pixels"
    assert "8660×5774" in str(info.value)


def test_too_many_bytes_rejected(astronaut_jpeg: bytes) -> None:
    with pytest.raises(FrameRejected) as info:
        decode_jpeg(astronaut_jpeg, max_bytes=1000, max_pixels=10**8)
    assert info.value.reason == "too_large"
    # Base64 is size-checked before it is decoded.
    with pytest.raises(FrameRejected) as info:
        decode_b64(base64.b64encode(astronaut_jpeg).decode(), max_bytes=1000)
    assert info.value.reason == "too_large"


def test_base64_validation(astronaut_jpeg: bytes) -> None:
    encoded = base64.b64encode(astronaut_jpeg).decode()
    assert decode_b64(encoded, 10**7) == astronaut_jpeg
    assert decode_b64("data:image/jpeg;base64," + encoded, 10**7) == astronaut_jpeg
    for bad, reason in (("", "empty"), ("!!!not base64!!!", "corrupt")):
        with pytest.raises(FrameRejected) as info:
            decode_b64(bad, 10**7)
        assert info.value.reason == reason


def test_analyzer_keeps_working_after_rejections(analyzer, astronaut_jpeg: bytes) -> None:
    for bad in (b"", b"\xff\xd8junk", astronaut_jpeg[:100]):
        with pytest.raises(FrameRejected):
            analyzer.analyze_jpeg(bad)
    assert analyzer.analyze_jpeg(astronaut_jpeg).dominant == "happy"
