"""Bad inputs get 4xx with clear messages, never 500."""

from __future__ import annotations

import io
import uuid

from sqlalchemy import func
from sqlmodel import select

from core.db.engine import get_sessionmaker
from core.repositories.interviews import submission_lock_key
from tests.api.conftest import INTERVIEW, NewUser, stream_question


def _pdf(text: str) -> bytes:
    """A minimal valid one-page PDF with `text` (built by hand: no PDF writer dependency)."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


async def test_interview_setup_validation(new_user: NewUser) -> None:
    user = await new_user()
    c = user.client
    for field, value, loc in [
        ("language", "fr", "language"),
        ("num_questions", 0, "num_questions"),
        ("num_questions", 99, "num_questions"),
        ("role", "   ", "role"),
        ("seniority", "intern", "seniority"),
    ]:
        r = await c.post("/api/interviews", json={**INTERVIEW, field: value})
        assert r.status_code == 422, (field, r.text)
        assert r.json()["detail"][0]["loc"][-1] == loc
    huge = await c.post("/api/interviews", json={**INTERVIEW, "job_description": "x" * 20_001})
    assert huge.status_code == 422 and huge.json()["detail"][0]["loc"] == ["body", "job_description"]
    assert (await c.get("/api/interviews")).json() == []  # nothing was created by the bad requests


async def test_resume_upload(new_user: NewUser) -> None:
    user = await new_user()
    c = user.client
    ok = await c.post(
        "/api/uploads/resume", files={"file": ("cv.pdf", _pdf("Ada Lovelace - analytical engines"), "application/pdf")}
    )
    assert ok.status_code == 200, ok.text
    assert "Ada Lovelace" in ok.json()["text"] and ok.json()["pages"] == 1
    not_pdf = await c.post("/api/uploads/resume", files={"file": ("cv.pdf", b"hello, I am text", "application/pdf")})
    assert not_pdf.status_code == 415
    big = await c.post(
        "/api/uploads/resume", files={"file": ("cv.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "application/pdf")}
    )
    assert big.status_code == 413
    broken = await c.post("/api/uploads/resume", files={"file": ("cv.pdf", b"%PDF-1.4\ngarbage", "application/pdf")})
    assert broken.status_code == 422 and "PDF" in broken.json()["detail"]


async def test_answer_bad_targets(new_user: NewUser) -> None:
    user = await new_user()
    c = user.client
    missing = await c.post(
        "/api/questions/00000000-0000-0000-0000-000000000000/answer", json={"text": "hi", "source": "typed"}
    )
    assert missing.status_code == 404
    bad_id = await c.post("/api/questions/not-a-uuid/answer", json={"text": "hi"})
    assert bad_id.status_code == 422


async def test_answering_while_another_submission_is_in_flight_is_409(new_user: NewUser) -> None:
    """A second submission for the same question while the first one's transaction is open gets 409 (not a
    half-merged answer); once it is done, re-submitting replaces the answer as a new revision."""
    user = await new_user()
    c = user.client
    iid = (await c.post("/api/interviews", json={**INTERVIEW, "num_questions": 1})).json()["id"]
    qid = (await stream_question(user, iid))[-1].data["question_id"]
    key = submission_lock_key(uuid.UUID(qid))
    async with get_sessionmaker()() as session:  # plays the first, still-running submission
        assert (await session.exec(select(func.pg_try_advisory_xact_lock(key)))).one()
        busy = await c.post(f"/api/questions/{qid}/answer", json={"text": "second"})
        assert busy.status_code == 409
        assert "already being submitted" in busy.json()["detail"]
        await session.rollback()
    first = await c.post(f"/api/questions/{qid}/answer", json={"text": "first"})
    again = await c.post(f"/api/questions/{qid}/answer", json={"text": "replaced"})
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json()["revision"] == first.json()["revision"] + 1
    detail = (await c.get(f"/api/interviews/{iid}")).json()
    assert detail["questions"][0]["answer"]["text"] == "replaced"
