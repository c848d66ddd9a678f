"""core/logging: JSON lines with service, request and interview ids; answers, frames and secrets never logged."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator

import pytest

from core.logging import REDACTED, configure_logging, log_context


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    saved_level, saved_handlers = root.level, list(root.handlers)
    configure_logging("api", level="INFO", log_format="json", stream=stream)
    try:
        yield stream
    finally:
        for handler in list(root.handlers):
            if handler not in saved_handlers:
                root.removeHandler(handler)
        root.setLevel(saved_level)


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_json_lines_carry_service_request_and_interview_ids(log_stream: io.StringIO) -> None:
    interview = uuid.uuid4()
    with log_context(request_id="req-1", interview_id=interview):
        logging.getLogger("api.interviews").info("question %d ready", 3)
    logging.getLogger("api").warning("outside")
    first, second = _lines(log_stream)
    assert first["message"] == "question 3 ready"
    assert first["service"] == "api"
    assert first["level"] == "INFO"
    assert first["logger"] == "api.interviews"
    assert first["request_id"] == "req-1"
    assert first["interview_id"] == str(interview)
    assert "time" in first
    assert second["request_id"] is None
    assert second["interview_id"] is None


def test_candidate_content_and_secrets_never_reach_the_log(log_stream: io.StringIO) -> None:
    answer = "제 강점은 꼼꼼함입니다 and my password is hunter2"
    frame = "data:image/jpeg;base64," + "A" * 4000
    log = logging.getLogger("worker.evaluation")
    log.info("evaluated", extra={"answer": answer, "score": 4, "frame": frame, "api_key": "sk-live-123"})
    log.info("connecting to postgresql://rehearsal:s3cr3t-pw@postgres:5432/rehearsal")
    log.info("header Authorization: Bearer abcdefghijklmnop1234 sent")
    log.info("got frame %s", frame)
    log.info("login failed", extra={"context": {"password": "hunter2", "email_domain": "example.com"}})
    log.info("settings SECRET_KEY=topsecretvalue token=abcd1234efgh")
    out = log_stream.getvalue()
    for leaked in ("꼼꼼함", "hunter2", "AAAAAAAAAA", "sk-live-123", "s3cr3t-pw", "abcdefghijklmnop1234", "topsecret"):
        assert leaked not in out, leaked
    lines = _lines(log_stream)
    assert lines[0]["answer"] == REDACTED
    assert lines[0]["score"] == 4
    assert lines[0]["frame"] == REDACTED
    assert "postgres:5432/rehearsal" in str(lines[1]["message"])  # the useful part stays
    assert lines[4]["context"] == {"password": REDACTED, "email_domain": "example.com"}


def test_exceptions_are_logged_with_their_traceback(log_stream: io.StringIO) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("x").exception("failed")
    (line,) = _lines(log_stream)
    assert "ValueError: boom" in str(line["exc_info"])


def test_console_format_for_development() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = list(root.handlers)
    configure_logging("media", level="INFO", log_format="console", stream=stream)
    try:
        with log_context(interview_id="iv-9"):
            logging.getLogger("media").info("peer connected token=abcdef123456")
    finally:
        for handler in list(root.handlers):
            if handler not in saved:
                root.removeHandler(handler)
    text = stream.getvalue()
    assert "media" in text
    assert "interview_id=iv-9" in text
    assert "abcdef123456" not in text
