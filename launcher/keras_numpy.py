"""An independent numpy forward pass of a Keras (mini-Xception) network: the reference the converted ONNX graph
must match before it is installed. Plain numpy, NHWC, float64 — it shares no code with the converter."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

Layer = dict[str, Any]
Weights = dict[str, dict[str, NDArray[np.float32]]]


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


def resize_bilinear(x: NDArray[np.float32], size: int) -> NDArray[np.float32]:
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
