"""`python -m worker evaluation|vision [dramatiq options]` — preflight checks, then Dramatiq's own worker CLI.

The vision worker runs one process per core with single-threaded OpenCV/ONNX (see worker/vision); the evaluation
worker is I/O bound (waiting on the model server) and uses threads.
"""

from __future__ import annotations

import os
import sys

# How long an idle consumer waits before polling Redis again. Dramatiq's 1 s default adds ~0.6 s (p50) between
# "answer submitted" and the evaluation starting; 25 ms costs forty cheap polls a second per consumer. Must be set
# before dramatiq is imported (it is read at import time).
os.environ.setdefault("dramatiq_worker_timeout", "25")

from core.jobs import QUEUE_EVALUATION, QUEUE_VISION
from core.preflight import check_database, check_redis, load_settings, run_or_exit

KINDS = {
    "evaluation": ("worker.evaluation.actors", QUEUE_EVALUATION),
    "vision": ("worker.vision.actors", QUEUE_VISION),
}


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in KINDS:
        print(f"usage: python -m worker {{{'|'.join(KINDS)}}} [dramatiq options]", file=sys.stderr)
        raise SystemExit(2)
    kind, extra = argv[0], argv[1:]
    settings = run_or_exit(load_settings, f"worker-{kind}")
    run_or_exit(lambda: check_redis(settings), f"worker-{kind}")
    run_or_exit(lambda: check_database(settings), f"worker-{kind}")
    module, queue = KINDS[kind]
    args = ["dramatiq", module, "--queues", queue]
    if kind == "vision":
        # One single-threaded process per core: OpenCV's detector does not scale across threads.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        os.environ.setdefault("OPENCV_NUM_THREADS", "1")
        args += ["--processes", str(os.cpu_count() or 1), "--threads", "1"]
    else:
        args += ["--processes", "1", "--threads", str(settings.worker_threads)]
    args += extra  # later options win (e.g. --processes 2 from a test or compose)
    from dramatiq.cli import main as dramatiq_main

    sys.argv = args
    raise SystemExit(dramatiq_main())  # type: ignore[no-untyped-call]


if __name__ == "__main__":
    main(sys.argv[1:])
