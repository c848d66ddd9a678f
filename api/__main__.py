"""`python -m api` — preflight checks (one-line errors naming the variable), then uvicorn."""

from __future__ import annotations

import uvicorn

from core.preflight import check_database, check_redis, load_settings, run_or_exit


def main() -> None:
    settings = run_or_exit(load_settings, "api")
    from core.logging import configure_logging

    configure_logging("api", level=settings.log_level, log_format=settings.log_format)
    run_or_exit(lambda: check_database(settings), "api")
    run_or_exit(lambda: check_redis(settings), "api")
    from api.app import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.api_host,
        port=settings.api_port,
        proxy_headers=False,  # forwarding headers are handled in the app, from TRUSTED_PROXIES only (api/app.py)
        timeout_graceful_shutdown=5,
        log_level=settings.log_level.lower(),
        access_log=False,
        log_config=None,  # keep the handler configure_logging installed
    )


if __name__ == "__main__":
    main()
