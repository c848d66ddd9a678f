"""Keras HDF5 → ONNX for the fer mini-Xception, with h5py + onnx only (no TensorFlow), and the check that the
converted graph matches the independent numpy reference (`launcher.keras_numpy`) on fixed inputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.expressions import EMOTION_LABELS
from launcher.keras_numpy import Layer, Weights, numpy_forward, resize_bilinear

CONVERTER_VERSION = 1  # bump when the graph it writes changes: provisioned copies are then rebuilt
MAX_ABS_DIFF = 1e-4  # allowed gap between the ONNX graph and the numpy reference, on probabilities
OPSET = 17


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
    want = numpy_forward(layers, weights, resize_bilinear(inputs, 64) * 2.0 - 1.0)
    if got.shape != (len(inputs), len(EMOTION_LABELS)):
        raise ValueError(f"converted model outputs {got.shape}, expected ({len(inputs)}, {len(EMOTION_LABELS)})")
    max_diff = float(np.max(np.abs(got - want)))
    if not np.isfinite(max_diff) or max_diff > MAX_ABS_DIFF:
        raise ValueError(f"converted fer model differs from the numpy reference by {max_diff:.2e}")
    return max_diff
