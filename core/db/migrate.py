"""`python -m core.db.migrate` — upgrade the database to head (run once by `make run`, tests and compose)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from core.preflight import check_database, load_settings, run_or_exit
from core.settings import ROOT_DIR


def alembic_config(database_url: str | None = None) -> Config:
    cfg = Config(str(Path(ROOT_DIR) / "alembic.ini"))
    cfg.attributes["skip_logging_config"] = True
    if database_url:
        cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str | None = None) -> None:
    command.upgrade(alembic_config(database_url), "head")


def main() -> None:
    settings = run_or_exit(load_settings, "migrate")
    run_or_exit(lambda: check_database(settings), "migrate")
    upgrade()
    print("migrate: database at head")


if __name__ == "__main__":
    main()
