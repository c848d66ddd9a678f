"""Runs last in the abuse suite: the API's log of the whole run must not contain any secret it handled."""

from __future__ import annotations

from pathlib import Path

from tests.abuse.test_abuse import SENSITIVE
from tests.api.conftest import ApiProcess


def test_secrets_never_logged(abuse_api: ApiProcess, abuse_log: Path) -> None:
    text = "\n".join(p.read_text(errors="replace") for p in abuse_log.glob("*.log"))
    assert text, "the API wrote no log at all"
    assert len(SENSITIVE) >= 4  # secret key, password, cookies, answers, a media token…
    leaked = [s[:12] + "…" for s in SENSITIVE if s and s in text]
    assert not leaked, f"logged: {leaked}"
