"""Frame validation and the fast DeepFace path: one analyzer per process, blocking, single-threaded.

Fast path, per frame:
1. validate the bytes before decoding anything big (size, JPEG header dimensions, end marker);
2. detect on a copy downscaled to `detect_side` px on its longer side — detection is >90 % of the cost and a
   webcam face stays far above the Haar cascade's 24 px minimum;
3. classify the largest face cropped from the *full-resolution* frame, so the expression model sees every pixel
   the camera gave us. Both steps go through DeepFace (OpenCV detector, `align=False`; emotion with the detector
   skipped), on the ONNX engine, with the weights `launcher.models_vision` provisioned — never a download.

DeepFace reads its environment at import time, so `configure_environment` runs before the first `import deepface`
and importing this module imports neither DeepFace nor any deep-learning framework.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.errors import ConfigError
from core.expressions import DEEPFACE_FILE, EMOTION_LABELS, MANIFEST_FILE
from core.settings import Settings

DETECT_SIDE = 256  # longer side of the frame the detector sees (640×480 → 256×192)


def installed_model(settings: Settings) -> dict[str, Any]:
    """The manifest of the installed expression model, if it is the one VISION_WEIGHTS asks for and intact.

    Checked at worker boot so a missing or swapped file fails in one line instead of DeepFace trying GitHub.
    """
    wdir = settings.deepface_home / ".deepface" / "weights"
    target = wdir / DEEPFACE_FILE
    try:
        manifest = json.loads((wdir / MANIFEST_FILE).read_text())
    except (OSError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("weights") != settings.vision_weights or not target.is_file():
        raise ConfigError(
            "VISION_WEIGHTS",
            f"{settings.vision_weights!r} expression weights are not installed under {wdir}; "
            "run `python -m launcher.provision` (or `make models`)",
        )
    if manifest.get("sha256") != hashlib.sha256(target.read_bytes()).hexdigest():
        raise ConfigError(
            "VISION_WEIGHTS", f"{target} does not match {MANIFEST_FILE} (replaced by hand?); run the provisioning again"
        )
    return manifest


class FrameRejected(Exception):
    """A frame that cannot be analysed. `reason` is a short stable code used for counters and logs."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class FrameAnalysis:
    face_found: bool
    width: int
    height: int
    face_box: dict[str, int] | None = None  # x, y, w, h in source-frame pixels
    detector_confidence: float | None = None
    dominant: str | None = None
    scores: dict[str, float] = field(default_factory=dict)  # label -> probability 0..1, plain floats
    latency_ms: float = 0.0

    @property
    def confidence(self) -> float | None:
        """Probability of the dominant expression."""
        return self.scores.get(self.dominant) if self.dominant else None


# --- validation ----------------------------------------------------------------------------------------------

_SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def jpeg_dimensions(data: bytes) -> tuple[int, int]:
    """(width, height) from the JPEG frame header, without decoding pixels. Raises FrameRejected."""
    if len(data) < 4 or data[:2] != b"\xff\xd8":
        raise FrameRejected("corrupt", "not a JPEG (no start-of-image marker)")
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise FrameRejected("corrupt", f"JPEG marker expected at byte {pos}")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01,) or 0xD0 <= marker <= 0xD7:  # markers without a length
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2:
            raise FrameRejected("corrupt", "bad JPEG segment length")
        if marker in _SOF_MARKERS:
            if pos + 9 > len(data):
                break
            height = int.from_bytes(data[pos + 5 : pos + 7], "big")
            width = int.from_bytes(data[pos + 7 : pos + 9], "big")
            if width == 0 or height == 0:
                raise FrameRejected("corrupt", "JPEG header declares a zero-sized image")
            return width, height
        if marker in (0xD9, 0xDA):  # end of image / start of scan before any frame header
            break
        pos += 2 + length
    raise FrameRejected("corrupt", "no JPEG frame header")


def decode_b64(jpeg_b64: str, max_bytes: int) -> bytes:
    if not isinstance(jpeg_b64, str) or not jpeg_b64:
        raise FrameRejected("empty", "no frame data")
    payload = jpeg_b64.split(",", 1)[1] if jpeg_b64.startswith("data:") else jpeg_b64
    if len(payload) * 3 // 4 > max_bytes + 3:  # checked before decoding: never allocate a huge buffer
        raise FrameRejected("too_large", f"frame is over {max_bytes} bytes")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise FrameRejected("corrupt", "frame is not valid base64") from None
    if not data:
        raise FrameRejected("empty", "no frame data")
    return data


def decode_jpeg(data: bytes, *, max_bytes: int, max_pixels: int) -> NDArray[np.uint8]:
    """Validated BGR pixels of one JPEG frame, or FrameRejected (empty, too large, too many pixels, corrupt)."""
    import cv2

    if not data:
        raise FrameRejected("empty", "no frame data")
    if len(data) > max_bytes:
        raise FrameRejected("too_large", f"frame is {len(data)} bytes, over the {max_bytes}-byte limit")
    width, height = jpeg_dimensions(data)
    if width * height > max_pixels:
        raise FrameRejected(
            "too_many_pixels", f"frame is {width}×{height} ({width * height} px), over the {max_pixels}-px limit"
        )
    if data.rstrip(b"\x00")[-2:] != b"\xff\xd9":
        raise FrameRejected("corrupt", "JPEG is truncated (no end-of-image marker)")
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None or image.ndim != 3 or image.shape[0] != height or image.shape[1] != width:
        raise FrameRejected("corrupt", "JPEG could not be decoded")
    return np.asarray(image, dtype=np.uint8)


# --- analysis ------------------------------------------------------------------------------------------------


def configure_environment(settings: Settings) -> None:
    """Environment DeepFace, OpenCV and ONNX Runtime read at import time. Call before importing deepface."""
    # Forced, not defaulted: with torch or TensorFlow importable DeepFace would silently switch engine and then
    # look for .pth/.h5 weights online.
    os.environ["DEEPFACE_BACKEND_ENGINE"] = "onnx"
    os.environ["DEEPFACE_HOME"] = str(settings.deepface_home)
    os.environ.setdefault("DEEPFACE_ONNX_PROVIDERS", "cpu")
    os.environ.setdefault("DEEPFACE_LOG_LEVEL", "30")  # no per-call info lines
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENCV_NUM_THREADS", "1")


class ExpressionAnalyzer:
    """DeepFace with the models loaded once. Not thread-safe by design: one analyzer per worker process."""

    def __init__(self, settings: Settings, *, detect_side: int = DETECT_SIDE) -> None:
        self.settings = settings
        self.detect_side = detect_side
        self.model_id: str = str(installed_model(settings)["model_id"])[:64]
        configure_environment(settings)
        import cv2
        from deepface import DeepFace
        from deepface.modules import modeling

        cv2.setNumThreads(1)  # one process per core scales; OpenCV's own threads do not
        self._deepface: Any = DeepFace
        self._cv2: Any = cv2
        # Build both models now (never per frame) and pin the emotion session to one thread.
        modeling.build_model(task="face_detector", model_name="opencv")
        emotion = modeling.build_model(task="facial_attribute", model_name="Emotion")
        emotion.model = _single_thread_session(emotion.model)
        # Warm-up: the first ONNX run allocates its buffers.
        self.analyze(np.full((240, 320, 3), 127, dtype=np.uint8))

    def analyze_jpeg(self, data: bytes) -> FrameAnalysis:
        started = time.perf_counter()
        image = decode_jpeg(
            data, max_bytes=self.settings.vision_max_frame_bytes, max_pixels=self.settings.vision_max_pixels
        )
        return self.analyze(image, started=started)

    def analyze(self, image: NDArray[np.uint8], *, started: float | None = None) -> FrameAnalysis:
        started = time.perf_counter() if started is None else started
        cv2 = self._cv2
        height, width = image.shape[:2]
        scale = min(1.0, self.detect_side / max(height, width))
        small = (
            cv2.resize(image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
            if scale < 1.0
            else image
        )
        try:
            faces = self._deepface.extract_faces(
                small, detector_backend="opencv", enforce_detection=True, align=False, grayscale=False
            )
        except ValueError as exc:  # deepface's FaceNotDetected; anything else is a real error
            if type(exc).__name__ != "FaceNotDetected":
                raise
            faces = []
        faces = [f for f in faces if f["facial_area"]["w"] > 0 and f["facial_area"]["h"] > 0]
        if not faces:
            return FrameAnalysis(
                face_found=False, width=width, height=height, latency_ms=(time.perf_counter() - started) * 1000
            )
        # The candidate is the largest face (closest to the camera).
        best = max(faces, key=lambda f: f["facial_area"]["w"] * f["facial_area"]["h"])
        area = best["facial_area"]
        x = max(0, round(area["x"] / scale))
        y = max(0, round(area["y"] / scale))
        w = min(width - x, round(area["w"] / scale))
        h = min(height - y, round(area["h"] / scale))
        crop = np.ascontiguousarray(image[y : y + h, x : x + w])
        result = self._deepface.analyze(
            crop, actions=["emotion"], detector_backend="skip", enforce_detection=False, silent=True
        )[0]
        raw = {label: float(result["emotion"][label]) for label in EMOTION_LABELS}
        total = sum(raw.values()) or 1.0
        scores = {label: value / total for label, value in raw.items()}  # DeepFace gives percentages
        dominant = max(scores, key=lambda label: scores[label])
        return FrameAnalysis(
            face_found=True,
            width=width,
            height=height,
            face_box={"x": x, "y": y, "w": w, "h": h},
            detector_confidence=float(best.get("confidence") or 0.0),
            dominant=dominant,
            scores=scores,
            latency_ms=(time.perf_counter() - started) * 1000,
        )


def _single_thread_session(session: Any) -> Any:
    """The same ONNX graph in a session limited to one intra-op and one inter-op thread."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    path = getattr(session, "_model_path", None)
    if not path:
        return session
    return ort.InferenceSession(path, sess_options=options, providers=["CPUExecutionProvider"])


_analyzer: ExpressionAnalyzer | None = None
_lock = threading.Lock()


def get_analyzer(settings: Settings) -> ExpressionAnalyzer:
    """The process-wide analyzer, built on first use (or at worker boot)."""
    global _analyzer
    with _lock:
        if _analyzer is None:
            _analyzer = ExpressionAnalyzer(settings)
        return _analyzer
