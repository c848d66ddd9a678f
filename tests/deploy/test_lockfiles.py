"""Dependencies are pinned by name and version only: no registry host, index URL or other address in the files
that installs read (the project rule; npm also writes `funding` URLs, which `npm ci` does not need)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
URL = re.compile(r"https?://|--(extra-)?index-url|--find-links")


@pytest.mark.parametrize(
    "path",
    [
        "frontend/package-lock.json",
        "frontend/tools/openapi/package-lock.json",
        "requirements/constraints.txt",
        "requirements/no-deps.txt",
    ],
)
def test_no_addresses_in_pins(path: str) -> None:
    hits = [line.strip() for line in (ROOT / path).read_text().splitlines() if URL.search(line)]
    assert hits == [], f"{path} names addresses (pin by name and version only): {hits[:3]}"
