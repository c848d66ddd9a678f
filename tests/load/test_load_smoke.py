"""Short load smoke test (the measured figures are `python -m bench.load`): a few simulated candidates over HTTP +
SSE with the tiny model, plus idle event streams, against a real API and evaluation worker for a few seconds —
no errors, every idle stream still open at the end, every reader served."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bench.load import LoadResult, baseline, load_environment, simulate


def test_candidates_and_idle_streams_without_errors(services: dict[str, str], tmp_path: Path) -> None:
    # A plain (sync) test: the environment migrates its private database with asyncio.run, like bench.load.
    with load_environment(tmp_path) as api:

        async def go() -> tuple[list[float], LoadResult]:
            base = await baseline(api, seconds=1.0)
            return base, await simulate(api, candidates=4, duration_s=6.0, idle_sse=40, asking=2)

        base, result = asyncio.run(go())
    assert base
    assert result.errors == [], result.errors[:10]
    assert result.idle_opened == 40
    assert result.idle_held == 40
    assert result.questions == 2
    assert len(result.reads_ms) >= 4 * 3  # every candidate completed at least one round of reads
    assert len(result.writes_ms) == 2
