"""ASGI entry for `uvicorn api.main:app` (the supported command is `python -m api`, which checks config first)."""

from api.app import create_app

app = create_app()
