"""The UI's hand-written API types must match the API's OpenAPI schema (issue 8: "the two cannot drift").

Dumps the schema from the application itself (no server needed), generates `frontend/src/api/schema.gen.ts` from it
and type-checks `frontend/src/api/contract.check.ts`, which assigns every response the UI reads to the UI's type
and every request the UI sends to the API's type. A failure prints the endpoint and the property that drifted.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"


def test_client_types_match_openapi(tmp_path: Path) -> None:
    if not (FRONTEND / "node_modules" / "typescript").is_dir() or not shutil.which("node"):
        pytest.fail("frontend dependencies missing: run `make frontend` (npm ci)")
    from api.app import create_app

    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(create_app().openapi()))
    gen = subprocess.run(
        ["node", "scripts/gen-api.mjs", str(spec)], cwd=FRONTEND, capture_output=True, text=True, timeout=60
    )
    assert gen.returncode == 0, gen.stderr
    check = subprocess.run(
        ["node", "node_modules/typescript/bin/tsc", "-p", "tsconfig.apicheck.json"],
        cwd=FRONTEND,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert check.returncode == 0, f"UI types drifted from the API schema:\n{check.stdout}{check.stderr}"
