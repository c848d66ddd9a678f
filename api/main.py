"""ASGI entry for `uvicorn api.main:app --no-proxy-headers` (the supported command is `python -m api`, which checks
config first). Forwarding headers are the app's business (TRUSTED_PROXIES): uvicorn's own proxy-headers option, on by
default, would believe any X-Forwarded-For from 127.0.0.1."""

from api.app import create_app

app = create_app()
