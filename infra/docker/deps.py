"""Print the requirements of one or more dependency groups from pyproject.toml, one per line.

Used by the Dockerfiles so each image installs only the project's base dependencies plus its own group (the
vision image never gets the API/LangChain stack and vice versa), pinned by requirements/constraints.txt:

    python infra/docker/deps.py vision > /tmp/requirements.txt
    pip install -c requirements/constraints.txt -r /tmp/requirements.txt

Standard library only: it runs in the build stage before anything is installed.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def requirements(groups: list[str], pyproject: Path = PYPROJECT) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    optional: dict[str, list[str]] = project.get("optional-dependencies", {})
    unknown = [g for g in groups if g not in optional]
    if unknown:
        raise SystemExit(f"deps.py: unknown dependency group(s) {unknown}; known: {sorted(optional)}")
    lines = list(project.get("dependencies", []))
    for group in groups:
        lines += [req for req in optional[group] if req not in lines]
    return lines


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit("usage: python infra/docker/deps.py GROUP [GROUP ...]")
    sys.stdout.write("\n".join(requirements(sys.argv[1:])) + "\n")
