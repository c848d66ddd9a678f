"""The FastAPI application: routers under /api, OpenAPI at /api/docs, the built React app at /."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import InterfaceError, OperationalError
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api.answers.endpoints import router as answers_router
from api.auth.endpoints import router as auth_router
from api.body_limit import BodyLimitMiddleware
from api.errors import install_handlers
from api.events.endpoints import router as events_router
from api.health.endpoints import router as health_router
from api.interviews.endpoints import router as interviews_router
from api.media.endpoints import router as media_router
from api.models.endpoints import router as models_router
from api.progress.endpoints import router as progress_router
from api.reports.endpoints import router as reports_router
from api.uploads.endpoints import router as uploads_router
from core.db.engine import dispose_engine
from core.redis_client import close_async_redis
from core.settings import Settings, get_settings

log = logging.getLogger(__name__)

UPLOAD_FRAMING_BYTES = 64 * 1024  # multipart boundaries and part headers around the uploaded résumé


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    from api.retention import retention_task

    async with retention_task(app.state.settings):
        yield
    await close_async_redis()
    await dispose_engine()


def _validation_message(exc: RequestValidationError) -> list[dict[str, object]]:
    # Field-level messages without echoing the (possibly large or sensitive) input back.
    return [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Rehearsal API",
        version="0.1.0",
        description="Self-hosted AI mock interviews: accounts, streamed adaptive questions, answers, live events, "
        "evaluations and reports. Authenticate with `POST /api/auth/login` (sets an httpOnly session cookie).",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )

    app.state.settings = settings
    install_handlers(app)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_message(exc)}, status_code=422)

    # A restarting PostgreSQL or Redis is a temporary outage, not a server bug: say so (503 + Retry-After) so
    # the UI can retry, instead of a bare 500. Nothing was acknowledged, so nothing is lost.
    async def on_store_unavailable(request: Request, exc: Exception) -> JSONResponse:
        name = "database" if isinstance(exc, OperationalError | InterfaceError) else "event store"
        log.warning("%s unavailable: %s", name, type(exc).__name__)
        return JSONResponse(
            {"detail": f"the {name} is unavailable for a moment; try again"},
            status_code=503,
            headers={"Retry-After": "2"},
        )

    app.add_exception_handler(OperationalError, on_store_unavailable)
    app.add_exception_handler(InterfaceError, on_store_unavailable)
    app.add_exception_handler(RedisConnectionError, on_store_unavailable)
    app.add_exception_handler(RedisTimeoutError, on_store_unavailable)

    api = APIRouter(prefix="/api")
    for router in (
        health_router,
        auth_router,
        uploads_router,
        interviews_router,
        answers_router,
        events_router,
        reports_router,
        media_router,
        models_router,
        progress_router,
    ):
        api.include_router(router)

    @api.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    async def api_not_found(path: str) -> Response:
        raise HTTPException(404, "no such API route")

    try:
        from core.metrics import instrument_app  # Prometheus latency by route + /api/metrics
    except ImportError:  # pragma: no cover
        pass
    else:
        instrument_app(app)

    app.include_router(api)
    _mount_frontend(app, settings.frontend_dist)
    # The client address (sign-in throttling, logs) comes from X-Forwarded-For only when the connecting peer is a
    # proxy named in TRUSTED_PROXIES; with none named (the default) every forwarding header is ignored. Here rather
    # than in the server's options, so the app is safe under any ASGI server started without proxy headers.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    # Every route, before any parsing; the résumé upload's limit is its file's (MAX_UPLOAD_BYTES, checked again by
    # the route) plus multipart framing.
    app.add_middleware(
        BodyLimitMiddleware,
        default=settings.max_request_body_bytes,
        per_path={"/api/uploads/resume": settings.max_upload_bytes + UPLOAD_FRAMING_BYTES},
    )
    return app


def _mount_frontend(app: FastAPI, dist: Path) -> None:
    index = dist / "index.html"
    if not index.exists():
        log.warning("frontend not built (%s missing): serving the API only", index)
        return
    if (dist / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=dist / "assets"), name="assets")

    root = dist.resolve()
    # Top-level files of the build (favicon, manifest…), listed once at start-up: no disk access per request.
    files = {p.name: p for p in root.iterdir() if p.is_file()}

    @app.get("/{path:path}", include_in_schema=False)
    async def spa(path: str) -> FileResponse:
        if path in files:
            return FileResponse(files[path])
        return FileResponse(index, headers={"Cache-Control": "no-cache"})  # client-side routes
