"""`python -m core.healthcheck worker <queue>` / `python -m core.healthcheck http <url>` — container healthchecks.

The slim images have no curl, and a worker has no HTTP port, so the compose healthchecks run this instead:

- `worker <queue>`: healthy when a worker process *in this container* (same hostname) has a live heartbeat in Redis
  (`core.broker.WorkerHeartbeat`, refreshed every 5 s, expiring after 15 s) and consumes `<queue>`. This proves the
  Dramatiq worker booted, reached Redis and is still running — not merely that Redis is up.
- `http <url>`: healthy on a 2xx answer within the timeout.

Exit status 0 = healthy, 1 = unhealthy (one line on stderr says why), 2 = usage/configuration error.
"""

from __future__ import annotations

import socket
import sys
import urllib.error
import urllib.request

from core.errors import ConfigError

# A healthcheck runs every 15 s under a time limit, on a host that may be busy: the `http` check imports only the
# standard library, the `worker` check imports Redis and the settings when it runs (importing the broker and
# SQLAlchemy took 3-9 s on a loaded 2-core machine and timed the check out).


def check_worker(queue: str, *, redis_url: str, hostname: str | None = None, timeout_s: float = 3.0) -> str:
    """Return a short description of the live worker(s) for `queue` on this host; raise RuntimeError if none."""
    import redis

    from core.broker import HEARTBEAT_PREFIX

    host = hostname or socket.gethostname()
    client = redis.Redis.from_url(redis_url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s)
    try:
        keys = list(client.scan_iter(match=f"{HEARTBEAT_PREFIX}{host}:*", count=100))
        values = client.mget(keys) if keys else []
    except (redis.RedisError, OSError) as exc:
        raise RuntimeError(f"cannot reach Redis: {exc}") from None
    finally:
        client.close()
    pids = []
    for key, value in zip(keys, values, strict=True):
        if value is None:
            continue  # expired between SCAN and MGET
        queues = value.decode().split(",") if isinstance(value, bytes) else str(value).split(",")
        if queue in queues:
            pids.append(key.decode().rsplit(":", 1)[-1] if isinstance(key, bytes) else str(key).rsplit(":", 1)[-1])
    if not pids:
        raise RuntimeError(f"no live worker heartbeat for queue {queue!r} on host {host!r}")
    return f"{len(pids)} worker process(es) for {queue!r} on {host} (pid {', '.join(sorted(pids))})"


def check_http(url: str, *, timeout_s: float = 3.0) -> str:
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) URL: {url!r}")
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310 (scheme checked above)
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"{url} answered {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise RuntimeError(f"{url} unreachable: {getattr(exc, 'reason', exc)}") from None
    if not 200 <= status < 300:
        raise RuntimeError(f"{url} answered {status}")
    return f"{url} answered {status}"


USAGE = "usage: python -m core.healthcheck worker <queue> | http <url>"


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("worker", "http"):
        sys.stderr.write(USAGE + "\n")
        return 2
    kind, target = argv
    try:
        if kind == "worker":
            from core.broker import require_redis_url
            from core.preflight import load_settings

            settings = load_settings()
            summary = check_worker(target, redis_url=require_redis_url(settings))
        else:
            summary = check_http(target)
    except ConfigError as exc:
        sys.stderr.write(f"healthcheck: configuration error: {exc}\n")
        return 2
    except ValueError as exc:
        sys.stderr.write(f"healthcheck: {exc}\n")
        return 2
    except RuntimeError as exc:
        sys.stderr.write(f"unhealthy: {exc}\n")
        return 1
    sys.stdout.write(f"healthy: {summary}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
