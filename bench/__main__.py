"""`python -m bench` (`make bench`): every benchmark module side by side, one table, written to docs/benchmarks/.

Each module (`bench/<name>.py`, exposing `run() -> list[dict]`) runs in its own subprocess, one after the other:
memory is returned between modules, a crash or a hang is reported as a failed row instead of ending the run, and
no module's servers can outlive it (the subprocess gets its own process group, killed on timeout).

    python -m bench                      # all modules
    python -m bench --only llm,api       # some
    python -m bench --no-write           # print only
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import platform
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "docs" / "benchmarks"
# Cheap and independent first; the ones that start the whole product last.
ORDER = ("observability", "llm", "api", "evaluation", "vision", "media", "load", "cold_start")
MODULE_TIMEOUT_S = {"default": 300.0, "vision": 360.0, "media": 360.0}
TOTAL_BUDGET_S = 15 * 60
MARKER = "@@BENCH-ROWS@@"
FIELDS = ("benchmark", "metric", "value", "anchor", "anchor_value", "ratio", "target", "unit")

_CHILD = f"""
import json, sys, importlib
rows = importlib.import_module("bench." + sys.argv[1]).run()
print({MARKER!r} + json.dumps(rows, ensure_ascii=False, default=float), flush=True)
"""


def discover() -> list[str]:
    found = {p.stem for p in (ROOT / "bench").glob("*.py") if not p.stem.startswith("_")}
    return [m for m in ORDER if m in found] + sorted(found - set(ORDER))


def _failed(module: str, message: str, seconds: float) -> dict[str, Any]:
    return {
        "benchmark": module,
        "metric": "run",
        "value": math.nan,
        "anchor": "",
        "anchor_value": math.nan,
        "ratio": math.nan,
        "target": "module completes",
        "unit": "",
        "status": "FAIL",
        "error": message[-500:],
        "module": module,
        "seconds": round(seconds, 1),
    }


def run_module(module: str, timeout_s: float) -> list[dict[str, Any]]:
    started = time.monotonic()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, module],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: a timeout kills the servers it started too
    )
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return [_failed(module, f"timed out after {timeout_s:.0f} s", time.monotonic() - started)]
    finally:
        # Anything the module left behind in its group (a server it forgot to stop) goes now.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    seconds = time.monotonic() - started
    text = out.decode(errors="replace")
    payload = next((line[len(MARKER) :] for line in text.splitlines() if line.startswith(MARKER)), None)
    if proc.returncode != 0 or payload is None:
        tail = err.decode(errors="replace").strip().splitlines()
        return [_failed(module, " | ".join(tail[-3:]) or f"exit code {proc.returncode}", seconds)]
    rows: list[dict[str, Any]] = json.loads(payload)
    for row in rows:
        row["module"] = module
        row["seconds"] = round(seconds, 1)
        row["status"] = row.get("status") or judge(row)
    return rows


_CLAUSE = re.compile(r"(≤|<=|<|≥|>=|>)\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(x|×)?", re.IGNORECASE)
_OPS = {
    "≤": lambda x, y: x <= y,
    "<=": lambda x, y: x <= y,
    "<": lambda x, y: x < y,
    "≥": lambda x, y: x >= y,
    ">=": lambda x, y: x >= y,
    ">": lambda x, y: x > y,
}


def judge(row: dict[str, Any]) -> str:
    """PASS / FAIL / info from the row's free-text target, e.g. "ratio ≤ 1.10", "< 50 ms", ">= 5 fps and >= 2x".

    Clauses are separated by "and" or ";". A clause compares the ratio when the word "ratio" comes before its
    comparison or the number ends in "x"/"×", otherwise the value."""
    target = str(row.get("target", ""))
    if not target or target.lower().startswith("informational"):
        return "info"
    verdicts = []
    for part in re.split(r"\band\b|;", target):
        match = _CLAUSE.search(part)
        if not match:
            continue
        op, number, times = match.groups()
        use_ratio = bool(times) or "ratio" in part[: match.start()].lower()
        try:
            x, limit = float(row.get("ratio" if use_ratio else "value")), float(number.replace(",", ""))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return "FAIL"
        verdicts.append(not math.isnan(x) and _OPS[op](x, limit))
    if not verdicts:
        return "info"
    return "PASS" if all(verdicts) else "FAIL"


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        kib = next(int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemT"))
        ram_gib = round(kib / 1024 / 1024, 1)
    except (OSError, StopIteration, ValueError):
        ram_gib = math.nan
    return {
        "nproc": os.cpu_count(),
        "ram_gib": ram_gib,
        "cpu": cpu,
        "python": platform.python_version(),
        "kernel": platform.release(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def table(rows: list[dict[str, Any]]) -> list[list[str]]:
    head = ["benchmark", "metric", "value", "unit", "anchor", "anchor value", "ratio", "target", "result"]
    body = [
        [
            _fmt(r["benchmark"]),
            _fmt(r["metric"]),
            _fmt(r["value"]),
            _fmt(r.get("unit", "")),
            _fmt(r.get("anchor", "")),
            _fmt(r.get("anchor_value", math.nan)),
            _fmt(r.get("ratio", math.nan)),
            _fmt(r.get("target", "")),
            r["status"],
        ]
        for r in rows
    ]
    return [head, *body]


def render_text(rows: list[dict[str, Any]]) -> str:
    cells = table(rows)
    widths = [min(max(len(row[i]) for row in cells), 48) for i in range(len(cells[0]))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c[:48].ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_markdown(rows: list[dict[str, Any]], info: dict[str, Any], modules: dict[str, float]) -> str:
    cells = table(rows)

    def md(row: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in row) + " |"

    passed = sum(r["status"] == "PASS" for r in rows)
    failed = sum(r["status"] == "FAIL" for r in rows)
    lines = [
        "# Benchmarks (generated by `make bench`)",
        "",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gib']} GiB RAM, Python {info['python']}, "
        f"Linux {info['kernel']}; run {info['date']}. No GPU. Each anchor is measured in the same run, side by "
        "side with the value it is compared to; the cores are shared, so expect ±30 % noise between runs.",
        "",
        f"**{passed} pass, {failed} fail**, {len(rows) - passed - failed} informational. "
        "Per module wall time: " + ", ".join(f"{m} {s:.0f} s" for m, s in modules.items()) + ".",
        "",
        md(cells[0]),
        "|" + "---|" * len(cells[0]),
        *(md(row) for row in cells[1:]),
        "",
        "Failures and their messages are in `latest.json` (`error`). How each figure is measured: the docstring of "
        "`bench/<module>.py`. Load and fault figures: [docs/hardening.md](../hardening.md).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--only", default="", help="comma-separated module names (default: all)")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks/")
    args = parser.parse_args(argv)
    available = discover()
    modules = [m.strip() for m in args.only.split(",") if m.strip()] or available
    unknown = [m for m in modules if m not in available]
    if unknown:
        parser.error(f"unknown module(s): {', '.join(unknown)} (available: {', '.join(available)})")

    deadline = time.monotonic() + TOTAL_BUDGET_S
    rows: list[dict[str, Any]] = []
    durations: dict[str, float] = {}
    for module in modules:
        left = deadline - time.monotonic()
        if left < 30:
            rows.append(_failed(module, "skipped: the 15-minute budget of `make bench` was used up", 0.0))
            continue
        timeout = min(MODULE_TIMEOUT_S.get(module, MODULE_TIMEOUT_S["default"]), left)
        print(f"bench: {module} …", file=sys.stderr, flush=True)
        started = time.monotonic()
        got = run_module(module, timeout)
        durations[module] = time.monotonic() - started
        status = "failed" if any(r["status"] == "FAIL" and r["metric"] == "run" for r in got) else "done"
        print(f"bench: {module} {status} in {durations[module]:.0f} s", file=sys.stderr, flush=True)
        rows.extend(got)

    info = machine()
    print(render_text(rows))
    if not args.no_write:
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        clean = [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in rows]
        doc = {"machine": info, "modules": {m: round(s, 1) for m, s in durations.items()}, "rows": clean}
        (OUT_DIR / "latest.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        (OUT_DIR / "latest.md").write_text(render_markdown(rows, info, durations))
        print(f"written: {OUT_DIR / 'latest.md'} and latest.json", file=sys.stderr)
    return 1 if any(r["status"] == "FAIL" and r["metric"] == "run" for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
