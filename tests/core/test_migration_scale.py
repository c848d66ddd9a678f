"""The structured-interviews migration on a database holding rows from before it: 0–100 scores become the one
1–5 scale (C1), follow-up questions keep what was asked with `source = follow_up`, and the downgrade reverses it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from alembic import command
from sqlalchemy.engine import make_url

from core.db.migrate import alembic_config

BEFORE, AFTER = "9943c9aba0b9", "5c1e2f8a7b3d"


@pytest.fixture
def scratch_db(services: dict[str, str]) -> Iterator[str]:
    """An empty database of its own on the session's PostgreSQL (migrated step by step by the test)."""
    url = make_url(services["DATABASE_URL"])
    name = f"migration_{uuid.uuid4().hex[:8]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield url.set(database=name, drivername="postgresql").render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


def test_scores_move_to_one_to_five_and_back(scratch_db: str) -> None:
    cfg = alembic_config(scratch_db)
    command.upgrade(cfg, BEFORE)
    user, interview, question, answer = (uuid.uuid4() for _ in range(4))
    with psycopg.connect(scratch_db, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO users (id, email, password_hash, display_name, locale, created_at) "
            "VALUES (%s, 'm@example.com', 'x', '', 'en', now())",
            (user,),
        )
        conn.execute(
            "INSERT INTO interviews (id, user_id, role, seniority, language, job_description, resume_text, "
            "num_questions, consent_camera, consent_voice, status, overall_score, created_at) "
            "VALUES (%s, %s, 'r', 'mid', 'en', '', '', 3, false, false, 'finished', 62.5, now())",
            (interview, user),
        )
        conn.execute(
            "INSERT INTO questions (id, interview_id, position, kind, text, prompt_version, model_meta, created_at) "
            "VALUES (%s, %s, 1, 'follow_up', 'Why?', 'question-v1', '{}', now())",
            (question, interview),
        )
        conn.execute(
            "INSERT INTO answers (id, question_id, interview_id, text, source, revision, speech_metrics, "
            "created_at, updated_at) VALUES (%s, %s, %s, 'a', 'typed', 1, '{}', now(), now())",
            (answer, question, interview),
        )
        conn.execute(
            "INSERT INTO evaluations (id, answer_id, interview_id, answer_revision, status, overall_score, rubric, "
            "strengths, improvements, model_answer, attempts, model_meta, created_at, updated_at) "
            "VALUES (%s, %s, %s, 1, 'ready', 75, '{}', '[]', '[]', '', 1, '{}', now(), now())",
            (uuid.uuid4(), answer, interview),
        )
        conn.execute(
            "INSERT INTO reports (id, interview_id, status, overall_score, rubric, summary, strengths, practice, "
            "expression_summary, model_meta, created_at, updated_at) "
            "VALUES (%s, %s, 'ready', 0, '{}', '', '[]', '[]', '{}', '{}', now(), now())",
            (uuid.uuid4(), interview),
        )

    def scores() -> tuple[object, ...]:
        with psycopg.connect(scratch_db) as conn:
            row = conn.execute(
                "SELECT i.overall_score, r.overall_score, e.overall_score, q.kind FROM interviews i "
                "JOIN reports r ON r.interview_id = i.id JOIN evaluations e ON e.interview_id = i.id "
                "JOIN questions q ON q.interview_id = i.id"
            ).fetchone()
            assert row is not None
            return tuple(row)

    command.upgrade(cfg, AFTER)
    assert scores() == (3.5, 1.0, 4, "technical")  # 62.5 → 3.5, 0 → 1, 75 → 4
    with psycopg.connect(scratch_db) as conn:
        assert conn.execute("SELECT source, plan FROM questions, interviews").fetchone() == ("follow_up", {})
    command.downgrade(cfg, BEFORE)
    assert scores() == (62.5, 0.0, 75, "follow_up")
