"""`python -m media` — preflight checks, then the media server on MEDIA_HOST:MEDIA_PORT."""

from __future__ import annotations

import uvicorn

from core.preflight import check_database, check_redis, load_settings, run_or_exit


def main() -> None:
    settings = run_or_exit(load_settings, "media")
    run_or_exit(lambda: check_redis(settings), "media")
    run_or_exit(lambda: check_database(settings), "media")
    from core.logging import configure_logging

    configure_logging("media", level=settings.log_level, log_format=settings.log_format)
    from media.app import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.media_host,
        port=settings.media_port,
        log_config=None,  # keep the handler configure_logging installed
        access_log=False,
        lifespan="on",
    )


if __name__ == "__main__":
    main()
