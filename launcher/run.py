"""`make run` → `python -m launcher.run`: the whole product at http://127.0.0.1:8000 until Ctrl-C."""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType

from core.errors import ConfigError
from core.preflight import load_settings, run_or_exit
from launcher.stack import Stack


def main() -> None:
    settings = run_or_exit(load_settings, "run")
    stack = Stack(settings)
    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        run_or_exit(stack.start, "run")
        done.wait()
    except (RuntimeError, TimeoutError) as exc:
        print(f"run: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    except ConfigError as exc:  # raised from a helper thread path
        print(f"run: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    finally:
        stack.log("stopping…")
        stack.stop()
        stack.log("stopped")


if __name__ == "__main__":
    main()
